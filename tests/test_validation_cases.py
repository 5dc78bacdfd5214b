"""Validation case folders: each invalid case yields exactly the issues in its expected.txt.

``tests/cases/valid/<case>/`` and ``tests/cases/invalid/<case>/`` hold project files
(``content/...``) laid over the base project of conftest.py. ``expected.txt`` lists one
issue a line as ``<path>:<line>:<column> <code> <key>`` (key ``-`` when empty); the set of
errors and warnings found must equal it exactly. The optional ``messages.txt`` lists
``<code> <text>`` lines: some issue with that code has a message containing the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from cir_portal.core.config import Project
from cir_portal.core.issues import Issue
from cir_portal.core.loading import KIND_FOLDERS
from cir_portal.core.model import Improvement
from cir_portal.core.pipeline import LoadResult, load_register

CASES = Path(__file__).parent / "cases"
ReadCase = Callable[[Path], dict[str, bytes]]

#: Codes that are advice, not errors: a record with only these still validates.
WARNING_CODES = frozenset({"ref.requester", "assessment.target"})


def _case_dirs(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).iterdir() if p.is_dir())


def _fmt(issue: Issue) -> str:
    return f"{issue.path}:{issue.line}:{issue.column} {issue.code} {issue.key or '-'}"


def _expected(folder: Path) -> list[str]:
    path = folder / "expected.txt"
    if not path.is_file():
        return []
    return sorted(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _messages(folder: Path) -> list[tuple[str, str]]:
    path = folder / "messages.txt"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            code, _, text = line.strip().partition(" ")
            out.append((code, text))
    return out


LoadCase = Callable[[Path], tuple[LoadResult, dict[str, bytes]]]


@pytest.fixture
def load_case(make_project: Callable[..., Path], read_case: ReadCase) -> LoadCase:
    """``load_case(folder)``: the case laid over the base project, loaded without cache; and its files."""

    def load(folder: Path) -> tuple[LoadResult, dict[str, bytes]]:
        files = read_case(folder)
        result = load_register(Project(make_project(files)), use_cache=False)
        assert result.config is not None, [_fmt(i) for i in result.issues]
        return result, files

    return load


def _record_paths(files: Iterable[str]) -> set[str]:
    folders = tuple(f"content/{folder}/" for folder in KIND_FOLDERS.values())
    return {rel for rel in files if rel.startswith(folders) and rel.endswith(".md")}


def test_base_project_is_valid(make_project: Callable[..., Path]) -> None:
    """The base every case is laid over has no issues and all five records in the model."""
    result = load_register(Project(make_project()), use_cache=False)
    assert [_fmt(i) for i in result.issues] == []
    assert result.register is not None
    assert sorted(r.id for r in result.register.all()) == ["ASM-0001", "IMP-0001", "LL-0001", "OBJ-01", "OBJ-02"]


@pytest.mark.parametrize("folder", _case_dirs("invalid"), ids=lambda p: p.name)
def test_invalid_case(folder: Path, load_case: LoadCase, read_case: ReadCase) -> None:
    """Exactly the issues in expected.txt, with the promised messages; bad files stay out of the model."""
    expected = _expected(folder)
    assert expected, f"{folder.name} has no expected.txt"
    result, files = load_case(folder)
    assert sorted(_fmt(i) for i in result.issues) == expected
    for code, text in _messages(folder):
        messages = [i.message for i in result.issues if i.code == code]
        assert any(text in m for m in messages), (code, text, messages)
    for issue in result.issues:
        assert issue.severity == ("warning" if issue.code in WARNING_CODES else "error"), _fmt(issue)
        assert issue.message and issue.path in files
    # A file with an error stays out of the model; the base records and warned-about files are in it.
    assert result.register is not None
    in_model = {r.rel for r in result.register.all()}
    with_errors = {i.path for i in result.errors}
    for rel in _record_paths(files):
        assert (rel in in_model) == (rel not in with_errors), rel
    assert _record_paths(read_case(CASES / "_base")) <= in_model


@pytest.mark.parametrize("folder", _case_dirs("valid"), ids=lambda p: p.name)
def test_valid_case(folder: Path, load_case: LoadCase) -> None:
    """No errors, only the warnings in expected.txt, and every record of the case is in the model."""
    result, files = load_case(folder)
    assert [_fmt(i) for i in result.errors] == []
    assert sorted(_fmt(i) for i in result.warnings) == _expected(folder)
    assert result.register is not None
    paths = _record_paths(files)
    assert paths, f"{folder.name} has no record files"
    assert paths <= {r.rel for r in result.register.all()}


def test_yes_no_values_stay_text(load_case: LoadCase) -> None:
    """YAML 1.1 booleans (no, on, off, yes, y, n) are read as the text the contributor wrote."""
    result, _ = load_case(CASES / "valid" / "yes_no_strings")
    assert result.register is not None
    record = result.register.get("IMP-0202")
    assert isinstance(record, Improvement)
    assert record.title == "no"
    assert (record.requester, record.source_ref, record.value) == ("on", "off", "yes")
    assert record.tags == ("yes", "no", "on", "off", "y", "n", "NO", "Yes", "null-ish", "true")
    assert record.raised == "2026-03-01"


def test_bom_and_crlf_are_invisible(load_case: LoadCase) -> None:
    """A BOM and CRLF endings leave no trace in values or body, and line numbers stay right."""
    result, files = load_case(CASES / "valid" / "bom_and_crlf")
    raw = files["content/improvements/IMP-0201-notepad.md"]
    assert raw.startswith(b"\xef\xbb\xbf---\r\n")
    assert result.register is not None
    record = result.register.get("IMP-0201")
    assert record is not None
    assert record.id == "IMP-0201" and record.title == "记事本保存的文件"
    assert record.tags == ("记事本", "crlf")
    assert "\r" not in record.body and "\ufeff" not in record.body
    assert record.body_line == 11


def test_chinese_file_names_and_values(load_case: LoadCase) -> None:
    """Chinese slugs in file names, Chinese free-text requester and body all load."""
    result, _ = load_case(CASES / "valid" / "chinese_everything")
    assert result.register is not None
    imp = result.register.get("IMP-0203")
    assert isinstance(imp, Improvement)
    assert imp.rel == "content/improvements/IMP-0203-邮件-告警-降噪.md"
    assert imp.requester == "客户代表"
    assert "客户代表在季度回访中反映" in imp.body
    assert [lesson.id for lesson in result.register.lessons_by_improvement["IMP-0203"]] == ["LL-0203"]
