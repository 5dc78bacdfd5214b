"""Assessment gaps into the register: find gaps that no improvement addresses, draft one
improvement per gap, and record its id on the gap (``cir gaps``).

This is the "gap analysis flows into the register" half of the loop assess -> plan ->
implement -> reassess. A gap is addressed when it names an improvement (its
``improvement`` key) or when an improvement's ``source_ref`` names it (``ASM-0005#G2``).

Drafts get their ids, file names and YAML from the writers ``cir new`` uses (ids.py,
yaml_text.py); the assessment file is edited in place by the editor ``cir move`` uses,
inserting one line into the gap's mapping: every other byte of the file (comments, key
order, quoting, line endings, a byte-order mark) stays as it was. Drafts and edits are
written together, all or nothing (atomic.py).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cir_portal.authoring.atomic import FileWrite, WriteRefused, write_file, write_files
from cir_portal.authoring.editor import EditError, Editor, RecordText, verify
from cir_portal.authoring.ids import allocator, record_path
from cir_portal.authoring.yaml_text import front_matter, record_text
from cir_portal.core.config import Project
from cir_portal.core.loading import read_source
from cir_portal.core.model import Assessment, Register
from cir_portal.core.pipeline import LoadResult

TITLE_MAX = 120
SOURCE_KEY = "assessment"


class GapError(Exception):
    """``cir gaps`` cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class OpenGap:
    """A gap of an assessment that no improvement addresses yet."""

    assessment: Assessment
    gap_id: str
    description: str

    @property
    def ref(self) -> str:
        return f"{self.assessment.id}#{self.gap_id}"


@dataclass(frozen=True)
class Draft:
    """The improvement ``cir gaps --write`` creates for one open gap."""

    gap: OpenGap
    improvement_id: str
    path: Path
    text: str


def open_gaps(register: Register) -> list[OpenGap]:
    """Gaps with neither an ``improvement`` key nor an improvement whose ``source_ref`` names them."""
    out = []
    for asm in sorted(register.assessments, key=lambda a: a.id):
        for gap in asm.gaps:
            if gap.improvement or (asm.id, gap.id) in register.improvement_for_gap:
                continue
            out.append(OpenGap(asm, gap.id, gap.description))
    return out


