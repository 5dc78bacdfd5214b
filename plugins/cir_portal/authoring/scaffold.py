"""Scaffolding: new records with the next free id, a slug from the title, and minimal front matter.

``cir new`` and ``cir import`` share what is here: ids that are free locally and on the
default branch (``IdAllocator``), slugs that work for Chinese titles (pinyin), front matter
written in the register's own style (``front_matter``), the body template in the portal's
language, people's words turned into keys (``Vocabulary``: 高 -> high, 李娜 -> li.na,
已批准 -> approved), and ``check_candidates``, which runs the validator on would-be files so
that nothing invalid is ever written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cir_portal.authoring.atomic import write_file
from cir_portal.authoring.ids import allocator, record_path
from cir_portal.authoring.yaml_text import front_matter, record_text
from cir_portal.core.config import AFFECTS_KINDS, Config, Project
from cir_portal.core.i18n import STRINGS
from cir_portal.core.issues import Issue
from cir_portal.core.loading import KIND_FOLDERS, SourceFile, read_source
from cir_portal.core.pipeline import LoadResult
from cir_portal.core.validation import check_record, check_register, key_description

KINDS = tuple(KIND_FOLDERS)
LEVELS = ("high", "medium", "low")
PERSON_KEYS = ("requester", "owner", "approved_by", "author", "assessor")


def today() -> str:
    return dt.date.today().isoformat()


def order_fields(config: Config, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Fields in the order of the schema's properties (the order of the content model)."""
    order = {k: i for i, k in enumerate(config.schemas[kind].schema.get("properties", {}))}
    return dict(sorted(fields.items(), key=lambda kv: order.get(kv[0], len(order))))


# --- templates and hints -------------------------------------------------------------------------

BODY = {
    "improvement": {"en": ["Background", "Current state", "Target state", "Plan", "Results", "Lessons learned"],
                    "zh": ["背景", "现状", "目标状态", "计划", "结果", "经验教训"]},
    "lesson": {"en": ["What happened", "What we learned"], "zh": ["发生了什么", "学到了什么"]},
    "objective": {"en": ["Why it matters", "How it is measured"], "zh": ["为什么重要", "如何衡量"]},
    "assessment": {"en": ["Scope and method", "Findings", "Next steps"], "zh": ["范围与方法", "结论", "后续"]},
}
HINTS = {
    "person": {"en": "a person id from site_config/people.yml", "zh": "site_config/people.yml 中的人员标识"},
    "requester": {"en": "a person id from site_config/people.yml, or free text for an external stakeholder",
                  "zh": "site_config/people.yml 中的人员标识；外部干系人可写姓名或单位"},
    "one_of": {"en": "one of: {values}", "zh": "可选值：{values}"},
    "affects": {"en": "kind/key from site_config/taxonomy.yml: service/..., product/..., practice/..., value_stream/...",
                "zh": "site_config/taxonomy.yml 中的 类别/键：service/…、product/…、practice/…、value_stream/…"},
    "date": {"en": "YYYY-MM-DD", "zh": "日期，格式 YYYY-MM-DD"},
    "status": {"en": "change it with `cir move {id} <status>`; from here: {next}",
               "zh": "用 `cir move {id} <状态>` 变更；可转到：{next}"},
    "practice": {"en": "a key of `practices` in site_config/taxonomy.yml", "zh": "site_config/taxonomy.yml 中 `practices` 的键"},
    "level": {"en": "capability level, 1-5", "zh": "能力等级，1-5"},
    "ids": {"en": "{kind} ids, e.g. [{example}]", "zh": "{kind}标识，例如 [{example}]"},
    "tags": {"en": "free words", "zh": "自由填写的标签"},
    "part_of": {"en": "the initiative (an improvement id) this record is a part of",
                "zh": "本记录所属的举措（一个改进标识）"},
    "supporters": {"en": "person ids from site_config/people.yml who back it; `cir support {id}` adds you",
                   "zh": "支持本记录的人员标识（site_config/people.yml）；`cir support {id}` 可添加自己"},
    "kpis": {"en": "add items like {{name: First-contact resolution, unit: '%', target: 75}}",
             "zh": "按此格式添加：{{name: 首次解决率, unit: '%', target: 75}}"},
    "next": {"en": "Before `cir move {id} {status}`, add:", "zh": "执行 `cir move {id} {status}` 之前，请补充："},
}


def body_template(kind: str, lang: str) -> str:
    """Empty section headings for the record's body, in the portal's language."""
    headings = BODY[kind].get(lang, BODY[kind]["en"])
    return "\n".join(f"## {h}\n" for h in headings)


def _hint(name: str, lang: str, **kwargs: str) -> str:
    entry = HINTS[name]
    return (entry.get(lang) or entry["en"]).format(**kwargs)


