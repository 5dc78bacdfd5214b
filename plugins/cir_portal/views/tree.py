"""The site tree: every page, asset and export the portal publishes, from every view.

``build_tree`` is the single code path behind the MkDocs plugin and ``cir render``: the
plugin hands the tree to MkDocs, ``render`` writes it to a folder for any other engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cir_portal.core.config import Project
from cir_portal.core.model import Register
from cir_portal.views import (
    access,
    board,
    browse,
    cards,
    cascade,
    charts,
    dashboard,
    exports,
    governance,
    guide,
    initiatives,
    knowledge,
    maturity,
    metrics,
    priorities,
    register,
    reports,
    roadmap,
    search,
    trace,
)
from cir_portal.views.context import ASSET_DIR, LinkBase, Site, asset_bytes
from cir_portal.views.page import Page

#: The views that publish pages, in the order they are generated.
PAGE_VIEWS = (register, board, cascade, governance, roadmap, browse, guide, knowledge, maturity, dashboard,
              priorities, reports, search)
#: The views that publish files (exports, assets), each ``files(site, site_url) -> {path: bytes}``.
FILE_VIEWS = (exports, charts, knowledge, dashboard, roadmap, search)
#: The views that add sections to a record's card, in card order: ``card_sections(site, record) -> html``.
CARD_VIEWS = (initiatives, trace, knowledge, metrics)


@dataclass
class SiteTree:
    """Every page of the portal (records' own pages and generated ones) and every static file."""

    pages: dict[str, Page] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def generated(self) -> list[Page]:
        """The pages the portal makes, by path."""
        return [page for _, page in sorted(self.pages.items()) if page.generated]

    def theme_assets(self) -> tuple[list[str], list[str]]:
        """(stylesheets, scripts) every page links: the files views ship directly under
        assets/cir/ (larger, page-specific files live one folder deeper and load lazily).
        Both the MkDocs plugin and the Zensical configuration add these to extra_css/extra_javascript."""
        shipped = sorted(p for p in self.files if p.startswith(ASSET_DIR + "/") and p.count("/") == 2)
        return [p for p in shipped if p.endswith(".css")], [p for p in shipped if p.endswith(".js")]


def build_tree(register: Register, project: Project, *, directory_urls: bool = True, epoch: int | None = None,
               site_url: str = "", link_base: LinkBase = "page") -> SiteTree:
    """Every generated page, record card, asset and export of the portal (links in the pages'
    HTML written the way the engine that builds them resolves links: ``link_base``)."""
    site = Site(register, project, directory_urls=directory_urls, epoch=epoch, link_base=link_base)
    tree = SiteTree()
    for record in register.all():
        heading, card = cards.card(site, record, "".join(view.card_sections(site, record) for view in CARD_VIEWS))
        # Tables get captions and scroll regions, the heading the skip link's target (views/access.py).
        tree.pages[record.src_uri] = Page(record.src_uri, f"{record.id} {record.title}", record.body,
                                          heading=access.skip_target(heading), card=access.finish(card), record=record)
    for view in PAGE_VIEWS:
        for page in view.pages(site):
            tree.pages[page.src_uri] = replace(page, content=access.finish(page.content))
    for file_view in FILE_VIEWS:
        tree.files.update(file_view.files(site, site_url))
    # wcag.css/js come last in name order: they adjust the other stylesheets for both palettes.
    for name in ("cir.js", "cir.css", "wcag.css", "wcag.js"):
        tree.files[f"{ASSET_DIR}/{name}"] = asset_bytes(name)
    # Files a view ships under assets/cir/<name>.js|css are linked from every page (theme_assets);
    # put large, page-specific files one folder deeper and load them lazily.
    return tree
