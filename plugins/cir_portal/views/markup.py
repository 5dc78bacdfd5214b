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
    text = "" if value is None else str(value)
    # Most values have nothing to escape: five substring tests are half the cost of html.escape.
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text, quote=True)
    return text


def css_string(value: Any) -> str:
    """A quoted CSS string of any text (for ``content:`` in an inline stylesheet): quotes and
    backslashes escaped, ``<``, ``>``, ``&`` and control characters as hex escapes, so the text can
    neither end the string nor the ``<style>`` element."""
    out = []
    for ch in "" if value is None else str(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "<>&" or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


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


#: Tags that open a raw HTML block in Markdown (the views' generated pages use these).
_BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset", "figure",
                         "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "nav", "ol", "p", "pre",
                         "section", "table", "ul"})
_FIRST_TAG = re.compile(r"<([a-z][a-z0-9]*)\b")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.M)
_PLACEHOLDER = "<!--cir-html-{}-->"
_PLACEHOLDER_RE = re.compile(r"<!--cir-html-(\d+)-->")


def _html_blocks(chunk: str) -> list[str] | None:
    """``chunk`` as a run of raw HTML blocks (each a block-level element from its opening tag to
    its matching closing tag, the next one starting on a new line), or None if it is not one."""
    if "markdown=" in chunk:
        return None
    blocks: list[str] = []
    pos, end = 0, len(chunk.rstrip())
    while pos < end:
        match = _FIRST_TAG.match(chunk, pos)
        if not match or match.group(1) not in _BLOCK_TAGS:
            return None
        tag = match.group(1)
        depth, stop = 0, -1
        for m in re.finditer(rf"<{tag}\b|</{tag}>", chunk[pos:end]):
            depth += -1 if m.group(0).startswith("</") else 1
            if depth == 0:
                stop = pos + m.end()
                break
        if stop < 0 or (stop < end and chunk[stop] != "\n"):
            return None  # unclosed, or text after the closing tag on its line
        blocks.append(chunk[pos:stop])
        pos = stop + 1
    return blocks


def stash_html_blocks(markdown: str) -> tuple[str, list[str]]:
    """Take the raw HTML blocks out of a generated page's Markdown, leaving a placeholder each.

    Python-Markdown passes such a block through verbatim, but only after parsing it with its
    (pure-Python) HTML parser, which is most of the cost of a generated page. A block is taken
    only when Markdown would pass it through unchanged: a blank-line-separated chunk made of
    block-level elements, each from its opening tag at the start of a line to its matching
    closing tag at the end of one, asking for no Markdown inside (``markdown=``).
    ``unstash_html_blocks`` puts them back.
    """
    blocks: list[str] = []
    out: list[str] = []
    in_fence = False
    for chunk in _paragraphs(markdown):
        found = None if in_fence else _html_blocks(chunk)
        if "```" in chunk or "~~~" in chunk:
            in_fence ^= len(_FENCE.findall(chunk)) % 2 == 1  # HTML in a code block is text
        if not found:
            out.append(chunk)
            continue
        out.append("\n".join(_PLACEHOLDER.format(len(blocks) + i) for i in range(len(found))) + chunk[len(chunk.rstrip()):])
        blocks.extend(found)
    return "".join(out), blocks


def _paragraphs(text: str) -> list[str]:
    """``re.split(r"(\\n{2,})", text)``: the chunks between blank lines and the runs of line breaks
    between them, alternately. (The regular expression tries a match at every character of a
    page of megabytes; ``str.find`` skips to the next pair of line breaks.)"""
    out: list[str] = []
    pos, end = 0, len(text)
    while (start := text.find("\n\n", pos)) >= 0:
        stop = start + 2
        while stop < end and text[stop] == "\n":
            stop += 1
        out += (text[pos:start], text[start:stop])
        pos = stop
    out.append(text[pos:])
    return out


def unstash_html_blocks(html_text: str, blocks: list[str]) -> str:
    """Put back the blocks ``stash_html_blocks`` took out."""
    if not blocks:
        return html_text
    return _PLACEHOLDER_RE.sub(lambda m: blocks[int(m.group(1))], html_text)
