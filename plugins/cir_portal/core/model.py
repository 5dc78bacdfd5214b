"""The model: validated records as typed, frozen values, and the indexes across them.

Records are built once from front matter that passed validation, so the types here hold.
Views, exports and adapters read these attributes; nothing above the model indexes front
matter by string. Keys an organisation adds to its schemas land in ``extra``; the whole
front matter, as written, stays available as ``front_matter`` for the machine-readable
exports, whose contract is "the record's front matter".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from cir_portal.core.config import Config, Project

if TYPE_CHECKING:
    from cir_portal.core.loading import SourceFile

Number = int | float


# --- parts of records


@dataclass(frozen=True)
class Point:
    """A measured or targeted value and when."""

    value: Number
    date: str

    @classmethod
    def of(cls, raw: Any) -> Point | None:
        if not isinstance(raw, Mapping):
            return None
        value, day = raw.get("value"), raw.get("date")
        if isinstance(value, bool) or not isinstance(value, int | float) or not isinstance(day, str):
            return None
        return cls(value, day)


@dataclass(frozen=True)
class Metric:
    """An improvement's metric: what is measured, which way is better, baseline, target, series."""

    name: str
    unit: str
    direction: str
    baseline: Point | None
    target: Point | None
    measurements: tuple[Point, ...]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Metric:
        points = tuple(p for item in raw.get("measurements") or () if (p := Point.of(item)) is not None)
        return cls(str(raw.get("name") or ""), str(raw.get("unit") or ""),
                   "decrease" if raw.get("direction") == "decrease" else "increase",
                   Point.of(raw.get("baseline")), Point.of(raw.get("target")), points)


@dataclass(frozen=True)
class HistoryEntry:
    """One status change: when, to which status, and why."""

    date: str
    status: str
    note: str | None = None


@dataclass(frozen=True)
class Money:
    amount: Number
    currency: str


#: The Lean Canvas boxes of a business case, in the order the card shows them.
LEAN_KEYS = ("problem", "solution", "key_metrics", "value_proposition", "unfair_advantage",
             "customer_segments", "channels", "cost_structure", "benefits")


@dataclass(frozen=True)
class LeanCanvas:
    """The business case of an improvement as a Lean Canvas."""

    problem: str | None = None
    solution: str | None = None
    key_metrics: str | None = None
    value_proposition: str | None = None
    unfair_advantage: str | None = None
    customer_segments: str | None = None
    channels: str | None = None
    cost_structure: str | None = None
    benefits: str | None = None

    def boxes(self) -> list[tuple[str, str]]:
        """The filled boxes as (key, text), in canvas order."""
        return [(key, text) for key in LEAN_KEYS if (text := getattr(self, key))]


@dataclass(frozen=True)
class ObjectiveKpi:
    name: str
    unit: str
    target: Number


@dataclass(frozen=True)
class Gap:
    """A capability gap found by an assessment, and the improvement that closes it (if named)."""

    id: str
    description: str
    improvement: str | None = None


#: The four dimensions of service management (ITIL 4), in display order.
DIMENSIONS = ("organizations_people", "information_technology", "partners_suppliers", "value_streams_processes")


# --- records


