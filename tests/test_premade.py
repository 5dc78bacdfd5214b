"""Record pages made in a forked process (views/premade.py): the same pages as made in-process,
whatever order they are asked for in, and made in-process where the process fails or stops."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views import metrics, premade
from cir_portal.views.tree import Premake, SiteTree, build_tree
from cirtest.site import REPO_ROOT

EPOCH = 1_790_000_000


def example_tree() -> SiteTree:
    result = load_register(Project(REPO_ROOT), use_cache=False)
    assert result.register is not None, [str(i) for i in result.issues]
    return build_tree(result.register, result.project, epoch=EPOCH)


def parts(tree: SiteTree, src: str) -> tuple[str, str, str, str]:
    """What the engine asks of a record page, in the order it asks: heading and search card
    (first pass), the page (second pass)."""
    heading, indexed = tree.pages.heading(src), tree.pages.indexed_card(src)
    page = tree.pages[src]
    return heading, indexed, page.heading, page.card


def idle(pid: int) -> bool:
    """Linux's idle class or, where a container forbids setting it, nice 19 (``premade._idle``)."""
    if hasattr(os, "sched_getscheduler") and os.sched_getscheduler(pid) == os.SCHED_IDLE:
        return True
    return os.getpriority(os.PRIO_PROCESS, pid) == 19


