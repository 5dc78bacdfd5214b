"""Configuration: site_config/ and schemas/ errors stop validation with precise issues; schemas extend."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cir_portal.core.config import Project, find_project, load_config
from cir_portal.core.pipeline import load_register

MakeProject = Callable[..., Path]
REPO_ROOT = Path(__file__).parents[1]

#: A small workflow whose positions the tests below count by hand.
WORKFLOW = """\
initial: identified
statuses:
  identified:
    label: Identified
    transitions: [assessed, cancelled]
  assessed:
    label: Assessed
    requires: [urgency, cost, value]
    transitions: [identified, cancelled]
  cancelled:
    label: Cancelled
    terminal: true
    requires: [reason]
    transitions: []
"""

PEOPLE = """\
teams:
  - id: service-desk
    name: Service Desk
people:
  - id: li.na
    name: 李娜
    team: service-desk
  - id: wang.wei
    name: 王伟
    team: service-desk
"""


def _issues(root: Path) -> list[tuple[str, int, int, str, str]]:
    result = load_register(Project(root), use_cache=False)
    assert result.config is None, "the configuration should have been rejected"
    assert result.sources == [] and result.register is None
    assert all(i.severity == "error" for i in result.issues)
    return sorted((i.path, i.line, i.column, i.code, i.key) for i in result.issues)


def _messages(root: Path) -> list[str]:
    return [i.message for i in load_register(Project(root), use_cache=False).issues]


def test_small_workflow_and_people_are_valid(make_project: MakeProject) -> None:
    """The files the error tests start from are themselves valid (so each test changes one thing)."""
    root = make_project({"site_config/workflow.yml": WORKFLOW, "site_config/people.yml": PEOPLE})
    config, issues = load_config(Project(root))
    assert issues == [] and config is not None
    assert config.workflow.order == ["identified", "assessed", "cancelled"]
    assert config.workflow.allowed("assessed", "identified") and not config.workflow.allowed("cancelled", "assessed")
    assert sorted(config.people) == ["li.na", "wang.wei"]


def test_workflow_transition_to_unknown_status(make_project: MakeProject) -> None:
    """A transition to a status that does not exist is config.workflow at that list item, with a suggestion."""
    text = WORKFLOW.replace("transitions: [identified, cancelled]", "transitions: [identified, cancelld]")
    root = make_project({"site_config/workflow.yml": text})
    assert _issues(root) == [("site_config/workflow.yml", 9, 31, "config.workflow", "statuses.assessed.transitions[1]")]
    assert any("unknown status 'cancelld'" in m and "'cancelled'" in m for m in _messages(root))


def test_workflow_initial_unknown(make_project: MakeProject) -> None:
    """An initial status that is not a status is config.workflow at `initial`."""
    root = make_project({"site_config/workflow.yml": WORKFLOW.replace("initial: identified", "initial: new")})
    assert _issues(root) == [("site_config/workflow.yml", 1, 10, "config.workflow", "initial")]


def test_workflow_requires_key_the_schema_does_not_know(make_project: MakeProject) -> None:
    """A required key that improvement records cannot have is config.workflow at that item."""
    root = make_project({"site_config/workflow.yml": WORKFLOW.replace("[urgency, cost, value]", "[urgency, cost, valu]")})
    assert _issues(root) == [("site_config/workflow.yml", 8, 31, "config.workflow", "statuses.assessed.requires[2]")]
    assert any("'valu' is not a key of improvement records" in m for m in _messages(root))


def test_workflow_against_its_schema(make_project: MakeProject) -> None:
    """workflow.yml is checked against workflow.schema.json: an unknown key and a wrong step are located."""
    text = WORKFLOW.replace("    label: Assessed\n", "    label: Assessed\n    step: 9\n    colour: red\n")
    root = make_project({"site_config/workflow.yml": text})
    assert _issues(root) == [
        ("site_config/workflow.yml", 8, 11, "schema.range", "statuses.assessed.step"),
        ("site_config/workflow.yml", 9, 5, "schema.unknown_key", "statuses.assessed.colour"),
    ]


def test_people_team_unknown(make_project: MakeProject) -> None:
    """A person in a team that is not listed is config.reference at the person's team."""
    root = make_project({"site_config/people.yml": PEOPLE.replace("team: service-desk\n  - id: wang.wei",
                                                                   "team: service-desks\n  - id: wang.wei")})
    assert _issues(root) == [("site_config/people.yml", 7, 11, "config.reference", "people[0].team")]
    assert any("Did you mean 'service-desk'?" in m for m in _messages(root))


