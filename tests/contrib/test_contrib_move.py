"""`cir move`: workflow checks, requirements, and in-place edits that keep every other byte.

IMP-0901 (planned, history as a block list of flow maps) and IMP-0902 (identified, no
history) are records of cirtest/contrib.py, added to a copy of the example register.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from cir_portal.core.loading import read_source
from cirtest.contrib import issues_in, run


def _add_keys(path: Path, lines: str) -> None:
    """Insert front matter lines before `tags:`."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntags:", f"\n{lines}tags:", 1), encoding="utf-8", newline="\n")


def _changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """Lines removed and lines added; every other line is byte-identical and in place."""
    a, b = before.decode("utf-8").splitlines(keepends=True), after.decode("utf-8").splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def _data(path: Path) -> dict[str, object]:
    src = read_source(path, path.name, "improvement")
    assert src.data is not None
    return src.data


def _valid(register: Path, path: Path) -> bool:
    return issues_in(register, path.relative_to(register).as_posix()) == []


def test_move_changes_status_and_appends_history_only(register: Path, records: dict[str, Path]) -> None:
    path = records["IMP-0901"]
    before = path.read_bytes()
    result = run("move", "IMP-0901", "in_progress", "--note", "试点开始: 第一批", "--date", "2026-12-01",
                 project=register)
    assert result.exit_code == 0, result.output
    assert "IMP-0901 planned -> in_progress" in result.stdout
    removed, added = _changed_lines(before, path.read_bytes())
    assert removed == ["status: planned\n"]
    assert added == ["status: in_progress\n", '  - {date: 2026-12-01, status: in_progress, note: "试点开始: 第一批"}\n']
    assert _valid(register, path)


def test_missing_requirements_are_listed_and_nothing_is_written(register: Path, records: dict[str, Path]) -> None:
    path = records["IMP-0902"]
    before = path.read_bytes()
    result = run("move", "IMP-0902", "assessed", project=register)
    assert result.exit_code == 1
    assert "lacks what 'assessed' requires" in result.stderr
    for key in ("urgency", "cost", "value"):
        assert re.search(rf"^    {key}\s+\S", result.stderr, re.M), key
    assert path.read_bytes() == before


def test_nested_requirements_are_listed_with_their_keys(register: Path, records: dict[str, Path]) -> None:
    _add_keys(records["IMP-0902"], "urgency: low\ncost: low\nvalue: x\n")
    assert run("move", "IMP-0902", "assessed", "--date", "2026-03-02", project=register).exit_code == 0
    result = run("move", "IMP-0902", "approved", project=register)
    assert result.exit_code == 1
    for key in ("owner", "objectives", "business_case.problem", "business_case.solution", "business_case.benefits",
                "approved_by", "approved_on"):
        assert f"    {key} " in result.stderr, key


def test_a_transition_the_workflow_does_not_allow_lists_the_allowed_ones(register: Path, records: dict[str, Path]) -> None:
    result = run("move", "IMP-0902", "closed", project=register)
    assert result.exit_code == 1
    assert "may not move to 'closed'" in result.stderr
    assert "assessed, rejected, deferred, cancelled" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["IMP-9999", "assessed"], "no record has the id 'IMP-9999'"),
    (["IMP-0902", "done"], "'done' is not a status"),
    (["IMP-0902", "identified"], "already 'identified'"),
    (["IMP-0901", "in_progress", "--date", "2020-01-01"], "before the record's last change"),
    (["IMP-0901", "in_progress", "--date", "2026-13-01"], "is not a date"),
])
def test_mistakes_are_messages(register: Path, records: dict[str, Path], args: list[str], message: str) -> None:
    before = records["IMP-0901"].read_bytes()
    result = run("move", *args, project=register)
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output
    assert records["IMP-0901"].read_bytes() == before


def test_only_improvements_have_a_status(register: Path) -> None:
    lesson = sorted((register / "content" / "lessons").glob("LL-*.md"))[0].name[:7]
    result = run("move", lesson, "assessed", project=register)
    assert result.exit_code == 1
    assert "only improvements have a status" in result.stderr


def test_statuses_may_be_named_by_their_label(register: Path, records: dict[str, Path]) -> None:
    _add_keys(records["IMP-0902"], "closed_on: 2026-12-01\nreason: 重复\n")
    result = run("move", "IMP-0902", "已取消", "--date", "2026-12-01", project=register)
    assert result.exit_code == 0, result.output
    assert _data(records["IMP-0902"])["status"] == "cancelled"


def test_missing_history_is_created_from_raised(register: Path, records: dict[str, Path]) -> None:
    path = records["IMP-0902"]
    _add_keys(path, "urgency: medium\ncost: low  # cheap\nvalue: '配置可随时恢复'\n")
    before = path.read_bytes()
    result = run("move", "IMP-0902", "assessed", "--date", "2026-03-02", project=register)
    assert result.exit_code == 0, result.output
    assert _data(path)["history"] == [{"date": "2026-03-01", "status": "identified"},
                                      {"date": "2026-03-02", "status": "assessed"}]
    removed, added = _changed_lines(before, path.read_bytes())
    assert removed == ["status: identified\n"]
    assert added == ["status: assessed\n", "history:\n", "  - {date: 2026-03-01, status: identified}\n",
                     "  - {date: 2026-03-02, status: assessed}\n"]
    assert _valid(register, path)


