"""Loading: files to raw records, safely, with source positions; never raises for bad content.

YAML is parsed with libyaml into nodes and built into plain values by our own walker,
which rejects duplicate keys and language-specific tags and caps the number of values an
alias can expand to. Scalars follow the YAML 1.2 core schema (``no`` and ``on`` stay
strings; dates stay ISO strings), which is what contributors mean.

Source positions are not kept for every value: that would cost as much as the parse.
``locate`` finds the position of a key path again, on demand, for the few values an issue
is about.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cir_portal.core.issues import Issue, format_key

#: Folder under ``content/`` for each record kind.
KIND_FOLDERS: dict[str, str] = {
    "improvement": "improvements",
    "lesson": "lessons",
    "objective": "objectives",
    "assessment": "assessments",
}

#: Most values a single document may expand to (guards against alias bombs).
MAX_VALUES = 100_000
#: Deepest nesting accepted (guards against recursive aliases and runaway structures).
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _CoreResolver(yaml.resolver.BaseResolver):
    """Implicit types of the YAML 1.2 core schema, without timestamps."""


_CoreResolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_CoreResolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_CoreResolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _NodeLoader(CParser, _CoreResolver):
    """libyaml's parser and composer with the core-schema resolver; constructs nothing."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        _CoreResolver.__init__(self)


