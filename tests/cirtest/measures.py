"""Helpers of the measured-improvement tests: in-memory records and registers."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from cir_portal.core.config import Config, Project
from cir_portal.core.model import Improvement, Lesson, Objective, Register, make_record
from cir_portal.core.pipeline import LoadResult
from cir_portal.views.context import Site
from cir_portal.views.tree import SiteTree
from cirtest.site import copy_project as copy_example  # noqa: F401  (one copy of the example for every suite)

REPO_ROOT = Path(__file__).parents[2]
#: "now" of the fixture registers
AS_OF = "2026-06-15"
#: "now" of the example register's tree in these tests
EXAMPLE_AS_OF = "2026-11-22"


@dataclasses.dataclass(frozen=True)
class Example:
    """The example register (a copy) and its site tree."""

    project: Project
    result: LoadResult
    site: Site
    tree: SiteTree


def with_kpi(config: Config, **changes: Any) -> Config:
    """The configuration with some `kpi` settings changed."""
    kpi = dataclasses.replace(config.portal.kpi, **changes)
    return dataclasses.replace(config, portal=dataclasses.replace(config.portal, kpi=kpi))


def imp(rid: str, **fields: Any) -> Improvement:
    """An improvement with the always-required keys filled in (status identified, raised 2026-01-05)."""
    data: dict[str, Any] = {"id": rid, "title": f"Improvement {rid}", "status": "identified", "raised": "2026-01-05",
                            "requester": "li.na", "source": "staff_idea", "affects": ["service/identity"]}
    data.update(fields)
    return cast(Improvement, make_record("improvement", data, rel=f"content/improvements/{rid}.md",
                                         src_uri=f"improvements/{rid}.md"))


def lesson(rid: str, day: str, improvements: list[str]) -> Lesson:
    data = {"id": rid, "title": f"Lesson {rid}", "date": day, "author": "li.na", "kind": "success",
            "recommendation": "Do it again.", "improvements": improvements, "affects": ["service/identity"]}
    return cast(Lesson, make_record("lesson", data, rel=f"content/lessons/{rid}.md", src_uri=f"lessons/{rid}.md"))


def objective(rid: str) -> Objective:
    data = {"id": rid, "title": f"Objective {rid}", "owner": "li.na", "horizon": "2026-12-31"}
    return cast(Objective, make_record("objective", data, rel=f"content/objectives/{rid}.md", src_uri=f"objectives/{rid}.md"))


def register_of(config: Config, improvements: Sequence[Improvement], lessons: Sequence[Lesson] = (),
                objectives: Sequence[Objective] = ()) -> Register:
    """A register of these records, with the indexes the views use."""
    reg = Register(config)
    for record in [*improvements, *lessons, *objectives]:
        reg.add(record)
    return reg.index()


def closed(rid: str, outcome: str, closed_on: str, **fields: Any) -> Improvement:
    """An improvement closed with an outcome."""
    return imp(rid, status="closed", outcome=outcome, closed_on=closed_on, urgency="medium", cost="medium", **fields)


def epoch_of(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())
