"""The model: validated records, typed, and the indexes across them.

Views read the register through these classes, never through raw front matter dicts,
so that a renamed or derived field changes in one place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from cir_portal.core.config import Config, Project

if TYPE_CHECKING:
    from cir_portal.core.loading import SourceFile


@dataclass(frozen=True, eq=False)
class Record:
    """A record that validated: its front matter (``fields``), body and where it lives."""

    kind: str
    id: str
    rel: str
    src_uri: str
    fields: dict[str, Any]
    body: str
    body_line: int

    @property
    def title(self) -> str:
        return str(self.fields.get("title") or self.id)

    @property
    def tags(self) -> list[str]:
        return list(self.fields.get("tags") or [])

    @property
    def affects(self) -> list[str]:
        return list(self.fields.get("affects") or [])

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


class Improvement(Record):
    @property
    def status(self) -> str:
        return str(self.fields["status"])

    @property
    def raised(self) -> str:
        return str(self.fields["raised"])

    @property
    def owner(self) -> str | None:
        return self.fields.get("owner")

    @property
    def objectives(self) -> list[str]:
        return list(self.fields.get("objectives") or [])

    @property
    def lessons(self) -> list[str]:
        return list(self.fields.get("lessons") or [])

    @property
    def metrics(self) -> list[dict[str, Any]]:
        return list(self.fields.get("metrics") or [])

    @property
    def history(self) -> list[dict[str, Any]]:
        return list(self.fields.get("history") or [])

    @property
    def status_since(self) -> str:
        """When the record entered its current status (last history entry, else raised)."""
        history = self.history
        return str(history[-1]["date"]) if history else self.raised


class Lesson(Record):
    @property
    def improvements(self) -> list[str]:
        return list(self.fields.get("improvements") or [])


class Objective(Record):
    @property
    def parent(self) -> str | None:
        return self.fields.get("parent")


class Assessment(Record):
    @property
    def title(self) -> str:
        return str(self.fields.get("title") or f"{self.fields.get('practice')} {self.fields.get('date')}")

    @property
    def gaps(self) -> list[dict[str, Any]]:
        return list(self.fields.get("gaps") or [])


_CLASSES: dict[str, type[Record]] = {
    "improvement": Improvement,
    "lesson": Lesson,
    "objective": Objective,
    "assessment": Assessment,
}


@dataclass
class Register:
    """All validated records, by id and kind, with the links between them."""

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
    #: the audience this register was published for ("" before publishing: every record)
    audience: str = ""
    #: how many records that validated this audience does not see
    hidden: int = 0

    def get(self, rid: str) -> Record | None:
        return self.records.get(rid)

    def all(self) -> list[Record]:
        return [*self.improvements, *self.lessons, *self.objectives, *self.assessments]


def build_register(config: Config, project: Project, sources: list[SourceFile]) -> Register:
    """Build the model from the records that validated, with indexes both ways."""
    reg = Register(config)
    content = project.content
    for src in sorted(sources, key=lambda s: (s.kind, str((s.data or {}).get("id")))):
        assert src.data is not None
        try:
            src_uri = src.path.relative_to(content).as_posix()
        except ValueError:
            src_uri = PurePosixPath(src.rel).name
        record = _CLASSES[src.kind](src.kind, str(src.data["id"]), src.rel, src_uri, src.data, src.body, src.body_line)
        if record.id in reg.records:
            continue
        reg.records[record.id] = record
        getattr(reg, src.kind + "s").append(record)
    link_records(reg)
    return reg


def link_records(reg: Register) -> None:
    """Fill the register's indexes (both directions of every link) from its records."""
    for imp in reg.improvements:
        for oid in imp.objectives:
            reg.improvements_by_objective[oid].append(imp)
        ref = imp.get("source_ref")
        if isinstance(ref, str) and "#" in ref:
            asm_id, _, gap_id = ref.partition("#")
            reg.improvement_for_gap.setdefault((asm_id, gap_id), imp)
    for lesson in reg.lessons:
        for iid in lesson.improvements:
            reg.lessons_by_improvement[iid].append(lesson)
    for imp in reg.improvements:
        for lid in imp.lessons:
            reg.improvements_by_lesson[lid].append(imp)
            listed = reg.records.get(lid)
            if isinstance(listed, Lesson) and listed not in reg.lessons_by_improvement[imp.id]:
                reg.lessons_by_improvement[imp.id].append(listed)
    for assessment in reg.assessments:
        for gap in assessment.gaps:
            closing = reg.records.get(gap.get("improvement") or "")
            if isinstance(closing, Improvement):
                reg.improvement_for_gap[(assessment.id, gap["id"])] = closing