def test_flow_history_gets_the_entry_inside_its_brackets(register: Path, records: dict[str, Path]) -> None:
    path = records["IMP-0901"]
    text = path.read_text(encoding="utf-8")
    block = re.search(r"\nhistory:\n((?:  - .*\n)+)", text)
    assert block is not None
    items = [line.strip()[2:] for line in block.group(1).splitlines()]
    path.write_text(text.replace(block.group(0), "\nhistory: [" + ", ".join(items) + "]\n"), encoding="utf-8")
    result = run("move", "IMP-0901", "in_progress", "--date", "2026-12-01", project=register)
    assert result.exit_code == 0, result.output
    line = next(x for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("history:"))
    assert line.endswith("status: planned}, {date: 2026-12-01, status: in_progress}]")
    assert _valid(register, path)


def test_block_map_history_gets_a_block_map_entry(register: Path, records: dict[str, Path]) -> None:
    path = records["IMP-0901"]
    text = path.read_text(encoding="utf-8")
    block = re.search(r"\nhistory:\n((?:  - .*\n)+)", text)
    assert block is not None
    items = re.findall(r"\{date: ([\d-]+), status: (\w+)", block.group(1))
    path.write_text(text.replace(block.group(0), "\nhistory:\n" + "".join(
        f"  - date: {d}\n    status: {s}\n" for d, s in items)), encoding="utf-8")
    result = run("move", "IMP-0901", "in_progress", "--date", "2026-12-01", "--note", "go", project=register)
    assert result.exit_code == 0, result.output
    assert "    status: planned\n  - date: 2026-12-01\n    status: in_progress\n    note: go\n---\n" in \
        path.read_text(encoding="utf-8")
    assert _valid(register, path)


def test_crlf_and_bom_survive_and_the_body_is_untouched(register: Path, records: dict[str, Path]) -> None:
    path = records["IMP-0901"]
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    result = run("move", "IMP-0901", "in_progress", "--date", "2026-12-01", project=register)
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf---\r\n")
    assert after.count(b"\n") == after.count(b"\r\n")
    assert after.split(b"\r\n---\r\n", 1)[1] == before.split(b"\r\n---\r\n", 1)[1]
    removed, added = _changed_lines(before[3:], after[3:])
    assert removed == ["status: planned\r\n"]
    assert added == ["status: in_progress\r\n", "  - {date: 2026-12-01, status: in_progress}\r\n"]


def test_a_record_moved_through_the_whole_workflow_stays_valid(register: Path, records: dict[str, Path]) -> None:
    path = records["IMP-0901"]
    for status, day in (("in_progress", "2026-06-01"), ("evaluating", "2026-11-01")):
        assert run("move", "IMP-0901", status, "--date", day, project=register).exit_code == 0
    lesson = sorted((register / "content" / "lessons").glob("LL-*.md"))[0].name[:7]
    _add_keys(path, f"closed_on: 2026-12-15\noutcome: achieved\nlessons: [{lesson}]\n")
    result = run("move", "IMP-0901", "closed", "--date", "2026-12-15", project=register)
    assert result.exit_code == 0, result.output
    assert [h["status"] for h in _data(path)["history"]][-3:] == ["in_progress", "evaluating", "closed"]  # type: ignore[index]
    assert _valid(register, path)


ENTRY = {"date": "2026-12-01", "status": "assessed", "note": "a: b"}


@pytest.mark.parametrize(("history", "expected"), [
    ("", "history:\n  - {date: 2026-12-01, status: assessed, note: \"a: b\"}\n"),
    ("history:\n", "history:\n  - {date: 2026-12-01, status: assessed, note: \"a: b\"}\n"),
    ("history: ~  # none yet\n", "history:   # none yet\n  - {date: 2026-12-01, status: assessed, note: \"a: b\"}\n"),
    ("history: []\n", "history: [{date: 2026-12-01, status: assessed, note: \"a: b\"}]\n"),
    ("history: [{date: 2026-01-01, status: identified}]\n",
     "history: [{date: 2026-01-01, status: identified}, {date: 2026-12-01, status: assessed, note: \"a: b\"}]\n"),
    ("history:\n- {date: 2026-01-01, status: identified}\n# trailing comment\n",
     "history:\n- {date: 2026-01-01, status: identified}\n- {date: 2026-12-01, status: assessed, note: \"a: b\"}\n"
     "# trailing comment\n"),
    ("history:\n    -   date: 2026-01-01\n        status: identified\n",
     "history:\n    -   date: 2026-01-01\n        status: identified\n    -   date: 2026-12-01\n        status: assessed\n"
     "        note: \"a: b\"\n"),
    ("history:\n  - date: 2026-01-01\n    note: |\n      two\n      lines\n    status: identified\n",
     "history:\n  - date: 2026-01-01\n    note: |\n      two\n      lines\n    status: identified\n"
     "  - date: 2026-12-01\n    status: assessed\n    note: \"a: b\"\n"),
])
def test_history_is_appended_in_the_style_of_the_file(tmp_path: Path, history: str, expected: str) -> None:
    from cir_portal.authoring.editor import Editor, RecordText

    head = "id: IMP-0001\nstatus: identified  # keep\nmetrics:\n  - {name: x}\n"
    path = tmp_path / "IMP-0001-x.md"
    path.write_text(f"---\n{head}{history}---\nbody\n", encoding="utf-8")
    editor = Editor(RecordText.read(path, path.name), path.name)
    editor.set_scalar(("status",), "assessed")
    editor.append_items("history", [ENTRY])
    assert editor.result() == f"---\n{head.replace('identified  #', 'assessed  #')}{expected}---\nbody\n"
