"""Editing: change a record's front matter in place, keeping everything else byte for byte.

Contributors format their files by hand (comments, key order, flow or block lists, quotes,
CRLF from Windows editors, a BOM). A YAML round trip would normalise some of that, so edits
here are text splices: the YAML is composed (not constructed) to find the exact span of a
value, only that span changes, and new lines copy the indentation and style of their
neighbours. After every edit the file is parsed again and must hold exactly the expected
data, else nothing is written.

``plan_move`` (``cir move``) changes ``status`` and appends to ``history``;
``plan_support`` (``cir support``) adds a person to ``supporters``;
``plan_renumber`` (``cir renumber``) gives a record the next free id, renames its file and
rewrites every reference to it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cir_portal.authoring.atomic import FileWrite, WriteRefused, check_target, write_files
from cir_portal.authoring.collisions import default_ref, git
from cir_portal.authoring.ids import allocator
from cir_portal.authoring.scaffold import Vocabulary, candidate, check_candidates, today
from cir_portal.authoring.yaml_text import flow_map, scalar
from cir_portal.core.config import Config
from cir_portal.core.issues import Issue, format_key
from cir_portal.core.loading import SourceFile, compose, read_source
from cir_portal.core.pipeline import LoadResult
from cir_portal.core.schemas import closest
from cir_portal.core.validation import key_description, missing_keys

KeyPath = tuple[str | int, ...]
_FENCE = re.compile(r"^---[ \t]*\r?$", re.M)
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Where each kind of record is referred to: (referring kind, key path with ``[]`` for every item).
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "improvement": (("improvement", "related[]"), ("improvement", "supersedes[]"), ("improvement", "part_of"),
                    ("lesson", "improvements[]"), ("assessment", "gaps[].improvement")),
    "lesson": (("improvement", "lessons[]"),),
    "objective": (("improvement", "objectives[]"), ("objective", "parent")),
    "assessment": (("improvement", "source_ref"),),
}


class EditError(Exception):
    """A file that cannot be edited automatically; the message says what to do by hand."""


class Refused(Exception):
    """The command cannot do what was asked; ``lines`` explain why and what to do (exit 1)."""

    def __init__(self, message: str, lines: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message, self.lines = message, list(lines)


# --- the file as text ----------------------------------------------------------------------------


@dataclass
class RecordText:
    """A record file as text with its original line endings, and where its front matter lies."""

    path: Path
    text: str
    bom: bool
    fm_start: int
    fm_end: int

    @classmethod
    def read(cls, path: Path, rel: str) -> RecordText:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise EditError(f"{rel}: cannot read the file: {exc.strerror}") from exc
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise EditError(f"{rel}: the file is not UTF-8; save it as UTF-8 first (`cir validate` shows where)") from exc
        start = _FENCE.match(text)
        end = _END.search(text, start.end()) if start else None
        if start is None or end is None:
            raise EditError(f"{rel}: no front matter between two `---` lines; run `cir validate` and fix the file first")
        fm_start = text.index("\n", start.start()) + 1
        return cls(path, text, bom, fm_start, end.start())

    @property
    def front_matter(self) -> str:
        return self.text[self.fm_start : self.fm_end]

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.front_matter else "\n"

    def encode(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


class Editor:
    """Splices into one file's front matter. Offsets are within the front matter."""

    def __init__(self, record: RecordText, rel: str) -> None:
        self.record, self.rel = record, rel
        self.fm = record.front_matter
        self.nl = record.newline
        self.edits: list[tuple[int, int, str]] = []
        try:
            root = compose(self.fm)
        except yaml.YAMLError as exc:
            raise EditError(f"{rel}: the front matter is not valid YAML ({exc.__class__.__name__}); "
                            "run `cir validate` and fix it first") from exc
        if not isinstance(root, MappingNode):
            raise EditError(f"{rel}: the front matter is not a map of keys; run `cir validate` and fix it first")
        self.root = root

    # finding nodes
    def entry(self, key: str) -> tuple[ScalarNode, Node] | None:
        for k, v in self.root.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return k, v
        return None

    def node(self, path: KeyPath) -> Node | None:
        node: Node | None = self.root
        for part in path:
            if isinstance(node, MappingNode) and isinstance(part, str):
                node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == part), None)
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return None
        return node

    # primitive edits
    def replace(self, start: int, end: int, text: str) -> None:
        self.edits.append((start, end, text))

    def set_scalar(self, path: KeyPath, value: str) -> None:
        """Replace the scalar at ``path``, keeping its quoting style."""
        node = self.node(path)
        if not isinstance(node, ScalarNode) or (node.tag == "tag:yaml.org,2002:null" and not node.value) \
                or node.style in ("|", ">"):
            raise EditError(f"{self.rel}: {format_key(path)} is not a single-line value; edit it by hand")
        flow = self._in_flow(node)
        if node.style == "'":
            text = "'" + value.replace("'", "''") + "'"
        elif node.style == '"':
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = scalar(value, flow=flow)
        self.replace(node.start_mark.index, node.end_mark.index, text)

    def _in_flow(self, target: Node) -> bool:
        def walk(node: Node, flow: bool) -> bool | None:
            if node is target:
                return flow
            children: list[Node] = []
            if isinstance(node, MappingNode):
                children = [n for kv in node.value for n in kv]
            elif isinstance(node, SequenceNode):
                children = list(node.value)
            inner = flow or bool(getattr(node, "flow_style", False))
            for child in children:
                found = walk(child, inner)
                if found is not None:
                    return found
            return None

        return bool(walk(self.root, False))

    def _line_end(self, index: int) -> int:
        """Index just after the line holding ``index`` (a value that already ends a line stays put)."""
        if index > 0 and self.fm[index - 1] == "\n":
            return index
        nl = self.fm.find("\n", index)
        return nl + 1 if nl != -1 else len(self.fm)

    def _insert_lines(self, at: int, lines: list[str]) -> None:
        lead = self.nl if at == len(self.fm) and self.fm and not self.fm.endswith("\n") else ""
        self.replace(at, at, lead + "".join(line + self.nl for line in lines))

    def _sequence_indent(self) -> int:
        """How far this file indents block list items under their key (2 unless it shows otherwise)."""
        for key, value in self.root.value:
            if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                dash: int = value.start_mark.column
                return max(dash - int(key.start_mark.column), 0)
        return 2

    def append_items(self, key: str, items: list[dict[str, Any]]) -> None:
        """Append map items to the list at top-level ``key`` (created at the end when absent)."""
        found = self.entry(key)
        if found is None:
            pad = " " * self._sequence_indent()
            self._insert_lines(len(self.fm), [f"{key}:", *(f"{pad}- {flow_map(i)}" for i in items)])
            return
        key_node, value = found
        if isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:null":
            if value.value:  # `history: ~` or `history: null`: drop the null, keep any comment
                self.replace(value.start_mark.index, value.end_mark.index, "")
            pad = " " * (key_node.start_mark.column + self._sequence_indent())
            self._insert_lines(self._line_end(key_node.end_mark.index), [f"{pad}- {flow_map(i)}" for i in items])
            return
        if not isinstance(value, SequenceNode):
            raise EditError(f"{self.rel}: `{key}` is not a list; fix it (`cir validate` says how), then run the command again")
        if value.flow_style:
            close = value.end_mark.index - 1
            if self.fm[close] != "]":
                raise EditError(f"{self.rel}: cannot find the end of the `{key}` list; edit it by hand")
            sep = ", " if value.value else ""
            self.replace(close, close, sep + ", ".join(flow_map(i) for i in items))
            return
        last = value.value[-1]
        line_start = self.fm.rfind("\n", 0, last.start_mark.index) + 1
        prefix = self.fm[line_start : last.start_mark.index]
        match = re.fullmatch(r"( *)-( +)", prefix)
        if match is None:
            raise EditError(f"{self.rel}: the last item of `{key}` has an unusual layout; append the entry by hand")
        dash, item_col = match.group(1), len(prefix)
        lines: list[str] = []
        for item in items:
            if isinstance(last, MappingNode) and not last.flow_style:
                block = [f"{' ' * item_col}{k}: {scalar(v)}" for k, v in item.items()]
                lines.extend([f"{dash}-{match.group(2)}{block[0].lstrip()}", *block[1:]])
            else:
                lines.append(f"{dash}-{match.group(2)}{flow_map(item)}")
        self._insert_lines(self._line_end(last.end_mark.index), lines)

    def add_key(self, path: KeyPath, key: str, value: Any) -> None:
        """Add ``key: value`` as the last entry of the map at ``path``, in that map's style (a
        line indented like its first key, or ``, key: value`` before the ``}`` of a flow map)."""
        node = self.node(path)
        where = format_key(path) or "the front matter"
        if not isinstance(node, MappingNode) or not node.value:
            raise EditError(f"{self.rel}: {where} is not a map of keys; edit it by hand")
        if any(isinstance(k, ScalarNode) and k.value == key for k, _ in node.value):
            raise EditError(f"{self.rel}: {where} has `{key}` already")
        if node.flow_style:
            close = node.end_mark.index - 1
            if self.fm[close] != "}":
                raise EditError(f"{self.rel}: cannot find the end of {where}; add `{key}` by hand")
            self.replace(close, close, f", {key}: {scalar(value, flow=True)}")
            return
        first_key, last_value = node.value[0][0], node.value[-1][1]
        at = self._line_end(last_value.end_mark.index)
        if isinstance(last_value, ScalarNode) and last_value.style in ("|", ">"):
            header = self.fm[last_value.start_mark.index:self._line_end(last_value.start_mark.index)].split("#")[0]
            if "+" not in header:  # trailing blank lines do not belong to a clipped or stripped block scalar
                while at > last_value.start_mark.index and self.fm[:at].endswith(("\n\n", "\n\r\n")):
                    at = self.fm.rfind("\n", 0, at - 1) + 1
        self._insert_lines(at, [" " * first_key.start_mark.column + f"{key}: {scalar(value)}"])

    def append_values(self, key: str, values: list[str]) -> None:
        """Append scalars to the list at top-level ``key``, in the list's own style (flow or
        block); a missing or empty key becomes a flow list (``key: [a]``) on its own line."""
        found = self.entry(key)
        if found is None:
            self._insert_lines(len(self.fm), [f"{key}: [{', '.join(scalar(v, flow=True) for v in values)}]"])
            return
        key_node, value = found
        if isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:null":
            end = self.fm.find("\n", key_node.end_mark.index)
            end = len(self.fm) if end < 0 else end - (self.fm[end - 1] == "\r")
            rest = self.fm[key_node.end_mark.index : end]
            comment = re.search(r"\s+#.*$", rest)
            flow = "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"
            self.replace(key_node.end_mark.index, end, f": {flow}" + (comment.group(0) if comment else ""))
            return
        if not isinstance(value, SequenceNode):
            raise EditError(f"{self.rel}: `{key}` is not a list; fix it (`cir validate` says how), then run the command again")
        if value.flow_style:
            close = value.end_mark.index - 1
            if self.fm[close] != "]":
                raise EditError(f"{self.rel}: cannot find the end of the `{key}` list; edit it by hand")
            sep = ", " if value.value else ""
            self.replace(close, close, sep + ", ".join(scalar(v, flow=True) for v in values))
            return
        last = value.value[-1]
        line_start = self.fm.rfind("\n", 0, last.start_mark.index) + 1
        match = re.fullmatch(r"( *)-( +)", self.fm[line_start : last.start_mark.index])
        if match is None:
            raise EditError(f"{self.rel}: the last item of `{key}` has an unusual layout; add the value by hand")
        self._insert_lines(self._line_end(last.end_mark.index),
                           [f"{match.group(1)}-{match.group(2)}{scalar(v)}" for v in values])

    def result(self) -> str:
        """The whole file's new text (front matter spliced, everything else unchanged)."""
        fm = self.fm
        for start, end, text in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            fm = fm[:start] + text + fm[end:]
        t = self.record.text
        return t[: self.record.fm_start] + fm + t[self.record.fm_end :]