def field_hint(config: Config, kind: str, key: str, rid: str = "") -> str:
    """A short comment telling a contributor what ``key`` accepts."""
    lang = config.portal.language
    sources = config.taxonomy.get("sources", {})
    if key == "status" and kind == "improvement":
        initial = config.workflow.statuses.get(config.workflow.initial)
        return _hint("status", lang, id=rid, next=", ".join(initial.transitions) if initial else "")
    if key in ("raised", "date", "horizon", "approved_on", "closed_on", "target_date", "originator_notified"):
        return _hint("date", lang)
    if key == "requester":
        return _hint("requester", lang)
    if key in PERSON_KEYS:
        return _hint("person", lang)
    if key == "source":
        return _hint("one_of", lang, values=", ".join(sources))
    if key in ("affects",):
        return _hint("affects", lang)
    if key in ("urgency", "cost"):
        return _hint("one_of", lang, values=", ".join(LEVELS))
    if key == "practice":
        return _hint("practice", lang)
    if key in ("level", "target_level"):
        return _hint("level", lang)
    if key == "tags":
        return _hint("tags", lang)
    if key == "part_of":
        return _hint("part_of", lang)
    if key == "supporters":
        return _hint("supporters", lang, id=rid or "IMP-…")
    if key == "kpis":
        return _hint("kpis", lang)
    ref_kinds = {"improvements": "improvement", "related": "improvement", "supersedes": "improvement",
                 "objectives": "objective", "lessons": "lesson", "parent": "objective"}
    if key in ref_kinds:
        prefix, digits = config.portal.id_prefixes[ref_kinds[key]]
        label = STRINGS[ref_kinds[key]].get(lang, ref_kinds[key])
        return _hint("ids", lang, kind=label if lang == "zh" else ref_kinds[key], example=f"{prefix}-{'1'.zfill(digits)}")
    enum = config.schemas[kind].schema.get("properties", {}).get(key, {}).get("enum")
    if enum:
        return _hint("one_of", lang, values=", ".join(map(str, enum)))
    return key_description(config, (key,), lang) if kind == "improvement" else ""


def next_status_hint(config: Config, rid: str, fields: dict[str, Any]) -> list[str]:
    """Commented-out keys that the first status after the initial one requires (to fill in later)."""
    wf = config.workflow
    initial = wf.statuses.get(wf.initial)
    target = next((t for t in initial.transitions if not wf.statuses[t].terminal), None) if initial else None
    if target is None:
        return []
    keys = list(dict.fromkeys(r.split(".")[0].removesuffix("[]") for r in wf.statuses[target].requires))
    keys = [k for k in keys if k not in fields]
    if not keys:
        return []
    width = max(len(k) for k in keys) + 2
    lines = [f"# {_hint('next', config.portal.language, id=rid, status=target)}"]
    for key in keys:
        hint = field_hint(config, "improvement", key, rid)
        lines.append(f"# {key + ':':<{width}}" + (f"  # {hint}" if hint else ""))
    return lines


# --- people's words to keys ----------------------------------------------------------------------


def norm(text: str) -> str:
    """Comparable form of a label: NFKC (full-width to half-width), case-folded, spaces/_/- as one ``_``."""
    return re.sub(r"[\s_\-]+", "_", unicodedata.normalize("NFKC", str(text)).strip().casefold()).strip("_")


