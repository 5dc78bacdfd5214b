"""The site tree: every page, asset and export the portal publishes, from every view.

``build_tree`` is the single code path behind the MkDocs plugin and ``cir render``: the
plugin hands the tree to MkDocs, ``render`` writes it to a folder for any other engine.
The live preview builds the same tree incrementally (``preview.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from cir_portal.core.config import Project
from cir_portal.core.model import Record, Register
from cir_portal.views import cards, charts, dashboard, exports, guide, knowledge, maturity, metrics, pages
from cir_portal.views.context import ASSET_DIR, CARD_START, Site, asset_bytes


@dataclass
class SiteTree:
    """Generated pages (Markdown), record-page decorations, and static files."""

    pages: dict[str, str] = field(default_factory=dict)
    decorations: Mapping[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def card_parts(self, src_uri: str) -> tuple[str, str]:
        """A record's decoration as (heading, card): the page's <h1> and what follows it."""
        decoration = self.decorations.get(src_uri, "")
        at = decoration.find(CARD_START)
        return (decoration, "") if at < 0 else (decoration[:at], decoration[at:])

    def heading(self, src_uri: str) -> str:
        """A record page's heading (without computing its whole card when the cards are lazy)."""
        if isinstance(self.decorations, Cards):
            return self.decorations.heading(src_uri)
        return self.card_parts(src_uri)[0]

    def records(self) -> Mapping[str, Record]:
        """The records whose pages the tree decorates, by page."""
        return self.decorations.records if isinstance(self.decorations, Cards) else {}

    def decorate(self, src_uri: str, markdown: str) -> str:
        """A record page's Markdown with its card in front."""
        card = self.decorations.get(src_uri)
        return f"{card}\n\n{markdown}" if card else markdown


class Cards(Mapping[str, str]):
    """Every record's decoration (heading, card and the views' card sections), computed when a
    page asks for it and not kept: a large register's cards would be most of a build's memory."""

    def __init__(self, site: Site, records: list[Record], known: dict[str, str] | None = None) -> None:
        self.site = site
        self.records = {r.src_uri: r for r in records}
        self.sections = card_sections()
        #: decorations computed already (the live preview's regenerated cards)
        self.known = known or {}

    def __getitem__(self, src_uri: str) -> str:
        known = self.known.get(src_uri)
        if known is not None:
            return known
        record = self.records[src_uri]
        if self.site.reads is None:
            return decorate(self.site, record, self.sections)
        with self.site.reads.paused():  # a card that did not change: what it reads is recorded already
            return decorate(self.site, record, self.sections)

    def __contains__(self, src_uri: object) -> bool:
        return src_uri in self.records

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def heading(self, src_uri: str) -> str:
        record = self.records.get(src_uri)
        return cards.heading(self.site, record) if record is not None else ""


#: View modules that contribute to the site. Each may define ``pages(site) -> {src_uri: markdown}``
#: (and ``page_makers(site) -> {src_uri: () -> markdown}``, the same pages one function each, so
#: that the live preview writes only those whose inputs changed: a maker reads what its page
#: lists when it runs, not when it is made), ``files(site, site_url) -> {path: bytes}`` and
#: ``card_sections(site, record) -> str`` (HTML appended to a record's card). Order is the
#: order of card sections.


def _views() -> list[object]:
    return [pages, guide, exports, charts, knowledge, maturity, metrics, dashboard]


def view_name(view: object) -> str:
    return str(getattr(view, "__name__", view)).rsplit(".", 1)[-1]


def card_sections() -> list[Callable[[Site, Record], str]]:
    return [v.card_sections for v in _views() if hasattr(v, "card_sections")]


def decorate(site: Site, record: Record, sections: list[Callable[[Site, Record], str]]) -> str:
    """A record's decoration: its card with every view's sections."""
    card = cards.card(site, record)
    more = "".join(fn(site, record) for fn in sections)
    if more:
        card = card.removesuffix("</div>") + more + "</div>"
    return card


def title(record: Record) -> str:
    return f"{record.id} {record.title}"


def static_files() -> dict[str, bytes]:
    """The portal's own script and stylesheet. Files a view ships under assets/cir/<name>.js|css
    are linked from every page by the MkDocs adapter; put large, page-specific files one folder
    deeper and load them lazily."""
    return {f"{ASSET_DIR}/{name}": asset_bytes(name) for name in ("cir.js", "cir.css")}


def build_tree(register: Register, project: Project, *, directory_urls: bool = True, epoch: int | None = None,
               site_url: str = "") -> SiteTree:
    """Every generated page, record card, asset and export of the portal (the cards are
    computed when asked for)."""
    site = Site(register, project, directory_urls=directory_urls, epoch=epoch)
    tree = SiteTree()
    records = register.all()
    tree.decorations = Cards(site, records)
    tree.titles = {r.src_uri: title(r) for r in records}
    for view in _views():
        if hasattr(view, "pages"):
            tree.pages.update(view.pages(site))
        if hasattr(view, "files"):
            tree.files.update(view.files(site, site_url))
    tree.files.update(static_files())
    return tree
