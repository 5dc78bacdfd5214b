"""Only regular files inside the project are read: a link out of the project, a FIFO or a link
loop under content/ is an issue naming the file, and neither the plugin nor `cir render`
reads or copies it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cir_portal.core.config import Project
from cir_portal.core.files import scan_content
from cir_portal.core.pipeline import load_register
from cirtest.safety import run, with_mkdocs
from cirtest.site import mkdocs_build

MakeProject = Callable[..., Path]
SECRET = "TOKEN=s3cr3t-value-from-ci"


def hostile_entries(root: Path, outside: Path) -> dict[str, str]:
    """Links out of the project, a FIFO and a loop under content/; returns rel -> expected code."""
    outside.write_text(f"---\nid: IMP-0600\ntitle: {SECRET}\n---\n{SECRET}\n", encoding="utf-8")
    content = root / "content"
    (content / "improvements" / "IMP-0600-secret.md").symlink_to(outside)
    (content / "notes.md").symlink_to(outside)
    (content / "images").mkdir()
    (content / "images" / "logo.png").symlink_to("/etc/hostname")
    os.mkfifo(content / "improvements" / "IMP-0601-fifo.md")
    (content / "loop.md").symlink_to(content / "loop.md")
    (content / "inside.md").symlink_to(root / "site_config" / "portal.yml")  # inside the project: fine
    return {"content/improvements/IMP-0600-secret.md": "file.link", "content/notes.md": "file.link",
            "content/images/logo.png": "file.link", "content/improvements/IMP-0601-fifo.md": "file.special",
            "content/loop.md": "file.link"}


def test_scan_names_every_unsafe_entry(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    expected = hostile_entries(root, tmp_path / "outside.md")
    scan = scan_content(Project(root))
    assert {i.path: i.code for i in scan.issues} == expected
    assert scan.unsafe == set(expected)
    messages = {i.path: i.message for i in scan.issues}
    assert "outside the project" in messages["content/notes.md"]
    assert "loop" in messages["content/loop.md"]
    assert "FIFO" in messages["content/improvements/IMP-0601-fifo.md"]


def test_validate_reports_them_and_reads_none(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    expected = hostile_entries(root, tmp_path / "outside.md")
    result = load_register(Project(root), use_cache=False)  # a FIFO read would block here forever
    assert {i.path for i in result.errors} == set(expected)
    assert all(s.rel not in expected for s in result.sources)
    out = run("validate", str(root), "--no-cache")
    assert out.exit_code == 1
    for rel in expected:
        assert rel in out.output
    assert SECRET not in out.output


def test_render_never_copies_them(make_project: MakeProject, tmp_path: Path) -> None:
    from cir_portal.adapters.render import render

    root = make_project()
    hostile_entries(root, tmp_path / "outside.md")
    clean = load_register(Project(make_project(name="clean")), use_cache=False)
    assert clean.register is not None
    out = tmp_path / "out"
    render(clean.register, Project(root), out)
    copied = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    assert not copied & {"improvements/IMP-0600-secret.md", "notes.md", "images/logo.png", "loop.md",
                         "improvements/IMP-0601-fifo.md"}
    assert "inside.md" in copied
    assert not any(SECRET.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())


@pytest.mark.slow
def test_mkdocs_build_fails_cleanly_and_publishes_nothing_of_them(make_project: MakeProject, tmp_path: Path) -> None:
    root = with_mkdocs(make_project())
    hostile_entries(root, tmp_path / "outside.md")
    build = mkdocs_build(root, tmp_path / "site")
    assert build.returncode == 1, build.log
    assert "Traceback" not in build.log
    assert "content/notes.md" in build.log and "content/loop.md" in build.log
