"""The site tree: every page, asset and export the portal publishes, from every view.

``build_tree`` is the single code path behind the MkDocs plugin and ``cir render``: the
plugin hands the tree to MkDocs, ``render`` writes it to a folder for any other engine.
The live preview builds the same tree incrementally (``preview.py``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar

from cir_portal.core.config import Project
from cir_portal.core.model import Record, Register
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
from cir_portal.views.premade import PREMADE_MIN, Premade, card_text

T = TypeVar("T")

#: The views that publish pages, in the order they are generated. Each has ``pages(site) ->
#: [Page]``; a view of many pages may also have ``page_makers(site) -> {src_uri: () -> Page}``,
#: the same pages one function each, so that the live preview writes only those whose inputs
#: changed (a maker reads what its page lists when it runs, not when it is made).
PAGE_VIEWS = (register, board, cascade, governance, roadmap, browse, guide, knowledge, maturity, dashboard,
              priorities, reports, search)
#: The views whose pages draw charts that are not drawn by hand (vl-convert renders their static SVGs).
CHART_VIEWS = (maturity, dashboard, priorities)
#: The views that publish files (exports, assets), each ``files(site, site_url) -> {path: bytes}``.
FILE_VIEWS = (exports, charts, knowledge, dashboard, roadmap, search)
#: The views that add sections to a record's card, in card order: ``card_sections(site, record) -> html``.
CARD_VIEWS = (initiatives, trace, knowledge, metrics)
#: The portal's own scripts and stylesheets; wcag.css/js come last in name order: they adjust
#: the other stylesheets for both palettes.
STATIC_ASSETS = ("cir.js", "cir.css", "wcag.css", "wcag.js")


class Pages(Mapping[str, Page]):
    """Every page of the portal by path: the generated pages, held, and the records' own pages,
    made when asked for and not kept (a large register's cards would be most of a build's
    memory; an engine asks for each page once)."""

    def __init__(self, site: Site | None = None, records: Mapping[str, Record] | None = None,
                 generated: Mapping[str, Page] | None = None, known: Mapping[str, Page] | None = None) -> None:
        self.site = site
        #: the records whose own pages these are, by page
        self.records: dict[str, Record] = dict(records or {})
        self.generated: dict[str, Page] = dict(generated or {})
        #: record pages made already (the live preview's regenerated ones)
        self.known: dict[str, Page] = dict(known or {})
        #: the cards' own fields the search index had first (``indexed_card``), compressed (a few
        #: MB at 10,000 records), until their pages are made: each card is made once
        self._own: dict[str, bytes] = {}
        #: the record pages' headings made already (``heading``), until their pages are made
        self._headings: dict[str, str] = {}
        #: the record pages' parts being made in a forked process (``premake``)
        self._premade: Premade | None = None

    def __getitem__(self, src_uri: str) -> Page:
        page = self.generated.get(src_uri)
        if page is not None:
            return page
        page = self.known.get(src_uri)
        if page is not None:
            return page
        made = self._premade.pop(src_uri) if self._premade is not None else None
        if made is not None:
            self._own.pop(src_uri, None)
            self._headings.pop(src_uri, None)
            return _record_page(self.records[src_uri], made.heading, card_text(made))
        own = self._own.pop(src_uri, None)
        return self._unrecorded(partial(record_page, own=zlib.decompress(own).decode("utf-8") if own is not None else None,
                                        top=self._headings.pop(src_uri, None)), self.records[src_uri])

    def __contains__(self, src_uri: object) -> bool:
        return src_uri in self.generated or src_uri in self.records

    def __iter__(self) -> Iterator[str]:
        yield from self.records
        yield from (src for src in self.generated if src not in self.records)

    def __len__(self) -> int:
        return len(self.records) + sum(1 for src in self.generated if src not in self.records)

    def record(self, src_uri: str) -> Record | None:
        """The record whose own page ``src_uri`` is (None for a generated page)."""
        return self.records.get(src_uri) if src_uri not in self.generated else None

    def indexed_card(self, src_uri: str) -> str:
        """A record page's card as the search index reads it: without the other views' sections
        (figures, links to other records: out of the search text, see ``indexed_part``), so
        without making them."""
        known = self.known.get(src_uri)
        if known is not None:
            return known.card
        indexed = self._premade.indexed(src_uri) if self._premade is not None else None
        if indexed is not None:
            return indexed
        record = self.records[src_uri]
        own = self._unrecorded(cards.card_fields, record)
        self._own[src_uri] = zlib.compress(own.encode("utf-8"), 1)
        return cards.published(record, own)

    def _unrecorded(self, make: Callable[[Site, Record], T], record: Record) -> T:
        """``make(site, record)`` for a record page that did not change (the live preview's
        regenerated ones are ``known``): what it reads is recorded already."""
        assert self.site is not None
        if self.site.reads is None:
            return make(self.site, record)
        with self.site.reads.paused():
            return make(self.site, record)

    def heading(self, src_uri: str) -> str:
        """A record page's heading, without making its card."""
        known = self.known.get(src_uri)
        if known is not None:
            return known.heading
        premade = self._premade.take(src_uri) if self._premade is not None else None
        if premade is not None:
            return premade.heading
        made = self._headings.get(src_uri)
        if made is not None:
            return access.skip_target(made)
        record = self.records.get(src_uri)
        if record is None or self.site is None:
            return ""
        made = self._headings[src_uri] = cards.heading(self.site, record)
        return access.skip_target(made)

    def premake(self, order: Sequence[str], *, indexed: bool, minimum: int = PREMADE_MIN) -> bool:
        """Have the record pages of ``order`` (the order the engine asks for them) made in a forked
        process (views/premade.py), with their cards' parts the search index reads if
        ``indexed``: a plain build's (the live preview records what each page reads). Whether
        the process was started (not for fewer than ``minimum`` records, nor where forking is not safe)."""
        self.close()
        if self.site is None or self.site.reads is not None:
            return False
        records = [self.records[src] for src in order if src in self.records and src not in self.known
                   and src not in self.generated and not metrics.renders_charts(self.records[src])]
        self._premade = Premade.start(self.site, records, card_sections, indexed=indexed, minimum=minimum)
        return self._premade is not None

    def close(self) -> tuple[int, int] | None:
        """Stop making record pages in another process (``premake``), if it still runs: how many
        pages it made and how many were made here meanwhile (None: there was no such process)."""
        if self._premade is None:
            return None
        premade, self._premade = self._premade, None
        premade.close()
        return premade.served, premade.missed


