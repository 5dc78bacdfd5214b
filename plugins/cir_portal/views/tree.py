"""The site tree: every page, asset and export the portal publishes, from every view.

``build_tree`` is the single code path behind the MkDocs plugin and ``cir render``: the
plugin hands the tree to MkDocs, ``render`` writes it to a folder for any other engine.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

from cir_portal.core.config import Project
from cir_portal.core.loading import parse_yaml
from cir_portal.core.model import Register
from cir_portal.views import cards, charts, dashboard, exports, guide, knowledge, maturity, metrics, pages
from cir_portal.views.context import ASSET_DIR, CARD_START, Site, asset_bytes
from cir_portal.views.markup import esc


@dataclass
class SiteTree:
    """Generated pages (Markdown), record-page decorations, and static files."""

    pages: dict[str, str] = field(default_factory=dict)
    decorations: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def card_parts(self, src_uri: str) -> tuple[str, str]:
        """A record's decoration as (heading, card): the page's <h1> and what follows it."""
        decoration = self.decorations.get(src_uri, "")
        at = decoration.find(CARD_START)
        return (decoration, "") if at < 0 else (decoration[:at], decoration[at:])

    def decorate(self, src_uri: str, markdown: str) -> str:
        """A record page's Markdown with its card in front."""
        card = self.decorations.get(src_uri)
        return f"{card}\n\n{markdown}" if card else markdown


_FRONT = re.compile(r"\A---\n(.*?\n)?---\n", re.S)
_H1 = re.compile(r"^# +(.+?)[ #]*$", re.M)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])")


def page_title(markdown: str) -> str:
    """A generated page's title as plain text: its front matter ``title``, else its first
    ``# heading`` (HTML entities and Markdown escapes undone), else ""."""
    front = _FRONT.match(markdown)
    if front:
        meta, _ = parse_yaml(front.group(1) or "")
        if isinstance(meta, dict) and isinstance(meta.get("title"), str):
            return html.unescape(meta["title"])
    heading = _H1.search(markdown, front.end() if front else 0)
    return _MD_ESCAPE.sub(r"\1", html.unescape(heading.group(1))) if heading else ""


def titled(src_uri: str, markdown: str) -> str:
    """``markdown`` with an HTML-escaped ``title`` in its front matter.

    Without one MkDocs takes the page title from the first heading's text, unescaped, and
    Material prints it into ``<title>``: a tag name like ``</title><script>`` would run. Every
    generated page therefore carries its title escaped (front matter written as JSON, which
    is YAML); the theme prints it as it is, and the reader sees the text.
    """
    title = page_title(markdown) or src_uri.removesuffix(".md").rsplit("/", 1)[-1]
    front = _FRONT.match(markdown)
    meta, _ = parse_yaml(front.group(1) or "") if front else (None, [])
    meta = {**(meta if isinstance(meta, dict) else {}), "title": esc(title)}
    body = markdown[front.end():] if front else markdown
    return f"---\n{json.dumps(meta, ensure_ascii=False, sort_keys=True)}\n---\n\n{body.lstrip(chr(10))}"


#: View modules that contribute to the site. Each may define ``pages(site) -> {src_uri: markdown}``,
#: ``files(site, site_url) -> {path: bytes}`` and ``card_sections(site, record) -> str`` (HTML
#: appended to a record's card). Order is the order of card sections.


def _views() -> list[object]:
    return [pages, guide, exports, charts, knowledge, maturity, metrics, dashboard]


def build_tree(register: Register, project: Project, *, directory_urls: bool = True, epoch: int | None = None,
               site_url: str = "") -> SiteTree:
    """Every generated page, record card, asset and export of the portal."""
    site = Site(register, project, directory_urls=directory_urls, epoch=epoch)
    tree = SiteTree()
    views = _views()
    extras = [v.card_sections for v in views if hasattr(v, "card_sections")]
    for record in register.all():
        card = cards.card(site, record)
        more = "".join(fn(site, record) for fn in extras)
        if more:
            card = card.removesuffix("</div>") + more + "</div>"
        tree.decorations[record.src_uri] = card
        tree.titles[record.src_uri] = f"{record.id} {record.title}"
    for view in views:
        if hasattr(view, "pages"):
            tree.pages.update({src: titled(src, md) for src, md in view.pages(site).items()})
        if hasattr(view, "files"):
            tree.files.update(view.files(site, site_url))
    for name in ("cir.js", "cir.css"):
        tree.files[f"{ASSET_DIR}/{name}"] = asset_bytes(name)
    # Files a view ships under assets/cir/<name>.js|css are linked from every page by the
    # MkDocs adapter; put large, page-specific files one folder deeper and load them lazily.
    return tree