class Vocabulary:
    """Keys of statuses, levels, people, taxonomy and enums from what people write in spreadsheets
    and prompts: the key itself, or a label in any language of the configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.statuses: dict[str, str] = {}
        for key, status in config.workflow.statuses.items():
            self._add(self.statuses, key, [key, *(t for _, t in status.label.texts)])
        self.people: dict[str, str] = {}
        for pid, person in config.people.items():
            self._add(self.people, pid, [pid, *(t for _, t in person.name.texts), person.email or ""])
        self.taxonomy: dict[str, dict[str, str]] = {}
        for category, entries in config.taxonomy.items():
            words: dict[str, str] = {}
            for key, entry in entries.items():
                self._add(words, key, [key, *(t for _, t in entry.name.texts)])
            self.taxonomy[category] = words
        self.affects: dict[str, str] = {}
        counts: dict[str, int] = {}
        for kind, category in AFFECTS_KINDS.items():
            for key, entry in config.taxonomy.get(category, {}).items():
                item = f"{kind}/{key}"
                names = [t for _, t in entry.name.texts]
                self._add(self.affects, item, [item, *(f"{kind}/{n}" for n in names), *names])
                counts[norm(key)] = counts.get(norm(key), 0) + 1
                self.affects.setdefault(f"key:{norm(key)}", item)
        self._ambiguous_keys = {k for k, n in counts.items() if n > 1}
        self.enums: dict[str, dict[str, str]] = {"level": {}, "outcome": {}, "kind": {}, "direction": {}}
        extra = {"high": ["h", "高"], "medium": ["m", "med", "mid", "中"], "low": ["l", "低"]}
        for level in LEVELS:
            self._add(self.enums["level"], level, [level, *extra[level], *STRINGS[level].values()])
        for key in ("achieved", "partially_achieved", "not_achieved"):
            self._add(self.enums["outcome"], key, [key, *STRINGS[key].values()])
        for key in ("success", "failure", "observation"):
            self._add(self.enums["kind"], key, [key, *STRINGS[key].values()])
        for key in ("increase", "decrease"):
            self._add(self.enums["direction"], key, [key, *STRINGS[key].values()])

    @staticmethod
    def _add(table: dict[str, str], key: str, words: Iterable[str]) -> None:
        for word in words:
            if word:
                table.setdefault(norm(word), key)

    def status(self, text: str) -> str | None:
        return self.statuses.get(norm(text))

    def person(self, text: str) -> str | None:
        return self.people.get(norm(text))

    def term(self, category: str, text: str) -> str | None:
        return self.taxonomy.get(category, {}).get(norm(text))

    def enum(self, name: str, text: str) -> str | None:
        return self.enums[name].get(norm(text))

    def affected(self, text: str) -> str | None:
        """``service/email`` from ``service/email``, ``email`` (when only one category has it) or a name."""
        found = self.affects.get(norm(text))
        if found is None and norm(text) not in self._ambiguous_keys:
            found = self.affects.get(f"key:{norm(text)}")
        return found


# --- checking would-be files ---------------------------------------------------------------------


def candidate(project: Project, kind: str, path: Path, text: str) -> SourceFile:
    """A would-be record file, read exactly as the validator would read it from disk."""
    return read_source(path, project.rel(path), kind, text.encode("utf-8"))


def check_candidates(result: LoadResult, candidates: Sequence[SourceFile], *,
                     replacing: Iterable[str] = ()) -> dict[str, list[Issue]]:
    """The issues each would-be file would have in the register, by its path.

    ``replacing`` names existing files the candidates stand in for (edited or renamed
    files). References both ways are checked: a candidate's owner must be a person, and a
    candidate must not take an id another file already has.
    """
    config = result.config
    assert config is not None
    gone = set(replacing)
    out = {c.rel: list(c.issues) + check_record(c, config) for c in candidates}
    others = [s for s in result.sources if s.rel not in gone]
    for issue in check_register([*others, *candidates], config):
        if issue.path in out:
            out[issue.path].append(issue)
    return {rel: sorted(issues, key=lambda i: i.sort_key) for rel, issues in out.items()}


@dataclass
class Planned:
    """A record file ready to be written (when ``issues`` holds no error)."""

    kind: str
    id: str
    path: Path
    rel: str
    text: str
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def write(self) -> None:
        """Create the file atomically; never overwrites (:class:`WriteRefused` if it appeared meanwhile)."""
        write_file(self.path, self.text.encode("utf-8"), create=True)


def required_keys(config: Config, kind: str) -> list[str]:
    """Top-level keys a new record of ``kind`` needs: the schema's, plus what the initial status requires."""
    keys = list(config.schemas[kind].schema.get("required", []))
    if kind == "improvement":
        initial = config.workflow.statuses.get(config.workflow.initial)
        keys += [r.split(".")[0].removesuffix("[]") for r in (initial.requires if initial else ())]
    return list(dict.fromkeys(keys))


def plan_new(result: LoadResult, kind: str, values: dict[str, Any], *, reserved: Iterable[str] = (),
             hints: bool = True) -> Planned:
    """A new record of ``kind`` with the next free id and ``values``, checked by the validator.

    ``values`` holds front matter keys (title, requester, ...); ``id`` and, for improvements,
    ``status`` (the workflow's initial status) are filled in. With ``hints`` each key gets a
    comment saying what it accepts, and an improvement lists what its next status needs.
    """
    config = result.config
    assert config is not None
    rid = allocator(result, kind, reserved).next()
    fields: dict[str, Any] = {"id": rid, **{k: v for k, v in values.items() if v is not None}}
    if kind == "improvement":
        fields.setdefault("status", config.workflow.initial)
    fields = order_fields(config, kind, fields)
    comments = {k: field_hint(config, kind, k, rid) for k in fields if k not in ("id", "title")} if hints else None
    trailer = next_status_hint(config, rid, fields) if hints and kind == "improvement" else []
    title = fields.get("title") or (f"{fields.get('practice', '')} {str(fields.get('date', ''))[:4]}"
                                    if kind == "assessment" else "")
    path = record_path(result.project, kind, rid, str(title))
    text = record_text(front_matter(fields, comments, trailer), body_template(kind, config.portal.language))
    src = candidate(result.project, kind, path, text)
    issues = check_candidates(result, [src])[src.rel]
    return Planned(kind, rid, path, src.rel, text, issues)
