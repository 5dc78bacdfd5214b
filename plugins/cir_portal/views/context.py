"""The context every view renders in: the register, labels in the site language, URLs and the
indexes views share."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from functools import cached_property
from importlib import resources
from typing import Any, Literal, Protocol, TypeVar

from cir_portal.core.config import AFFECTS_KINDS, Config, Project
from cir_portal.core.deps import Key, Memo, Reads, TrackedIndex, TrackedRegister
from cir_portal.core.i18n import Translator
from cir_portal.core.kpis import Ledger
from cir_portal.core.model import Improvement, Record, Register
from cir_portal.core.priority import Priority, priority
from cir_portal.views.markup import esc, link, page_url, relative_url, slug

#: src_uri of the generated pages
REGISTER_PAGE = "register.md"
BOARD_PAGE = "board.md"
CASCADE_PAGE = "cascade.md"
GOVERNANCE_PAGE = "governance.md"
GUIDE_PAGE = "guide.md"
BROWSE_PAGE = "browse/index.md"
ASSET_DIR = "assets/cir"
#: How the site engine resolves a relative link in a page's HTML. MkDocs and ProperDocs pass raw
#: HTML through, so the browser resolves links from the page's URL ("page"); Zensical rewrites
#: every link as a path from the page's *source file*, checks it and turns ``.md`` targets
#: into page URLs ("source").
LinkBase = Literal["page", "source"]
CATEGORY_FOLDERS = {"services": "services", "products": "products", "practices": "practices", "value_streams": "value-streams"}


def content_epoch(project: Project, register: Register | None = None) -> int:
    """Seconds since the epoch that stand for "now" in the built site, taken from the content.

    SOURCE_DATE_EPOCH when set; else the last commit of the project; else the latest date
    in the register that records something done (raised, approved, closed, a lesson's or an
    assessment's date, history; not a horizon or target date, which lie in the future); never
    the wall clock (two builds of the same content are identical).
    """
    import os

    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project.root, capture_output=True,
                             text=True, timeout=10, check=False)
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    dates = [d for record in (register.all() if register else []) for d in record.dates_done]
    latest = max(dates) if dates else "2000-01-01"
    return int(datetime.fromisoformat(latest).replace(tzinfo=UTC).timestamp())


T = TypeVar("T")


class ChartSvgs(Protocol):
    """What renders the static SVGs of a tree's charts beside it (views/charts.py ``Renderer``)."""

    def later(self, site: Site, vega_lite: dict[str, Any], summary: str) -> str:
        """The chart's static SVG named by ``summary``, or a placeholder the renderer replaces later."""
        ...


class Site:
    """What every view needs: the register, labels in the site language, and URLs."""

    #: while the live preview generates a page, what the views read is recorded here (core/deps.py)
    reads: Reads | None = None
    #: the live preview's values kept from one build to the next (``memo``)
    memos: Memo | None = None
    #: while a tree is built, what renders its charts' static SVGs beside it (views/charts.py)
    svgs: ChartSvgs | None = None

    def __init__(self, register: Register, project: Project, *, directory_urls: bool = True,
                 epoch: int | None = None, link_base: LinkBase = "page") -> None:
        self.register = register
        self.project = project
        self.config: Config = register.config
        self.lang = self.config.portal.language
        self.t = Translator(self.lang)
        self.directory_urls = directory_urls
        self.link_base: LinkBase = link_base
        self.epoch = content_epoch(project, register) if epoch is None else epoch
        self.as_of = datetime.fromtimestamp(self.epoch, UTC).date().isoformat()
        self._shared: dict[str, tuple[object, frozenset[Key]]] = {}
        #: priority scores by record (object): the live preview keeps those of unchanged records
        self.priorities: dict[Improvement, Priority | None] = {}

    # --- values computed once per build
    def shared(self, name: str, build: Callable[[Site], T]) -> T:
        """A value several pages derive from the register (the KPI ledger, the knowledge base),
        computed once per site. In the live preview a page that uses it depends on everything
        computing it read."""
        entry = self._shared.get(name)
        if entry is None:
            if self.reads is None:
                entry = (build(self), frozenset())
            else:
                with self.reads.collect() as keys:
                    value = build(self)
                entry = (value, frozenset(keys))
            self._shared[name] = entry
        elif self.reads is not None:
            self.reads.update(entry[1])
        return entry[0]  # type: ignore[return-value]

    def memo(self, key: tuple[Hashable, ...], make: Callable[[], T], records: Iterable[str] = ()) -> T:
        """``make()``; in the live preview, the value the last build made while nothing it read
        changed (core/deps.py ``Memo``). ``key`` holds every input that is not read through the
        register; ``records`` are the ids of the records ``make`` uses without asking the register."""
        if self.memos is None or self.reads is None:
            return make()
        return self.memos.get(key, self.reads, make, records)

    @property
    def ledger(self) -> Ledger:
        """The KPI ledger of the register (the dashboard, priorities, reports and kpis.json share one)."""
        return self.shared("ledger", _ledger)

    def priority(self, imp: Improvement) -> Priority | None:
        """The improvement's priority score with its breakdown (None until assessed), computed once per build."""
        if imp not in self.priorities:
            self.priorities[imp] = priority(imp, self.config.portal.priority_weights)
        return self.priorities[imp]

    # --- URLs
    def url(self, src_uri: str) -> str:
        return page_url(src_uri, self.directory_urls)

    def href(self, from_src: str, to_src: str, fragment: str = "") -> str:
        """A link in the page built from ``from_src`` to the page built from ``to_src``, as the
        site engine expects it (see ``LinkBase``): to the page's URL, or to its source file."""
        anchor = f"#{fragment}" if fragment else ""
        if self.link_base == "source":
            return relative_url(from_src, to_src + anchor)
        return relative_url(self.url(from_src), self.url(to_src) + anchor)

    def file_href(self, from_src: str, path: str) -> str:
        """A link in the page built from ``from_src`` to a file of the site (an export, an asset)."""
        return relative_url(from_src if self.link_base == "source" else self.url(from_src), path)

    def page_href(self, from_src: str, path: str) -> str:
        """A URL the browser resolves from the page's address at run time: in a script's data-
        attribute or inside <noscript>, which no engine rewrites. Relative to the page URL
        whatever the ``link_base``."""
        return relative_url(self.url(from_src), path)

    # --- entities and their pages
    def person_page(self, pid: str) -> str:
        return f"browse/people/{pid}.md"

    def team_page(self, tid: str) -> str:
        return f"browse/teams/{tid}.md"

    def category_page(self, category: str, key: str) -> str:
        return f"browse/{CATEGORY_FOLDERS[category]}/{key}.md"

    @cached_property
    def tag_slugs(self) -> dict[str, str]:
        out: dict[str, str] = {}
        used: set[str] = set()
        for tag in sorted({t for r in self.register.all() for t in r.tags}):
            base = s = slug(tag)
            n = 2
            while s in used:
                s, n = f"{base}-{n}", n + 1
            used.add(s)
            out[tag] = s
        return out

    def tag_page(self, tag: str) -> str:
        return f"browse/tags/{self.tag_slugs[tag]}.md"

    def person_name(self, pid: str | None) -> str:
        if not pid:
            return ""
        person = self.config.people.get(pid)
        return person.name.text(self.lang) if person else pid

    def team_of(self, pid: str | None) -> str | None:
        return self.register.team_of(pid)

    def team_name(self, tid: str | None) -> str:
        team = self.config.teams.get(tid or "")
        return team.name.text(self.lang) if team else (tid or "")

    def label(self, category: str, key: str) -> str:
        entry = self.config.taxonomy.get(category, {}).get(key)
        return entry.name.text(self.lang) if entry else key

    def affects_label(self, item: str) -> str:
        kind, _, key = item.partition("/")
        return self.label(AFFECTS_KINDS.get(kind, ""), key)

    def status_label(self, key: str) -> str:
        status = self.config.workflow.statuses.get(key)
        return status.label.text(self.lang) if status else key

    def word(self, key: str) -> str:
        """A controlled value (high, achieved, ...) in the site language."""
        return self.t(key)

    # --- links (escaped HTML)
    def person_link(self, from_src: str, pid: str | None) -> str:
        if not pid:
            return ""
        if pid in self.config.people:
            return link(self.href(from_src, self.person_page(pid)), self.person_name(pid))
        return esc(pid)

    def team_link(self, from_src: str, tid: str | None) -> str:
        if not tid:
            return ""
        return link(self.href(from_src, self.team_page(tid)), self.team_name(tid))

    def affects_link(self, from_src: str, item: str) -> str:
        kind, _, key = item.partition("/")
        category = AFFECTS_KINDS.get(kind)
        if category is None or key not in self.config.taxonomy.get(category, {}) or not self.records_by_affects.get(item):
            return esc(self.affects_label(item)) if category else esc(item)
        return link(self.href(from_src, self.category_page(category, key)), self.label(category, key))

    def tag_link(self, from_src: str, tag: str) -> str:
        return link(self.href(from_src, self.tag_page(tag)), tag, "cir-tag")

    def record_link(self, from_src: str, rid: str, *, with_title: bool = True) -> str:
        record = self.register.get(rid)
        if record is None:
            return esc(rid)
        text = f"{rid} {record.title}" if with_title else rid
        return link(self.href(from_src, record.src_uri), text)

    def status_badge(self, status: str) -> str:
        return f'<span class="cir-status cir-status--{esc(status)}">{esc(self.status_label(status))}</span>'

    # --- indexes (computed once on the register)
    @property
    def improvements_by_person(self) -> dict[str, list[Improvement]]:
        return self.register.improvements_by_person

    @property
    def improvements_by_team(self) -> dict[str, list[Improvement]]:
        return self.register.improvements_by_team

    @property
    def records_by_affects(self) -> dict[str, list[Record]]:
        return self.register.records_by_affects

    @property
    def records_by_tag(self) -> dict[str, list[Record]]:
        return self.register.records_by_tag


def _ledger(site: Site) -> Ledger:
    if site.reads is None or not isinstance(site.register, TrackedRegister):
        return Ledger.of(site.register, site.as_of)
    # In the live preview the ledger records what each answer depends on (a report, the dates of
    # its period), rather than every page that uses it depending on every improvement.
    with site.reads.paused():
        ledger = Ledger.of(site.register, site.as_of)
        indexes = ledger.track(site.reads)
    for name, index in indexes.items():
        site.register.track(TrackedIndex(name, index, site.reads, records_of=_no_records))
    return ledger


def _no_records(value: object) -> tuple[str, ...]:
    return ()


def asset_bytes(name: str) -> bytes:
    return resources.files("cir_portal").joinpath("assets", name).read_bytes()


