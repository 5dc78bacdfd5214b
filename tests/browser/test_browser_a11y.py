"""Accessibility in a real Chromium: axe-core on one page of every page type in the light and
the dark palette, search results and the open search box, the register and the board with the
keyboard alone, the skip link, and the register, board and dashboard on a 360 px screen and at 200 % zoom."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cirtest.a11y import (
    CONTENT,
    PALETTES,
    axe_violations,
    page_types,
    palette,
    run_axe,
    start_axe,
    switch_palette,
    visit,
)
from cirtest.browser import BusySite, Guard, ServedSite
from cirtest.english import make_english_project
from cirtest.site import build_all, serve_directory, set_site_url

pytestmark = pytest.mark.browser

#: Page types the example portal has (views/tree.py and the record kinds): each must be found,
#: so that a page type that disappears is noticed; new ones are checked without being listed.
EXPECTED_TYPES = {
    "home", "404.html", "register/", "board/", "cascade/", "governance/", "guide/", "dashboard/", "priorities/",
    "reports/", "reports/*", "reports/*Q", "maturity/", "maturity/*", "knowledge/", "knowledge/kind/*",
    "knowledge/practice/*", "knowledge/service/*", "knowledge/tag/*", "knowledge/year/*", "knowledge/reports/*Q",
    "browse/", "browse/people/*", "browse/teams/*", "browse/practices/*", "browse/products/*", "browse/services/*",
    "browse/value-streams/*", "browse/tags/*", "improvements/*", "lessons/*", "objectives/*", "assessments/*",
    "roadmap/", "roadmap/*",
}
#: Record pages differ most in what their cards hold: the richest one of each kind is checked.
RECORD_TYPES = ("improvements/*", "lessons/*", "objectives/*", "assessments/*")


def _wait_for_views(page: Page) -> None:
    """Until the register or board is filled and every chart drawn (what axe should see)."""
    page.wait_for_function("""() => {
      const ready = sel => [...document.querySelectorAll(sel)].every(e => e.hasAttribute('data-loaded'));
      const charts = [...document.querySelectorAll('.cir-chart__view[data-vega-spec]')];
      return ready('.cir-register') && ready('.cir-board') && charts.every(v => v.closest('.cir-chart--live'));
    }""")


@pytest.fixture(scope="module")
def english_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """A small register written in English (tests/cirtest/english.py), built with ``language: en``
    and served: a register none of the portal's pages were tuned for."""
    root = tmp_path_factory.mktemp("english-served")
    project = make_english_project(root / "project")
    with serve_directory(root / "site") as url:
        set_site_url(project, url)
        build_all([(project, root / "site", None)])
        yield ServedSite(project, root / "site", url)


#: Browser contexts that check page types side by side (each page in its own renderer process)
LANES = 2


def _lanes(new_context: Any, guard: Guard) -> list[BrowserContext]:
    """``LANES`` contexts like the ``context`` fixture's, each with its own palette setting."""
    contexts = []
    for _ in range(LANES):
        ctx: BrowserContext = new_context(viewport={"width": 1400, "height": 900})
        ctx.set_default_timeout(15_000)
        guard.attach(ctx)
        contexts.append(ctx)
    return contexts


def _axe_every_page_type(contexts: list[BrowserContext], site: ServedSite, richest_records: bool) -> None:
    """axe-core on one page of each page type of ``site``, light and dark palette (switched with
    Material's toggle); the smallest page of a type, or for records the largest (the fullest
    card) when ``richest_records``. The page types are shared out among ``contexts``, one
    browser page each, moving between its pages as a reader does; their axe runs overlap."""
    types = page_types(site.site)
    assert set(types) >= EXPECTED_TYPES, f"page types missing from the site: {sorted(EXPECTED_TYPES - set(types))}"
    urls = [found[-1] if richest_records and kind in RECORD_TYPES else found[0] for kind, found in types.items()]
    lanes = [(ctx.new_page(), urls[n::len(contexts)]) for n, ctx in enumerate(contexts)]
    problems: list[str] = []
    for step in range(max(len(mine) for _, mine in lanes)):
        now = [(page, mine[step]) for page, mine in lanes if step < len(mine)]
        schemes = {}
        for page, url in now:
            visit(page, site.url + url)
            _wait_for_views(page)
            first = palette(page)
            schemes[url] = (first, *(p for p in PALETTES if p != first))
        for turn in range(len(PALETTES)):
            for page, url in now:
                switch_palette(page, schemes[url][turn])
                # Only colours change with the palette: the other rules ran on the first one.
                start_axe(page, None if turn == 0 else ["color-contrast", "link-in-text-block"])
            for page, url in now:
                for v in axe_violations(page):
                    problems.append(f"{url or '/'} [{schemes[url][turn]}] {v['rule']}: {v['target']} {v['html']} — {v['fix']}")
    assert problems == [], f"{len(problems)} axe violation(s):\n" + "\n".join(problems)


