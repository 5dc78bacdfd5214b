"""Accessibility finishing of the views' HTML: table captions and scroll regions, the skip link.

Every view builds its tables with ``markup.table`` (``<table class="cir-table ...">``). Rather
than ask each view for a caption, ``finish`` gives each such table the caption its context
already states (the nearest heading or figure caption before it; a screen reader lists tables
by caption) and wraps it in a ``.cir-scroll`` box, so that a wide table scrolls inside its own
region on a small screen or at 200 % zoom instead of widening the page (``assets/cir/wcag.js``
makes a box that scrolls focusable and names it). A table that has a caption is left alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

#: a heading or figure caption in raw HTML, a Markdown heading line, or one of the views' tables
_CONTEXT = re.compile(
    r"<(?P<tag>h[1-6]|figcaption)\b[^>]*>(?P<text>.*?)</(?P=tag)>"
    r"|^(?P<fence> {0,3}(?:```|~~~))"
    r"|^(?P<hashes>#{1,6})[ \t]+(?P<md>[^\n]*?)[ \t]*#*[ \t]*$"
    r"|<table class=\"(?P<cls>cir-table[^\"]*)\">(?P<next><caption)?",
    re.S | re.M,
)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
#: what each match of ``_CONTEXT`` that is not at a line start begins with
_STARTS = ("<h", "<figcaption", '<table class="cir-table')
_TABLE_TAGS = re.compile(r"<table\b|</table>")


def _plain(markup: str) -> str:
    """The text of an HTML fragment (tags dropped, entities decoded, white space collapsed)."""
    return _SPACES.sub(" ", html.unescape(_TAGS.sub("", markup))).strip()


def finish(markup: str) -> str:
    """``markup`` (a generated page's Markdown or a record card's HTML) with a caption on each of
    the views' tables that has none, each wrapped in a ``.cir-scroll`` box named like it."""
    if "<table class=\"cir-table" not in markup:
        return markup
    out: list[str] = []
    pos, context, fenced = 0, "", False
    for match in _context(markup):
        if match.group("fence"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if match.group("tag"):
            context = _plain(match.group("text"))
            continue
        if match.group("hashes"):
            context = _plain(match.group("md")).replace("`", "")
            continue
        if match.group("next"):
            continue  # captioned by its view
        end = _closing(markup, match.end())
        if end < 0:
            continue
        label = html.escape(context, quote=True)
        caption = f'<caption class="cir-sr-only">{label}</caption>' if context else ""
        out.append(markup[pos:match.start()])
        out.append(f'<div class="cir-scroll" data-label="{label}">'
                   f'<table class="{match.group("cls")}">{caption}{markup[match.end():end]}</div>')
        pos = end
    out.append(markup[pos:])
    return "".join(out)


def _context(markup: str) -> Iterator[re.Match[str]]:
    """The matches ``_CONTEXT.finditer(markup)`` gives, found faster: the pattern is tried only
    where one of its alternatives can start (a few places in a card of many kilobytes), not at
    every character (that scan was a twentieth of a large register's build)."""
    starts: set[int] = set()
    for needle in _STARTS:
        at = markup.find(needle)
        while at >= 0:
            starts.add(at)
            at = markup.find(needle, at + 1)
    line = 0
    while line >= 0:  # fences and Markdown headings start a line
        if markup[line:line + 7].lstrip(" ").startswith(("#", "```", "~~~")):
            starts.add(line)
        newline = markup.find("\n", line)
        line = newline + 1 if newline >= 0 else -1
    end = 0
    for at in sorted(starts):
        if at >= end:
            match = _CONTEXT.match(markup, at)
            if match is not None:
                yield match
                end = match.end()


def _closing(markup: str, start: int) -> int:
    """The index just past the ``</table>`` that closes the table opened before ``start``."""
    depth = 1
    for tag in _TABLE_TAGS.finditer(markup, start):
        depth += -1 if tag.group(0) == "</table>" else 1
        if depth == 0:
            return tag.end()
    return -1


def skip_target(heading: str) -> str:
    """A record page's ``<h1>`` with the id "skip to content" leads to (unless it has one)."""
    h1 = _H1.match(heading)
    if h1 is None or _ID.search(h1.group("attrs")):
        return heading
    return f'<h1 id="{SKIP_TARGET}"{h1.group("attrs")}>' + heading[h1.end():]


_ARTICLE = re.compile(r'<article\b[^>]*>')
_H1 = re.compile(r"<h1\b(?P<attrs>[^>]*)>")
_ID = re.compile(r'\bid="([^"]*)"')
_SKIP = re.compile(r'<a href="[^"]*" class="md-skip">')
_BODY = re.compile(r"<body\b[^>]*>")
SKIP_TARGET = "cir-content"


def skip_to_content(page: str, label: str) -> str:
    """A built page whose "skip to content" link leads to the page's first heading.

    Material points it at the first entry of the table of contents, which on a record page
    is a heading of the body below the whole record card, and leaves it out on pages with no
    table of contents. Here it goes to the ``<h1>`` of the content (given an id if it has none),
    and is added where Material left it out.
    """
    article = _ARTICLE.search(page)
    if article is None:
        return page
    h1 = _H1.search(page, article.end())
    if h1 is None:
        return page
    found = _ID.search(h1.group("attrs"))
    if found:
        target = html.unescape(found.group(1))
    else:
        target = SKIP_TARGET
        page = page[:h1.start()] + f'<h1 id="{SKIP_TARGET}"{h1.group("attrs")}>' + page[h1.end():]
    link = f'<a href="#{html.escape(target, quote=True)}" class="md-skip">'
    if _SKIP.search(page):
        return _SKIP.sub(lambda _: link, page, count=1)
    body = _BODY.search(page)
    if body is None:
        return page
    return page[:body.end()] + f"\n{link}{html.escape(label)}</a>" + page[body.end():]