# --- changes -------------------------------------------------------------------------------------


@dataclass
class Change:
    """One file to write (``old`` is removed afterwards when the file was renamed)."""

    path: Path
    rel: str
    data: bytes
    old: Path | None = None
    summary: str = ""

    def as_write(self) -> FileWrite:
        renamed = self.old is not None and self.old != self.path
        return FileWrite(self.path, self.data, create=renamed, remove=self.old if renamed else None)


def apply_changes(changes: list[Change], rel: Any = None) -> None:
    """Write every file and remove the old names of renamed ones: all of it or, when one write
    fails, none of it (:class:`~cir_portal.authoring.atomic.WriteRefused` says which and why)."""
    write_files([c.as_write() for c in changes], rel=rel)


def check_writable(result: LoadResult, changes: list[Change]) -> None:
    """Refuse (before anything is written) when a file to change is a link or read-only."""
    for change in changes:
        for path in {change.path, change.old} - {None}:
            assert path is not None
            try:
                check_target(path, create=path is change.path and change.old not in (None, change.path),
                             rel=result.project.rel)
            except WriteRefused as exc:
                raise Refused(str(exc)) from None


def verify(editor: Editor, new_text: str, expected: dict[str, Any], kind: str) -> bytes:
    """The new file's bytes, after checking that it parses to exactly ``expected``."""
    data = editor.record.encode(new_text)
    src = read_source(editor.record.path, editor.rel, kind, data)
    if src.data != expected or any(i.code.startswith(("yaml.", "file.")) for i in src.issues):
        raise EditError(f"{editor.rel}: the automatic edit did not give the expected front matter, so the file was "
                        "not changed; please edit it by hand (and report this as a cir-portal bug)")
    return data


