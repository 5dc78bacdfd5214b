"""Charts in a real browser ("Measured improvement"): every chart of an improvement record, the
dashboard, the priorities page and an objective is drawn by the site's own Vega bundle (from
127.0.0.1, never a CDN) on first load and after Material's instant navigation, each with its
text alternative; with JavaScript off, the static SVG fallback is what the reader sees.

What a chart must show comes from the record files (metrics, measurements, statuses,
objectives), not from the code that draws it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page

from cirtest.browser import Guard, ServedSite
from cirtest.site import RecordFile, page_url, read_records, terminal_statuses

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
BUNDLE = "/vendor/vega-bundle.js"
#: a figure is drawn when the loader marked it live and Vega put an SVG or canvas in its view;
#: ``article[data-stale]`` is the page we navigated away from (it must have been swapped out)
ALL_DRAWN_JS = """n => {
  if (document.querySelector('article[data-stale]')) return false;
  const figures = Array.from(document.querySelectorAll('figure.cir-chart'));
  return figures.length === n && figures.every(f => f.classList.contains('cir-chart--live')
      && f.querySelector('.cir-chart__view svg, .cir-chart__view canvas'));
}"""
FIGURES_JS = """figures => figures.map(f => {
  const view = f.querySelector('.cir-chart__view');
  const drawn = view.querySelector('svg, canvas');
  const box = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
  const spec = JSON.parse(view.getAttribute('data-vega-spec'));
  const enc = spec.encoding || {};
  return {
    live: f.classList.contains('cir-chart--live'),
    views: view.querySelectorAll(':scope > svg, :scope > canvas').length,
    width: box.width, height: box.height,
    label: view.getAttribute('aria-label') || '',
    role: view.getAttribute('role') || '',
    title: (f.querySelector('.cir-chart__title') || {textContent: ''}).textContent.trim(),
    summary: (f.querySelector('.cir-chart__summary') || {innerText: ''}).innerText.trim(),
    staticSvgs: f.querySelectorAll('.cir-chart__static svg').length,
    staticShown: Array.from(f.querySelectorAll('.cir-chart__static')).some(s => s.getClientRects().length > 0),
    dataText: (f.querySelector('details.cir-chart__data') || {textContent: ''}).textContent.trim(),
    dataRows: Array.from(f.querySelectorAll('details.cir-chart__data tbody tr')).map(
        tr => tr.lastElementChild.textContent.trim()),
    symbols: view.querySelectorAll('g.mark-symbol.role-mark > path').length,
    rects: view.querySelectorAll('g.mark-rect.role-mark > path').length,
    x: enc.x ? enc.x.field : null,
    colour: !!enc.color,
  };
})"""


# --- what the record files say

def _metrics(record: RecordFile) -> list[dict[str, Any]]:
    return list(record.front_matter.get("metrics") or [])


def _measurements(metric: dict[str, Any]) -> list[dict[str, Any]]:
    return list(metric.get("measurements") or [])


def _points(metric: dict[str, Any]) -> int:
    """Points a metric's chart draws as symbols: baseline, target and every measurement."""
    return len(_measurements(metric)) + bool(metric.get("baseline")) + bool(metric.get("target"))


def _measured(site: ServedSite) -> RecordFile:
    """The improvement with the most metrics, every one of them measured at least twice (lowest id on a tie)."""
    candidates = [r for r in site.improvements
                  if _metrics(r) and all(len(_measurements(m)) >= 2 for m in _metrics(r))]
    assert candidates, "the example has no improvement whose metrics all have measurements"
    return max(candidates, key=lambda r: len(_metrics(r)))  # the first of the longest, in id order


def _unmeasured(site: ServedSite) -> RecordFile:
    """An improvement with metrics (baseline and target) but no measurement yet."""
    candidates = [r for r in site.improvements
                  if _metrics(r) and not any(_measurements(m) for m in _metrics(r))]
    assert candidates, "the example has no improvement with metrics but no measurement"
    return candidates[0]