class YamlProblem(Exception):
    """Bad YAML content at a position (line and column are 1-based, in the YAML text)."""

    def __init__(self, code: str, message: str, line: int, column: int, key: str = "", hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.line, self.column, self.key, self.hint = code, message, line, column, key, hint


def compose(text: str) -> Node | None:
    """The node tree of one YAML document, by the parser validation uses (libyaml, core schema):
    the editor finds the spans it changes with the same parser, so both accept the same files."""
    loader = _NodeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _scalar(node: ScalarNode, path: tuple[str | int, ...]) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value in ("true", "True", "TRUE")
    try:
        if tag == _INT:
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
        if tag == _FLOAT:
            return float(value)
    except ValueError:
        pass
    mark = node.start_mark
    raise YamlProblem(
        "yaml.tag",
        f"the tag {tag!r} is not allowed here (value {value!r})",
        mark.line + 1,
        mark.column + 1,
        format_key(path),
        "Remove the tag: front matter holds plain strings, numbers, true/false, lists and maps.",
    )


def _build(root: Node, problems: list[YamlProblem]) -> Any:
    """Turn a node tree into plain values; duplicate keys are recorded in ``problems``."""
    count = 0

    def build(node: Node, path: tuple[str | int, ...]) -> Any:
        nonlocal count
        count += 1
        if count > MAX_VALUES or len(path) > MAX_DEPTH:
            mark = node.start_mark
            raise YamlProblem(
                "yaml.too_large",
                f"the front matter expands to more than {MAX_VALUES} values or {MAX_DEPTH} levels",
                mark.line + 1,
                mark.column + 1,
                format_key(path),
                "Remove YAML anchors and aliases (&name, *name); a record needs neither.",
            )
        if isinstance(node, ScalarNode):
            return _scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                raise _tag_problem(node, path)
            return [build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                raise _tag_problem(node, path)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    mark = key_node.start_mark
                    raise YamlProblem(
                        "yaml.key", "a key must be a plain word, not a list or map",
                        mark.line + 1, mark.column + 1, format_key(path),
                    )
                key = key_node.value
                if key in out:
                    mark = key_node.start_mark
                    problems.append(
                        YamlProblem(
                            "yaml.duplicate_key",
                            f"duplicate key {key!r}: it is already set above in the same map",
                            mark.line + 1,
                            mark.column + 1,
                            format_key((*path, key)),
                            "Keep one of the two entries; YAML does not merge them.",
                        )
                    )
                    continue
                out[key] = build(value_node, (*path, key))
            return out
        raise _tag_problem(node, path)  # pragma: no cover - libyaml makes only the three kinds

    return build(root, ())


def _tag_problem(node: Node, path: tuple[str | int, ...]) -> YamlProblem:
    mark = node.start_mark
    return YamlProblem(
        "yaml.tag",
        f"the tag {node.tag!r} is not allowed",
        mark.line + 1,
        mark.column + 1,
        format_key(path),
        "Remove the tag: front matter holds plain strings, numbers, true/false, lists and maps.",
    )


def parse_yaml(text: str) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML document safely. Returns the value and the problems found.

    A syntax error, a forbidden tag or an alias bomb yields ``(None, [problem])``;
    duplicate keys yield the value (first entry kept) and one problem each.
    """
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        return None, [YamlProblem("yaml.syntax", f"YAML syntax error: {what}", line, column,
                                  hint="Check indentation and quoting; quote text that contains ': ' or starts with a symbol.")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem("yaml.syntax", f"YAML error: {exc}", 0, 0)]
    if root is None:
        return None, []
    problems: list[YamlProblem] = []
    try:
        value = _build(root, problems)
    except YamlProblem as problem:
        return None, [problem]
    except RecursionError:
        return None, [YamlProblem("yaml.too_large", "the front matter is nested too deeply", 0, 0)]
    return value, problems


def locate(text: str, path: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
    """Position (1-based line, column in ``text``) of the value at ``path``.

    With ``key=True`` the position of the key itself. When the path does not exist
    completely, the position of the deepest part that does. ``(0, 0)`` if nothing parses.
    """
    try:
        node = compose(text)
    except yaml.YAMLError:
        return (0, 0)
    if node is None:
        return (0, 0)
    best = node.start_mark
    last = len(path) - 1
    for depth, part in enumerate(path):
        if isinstance(node, MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == part:
                    best = key_node.start_mark
                    if key and depth == last:
                        return (best.line + 1, best.column + 1)
                    node = value_node
                    best = node.start_mark
                    break
            else:
                break
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            best = node.start_mark
        else:
            break
    return (best.line + 1, best.column + 1)


@dataclass(slots=True)
class SourceFile:
    """A record file as read: front matter (parsed), body, and where each starts.

    ``data`` is None when the file could not be read as a record; ``issues`` says why.
    """

    path: Path
    rel: str
    kind: str
    data: dict[str, Any] | None = None
    front_matter: str = ""
    body: str = ""
    front_line: int = 2
    body_line: int = 0
    issues: list[Issue] = field(default_factory=list)

    def position(self, path: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
        """File position (line, column) of a key path in the front matter."""
        if not self.front_matter:
            return (1, 1)
        line, column = locate(self.front_matter, path, key=key)
        if line == 0:
            return (self.front_line, 1)
        return (line + self.front_line - 1, column)

    def issue(self, path: tuple[str | int, ...], code: str, message: str, hint: str = "", *,
              severity: str = "error", at_key: bool = False, key: tuple[str | int, ...] | None = None) -> Issue:
        """An issue about the value (or, with ``at_key``, the key) at ``path``, named ``key`` (default ``path``)."""
        line, column = self.position(path, key=at_key)
        return Issue(self.rel, line, column, format_key(path if key is None else key),
                     severity, code, message, hint)  # type: ignore[arg-type]


def decode(raw: bytes) -> tuple[str | None, tuple[int, int, str] | None]:
    """Decode UTF-8 (a BOM is dropped, CRLF becomes LF).

    Returns ``(text, None)``, or ``(None, (line, column, message))`` for bytes that are not UTF-8.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = raw.count(b"\n", 0, start) + 1
        line_start = raw.rfind(b"\n", 0, start) + 1
        if line_start == 0 and raw.startswith(b"\xef\xbb\xbf"):
            line_start = 3  # the byte-order mark is not a column
        # Columns count characters, as libyaml and editors do: decode the line up to the bad byte.
        column = len(raw[line_start:start].decode("utf-8", errors="replace")) + 1
        guess = ""
        try:
            raw.decode("gb18030")
            guess = " It looks like GBK/GB18030 (a Chinese Windows encoding)."
        except UnicodeDecodeError:
            pass
        return None, (line, column, f"the file is not UTF-8 (byte 0x{raw[start]:02X} cannot be decoded).{guess}")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, None


_FENCE = re.compile(r"^---[ \t]*$", re.M)
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def read_source(path: Path, rel: str, kind: str, raw: bytes | None = None, *, parse: bool = True) -> SourceFile:
    """Read one record file into a :class:`SourceFile`; problems become its issues.

    With ``parse=False`` the front matter is split off but not parsed (the caller has the
    parsed value from a cache).
    """
    src = SourceFile(path, rel, kind)
    try:
        if raw is None:
            raw = path.read_bytes()
    except OSError as exc:
        src.issues.append(Issue(rel, 0, 0, "", "error", "file.unreadable", f"cannot read the file: {exc.strerror}"))
        return src
    text, bad = decode(raw)
    if bad is not None:
        line, column, message = bad
        src.issues.append(Issue(rel, line, column, "", "error", "file.encoding", message,
                                "Save the file as UTF-8 (in most editors: Save with Encoding > UTF-8)."))
        return src
    assert text is not None
    start = _FENCE.match(text)
    if start is None:
        src.issues.append(Issue(rel, 1, 1, "", "error", "file.front_matter",
                                "the file does not start with front matter (a line `---`)",
                                "Start the file with `---`, the YAML keys, and another `---` line."))
        return src
    end = _END.search(text, start.end())
    if end is None:
        src.issues.append(Issue(rel, 1, 1, "", "error", "file.front_matter",
                                "the front matter is not closed: no second `---` line",
                                "Add a line `---` after the last key."))
        return src
    fm = text[start.end() + 1 : end.start()]
    src.front_matter = fm
    src.body_line = text.count("\n", 0, end.end()) + 2
    src.body = text[end.end() + 1 :]
    if not parse:
        return src
    value, problems = parse_yaml(fm)
    for p in problems:
        line = p.line + 1 if p.line else 2
        src.issues.append(Issue(rel, line, p.column, p.key, "error", p.code, p.message, p.hint))
    if value is None and not problems:
        src.issues.append(Issue(rel, 2, 1, "", "error", "file.front_matter", "the front matter is empty",
                                "Add the record's keys between the two `---` lines."))
    elif value is not None and not isinstance(value, dict):
        src.issues.append(Issue(rel, 2, 1, "", "error", "file.front_matter",
                                "the front matter must be a map of keys (key: value), not a single value or list"))
    elif isinstance(value, dict):
        src.data = value
    return src


def record_files(content: Path) -> Iterator[tuple[str, Path]]:
    """Every record file under ``content``, as (kind, path), in a stable order."""
    for kind, folder in KIND_FOLDERS.items():
        base = content / folder
        if base.is_dir():
            found: list[str] = []
            _markdown_files(str(base), found)
            for path in sorted(found, key=_path_order):
                yield kind, Path(path)


def _path_order(path: str) -> list[str]:
    """The order of ``sorted`` on the paths as ``Path`` objects (part by part, the system's case
    rules), for paths under one folder: compared as lists of strings, four times as quick."""
    return os.path.normcase(path).split(os.sep)


def _markdown_files(folder: str, found: list[str]) -> None:
    """The ``*.md`` files under ``folder`` into ``found``, as ``Path.rglob("*.md")`` and
    ``is_file()`` would give them (links to folders not followed), at half the cost."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _markdown_files(entry.path, found)
        elif entry.name.endswith(".md") and entry.is_file():
            found.append(entry.path)


def load_yaml_file(path: Path, rel: str) -> tuple[Any, list[Issue], str]:
    """Read a configuration YAML file. Returns (value, issues, text)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Issue(rel, 0, 0, "", "error", "file.unreadable", f"cannot read the file: {exc.strerror}")], ""
    text, bad = decode(raw)
    if bad is not None:
        line, column, message = bad
        return None, [Issue(rel, line, column, "", "error", "file.encoding", message,
                            "Save the file as UTF-8.")], ""
    assert text is not None
    value, problems = parse_yaml(text)
    issues = [Issue(rel, p.line, p.column, p.key, "error", p.code, p.message, p.hint) for p in problems]
    return value, issues, text
