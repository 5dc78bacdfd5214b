"""Fixtures of the measured-improvement tests.

KPI arithmetic is tested on small registers built in memory from hand-written front matter
(no files, no validation: the arithmetic is what is under test), with the configuration of
the shared test base project. Page tests build the site tree of the example register,
copied once to a temporary folder so that chart caches never land in the repository.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cir_portal.core.config import Config, Project, load_config
from cir_portal.core.model import Register
from cir_portal.core.pipeline import load_register
from cir_portal.views.context import Site
from cir_portal.views.tree import build_tree
from cirtest.measures import AS_OF, EXAMPLE_AS_OF, Example, copy_example, epoch_of


@pytest.fixture(scope="session")
def base_project(tmp_path_factory: pytest.TempPathFactory, project_builder: Callable[..., Path]) -> Project:
    """The shared base test project (its configuration; its records are not used here)."""
    return Project(project_builder(tmp_path_factory.mktemp("measures") / "base"))


@pytest.fixture(scope="session")
def config(base_project: Project) -> Config:
    cfg, issues = load_config(base_project)
    assert cfg is not None, issues
    return cfg


@pytest.fixture
def site_of(base_project: Project) -> Callable[..., Site]:
    """``site_of(register, as_of=AS_OF)``: a Site over an in-memory register."""

    def make(register: Register, as_of: str = AS_OF) -> Site:
        return Site(register, base_project, epoch=epoch_of(as_of))

    return make


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    """The example register's site tree, built once, as of ``EXAMPLE_AS_OF``."""
    project = Project(copy_example(tmp_path_factory.mktemp("example") / "project"))
    result = load_register(project, use_cache=False)
    assert result.register is not None, result.issues
    epoch = epoch_of(EXAMPLE_AS_OF)
    tree = build_tree(result.register, project, epoch=epoch)
    return Example(project, result, Site(result.register, project, epoch=epoch), tree)