@dataclass(frozen=True, eq=False, kw_only=True)
class Record:
    """A record that validated: typed front matter, body, and where it lives."""

    kind: ClassVar[str] = ""
    #: front-matter keys the model reads into attributes (everything else goes to ``extra``)
    KEYS: ClassVar[frozenset[str]] = frozenset()

    id: str
    rel: str
    src_uri: str
    body: str
    body_line: int
    title: str
    tags: tuple[str, ...] = ()
    affects: tuple[str, ...] = ()
    #: keys the organisation added to its schema, with their values
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: the validated front matter as written (for exports only)
    front_matter: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def dates_done(self) -> list[str]:
        """Dates on which something recorded here happened (not horizons or targets)."""
        return []


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def _num(value: Any) -> Number | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True, eq=False, kw_only=True)
class Improvement(Record):
    kind: ClassVar[str] = "improvement"

    status: str
    raised: str
    requester: str | None = None
    source: str | None = None
    source_ref: str | None = None
    urgency: str | None = None
    cost: str | None = None
    cost_estimate: Money | None = None
    value: str | None = None
    value_level: str | None = None
    value_types: tuple[str, ...] = ()
    owner: str | None = None
    objectives: tuple[str, ...] = ()
    business_case: LeanCanvas | None = None
    approved_by: str | None = None
    approved_on: str | None = None
    plan: str | None = None
    definition_of_done: str | None = None
    target_date: str | None = None
    metrics: tuple[Metric, ...] = ()
    closed_on: str | None = None
    outcome: str | None = None
    lessons: tuple[str, ...] = ()
    reason: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    escalated: bool = False
    originator_notified: str | None = None
    satisfaction: Number | None = None
    planned_cost: Number | None = None
    actual_cost: Number | None = None
    negative_outcome: bool = False
    related: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    #: the initiative (another improvement) this record is a part of
    part_of: str | None = None
    #: people (ids of people.yml) who back this improvement
    supporters: tuple[str, ...] = ()

    @property
    def status_since(self) -> str:
        """When the record entered its current status (last history entry, else raised)."""
        return self.history[-1].date if self.history else self.raised

    @property
    def dates_done(self) -> list[str]:
        return [d for d in (self.raised, self.closed_on, self.approved_on) if d] + [h.date for h in self.history]

    @classmethod
    def build(cls, data: Mapping[str, Any], **where: Any) -> Improvement:
        estimate = data.get("cost_estimate")
        case = data.get("business_case")
        return cls(
            **where,
            status=str(data["status"]), raised=str(data["raised"]), requester=_s(data.get("requester")),
            source=_s(data.get("source")), source_ref=_s(data.get("source_ref")), urgency=_s(data.get("urgency")),
            cost=_s(data.get("cost")),
            cost_estimate=Money(estimate["amount"], str(estimate["currency"])) if isinstance(estimate, Mapping) else None,
            value=_s(data.get("value")), value_level=_s(data.get("value_level")), value_types=_ids(data.get("value_types")),
            owner=_s(data.get("owner")), objectives=_ids(data.get("objectives")),
            business_case=LeanCanvas(**{k: str(v) for k, v in case.items() if k in LEAN_KEYS})
            if isinstance(case, Mapping) else None,
            approved_by=_s(data.get("approved_by")), approved_on=_s(data.get("approved_on")), plan=_s(data.get("plan")),
            definition_of_done=_s(data.get("definition_of_done")), target_date=_s(data.get("target_date")),
            metrics=tuple(Metric.of(m) for m in data.get("metrics") or () if isinstance(m, Mapping)),
            closed_on=_s(data.get("closed_on")), outcome=_s(data.get("outcome")), lessons=_ids(data.get("lessons")),
            reason=_s(data.get("reason")),
            history=tuple(HistoryEntry(str(h["date"]), str(h.get("status") or ""), _s(h.get("note")))
                          for h in data.get("history") or () if isinstance(h, Mapping)),
            escalated=bool(data.get("escalated")), originator_notified=_s(data.get("originator_notified")),
            satisfaction=_num(data.get("satisfaction")), planned_cost=_num(data.get("planned_cost")),
            actual_cost=_num(data.get("actual_cost")), negative_outcome=bool(data.get("negative_outcome")),
            related=_ids(data.get("related")), supersedes=_ids(data.get("supersedes")),
            part_of=_s(data.get("part_of")), supporters=_ids(data.get("supporters")),
        )


@dataclass(frozen=True, eq=False, kw_only=True)
class Lesson(Record):
    kind: ClassVar[str] = "lesson"

    date: str | None = None
    author: str | None = None
    #: success, failure or observation (the front matter's ``kind``)
    lesson_kind: str | None = None
    recommendation: str | None = None
    improvements: tuple[str, ...] = ()

    @property
    def dates_done(self) -> list[str]:
        return [self.date] if self.date else []

    @classmethod
    def build(cls, data: Mapping[str, Any], **where: Any) -> Lesson:
        return cls(**where, date=_s(data.get("date")), author=_s(data.get("author")), lesson_kind=_s(data.get("kind")),
                   recommendation=_s(data.get("recommendation")), improvements=_ids(data.get("improvements")))


