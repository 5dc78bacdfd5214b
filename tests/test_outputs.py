"""The live preview's previous output folder (adapters/outputs.py): what a rebuild did not write
again is moved back from it, exactly those files, whatever the new folder already holds."""

from __future__ import annotations

from pathlib import Path

from cir_portal.adapters.outputs import PreviousOutput


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_restore_moves_back_exactly_the_files_asked_for(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _write(site, {
        "index.html": "home 1",
        "improvements/IMP-0001-a/index.html": "a 1",  # alone in its folder: the folder moves
        "improvements/IMP-0002-b/index.html": "b 1",  # rendered again: not asked for
        "improvements/IMP-0003-c/index.html": "c 1",  # beside a file that is not asked for
        "improvements/IMP-0003-c/old.png": "stale",
        "improvements/IMP-0004-d/index.html": "d 1",  # its folder exists in the new output
        "flat/page.html": "flat 1",                   # pages without directory URLs
        "flat/other.html": "other 1",
        "deep/er/still/index.html": "deep 1",         # its parents are missing in the new output
        "gone/index.html": "gone 1",                  # a page the new build has no more
    })
    previous = PreviousOutput()
    previous.set_aside(site)
    assert site.is_dir() and not any(site.iterdir())
    # what the rebuild writes itself
    _write(site, {
        "index.html": "home 2",
        "improvements/IMP-0002-b/index.html": "b 2",
        "improvements/IMP-0004-d/figure.svg": "figure 2",
        "flat/page.html": "flat 2",
    })
    asked = ["improvements/IMP-0001-a/index.html", "improvements/IMP-0003-c/index.html",
             "improvements/IMP-0004-d/index.html", "flat/other.html", "deep/er/still/index.html",
             "missing/index.html"]
    try:
        missing = previous.restore(site, sorted(asked))
    finally:
        previous.close()
    assert missing == ["missing/index.html"]
    assert _tree(site) == {
        "index.html": "home 2",
        "improvements/IMP-0001-a/index.html": "a 1",
        "improvements/IMP-0002-b/index.html": "b 2",
        "improvements/IMP-0003-c/index.html": "c 1",
        "improvements/IMP-0004-d/figure.svg": "figure 2",
        "improvements/IMP-0004-d/index.html": "d 1",
        "flat/other.html": "other 1",
        "flat/page.html": "flat 2",
        "deep/er/still/index.html": "deep 1",
    }
    assert not list(tmp_path.glob("site.cir-previous-*")), "the set-aside folder is deleted"


def test_restore_replaces_a_file_the_rebuild_wrote_under_the_same_name(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _write(site, {"a/index.html": "old"})
    previous = PreviousOutput()
    previous.set_aside(site)
    _write(site, {"a/index.html": "written meanwhile"})
    try:
        assert previous.restore(site, ["a/index.html"]) == []
    finally:
        previous.close()
    assert _tree(site) == {"a/index.html": "old"}


def test_restore_without_a_previous_folder_gives_every_path_back(tmp_path: Path) -> None:
    previous = PreviousOutput()
    previous.set_aside(tmp_path / "none")  # nothing to set aside
    assert previous.restore(tmp_path, ["a/index.html", "b.html"]) == ["a/index.html", "b.html"]
