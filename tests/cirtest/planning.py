"""Helpers of the planning tests (initiatives, supporters, roadmap, trace diagrams): a small
register the portal has never seen, written as files over the shared base test project.

Expectations come from these files (read back with ``cirtest.site.read_records``), never from the
code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cir_portal.core.config import Config
from cir_portal.core.model import Record, Register
from cir_portal.core.pipeline import LoadResult
from cir_portal.views.context import Site
from cir_portal.views.tree import SiteTree
from cirtest.site import RecordFile, read_records

#: The statuses of the default workflow that put a record with a target date on the roadmap.
ROADMAP_STATUSES = ("approved", "planned", "in_progress", "evaluating")
#: The workflow's path to each status (the history a record written at that status carries).
PATH = ("identified", "assessed", "approved", "planned", "in_progress", "evaluating")
#: "Now" of the unseen register: the content date its sites are built with.
AS_OF = "2026-10-15"


def epoch_of(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Unseen:
    """The unseen register: its files, what loading found, and its site tree as of AS_OF."""

    project: Path
    result: LoadResult
    site: Site
    tree: SiteTree


def register_with(config: Config, records: list[Record]) -> Register:
    """A register of ``records`` under ``config``, indexed as the pipeline indexes it."""
    register = Register(config)
    for record in records:
        register.add(record)
    return register.index()


def active(rid: str, title: str, status: str, *, target: str | None, objectives: tuple[str, ...] = ("OBJ-01",),
           owner: str = "li.na", approved: str = "2026-02-02", history: bool = True, **extra: Any) -> str:
    """A valid improvement in an approved-or-later ``status`` (every key the status requires),
    approved on ``approved``; its history walks the workflow to ``status`` unless ``history`` is off."""
    lines = [
        "---", f"id: {rid}", f"title: {json.dumps(title, ensure_ascii=False)}", f"status: {status}", "raised: 2026-01-10",
        "requester: zhang.min",
        "source: staff_idea", "affects: [service/identity, practice/service-desk]", "urgency: high", "cost: medium",
        "value: Fewer tickets.", f"owner: {owner}", f"objectives: [{', '.join(objectives)}]", "business_case:",
        "  problem: Too many tickets.", "  solution: Self-service.", "  benefits: Fewer tickets.",
        "approved_by: chen.jie", f"approved_on: {approved}", "plan: In two waves.",
    ]
    if target:
        lines.append(f"target_date: {target}")
    lines += ["metrics:", "  - name: Tickets", "    unit: per month", "    direction: decrease",
              "    baseline: {value: 100, date: 2026-01-31}", "    target: {value: 20, date: 2027-06-30}"]
    for key, value in extra.items():
        lines.append(f"{key}: {value}")
    if history:
        steps = PATH[: PATH.index(status) + 1]
        dates = ["2026-01-10", "2026-01-20", approved, "2026-03-01", "2026-03-15", "2026-09-01"]
        lines.append("history:")
        lines += [f"  - {{date: {d}, status: {s}}}" for s, d in zip(steps, dates, strict=False)]
    lines += ["---", "", f"Body of {rid}.", ""]
    return "\n".join(lines)


def identified(rid: str, title: str, **extra: Any) -> str:
    lines = ["---", f"id: {rid}", f"title: {json.dumps(title, ensure_ascii=False)}", "status: identified",
             "raised: 2026-05-04", "requester: wang.wei", "source: staff_idea", "affects: [service/identity]"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", "", f"Body of {rid}.", ""])


def unseen_files() -> dict[str, str]:
    """The records laid over the base project: an initiative with two in-progress parts, other
    records on the roadmap and off it, supporters, a lesson and an assessment gap."""
    imp = "content/improvements/"
    return {
        imp + "IMP-0401-initiative.md": active("IMP-0401", "Rebuild onboarding", "in_progress", target="2027-02-26",
                                               planned_cost=1000, supporters="[li.na, wang.wei, zhang.min]"),
        imp + "IMP-0402-part-a.md": active("IMP-0402", "Part A: accounts on day one", "in_progress", target="2026-09-30",
                                           planned_cost=300, actual_cost=120.5, part_of="IMP-0401"),
        imp + "IMP-0403-part-b.md": active("IMP-0403", "Part B: laptops <fast>", "in_progress", target="2027-01-29",
                                           owner="wang.wei", planned_cost=200, part_of="IMP-0401"),
        imp + "IMP-0404-evaluating.md": active("IMP-0404", "Evaluating with supporters", "evaluating", target="2026-11-30",
                                               objectives=("OBJ-02",), supporters="[li.na, wang.wei]"),
        imp + "IMP-0405-approved-no-history.md": active("IMP-0405", "Approved, target, no history", "approved",
                                                        target="2027-04-30", objectives=("OBJ-02",), approved="2026-04-01",
                                                        history=False),
        imp + "IMP-0406-approved-no-target.md": active("IMP-0406", "Approved without a target", "approved", target=None),
        imp + "IMP-0407-planned.md": active("IMP-0407", "计划中的改进", "planned", target="2026-12-15", owner="chen.jie"),
        imp + "IMP-0408-identified.md": identified("IMP-0408", "An idea with a target date", target_date="2026-12-31",
                                                   supporters="[chen.jie]"),
        "content/lessons/LL-0402-parts.md": "\n".join([
            "---", "id: LL-0402", "title: Split large work into parts", "date: 2026-09-01", "author: li.na",
            "kind: observation", "recommendation: Give each part its own owner.", "improvements: [IMP-0402]", "---", "",
            "Body.", ""]),
    }


def on_roadmap(project: Path) -> dict[str, RecordFile]:
    """The improvements of ``project`` that the roadmap must show, read from the files."""
    return {r.id: r for r in read_records(project) if r.kind == "improvement"
            and r.front_matter.get("status") in ROADMAP_STATUSES and r.front_matter.get("target_date")}
