"""Ids taken by two branches in parallel: `cir validate --against REF` and `cir renumber`.

Each test builds a git repository from a copy of the example register: `main`, then
branches that each create the next free improvement id, as two pull requests would.
"""

from __future__ import annotations

import json
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cirtest.contrib import error_keys, git, git_init, id_problems, next_id, run

NEW = ("--requester", "li.na", "--affects", "service/email", "--date", "2026-03-01")


def _commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def _branches(root: Path) -> tuple[str, str, str]:
    """Branches `a` and `b` from `main`, each adding an improvement with the same new id.

    Branch `b` also adds a lesson and an improvement that refer to its record. Returns the
    id and the paths of a's and b's records; `b` is checked out.
    """
    git_init(root)
    rid = next_id(root, "improvements", "IMP")
    git(root, "checkout", "-q", "-b", "a")
    path_a = run("new", "improvement", "Branch A idea", *NEW, project=root).stdout.strip()
    _commit(root, "a: new improvement")
    git(root, "checkout", "-q", "-b", "b", "main")
    path_b = run("new", "improvement", "Branch B idea", *NEW, project=root).stdout.strip()
    assert Path(path_a).name.startswith(rid) and Path(path_b).name.startswith(rid)
    lesson = run("new", "lesson", "From B", "--kind", "observation", "--recommendation", "Keep going.",
                 "--author", "li.na", "--improvement", rid, "--date", "2026-03-02", project=root).stdout.strip()
    other = run("new", "improvement", "Related to B", *NEW, project=root).stdout.strip()
    text = (root / other).read_text(encoding="utf-8")
    (root / other).write_text(text.replace("\ntags:", f"\nrelated: [{rid}]\ntags:") if "\ntags:" in text
                              else text.replace("\naffects:", f"\nrelated: [{rid}]\naffects:"), encoding="utf-8")
    assert rid in (root / lesson).read_text(encoding="utf-8")
    _commit(root, "b: new improvement, a lesson and a related improvement")
    return rid, path_a, path_b


def test_collision_is_reported_then_renumbered_away(register: Path) -> None:
    baseline = error_keys(register)
    rid, path_a, path_b = _branches(register)
    assert id_problems(register) == []  # each branch is valid on its own

    result = run("validate", str(register), "--against", "a")
    assert result.exit_code == 1
    assert f"{path_b}:2:5: error: id: the id '{rid}' is also used on a by {path_a}" in result.stdout
    assert "[id.collision]" in result.stdout and f"cir renumber {rid}" in result.stdout
    issues = json.loads(run("validate", str(register), "--against", "a", "--format", "json").stdout)
    assert [(i["path"], i["code"]) for i in issues if i["code"].startswith("id.")] == [(path_b, "id.collision")]
    github = run("validate", str(register), "--against", "a", "--format", "github").stdout
    assert github.startswith(f"::error file={path_b},line=2,col=5,title=id.collision::")
    assert id_problems(register, "main") == []

    result = run("renumber", rid, project=register)
    assert result.exit_code == 0, result.output
    new_id = result.stdout.split()[2].rstrip(":")
    assert new_id > rid
    assert not (register / path_b).exists()
    renamed = register / path_b.replace(rid, new_id)
    assert renamed.read_text(encoding="utf-8").startswith(f"---\nid: {new_id}\n")
    assert "updated content/lessons/" in result.stdout and "improvements[0]" in result.stdout
    assert "related[0]" in result.stdout
    loaded = load_register(Project(register), use_cache=False)
    assert {(i.path, i.code, i.key) for i in loaded.errors} <= baseline
    assert loaded.register is not None
    assert any(new_id in lesson.improvements for lesson in loaded.register.lessons)
    assert id_problems(register, "a") == []


def test_renumber_edits_references_in_place(register: Path) -> None:
    rid, _, _ = _branches(register)
    lesson = next(p for p in (register / "content" / "lessons").glob("*.md") if rid in p.read_text(encoding="utf-8"))
    before = lesson.read_text(encoding="utf-8")
    new_id = run("renumber", rid, project=register).stdout.split()[2].rstrip(":")
    after = lesson.read_text(encoding="utf-8")
    assert after == before.replace(f"improvements: [{rid}]", f"improvements: [{new_id}]")


def test_unknown_ref_is_exit_2(register: Path) -> None:
    git_init(register)
    result = run("validate", str(register), "--against", "no-such-branch")
    assert result.exit_code == 2
    assert "git ref 'no-such-branch' not found" in result.stderr
    assert "fetch" in result.stderr


def test_against_outside_git_is_exit_2(register: Path) -> None:
    result = run("validate", str(register), "--against", "main")
    assert result.exit_code == 2
    assert "not in a git repository" in result.stderr


def test_a_renamed_or_edited_record_is_not_a_collision(register: Path) -> None:
    git_init(register)
    first = sorted((register / "content" / "improvements").glob("*.md"))[0]
    git(register, "checkout", "-q", "-b", "rename")
    git(register, "mv", str(first), str(first.with_name(first.name[:9] + "renamed-slug.md")))
    _commit(register, "rename a record")
    git(register, "checkout", "-q", "main")
    first.write_text(first.read_text(encoding="utf-8") + "\nEdited on main.\n", encoding="utf-8")
    _commit(register, "edit the same record")
    assert id_problems(register, "rename") == []


def test_after_merging_main_the_branch_record_is_renumbered(register: Path) -> None:
    baseline = error_keys(register)
    rid, path_a, path_b = _branches(register)
    git(register, "checkout", "-q", "main")
    git(register, "merge", "-q", "a")
    git(register, "checkout", "-q", "b")
    git(register, "merge", "-q", "--no-edit", "main")  # now both files hold the id
    assert id_problems(register) == [(path_b, "id.duplicate")]

    result = run("renumber", rid, project=register)
    assert result.exit_code == 0, result.output
    assert (register / path_a).exists() and not (register / path_b).exists()
    assert error_keys(register) <= baseline


def test_renumber_refuses_when_it_cannot_tell_which_record(register: Path) -> None:
    baseline = error_keys(register)
    rid = next_id(register, "improvements", "IMP")
    first = register / f"content/improvements/{rid}-one.md"
    second = register / f"content/improvements/{rid}-two.md"
    template = run("new", "improvement", "One", *NEW, "--dry-run", project=register).stdout
    first.write_text(template, encoding="utf-8")
    second.write_text(template.replace("title: One", "title: Two"), encoding="utf-8")
    result = run("renumber", rid, project=register)
    assert result.exit_code == 1
    assert "is used by 2 files" in result.stderr and "cir renumber <path" in result.stderr
    result = run("renumber", str(second), project=register)
    assert result.exit_code == 0, result.output
    assert error_keys(register) <= baseline
