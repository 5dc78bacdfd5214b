"""Fixtures of the learning-loop tests: small hand-made registers (on the base project of
``tests/conftest.py``), a copy of the example register, and the site model of either.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cir_portal.views.context import Site
from cirtest.learning import Built, build_example, copy_example, site_of


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A fresh copy of the example register in ``tmp_path / "example"``."""
    return copy_example(tmp_path / "example")


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The site model of a copy of the example register (read-only: shared by a module's tests)."""
    return site_of(copy_example(tmp_path_factory.mktemp("example")))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example register built once with a real ``mkdocs build --strict``."""
    return build_example(tmp_path_factory.mktemp("learning-site"))
