"""Fixtures of the contributor-workflow tests (cir new, move, renumber, import, export, --against).

Every test works on its own copy of the example register (content/, site_config/,
schemas/) in ``tmp_path``; git commands run with a fixed identity and no user or system
configuration, so that the tests do not depend on the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cirtest.contrib import copy_example


@pytest.fixture(scope="session", autouse=True)
def memoised_schemas() -> Iterator[None]:
    """Meta-validating the JSON Schemas takes most of a register load (~0.1 s), and these tests
    load copies with identical schemas about a hundred times: remember the result by the
    schema files' bytes (a copy with different schemas is loaded afresh)."""
    from cir_portal.core import config, schemas

    original = schemas.load_schemas
    memo: dict[Any, Any] = {}

    def load(directory: Path, rel: Callable[[Path], str]) -> Any:
        files = sorted(directory.glob("*.json")) if directory.is_dir() else []
        key = tuple((p.name, p.read_bytes(), rel(p)) for p in files)
        if key not in memo:
            result = original(directory, rel)
            if result[1]:
                return result
            memo[key] = result
        return memo[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(config, "load_schemas", load)
    yield
    patch.undo()


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """A fresh copy of the example register."""
    return copy_example(tmp_path / "register")


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A fixed git identity, and no global or system git configuration."""
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    for key, value in {
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def records(register: Path) -> dict[str, Path]:
    """IMP-0901 (planned, block history) and IMP-0902 (identified, no history) added to ``register``."""
    from cirtest.contrib import add_test_records

    return add_test_records(register)