@dataclass(frozen=True, eq=False, kw_only=True)
class Objective(Record):
    kind: ClassVar[str] = "objective"

    owner: str | None = None
    horizon: str | None = None
    kpis: tuple[ObjectiveKpi, ...] = ()
    parent: str | None = None

    @classmethod
    def build(cls, data: Mapping[str, Any], **where: Any) -> Objective:
        kpis = tuple(ObjectiveKpi(str(k.get("name") or ""), str(k.get("unit") or ""), k["target"])
                     for k in data.get("kpis") or () if isinstance(k, Mapping))
        return cls(**where, owner=_s(data.get("owner")), horizon=_s(data.get("horizon")), kpis=kpis,
                   parent=_s(data.get("parent")))


@dataclass(frozen=True, eq=False, kw_only=True)
class Assessment(Record):
    kind: ClassVar[str] = "assessment"

    practice: str = ""
    date: str = ""
    assessor: str | None = None
    level: int | None = None
    target_level: int | None = None
    #: score 1-5 per dimension that was scored (keys from ``DIMENSIONS``)
    dimensions: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    gaps: tuple[Gap, ...] = ()

    @property
    def dates_done(self) -> list[str]:
        return [self.date] if self.date else []

    @classmethod
    def build(cls, data: Mapping[str, Any], **where: Any) -> Assessment:
        dims = data.get("dimensions") or {}
        return cls(**where, practice=str(data.get("practice") or ""), date=str(data.get("date") or ""),
                   assessor=_s(data.get("assessor")), level=data.get("level"), target_level=data.get("target_level"),
                   dimensions=MappingProxyType({k: dims[k] for k in DIMENSIONS if isinstance(dims.get(k), int)}),
                   gaps=tuple(Gap(str(g["id"]), str(g.get("description") or ""), _s(g.get("improvement")))
                              for g in data.get("gaps") or () if isinstance(g, Mapping)))


RECORD_CLASSES: dict[str, type[Improvement] | type[Lesson] | type[Objective] | type[Assessment]] = {
    "improvement": Improvement,
    "lesson": Lesson,
    "objective": Objective,
    "assessment": Assessment,
}
#: front-matter keys each kind reads into attributes
_COMMON = frozenset({"id", "title", "tags", "affects"})
for _cls in RECORD_CLASSES.values():
    _names = {f.name for f in fields(_cls)} - {"rel", "src_uri", "body", "body_line", "extra", "front_matter"}
    _cls.KEYS = frozenset((_names - {"lesson_kind"}) | ({"kind"} if _cls is Lesson else set()) | _COMMON)


def make_record(kind: str, data: Mapping[str, Any], *, rel: str, src_uri: str, body: str = "",
                body_line: int = 1) -> Record:
    """A typed record from validated front matter."""
    cls = RECORD_CLASSES[kind]
    rid = str(data["id"])
    title = data.get("title")
    if cls is Assessment and not title:
        title = f"{data.get('practice')} {data.get('date')}"
    front_matter = dict(data)
    extra = {k: v for k, v in data.items() if k not in cls.KEYS}
    return cls.build(data, id=rid, rel=rel, src_uri=src_uri, body=body, body_line=body_line,
                     title=str(title or rid), tags=_ids(data.get("tags")), affects=_ids(data.get("affects")),
                     extra=extra, front_matter=front_matter)


# --- the register


