"""The site tree for live preview, built again after every change by regenerating only what
the change reaches.

A ``Preview`` keeps, between two builds of the same project, the register it built from,
what each artefact read (core/deps.py: a record's card, a generated page, a view's files)
and a digest of what each one produced. The next build compares the new register with the
old one key by key, regenerates exactly the artefacts that read a changed key (and the new
ones), and reports which pages and files differ from the previous build: the engine
adapter re-renders those and reuses its previous output for the rest.

A change of configuration, content date (``epoch``), URL style or site URL rebuilds
everything; so does a view whose pages cannot be made one by one (it is one artefact).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from cir_portal.core.config import Project
from cir_portal.core.deps import Graph, Memo, Reads, TrackedIndex, TrackedRegister, changed_keys, record_key
from cir_portal.core.model import Record, Register
from cir_portal.views import knowledge
from cir_portal.views.context import Site
from cir_portal.views.page import Page
from cir_portal.views.tree import FILE_VIEWS, PAGE_VIEWS, Pages, SiteTree, finish, record_page, static_files, view_name

#: ("card", src_uri) | ("page", src_uri) | ("pages", view) | ("files", view)
Artefact = tuple[str, str]


def _digest(data: str | bytes) -> bytes:
    return hashlib.blake2b(data.encode() if isinstance(data, str) else data, digest_size=16).digest()


@dataclass
class Delta:
    """What one build changed: the pages and files whose output differs from the previous build."""

    #: everything was generated anew (first build, or a change that reaches everything)
    full: bool = True
    #: generated pages (src_uri) new or with other Markdown
    pages: set[str] = field(default_factory=set)
    #: record pages (src_uri) new, with another body or with another card
    records: set[str] = field(default_factory=set)
    #: files (path) new or with other bytes
    files: set[str] = field(default_factory=set)
    #: artefacts regenerated (cards, pages, view files) out of all
    regenerated: int = 0
    total: int = 0

    @property
    def changed(self) -> set[str]:
        return self.pages | self.records | self.files


class Preview:
    """A site tree rebuilt incrementally. ``tree`` holds, after each ``update``: every generated
    page, every file's bytes, and the own pages (heading and card) of the records whose pages
    changed (``tree.pages`` makes any other when asked for)."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.tree = SiteTree()
        self.graph: Graph[Artefact] = Graph()
        self.register: TrackedRegister | None = None
        self.site: Site | None = None
        self.fingerprint: tuple[Any, ...] | None = None
        self.digests: dict[Artefact | str, bytes] = {}
        #: which artefact writes each generated page and file
        self.owner: dict[str, Artefact] = {}
        self.records: dict[str, Record] = {}
        #: values kept from one build to the next (rows of aggregate pages, ``Site.memo``)
        self.memos = Memo()

    def release(self) -> None:
        """Forget the regenerated record pages (the engine has them; ``tree.pages`` makes any again)."""
        self.tree.pages.known = {}

    def update(self, register: Register, project: Project, *, directory_urls: bool = True, epoch: int,
               site_url: str = "", full: bool = False,
               progress: Callable[[int, int], None] | None = None) -> Delta:
        """Bring the tree up to date with ``register``; ``full`` regenerates everything."""
        try:
            return self._update(register, project, directory_urls=directory_urls, epoch=epoch, site_url=site_url,
                                full=full, progress=progress)
        except BaseException:
            self._reset()  # half an update is no base for the next one: start over
            raise

    def _update(self, register: Register, project: Project, *, directory_urls: bool, epoch: int, site_url: str,
                full: bool, progress: Callable[[int, int], None] | None) -> Delta:
        reads = Reads()
        tracked = TrackedRegister(register, reads)
        site = Site(tracked, project, directory_urls=directory_urls, epoch=epoch)
        site.reads = reads
        with reads.paused():
            _track_derived(site, tracked)
        fingerprint = (id(register.config), register.config.fingerprint, register.audience, directory_urls, epoch,
                       site_url)
        full = full or self.register is None or fingerprint != self.fingerprint
        if full:
            self.graph, self.digests, self.owner, self.memos = Graph(), {}, {}, Memo()
            affected: set[Artefact] = set()
        else:
            assert self.register is not None
            changed = changed_keys(self.register, tracked)
            affected = self.graph.affected(changed)
            self.memos.forget(changed)
        site.memos = self.memos
        old_records, self.records = self.records, {r.src_uri: r for r in register.all()}
        if not full and self.site is not None:
            # a priority score is the record's and the weights' (configuration: a change rebuilds all)
            site.priorities = {imp: p for imp, p in self.site.priorities.items() if register.records.get(imp.id) is imp}
        plan = self._plan(site, site_url, full, affected)
        stale = [(art, make) for art, (make, run) in plan.items() if run]
        delta = Delta(full=full, regenerated=len(stale), total=len(plan))
        # What an artefact that is not regenerated produced stays as it was.
        owner = {name: art for name, art in self.owner.items() if art in plan and not plan[art][1]}
        record_pages: dict[str, Page] = {}
        pages: dict[str, Page] = {}
        files: dict[str, bytes] = {}
        for n, (art, make) in enumerate(stale, 1):
            with reads.collect() as keys:
                if art[0] == "card":
                    keys.add(record_key(self.records[art[1]].id))
                out = make()
            self.graph.put(art, keys)
            if art[0] == "card":
                record_pages[art[1]] = out
                self._compare(art, out.heading + out.card, delta.records)
            elif art[0] in ("page", "pages"):
                for page in [out] if art[0] == "page" else out:
                    page = finish(page)
                    pages[page.src_uri], owner[page.src_uri] = page, art
                    self._compare(page.src_uri, page.source(), delta.pages)
            else:
                for path, data in out.items():
                    files[path], owner[path] = data, art
                    self._compare(path, data, delta.files)
            if progress is not None:
                progress(n, len(stale))
        self.memos.prune()
        # A record page changes with its record (body, title, path) as well as with its card.
        delta.records.update(src for src, rec in self.records.items() if old_records.get(src) is not rec)
        for art in [a for a in self.graph.reads if a not in plan]:
            self.graph.drop(art)
        self.digests = {name: d for name, d in self.digests.items()
                        if (name in owner if isinstance(name, str) else name in plan)}
        self.owner = owner
        generated = {src: pages[src] if src in pages else self.tree.pages.generated[src]
                     for src, art in owner.items() if art[0] != "files"}
        tree = SiteTree(Pages(site, self.records, generated, known=record_pages))
        tree.files = {path: files[path] if path in files else self.tree.files[path]
                      for path, art in owner.items() if art[0] == "files"}
        for path, data in static_files().items():
            tree.files[path] = data
            self.owner[path] = ("files", "static")
            self._compare(path, data, delta.files)
        self.tree, self.register, self.site, self.fingerprint = tree, tracked, site, fingerprint
        return delta

    def _compare(self, name: Artefact | str, output: str | bytes, changed: set[str]) -> None:
        digest = _digest(output)
        if self.digests.get(name) != digest:
            self.digests[name] = digest
            changed.add(name if isinstance(name, str) else name[1])

    def _plan(self, site: Site, site_url: str, full: bool,
              affected: set[Artefact]) -> dict[Artefact, tuple[Callable[[], Any], bool]]:
        """Every artefact of this build, with the function that makes it and whether it must run."""
        plan: dict[Artefact, tuple[Callable[[], Any], bool]] = {}

        def add(art: Artefact, make: Callable[[], Any]) -> None:
            plan[art] = (make, full or art in affected or art not in self.graph)

        for src, record in self.records.items():
            add(("card", src), partial(record_page, site, record))
        assert site.reads is not None
        for view in PAGE_VIEWS:
            name = view_name(view)
            if hasattr(view, "page_makers"):
                with site.reads.paused():  # which pages exist; what each one lists, it reads when it runs
                    makers = view.page_makers(site)
                for src, make in makers.items():
                    add(("page", src), make)
            else:
                add(("pages", name), partial(view.pages, site))
        for file_view in FILE_VIEWS:
            add(("files", view_name(file_view)), partial(file_view.files, site, site_url))
        return plan


def _track_derived(site: Site, register: TrackedRegister) -> None:
    """Indexes views build from the whole register, tracked entry by entry: the tag slugs
    (every tag link), the related-lessons index (every improvement's card), the KPI ledger and
    the knowledge base's groupings. Built in every build, so that each build's register has
    them to compare with the next one's."""
    slugs = site.tag_slugs
    site.__dict__["tag_slugs"] = register.track(TrackedIndex("tag_slugs", slugs, register.reads, records_of=_nothing))
    # Which lessons a card relates is tracked by what decides it (the lessons each item is about,
    # their dates, their items), not by the lessons' whole content: a lesson's content is read by
    # the cards that show it.
    index = knowledge.related_index(register)
    for name in ("by_feature", "dates", "features"):
        setattr(index, name, register.track(TrackedIndex(f"related.{name}", getattr(index, name), register.reads,
                                                         records_of=_nothing)))
    site.ledger  # noqa: B018 - the ledger's indexes of dates, built before the registers are compared
    knowledge.knowledge_base(site)  # the knowledge base's groupings of lessons, likewise


def _nothing(value: Any) -> tuple[str, ...]:
    return ()

