"""Fixtures of the planning tests: the unseen register of cirtest/planning.py, loaded and laid out as
a site tree once per session, and built once with a real ``mkdocs build`` for the HTML tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views.context import Site
from cir_portal.views.tree import build_tree
from cirtest.planning import AS_OF, Unseen, epoch_of, unseen_files
from cirtest.site import REPO_ROOT, Build, build_all


@pytest.fixture(scope="session")
def unseen(tmp_path_factory: pytest.TempPathFactory, project_builder: Callable[..., Path]) -> Unseen:
    project = project_builder(tmp_path_factory.mktemp("planning") / "unseen", unseen_files())
    result = load_register(Project(project), use_cache=False)
    assert result.register is not None and not result.errors, [(i.path, i.key, i.message) for i in result.errors]
    site = Site(result.register, Project(project), epoch=epoch_of(AS_OF))
    return Unseen(project, result, site, build_tree(result.register, Project(project), epoch=epoch_of(AS_OF)))


@pytest.fixture(scope="session")
def unseen_built(tmp_path_factory: pytest.TempPathFactory, project_builder: Callable[..., Path]) -> Build:
    """The unseen register as a site: a real ``mkdocs build --strict`` dated AS_OF."""
    root = tmp_path_factory.mktemp("planning-site")
    project = project_builder(root / "project", unseen_files())
    shutil.copy2(REPO_ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy2(REPO_ROOT / "content" / "index.md", project / "content" / "index.md")
    [build] = build_all([(project, root / "site", {"SOURCE_DATE_EPOCH": str(epoch_of(AS_OF))})])
    return build