def _contributors(site: ServedSite, objective_id: str) -> list[RecordFile]:
    return [r for r in site.improvements if objective_id in (r.front_matter.get("objectives") or [])]


def _objective(site: ServedSite) -> RecordFile:
    """The first objective with a closed contributing improvement (an outcome) and one with measured metrics."""
    for record in read_records(site.project):
        if record.kind != "objective":
            continue
        contributors = _contributors(site, record.id)
        if (any(r.front_matter.get("outcome") for r in contributors)
                and any(_measurements(m) for r in contributors for m in _metrics(r))):
            return record
    raise AssertionError("the example has no objective with closed and measured contributing improvements")


def _open(site: ServedSite) -> list[RecordFile]:
    terminal = terminal_statuses(site.project)
    return [r for r in site.improvements if r.front_matter["status"] not in terminal]


def _figures_in_html(site: ServedSite, url: str) -> int:
    """Chart figures in the built page (what the browser must draw, before any script ran)."""
    return (site.site / url / "index.html").read_text(encoding="utf-8").count('<figure class="cir-chart"')


# --- what the browser shows

def _figures(page: Page) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = page.eval_on_selector_all("figure.cir-chart", FIGURES_JS)
    return figures


def _wait_drawn(page: Page, n: int) -> list[dict[str, Any]]:
    """Wait until the page's ``n`` chart figures are drawn; every one must have its text alternative."""
    assert n > 0
    page.wait_for_function(ALL_DRAWN_JS, arg=n, timeout=WAIT_MS)
    figures = _figures(page)
    for i, f in enumerate(figures):
        where = f"figure {i + 1} ({f['title']})"
        assert f["views"] == 1, f"{where}: drawn {f['views']} times"
        assert f["width"] > 100 and f["height"] > 40, f"{where}: drawn with no size ({f['width']} x {f['height']})"
        assert f["summary"], f"{where}: no text summary"
        assert f["dataText"], f"{where}: no data table (or pointer to one)"
        assert f["staticSvgs"] == 1, f"{where}: no static SVG fallback in the HTML"
        assert not f["staticShown"], f"{where}: the static fallback is shown next to the live chart"
    return figures


def _leave(page: Page) -> None:
    """Mark the current page so a wait cannot be satisfied by it after a navigation."""
    page.evaluate("document.querySelector('article').setAttribute('data-stale', '')")


def _nav_link(page: Page, target: str) -> Locator:
    """The visible link of the primary navigation to ``target`` (site-root-relative URL)."""
    links = page.locator("nav.md-nav--primary a.md-nav__link")
    for i in range(links.count()):
        link = links.nth(i)
        if link.evaluate("a => a.href").endswith("/" + target) and link.is_visible():
            return link
    raise AssertionError(f"no visible navigation link to {target}")


def _bundle_requests(guard: Guard) -> list[str]:
    return [u for u in guard.requests if u.endswith(BUNDLE)]