def title_from(description: str) -> str:
    """The gap's description on one line, cut to the title limit (an ellipsis marks the cut)."""
    text = " ".join(description.split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


_BODY = {
    "en": ("Background", "Gap {gap} of assessment {asm} ({title}, {date}):",
           "Drafted by `cir gaps --write`: add the value, urgency and cost to assess it."),
    "zh": ("背景", "评估 {asm}（{title}，{date}）的差距 {gap}：",
           "由 `cir gaps --write` 生成的草稿：请补充价值、紧急度和成本以便评估。"),
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def markdown_text(value: str) -> str:
    """``value`` as literal Markdown text on one line: HTML escaped, Markdown punctuation
    backslash-escaped (a title copied into a body never becomes markup or a link)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(value.split()), quote=False))


def draft_fields(gap: OpenGap, improvement_id: str, initial_status: str, raised: str, title: str) -> dict[str, Any]:
    """The draft's front matter: only what the initial status needs."""
    asm = gap.assessment
    return {"id": improvement_id, "title": title, "status": initial_status, "raised": raised,
            "requester": str(asm.assessor), "source": SOURCE_KEY, "source_ref": gap.ref,
            "affects": [f"practice/{asm.practice}"]}


def draft_text(gap: OpenGap, improvement_id: str, initial_status: str, raised: str, title: str, lang: str = "en") -> str:
    """The draft improvement file: only what the initial status needs, and a body to complete."""
    asm = gap.assessment
    heading, where, todo = _BODY.get(lang, _BODY["en"])
    fm = front_matter(draft_fields(gap, improvement_id, initial_status, raised, title))
    intro = where.format(gap=gap.gap_id, asm=asm.id, title=markdown_text(asm.title),
                         date=markdown_text(asm.date))
    return record_text(fm, f"## {heading}\n\n{intro}\n\n> {markdown_text(gap.description)}\n\n{todo}\n")


def plan(result: LoadResult, *, raised: date, reserved: Iterable[str] = ()) -> list[Draft]:
    """The drafts ``--write`` would create, with consecutive free ids, in assessment and gap order.

    Ids come from the allocator ``cir new`` uses: free in the working tree (file names
    included) and not in ``reserved`` (ids on the default branch and ``--against`` refs).
    """
    register, config = result.register, result.config
    assert register is not None and config is not None
    initial = config.workflow.initial
    if SOURCE_KEY not in config.taxonomy.get("sources", {}):
        raise GapError(f"site_config/taxonomy.yml has no source {SOURCE_KEY!r}; add it to `sources` so that drafts can name "
                       "the assessment as their source")
    ids = allocator(result, "improvement", reserved)
    drafts = []
    for gap in open_gaps(register):
        rid = ids.next()
        title = title_from(gap.description) or f"{gap.assessment.id} {gap.gap_id}"
        path = record_path(result.project, "improvement", rid, title)
        if path.exists() or path.is_symlink():
            raise GapError(f"{result.project.rel(path)} exists already; move it away or run `cir validate` to find out "
                           "why its id is not in use")
        drafts.append(Draft(gap, rid, path, draft_text(gap, rid, initial, raised.isoformat(), title, config.portal.language)))
    return drafts


def missing_for_initial(register: Register) -> list[str]:
    """Keys the workflow's initial status requires beyond what a draft fills in."""
    status = register.config.workflow.statuses[register.config.workflow.initial]
    return [key for key in status.requires if key.split(".")[0].removesuffix("[]") not in
            {"id", "title", "status", "raised", "requester", "source", "source_ref", "affects"}]


# --- recording the improvement on the gap, in place (the editor ``cir move`` uses)


def gaps_edit(path: Path, improvements: dict[str, str], rel: str | None = None) -> bytes:
    """The assessment file at ``path`` with ``improvement: <id>`` added to each named gap.

    ``improvements`` maps gap ids to improvement ids. Every other byte stays as it was (line
    endings and a byte-order mark included); the result is parsed again and must hold
    exactly the expected data, else a :class:`GapError` and nothing is written.
    """
    shown = rel or str(path)
    try:
        record = RecordText.read(path, shown)
        editor = Editor(record, shown)
        src = read_source(path, shown, "assessment", record.encode(record.text))
        if src.data is None:
            raise GapError(f"{shown}: {'; '.join(i.message for i in src.issues) or 'cannot be read'}")
        expected = copy.deepcopy(src.data)
        gap_list: list[Any] = expected["gaps"] if isinstance(expected.get("gaps"), list) else []
        for gap_id, improvement_id in improvements.items():
            index = next((i for i, g in enumerate(gap_list) if isinstance(g, dict) and g.get("id") == gap_id), None)
            if index is None:
                raise GapError(f"{shown}: gap {gap_id} not found")
            if "improvement" in gap_list[index]:
                raise GapError(f"{shown}: gap {gap_id} has an `improvement` key already")
            editor.add_key(("gaps", index), "improvement", improvement_id)
            gap_list[index]["improvement"] = improvement_id
        return verify(editor, editor.result(), expected, "assessment")
    except EditError as exc:
        raise GapError(f"{exc}; add `improvement: <id>` to the gap by hand") from exc


def record_on_gaps(path: Path, improvements: dict[str, str]) -> None:
    """Insert ``improvement: <id>`` into each named gap of the assessment file at ``path``, atomically."""
    data = gaps_edit(path, improvements)
    try:
        write_file(path, data)
    except WriteRefused as exc:
        raise GapError(str(exc)) from exc


def write(drafts: list[Draft], project: Project) -> None:
    """Create the draft files and record each new id on its gap: all of it, or nothing."""
    by_file: dict[Path, dict[str, str]] = {}
    for draft in drafts:
        by_file.setdefault(project.root / draft.gap.assessment.rel, {})[draft.gap.gap_id] = draft.improvement_id
    writes = [FileWrite(d.path, d.text.encode("utf-8"), create=True) for d in drafts]
    writes += [FileWrite(path, gaps_edit(path, ids, project.rel(path))) for path, ids in by_file.items()]
    try:
        write_files(writes, rel=project.rel)
    except WriteRefused as exc:
        raise GapError(str(exc)) from exc
