"""Importing spreadsheets: register rows to improvement records.

Organisations usually start from a spreadsheet list of improvements. ``plan_import`` maps
its columns to front matter keys (the content model's names and their Chinese labels by
default, or a mapping file), turns cell values into keys (高 -> high, 已批准 -> approved,
李娜 -> li.na), gives every row an id, and runs the validator on each would-be file: rows
that would not validate are reported with their row number and are not written. Nothing
existing is ever overwritten. Reading the sheets is ``tables``; ``cir export`` (the register
written back out) is the exports view's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cir_portal.authoring.atomic import FileWrite, write_files
from cir_portal.authoring.ids import IdAllocator, allocator, record_path
from cir_portal.authoring.scaffold import (
    Vocabulary,
    body_template,
    candidate,
    check_candidates,
    norm,
    order_fields,
    today,
)
from cir_portal.authoring.tables import ImportProblem, Table, empty
from cir_portal.authoring.yaml_text import front_matter, record_text
from cir_portal.core.config import Config
from cir_portal.core.i18n import STRINGS
from cir_portal.core.issues import Issue
from cir_portal.core.loading import load_yaml_file
from cir_portal.core.pipeline import LoadResult
from cir_portal.core.schemas import resolve_node, schema_node

KIND = "improvement"
#: Many rows: show a progress bar.
PROGRESS_ROWS = 200
#: Header words for each key, besides the key itself and its portal labels (i18n.STRINGS).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("标识", "改进标识", "编号", "改进编号", "序号id", "identifier"),
    "title": ("名称", "标题", "改进名称", "改进项", "name", "summary"),
    "status": ("状态", "当前状态"),
    "raised": ("提出日期", "登记日期", "提出时间", "date raised", "created"),
    "requester": ("请求者", "提出人", "申请人", "请求者/来源"),
    "source": ("来源", "来源类型", "source type"),
    "source_ref": ("来源编号", "来源引用", "来源参考", "reference"),
    "affects": ("受影响对象", "影响对象", "受影响的服务", "affected item", "affected items"),
    "urgency": ("紧急度", "紧急程度", "priority urgency"),
    "cost": ("成本",),
    "value": ("价值", "收益", "价值/收益", "价值收益", "benefit", "benefit statement", "value/benefit"),
    "owner": ("负责人", "责任人"),
    "plan": ("改进计划", "计划"),
    "approved_by": ("批准人",),
    "approved_on": ("批准日期",),
    "target_date": ("目标日期", "计划完成日期"),
    "closed_on": ("关闭日期",),
    "originator_notified": ("答复日期", "已答复请求者"),
    "tags": ("标签",),
    "body": ("描述", "说明", "详细描述", "备注", "description", "details", "notes", "body", "正文"),
    "team": ("团队",),
    "url": ("链接", "网址"),
}
#: Columns the export writes that are derived, not record keys: skipped on import.
DERIVED = frozenset({"team", "url"})
LIST_SPLIT = re.compile(r"\s*[;；,，、\n]\s*")
_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TRUE = frozenset({"true", "yes", "y", "1", "是", "对", "√", "✓", "x"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "不", "×"})


# --- the mapping ---------------------------------------------------------------------------------


@dataclass
class Mapping:
    """How columns and values become front matter (a mapping file overrides the defaults).

    ``columns``: header -> key (None skips the column); ``values``: key -> {cell text -> value};
    ``defaults``: keys for rows that have no value for them.
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)