def test_people_duplicate_person(make_project: MakeProject) -> None:
    """The same person id twice is config.duplicate at the second one."""
    root = make_project({"site_config/people.yml": PEOPLE.replace("id: wang.wei", "id: li.na")})
    assert _issues(root) == [("site_config/people.yml", 8, 9, "config.duplicate", "people[1].id")]


def test_people_missing_team_key(make_project: MakeProject) -> None:
    """A person without the required `team` is a schema error, located at the person."""
    root = make_project({"site_config/people.yml": PEOPLE.replace("    team: service-desk\n  - id: wang.wei",
                                                                   "  - id: wang.wei")})
    issues = _issues(root)
    assert [(p, c) for p, _, _, c, _ in issues] == [("site_config/people.yml", "schema.required")]
    assert issues[0][1] == 5


def test_taxonomy_yaml_syntax_error(make_project: MakeProject) -> None:
    """A YAML syntax error in taxonomy.yml names the file, line and column."""
    root = make_project({"site_config/taxonomy.yml": "services:\n  - key: email\n    name: Email: mail\n"})
    assert _issues(root) == [("site_config/taxonomy.yml", 3, 16, "yaml.syntax", "")]


def test_taxonomy_duplicate_key(make_project: MakeProject) -> None:
    """A taxonomy key listed twice in one category is config.duplicate."""
    text = (REPO_ROOT / "tests/cases/_base/site_config/taxonomy.yml").read_text(encoding="utf-8")
    text = text.replace("  - key: vpn\n", "  - key: email\n")
    root = make_project({"site_config/taxonomy.yml": text})
    line = text.splitlines().index("  - key: email", 3) + 1
    assert _issues(root) == [("site_config/taxonomy.yml", line, 10, "config.duplicate", "services[1].key")]


def test_portal_against_its_schema(make_project: MakeProject) -> None:
    """portal.yml values are checked: a language that is not offered is schema.enum with the choices."""
    root = make_project({"site_config/portal.yml": "organisation: Test\nlanguage: fr\n"})
    assert _issues(root) == [("site_config/portal.yml", 2, 11, "schema.enum", "language")]
    assert any("'fr' is not one of zh, en" in m for m in _messages(root))


def test_config_duplicate_yaml_key(make_project: MakeProject) -> None:
    """Duplicate keys are errors in configuration files too (not last-one-wins)."""
    root = make_project({"site_config/portal.yml": "organisation: Test\nlanguage: en\nlanguage: zh\n"})
    assert _issues(root) == [("site_config/portal.yml", 3, 1, "yaml.duplicate_key", "language")]


def test_config_empty_file(make_project: MakeProject) -> None:
    """An empty configuration file is config.empty."""
    root = make_project({"site_config/people.yml": "# nothing yet\n"})
    assert _issues(root) == [("site_config/people.yml", 1, 1, "config.empty", "")]


def test_config_gbk_file(make_project: MakeProject) -> None:
    """A configuration file saved as GBK is file.encoding at its first non-UTF-8 byte."""
    root = make_project({"site_config/people.yml": PEOPLE.encode("gbk")})
    assert _issues(root) == [("site_config/people.yml", 6, 11, "file.encoding", "")]


def test_missing_people_file(make_project: MakeProject) -> None:
    """A missing configuration file is config.missing naming it."""
    root = make_project({"site_config/people.yml": None})
    assert _issues(root) == [("site_config/people.yml", 0, 0, "config.missing", "")]
    assert any("site_config/people.yml is missing" in m for m in _messages(root))


def test_several_config_errors_reported_together(make_project: MakeProject) -> None:
    """Errors in several configuration files are all reported in one run."""
    root = make_project({"site_config/people.yml": None, "site_config/taxonomy.yml": "services: [\n"})
    paths = {p for p, *_ in _issues(root)}
    assert paths == {"site_config/people.yml", "site_config/taxonomy.yml"}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"type": "object",\n "properties": {\n  "id": {"type": "string",}\n }\n}\n', "line 3"),
        (json.dumps({"type": 5}), "not a valid JSON Schema"),
        (json.dumps({"type": "object", "properties": {"a": {"$ref": "#/$defs/nope"}}}), "nope"),
    ],
    ids=["json_syntax", "not_a_schema", "unresolvable_ref"],
)
def test_invalid_schema_file(make_project: MakeProject, content: str, fragment: str) -> None:
    """A broken JSON Schema in schemas/ is config.schema_file naming the file, and says what is wrong."""
    root = make_project({"schemas/lesson.schema.json": content})
    assert _issues(root) == [("schemas/lesson.schema.json", 1, 1, "config.schema_file", "")]
    assert any(fragment in m for m in _messages(root))


