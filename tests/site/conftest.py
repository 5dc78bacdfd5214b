"""Fixtures of the site integration tests: copies of the example register built with a real
``mkdocs build --strict``, once per session and shared by every test that only reads them.

Each full build costs several seconds, so the two builds of the example (the second one is
there to compare with the first) run side by side and every read-only test reuses them.
Tests that need a site of their own but not the whole example (dating, live preview) build
the small base project of ``tests/conftest.py`` with the example's mkdocs.yml.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cirtest.site import REPO_ROOT, Build, RecordFile, build_all, copy_project, mkdocs_config, read_records


@pytest.fixture(scope="session")
def example_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Build]:
    """Two copies of the example register, in different folders, built with ``--strict``
    (without SOURCE_DATE_EPOCH, so the portal has to date the site from the content); the
    second holds every page's HTML compressed between MkDocs' passes (adapters/memory.py) and
    makes the record pages' cards in a forked process (views/premade.py), as a large register's
    build does, and renders Material's navigation for every page, which the first serves from
    its cache for the record pages of a folder (adapters/navcache.py)."""
    root = tmp_path_factory.mktemp("example-builds")
    jobs = []
    for name, env in (("first", None), ("second", {"CIR_HELD_MIB": "0", "CIR_PREMADE_MIN": "0", "CIR_THEME_CACHE": "0"})):
        jobs.append((copy_project(root / name / "project"), root / name / "site", env))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        first, second = build_all(jobs)
    return first, second


@pytest.fixture(scope="session")
def built(example_builds: tuple[Build, Build]) -> Build:
    """The example register built once (read-only: shared by every test of the session)."""
    return example_builds[0]


@pytest.fixture(scope="session")
def records(built: Build) -> list[RecordFile]:
    """The record files of the built copy, as written."""
    found = read_records(built.project)
    assert found, "the example register has no records"
    return found


@pytest.fixture(scope="session")
def site_url(built: Build) -> str:
    url = str(mkdocs_config(built.project)["site_url"])
    return url if url.endswith("/") else url + "/"


@pytest.fixture(scope="session")
def small_project(project_builder: Callable[..., Path]) -> Callable[[Path], Path]:
    """``small_project(dest)``: the base test project (a handful of valid records) at ``dest``,
    with the example's mkdocs.yml and home page: a complete site that builds in a few seconds."""

    def make(dest: Path) -> Path:
        project = project_builder(dest, None)
        shutil.copy2(REPO_ROOT / "mkdocs.yml", project / "mkdocs.yml")
        shutil.copy2(REPO_ROOT / "content" / "index.md", project / "content" / "index.md")
        return project

    return make
