"""The portal in a real browser on each engine's build (MkDocs, Zensical), published below
``/some/prefix/``: the register, the board, the charts, a record card's links, search and instant
navigation work the same, loading only from the site, without a JavaScript error or a failed
request (the ``guard`` fixture).

The tests know each theme's markup only where the themes differ (the search box).
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urldefrag

import jieba
import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cirtest.browser import Guard
from cirtest.engines import EngineSite
from cirtest.site import RecordFile, improvements, page_url, person_teams

pytestmark = pytest.mark.browser

ALL_DRAWN_JS = """() => {
  if (document.querySelector('article[data-stale]')) return false;
  const figures = Array.from(document.querySelectorAll('figure.cir-chart'));
  return figures.length > 0 && figures.every(f => f.classList.contains('cir-chart--live')
      && f.querySelector('.cir-chart__view svg, .cir-chart__view canvas'));
}"""


def _record_url(site: EngineSite, record: RecordFile) -> str:
    return site.url + page_url(record.rel)


def _nav_link(page: Page, target: str) -> None:
    """Click the primary navigation's link to ``target`` (a URL below the site)."""
    links = page.locator("nav.md-nav--primary a.md-nav__link")
    for i in range(links.count()):
        link = links.nth(i)
        if link.evaluate("a => a.href") == target and link.is_visible():
            link.click()
            return
    raise AssertionError(f"no visible navigation link to {target}")


def search(page: Page, word: str) -> Locator:
    """Type ``word`` into the site's search and return the result links: the portal's header box
    (the MkDocs plugin's Pagefind search), or Zensical's search dialog (in a shadow root, which
    Playwright's CSS selectors enter)."""
    portal = page.locator("#cir-search-box-q")
    if portal.count():
        portal.click()
        portal.fill(word)
        return page.locator("#cir-search-box-list .cir-search-hit:not(.cir-search-hit--all) a")
    page.locator(".md-search__button").first.click()
    box = page.locator("dialog input[role=combobox]")
    box.fill(word)
    return page.locator("dialog a[role=option]")


