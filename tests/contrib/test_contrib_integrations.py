"""The integrations shipped in the repository: pre-commit hook, GitHub workflow, VS Code, the guide."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cir_portal.core.config import Project
from cir_portal.core.loading import parse_yaml
from cir_portal.core.pipeline import load_register
from cir_portal.views.context import Site
from cir_portal.views.guide import guide_page
from cirtest.contrib import REPO_ROOT, run

EXAMPLES = (REPO_ROOT / "scripts" / "ci-examples.md").read_text(encoding="utf-8")


def _yaml(path: Path) -> Any:
    value, problems = parse_yaml(path.read_text(encoding="utf-8"))
    assert not problems, problems
    return value


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", EXAMPLES, re.S | re.M)


def test_pre_commit_hook() -> None:
    [hook] = _yaml(REPO_ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "cir-validate"
    assert hook["entry"] == "cir validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("content/improvements/IMP-0001-x.md", "site_config/people.yml", "schemas/improvement.schema.json"):
        assert files.search(path), path
    for path in ("README.md", "plugins/cir_portal/cli.py", "tests/contrib/conftest.py"):
        assert not files.search(path), path


def test_github_workflow() -> None:
    flow = _yaml(REPO_ROOT / ".github" / "workflows" / "portal.yml")
    assert "pull_request" in flow["on"] and flow["on"]["push"]["branches"] == ["main"]
    assert flow["env"]["NO_MKDOCS_2_WARNING"] == "1"
    steps = flow["jobs"]["build"]["steps"]
    runs = [s.get("run") for s in steps]
    assert "pip install -e '.[mkdocs]'" in runs  # the library alone has no site engine
    assert "cir validate --format github" in runs
    assert "mkdocs build --strict" in runs
    assert runs.index("cir validate --format github") < runs.index("mkdocs build --strict")
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@"))
    assert "refs/heads/main" in upload["if"]
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_the_examples_quote_the_shipped_files_verbatim() -> None:
    yaml_blocks, json_blocks = _blocks("yaml"), _blocks("json")
    workflow = (REPO_ROOT / ".github" / "workflows" / "portal.yml").read_text(encoding="utf-8")
    hooks = (REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    hook_entries = hooks[hooks.index("\n- id:") + 1:]
    assert workflow in yaml_blocks
    assert hook_entries in yaml_blocks
    assert (REPO_ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8") in json_blocks
    for block in yaml_blocks:
        assert parse_yaml(block)[1] == []


def test_vscode_maps_every_config_file_to_an_existing_schema() -> None:
    settings = json.loads((REPO_ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapped = {}
    for schema, glob in settings["yaml.schemas"].items():
        assert (REPO_ROOT / schema).is_file(), schema
        for match in REPO_ROOT.glob(glob):
            mapped[match.name] = Path(schema).name
    assert mapped == {f"{n}.yml": f"{n}.schema.json" for n in ("portal", "workflow", "taxonomy", "people")}
    assert settings["files.encoding"] == "utf8"
    extensions = json.loads((REPO_ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_vscode_task_problem_matchers_read_cir_validate_output(register: Path) -> None:
    bad = register / "content" / "improvements" / "IMP-0999-bad.md"
    bad.write_text("---\nid: IMP-0999\ntitle: Bad\nstatus: done\nraised: 2026-01-01\nrequester: li.na\n"
                   "source: staff_idea\naffects: [service/email]\n---\n", encoding="utf-8")
    (register / "content" / "improvements" / "IMP-0998-nofm.md").write_text("no front matter\n", encoding="utf-8")
    output = run("validate", str(register), "--no-cache").stdout
    tasks = json.loads((REPO_ROOT / ".vscode" / "tasks.json").read_text(encoding="utf-8"))
    [task] = tasks["tasks"]
    patterns = [re.compile(m["pattern"]["regexp"]) for m in task["problemMatcher"]]
    problems = [line for line in output.splitlines() if ": error: " in line or ": warning: " in line]
    assert any("IMP-0999-bad.md:4:9: error: status:" in p for p in problems)
    for line in problems:
        matched = [p for p in patterns if p.match(line)]
        assert len(matched) == 1, line
        assert matched[0].match(line).group(1).startswith("content/")  # type: ignore[union-attr]


@pytest.mark.parametrize(("lang", "heading", "words"), [
    ("en", "## Editor support", ["cir new improvement", "cir move IMP-0042", "--against origin/main", "cir renumber",
                                 "cir import register.xlsx", "pre-commit", ".vscode/settings.json", "--format github"]),
    ("zh", "## 编辑器与工具支持", ["cir new improvement", "cir move IMP-0042", "--against origin/main", "cir renumber",
                                   "cir import register.xlsx", "pre-commit", ".vscode/settings.json", "--format github"]),
])
def test_guide_documents_the_commands_and_editor_support(register: Path, lang: str, heading: str,
                                                         words: list[str]) -> None:
    portal = register / "site_config" / "portal.yml"
    text = portal.read_text(encoding="utf-8")
    portal.write_text(re.sub(r"(?m)^language: \w+$", f"language: {lang}", text), encoding="utf-8")
    result = load_register(Project(register), use_cache=False)
    assert result.register is not None
    page = guide_page(Site(result.register, result.project, epoch=0))
    assert heading in page
    for word in words:
        assert word in page, word
