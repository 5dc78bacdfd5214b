"""Edits are all or nothing and atomic: `renumber` restores what it wrote when a write fails;
`move`, `new`, `import` and `gaps --write` keep a file's mode and refuse links and read-only
files; validate and the editor parse YAML alike (a tab after `key:`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from cir_portal.authoring import atomic
from cir_portal.authoring.atomic import FileWrite, WriteRefused, write_files
from cirtest.safety import improvement, run

MakeProject = Callable[..., Path]
LESSON = "content/lessons/LL-0001-pilot-first.md"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "content").rglob("*")) if p.is_file()}


def referencing(make_project: MakeProject) -> Path:
    """IMP-0002 and a lesson that refers to it (renumbering IMP-0002 rewrites both)."""
    lesson = (Path(__file__).parents[1] / "cases" / "_base" / LESSON).read_text(encoding="utf-8")
    return make_project({"content/improvements/IMP-0002-two.md": improvement("IMP-0002", "Two"),
                         LESSON: lesson.replace("improvements: [IMP-0001]", "improvements: [IMP-0001, IMP-0002]")})


def test_write_files_restores_everything_when_one_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, old = tmp_path / "a.md", tmp_path / "b.md", tmp_path / "old.md"
    a.write_bytes(b"A")
    b.write_bytes(b"B")
    old.write_bytes(b"OLD")
    os.chmod(a, 0o640)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(WriteRefused, match="restored"):
        write_files([FileWrite(a, b"A2"), FileWrite(b, b"B2"), FileWrite(tmp_path / "new.md", b"N", create=True, remove=old)])
    monkeypatch.undo()
    assert (a.read_bytes(), b.read_bytes(), old.read_bytes()) == (b"A", b"B", b"OLD")
    assert not (tmp_path / "new.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md", "old.md"]  # no temporary file left
    assert stat.S_IMODE(a.stat().st_mode) == 0o640


def test_write_files_keeps_the_mode_and_refuses_links_and_read_only(tmp_path: Path) -> None:
    target = tmp_path / "r.md"
    target.write_bytes(b"x")
    os.chmod(target, 0o600)
    write_files([FileWrite(target, b"y")])
    assert target.read_bytes() == b"y" and stat.S_IMODE(target.stat().st_mode) == 0o600
    link = tmp_path / "l.md"
    link.symlink_to(target)
    with pytest.raises(WriteRefused, match="symbolic link"):
        write_files([FileWrite(link, b"z")])
    os.chmod(target, 0o444)
    with pytest.raises(WriteRefused, match="read-only"):
        write_files([FileWrite(target, b"z")])
    with pytest.raises(WriteRefused, match="never overwritten"):
        write_files([FileWrite(target, b"z", create=True)])
    assert target.read_bytes() == b"y" and link.is_symlink()


def test_renumber_with_a_read_only_referencing_file_changes_nothing(make_project: MakeProject) -> None:
    root = referencing(make_project)
    os.chmod(root / LESSON, 0o444)
    before = snapshot(root)
    result = run("renumber", "IMP-0002", "--project", str(root))
    assert result.exit_code == 1
    assert "read-only" in result.output and LESSON in result.output
    assert snapshot(root) == before


def test_renumber_rolls_back_when_a_write_fails(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    root = referencing(make_project)
    before = snapshot(root)
    real_replace = os.replace

    def fail_on_lesson(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name.startswith("LL-0001"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", fail_on_lesson)
    result = run("renumber", "IMP-0002", "--project", str(root))
    monkeypatch.undo()
    assert result.exit_code == 1 and "restored" in result.output
    assert snapshot(root) == before
    assert run("validate", str(root), "--no-cache").exit_code == 0


def test_move_refuses_a_symlinked_or_read_only_record(make_project: MakeProject) -> None:
    root = make_project()
    real = root / "drafts" / "IMP-0002-two.md"  # a link inside the project is read, but never replaced by a copy
    real.parent.mkdir()
    real.write_text(improvement("IMP-0002", "Two", extra="urgency: low\ncost: low\nvalue: v\n"), encoding="utf-8")
    link = root / "content" / "improvements" / "IMP-0002-two.md"
    link.symlink_to(real)
    moved = run("move", "IMP-0002", "assessed", "--project", str(root))
    assert moved.exit_code == 1 and "symbolic link" in moved.output
    assert link.is_symlink() and "status: identified" in real.read_text(encoding="utf-8")
    link.unlink()
    link.write_text(improvement("IMP-0002", "Two", extra="urgency: low\ncost: low\nvalue: v\n"), encoding="utf-8")
    os.chmod(link, 0o444)
    refused = run("move", "IMP-0002", "assessed", "--project", str(root))
    assert refused.exit_code == 1 and "read-only" in refused.output
    os.chmod(link, 0o640)
    done = run("move", "IMP-0002", "assessed", "--project", str(root))
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(link.stat().st_mode) == 0o640 and "status: assessed" in link.read_text(encoding="utf-8")


def test_tab_after_colon_is_accepted_by_validate_and_move(make_project: MakeProject) -> None:
    text = improvement("IMP-0002", "Two", extra="urgency:\tlow\ncost: low\nvalue: v\n")
    root = make_project({"content/improvements/IMP-0002-two.md": text})
    assert run("validate", str(root), "--no-cache").exit_code == 0
    moved = run("move", "IMP-0002", "assessed", "--project", str(root))
    assert moved.exit_code == 0, moved.output
    assert "urgency:\tlow" in (root / "content" / "improvements" / "IMP-0002-two.md").read_text(encoding="utf-8")


def test_new_refuses_to_replace_a_link_where_its_file_goes(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (root / "content" / "improvements" / "IMP-0002-email.md").symlink_to(victim)  # a dangling id, taken by its name
    result = run("new", "improvement", "email", "--requester", "li.na", "--affects", "service/email",
                 "--project", str(root))
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "keep"
    assert "IMP-0003" in result.output