MAPPING_EXAMPLE = """\
columns:            # header in the spreadsheet -> key of the record (null: ignore the column)
  改进编号: id
  问题描述: body
  部门: null
values:             # per key: text in the spreadsheet -> value in the record
  status: {进行中: in_progress, 完成: closed}
  urgency: {P1: high, P2: medium, P3: low}
defaults:           # for rows that leave these empty
  source: staff_idea
  requester: zhou.min
"""


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file (YAML); problems are :class:`ImportProblem` with an example of the format."""
    value, issues, _ = load_yaml_file(path, str(path))
    example = "\nA mapping file looks like this:\n" + MAPPING_EXAMPLE
    if issues:
        i = issues[0]
        raise ImportProblem(f"{path}:{i.line}:{i.column}: {i.message}")
    if not isinstance(value, dict) or not set(value) <= {"columns", "values", "defaults"}:
        raise ImportProblem(f"{path}: expected the keys columns, values and defaults" + example)
    columns, values, defaults = value.get("columns") or {}, value.get("values") or {}, value.get("defaults") or {}
    if not isinstance(columns, dict) or not all(v is None or isinstance(v, str) for v in columns.values()):
        raise ImportProblem(f"{path}: `columns` must map each header to a key (or null)" + example)
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise ImportProblem(f"{path}: `values` must map each key to a map of cell text -> value" + example)
    if not isinstance(defaults, dict):
        raise ImportProblem(f"{path}: `defaults` must map keys to values" + example)
    return Mapping({str(k): v for k, v in columns.items()},
                   {k: {norm(str(a)): b for a, b in v.items()} for k, v in values.items()}, defaults)


def header_words(config: Config) -> dict[str, str]:
    """Normalised header text -> key: keys, portal labels (en and zh) and the aliases above."""
    keys = list(config.schemas[KIND].schema.get("properties", {}))
    table: dict[str, str] = {}
    for key in [*keys, "body", *DERIVED]:
        for word in (key, key.replace("_", " "), *STRINGS.get(key, {}).values(), *HEADER_ALIASES.get(key, ())):
            table.setdefault(norm(word), key)
    for sub in config.schemas[KIND].schema.get("$defs", {}).get("business_case", {}).get("properties", {}):
        table.setdefault(norm(f"business_case.{sub}"), f"business_case.{sub}")
    return table


def _header_key(header: str, words: dict[str, str]) -> str | None:
    """The key a header names; bilingual headers (``名称 Title``, ``状态/Status``) work by either half."""
    candidates = [header, *re.split(r"[/／|()（）\[\]【】\n:：]+", header),
                  re.sub(r"[A-Za-z0-9 _.\-]+", "", header), re.sub(r"[^A-Za-z0-9 _.\-]+", " ", header)]
    for text in candidates:
        key = words.get(norm(text))
        if key is not None:
            return key
    return None


def map_columns(headers: list[str], mapping: Mapping, config: Config) -> tuple[dict[int, str], list[str]]:
    """Column index -> key, and notes about columns that are ignored. Two columns for one key is an error."""
    words = header_words(config)
    explicit = {norm(k): v for k, v in mapping.columns.items()}
    out: dict[int, str] = {}
    notes: list[str] = []
    seen: dict[str, str] = {}
    for i, header in enumerate(headers):
        if not header:
            continue
        key = explicit[norm(header)] if norm(header) in explicit else _header_key(header, words)
        if key is None:
            if norm(header) not in explicit:
                notes.append(f"column {header!r} is not a key of improvement records and is ignored "
                             "(map it with --mapping if it should be imported)")
            continue
        if key in DERIVED:
            continue
        if key not in words.values() and key != "body":
            raise ImportProblem(f"column {header!r} is mapped to {key!r}, which is not a key of improvement records; "
                                f"map it to one of: {', '.join(sorted(set(words.values()) - DERIVED))} (or null to skip it)")
        if key in seen:
            raise ImportProblem(f"columns {seen[key]!r} and {header!r} both map to {key!r}; "
                                "say which one to use in a mapping file (--mapping), e.g.\n"
                                f"columns:\n  {header}: null")
        seen[key] = header
        out[i] = key
    if "title" not in seen and "title" not in mapping.defaults:
        raise ImportProblem(f"no column holds the title (found: {', '.join(h for h in headers if h)}); name one column "
                            "`title` or 名称, or map it in a mapping file (--mapping)")
    return out, notes


# --- cell values ---------------------------------------------------------------------------------


def _schema_node(config: Config, key: str) -> dict[str, Any]:
    """The improvement schema's node for ``key`` (``business_case.problem`` for a nested key),
    refs resolved, with ``items`` resolved too; a copy (the loaded schema is never changed)."""
    root = config.schemas[KIND].schema
    node = schema_node(root, key.split("."))
    node["items"] = resolve_node(root, node.get("items", {}))
    return node


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    text = _text(value)
    match = _DATE_PARTS.match(text)
    if match:
        text = "{}-{:0>2}-{:0>2}".format(*match.groups())
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD") from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD")
    return text


def _number(value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number: int | float = value
    else:
        text = re.sub(r"[\s,，¥￥$€£]", "", _text(value))
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{_text(value)!r} is not a number") from None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if integer and not isinstance(number, int):
        raise ValueError(f"{_text(value)!r} is not a whole number")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = norm(_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{_text(value)!r} is not yes/no (write true or false, 是 or 否)")


def _json(value: Any, kind: str) -> Any:
    text = _text(value)
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg} at character {exc.pos})") from None
    raise ValueError(f"write it as JSON, e.g. {kind}")


class RowConverter:
    """Turns one row's cells into front matter values, by the type each key has in the schema."""

    def __init__(self, config: Config, mapping: Mapping) -> None:
        self.config, self.mapping = config, mapping
        self.vocab = Vocabulary(config)

    def convert(self, key: str, cell: Any) -> Any:
        """The value for ``key``; a ``ValueError`` says what is wrong with the cell."""
        own = self.mapping.values.get(key, {})
        if norm(_text(cell)) in own:
            return own[norm(_text(cell))]
        v = self.vocab
        if key == "status":
            return v.status(_text(cell)) or _text(cell)
        if key in ("urgency", "cost"):
            return v.enum("level", _text(cell)) or _text(cell)
        if key == "outcome":
            return v.enum("outcome", _text(cell)) or _text(cell)
        if key in ("owner", "approved_by", "requester"):
            return v.person(_text(cell)) or _text(cell)
        if key == "supporters":
            return [v.person(item) or item for item in self.items(cell)]
        if key == "source":
            return v.term("sources", _text(cell)) or _text(cell)
        if key == "affects":
            return [v.affected(item) or item for item in self.items(cell)]
        if key == "value_types":
            return [v.term("value_types", item) or item for item in self.items(cell)]
        if key == "cost_estimate" and not _text(cell).startswith("{"):
            match = re.fullmatch(r"([\d.,\s]+)\s*([A-Za-z]{3})", _text(cell))
            if not match:
                raise ValueError(f"{_text(cell)!r}: write an amount and a currency, e.g. 30000 CNY")
            return {"amount": _number(match.group(1), False), "currency": match.group(2).upper()}
        node = _schema_node(self.config, key)
        kind = node.get("type")
        if node.get("format") == "date":
            return _date(cell)
        if kind in ("number", "integer"):
            return _number(cell, kind == "integer")
        if kind == "boolean":
            return _bool(cell)
        if kind == "array":
            if node["items"].get("type") == "object":
                return _json(cell, '[{"date": "2026-01-31", "status": "identified"}]')
            return self.items(cell)
        if kind == "object":
            return _json(cell, '{"problem": "...", "solution": "...", "benefits": "..."}')
        return _text(cell)

    @staticmethod
    def items(cell: Any) -> list[str]:
        return [item for item in LIST_SPLIT.split(_text(cell)) if item]


