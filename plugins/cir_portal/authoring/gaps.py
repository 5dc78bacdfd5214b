"""Assessment gaps into the register: find gaps that no improvement addresses, draft one
improvement per gap, and record its id on the gap (``cir gaps``).

This is the "gap analysis flows into the register" half of the loop assess -> plan ->
implement -> reassess. A gap is addressed when it names an improvement (its
``improvement`` key) or when an improvement's ``source_ref`` names it (``ASM-0005#G2``).

The assessment file is edited in place by inserting one line into the gap's mapping: every
other byte of the file (comments, key order, quoting, line endings, a byte-order mark)
stays as it was.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cir_portal.core.loading import KIND_FOLDERS, decode, read_source
from cir_portal.core.model import Assessment, Register

TITLE_MAX = 120
SLUG_WORDS = 6
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


_ID_NUMBER = re.compile(r"^([A-Z][A-Z0-9]*)-(\d+)")


def next_free_number(register: Register, folder: Path, prefix: str) -> int:
    """One more than the highest ``PREFIX-n`` in the register and in the file names of ``folder``.

    File names count too, so that a record that does not validate (and is not in the
    register) never has its id given out again.
    """
    highest = 0
    names = [r.id for r in register.improvements]
    if folder.is_dir():
        names.extend(p.name for p in folder.rglob("*.md"))
    for name in names:
        match = _ID_NUMBER.match(name)
        if match and match.group(1) == prefix:
            highest = max(highest, int(match.group(2)))
    return highest + 1


def format_id(prefix: str, digits: int, number: int) -> str:
    return f"{prefix}-{number:0{digits}d}"


def title_from(description: str) -> str:
    """The gap's description on one line, cut to the title limit (an ellipsis marks the cut)."""
    text = " ".join(description.split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def ascii_slug(title: str, fallback: str) -> str:
    """A file-name slug of the title's words when the title is written in ASCII letters, else ``fallback``.

    A Chinese title has no ASCII slug (its stray ASCII words, such as another assessment's
    id, would mislead), so the gap's own reference is used: ``asm-0002-g3``.
    """
    if any(c.isalpha() and not c.isascii() for c in title):
        return fallback
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = "-".join(words[:SLUG_WORDS])[:60].strip("-")
    return slug or fallback


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
_BODY = {
    "en": ("Background", "Gap {gap} of assessment {asm} ({title}, {date}):",
           "Drafted by `cir gaps --write`: add the value, urgency and cost to assess it."),
    "zh": ("背景", "评估 {asm}（{title}，{date}）的差距 {gap}：",
           "由 `cir gaps --write` 生成的草稿：请补充价值、紧急度和成本以便评估。"),
}


def _yaml_str(value: str) -> str:
    """A YAML scalar for ``value``: plain when that is unambiguous, else double-quoted (JSON syntax)."""
    if _PLAIN.match(value) and value.lower() not in {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}:
        return value
    return json.dumps(value, ensure_ascii=False)


def draft_text(gap: OpenGap, improvement_id: str, initial_status: str, raised: str, title: str, lang: str = "en") -> str:
    """The draft improvement file: only what the initial status needs, and a body to complete."""
    asm = gap.assessment
    heading, where, todo = _BODY.get(lang, _BODY["en"])
    description = html.escape(" ".join(gap.description.split()), quote=False)
    return (
        "---\n"
        f"id: {improvement_id}\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"status: {initial_status}\n"
        f"raised: {raised}\n"
        f"requester: {_yaml_str(str(asm.assessor))}\n"
        f"source: {SOURCE_KEY}\n"
        f"source_ref: {gap.ref}\n"
        f"affects: [practice/{asm.practice}]\n"
        "---\n\n"
        f"## {heading}\n\n"
        f"{where.format(gap=gap.gap_id, asm=asm.id, title=asm.title, date=asm.date)}\n\n"
        f"> {description}\n\n"
        f"{todo}\n"
    )


def plan(register: Register, root: Path, *, raised: date) -> list[Draft]:
    """The drafts ``--write`` would create, with consecutive free ids, in assessment and gap order."""
    config = register.config
    prefix, digits = config.portal.id_prefixes["improvement"]
    folder = root / "content" / KIND_FOLDERS["improvement"]
    initial = config.workflow.initial
    if SOURCE_KEY not in config.taxonomy.get("sources", {}):
        raise GapError(f"site_config/taxonomy.yml has no source {SOURCE_KEY!r}; add it to `sources` so that drafts can name "
                       "the assessment as their source")
    number = next_free_number(register, folder, prefix)
    drafts = []
    taken = {p.name.lower() for p in folder.glob("*.md")} if folder.is_dir() else set()
    for gap in open_gaps(register):
        rid = format_id(prefix, digits, number)
        number += 1
        title = title_from(gap.description) or f"{gap.assessment.id} {gap.gap_id}"
        slug = ascii_slug(title, f"{gap.assessment.id}-{gap.gap_id}".lower())
        path = folder / f"{rid}-{slug}.md"
        if path.name.lower() in taken or path.exists():
            raise GapError(f"{path} exists already; move it away or run `cir validate` to find out why its id is not in use")
        drafts.append(Draft(gap, rid, path, draft_text(gap, rid, initial, raised.isoformat(), title, config.portal.language)))
    return drafts


def missing_for_initial(register: Register) -> list[str]:
    """Keys the workflow's initial status requires beyond what a draft fills in."""
    status = register.config.workflow.statuses[register.config.workflow.initial]
    return [key for key in status.requires if key.split(".")[0].removesuffix("[]") not in
            {"id", "title", "status", "raised", "requester", "source", "source_ref", "affects"}]


# --- recording the improvement on the gap, in place

@dataclass(frozen=True)
class _Insertion:
    line: int  # 0-based line of the file's text
    column: int | None  # None: insert a whole line before ``line``; else insert ``text`` at this column
    text: str


def _front_matter(text: str) -> tuple[str, int]:
    """The front matter text and the 0-based file line it starts on."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip(" \t") != "---":
        raise GapError("the file does not start with front matter")
    for n, line in enumerate(lines[1:], 1):
        if line.rstrip(" \t") in ("---", "..."):
            return "\n".join(lines[1:n]) + "\n", 1
    raise GapError("the front matter is not closed")


def _gap_nodes(front_matter: str) -> dict[str, MappingNode]:
    root = yaml.compose(front_matter, Loader=yaml.CSafeLoader)
    if not isinstance(root, MappingNode):
        raise GapError("the front matter is not a map of keys")
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "gaps" and isinstance(value, SequenceNode):
            out = {}
            for item in value.value:
                if isinstance(item, MappingNode):
                    for k, v in item.value:
                        if isinstance(k, ScalarNode) and k.value == "id" and isinstance(v, ScalarNode):
                            out[v.value] = item
            return out
    return {}


def _insertion(node: MappingNode, improvement_id: str, offset: int, lines: list[str]) -> _Insertion:
    """Where and what to insert so that ``node`` (one gap) gains ``improvement: <id>``."""
    if node.flow_style:
        end = node.end_mark  # just after the closing brace
        return _Insertion(end.line + offset, end.column - 1, f", improvement: {improvement_id}")
    first_key: Node = node.value[0][0]
    last_value: Node = node.value[-1][1]
    indent = first_key.start_mark.column
    end = last_value.end_mark
    # A block scalar (| or >) ends at the start of the line after it; any other value inside its last line.
    line = min((end.line if end.column == 0 else end.line + 1) + offset, len(lines))
    if isinstance(last_value, ScalarNode) and last_value.style in ("|", ">"):
        start = last_value.start_mark
        header = lines[start.line + offset][start.column:].split("#")[0]
        if "+" not in header:  # trailing blank lines are not part of a clipped or stripped block scalar
            while line - 1 > start.line + offset and not lines[line - 1].strip():
                line -= 1
    return _Insertion(line, None, " " * indent + f"improvement: {improvement_id}")


def record_on_gaps(path: Path, improvements: dict[str, str]) -> None:
    """Insert ``improvement: <id>`` into each named gap of the assessment file at ``path``.

    ``improvements`` maps gap ids to improvement ids. Every other line stays byte for byte
    as it was (line endings and a byte-order mark included); the result is parsed again and
    checked before it replaces the file.
    """
    raw = path.read_bytes()
    text, bad = decode(raw)
    if text is None:
        raise GapError(f"{path}: {bad[2] if bad else 'cannot be decoded'}")
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    # The file's own lines, each with its own line ending; numbered as in the normalised ``text``.
    kept = re.split(r"(?<=\n)", raw[len(bom):].decode("utf-8"))
    newline = "\r\n" if kept[0].endswith("\r\n") else "\n"
    front_matter, offset = _front_matter(text)
    nodes = _gap_nodes(front_matter)
    lines = text.split("\n")
    insertions = []
    for gap_id, improvement_id in improvements.items():
        node = nodes.get(gap_id)
        if node is None:
            raise GapError(f"{path}: gap {gap_id} not found")
        if any(isinstance(k, ScalarNode) and k.value == "improvement" for k, _ in node.value):
            raise GapError(f"{path}: gap {gap_id} has an `improvement` key already")
        insertions.append(_insertion(node, improvement_id, offset, lines))
    for ins in sorted(insertions, key=lambda i: (i.line, i.column or 0), reverse=True):
        if ins.column is None:
            kept.insert(ins.line, ins.text + newline)
        else:
            kept[ins.line] = kept[ins.line][: ins.column] + ins.text + kept[ins.line][ins.column :]
    new_raw = bom + "".join(kept).encode("utf-8")
    _check(path, new_raw, improvements)
    _replace(path, new_raw)


def _check(path: Path, raw: bytes, improvements: dict[str, str]) -> None:
    src = read_source(path, path.name, "assessment", raw)
    if src.data is None or src.issues:
        raise GapError(f"{path}: inserting the improvement id would break the file; add it by hand "
                       f"({'; '.join(i.message for i in src.issues) or 'no front matter'})")
    found = {g.get("id"): g.get("improvement") for g in src.data.get("gaps") or [] if isinstance(g, dict)}
    for gap_id, improvement_id in improvements.items():
        if found.get(gap_id) != improvement_id:
            raise GapError(f"{path}: could not record {improvement_id} on gap {gap_id}; add `improvement: "
                           f"{improvement_id}` to the gap by hand")


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, keeping the file's permissions."""
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(drafts: list[Draft], root: Path) -> None:
    """Create the draft files, then record each new id on its gap (grouped per assessment file).

    The drafts are written first: their ``source_ref`` alone links them to their gaps, so
    a failure while editing an assessment leaves a register that a second run will not
    duplicate.
    """
    for draft in drafts:
        draft.path.parent.mkdir(parents=True, exist_ok=True)
        with draft.path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(draft.text)
    by_file: dict[Path, dict[str, str]] = {}
    for draft in drafts:
        by_file.setdefault(root / draft.gap.assessment.rel, {})[draft.gap.gap_id] = draft.improvement_id
    for path, improvements in by_file.items():
        record_on_gaps(path, improvements)