def test_register_lists_every_improvement(page: Page, served: EngineSite, guard: Guard) -> None:
    """Every improvement counted and listed, each row linking to its page below the prefix; a row opens it."""
    imps = improvements(served.project)
    page.goto(served.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    expect(page.locator(".cir-register .cir-count [data-count]")).to_have_text(str(len(imps)))
    hrefs = page.eval_on_selector_all(".cir-register tbody tr",
                                      "rows => rows.map(r => [r.getAttribute('data-id'), r.querySelector('a').href])")
    assert sorted(hrefs) == sorted([r.id, _record_url(served, r)] for r in imps)
    page.locator(f'.cir-register tr[data-id="{imps[-1].id}"] a').first.click()
    page.wait_for_url(_record_url(served, imps[-1]))
    expect(page.locator("article h1").first).to_contain_text(imps[-1].id)
    guard.settle(page)


def test_board_shows_every_improvement(page: Page, served: EngineSite, guard: Guard) -> None:
    """Each status column counts and shows its improvements; a card opens its record."""
    imps = improvements(served.project)
    expected = Counter(str(r.front_matter["status"]) for r in imps)
    page.goto(served.url + "board/")
    page.wait_for_selector(".cir-board[data-loaded]")
    columns = page.eval_on_selector_all(
        ".cir-board [data-status]",
        "cs => cs.map(c => [c.getAttribute('data-status'), c.querySelectorAll('.cir-board-card').length])")
    assert {s: n for s, n in columns if n} == dict(expected)
    card = page.locator(".cir-board .cir-board-card a").first
    target = card.evaluate("a => a.href")
    assert target.startswith(served.url)
    card.click()
    page.wait_for_url(target)
    guard.settle(page)


def test_record_card_links_open_their_pages(page: Page, served: EngineSite, guard: Guard) -> None:
    """A record card's person link opens that person's page (below the prefix, after the instant navigation)."""
    people = person_teams(served.project)
    record = next(r for r in improvements(served.project) if r.front_matter.get("requester") in people)
    pid = record.front_matter["requester"]
    page.goto(_record_url(served, record))
    person = page.locator(f'.cir-card a[href$="browse/people/{pid}/"]').first
    expect(person).to_be_visible()
    person.click()
    page.wait_for_url(served.url + f"browse/people/{pid}/")
    expect(page.locator("article")).to_contain_text(record.id)
    guard.settle(page)


def test_charts_are_drawn(page: Page, served: EngineSite, guard: Guard) -> None:
    """The dashboard's charts are drawn by the site's own Vega bundle, on load and after an instant navigation."""
    page.goto(served.url + "dashboard/")
    page.wait_for_function(ALL_DRAWN_JS, timeout=15_000)
    page.evaluate("window.__marker = 1")
    _nav_link(page, served.url + "priorities/")
    page.wait_for_url(served.url + "priorities/")
    page.wait_for_function(ALL_DRAWN_JS, timeout=15_000)
    assert page.evaluate("window.__marker") == 1, "the page was loaded with a full reload"
    guard.settle(page)


def _rare_title_words(site: EngineSite) -> list[tuple[str, RecordFile]]:
    """(word, record): words of improvement titles (Chinese words, English words of five letters
    or more), the word found on the fewest pages of the built site first."""
    texts = [re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8")).lower() for p in site.site.rglob("*.html")]

    def words(title: str) -> list[str]:
        # Chinese words as a reader would type them (jieba: a segmenter of its own, not the sites' search's)
        return [w for w in jieba.cut(title) if re.fullmatch(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{5,}", w)]

    found = {(w, r.id): (sum(w.lower() in t for t in texts), w, r) for r in improvements(site.project)
             for w in words(str(r.front_matter["title"]))}
    assert found, "no improvement title holds a word"
    return [(w, r) for _, w, r in sorted(found.values(), key=lambda x: (x[0], x[1], x[2].id))]


def test_search_finds_a_record(page: Page, served: EngineSite, guard: Guard) -> None:
    """The rarest word of a record's title finds that record's page. The themes' search engines
    segment mixed Chinese and English text differently (Material's misses some English words in
    a Chinese site), so if a word finds nothing the next rarest is tried, three at most; the
    first that finds anything must find its record."""
    page.goto(served.url)
    tried = []
    for word, record in _rare_title_words(served)[:3]:
        page.goto(served.url)
        results = search(page, word)
        try:
            results.first.wait_for(timeout=3_000)
        except PlaywrightTimeout:
            tried.append(word)
            continue
        hrefs = {urldefrag(h).url.split("?")[0] for h in results.evaluate_all("links => links.map(a => a.href)")}
        assert _record_url(served, record) in hrefs, f"{word!r} found {sorted(hrefs)}, not {record.rel}"
        break
    else:
        raise AssertionError(f"search found nothing for any of {tried}")
    guard.settle(page)


def test_instant_navigation_keeps_views_working(page: Page, served: EngineSite, guard: Guard) -> None:
    """Home -> register -> board -> back, without a reload (a window variable survives), each view rendered."""
    n = len(improvements(served.project))
    page.goto(served.url)
    page.evaluate("window.__marker = 1")
    _nav_link(page, served.url + "register/")
    page.wait_for_url(served.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    expect(page.locator(".cir-register .cir-count [data-count]")).to_have_text(str(n))
    _nav_link(page, served.url + "board/")
    page.wait_for_url(served.url + "board/")
    page.wait_for_selector(".cir-board[data-loaded]")
    assert page.locator(".cir-board .cir-board-card").count() == n
    page.go_back()
    page.wait_for_url(served.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    assert page.locator(".cir-register tbody tr").count() == n, "rows rendered twice or not at all"
    assert page.evaluate("window.__marker") == 1, "a page was loaded with a full reload"
    guard.settle(page)