@dataclass
class SiteTree:
    """Every page of the portal (records' own pages and generated ones) and every static file."""

    pages: Pages = field(default_factory=Pages)
    files: dict[str, bytes] = field(default_factory=dict)

    def generated(self) -> list[Page]:
        """The pages the portal makes, by path."""
        return [page for _, page in sorted(self.pages.generated.items())]

    def theme_assets(self) -> tuple[list[str], list[str]]:
        """(stylesheets, scripts) every page links: the files views ship directly under
        assets/cir/ (larger, page-specific files live one folder deeper and load lazily).
        Both the MkDocs plugin and the Zensical configuration add these to extra_css/extra_javascript."""
        shipped = sorted(p for p in self.files if p.startswith(ASSET_DIR + "/") and p.count("/") == 2)
        return [p for p in shipped if p.endswith(".css")], [p for p in shipped if p.endswith(".js")]


def view_name(view: object) -> str:
    return str(getattr(view, "__name__", view)).rsplit(".", 1)[-1]


def card_sections(site: Site, record: Record) -> str:
    """Every card view's sections of a record's card, in card order."""
    return "".join(view.card_sections(site, record) for view in CARD_VIEWS)


def record_page(site: Site, record: Record, own: str | None = None, top: str | None = None) -> Page:
    """A record's own page: its body, under its heading and card (with every card view's
    sections); ``own``: the card's own fields, ``top``: its heading, made already."""
    return _record_page(record, *cards.page_parts(site, record, card_sections(site, record), own, top))


def _record_page(record: Record, heading: str, card: str) -> Page:
    """A record's own page from its heading and card as published."""
    return Page(record.src_uri, f"{record.id} {record.title}", record.body, heading=heading, card=card, record=record)


def finish(page: Page) -> Page:
    """A generated page as published: tables captioned and in scroll regions (views/access.py)."""
    return replace(page, content=access.finish(page.content))


def static_files() -> dict[str, bytes]:
    """The portal's own scripts and stylesheets. Files a view ships under assets/cir/<name>.js|css
    are linked from every page (theme_assets); put large, page-specific files one folder deeper
    and load them lazily."""
    return {f"{ASSET_DIR}/{name}": asset_bytes(name) for name in STATIC_ASSETS}


@dataclass(frozen=True)
class Premake:
    """Record pages to make in a forked process while the rest of the tree is made (``Pages.premake``):
    in the order the engine will ask for them, with the search index's parts if ``indexed``."""

    order: Sequence[str]
    indexed: bool
    minimum: int = PREMADE_MIN


def build_tree(register: Register, project: Project, *, directory_urls: bool = True, epoch: int | None = None,
               site_url: str = "", link_base: LinkBase = "page", premake: Premake | None = None) -> SiteTree:
    """Every generated page, record card, asset and export of the portal (links in the pages'
    HTML written the way the engine that builds them resolves links: ``link_base``). Record
    pages are made when asked for; with ``premake``, a forked process starts making them
    before the generated pages are made (a core the build leaves idle until the engine renders)."""
    site = Site(register, project, directory_urls=directory_urls, epoch=epoch, link_base=link_base)
    pages = Pages(site, {r.src_uri: r for r in register.all()})
    if premake is not None:
        pages.premake(premake.order, indexed=premake.indexed, minimum=premake.minimum)
    generated: dict[str, Page] = {}
    files: dict[str, bytes] = {}
    # (a first build's charts are rendered in a helper process meanwhile, views/charts.py)
    with charts.rendering(site) as svgs:
        # the views that draw charts first: the helper renders them while the others are made
        by_view = {view: list(view.pages(site)) for view in sorted(PAGE_VIEWS, key=lambda view: view not in CHART_VIEWS)}
        made = [page for view in PAGE_VIEWS for page in by_view[view]]
        for file_view in FILE_VIEWS:
            files.update(file_view.files(site, site_url))
        for page in made:
            if svgs is not None:
                page = replace(page, content=svgs.resolve(site, page.content))
            generated[page.src_uri] = finish(page)
    pages.generated.update(generated)
    tree = SiteTree(pages)
    tree.files.update(files)
    tree.files.update(static_files())
    return tree
