"""Front matter is text, never markup: a title, a person's name and a value that look like HTML
are escaped in every built page and shown literally in the browser (record page, register,
board, person and browse pages, search), and no script runs (no dialog opens)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cirtest.browser import HOSTILE_NAME, HOSTILE_PERSON, HOSTILE_TITLE, HOSTILE_VALUE, BusySite, Guard
from cirtest.site import html_files, page_url

LITERALS = (HOSTILE_TITLE, HOSTILE_NAME, HOSTILE_VALUE)
#: how each hostile value would start if it reached the HTML as markup
RAW_TAGS = ("<img src=x onerror", "<script>alert(2)", "<b onmouseover")
ACTIVE_JS = """() => ({
  img: document.querySelectorAll('img[src="x"], [onerror]').length,
  hover: document.querySelectorAll('[onmouseover]').length,
  script: [...document.scripts].filter(s => s.textContent.includes('alert(2)')).length,
})"""
SEEN_JS = f"() => ({{text: document.querySelector('article').innerText, active: ({ACTIVE_JS})()}})"


def _article(text: str) -> str:
    start = text.find("<article")
    return text[start:text.find("</article>", start)] if start >= 0 else ""


def _pages_showing(site: BusySite) -> dict[Path, list[str]]:
    """Built pages whose article shows a hostile value -> the values it shows."""
    out: dict[Path, list[str]] = {}
    for path in html_files(site.site):
        article = _article(path.read_text(encoding="utf-8"))
        shown = [value for value in LITERALS if html.escape(value) in article]
        if shown:
            out[path] = shown
    return out


def _assert_inert(page: Page, where: str) -> None:
    active = page.evaluate(ACTIVE_JS)
    assert active == {"img": 0, "hover": 0, "script": 0}, f"{where}: hostile markup became elements: {active}"


def test_built_html_escapes_hostile_values(busy_site: BusySite) -> None:
    """No built page holds a hostile value as markup; the record, person and browse pages hold it escaped."""
    assert busy_site.hostile is not None
    for path in html_files(busy_site.site):
        text = path.read_text(encoding="utf-8").lower()
        for raw in RAW_TAGS:
            assert raw not in text, f"{path.relative_to(busy_site.site)} holds {raw!r} unescaped"
    shown = {p.relative_to(busy_site.site).as_posix(): v for p, v in _pages_showing(busy_site).items()}
    record = page_url(busy_site.hostile.rel) + "index.html"
    assert set(shown[record]) == set(LITERALS)
    assert HOSTILE_NAME in shown[f"browse/people/{HOSTILE_PERSON}/index.html"]
    assert HOSTILE_NAME in shown["browse/index.html"]
    assert sum(HOSTILE_TITLE in v for v in shown.values()) >= 3, "the title is linked from too few pages to prove much"


@pytest.mark.slow
@pytest.mark.browser
def test_hostile_values_show_as_text_on_every_page(page: Page, busy_site: BusySite, guard: Guard) -> None:
    """On each page that shows a hostile value, the browser shows its literal text and no markup from it runs."""
    pages = _pages_showing(busy_site)
    assert len(pages) >= 5
    for path, literals in sorted(pages.items()):
        rel = path.relative_to(busy_site.site).as_posix()
        page.goto(busy_site.url + rel.removesuffix("index.html"), wait_until="domcontentloaded")
        seen = page.evaluate(SEEN_JS)
        for literal in literals:
            assert literal in seen["text"].replace("\u200b", ""), f"{rel}: {literal!r} is not shown as text"
        assert seen["active"] == {"img": 0, "hover": 0, "script": 0}, f"{rel}: hostile markup became elements"
    assert guard.dialogs == []


@pytest.mark.browser
def test_record_page_shows_hostile_values(page: Page, busy_site: BusySite, guard: Guard) -> None:
    """The record page's heading, tab title, owner and value show the literal text; hovering the value runs nothing."""
    assert busy_site.hostile is not None
    page.goto(busy_site.url + page_url(busy_site.hostile.rel))
    expect(page.locator("h1").first).to_have_text(f"{busy_site.hostile.id} {HOSTILE_TITLE}")
    assert page.title().startswith(f"{busy_site.hostile.id} {HOSTILE_TITLE}")
    value = page.locator(".cir-card").get_by_text(HOSTILE_VALUE, exact=True).first
    expect(value).to_be_visible()
    value.hover()
    expect(page.locator(".cir-card").get_by_text(HOSTILE_NAME, exact=True).first).to_be_visible()
    _assert_inert(page, "record page")


@pytest.mark.browser
def test_register_and_board_show_hostile_values(page: Page, busy_site: BusySite, guard: Guard) -> None:
    """The client-rendered register row and board card show the title and owner name as text."""
    assert busy_site.hostile is not None
    rid = busy_site.hostile.id
    page.goto(busy_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    owner_option = page.locator(f'.cir-register select[data-filter="owner"] option[value="{HOSTILE_PERSON}"]')
    assert owner_option.text_content() == HOSTILE_NAME
    page.fill('.cir-register input[data-filter="q"]', "onerror")
    row = page.locator(f'.cir-register tbody tr[data-id="{rid}"]')
    expect(page.locator(".cir-register tbody tr")).to_have_count(1)
    expect(row).to_contain_text(HOSTILE_TITLE)
    expect(row).to_contain_text(HOSTILE_NAME)
    _assert_inert(page, "register")

    page.goto(busy_site.url + "board/")
    page.wait_for_selector(".cir-board[data-loaded]")
    card = page.locator(f'.cir-board-card[data-id="{rid}"]')
    expect(card).to_contain_text(f"{rid} {HOSTILE_TITLE}")
    expect(card).to_contain_text(HOSTILE_NAME)
    _assert_inert(page, "board")


@pytest.mark.browser
def test_search_shows_hostile_title_as_text(page: Page, busy_site: BusySite, guard: Guard) -> None:
    """Searching for the hostile title lists its record with the title as text, in the header box
    and on the search page, and runs nothing."""
    assert busy_site.hostile is not None
    target = "/" + page_url(busy_site.hostile.rel)
    page.goto(busy_site.url)
    box = page.locator("#cir-search-box-q")
    box.click()
    box.press_sequentially("onerror")
    option = page.locator(f'#cir-search-box-list a[href="{target}"] .cir-search-hit__title')
    expect(option).to_have_text(HOSTILE_TITLE)
    _assert_inert(page, "search box")
    page.goto(busy_site.url + "search/?q=onerror")
    hit = page.locator(f'.cir-search__results a[href="{target}"] .cir-search-hit__title')
    expect(hit).to_have_text(HOSTILE_TITLE)
    _assert_inert(page, "search page")
