"""The register page in a real browser: counts, filters, free-text filter, sorting and paging
agree with the records in content/."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from cirtest.browser import SYNTHETIC, BusySite, ServedSite
from cirtest.site import workflow_order

pytestmark = pytest.mark.browser

PAGE_SIZE = 50
ROWS_JS = """rows => rows.map(r => ({
  id: r.getAttribute('data-id'),
  status: (r.querySelector('.cir-status') || {className: ''}).className,
  text: r.innerText,
}))"""


def _open(page: Page, site: ServedSite) -> None:
    page.goto(site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")


def _rows(page: Page) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = page.eval_on_selector_all(".cir-register tbody tr", ROWS_JS)
    return rows


def _count(page: Page) -> int:
    return int(page.locator(".cir-register .cir-count [data-count]").inner_text())


def _search_text(fields: dict[str, Any]) -> str:
    """What the register's text filter searches: id, title and value (cir.js)."""
    return f"{fields['id']} {fields['title']} {fields.get('value', '')}".lower()


def test_register_lists_every_improvement(page: Page, served_site: ServedSite) -> None:
    """All improvements are counted and listed, one row each, linking to their pages."""
    imps = served_site.improvements
    _open(page, served_site)
    assert _count(page) == len(imps)
    rows = _rows(page)
    assert len(rows) == min(len(imps), PAGE_SIZE)
    assert sorted(r["id"] for r in rows) == sorted(r.id for r in imps)[:PAGE_SIZE]
    first = imps[0]
    link = page.locator(f'.cir-register tr[data-id="{first.id}"] a').first
    assert link.evaluate("a => a.href") == served_site.url + first.rel.removesuffix(".md") + "/"


def test_status_filter_shows_only_that_status(page: Page, served_site: ServedSite) -> None:
    """Each status option leaves exactly the records of that status, every badge matching."""
    expected = Counter(str(r.front_matter["status"]) for r in served_site.improvements)
    _open(page, served_site)
    statuses = workflow_order(served_site.project)
    options = page.eval_on_selector_all('.cir-register select[data-filter="status"] option', "os => os.map(o => o.value)")
    assert options == ["", *statuses]
    for status in statuses:
        page.select_option('.cir-register select[data-filter="status"]', status)
        rows = _rows(page)
        assert _count(page) == expected[status], status
        assert len(rows) == expected[status]
        assert all(f"cir-status--{status}" in r["status"].split() for r in rows), status
    page.select_option('.cir-register select[data-filter="status"]', "")
    assert _count(page) == len(served_site.improvements)