@dataclass
class Register:
    """All validated records, by id and kind, with the indexes across them (computed once)."""

    config: Config
    records: dict[str, Record] = field(default_factory=dict)
    improvements: list[Improvement] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    lessons_by_improvement: dict[str, list[Lesson]] = field(default_factory=lambda: defaultdict(list))
    improvements_by_objective: dict[str, list[Improvement]] = field(default_factory=lambda: defaultdict(list))
    improvements_by_lesson: dict[str, list[Improvement]] = field(default_factory=lambda: defaultdict(list))
    improvement_for_gap: dict[tuple[str, str], Improvement] = field(default_factory=dict)
    #: the gaps (assessment id, gap id) each improvement closes (``improvement_for_gap`` inverted), sorted
    gaps_by_improvement: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    #: improvements a person (in people.yml) owns, requested or approved
    improvements_by_person: dict[str, list[Improvement]] = field(default_factory=lambda: defaultdict(list))
    #: improvements by the team of their owner (else of their requester)
    improvements_by_team: dict[str, list[Improvement]] = field(default_factory=lambda: defaultdict(list))
    #: records by ``affects`` item (``practice/x``); assessments under their practice
    records_by_affects: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    records_by_tag: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    #: the parts of an initiative (improvements whose ``part_of`` names it), by the initiative's id
    parts_by_initiative: dict[str, list[Improvement]] = field(default_factory=lambda: defaultdict(list))
    #: the audience this register was published for ("" before publishing: every record)
    audience: str = ""
    #: how many records that validated this audience does not see
    hidden: int = 0

    def get(self, rid: str) -> Record | None:
        return self.records.get(rid)

    def all(self) -> list[Record]:
        return [*self.improvements, *self.lessons, *self.objectives, *self.assessments]

    def team_of(self, pid: str | None) -> str | None:
        person = self.config.people.get(pid or "")
        return person.team if person else None

    def add(self, record: Record) -> None:
        """Add a record (the first one with an id wins) and index it."""
        if record.id in self.records:
            return
        self.records[record.id] = record
        if isinstance(record, Improvement):
            self.improvements.append(record)
        elif isinstance(record, Lesson):
            self.lessons.append(record)
        elif isinstance(record, Objective):
            self.objectives.append(record)
        elif isinstance(record, Assessment):
            self.assessments.append(record)

    def index(self) -> Register:
        """Compute every index from the records (once, after the last ``add``)."""
        for imp in self.improvements:
            for oid in imp.objectives:
                self.improvements_by_objective[oid].append(imp)
            if imp.part_of and imp.part_of != imp.id:
                self.parts_by_initiative[imp.part_of].append(imp)
            ref = imp.source_ref
            if ref and "#" in ref:
                asm_id, _, gap_id = ref.partition("#")
                self.improvement_for_gap.setdefault((asm_id, gap_id), imp)
        for lesson in self.lessons:
            for iid in lesson.improvements:
                self.lessons_by_improvement[iid].append(lesson)
        for imp in self.improvements:
            for lid in imp.lessons:
                self.improvements_by_lesson[lid].append(imp)
                listed = self.records.get(lid)
                if isinstance(listed, Lesson) and listed not in self.lessons_by_improvement[imp.id]:
                    self.lessons_by_improvement[imp.id].append(listed)
        for assessment in self.assessments:
            for gap in assessment.gaps:
                closing = self.records.get(gap.improvement or "")
                if isinstance(closing, Improvement):
                    self.improvement_for_gap[(assessment.id, gap.id)] = closing
        for gap_key, imp in sorted(self.improvement_for_gap.items()):
            self.gaps_by_improvement[imp.id].append(gap_key)
        people = self.config.people
        for imp in self.improvements:
            for pid in {imp.owner, imp.requester, imp.approved_by}:
                if pid and pid in people:
                    self.improvements_by_person[pid].append(imp)
            team = self.team_of(imp.owner) or self.team_of(imp.requester)
            if team:
                self.improvements_by_team[team].append(imp)
        for record in self.all():
            for item in record.affects:
                self.records_by_affects[item].append(record)
            for tag in record.tags:
                self.records_by_tag[tag].append(record)
        for asm in self.assessments:
            self.records_by_affects[f"practice/{asm.practice}"].append(asm)
        return self


def build_register(config: Config, project: Project, sources: list[SourceFile],
                   reuse: Mapping[str, Record] | None = None) -> Register:
    """Build the model from the records that validated, with indexes both ways.

    ``reuse`` maps a file (path relative to the root) to the record built from the very same
    bytes and configuration before: it is taken as it is.
    """
    reg = Register(config)
    content = project.content
    for src in sorted(sources, key=lambda s: (s.kind, str((s.data or {}).get("id")))):
        assert src.data is not None
        known = reuse.get(src.rel) if reuse else None
        if known is not None:
            reg.add(known)
            continue
        try:
            src_uri = src.path.relative_to(content).as_posix()
        except ValueError:
            src_uri = PurePosixPath(src.rel).name
        reg.add(make_record(src.kind, src.data, rel=src.rel, src_uri=src_uri, body=src.body, body_line=src.body_line))
    return reg.index()
