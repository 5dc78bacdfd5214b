"""The maturity view in a real browser: its two charts (levels over time, dimension heatmap)
are drawn from the site's own Vega bundle, offline, each with a text summary and a data table,
and a practice page's chart is drawn after Material's instant navigation too."""

from __future__ import annotations

from playwright.sync_api import Page

from cirtest.browser import Guard, ServedSite


def test_maturity_charts_render_offline_with_text_alternatives(page: Page, served_site: ServedSite, guard: Guard) -> None:
    page.goto(served_site.url + "maturity/")
    page.wait_for_function("document.querySelectorAll('.cir-chart--live').length === 2")
    figures = page.locator("figure.cir-chart")
    assert figures.count() == 2
    for i in range(2):
        figure = figures.nth(i)
        assert figure.locator(".cir-chart__view svg, .cir-chart__view canvas").count() >= 1
        assert figure.locator(".cir-chart__summary").inner_text().strip()
        assert figure.locator(".cir-chart__view").get_attribute("aria-label")
        assert figure.locator("details.cir-chart__data table tbody tr").count() >= 1
    heatmap = figures.nth(1).locator(".cir-chart__view svg")
    assert heatmap.locator("text").count() > 10  # axis labels and the score in each cell
    assert page.locator(".cir-gaps__state tbody tr").count() >= 1  # the gap list, by state

    # a practice's own page, reached without a reload (a window variable survives), draws its chart
    page.evaluate("window.__marker = 1")
    practice = page.locator("table.cir-maturity tbody td:first-child a").first
    href = practice.evaluate("a => a.href")
    practice.click()
    page.wait_for_url(href)
    page.wait_for_selector(".cir-chart--live .cir-chart__view svg")
    assert page.evaluate("window.__marker") == 1, "the practice page was loaded with a full reload"
    assert page.locator(".cir-chart__summary").first.inner_text().strip()

    assert any(u.endswith("/vendor/vega-bundle.js") for u in guard.requests)
    assert not guard.foreign
