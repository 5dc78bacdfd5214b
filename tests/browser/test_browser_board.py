"""The status board in a real browser: one column per workflow status with the right count,
filters that recount, finished statuses folded away, and cards that open their record."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cirtest.browser import BusySite, ServedSite
from cirtest.site import RecordFile, person_teams, terminal_statuses, workflow_order

pytestmark = pytest.mark.browser

CARD_LIMIT = 100
COLUMNS_JS = """cols => cols.map(c => ({
  status: c.getAttribute('data-status'),
  tag: c.tagName.toLowerCase(),
  open: c.hasAttribute('open'),
  count: parseInt(c.querySelector('[data-count]').textContent, 10),
  cards: c.querySelectorAll('.cir-board-card').length,
}))"""


def _open(page: Page, site: ServedSite) -> None:
    page.goto(site.url + "board/")
    page.wait_for_selector(".cir-board[data-loaded]")


def _columns(page: Page) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = page.eval_on_selector_all(".cir-board [data-status]", COLUMNS_JS)
    return columns


def _counts(page: Page) -> dict[str, int]:
    return {c["status"]: c["count"] for c in _columns(page)}


def _expected(records: list[RecordFile], statuses: list[str]) -> dict[str, int]:
    counts = Counter(str(r.front_matter["status"]) for r in records)
    return {s: counts.get(s, 0) for s in statuses}


def test_board_counts_per_column(page: Page, served_site: ServedSite) -> None:
    """Columns follow the workflow; each counts (and, up to its limit, shows) the records in that status."""
    statuses = workflow_order(served_site.project)
    expected = _expected(served_site.improvements, statuses)
    _open(page, served_site)
    columns = _columns(page)
    assert [c["status"] for c in columns] == statuses
    for column in columns:
        assert column["count"] == expected[column["status"]], column["status"]
        assert column["cards"] == min(column["count"], CARD_LIMIT), column["status"]
    assert sum(c["count"] for c in columns) == len(served_site.improvements)


def test_terminal_columns_are_closed_details(page: Page, served_site: ServedSite) -> None:
    """Finished statuses (terminal in workflow.yml) are <details> closed by default; open ones are not."""
    terminal = terminal_statuses(served_site.project)
    assert terminal
    _open(page, served_site)
    for column in _columns(page):
        if column["status"] in terminal:
            assert column["tag"] == "details" and not column["open"], column
        else:
            assert column["tag"] == "section", column
    counts = Counter(str(r.front_matter["status"]) for r in served_site.improvements)
    closed = next(s for s in workflow_order(served_site.project) if s in terminal and counts[s])
    card = page.locator(f'.cir-board [data-status="{closed}"] .cir-board-card').first
    expect(card).to_be_hidden()
    page.locator(f'.cir-board [data-status="{closed}"] summary').click()
    expect(card).to_be_visible()


def test_team_and_practice_filters_recount(page: Page, served_site: ServedSite) -> None:
    """Choosing a team counts only improvements owned by someone in it; a practice, those affecting it."""
    statuses = workflow_order(served_site.project)
    teams = person_teams(served_site.project)
    imps = served_site.improvements
    _open(page, served_site)
    options = page.eval_on_selector_all('.cir-board select[data-filter="team"] option', "os => os.map(o => o.value)")
    assert len(options) > 2
    for team in options[1:]:
        page.select_option('.cir-board select[data-filter="team"]', team)
        owned = [r for r in imps if teams.get(str(r.front_matter.get("owner") or "")) == team]
        assert _counts(page) == _expected(owned, statuses), team
    page.select_option('.cir-board select[data-filter="team"]', "")
    assert _counts(page) == _expected(imps, statuses)

    practice = Counter(a for r in imps for a in r.front_matter["affects"] if a.startswith("practice/")).most_common(1)[0][0]
    page.select_option('.cir-board select[data-filter="practice"]', practice)
    assert _counts(page) == _expected([r for r in imps if practice in r.front_matter["affects"]], statuses)


def test_card_opens_its_record(page: Page, served_site: ServedSite) -> None:
    """A card links to its record's page, which opens on click."""
    first = next(r for r in served_site.improvements if r.front_matter["status"] not in terminal_statuses(served_site.project))
    _open(page, served_site)
    card = page.locator(f'.cir-board-card[data-id="{first.id}"] a').first
    url = served_site.url + first.rel.removesuffix(".md") + "/"
    assert card.get_attribute("href") == url
    card.click()
    page.wait_for_url(url)
    expect(page.locator("h1").first).to_contain_text(first.id)


def test_column_over_the_limit_shows_all_on_demand(page: Page, busy_site: BusySite) -> None:
    """A column with more records than the card limit shows 100 cards and a button for the rest."""
    counts = Counter(str(r.front_matter["status"]) for r in busy_site.improvements)
    status, count = counts.most_common(1)[0]
    assert count > CARD_LIMIT
    _open(page, busy_site)
    column = page.locator(f'.cir-board [data-status="{status}"]')
    assert column.locator(".cir-board-card").count() == CARD_LIMIT
    column.locator(".cir-column__more").click()
    assert column.locator(".cir-board-card").count() == count
    assert column.locator(".cir-column__more").count() == 0