def _assert_local(site: ServedSite, guard: Guard) -> None:
    """The Vega bundle came from the site itself, and nothing left 127.0.0.1."""
    bundles = _bundle_requests(guard)
    assert bundles, "the Vega bundle was not requested"
    assert all(u.startswith(site.url) for u in bundles), bundles
    hosts = {urlsplit(u).hostname for u in guard.requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {"127.0.0.1"}, hosts
    assert not guard.foreign


def _assert_metric_page(page: Page, record: RecordFile) -> None:
    """Every metric of ``record`` is drawn: one figure each, in file order, with all its points."""
    metrics = _metrics(record)
    figures = _wait_drawn(page, len(metrics))
    for metric, f in zip(metrics, figures, strict=True):
        name = str(metric["name"])
        assert f["title"] == name
        assert name in f["summary"]
        for key in ("baseline", "target"):
            if metric.get(key):
                assert str(metric[key]["date"]) in f["summary"], f"{name}: the summary misses the {key}"
        if _measurements(metric):
            assert str(_measurements(metric)[-1]["date"]) in f["summary"], f"{name}: the summary misses the latest value"
        assert f["symbols"] == _points(metric), f"{name}: {f['symbols']} points drawn, the record has {_points(metric)}"
    # the figures' data table is the record's metrics table: one row per metric, every measurement in it
    rows = page.locator("table.cir-metrics tbody tr")
    assert rows.count() == len(metrics)
    for i, metric in enumerate(metrics):
        cells = rows.nth(i).locator("td")
        assert cells.first.inner_text().strip() == str(metric["name"])
        listed = cells.last.inner_text()
        for m in _measurements(metric):
            assert str(m["date"]) in listed, f"{metric['name']}: measurement of {m['date']} not in the table"


def _polyline_points(svg: Locator) -> int:
    line = svg.locator("polyline.cir-svg-measurements")
    return len((line.get_attribute("points") or "").split()) if line.count() else 0


# --- tests

def test_metric_charts_render_on_first_load(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """An improvement's metric charts: one per metric, drawn from the local bundle with every point of
    the record, each with a summary, the metrics table and a (hidden) static SVG for no-JS and print."""
    record = _measured(served_site)
    page.goto(served_site.url + page_url(record.rel))
    _assert_metric_page(page, record)
    statics = page.locator("figure.cir-chart .cir-chart__static svg")
    for i, metric in enumerate(_metrics(record)):
        assert _polyline_points(statics.nth(i)) == len(_measurements(metric))
    assert len(_bundle_requests(guard)) == 1
    _assert_local(served_site, guard)


def test_metric_without_measurements_still_renders(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """A planned improvement (baseline and target, no measurement yet) draws its charts without an error."""
    record = _unmeasured(served_site)
    page.goto(served_site.url + page_url(record.rel))
    _assert_metric_page(page, record)
    _assert_local(served_site, guard)


def test_metric_charts_render_after_instant_navigation(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """Register -> record without a reload: the record's charts are drawn (the bundle is loaded only
    then, once); back and forward again draws them again, once each."""
    record = _measured(served_site)
    page.goto(served_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    assert page.locator("figure.cir-chart").count() == 0
    assert _bundle_requests(guard) == [], "the Vega bundle was loaded on a page without a chart"
    page.evaluate("window.__marker = 1")

    link = page.locator(f'.cir-register tbody tr[data-id="{record.id}"] a[href]').first
    href = link.evaluate("a => a.href")
    assert href == served_site.url + page_url(record.rel)
    _leave(page)
    link.click()
    page.wait_for_url(href)
    _assert_metric_page(page, record)
    assert page.evaluate("window.__marker") == 1, "the record page was loaded with a full reload"

    page.go_back()
    page.wait_for_url(served_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    _leave(page)
    page.go_forward()
    page.wait_for_url(href)
    _assert_metric_page(page, record)
    assert page.evaluate("window.__marker") == 1, "history navigation reloaded the page"
    assert len(_bundle_requests(guard)) == 1, "the Vega bundle was loaded more than once"
    _assert_local(served_site, guard)


def _assert_practice_views(page: Page, served_site: ServedSite, url: str) -> None:
    """The dashboard's or the priorities page's charts are all drawn, and agree with the records."""
    figures = _wait_drawn(page, _figures_in_html(served_site, url))
    for f in figures:
        assert f["dataRows"], f"{f['title']}: empty data table"
    if url == "dashboard/":
        by_x = {(f["x"], f["colour"]): f for f in figures}
        raised, wip = by_x[("month", False)], by_x[("status", False)]
        assert sum(int(n) for n in raised["dataRows"]) == len(served_site.improvements)
        assert sum(int(n) for n in wip["dataRows"]) == len(_open(served_site))
        assert wip["rects"] == len(wip["dataRows"]), "a bar per status in the data table"
    else:
        (matrix,) = figures
        with_cost = [r for r in _open(served_site) if r.front_matter.get("cost") in ("low", "medium", "high")]
        assert sum(int(n) for n in matrix["dataRows"]) == len(with_cost)
        assert matrix["rects"] == len(matrix["dataRows"]) == 12, "a cell per value level (3 + unset) and cost (3)"


@pytest.mark.parametrize("url", ["dashboard/", "priorities/"])
def test_practice_charts_render_on_first_load(page: Page, served_site: ServedSite, guard: Guard, url: str) -> None:
    """Every chart of the dashboard / priorities page is drawn, with its summary and data table."""
    page.goto(served_site.url + url)
    _assert_practice_views(page, served_site, url)
    _assert_local(served_site, guard)


def test_practice_charts_render_after_instant_navigation(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """Home -> dashboard -> priorities -> back, through the primary navigation, without a reload: each
    page's charts are drawn, once each, and the bundle is loaded once."""
    page.goto(served_site.url)
    assert page.locator("figure.cir-chart").count() == 0
    page.evaluate("window.__marker = 1")
    for url in ("dashboard/", "priorities/"):
        link = _nav_link(page, url)
        _leave(page)
        link.click()
        page.wait_for_url(served_site.url + url)
        _assert_practice_views(page, served_site, url)
        assert page.evaluate("window.__marker") == 1, f"{url} was loaded with a full reload"
    _leave(page)
    page.go_back()
    page.wait_for_url(served_site.url + "dashboard/")
    _assert_practice_views(page, served_site, "dashboard/")
    assert page.evaluate("window.__marker") == 1
    assert len(_bundle_requests(guard)) == 1, "the Vega bundle was loaded more than once"
    _assert_local(served_site, guard)


def test_objective_progress_chart_renders(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """An objective's progress bar counts its contributing improvements by status (closed ones by
    outcome), lists their metrics' verdicts; a contributing improvement reached from it without a
    reload draws its own charts (chart page to chart page)."""
    objective = _objective(served_site)
    contributors = _contributors(served_site, objective.id)
    page.goto(served_site.url + page_url(objective.rel))
    (figure,) = _wait_drawn(page, 1)
    keys = Counter(r.front_matter.get("outcome") or r.front_matter["status"] for r in contributors)
    assert sorted(int(n) for n in figure["dataRows"]) == sorted(keys.values())
    assert figure["rects"] == len(keys), "one bar segment per status or outcome"
    assert str(len(contributors)) in figure["summary"]
    verdict_rows = page.locator("table.cir-objective-metrics tbody tr")
    assert verdict_rows.count() == sum(len(_metrics(r)) for r in contributors)

    measured = next(r for r in contributors if any(_measurements(m) for m in _metrics(r)))
    page.evaluate("window.__marker = 1")
    link = verdict_rows.locator(f'a[href$="/{page_url(measured.rel)}"]').first
    href = link.evaluate("a => a.href")
    _leave(page)
    link.click()
    page.wait_for_url(href)
    _assert_metric_page(page, measured)
    assert page.evaluate("window.__marker") == 1, "the improvement was loaded with a full reload"
    _assert_local(served_site, guard)


@pytest.fixture
def no_js_page(browser: Browser, guard: Guard) -> Iterator[Page]:
    """A page of a browser context with JavaScript disabled, watched by ``guard``."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(WAIT_MS)
    guard.attach(context)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_static_fallback_without_javascript(no_js_page: Page, served_site: ServedSite, guard: Guard) -> None:
    """With JavaScript off, each metric's static SVG is shown (its measurements, first and last dates),
    with the summary; nothing is drawn live and the bundle is not fetched. The dashboard's too."""
    page = no_js_page
    record = _measured(served_site)
    page.goto(served_site.url + page_url(record.rel))
    figures = page.locator("figure.cir-chart")
    metrics = _metrics(record)
    assert figures.count() == len(metrics)
    for i, metric in enumerate(metrics):
        figure = figures.nth(i)
        assert "cir-chart--live" not in (figure.get_attribute("class") or "")
        assert figure.locator(".cir-chart__view > *").count() == 0
        svg = figure.locator(".cir-chart__static svg")
        assert svg.is_visible(), f"{metric['name']}: the static chart is not shown without JavaScript"
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 40
        assert _polyline_points(svg) == len(_measurements(metric))
        dates = sorted(str(p["date"]) for p in (metric.get("baseline"), metric.get("target"), *_measurements(metric)) if p)
        texts = svg.locator("text").all_text_contents()
        assert dates[0] in texts and dates[-1] in texts, f"{metric['name']}: axis dates {texts}"
        summary = figure.locator(".cir-chart__summary")
        assert summary.is_visible()
        assert str(metric["name"]) in summary.inner_text()
        view = figure.locator(".cir-chart__view")
        assert view.get_attribute("role") == "img" and view.get_attribute("aria-label") == summary.inner_text().strip()
    assert page.locator("table.cir-metrics").is_visible()

    page.goto(served_site.url + "dashboard/")
    figures = page.locator("figure.cir-chart")
    assert figures.count() == _figures_in_html(served_site, "dashboard/") > 0
    for i in range(figures.count()):
        assert figures.nth(i).locator(".cir-chart__static svg").first.is_visible()
        assert figures.nth(i).locator(".cir-chart__summary").inner_text().strip()
    assert _bundle_requests(guard) == [], "the Vega bundle was fetched with JavaScript off"
    assert guard.requests and not guard.foreign


def test_slow_bundle_still_draws_the_page_navigated_to(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """The reader leaves a chart page before the (~880 KiB) bundle has arrived: the page reached by
    instant navigation is drawn when it does arrive. The bundle response is held, not delayed by a clock."""
    held: list[Any] = []
    page.route(f"**{BUNDLE}", lambda route: held.append(route))  # takes precedence over the guard's context route
    page.goto(served_site.url)
    page.evaluate("window.__marker = 1")
    link = _nav_link(page, "dashboard/")
    _leave(page)
    link.click()
    page.wait_for_url(served_site.url + "dashboard/")
    page.wait_for_function("() => !document.querySelector('article[data-stale]')", timeout=WAIT_MS)
    page.wait_for_function("() => document.querySelectorAll('script[src$=\"vendor/vega-bundle.js\"]').length === 1",
                           timeout=WAIT_MS)
    for _ in range(500):  # the request reaches the handler on a later round trip to the browser (bounded: 10 s)
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the bundle request never reached the route"
    assert page.locator("figure.cir-chart--live").count() == 0

    link = _nav_link(page, "priorities/")
    _leave(page)
    link.click()
    page.wait_for_url(served_site.url + "priorities/")
    page.wait_for_function("() => !document.querySelector('article[data-stale]')", timeout=WAIT_MS)
    assert len(held) == 1
    held[0].continue_()
    _assert_practice_views(page, served_site, "priorities/")
    assert page.evaluate("window.__marker") == 1, "the priorities page was loaded with a full reload"
    assert len(_bundle_requests(guard)) == 1
    _assert_local(served_site, guard)


@pytest.mark.parametrize("url", ["record", "dashboard/", "objective"])
def test_live_chart_keeps_its_text_alternative(page: Page, served_site: ServedSite, url: str) -> None:
    """Once drawn, a chart's view is still an image named by its summary (role="img", aria-label),
    as the HTML has it, not a generic "Vega visualization"."""
    if url == "record":
        url = page_url(_measured(served_site).rel)
    elif url == "objective":
        url = page_url(_objective(served_site).rel)
    page.goto(served_site.url + url)
    figures = _wait_drawn(page, _figures_in_html(served_site, url))
    named = [(f["title"], f["role"], f["label"]) for f in figures if f["role"] != "img" or f["label"] != f["summary"]]
    assert named == [], "drawn charts lost their text alternative (role, aria-label)"
