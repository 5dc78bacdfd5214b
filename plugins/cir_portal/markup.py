"""Markup helpers: escaping, URLs between pages, and small HTML builders for the views.

Every value from a record goes through ``esc`` (or an ``attr``) before it reaches HTML.
Generated pages are raw HTML inside Markdown, so a title like ``<img onerror=...>`` is
shown as text and never interpreted by Markdown or the browser.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable
from typing import Any


def esc(value: Any) -> str:
    """HTML-escape any value for text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The site-root-relative URL of the page built from ``src_uri`` ("" for the home page)."""
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri[:-3]
    if directory_urls:
        if stem == "index":
            return ""
        if stem.endswith("/index"):
            return stem[: -len("index")]
        return stem + "/"
    return stem + ".html"


def relative_url(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url`` (both site-root-relative).

    Climbs to the site root and down again (``../../register/``): always right, and cheap
    enough for the tens of thousands of links a large register's pages hold.
    """
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    depth = base.count("/") if base != "/" else 0
    return ("../" * depth + to_url) or "./"


def slug(text: str) -> str:
    """A URL-safe file name for a tag or key; Chinese characters are kept."""
    s = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", text.strip().lower(), flags=re.UNICODE).strip("-")
    return s or "tag"


def link(href: str, text: Any, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{esc(href)}"{c}>{esc(text)}</a>'


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "cir-table") -> str:
    """An HTML table; headers are plain text, cells are already-escaped HTML."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def badge(text: Any, cls: str) -> str:
    return f'<span class="cir-badge {esc(cls)}">{esc(text)}</span>'
