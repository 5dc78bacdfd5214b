"""The `cir validate` command: exit codes, the three output formats, all errors in one run, the cache."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cir_portal.adapters.cli.main import cli
from cir_portal.core.config import Project
from cir_portal.core.issues import Issue, Severity
from cir_portal.core.pipeline import CACHE_DIR, load_register
from cir_portal.core.reporters import REPORTERS, summary

MakeProject = Callable[..., Path]
ReadCase = Callable[[Path], dict[str, bytes]]
CASES = Path(__file__).parent / "cases"
CIR = Path(sys.executable).parent / "cir"
BASE_RECORDS = 5

TWO_ERRORS = """\
---
id: IMP-0500
title: Two errors in one file
status: done
raised: 2026-03-01
requester: li.na
source: staff_idea
affects: [service/email]
owner: ghost
---
"""
TWO_ERRORS_PATH = "content/improvements/IMP-0500-two.md"
TEXT_LINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<rest>.+)$")
GITHUB_LINE = re.compile(r"^::(?P<sev>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                         r"title=(?P<title>[^:]+)::(?P<msg>.+)$")


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args])


def _issue_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if TEXT_LINE.match(line)]


def test_valid_project_exits_0(make_project: MakeProject) -> None:
    """A valid register: exit 0, no issue lines, and a one-line summary."""
    result = _run(str(make_project()), "--no-cache")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [f"{BASE_RECORDS} records, no errors"]


def test_errors_exit_1_with_located_lines_and_summary(make_project: MakeProject) -> None:
    """Errors: exit 1, `path:line:col: error: key: message` lines with hints, and '2 errors in 1 file'."""
    result = _run(str(make_project({TWO_ERRORS_PATH: TWO_ERRORS})), "--no-cache")
    assert result.exit_code == 1, result.output
    lines = _issue_lines(result.stdout)
    assert lines == [
        f"{TWO_ERRORS_PATH}:4:9: error: status: 'done' is not one of identified, assessed, approved, planned, "
        "in_progress, evaluating, closed, rejected, deferred, cancelled [status.unknown]",
        f"{TWO_ERRORS_PATH}:9:8: error: owner: 'ghost' is not a person in site_config/people.yml [ref.person]",
    ]
    assert sum(line.startswith("    hint: ") for line in result.stdout.splitlines()) == 2
    assert result.stdout.splitlines()[-1] == f"{BASE_RECORDS + 1} records, 2 errors in 1 file"


def test_warnings_only_exit_0(make_project: MakeProject, read_case: ReadCase) -> None:
    """Warnings are printed but do not fail the run."""
    result = _run(str(make_project(read_case(CASES / "invalid" / "target_below_level"))), "--no-cache")
    assert result.exit_code == 0, result.output
    assert [TEXT_LINE.match(x)["sev"] for x in _issue_lines(result.stdout)] == ["warning"]  # type: ignore[index]
    assert result.stdout.splitlines()[-1] == f"{BASE_RECORDS + 1} records, no errors, 1 warning"


def test_all_files_reported_in_one_run(make_project: MakeProject) -> None:
    """Two bad files: both are reported, and the summary counts both files."""
    second = TWO_ERRORS.replace("IMP-0500", "IMP-0501").replace("owner: ghost\n", "")
    root = make_project({TWO_ERRORS_PATH: TWO_ERRORS, "content/improvements/IMP-0501-other.md": second})
    result = _run(str(root), "--no-cache")
    assert result.exit_code == 1
    paths = {TEXT_LINE.match(x)["path"] for x in _issue_lines(result.stdout)}  # type: ignore[index]
    assert paths == {TWO_ERRORS_PATH, "content/improvements/IMP-0501-other.md"}
    assert result.stdout.splitlines()[-1] == f"{BASE_RECORDS + 2} records, 3 errors in 2 files"


def test_no_project_exits_2(tmp_path: Path) -> None:
    """An empty folder is not a project: exit 2 and a message saying what is expected."""
    result = _run(str(tmp_path))
    assert result.exit_code == 2
    assert "no cir project" in result.stderr and "site_config/" in result.stderr
    assert result.stdout == ""


def test_broken_config_exits_2(make_project: MakeProject) -> None:
    """Unusable configuration: exit 2, its issues printed, and records not checked."""
    result = _run(str(make_project({"site_config/people.yml": None})), "--no-cache")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == (
        "site_config/people.yml: error: the configuration file site_config/people.yml is missing [config.missing]"
    )
    assert "configuration has errors" in result.output


def test_json_format_is_only_a_json_array(make_project: MakeProject) -> None:
    """--format json: stdout is exactly one JSON array of issue objects; the summary goes to stderr."""
    result = _run(str(make_project({TWO_ERRORS_PATH: TWO_ERRORS})), "--format", "json", "--no-cache")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 2
    for item in data:
        assert {"path", "line", "column", "key", "severity", "code", "message"} <= set(item)
    assert [(d["path"], d["line"], d["column"], d["key"], d["severity"], d["code"]) for d in data] == [
        (TWO_ERRORS_PATH, 4, 9, "status", "error", "status.unknown"),
        (TWO_ERRORS_PATH, 9, 8, "owner", "error", "ref.person"),
    ]
    assert "2 errors in 1 file" in result.stderr


def test_json_format_valid_project_is_empty_array(make_project: MakeProject) -> None:
    """--format json on a valid register prints []."""
    result = _run(str(make_project()), "--format", "json", "--no-cache")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_json_keeps_chinese_readable(make_project: MakeProject) -> None:
    """JSON output writes Chinese as characters, not \\u escapes."""
    bad = TWO_ERRORS.replace("owner: ghost", "owner: 王伟")
    result = _run(str(make_project({TWO_ERRORS_PATH: bad})), "--format", "json", "--no-cache")
    assert "'王伟' is not a person" in result.stdout


def test_github_format(make_project: MakeProject) -> None:
    """--format github: one `::error file=...,line=...,col=...,title=...::message` annotation per issue."""
    result = _run(str(make_project({TWO_ERRORS_PATH: TWO_ERRORS})), "--format", "github", "--no-cache")
    assert result.exit_code == 1
    matches = [GITHUB_LINE.match(line) for line in result.stdout.splitlines()]
    assert all(matches), result.stdout
    got = [(m["sev"], m["file"], m["line"], m["col"], m["title"]) for m in matches if m]
    assert got == [
        ("error", TWO_ERRORS_PATH, "4", "9", "status.unknown"),
        ("error", TWO_ERRORS_PATH, "9", "8", "ref.person"),
    ]
    assert matches[0] is not None and matches[0]["msg"].startswith("status: 'done' is not one of")


def test_reporters_escape_and_locate() -> None:
    """GitHub annotations escape newlines, %, and the separators in properties; text drops unknown positions."""
    issue = Issue("content/a,b:c.md", 3, 0, "", "error", "x.y", "first\nsecond 100%", "do this")
    assert REPORTERS["github"]([issue]) == (
        "::error file=content/a%2Cb%3Ac.md,line=3,title=x.y::first%0Asecond 100%25 (do this)\n"
    )
    assert REPORTERS["text"]([issue]) == "content/a,b:c.md:3: error: first\nsecond 100% [x.y]\n    hint: do this\n"
    assert REPORTERS["text"]([]) == REPORTERS["github"]([]) == ""
    assert json.loads(REPORTERS["json"]([])) == []


def test_summary_wording() -> None:
    """The summary line counts records, errors, files and warnings with singular and plural."""
    def make(path: str, severity: Severity) -> Issue:
        return Issue(path, 1, 1, "", severity, "c", "m")

    assert summary(1, []) == "1 record, no errors"
    assert summary(3, [make("a", "error")]) == "3 records, 1 error in 1 file"
    assert summary(3, [make("a", "error"), make("b", "error"), make("b", "warning"), make("c", "warning")]) == (
        "3 records, 2 errors in 2 files, 2 warnings"
    )


def test_json_format_when_config_broken_or_no_project(make_project: MakeProject, tmp_path: Path) -> None:
    """--format json keeps stdout a JSON array with exit 2, and prints nothing on stdout without a project."""
    result = _run(str(make_project({"site_config/people.yml": None})), "--format", "json", "--no-cache")
    assert result.exit_code == 2
    assert [d["code"] for d in json.loads(result.stdout)] == ["config.missing"]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run(str(empty), "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""


@pytest.mark.parametrize("folder", sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_every_invalid_case_reports_without_traceback(folder: Path, make_project: MakeProject,
                                                      read_case: ReadCase) -> None:
    """Each invalid case: the command exits normally (1, or 0 for warnings only) and prints each expected location."""
    expected = [line.split()[0] for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines() if line]
    result = _run(str(make_project(read_case(folder))), "--no-cache")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    warnings_only = all(" ref.requester " in x or " assessment.target " in x
                        for x in (folder / "expected.txt").read_text(encoding="utf-8").splitlines() if x)
    assert result.exit_code == (0 if warnings_only else 1)
    printed = {":".join(x.split(":")[:3]) for x in _issue_lines(result.stdout)}
    assert set(expected) <= printed


def _subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run([str(CIR), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=60, check=False)


def test_installed_command_in_project_folder(make_project: MakeProject) -> None:
    """The real `cir` executable, run inside a project without PATH, validates it and exits 0."""
    assert CIR.is_file(), f"{CIR} is missing: install the package into the venv"
    proc = _subprocess(["validate", "--no-cache"], make_project() / "content")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == f"{BASE_RECORDS} records, no errors"


def test_installed_command_all_invalid_cases_together(tmp_path: Path, project_builder: Callable[..., Path],
                                                      read_case: ReadCase) -> None:
    """Every invalid case in one project, through the real executable: exit 1, all reported, no traceback."""
    files: dict[str, bytes] = {}
    expected_paths: set[str] = set()
    for folder in sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir()):
        files.update(read_case(folder))
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
            if line:
                expected_paths.add(line.split(":")[0])
    root = project_builder(tmp_path / "all", files)
    proc = _subprocess(["validate", str(root), "--format", "json"], tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 1
    reported = {item["path"] for item in json.loads(proc.stdout)}
    assert expected_paths <= reported


def test_installed_command_no_project(tmp_path: Path) -> None:
    """The real executable exits 2 outside a project, with a message and no traceback."""
    proc = _subprocess(["validate", str(tmp_path)], tmp_path)
    assert proc.returncode == 2
    assert "no cir project" in proc.stderr and "Traceback" not in proc.stderr


def test_cache_warm_run_reports_the_same(make_project: MakeProject) -> None:
    """With the cache, a second run gives the same output, and parses no unchanged file."""
    root = make_project({TWO_ERRORS_PATH: TWO_ERRORS})
    cold = _run(str(root))
    assert (root / CACHE_DIR).is_dir()
    warm = _run(str(root))
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout) == (1, cold.stdout)
    again = load_register(Project(root))
    assert again.cache_hits == BASE_RECORDS + 1
    assert sorted(again.issues, key=lambda i: i.sort_key) == sorted(
        load_register(Project(root), use_cache=False).issues, key=lambda i: i.sort_key)


def test_cache_picks_up_an_edited_file(make_project: MakeProject) -> None:
    """After a file is fixed (or broken) the next cached run sees the change."""
    root = make_project({TWO_ERRORS_PATH: TWO_ERRORS})
    assert _run(str(root)).exit_code == 1
    path = root / TWO_ERRORS_PATH
    path.write_text(TWO_ERRORS.replace("status: done", "status: identified").replace("owner: ghost", "owner: li.na"),
                    encoding="utf-8")
    fixed = _run(str(root))
    assert fixed.exit_code == 0, fixed.output
    path.write_text(TWO_ERRORS.replace("owner: ghost", "owner: li.na"), encoding="utf-8")
    broken = _run(str(root))
    assert broken.exit_code == 1
    assert [x.split(": ")[0] for x in _issue_lines(broken.stdout)] == [f"{TWO_ERRORS_PATH}:4:9"]


def test_cache_invalidated_by_schema_change(make_project: MakeProject) -> None:
    """A cached result is not reused when schemas/ changes what the record means."""
    record = TWO_ERRORS.replace("status: done", "status: identified").replace("owner: ghost", "cost_centre: CC-1")
    root = make_project({TWO_ERRORS_PATH: record})
    first = _run(str(root))
    assert first.exit_code == 1 and "[schema.unknown_key]" in first.stdout
    schema_path = root / "schemas" / "improvement.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["cost_centre"] = {"type": "string"}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    second = _run(str(root))
    assert second.exit_code == 0, second.output


def test_no_cache_writes_no_cache(make_project: MakeProject) -> None:
    """--no-cache neither creates .cir-cache/ nor changes the result."""
    root = make_project({TWO_ERRORS_PATH: TWO_ERRORS})
    plain = _run(str(root), "--no-cache")
    assert not (root / CACHE_DIR).exists()
    cached = _run(str(root))
    assert (root / CACHE_DIR).is_dir()
    again = _run(str(root), "--no-cache")
    assert plain.stdout == cached.stdout == again.stdout


def test_corrupt_cache_is_ignored(make_project: MakeProject) -> None:
    """A damaged cache file is ignored (and rewritten), not a crash."""
    root = make_project({TWO_ERRORS_PATH: TWO_ERRORS})
    expected = _run(str(root)).stdout
    cache_files = [p for p in (root / CACHE_DIR).iterdir() if p.name != ".gitignore"]
    assert cache_files
    for path in cache_files:
        path.write_bytes(b"\x00not a cache\xff")
    result = _run(str(root))
    assert result.exit_code == 1 and result.stdout == expected
    assert load_register(Project(root)).cache_hits == BASE_RECORDS + 1
