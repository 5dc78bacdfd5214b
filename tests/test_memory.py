"""Pages' HTML held compressed between an engine's two passes (adapters/memory.py): beyond the
budget, and given back as it was."""

from __future__ import annotations

import sys

import pytest

from cir_portal.adapters.memory import HELD_ENV, HeldPages

PAGES = {
    "a.md": "<p>服务台 Onboarding checklist</p>" * 200,
    "b.md": "<h1>IMP-0042 实施中</h1>\n<p>plain text</p>",
    "c.md": "emoji \U0001f600 and a lone surrogate \udc80 and NUL \0",
    "d.md": "",
}


def test_pages_within_the_budget_are_held_as_they_are() -> None:
    held = HeldPages(budget=sum(sys.getsizeof(html) for html in PAGES.values()))
    assert not any(held.hold(key, html) for key, html in PAGES.items())
    assert (held.pages, held.packed, len(held)) == (4, 0, 0)
    assert held.take("a.md") is None  # (the engine kept it)


def test_pages_beyond_the_budget_are_compressed_and_given_back_once_as_they_were() -> None:
    first = sys.getsizeof(PAGES["a.md"])
    held = HeldPages(budget=first)
    kept = {key: held.hold(key, html) for key, html in PAGES.items()}
    assert kept == {"a.md": False, "b.md": True, "c.md": True, "d.md": True}
    assert (held.pages, held.packed, len(held)) == (4, 3, 3)
    for key in ("b.md", "c.md", "d.md"):
        assert held.take(key) == PAGES[key]
        assert held.take(key) is None
    assert len(held) == 0


def test_a_large_page_is_held_in_less_memory() -> None:
    held = HeldPages(budget=0)
    assert held.hold("a.md", PAGES["a.md"])
    assert sum(len(packed) for packed in held._packed.values()) * 10 < sys.getsizeof(PAGES["a.md"])


@pytest.mark.parametrize(("value", "budget"), [("", 48 * 2**20), ("0", 0), (" 12 ", 12 * 2**20)])
def test_the_budget_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, budget: int) -> None:
    monkeypatch.setenv(HELD_ENV, value)
    assert HeldPages.from_env().budget == budget


@pytest.mark.parametrize("value", ["-1", "1.5", "lots"])
def test_a_budget_that_is_not_a_number_of_mib_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(HELD_ENV, value)
    with pytest.raises(ValueError, match=f"{HELD_ENV}=.*whole number of MiB"):
        HeldPages.from_env()
