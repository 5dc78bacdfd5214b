"""Configuration: the project folder and its site_config/, typed and validated once.

Everything the validator and the pages know about statuses, people, taxonomy and ids
comes from here; nothing about them is hard-coded elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cir_portal.core.issues import Issue
from cir_portal.core.loading import SourceFile, load_yaml_file
from cir_portal.core.schemas import Schema, closest, load_schemas

CONFIG_FILES = ("portal", "workflow", "taxonomy", "people")
#: taxonomy list for each `affects` kind
AFFECTS_KINDS = {"service": "services", "product": "products", "practice": "practices", "value_stream": "value_streams"}
DEFAULT_PREFIXES = {"improvement": ("IMP", 4), "lesson": ("LL", 4), "objective": ("OBJ", 2), "assessment": ("ASM", 4)}


@dataclass(frozen=True, slots=True)
class Label:
    """A human-readable name in one or more languages; the first is the fallback."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: Any) -> Label:
        if isinstance(value, dict):
            return cls(tuple((str(k), str(v)) for k, v in value.items()))
        return cls((("", "" if value is None else str(value)),))

    def text(self, lang: str) -> str:
        for code, text in self.texts:
            if code == lang:
                return text
        return self.texts[0][1] if self.texts else ""


@dataclass(frozen=True, slots=True)
class Status:
    key: str
    label: Label
    description: Label
    step: int | None
    pdca: str | None
    terminal: bool
    requires: tuple[str, ...]
    transitions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Workflow:
    initial: str
    statuses: dict[str, Status]

    @property
    def order(self) -> list[str]:
        return list(self.statuses)

    def allowed(self, src: str, dst: str) -> bool:
        status = self.statuses.get(src)
        return status is not None and dst in status.transitions


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: Label


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: Label
    team: str
    email: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TaxonomyEntry:
    category: str
    key: str
    name: Label


#: default definitions of N, C and O in the productivity index (N + C) / (O + C); see portal.yml `kpi`
DEFAULT_PRODUCTIVITY_INDEX = {"N": "raised", "C": "closed", "O": "open_at_start"}


@dataclass(frozen=True, slots=True)
class KpiSettings:
    """How the practice KPIs and metric verdicts are computed (portal.yml `kpi`; every key optional)."""

    productivity_index: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PRODUCTIVITY_INDEX))
    index_window_months: int = 12
    too_many_open: int = 5
    verdict_tolerance: float = 0.1


#: Audiences and record visibilities, from the least to the most trusted.
AUDIENCES = ("public", "internal", "restricted")
DEFAULT_AUDIENCE = "internal"


@dataclass(frozen=True, slots=True)
class PublishSettings:
    """What each audience of a build sees (portal.yml `publish`; every key optional)."""

    default_visibility: str = DEFAULT_AUDIENCE
    #: audience -> front matter keys left out of everything built for it
    redact: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: record bodies published as written (raw HTML included) instead of sanitised
    trusted_html: bool = False


@dataclass(frozen=True, slots=True)
class Portal:
    organisation: Label
    vision: Label | None
    language: str
    id_prefixes: dict[str, tuple[str, int]]
    priority_weights: dict[str, float]
    stale_after_days: int
    kpi: KpiSettings = field(default_factory=KpiSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)


@dataclass(frozen=True)
class Config:
    portal: Portal
    workflow: Workflow
    taxonomy: dict[str, dict[str, TaxonomyEntry]]
    teams: dict[str, Team]
    people: dict[str, Person]
    schemas: dict[str, Schema] = field(repr=False)
    fingerprint: str = ""

    def affects_entry(self, item: str) -> TaxonomyEntry | None:
        kind, _, key = item.partition("/")
        category = AFFECTS_KINDS.get(kind)
        return self.taxonomy.get(category, {}).get(key) if category else None