def _new_errors(result: LoadResult, old_rels: Iterable[str], issues: dict[str, list[Issue]]) -> list[Issue]:
    """Errors the edited files would have that the files did not have before (by code and key)."""
    before = {(i.code, i.key) for i in result.issues if i.path in set(old_rels) and i.severity == "error"}
    return [i for found in issues.values() for i in found if i.severity == "error" and (i.code, i.key) not in before]


def find_record(result: LoadResult, rid: str) -> list[SourceFile]:
    """The sources whose front matter has id ``rid`` (a :class:`Refused` when there is none)."""
    found = [s for s in result.sources if s.data is not None and s.data.get("id") == rid]
    if not found:
        known = [str(s.data.get("id")) for s in result.sources if s.data is not None]
        close = closest(rid, known, cutoff=0.7)
        unreadable = [s.rel for s in result.sources if s.data is None and s.path.name.startswith(rid)]
        lines = [f"{u} has that id in its name but cannot be read; run `cir validate`" for u in unreadable]
        raise Refused(f"no record has the id {rid!r}" + (f"; did you mean {close!r}?" if close else ""), lines)
    return found


def _one_improvement(result: LoadResult, rid: str, what: str) -> tuple[SourceFile, dict[str, Any]]:
    """The one improvement with id ``rid`` and its front matter (a :class:`Refused` when the id is
    unknown, used twice, or not an improvement's: only improvements ``what``)."""
    sources = find_record(result, rid)
    if len(sources) > 1:
        raise Refused(f"the id {rid!r} is used by {len(sources)} files: {', '.join(s.rel for s in sources)}",
                      [f"Run `cir renumber {rid}` first."])
    src = sources[0]
    assert src.data is not None
    if src.kind != "improvement":
        raise Refused(f"{rid} is a {src.kind}; only improvements {what}")
    return src, src.data


