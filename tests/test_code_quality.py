"""The house style's promise that the code is ruff- and mypy-clean, kept by the suite itself
(both tools come with the test extras, so a newcomer's test run checks what CI checks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          check=False)


def test_ruff_clean() -> None:
    """ruff (the rules in pyproject.toml) finds nothing in the package, the tests or the scripts."""
    done = _run("ruff", "check", "--no-cache", "plugins", "tests", "scripts")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_clean() -> None:
    """mypy --strict (pyproject.toml) finds nothing in the package."""
    done = _run("mypy", "--no-incremental")
    assert done.returncode == 0, done.stdout + done.stderr
