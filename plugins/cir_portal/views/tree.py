"""The site tree: every page, asset and export the portal publishes, from every view.

``build_tree`` is the single code path behind the MkDocs plugin and ``cir render``: the
plugin hands the tree to MkDocs, ``render`` writes it to a folder for any other engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cir_portal.core.config import Project
from cir_portal.core.model import Register
from cir_portal.views import cards, charts, dashboard, exports, guide, knowledge, maturity, metrics, pages
from cir_portal.views.context import ASSET_DIR, CARD_START, LinkBase, Site, asset_bytes


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

    def theme_assets(self) -> tuple[list[str], list[str]]:
        """(stylesheets, scripts) every page links: the files views ship directly under
        assets/cir/ (larger, page-specific files live one folder deeper and load lazily).
        Both the MkDocs plugin and the Zensical configuration add these to extra_css/extra_javascript."""
        shipped = sorted(p for p in self.files if p.startswith(ASSET_DIR + "/") and p.count("/") == 2)
        return [p for p in shipped if p.endswith(".css")], [p for p in shipped if p.endswith(".js")]

    def decorate(self, src_uri: str, markdown: str) -> str:
        """A record page's Markdown with its card in front."""
        card = self.decorations.get(src_uri)
        return f"{card}\n\n{markdown}" if card else markdown


#: View modules that contribute to the site. Each may define ``pages(site) -> {src_uri: markdown}``,
#: ``files(site, site_url) -> {path: bytes}`` and ``card_sections(site, record) -> str`` (HTML
#: appended to a record's card). Order is the order of card sections.


def _views() -> list[object]:
    return [pages, guide, exports, charts, knowledge, maturity, metrics, dashboard]


def build_tree(register: Register, project: Project, *, directory_urls: bool = True, epoch: int | None = None,
               site_url: str = "", link_base: LinkBase = "page") -> SiteTree:
    """Every generated page, record card, asset and export of the portal (links in the pages'
    HTML written the way the engine that builds them resolves links: ``link_base``)."""
    site = Site(register, project, directory_urls=directory_urls, epoch=epoch, link_base=link_base)
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
            tree.pages.update(view.pages(site))
        if hasattr(view, "files"):
            tree.files.update(view.files(site, site_url))
    for name in ("cir.js", "cir.css"):
        tree.files[f"{ASSET_DIR}/{name}"] = asset_bytes(name)
    # Files a view ships under assets/cir/<name>.js|css are linked from every page (theme_assets);
    # put large, page-specific files one folder deeper and load them lazily.
    return tree