def _checked_edit(result: LoadResult, src: SourceFile, editor: Editor, expected: dict[str, Any], refusal: str) -> bytes:
    """The edited file's bytes, once they are shown to parse to ``expected`` and to validate with the
    rest of the register (a :class:`Refused` starting with ``refusal`` lists what would not)."""
    new_bytes = verify(editor, editor.result(), expected, src.kind)
    would = check_candidates(result, [candidate(result.project, src.kind, src.path, new_bytes.decode("utf-8-sig"))],
                             replacing=[src.rel])
    errors = _new_errors(result, [src.rel], would)
    if errors:
        raise Refused(f"{refusal}: the record would not validate",
                      [f"{i.path}:{i.line}: {i.key + ': ' if i.key else ''}{i.message}" for i in errors])
    return new_bytes


# --- cir move ------------------------------------------------------------------------------------


def plan_move(result: LoadResult, rid: str, target: str, *, note: str | None = None, date: str | None = None) -> Change:
    """The edit that moves improvement ``rid`` to status ``target`` (a :class:`Refused` explains why not)."""
    config = result.config
    assert config is not None
    wf = config.workflow
    src, data = _one_improvement(result, rid, "have a status to move")
    key = Vocabulary(config).status(target) or target
    if key not in wf.statuses:
        raise Refused(f"{target!r} is not a status of site_config/workflow.yml", [f"Statuses: {', '.join(wf.order)}."])
    current = data.get("status")
    if current == key:
        raise Refused(f"{rid} is already {key!r}")
    if not isinstance(current, str) or current not in wf.statuses:
        raise Refused(f"{src.rel}: the current status {current!r} is not a status of site_config/workflow.yml",
                      ["Fix `status` first (`cir validate` shows the allowed values)."])
    if not wf.allowed(current, key):
        allowed = ", ".join(wf.statuses[current].transitions) or "nowhere (it is final)"
        raise Refused(f"{rid} is {current!r}, which may not move to {key!r}",
                      [f"From {current!r} it may move to: {allowed} (site_config/workflow.yml)."])
    missing = _missing_for(config, data, key)
    if missing:
        width = max(len(k) for k, _ in missing)
        raise Refused(f"{rid} cannot move to {key!r}: {src.rel} lacks what {key!r} requires",
                      ["Add these keys to the front matter, then run the command again:",
                       *(f"    {k:<{width}}  {about}".rstrip() for k, about in missing)])
    day = date or today()
    if not _DATE.match(day):
        raise Refused(f"--date {day!r} is not a date", ["Write it as YYYY-MM-DD."])
    history: list[Any] = data["history"] if isinstance(data.get("history"), list) else []
    last_date = next((h.get("date") for h in reversed(history) if isinstance(h, dict) and isinstance(h.get("date"), str)),
                     data.get("raised"))
    if isinstance(last_date, str) and day < last_date:
        raise Refused(f"{day} is before the record's last change ({last_date})", ["Use a later --date."])
    entry: dict[str, Any] = {"date": day, "status": key}
    if note:
        entry["note"] = note
    entries = [entry] if history else [{"date": data.get("raised", day), "status": current}, entry]

    editor = Editor(RecordText.read(src.path, src.rel), src.rel)
    editor.set_scalar(("status",), key)
    editor.append_items("history", entries)
    expected = copy.deepcopy(data)
    expected["status"] = key
    expected["history"] = [*history, *entries]
    new_bytes = _checked_edit(result, src, editor, expected, f"{rid} cannot move to {key!r}")
    return Change(src.path, src.rel, new_bytes, summary=f"{rid} {current} -> {key}")