def test_axe_finds_no_violation_on_any_page_type(new_context: Any, served_site: ServedSite, guard: Guard) -> None:
    """The example register (Chinese): no axe violation inside the content area of any page type."""
    _axe_every_page_type(_lanes(new_context, guard), served_site, richest_records=False)


def test_axe_finds_no_violation_on_an_unseen_register(new_context: Any, english_site: ServedSite,
                                                       guard: Guard) -> None:
    """A register the portal was never tuned for (English): no axe violation on any page type."""
    _axe_every_page_type(_lanes(new_context, guard), english_site, richest_records=True)


# --- the keyboard alone

def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with Tab in {limit} presses")


def _focus_is_visible(page: Page) -> bool:
    """The focused element draws a focus indicator (an outline or a box shadow)."""
    return bool(page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"""))


def test_axe_on_search_results_and_the_open_search_box(context: BrowserContext, served_site: ServedSite) -> None:
    """The search page showing results, and the header search box with its list of results open
    and an option chosen, pass axe-core in both palettes."""
    page = context.new_page()
    visit(page, served_site.url + "search/?q=Onboarding")
    expect(page.locator(".cir-search__results .cir-search-hit").first).to_be_visible()
    box = page.locator("#cir-search-box-q")
    box.press_sequentially("checklist")
    options = page.locator("#cir-search-box-list [role=option]")
    expect(options.first).to_be_visible()
    problems: list[str] = []
    for scheme in PALETTES:
        switch_palette(page, scheme)  # the click closes the list: focusing the box opens it again
        box.focus()
        box.press("ArrowDown")
        expect(options.first).to_have_attribute("aria-selected", "true")
        for where in (CONTENT, ".cir-search-box"):
            problems += [f"[{scheme}] {where} {v['rule']}: {v['target']} {v['html']} — {v['fix']}"
                         for v in run_axe(page, include=where)]
    assert problems == [], f"{len(problems)} axe violation(s):\n" + "\n".join(problems)


def test_register_filtered_by_status_and_record_opened_with_keyboard(page: Page, served_site: ServedSite) -> None:
    """Tab to the status filter, pick a status with the arrow keys, Tab to the first row's link and
    press Enter: the record of that status opens. The count is in a live region."""
    statuses = {r.id: str(r.front_matter["status"]) for r in served_site.improvements}
    wanted = sorted(set(statuses.values()))[0]
    page.goto(served_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    live = page.locator(".cir-register [aria-live]")
    assert live.get_attribute("aria-live") == "polite" and live.locator("[data-count]").count() == 1
    _tab_to(page, 'select[data-filter="status"]')
    assert _focus_is_visible(page)
    for _ in range(40):
        if page.eval_on_selector('select[data-filter="status"]', "s => s.value") == wanted:
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"status {wanted} not reached with the arrow keys")
    page.wait_for_function("n => document.querySelector('.cir-register [data-count]').textContent === String(n)",
                           arg=sum(1 for s in statuses.values() if s == wanted))
    _tab_to(page, ".cir-register tbody tr:first-child a")
    assert _focus_is_visible(page)
    rid = page.evaluate("document.activeElement.closest('tr').getAttribute('data-id')")
    assert statuses[rid] == wanted
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/improvements/{rid}-*/")
    assert page.locator("h1.cir-title .cir-id").inner_text() == rid


def test_register_sorts_and_pages_with_keyboard(page: Page, busy_site: BusySite) -> None:
    """Sort buttons sit in the header cells and aria-sort follows them; the pager keeps the focus
    when its button becomes disabled on the last page."""
    page.goto(busy_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    header = page.locator('.cir-register th:has(button[data-sort="raised"])')
    _tab_to(page, 'th > button[data-sort="raised"]')
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Space")
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator('.cir-register th[aria-sort="ascending"], .cir-register th[aria-sort="descending"]').count() == 1
    assert page.locator(".cir-pager").get_attribute("aria-label")
    _tab_to(page, 'button[data-page="next"]')
    info = page.locator("[data-page-info]")
    first = info.inner_text()
    while page.evaluate("document.activeElement.matches('[data-page=\"next\"]')"):
        page.keyboard.press("Enter")
        assert info.inner_text() != first
    # the next button went disabled: the focus moved to "previous", not to the page's body
    assert page.evaluate("document.activeElement.matches('[data-page=\"prev\"]')")
    page.keyboard.press("Enter")
    assert page.locator('button[data-page="next"]').is_enabled()


def test_board_filters_columns_and_scrolling_with_keyboard(page: Page, served_site: ServedSite) -> None:
    """The board's filters take the keyboard; a closed (terminal) column opens with Enter and says
    so (expanded); the columns are a named region that scrolls with the arrow keys."""
    page.set_viewport_size({"width": 900, "height": 800})
    page.goto(served_site.url + "board/")
    page.wait_for_selector(".cir-board[data-loaded]")
    _tab_to(page, 'select[data-filter="team"]')
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.querySelector('select[data-filter=\"team\"]').value !== ''")
    region = page.locator(".cir-board__columns")
    assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
    _tab_to(page, ".cir-board__columns")
    assert _focus_is_visible(page)
    assert region.evaluate("r => r.scrollLeft") == 0
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.cir-board__columns').scrollLeft > 0")  # scrolls smoothly
    _tab_to(page, ".cir-column--terminal > summary")
    column = page.evaluate_handle("document.activeElement.parentElement")
    assert not column.evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert column.evaluate("d => d.open")
    # what a screen reader is told: the column's toggle, focused and now expanded (Chromium's tree)
    name = page.evaluate("document.activeElement.textContent").strip()
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    toggles = {" ".join(str(n.get("name", {}).get("value", "")).split()):
               {p["name"]: p["value"].get("value") for p in n.get("properties", [])}
               for n in nodes if n.get("role", {}).get("value") == "DisclosureTriangle"}
    assert toggles[" ".join(name.split())].get("expanded") is True, toggles
    assert sum(1 for t in toggles.values() if t.get("expanded") is False) == len(toggles) - 1


def test_roadmap_groups_and_rows_with_keyboard(page: Page, served_site: ServedSite) -> None:
    """A roadmap group folds and unfolds with Enter on its summary (which holds no other control);
    the next Tab reaches the group's link and then its rows, each a link to its record."""
    page.goto(served_site.url + "roadmap/")
    page.wait_for_load_state("load")
    _tab_to(page, "details.cir-rm-group > summary")
    assert _focus_is_visible(page)
    assert page.evaluate("document.activeElement.querySelectorAll('a, button, input, select').length") == 0
    group = page.evaluate_handle("document.activeElement.parentElement")
    page.keyboard.press("Enter")
    page.wait_for_function("d => !d.open", arg=group)
    page.keyboard.press("Enter")
    page.wait_for_function("d => d.open", arg=group)
    _tab_to(page, "details.cir-rm-group a.cir-rm-row", limit=10)
    href = page.evaluate("document.activeElement.href")
    page.keyboard.press("Enter")
    page.wait_for_url(href)
    expect(page.locator("h1.cir-title")).to_have_count(1)  # instant navigation: the URL changes first


def test_skip_link_leads_to_the_content(page: Page, served_site: ServedSite) -> None:
    """The first Tab on a record page reaches "skip to content"; following it, the next Tab lands in
    the content after the record's heading, not in the navigation."""
    record = next(r for r in served_site.records if r.kind == "objective")
    page.goto(served_site.url + record.rel.removesuffix(".md") + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    target = page.evaluate("new URL(document.activeElement.href).hash")
    assert page.locator(f"article h1{target}").count() == 1, target
    page.keyboard.press("Enter")
    page.wait_for_function("t => document.activeElement === document.querySelector('article h1' + t)", arg=target)
    page.keyboard.press("Tab")
    # (the focus leaves the heading once the browser has handled the key: under load, not at once)
    page.wait_for_function("t => document.activeElement !== document.querySelector('article h1' + t)", arg=target)
    assert page.evaluate("!!document.activeElement.closest('article')")
    assert page.evaluate("""() => !!(document.querySelector('article h1').compareDocumentPosition(document.activeElement)
                              & Node.DOCUMENT_POSITION_FOLLOWING)""")


# --- small screens and zoom

@pytest.mark.parametrize("width", [360, 640], ids=["360px", "zoom200"])
def test_no_horizontal_overflow_on_small_screens(page: Page, served_site: ServedSite, width: int) -> None:
    """At 360 px wide and at 640 px (1280 px at 200 % zoom) the register, board and dashboard do not
    widen the page: wide tables and the board scroll inside their own named, focusable region."""
    page.set_viewport_size({"width": width, "height": 800})
    for url, ready in (("register/", ".cir-register[data-loaded]"), ("board/", ".cir-board[data-loaded]"),
                       ("dashboard/", ".cir-chart--live")):
        page.goto(served_site.url + url)
        page.wait_for_selector(ready)
        page.wait_for_timeout(200)  # wcag.js settles the scroll regions after a resize/fill
        sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert sizes[0] <= sizes[1], f"{url} at {width}px: the page is {sizes[0]}px wide in a {sizes[1]}px window"
        scrollers = page.evaluate("""() => [...document.querySelectorAll('.md-content *')]
          .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
          .filter(e => !e.closest('.cir-chart__view'))
          .map(e => ({cls: e.className, tabindex: e.getAttribute('tabindex'), role: e.getAttribute('role'),
                      label: e.getAttribute('aria-label')}))""")
        bad = [s for s in scrollers if not (s["tabindex"] == "0" and s["role"] == "region" and s["label"])]
        assert bad == [], f"{url} at {width}px: regions that scroll but cannot be reached or are unnamed: {bad}"
        if url == "board/":
            assert any("cir-board__columns" in s["cls"] for s in scrollers), "the board should scroll in its region"