# --- import --------------------------------------------------------------------------------------


@dataclass
class RowResult:
    """One row: the record it becomes (``rel``) or why it cannot (``problems``)."""

    row: int
    id: str | None = None
    rel: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What ``cir import`` will write (``files``) and what it reports, row by row."""

    rows: list[RowResult]
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if r.problems]

    @property
    def created(self) -> list[RowResult]:
        return [r for r in self.rows if not r.problems]


def _issue_text(issue: Issue) -> str:
    key = f"{issue.key}: " if issue.key else ""
    hint = f" ({issue.hint})" if issue.hint else ""
    if issue.code == "schema.required" and not re.search(r"[.\[]", issue.key):
        hint += "; add a column for it, or a value under `defaults:` in a mapping file (--mapping)"
    return f"{key}{issue.message}{hint}"


def _issue_key(issue: Issue) -> str:
    """The top-level key an issue is about (for a missing key, the key that is missing)."""
    match = re.search(r"missing required key '([^']+)'", issue.message) if issue.code == "schema.required" else None
    key = issue.key or (match.group(1) if match else "")
    return key.split(".")[0].split("[")[0]


def plan_import(result: LoadResult, table: Table, mapping: Mapping, *, reserved: Iterable[str] = (),
                progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Convert and check every row; rows with problems are reported, the others become files.

    Ids: a row's own id when it is valid and free (locally, on the default branch, and in the
    rows above); otherwise the row fails if it had an id, or gets the next free id if it had
    none. References between rows are checked together, so a row may cite another new row.
    """
    config = result.config
    assert config is not None
    columns, notes = map_columns(table.headers, mapping, config)
    plan = ImportPlan([], notes=[*table.notes, *notes])
    converter = RowConverter(config, mapping)
    ids: IdAllocator = allocator(result, KIND, reserved)
    where = {str(s.data.get("id")): s.rel for s in result.sources if s.data is not None}
    lang = config.portal.language
    rows: list[tuple[RowResult, dict[str, Any], str, set[str]]] = []
    for done, (number, cells) in enumerate(table.rows, 1):
        row = RowResult(number)
        plan.rows.append(row)
        fields: dict[str, Any] = {}
        body = ""
        bad_keys: set[str] = set()
        for index, key in columns.items():
            cell = cells[index] if index < len(cells) else None
            if empty(cell):
                continue
            try:
                value = converter.convert(key, cell)
            except ValueError as exc:
                row.problems.append(f"{key}: {exc}")
                bad_keys.add(key.split(".")[0])
                continue
            if key == "body":
                body = str(value)
            elif "." in key:
                outer, inner = key.split(".", 1)
                fields.setdefault(outer, {})[inner] = value
            else:
                fields[key] = value
        for key, value in mapping.defaults.items():
            fields.setdefault(key, value)
        fields.setdefault("status", config.workflow.initial)
        if "raised" not in bad_keys:
            fields.setdefault("raised", today())
        rid = fields.get("id")
        if rid is not None:
            rid = fields["id"] = str(rid)
            if not ids.valid(rid):
                prefix, digits = config.portal.id_prefixes[KIND]
                row.problems.append(f"id: {rid!r} is not an improvement id ({prefix}- and at least {digits} digits); "
                                    "leave the cell empty to get the next free id")
                bad_keys.add("id")
            elif not ids.is_free(rid):
                owner = where.get(rid, "an earlier row" if rid in {r.id for r, *_ in rows} else "the default branch")
                row.problems.append(f"id: {rid} already exists ({owner}); records are never overwritten — leave the "
                                    "cell empty to import the row as a new record with the next free id")
                bad_keys.add("id")
            else:
                ids.take(rid)
                row.id = rid
        rows.append((row, fields, body, bad_keys))
        if progress is not None:
            progress(done)
    for row, fields, _, _ in rows:
        if "id" not in fields:
            row.id = fields["id"] = ids.next()
    pending: dict[str, tuple[RowResult, Any, Path, str, set[str]]] = {}
    for row, fields, body, bad_keys in rows:
        ordered = order_fields(config, KIND, fields)
        path = record_path(result.project, KIND, str(fields["id"]), str(ordered.get("title") or ""))
        text = record_text(front_matter(ordered), _with_body(body_template(KIND, lang), body))
        if path.exists():
            row.problems.append(f"{result.project.rel(path)} already exists and is never overwritten")
            continue
        src = candidate(result.project, KIND, path, text)
        if src.rel in pending:
            row.problems.append(f"an earlier row also becomes {src.rel}")
            continue
        pending[src.rel] = (row, src, path, text, bad_keys)
    while pending:  # a row that fails can break a row that cites it: check again until nothing changes
        found = check_candidates(result, [c[1] for c in pending.values()])
        failed = [rel for rel, (row, *_) in pending.items()
                  if row.problems or any(i.severity == "error" for i in found[rel])]
        for rel in failed:
            row, *_, bad_keys = pending.pop(rel)
            row.problems.extend(_issue_text(i) for i in found[rel]
                                if i.severity == "error" and _issue_key(i) not in bad_keys)
        if not failed:
            break
    for rel, (row, _, path, text, _) in pending.items():
        plan.files[rel] = (path, text)
        row.rel = rel
    return plan


def _with_body(template: str, text: str) -> str:
    """The body template with the imported description under its first heading."""
    if not text.strip():
        return template
    first, _, rest = template.partition("\n")
    return f"{first}\n\n{text.strip()}\n\n{rest.lstrip()}" if rest.strip() else f"{first}\n\n{text.strip()}\n"


def write_import(plan: ImportPlan, rel: Callable[[Path], str] | None = None) -> list[str]:
    """Create the files of ``plan``, atomically and all or nothing; never overwrites. Returns the paths written."""
    write_files([FileWrite(path, text.encode("utf-8"), create=True) for path, text in plan.files.values()], rel=rel)
    return list(plan.files)