def _missing_for(config: Config, data: dict[str, Any], status: str) -> list[tuple[str, str]]:
    """``(key, what it is)`` for every key ``status`` requires that ``data`` lacks.

    A missing map or list is listed with the keys required inside it
    (``business_case.problem``, ``metrics[].baseline``), so one run shows all there is to add.
    """
    out: dict[str, str] = {}
    for requirement in config.workflow.statuses[status].requires:
        segments = requirement.split(".")
        for path in missing_keys(data, segments, ()):
            rest = segments[len(path) - sum(isinstance(p, int) for p in path):]
            shown = ".".join([format_key(path), *rest])
            leaf = (*path, *(part for seg in rest for part in (seg.removesuffix("[]"), 0)[: 1 + seg.endswith("[]")]))
            out.setdefault(shown, key_description(config, leaf))
    keys = list(out)
    return [(k, out[k]) for k in keys if not any(o != k and o.startswith((k + ".", k + "[")) for o in keys)]


# --- cir support ---------------------------------------------------------------------------------


def plan_support(result: LoadResult, rid: str, person: str) -> Change | None:
    """The edit that adds ``person`` (an id, name or email of people.yml) to the ``supporters`` of
    improvement ``rid``; None when they are a supporter already. A :class:`Refused` explains why not."""
    config = result.config
    assert config is not None
    src, data = _one_improvement(result, rid, "have supporters")
    pid = Vocabulary(config).person(person) or person
    if pid not in config.people:
        close = closest(pid, config.people)
        hint = f"; did you mean {close!r}?" if close else ""
        raise Refused(f"{person!r} is not a person in site_config/people.yml{hint}",
                      ["Supporters are people of site_config/people.yml: pass --person with their id, or add them there."])
    current = data.get("supporters")
    if current is not None and not isinstance(current, list):
        raise Refused(f"{src.rel}: `supporters` is not a list", ["Fix it first (`cir validate` says how)."])
    backers = list(current or [])
    if pid in backers:
        return None
    editor = Editor(RecordText.read(src.path, src.rel), src.rel)
    editor.append_values("supporters", [pid])
    expected = copy.deepcopy(data)
    expected["supporters"] = [*backers, pid]
    new_bytes = _checked_edit(result, src, editor, expected, f"{pid} cannot be added to the supporters of {rid}")
    n = len(expected["supporters"])
    return Change(src.path, src.rel, new_bytes, summary=f"{pid} supports {rid} ({n} supporter{'s' if n != 1 else ''})")


