"""``mkdocs build`` runs the validation of ``cir validate``: the example builds with
``--strict`` and logs no warning; one broken record fails the build, which prints the same
location and message for each error as ``cir validate`` does."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cirtest.site import Build, copy_project, improvements, mkdocs_build, run_cir

pytestmark = pytest.mark.slow

#: One issue line of `cir validate`'s text output: location, severity, key and message, [code].
ISSUE_LINE = re.compile(r"^(?P<text>(?P<path>[^:\s]+):\d+(?::\d+)?: (?P<severity>error|warning): .*) \[[\w.-]+\]$")


def test_the_example_builds_strict_without_warnings(built: Build) -> None:
    """The example register is valid: ``mkdocs build --strict`` succeeds and logs no WARNING or ERROR."""
    assert built.returncode == 0
    noisy = [line for line in built.log.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert not noisy, "\n".join(noisy)


def break_record(path: Path) -> None:
    """Give a record an unknown status and misspell its `owner` key (as a contributor might)."""
    text = path.read_text(encoding="utf-8")
    text, statuses = re.subn(r"(?m)^status: .*$", "status: done", text, count=1)
    text, owners = re.subn(r"(?m)^owner:", "ower:", text, count=1)
    assert statuses == owners == 1, path
    path.write_text(text, encoding="utf-8")


def test_a_broken_record_fails_the_build_with_the_messages_of_cir_validate(tmp_path: Path) -> None:
    """With ``status: done`` and an unknown key ``ower`` in one record, ``cir validate`` exits 1
    and ``mkdocs build`` fails, with and without ``--strict``; the build's output holds, for every
    error ``cir validate`` reports, the same ``path:line:column: error: key: message``."""
    project = copy_project(tmp_path / "project")
    record = next(r for r in improvements(project) if "owner" in r.front_matter)
    break_record(record.path)
    rel = f"content/{record.rel}"
    with ThreadPoolExecutor(max_workers=3) as pool:
        validating = pool.submit(run_cir, "validate", str(project), cwd=tmp_path)
        strict = pool.submit(mkdocs_build, project, tmp_path / "strict-site")
        lenient = pool.submit(mkdocs_build, project, tmp_path / "site", strict=False)
    validated = validating.result()
    assert validated.returncode == 1, validated.stdout + validated.stderr
    issues = [m for m in map(ISSUE_LINE.match, validated.stdout.splitlines()) if m]
    errors = [m["text"] for m in issues if m["severity"] == "error"]
    assert errors and {m["path"] for m in issues} == {rel}, validated.stdout
    assert any(": error: status: " in e and "'done'" in e for e in errors), errors
    assert any(": error: ower: " in e and "owner" in e for e in errors), errors  # did you mean `owner`?
    for build in (strict.result(), lenient.result()):
        assert build.returncode != 0, build.log
        missing = [e for e in errors if e not in build.log]
        assert not missing, f"the build does not print what `cir validate` does:\n{missing}\n--- build log:\n{build.log}"
        assert sum(rel in line and ": error: " in line for line in build.log.splitlines()) == len(errors), build.log
        assert "cir validate" in build.log  # it says which command shows the errors with hints
        assert not (build.site / "index.html").exists()
