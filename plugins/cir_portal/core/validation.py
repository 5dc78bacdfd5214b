"""Validation: the rules a record must follow, as :class:`Issue` values.

``check_record`` looks at one record with the configuration (schema, id, file name, what
its status requires, history, date order); its result depends on nothing else, so it can
be cached by file content. ``check_register`` looks across records (unique ids and every
reference between records, people and taxonomy).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from cir_portal.core.config import AFFECTS_KINDS, Config
from cir_portal.core.issues import Issue, format_key
from cir_portal.core.loading import SourceFile
from cir_portal.core.schemas import closest, description, resolve_node

Path_ = tuple[str | int, ...]
_ID_LIKE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)+$")
_GAP_REF = re.compile(r"^([A-Z][A-Z0-9]*-\d+)#(G\d+)$")


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def _missing(data: Any, segments: list[str], path: Path_) -> Iterator[Path_]:
    """Key paths that a requirement like ``metrics[].baseline`` finds missing in ``data``."""
    seg = segments[0]
    key = seg.removesuffix("[]")
    if not isinstance(data, dict):
        return
    if not _filled(data.get(key)):
        yield (*path, key)
        return
    if len(segments) == 1:
        return
    value = data[key]
    if seg.endswith("[]"):
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _missing(item, segments[1:], (*path, key, i))
    else:
        yield from _missing(value, segments[1:], (*path, key))


missing_keys = _missing  # public name: `cir move` lists what a target status requires (editing.py)


def _suggest(value: str, known: Iterable[str]) -> str:
    close = closest(value, known)
    return f": did you mean {close!r}?" if close else ""


def _date(data: dict[str, Any], *path: str | int) -> str | None:
    value: Any = data
    for part in path:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and len(value) > part else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) and len(value) == 10 else None


def check_record(src: SourceFile, config: Config) -> list[Issue]:
    """Every issue of one parsed record that does not depend on other records."""
    data = src.data
    if data is None:
        return []
    issues: list[Issue] = []
    for p in config.schemas[src.kind].problems(data):
        issues.append(src.issue(p.path, p.code, p.message, p.hint, at_key=p.at_key, key=p.key))
    issues.extend(_check_id(src, data, config))
    if _MAYBE_CONTROL.search(src.front_matter):
        issues.extend(check_text(src, data))
    if src.kind == "improvement":
        issues.extend(_check_improvement(src, data, config))
    elif src.kind == "assessment":
        issues.extend(_check_assessment(src, data))
    return issues


#: C0 controls except tab and newline, C1 controls, and lone surrogates: no reader, feed or
#: spreadsheet can hold them (XML 1.0 forbids them; openpyxl refuses them).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x80-\x9f\ud800-\udfff]")
#: front matter that may hold one: the character itself, or an escape in a quoted string
_MAYBE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x80-\x9f]|\\")


def _control_name(char: str) -> str:
    code = ord(char)
    return f"a lone surrogate U+{code:04X}" if 0xD800 <= code <= 0xDFFF else f"the control character U+{code:04X}"


def check_text(src: SourceFile, data: Any, path: Path_ = ()) -> Iterator[Issue]:
    """Control characters in any key or string of the front matter, each named by its key."""
    if isinstance(data, str):
        found = CONTROL.search(data)
        if found:
            yield src.issue(path, "text.control", f"the text holds {_control_name(found.group())}, which no page, feed "
                            "or spreadsheet can show", "Remove it (it is invisible: retype the text, or delete the "
                            "escape such as \\u0007 in a quoted string).")
    elif isinstance(data, dict):
        for key, value in data.items():
            bad = CONTROL.search(key) if isinstance(key, str) else None
            if bad:
                yield src.issue((*path, key), "text.control", f"the key holds {_control_name(bad.group())}",
                                "Retype the key.", at_key=True)
            yield from check_text(src, value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from check_text(src, value, (*path, i))


def _check_id(src: SourceFile, data: dict[str, Any], config: Config) -> Iterator[Issue]:
    rid = data.get("id")
    if not isinstance(rid, str):
        return
    prefix, digits = config.portal.id_prefixes[src.kind]
    if not re.fullmatch(rf"{re.escape(prefix)}-\d{{{digits},}}", rid):
        yield src.issue(("id",), "id.format", f"{rid!r} is not a valid {src.kind} id",
                        f"Write {prefix}- followed by at least {digits} digits, e.g. {prefix}-{'1'.zfill(digits)}.")
        return
    name = PurePosixPath(src.rel).name
    if not (name.startswith(rid) and name[len(rid) : len(rid) + 1] in ("-", ".")):
        yield src.issue(("id",), "id.filename", f"the file name {name!r} does not start with the id {rid!r}",
                        f"Rename the file to {rid}-<slug>.md (or fix the id).")


def _check_improvement(src: SourceFile, data: dict[str, Any], config: Config) -> Iterator[Issue]:
    wf = config.workflow
    status = data.get("status")
    if isinstance(status, str):
        if status not in wf.statuses:
            yield src.issue(("status",), "status.unknown",
                            f"{status!r} is not one of {', '.join(wf.order)}",
                            "Use a status from site_config/workflow.yml" + _suggest(status, wf.order).replace(": ", "; ", 1))
        else:
            seen: set[Path_] = set()
            for requirement in wf.statuses[status].requires:
                for path in _missing(data, requirement.split("."), ()):
                    if path in seen:
                        continue
                    seen.add(path)
                    about = _key_about(config, path)
                    where = path[:-1] if len(path) > 1 else ("status",)
                    yield Issue(src.rel, *src.position(where), format_key(path), "error", "status.requires",
                                f"missing {format_key(path)!r}, which status {status!r} requires",
                                f"Add `{path[-1]}`" + (f" ({about})" if about else "")
                                + ", or keep the record in an earlier status.")
    yield from _check_history(src, data, config)
    yield from _check_dates(src, data)
    owner = data.get("owner")
    if isinstance(owner, str) and owner in config.teams and owner not in config.people:
        yield src.issue(("owner",), "ref.owner_team", f"owner {owner!r} is a team, not a person",
                        "Name ONE accountable person; responsibility is not shared between teams.")


def key_description(config: Config, path: Path_, lang: str = "en", *, kind: str = "improvement") -> str:
    """What the schema of ``kind`` says of the key at ``path``, in ``lang`` (English when
    untranslated; "" when it says nothing). A key's own description wins over its ``$ref``'s."""
    root: Any = config.schemas[kind].schema
    node: Any = root
    raw: Any = root
    for part in path:
        raw = node.get("items", {}) if isinstance(part, int) else node.get("properties", {}).get(part, {})
        node = resolve_node(root, raw)
    return description(raw if isinstance(raw, dict) and raw.get("description") else node, lang)


def _key_about(config: Config, path: Path_) -> str:
    """A key's description for a hint: English (the messages' language), and in a portal of
    another language its translation too, so that every contributor can read it."""
    english = key_description(config, path)
    own = key_description(config, path, config.portal.language)
    return f"{english} / {own}" if own and own != english else english



def _check_history(src: SourceFile, data: dict[str, Any], config: Config) -> Iterator[Issue]:
    history = data.get("history")
    if not isinstance(history, list) or not history:
        return
    wf = config.workflow
    prev_status: str | None = None
    prev_date: str | None = _date(data, "raised")
    prev_date_key = "raised"
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            continue
        status, date = entry.get("status"), _date(data, "history", i, "date")
        if isinstance(status, str) and status not in wf.statuses:
            yield src.issue(("history", i, "status"), "history.status",
                            f"{status!r} is not one of {', '.join(wf.order)}", "Use a status from site_config/workflow.yml.")
            status = None
        if date and prev_date and date < prev_date:
            yield src.issue(("history", i, "date"), "history.order",
                            f"{date} is before {prev_date_key} ({prev_date})",
                            "Keep history in chronological order, oldest first.")
        if isinstance(status, str) and prev_status is not None and not wf.allowed(prev_status, status):
            allowed = ", ".join(wf.statuses[prev_status].transitions) or "nowhere (it is final)"
            yield src.issue(("history", i, "status"), "history.transition",
                            f"{prev_status!r} -> {status!r} is not an allowed transition",
                            f"From {prev_status!r} a record may go to {allowed} (site_config/workflow.yml).")
        if isinstance(status, str):
            prev_status = status
        if date:
            prev_date, prev_date_key = date, f"history[{i}].date"
    last = history[-1]
    current = data.get("status")
    if isinstance(last, dict) and isinstance(current, str) and last.get("status") != current:
        yield src.issue(("history", len(history) - 1, "status"), "history.last",
                        f"the last history entry is {last.get('status')!r} but status is {current!r}",
                        f"Append `- {{date: ..., status: {current}}}` to history, or fix status.")


def _check_dates(src: SourceFile, data: dict[str, Any]) -> Iterator[Issue]:
    chain = [(k, _date(data, k)) for k in ("raised", "approved_on", "closed_on")]
    present = [(k, d) for k, d in chain if d]
    for (k1, d1), (k2, d2) in itertools.pairwise(present):
        assert d1 is not None and d2 is not None
        if d2 < d1:
            yield src.issue((k2,), "dates.order", f"{k2} ({d2}) is before {k1} ({d1})",
                            "Dates must follow each other: raised <= approved_on <= closed_on.")
    metrics = data.get("metrics")
    if not isinstance(metrics, list):
        return
    for m, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            continue
        base, target = _date(data, "metrics", m, "baseline", "date"), _date(data, "metrics", m, "target", "date")
        if base and target and target < base:
            yield src.issue(("metrics", m, "target", "date"), "dates.order",
                            f"the target date ({target}) is before the baseline date ({base})",
                            "The target is reached after the baseline is measured.")
        measurements = metric.get("measurements")
        if not isinstance(measurements, list):
            continue
        prev: str | None = None
        for j in range(len(measurements)):
            d = _date(data, "metrics", m, "measurements", j, "date")
            if d and prev and d < prev:
                yield src.issue(("metrics", m, "measurements", j, "date"), "metrics.order",
                                f"measurement date {d} is before the previous one ({prev})",
                                "List measurements in chronological order, oldest first.")
            prev = d or prev


def _check_assessment(src: SourceFile, data: dict[str, Any]) -> Iterator[Issue]:
    gaps = data.get("gaps")
    if isinstance(gaps, list):
        seen: set[str] = set()
        for i, gap in enumerate(gaps):
            gid = gap.get("id") if isinstance(gap, dict) else None
            if isinstance(gid, str):
                if gid in seen:
                    yield src.issue(("gaps", i, "id"), "gaps.duplicate", f"gap id {gid!r} is used twice in this assessment",
                                    "Give each gap its own id: G1, G2, ...")
                seen.add(gid)
    level, target = data.get("level"), data.get("target_level")
    if isinstance(level, int) and isinstance(target, int) and target < level:
        yield src.issue(("target_level",), "assessment.target", f"target_level {target} is below the current level {level}",
                        "A target level is usually at or above the current level.", severity="warning")


@dataclass
class References:
    """What ``check_register`` found of each record's references, for the next check of the same
    register (live preview): a record that is the same object (its file did not change) checked
    against the same ids, with the same configuration, has the same issues."""

    config: Config
    ids: dict[str, frozenset[str]]
    gaps: dict[str, frozenset[str]]
    #: id(source) -> (the source, its reference issues)
    found: dict[int, tuple[SourceFile, list[Issue]]] = field(default_factory=dict)


def check_register(sources: list[SourceFile], config: Config) -> list[Issue]:
    """Issues across records: duplicate ids and references that do not resolve."""
    return recheck_register(sources, config, None)[0]


def recheck_register(sources: list[SourceFile], config: Config, previous: References | None
                     ) -> tuple[list[Issue], References]:
    """``check_register``, with what the ``previous`` check of this register found: a record
    that did not change is not checked again unless the ids it could name did. Returns the
    issues and what this check found."""
    issues: list[Issue] = []
    by_id: dict[str, SourceFile] = {}
    ids: dict[str, dict[str, SourceFile]] = {k: {} for k in ("improvement", "lesson", "objective", "assessment")}
    for src in sources:
        rid = src.data.get("id") if src.data else None
        if not isinstance(rid, str):
            continue
        first = by_id.get(rid)
        if first is not None:
            issues.append(src.issue(("id",), "id.duplicate", f"the id {rid!r} is already used by {first.rel}",
                                    "Give this record the next free id (ids are unique across the register)."))
            continue
        by_id[rid] = src
        ids[src.kind][rid] = src
    gaps: dict[str, set[str]] = {}
    for rid, src in ids["assessment"].items():
        assert src.data is not None
        gaps[rid] = {g["id"] for g in _items(src.data, "gaps") if isinstance(g, dict) and isinstance(g.get("id"), str)}
    checker = _References(config, ids, gaps)
    memo = References(config, {kind: frozenset(found) for kind, found in ids.items()},
                      {rid: frozenset(g) for rid, g in gaps.items()})
    if previous is not None and (previous.config is not config or previous.ids != memo.ids
                                 or previous.gaps != memo.gaps):
        previous = None
    for src in sources:
        if src.data is not None:
            known = previous.found.get(id(src)) if previous is not None else None
            found = known[1] if known is not None and known[0] is src else list(checker.check(src, src.data))
            memo.found[id(src)] = (src, found)
            issues.extend(found)
    issues.extend(_objective_cycles(ids["objective"]))
    issues.extend(_initiative_issues(ids["improvement"], config))
    return issues, memo


def _items(data: dict[str, Any], key: str) -> list[Any]:
    """``data[key]`` when it is a list, else no items (the schema has reported its type)."""
    value = data.get(key)
    return value if isinstance(value, list) else []


class _References:
    def __init__(self, config: Config, ids: dict[str, dict[str, SourceFile]], gaps: dict[str, set[str]]) -> None:
        self.config, self.ids, self.gaps = config, ids, gaps

    def check(self, src: SourceFile, data: dict[str, Any]) -> Iterator[Issue]:
        kind = src.kind
        if kind == "improvement":
            for key in ("owner", "approved_by"):
                yield from self.person(src, data, (key,))
            yield from self.requester(src, data)
            yield from self.taxonomy(src, data, ("source",), "sources")
            yield from self.affects(src, data)
            yield from self.each(src, data, "value_types", lambda s, d, p: self.taxonomy(s, d, p, "value_types"))
            yield from self.each(src, data, "objectives", lambda s, d, p: self.record(s, d, p, "objective"))
            yield from self.each(src, data, "lessons", lambda s, d, p: self.record(s, d, p, "lesson"))
            for key in ("related", "supersedes"):
                yield from self.each(src, data, key, lambda s, d, p: self.record(s, d, p, "improvement"))
            yield from self.record(src, data, ("part_of",), "improvement")
            yield from self.each(src, data, "supporters", lambda s, d, p: self.person(s, d, p))
            yield from self.source_ref(src, data)
        elif kind == "lesson":
            yield from self.person(src, data, ("author",))
            yield from self.each(src, data, "improvements", lambda s, d, p: self.record(s, d, p, "improvement"))
            yield from self.affects(src, data)
        elif kind == "objective":
            yield from self.person(src, data, ("owner",))
            yield from self.record(src, data, ("parent",), "objective")
        elif kind == "assessment":
            yield from self.person(src, data, ("assessor",))
            yield from self.taxonomy(src, data, ("practice",), "practices")
            for i, gap in enumerate(_items(data, "gaps")):
                if isinstance(gap, dict):
                    yield from self.record(src, data, ("gaps", i, "improvement"), "improvement")

    @staticmethod
    def value(data: dict[str, Any], path: Path_) -> Any:
        value: Any = data
        for part in path:
            if isinstance(part, int):
                value = value[part] if isinstance(value, list) and len(value) > part else None
            else:
                value = value.get(part) if isinstance(value, dict) else None
        return value

    def each(self, src: SourceFile, data: dict[str, Any], key: str, fn: Any) -> Iterator[Issue]:
        values = data.get(key)
        if isinstance(values, list):
            for i in range(len(values)):
                yield from fn(src, data, (key, i))

    def person(self, src: SourceFile, data: dict[str, Any], path: Path_) -> Iterator[Issue]:
        value = self.value(data, path)
        if isinstance(value, str) and value not in self.config.people:
            yield src.issue(path, "ref.person", f"{value!r} is not a person in site_config/people.yml"
                            + _suggest(value, self.config.people),
                            "Use a person id from site_config/people.yml, or add the person there.")

    def requester(self, src: SourceFile, data: dict[str, Any]) -> Iterator[Issue]:
        value = data.get("requester")
        if isinstance(value, str) and value not in self.config.people and _ID_LIKE.match(value):
            yield src.issue(("requester",), "ref.requester",
                            f"{value!r} looks like a person id but is not in site_config/people.yml"
                            + _suggest(value, self.config.people),
                            "Use a person id from site_config/people.yml; free text (with spaces) is fine for "
                            "an external stakeholder.", severity="warning")

    def taxonomy(self, src: SourceFile, data: dict[str, Any], path: Path_, category: str) -> Iterator[Issue]:
        value = self.value(data, path)
        known = self.config.taxonomy.get(category, {})
        if isinstance(value, str) and value not in known:
            yield src.issue(path, "ref.taxonomy", f"{value!r} is not a key of `{category}` in site_config/taxonomy.yml"
                            + _suggest(value, known), f"Use one of: {', '.join(known)}." if len(known) <= 15
                            else f"Use a key of `{category}` in site_config/taxonomy.yml, or add it there.")

    def affects(self, src: SourceFile, data: dict[str, Any]) -> Iterator[Issue]:
        values = data.get("affects")
        if not isinstance(values, list):
            return
        for i, item in enumerate(values):
            if not isinstance(item, str) or "/" not in item:
                continue
            kind, _, key = item.partition("/")
            category = AFFECTS_KINDS.get(kind)
            if category is None:
                continue  # the schema pattern reports it
            known = self.config.taxonomy.get(category, {})
            if key not in known:
                yield src.issue(("affects", i), "ref.taxonomy",
                                f"{key!r} is not a key of `{category}` in site_config/taxonomy.yml"
                                + _suggest(key, known),
                                f"Write {kind}/<key> with a key of `{category}`, or add it to site_config/taxonomy.yml.")

    def record(self, src: SourceFile, data: dict[str, Any], path: Path_, kind: str) -> Iterator[Issue]:
        value = self.value(data, path)
        if isinstance(value, str) and value not in self.ids[kind]:
            yield src.issue(path, f"ref.{kind}", f"{kind} {value!r} does not exist" + _suggest(value, self.ids[kind]),
                            f"Refer to an existing {kind} id (content/{kind}s/), or create that record first.")

    def source_ref(self, src: SourceFile, data: dict[str, Any]) -> Iterator[Issue]:
        value = data.get("source_ref")
        if not isinstance(value, str):
            return
        match = _GAP_REF.match(value)
        prefix = self.config.portal.id_prefixes["assessment"][0]
        if not match or not match.group(1).startswith(prefix + "-"):
            return
        asm, gap = match.groups()
        if asm not in self.gaps:
            yield src.issue(("source_ref",), "ref.gap", f"assessment {asm!r} does not exist" + _suggest(asm, self.gaps),
                            "Refer to an existing assessment as ASM-nnnn#Gn.")
        elif gap not in self.gaps[asm]:
            known = ", ".join(sorted(self.gaps[asm])) or "none"
            yield src.issue(("source_ref",), "ref.gap", f"assessment {asm} has no gap {gap!r}",
                            f"Its gaps are: {known}.")


def _objective_cycles(objectives: dict[str, SourceFile]) -> Iterator[Issue]:
    parent = {oid: (src.data or {}).get("parent") for oid, src in objectives.items()}
    reported: set[str] = set()
    for start in sorted(objectives):
        seen: list[str] = []
        node: Any = start
        while isinstance(node, str) and node in parent and node not in seen:
            seen.append(node)
            node = parent[node]
        if node == start and start not in reported:
            reported.update(seen)
            yield objectives[start].issue(("parent",), "ref.cycle",
                                          f"objectives form a cycle: {' -> '.join([*seen, start])}",
                                          "An objective cannot contribute to itself; remove one `parent`.")


def _initiative_issues(improvements: dict[str, SourceFile], config: Config) -> Iterator[Issue]:
    """``part_of`` across records: no cycles (an error on every record of the cycle), and a
    warning on an initiative that is finished while one of its parts is still open."""
    parent: dict[str, Any] = {rid: (src.data or {}).get("part_of") for rid, src in improvements.items()}
    in_cycle: set[str] = set()
    for start in sorted(improvements):
        chain: list[str] = []
        node: Any = start
        while isinstance(node, str) and node in parent and node not in chain and node not in in_cycle:
            chain.append(node)
            node = parent[node]
        if isinstance(node, str) and node in chain:
            in_cycle.update(chain[chain.index(node):])
    for rid in sorted(in_cycle):
        cycle = [rid]
        while parent[cycle[-1]] != rid:
            cycle.append(parent[cycle[-1]])
        text = " -> ".join([*cycle, rid])
        yield improvements[rid].issue(
            ("part_of",), "ref.cycle",
            f"part_of forms a cycle: {text}" if len(cycle) > 1 else f"{rid} is part_of itself",
            "An improvement cannot be part of itself, directly or through its parts; remove `part_of` "
            "from the record that is not really a part.")
    statuses = config.workflow.statuses
    open_parts: dict[str, list[tuple[str, str]]] = {}
    for rid, target in sorted(parent.items()):
        status = (improvements[rid].data or {}).get("status")
        if isinstance(target, str) and target in improvements and rid not in in_cycle \
                and isinstance(status, str) and status in statuses and not statuses[status].terminal:
            open_parts.setdefault(target, []).append((rid, status))
    for target, parts in open_parts.items():
        status = (improvements[target].data or {}).get("status")
        if isinstance(status, str) and status in statuses and statuses[status].terminal:
            listed = ", ".join(f"{rid} ({s})" for rid, s in parts)
            yield improvements[target].issue(
                ("status",), "initiative.open_parts",
                f"this initiative is {status!r} but {len(parts)} of its parts {'is' if len(parts) == 1 else 'are'} "
                f"still open: {listed}",
                "Finish or cancel the parts, or move them to another initiative (`part_of`); an initiative is "
                "done when its parts are.", severity="warning")