# --- cir renumber --------------------------------------------------------------------------------


@dataclass
class Renumbering:
    """What ``cir renumber`` will do: the new id, the files to write, and text mentions to check by hand."""

    old_id: str
    new_id: str
    changes: list[Change]
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


def _paths(data: Any, segments: list[str], path: KeyPath = ()) -> Iterator[KeyPath]:
    """Key paths a pattern like ``gaps[].improvement`` reaches in ``data``."""
    if not segments or not isinstance(data, dict):
        return
    seg = segments[0]
    key = seg.removesuffix("[]")
    if key not in data:
        return
    value = data[key]
    if seg.endswith("[]"):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if len(segments) == 1:
                    yield (*path, key, i)
                else:
                    yield from _paths(item, segments[1:], (*path, key, i))
    elif len(segments) == 1:
        yield (*path, key)
    else:
        yield from _paths(value, segments[1:], (*path, key))


def _value(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: KeyPath, value: Any) -> None:
    _value(data, path[:-1])[path[-1]] = value


def _changed_files(result: LoadResult, ref: str) -> set[str]:
    """Record files (relative to the project) that differ from ``ref`` or are not tracked."""
    root = result.project.root
    diff = git(root, "diff", "--name-only", "--relative", ref, "--", "content") or ""
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "--", "content") or ""
    return set(diff.splitlines()) | set(untracked.splitlines())