@dataclass(frozen=True, slots=True)
class Project:
    """A register repository: content/, site_config/, schemas/."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def site_config(self) -> Path:
        return self.root / "site_config"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    def rel(self, path: Path) -> str:
        """``path`` relative to the project root, with forward slashes (no file-system calls
        for paths under the root: this runs once per record, by string, as ``relative_to`` would
        answer for such a path, but ten times as quick)."""
        text, root = str(path), str(self.root)
        if text.startswith(root) and text[len(root):len(root) + 1] == os.sep and len(root) > 1:
            return text[len(root) + 1:].replace(os.sep, "/")
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def find_project(start: Path | None = None, *, search_up: bool = True) -> Project | None:
    """The project at ``start`` (or the nearest parent with a site_config/ folder)."""
    here = (start or Path.cwd()).resolve()
    candidates = [here, *here.parents] if search_up else [here]
    for candidate in candidates:
        if (candidate / "site_config").is_dir():
            return Project(candidate)
    return None


def _suggest(value: str, known: list[str]) -> str:
    close = closest(value, known)
    return f" Did you mean {close!r}?" if close else ""


def load_config(project: Project) -> tuple[Config | None, list[Issue]]:
    """Read and check site_config/ and schemas/. The config is None when it has errors."""
    schemas, schema_errors = load_schemas(project.schemas, project.rel)
    issues = [Issue(e.path, 1, 1, "", "error", "config.schema_file", e.message,
                    "Fix the JSON Schema file, or delete it to use cir-portal's default.") for e in schema_errors]
    if schema_errors:
        return None, issues
    raw: dict[str, Any] = {}
    files: dict[str, SourceFile] = {}
    for name in CONFIG_FILES:
        path = project.site_config / f"{name}.yml"
        rel = project.rel(path)
        if not path.is_file():
            issues.append(Issue(rel, 0, 0, "", "error", "config.missing", f"the configuration file {rel} is missing",
                                f"Create it; cir-portal's own repository has a commented example of site_config/{name}.yml."))
            continue
        value, file_issues, text = load_yaml_file(path, rel)
        issues.extend(file_issues)
        src = SourceFile(path, rel, "config", front_matter=text, front_line=1)
        files[name] = src
        if value is None and not file_issues:
            issues.append(Issue(rel, 1, 1, "", "error", "config.empty", "the file is empty"))
            continue
        if value is None:
            continue
        for p in schemas[name].problems(value):
            issues.append(src.issue(p.path, p.code, p.message, p.hint, at_key=p.at_key, key=p.key))
        raw[name] = value
    if any(i.severity == "error" for i in issues):
        return None, issues

    portal_raw, wf_raw, tax_raw, people_raw = raw["portal"], raw["workflow"], raw["taxonomy"], raw["people"]
    prefixes = dict(DEFAULT_PREFIXES)
    for kind, spec in (portal_raw.get("id_prefixes") or {}).items():
        prefixes[kind] = (spec["prefix"], spec.get("digits", DEFAULT_PREFIXES[kind][1]))
    weights = {"urgency": 0.4, "value": 0.4, "cost": 0.2, "support": 0.0}
    weights.update((portal_raw.get("priority") or {}).get("weights") or {})
    portal = Portal(
        organisation=Label.of(portal_raw["organisation"]),
        vision=Label.of(portal_raw["vision"]) if portal_raw.get("vision") else None,
        language=portal_raw["language"],
        id_prefixes=prefixes,
        priority_weights=weights,
        stale_after_days=int(portal_raw.get("stale_after_days", 90)),
        kpi=_kpi_settings(portal_raw.get("kpi") or {}),
        publish=_publish_settings(portal_raw.get("publish") or {}),
    )

    wf_src = files["workflow"]
    statuses: dict[str, Status] = {}
    for key, spec in wf_raw["statuses"].items():
        statuses[key] = Status(
            key=key,
            label=Label.of(spec["label"]),
            description=Label.of(spec.get("description", "")),
            step=spec.get("step"),
            pdca=spec.get("pdca"),
            terminal=bool(spec.get("terminal", False)),
            requires=tuple(spec.get("requires") or ()),
            transitions=tuple(spec.get("transitions") or ()),
        )
    known = list(statuses)
    if wf_raw["initial"] not in statuses:
        issues.append(wf_src.issue(("initial",), "config.workflow", f"initial status {wf_raw['initial']!r} is not a status"
                                   + _suggest(wf_raw["initial"], known), f"Use one of: {', '.join(known)}."))
    imp_props = schemas["improvement"].schema.get("properties", {})
    for key, status in statuses.items():
        for i, target in enumerate(status.transitions):
            if target not in statuses:
                issues.append(wf_src.issue(("statuses", key, "transitions", i), "config.workflow",
                                           f"transition to unknown status {target!r}" + _suggest(target, known),
                                           f"Use one of: {', '.join(known)}."))
        for i, req in enumerate(status.requires):
            top = req.split(".")[0].removesuffix("[]")
            if top not in imp_props:
                issues.append(wf_src.issue(("statuses", key, "requires", i), "config.workflow",
                                           f"required key {req!r} is not a key of improvement records"
                                           + _suggest(top, list(imp_props)),
                                           "Add the key to schemas/improvement.schema.json first, or fix its spelling."))
    workflow = Workflow(initial=wf_raw["initial"], statuses=statuses)

    tax_src = files["taxonomy"]
    taxonomy: dict[str, dict[str, TaxonomyEntry]] = {}
    for category, entries in tax_raw.items():
        taxonomy[category] = {}
        for i, entry in enumerate(entries):
            if entry["key"] in taxonomy[category]:
                issues.append(tax_src.issue((category, i, "key"), "config.duplicate",
                                            f"{category} key {entry['key']!r} is listed twice", "Keep one of them."))
            taxonomy[category][entry["key"]] = TaxonomyEntry(category, entry["key"], Label.of(entry["name"]))

    people_src = files["people"]
    teams: dict[str, Team] = {}
    for i, team in enumerate(people_raw["teams"]):
        if team["id"] in teams:
            issues.append(people_src.issue(("teams", i, "id"), "config.duplicate", f"team id {team['id']!r} is listed twice"))
        teams[team["id"]] = Team(team["id"], Label.of(team["name"]))
    people: dict[str, Person] = {}
    for i, person in enumerate(people_raw["people"]):
        pid = person["id"]
        if pid in people:
            issues.append(people_src.issue(("people", i, "id"), "config.duplicate", f"person id {pid!r} is listed twice"))
        if person["team"] not in teams:
            issues.append(people_src.issue(("people", i, "team"), "config.reference",
                                           f"team {person['team']!r} is not in `teams`" + _suggest(person["team"], list(teams)),
                                           f"Use one of: {', '.join(teams)}."))
        people[pid] = Person(pid, Label.of(person["name"]), person["team"], person.get("email"),
                             tuple(person.get("roles") or ()))
    if any(i.severity == "error" for i in issues):
        return None, issues
    return Config(portal, workflow, taxonomy, teams, people, schemas, _fingerprint(project, files)), issues


def _kpi_settings(raw: dict[str, Any]) -> KpiSettings:
    """portal.yml `kpi`, with the defaults for every key left out (older portal.yml files have none)."""
    default = KpiSettings()
    index = dict(DEFAULT_PRODUCTIVITY_INDEX)
    index.update(raw.get("productivity_index") or {})
    return KpiSettings(
        productivity_index=index,
        index_window_months=int(raw.get("index_window_months", default.index_window_months)),
        too_many_open=int(raw.get("too_many_open", default.too_many_open)),
        verdict_tolerance=float((raw.get("verdict") or {}).get("tolerance", default.verdict_tolerance)),
    )


def _publish_settings(raw: dict[str, Any]) -> PublishSettings:
    """portal.yml `publish` (checked by its schema), with the defaults for every key left out."""
    return PublishSettings(
        default_visibility=str(raw.get("default_visibility", DEFAULT_AUDIENCE)),
        redact={audience: tuple(keys) for audience, keys in (raw.get("redact") or {}).items()},
        trusted_html=bool(raw.get("trusted_html", False)),
    )


def _fingerprint(project: Project, files: dict[str, SourceFile]) -> str:
    """A digest of everything validation results depend on besides the record itself."""
    import hashlib

    from cir_portal import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    for name in sorted(files):
        h.update(files[name].front_matter.encode())
    for schema_file in sorted(project.schemas.glob("*.json")) if project.schemas.is_dir() else []:
        h.update(schema_file.read_bytes())
    return h.hexdigest()