def _cost_centre_record(extra: str = "cost_centre: CC-100\n") -> dict[str, str]:
    return {
        "content/improvements/IMP-0400-cost-centre.md": (
            "---\nid: IMP-0400\ntitle: Organisation key\nstatus: identified\nraised: 2026-03-01\n"
            f"requester: li.na\nsource: staff_idea\naffects: [service/email]\n{extra}---\n"
        )
    }


def _extended_improvement_schema() -> str:
    schema = json.loads((REPO_ROOT / "schemas" / "improvement.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["cost_centre"] = {"type": "string", "pattern": "^CC-\\d+$", "description": "finance cost centre"}
    return json.dumps(schema, ensure_ascii=False, indent=2)


def test_organisation_key_is_unknown_without_schema_extension(make_project: MakeProject) -> None:
    """Without an extended schema, an organisation's own key is an unknown key (typos never pass silently)."""
    result = load_register(Project(make_project(_cost_centre_record())), use_cache=False)
    assert [(i.line, i.code, i.key) for i in result.issues] == [(9, "schema.unknown_key", "cost_centre")]


def test_organisation_extended_schema(make_project: MakeProject) -> None:
    """Adding `cost_centre` to the project's improvement schema makes records with it valid, and checks it."""
    root = make_project({"schemas/improvement.schema.json": _extended_improvement_schema(), **_cost_centre_record()})
    result = load_register(Project(root), use_cache=False)
    assert result.issues == []
    assert result.register is not None
    record = result.register.get("IMP-0400")
    assert record is not None and record.extra == {"cost_centre": "CC-100"}

    bad = make_project({"schemas/improvement.schema.json": _extended_improvement_schema(),
                        **_cost_centre_record("cost_centre: finance\n")}, name="bad")
    result = load_register(Project(bad), use_cache=False)
    assert [(i.line, i.column, i.code, i.key) for i in result.issues] == [(9, 14, "schema.pattern", "cost_centre")]


def test_extended_schema_key_can_be_required_by_workflow(make_project: MakeProject) -> None:
    """Once the schema knows `cost_centre`, workflow.yml may require it, and the validator enforces it."""
    workflow = WORKFLOW.replace("requires: [urgency, cost, value]", "requires: [urgency, cost, value, cost_centre]")
    record = (
        "---\nid: IMP-0401\ntitle: Assessed without cost centre\nstatus: assessed\nraised: 2026-03-01\n"
        "requester: li.na\nsource: staff_idea\naffects: [service/email]\nurgency: low\ncost: low\nvalue: Some.\n---\n"
    )
    root = make_project({
        "schemas/improvement.schema.json": _extended_improvement_schema(),
        "site_config/workflow.yml": workflow,
        "content": None,  # the base records use statuses the small workflow does not have
        "content/improvements/IMP-0401-no-cc.md": record,
    })
    result = load_register(Project(root), use_cache=False)
    assert result.config is not None
    assert [(i.path, i.line, i.column, i.code, i.key) for i in result.issues] == [
        ("content/improvements/IMP-0401-no-cc.md", 4, 9, "status.requires", "cost_centre")
    ]


def test_bundled_schemas_when_project_has_none(make_project: MakeProject) -> None:
    """A project without schemas/ uses cir-portal's own, and the base register still validates."""
    root = make_project({"schemas": None})
    assert not (root / "schemas").exists()
    result = load_register(Project(root), use_cache=False)
    assert result.config is not None and result.issues == []


def test_find_project_searches_up(make_project: MakeProject, tmp_path: Path) -> None:
    """find_project finds the folder with site_config/ from inside it, and nothing in an empty folder."""
    root = make_project()
    assert find_project(root / "content" / "improvements") == Project(root.resolve())
    assert find_project(root / "content", search_up=False) is None
    empty = tmp_path / "empty"
    empty.mkdir()
    assert find_project(empty, search_up=False) is None
