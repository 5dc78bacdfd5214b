"""Fixtures of every test that drives a browser (a pytest plugin, see ``tests/conftest.py``):
Debian's Chromium launched by pytest-playwright, and browser contexts watched by a :class:`Guard`
(the test fails on a dialog, a request leaving 127.0.0.1, a JS error or a failed request)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from cirtest.browser import CHROMIUM_ARGS, Guard


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Launch Debian's Chromium (``playwright install`` cannot download browsers here)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("browser tests need Debian's chromium on PATH (apt-get install chromium)")
    return {"executable_path": chromium, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def guard() -> Iterator[Guard]:
    """Fails the test (at teardown) on a dialog, a non-local request, a JS error or a failed request."""
    g = Guard()
    yield g
    g.check()


@pytest.fixture
def context(new_context: Any, guard: Guard) -> BrowserContext:
    """pytest-playwright's context, watched by ``guard``."""
    ctx: BrowserContext = new_context(viewport={"width": 1400, "height": 900})
    ctx.set_default_timeout(15_000)
    guard.attach(ctx)
    return ctx