@pytest.fixture(autouse=True)
def alone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's process as forked: no other thread (threads earlier tests of the session left
    behind, a server's or a pool's, would stop the fork; the child never touches them)."""
    if "beside_other_threads" not in request.node.name:
        monkeypatch.setattr(premade.threading, "active_count", lambda: 1)


@pytest.fixture(scope="module")
def reference() -> dict[str, tuple[str, str, str, str]]:
    tree = example_tree()
    return {src: parts(tree, src) for src in tree.pages.records}


def test_pages_made_in_a_forked_process_are_the_pages_made_in_process(
        reference: dict[str, tuple[str, str, str, str]]) -> None:
    tree = example_tree()
    order = sorted(tree.pages.records)
    assert len(order) > 50
    assert tree.pages.premake([*order, "index.md", "register.md"], indexed=True, minimum=0)
    premade_ = tree.pages._premade
    assert premade_ is not None
    apart = [src for src in order if not metrics.renders_charts(tree.pages.records[src])]
    assert premade_.take(apart[-1], wait=True) is not None  # every page has come
    assert len(premade_._received) == len(apart)
    assert len(apart) < len(order), "objectives' cards (their charts are rendered by vl-convert) are made here"
    assert idle(premade_._process.pid), "the process runs in the idle class, else at the lowest priority"
    # asked for in another order than the process made them: the first ones last
    asked = order[10:] + order[:10]
    assert {src: parts(tree, src) for src in asked} == reference
    assert premade_.failure is None
    assert not premade_._received, "a page's parts are let go of once it is made"
    premade_._process.join(30)
    assert premade_._process.exitcode == 0, "the process sent every page and ended"
    tree.pages.close()


def test_pages_not_there_yet_are_made_in_process_and_their_copies_dropped(
        reference: dict[str, tuple[str, str, str, str]]) -> None:
    tree = example_tree()
    order = sorted(tree.pages.records)
    assert tree.pages.premake(order, indexed=True, minimum=0)
    premade_ = tree.pages._premade
    assert premade_ is not None
    # asked at once, as the engine does: what has not come is made on this thread
    assert {src: parts(tree, src) for src in order} == reference
    premade_.take("no-such-page.md", wait=True)  # (reads the rest)
    assert premade_.failure is None
    assert not premade_._received, "the copies of pages made meanwhile are dropped"
    assert not tree.pages._own and not tree.pages._headings
    tree.pages.close()


def test_the_search_cards_are_made_only_when_asked_for(reference: dict[str, tuple[str, str, str, str]]) -> None:
    tree = example_tree()
    order = sorted(tree.pages.records)
    assert tree.pages.premake(order, indexed=False, minimum=0)
    assert tree.pages._premade is not None
    src = order[3]
    made = tree.pages._premade.take(src, wait=True)
    assert made is not None and made.indexed is None
    assert tree.pages.indexed_card(src) == reference[src][1]  # made in-process
    assert tree.pages[src].card == reference[src][3]
    tree.pages.close()


def test_a_page_the_process_fails_on_is_made_in_process_and_fails_there(
        monkeypatch: pytest.MonkeyPatch, reference: dict[str, tuple[str, str, str, str]]) -> None:
    tree = example_tree()
    order = sorted(tree.pages.records)
    broken = order[20]
    sections = metrics.card_sections

    def failing(site: object, record: object) -> str:
        if getattr(record, "src_uri", None) == broken:
            raise RuntimeError("broken card")
        return sections(site, record)  # type: ignore[arg-type]

    monkeypatch.setattr(metrics, "card_sections", failing)
    assert tree.pages.premake(order, indexed=True, minimum=0)
    premade_ = tree.pages._premade
    assert premade_ is not None
    assert premade_.take(broken, wait=True) is None
    assert premade_.failure == "RuntimeError: broken card"
    assert set(premade_._received) == set(order[:16]), "the batches sent before the failure"
    for src in order[:20]:
        assert parts(tree, src) == reference[src]
    with pytest.raises(RuntimeError, match="broken card"):
        parts(tree, broken)
    monkeypatch.setattr(metrics, "card_sections", sections)
    for src in order[21:]:  # the rest: made in-process
        assert parts(tree, src) == reference[src]
    tree.pages.close()


def test_closing_stops_the_process_and_lets_go_of_its_pages() -> None:
    tree = example_tree()
    order = sorted(tree.pages.records)
    assert tree.pages.premake(order, indexed=True, minimum=0)
    premade_ = tree.pages._premade
    assert premade_ is not None
    assert premade_.take(order[0], wait=True) is not None
    tree.pages.close()
    assert tree.pages._premade is None
    assert not premade_._process.is_alive()
    assert not premade_._received


def test_no_process_for_a_small_register_or_beside_other_threads() -> None:
    tree = example_tree()
    order = sorted(tree.pages.records)
    assert not tree.pages.premake(order, indexed=True)  # the example is below PREMADE_MIN
    assert len(order) < premade.PREMADE_MIN
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not tree.pages.premake(order, indexed=True, minimum=0)
    finally:
        stop.set()
        other.join()
    assert tree.pages._premade is None


@pytest.mark.parametrize(("value", "expected"), [("", premade.PREMADE_MIN), (" 0 ", 0), ("5000", 5000)])
def test_the_minimum_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
    monkeypatch.setenv(premade.PREMADE_ENV, value)
    assert premade.minimum_from_env() == expected


@pytest.mark.parametrize("value", ["-1", "many", "2.5"])
def test_a_minimum_that_is_not_a_count_says_what_to_set(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(premade.PREMADE_ENV, value)
    with pytest.raises(ValueError, match=r"CIR_PREMADE_MIN=.*a whole number, 0 or more; default 200"):
        premade.minimum_from_env()


def test_a_build_with_a_bad_minimum_fails_with_the_message(tmp_path: Path) -> None:
    from cirtest.site import copy_project, mkdocs_build

    project = copy_project(tmp_path / "project")
    build = mkdocs_build(project, tmp_path / "site", {premade.PREMADE_ENV: "lots"})
    assert build.returncode != 0
    assert "CIR_PREMADE_MIN='lots': set it to" in build.log
    assert "Traceback" not in build.log


def test_the_pages_are_premade_in_the_order_mkdocs_lists_them(tmp_path: Path) -> None:
    """The plugin asks the process for the record pages in the order MkDocs will render them
    (``get_files``: folder by folder, a folder's files before its subfolders, index first)."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import get_files

    from cir_portal.adapters.mkdocs_plugin import _walk_order

    names = ["b.md", "a.md", "index.md", "z/README.md", "z/a.md", "a/b/c.md", "a/b.md", "a/index.md", "a b/x.md",
             "a-b/y.md", "improvements/IMP-0002-b.md", "improvements/IMP-0010-a.md", "improvements/2026/IMP-0001.md",
             "Z.md", "_x.md", "README.md"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# x\n", encoding="utf-8")
    config = MkDocsConfig()
    config.load_dict({"site_name": "order", "docs_dir": str(tmp_path), "site_dir": str(tmp_path.parent / "site")})
    errors, _ = config.validate()
    assert not errors, errors
    listed = [file.src_uri for file in get_files(config).documentation_pages()]
    assert len(listed) >= len(names) - 1  # (README.md beside index.md is left out)
    assert sorted(listed, key=_walk_order) == listed
    assert sorted(reversed(listed), key=_walk_order) == listed


def test_a_tree_built_with_the_process_started_first_is_the_same_tree(
        reference: dict[str, tuple[str, str, str, str]]) -> None:
    """``build_tree(premake=...)`` forks before the generated pages are made (on a core the build
    leaves idle until the engine renders): the same generated pages and files, the same record pages."""
    result = load_register(Project(REPO_ROOT), use_cache=False)
    assert result.register is not None
    plain = build_tree(result.register, result.project, epoch=EPOCH)
    order = sorted(plain.pages.records)
    tree = build_tree(result.register, result.project, epoch=EPOCH, premake=Premake(order, indexed=True, minimum=0))
    assert tree.pages._premade is not None
    assert tree.pages._premade.take(order[0], wait=True) is not None
    assert {src: page.source() for src, page in tree.pages.generated.items()} == \
        {src: page.source() for src, page in plain.pages.generated.items()}
    assert tree.files == plain.files
    assert {src: parts(tree, src) for src in order} == reference
    assert tree.pages._premade.served > 0
    tree.pages.close()