def plan_renumber(result: LoadResult, target: str, *, reserved: Iterable[str] = ()) -> Renumbering:
    """Give the record ``target`` (an id or a file path) the next free id and rewrite references to it.

    When two local files share the id (a branch merged with the default branch), the one
    not on the default branch is renumbered, and only references in files this branch
    changed are rewritten: the others refer to the record that keeps the id.
    """
    config = result.config
    assert config is not None
    root = result.project.root
    wanted = Path(target).resolve()
    by_path = [s for s in result.sources if s.data is not None and (s.rel == target or s.path.resolve() == wanted)]
    sources = by_path or find_record(result, target)
    only_changed: set[str] | None = None
    if len(sources) > 1:
        ref = default_ref(root)
        changed = _changed_files(result, ref) if ref else set()
        mine = [s for s in sources if s.rel in changed]
        if ref is None or len(mine) != 1:
            raise Refused(f"the id {target!r} is used by {len(sources)} files: {', '.join(s.rel for s in sources)}",
                          ["Say which one to renumber: `cir renumber <path of that file>`."])
        sources, only_changed = mine, changed
    src = sources[0]
    assert src.data is not None
    old_id = str(src.data["id"])
    new_id = allocator(result, src.kind, reserved).next()

    name = src.path.name
    new_name = new_id + name[len(old_id):] if name.startswith(old_id) else f"{new_id}-{name}"
    new_path = src.path.with_name(new_name)
    if new_path.exists():
        raise Refused(f"{result.project.rel(new_path)} already exists", ["Remove or rename it, then run again."])
    plan = Renumbering(old_id, new_id, [])
    edits: dict[str, tuple[Any, Editor, dict[str, Any]]] = {}

    def editor_for(s: Any) -> tuple[Editor, dict[str, Any]]:
        if s.rel not in edits:
            edits[s.rel] = (s, Editor(RecordText.read(s.path, s.rel), s.rel), copy.deepcopy(s.data))
        return edits[s.rel][1], edits[s.rel][2]

    editor, expected = editor_for(src)
    editor.set_scalar(("id",), new_id)
    expected["id"] = new_id
    for other in result.sources:
        if other.data is None:
            continue
        for kind, pattern in REFERENCES[src.kind]:
            if other.kind != kind:
                continue
            for path in _paths(other.data, pattern.split(".")):
                value = _value(other.data, path)
                if not isinstance(value, str) or not (value == old_id or value.startswith(old_id + "#")):
                    continue
                where = f"{other.rel}: {format_key(path)}"
                if only_changed is not None and other.rel not in only_changed and other is not src:
                    plan.skipped.append(where)
                    continue
                ed, exp = editor_for(other)
                new_value = new_id + value[len(old_id):]
                ed.set_scalar(path, new_value)
                _set(exp, path, new_value)
                plan.updated.append(where)
    mention = re.compile(rf"(?<![\w-]){re.escape(old_id)}(?!\d)")
    for other in result.sources:
        for n, line in enumerate(other.body.splitlines(), other.body_line):
            if mention.search(line) and (only_changed is None or other.rel in only_changed or other is src):
                plan.mentions.append(f"{other.rel}:{n}")

    cands = []
    for s, ed, exp in edits.values():
        dest = new_path if s is src else s.path
        new_bytes = verify(ed, ed.result(), exp, s.kind)
        plan.changes.append(Change(dest, result.project.rel(dest), new_bytes, old=s.path if s is src else None))
        cands.append(candidate(result.project, s.kind, dest, new_bytes.decode("utf-8-sig")))
    would = check_candidates(result, cands, replacing=list(edits))
    errors = _new_errors(result, list(edits), would)
    if errors:
        raise Refused(f"renumbering {old_id} to {new_id} would leave errors",
                      [f"{i.path}:{i.line}: {i.key + ': ' if i.key else ''}{i.message}" for i in errors])
    return plan