def test_text_filter(page: Page, served_site: ServedSite) -> None:
    """Typing in the filter keeps the records whose id, title or value contain the text (any case)."""
    imps = served_site.improvements
    texts = {r.id: _search_text(r.front_matter) for r in imps}
    words = sorted({w for r in imps for w in re.findall(r"[A-Za-z]{5,}", str(r.front_matter["title"]))})
    candidates = [w for w in words if 2 <= sum(w.lower() in t for t in texts.values()) < len(imps) // 2]
    assert candidates, "no English title word shared by a few records"
    word = candidates[0]
    expected = sorted(i for i, t in texts.items() if word.lower() in t)
    _open(page, served_site)
    page.fill('.cir-register input[data-filter="q"]', word.upper())
    expect(page.locator(".cir-register .cir-count [data-count]")).to_have_text(str(len(expected)))
    assert sorted(r["id"] for r in _rows(page)) == expected

    cjk = sorted({m for r in imps for m in re.findall(r"[\u4e00-\u9fff]{2}", str(r.front_matter["title"]))})
    pairs = [w for w in cjk if 2 <= sum(w in t for t in texts.values()) < len(imps) // 2]
    assert pairs, "no Chinese title word shared by a few records"
    expected = sorted(i for i, t in texts.items() if pairs[0] in t)
    page.fill('.cir-register input[data-filter="q"]', pairs[0])
    expect(page.locator(".cir-register .cir-count [data-count]")).to_have_text(str(len(expected)))
    assert sorted(r["id"] for r in _rows(page)) == expected


def test_sorting(page: Page, served_site: ServedSite) -> None:
    """Clicking a column header sorts by it; clicking again reverses; aria-sort says which way."""
    ids = sorted(r.id for r in served_site.improvements)
    order = workflow_order(served_site.project)
    _open(page, served_site)
    assert _rows(page)[0]["id"] == ids[0]  # by id, ascending, at first
    id_button = page.locator('.cir-register button[data-sort="id"]')
    id_button.click()
    assert _rows(page)[0]["id"] == ids[-1]
    assert page.locator('.cir-register th:has(button[data-sort="id"])').get_attribute("aria-sort") == "descending"
    id_button.click()
    assert _rows(page)[0]["id"] == ids[0]
    assert page.locator('.cir-register th:has(button[data-sort="id"])').get_attribute("aria-sort") == "ascending"

    page.locator('.cir-register button[data-sort="status"]').click()
    ranks = [order.index(re.search(r"cir-status--(\w+)", r["status"]).group(1)) for r in _rows(page)]  # type: ignore[union-attr]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    page.locator('.cir-register button[data-sort="status"]').click()
    ranks = [order.index(re.search(r"cir-status--(\w+)", r["status"]).group(1)) for r in _rows(page)]  # type: ignore[union-attr]
    assert ranks == sorted(ranks, reverse=True)


def test_pager_keeps_one_page_of_rows(page: Page, busy_site: BusySite) -> None:
    """With more improvements than a page, only 50 rows are in the DOM; next/prev walk the pages."""
    imps = busy_site.improvements
    total = len(imps)
    assert total > 2 * PAGE_SIZE and len(busy_site.synthetic) == SYNTHETIC
    pages = math.ceil(total / PAGE_SIZE)
    info = page.locator(".cir-register [data-page-info]")
    prev, next_ = page.locator('.cir-register [data-page="prev"]'), page.locator('.cir-register [data-page="next"]')
    _open(page, busy_site)
    assert _count(page) == total
    seen: list[str] = []
    for n in range(1, pages + 1):
        expect(info).to_have_text(f"{n} / {pages}")
        rows = _rows(page)
        assert len(rows) == (PAGE_SIZE if n < pages else total - PAGE_SIZE * (pages - 1))
        seen += [r["id"] for r in rows]
        assert prev.is_disabled() == (n == 1)
        assert next_.is_disabled() == (n == pages)
        if n < pages:
            next_.click()
    assert sorted(seen) == sorted(r.id for r in imps), "the pages together list every record once"
    prev.click()
    expect(info).to_have_text(f"{pages - 1} / {pages}")

    identified = sum(1 for r in imps if r.front_matter["status"] == "identified")
    page.select_option('.cir-register select[data-filter="status"]', "identified")
    expect(info).to_have_text(f"1 / {math.ceil(identified / PAGE_SIZE)}")  # a filter starts at the first page
    assert _count(page) == identified
    assert len(_rows(page)) == PAGE_SIZE


def test_first_rows_show_before_the_index_has_loaded(page: Page, busy_site: BusySite) -> None:
    """The register paints its first page of rows (by id) while the index it filters with is held
    back; the index is asked for only after that, and once it arrives the rows stay as they were."""
    held: list[Route] = []
    page.route("**/register-index.json", lambda route: held.append(route))
    page.goto(busy_site.url + "register/")
    rows = page.locator(".cir-register tbody tr")
    expect(rows.first).to_be_visible()
    ids = sorted((r.id for r in busy_site.improvements), key=lambda i: [int(p) if p.isdigit() else p
                                                                          for p in re.split(r"(\d+)", i)])
    assert [r["id"] for r in _rows(page)] == ids[:PAGE_SIZE]
    assert _count(page) == len(ids)
    expect(page.locator(".cir-register [data-page-info]")).to_have_text(f"1 / {math.ceil(len(ids) / PAGE_SIZE)}")
    for _ in range(300):  # the index is asked for once the rows have painted: a bounded poll
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1, "the index was not requested after the first paint"
    assert [r["id"] for r in _rows(page)] == ids[:PAGE_SIZE], "the rows changed while the index was held back"
    assert page.locator(".cir-register[data-loaded]").count() == 0
    held[0].continue_()
    page.wait_for_selector(".cir-register[data-loaded]")
    assert [r["id"] for r in _rows(page)] == ids[:PAGE_SIZE]
    page.locator('.cir-register [data-page="next"]').click()
    assert [r["id"] for r in _rows(page)] == ids[PAGE_SIZE:2 * PAGE_SIZE]
