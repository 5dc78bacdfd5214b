"""Navigating the portal in a real browser: Material's instant navigation swaps pages without a
reload and the register and board still render; every page loads only from 127.0.0.1 and
runs without a JavaScript error."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cirtest.browser import Guard, ServedSite
from cirtest.site import mkdocs_config, page_url

pytestmark = pytest.mark.browser


def _nav_link(page: Page, target: str) -> None:
    """Click the primary navigation's link to ``target`` (site-root-relative URL)."""
    links = page.locator("nav.md-nav--primary a.md-nav__link")
    for i in range(links.count()):
        link = links.nth(i)
        href = link.evaluate("a => a.href")
        if href.endswith("/" + target) and link.is_visible():
            link.click()
            return
    raise AssertionError(f"no visible navigation link to {target}")


def test_instant_navigation_keeps_views_working(page: Page, served_site: ServedSite) -> None:
    """Home -> register -> board -> back, all without a reload (a window variable survives), each view rendered."""
    n = len(served_site.improvements)
    page.goto(served_site.url)
    page.evaluate("window.__marker = 1")

    _nav_link(page, "register/")
    page.wait_for_url(served_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    assert page.evaluate("window.__marker") == 1, "the register was loaded with a full reload"
    expect(page.locator(".cir-register .cir-count [data-count]")).to_have_text(str(n))
    assert page.locator(".cir-register tbody tr").count() == min(n, 50)

    _nav_link(page, "board/")
    page.wait_for_url(served_site.url + "board/")
    page.wait_for_selector(".cir-board[data-loaded]")
    assert page.evaluate("window.__marker") == 1, "the board was loaded with a full reload"
    assert page.locator(".cir-board .cir-board-card").count() == n

    page.go_back()
    page.wait_for_url(served_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    assert page.evaluate("window.__marker") == 1
    assert page.locator(".cir-register tbody tr").count() == min(n, 50), "rows rendered twice or not at all"


@pytest.mark.slow
def test_pages_load_only_from_the_site(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """Every navigation page, one record of each kind and the search page with a query load (with
    their scripts, styles, charts and the search index) from 127.0.0.1 only, without a JavaScript error."""
    nav = mkdocs_config(served_site.project)["nav"]
    sources = [item if isinstance(item, str) else next(iter(item.values())) for item in nav]
    seen_kinds: set[str] = set()
    for record in served_site.records:
        if record.kind not in seen_kinds:
            seen_kinds.add(record.kind)
            sources.append(record.rel)
    assert len(seen_kinds) == 4
    sources.append("search.md?q=服务台")
    for src in sources:
        page.goto(served_site.url + page_url(src.split("?")[0]) + (f"?{src.split('?')[1]}" if "?" in src else ""))
        if "?q=" in src:
            expect(page.locator(".cir-search__results .cir-search-hit").first).to_be_visible()
        guard.settle(page)  # lazy loads (search index, chart bundle, register index) included
        expect(page.locator("article h1").first).to_be_visible()
    assert len(guard.requests) > 3 * len(sources), "requests were not recorded"
    hosts = {urlsplit(u).hostname for u in guard.requests if urlsplit(u).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}
    assert any("/pagefind/fragment/" in u for u in guard.requests), "the search page fetched no result"
