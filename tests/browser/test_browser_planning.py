"""The roadmap, the trace diagrams and a printed report in a real browser: bars and nodes are links
that Material's instant navigation follows without a reload, the as-of line sits where the dates
put it, the diagrams' text alternative lists their edges, and a quarterly report prints to an A4
PDF with the period on every page and without the site's navigation.

What must be shown comes from the record files (statuses, target dates, objectives), not from
the code that draws it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Page, expect

from cirtest.browser import Guard, ServedSite
from cirtest.site import page_url

pytestmark = pytest.mark.browser

ROADMAP_STATUSES = ("approved", "planned", "in_progress", "evaluating")


def _nav_link(page: Page, target: str) -> None:
    """Click the primary navigation's link to ``target`` (site-root-relative URL)."""
    links = page.locator("nav.md-nav--primary a.md-nav__link")
    for i in range(links.count()):
        link = links.nth(i)
        if link.evaluate("a => a.href").endswith("/" + target) and link.is_visible():
            link.click()
            return
    raise AssertionError(f"no visible navigation link to {target}")


def _as_of(page: Page, served_site: ServedSite) -> str:
    """The site's as-of date as the governance page states it (another view than the roadmap)."""
    page.goto(served_site.url + "governance/")
    text = page.locator("p.cir-asof").inner_text()
    found = re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert found, text
    return found.group(0)


def test_roadmap_bars_link_records_with_instant_navigation(page: Page, served_site: ServedSite, guard: Guard) -> None:
    expected = {r.id: r for r in served_site.improvements
                if r.front_matter.get("status") in ROADMAP_STATUSES and r.front_matter.get("target_date")}
    assert len(expected) >= 5
    as_of = _as_of(page, served_site)
    page.goto(served_site.url)
    page.evaluate("window.__marker = 1")
    _nav_link(page, "roadmap/")
    page.wait_for_url(served_site.url + "roadmap/")
    expect(page.locator("article h1").first).to_have_text(re.compile("路线图|Roadmap"))
    assert page.evaluate("window.__marker") == 1, "the roadmap was loaded with a full reload"

    rows = page.locator("a.cir-rm-row")
    found = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        found.setdefault(row.get_attribute("data-id"), row.evaluate("a => a.href"))
    assert set(found) == set(expected)
    for rid, href in found.items():
        assert href == served_site.url + page_url(expected[rid].rel), rid
    # every bar is inside its record's link and drawn with a width
    bars = page.locator("a.cir-rm-row .cir-rm-bar")
    assert bars.count() == rows.count()
    assert all(b["width"] > 0 for b in bars.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().toJSON())"))

    # the as-of line: after the bars that ended before it, before those that end after it
    today = page.locator(".cir-rm-today").first
    assert today.get_attribute("data-date") == as_of
    line_x = today.bounding_box()["x"]  # type: ignore[index]
    for i in range(rows.count()):
        row = rows.nth(i)
        target = row.get_attribute("data-target") or ""
        if row.locator("xpath=ancestor::details[1]").evaluate("d => d === document.querySelectorAll('details.cir-rm-group')[0]"):
            box = row.locator(".cir-rm-bar").bounding_box()
            assert box is not None
            end = box["x"] + box["width"]
            if target < as_of:
                assert end < line_x + 2, (row.get_attribute("data-id"), target)
                assert "cir-rm-row--overdue" in (row.get_attribute("class") or "")
            else:
                assert end > line_x - 2, (row.get_attribute("data-id"), target)

    # a bar is a link Material follows without a reload
    n = rows.count()
    first = rows.first
    rid, href = first.get_attribute("data-id"), first.evaluate("a => a.href")
    first.locator(".cir-rm-bar").click()
    page.wait_for_url(href)
    expect(page.locator("article .cir-title .cir-id")).to_have_text(rid or "")
    assert page.evaluate("window.__marker") == 1, "following a bar reloaded the page"
    page.go_back()
    page.wait_for_url(served_site.url + "roadmap/")
    expect(page.locator("a.cir-rm-row")).to_have_count(n)  # swapped back in (instant navigation is asynchronous)
    guard.settle(page)


def _objective_with_most_improvements(served_site: ServedSite) -> str:
    counts: dict[str, int] = {}
    for r in served_site.improvements:
        for oid in r.front_matter.get("objectives") or []:
            counts[oid] = counts.get(oid, 0) + 1
    return max(sorted(counts), key=lambda o: counts[o])


def test_trace_diagram_nodes_link_and_have_a_text_alternative(page: Page, served_site: ServedSite, guard: Guard) -> None:
    oid = _objective_with_most_improvements(served_site)
    records = {r.id: r for r in served_site.records}
    imps = [r for r in served_site.improvements if oid in (r.front_matter.get("objectives") or [])]
    page.goto(served_site.url + page_url(records[oid].rel))
    page.evaluate("window.__marker = 1")
    figure = page.locator("figure.cir-trace").first
    nodes = figure.locator("a.cir-trace__node")
    keys = set(nodes.evaluate_all("ns => ns.map(n => n.getAttribute('data-node'))"))
    assert {oid, *(i.id for i in imps)} <= keys
    assert nodes.count() == int(figure.get_attribute("data-nodes") or 0)
    # nodes are visible and apart; every node's link is a page of the site
    boxes = nodes.evaluate_all("ns => ns.map(n => n.getBoundingClientRect().toJSON())")
    for a in boxes:
        assert a["width"] > 100 and a["height"] > 20
        for b in boxes:
            if a is not b:
                assert a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] \
                    or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
    for key, href in nodes.evaluate_all("ns => ns.map(n => [n.getAttribute('data-node'), n.href])"):
        assert href == served_site.url + page_url(records[key].rel), key
    # the text alternative lists the same edges
    text = figure.locator("details.cir-trace__text")
    text.locator("summary").click()
    items = text.locator("li")
    expect(items.first).to_be_visible()
    edges = int(figure.get_attribute("data-edges") or 0)
    arrows = [t for t in items.all_inner_texts() if "→" in t]
    assert len(arrows) == edges == len(imps) + sum(1 for t in arrows if t.split("→")[1].strip().startswith("LL-"))
    # a node is a link Material follows without a reload
    target = imps[0]
    figure.locator(f'a.cir-trace__node[data-node="{target.id}"]').click()
    page.wait_for_url(served_site.url + page_url(target.rel))
    assert page.evaluate("window.__marker") == 1
    guard.settle(page)


def test_assessment_gaps_link_their_rows(page: Page, served_site: ServedSite, guard: Guard) -> None:
    asm = next(r for r in served_site.records if r.kind == "assessment" and r.front_matter.get("gaps"))
    page.goto(served_site.url + page_url(asm.rel))
    for gap in asm.front_matter["gaps"]:
        node = page.locator(f'a.cir-trace__node[data-node="{asm.id}#{gap["id"]}"]')
        # Material makes every link absolute: the gap's row on this very page
        assert node.evaluate("a => a.href") == served_site.url + page_url(asm.rel) + f"#gap-{gap['id']}"
        assert page.locator(f"#gap-{gap['id']}").count() == 1
    guard.settle(page)


def test_quarterly_report_prints_to_a4(page: Page, served_site: ServedSite, guard: Guard, tmp_path: Path) -> None:
    quarters = sorted(p.name for p in (served_site.site / "reports").iterdir() if re.fullmatch(r"\d{4}-Q\d", p.name))
    assert quarters
    key = quarters[-1]
    page.goto(served_site.url + f"reports/{key}/")
    period = re.search(r"\d{4}-\d{2}-\d{2} \S+ \d{4}-\d{2}-\d{2}", page.locator("p.cir-report-meta").inner_text())
    assert period, "the report states its period"
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['.md-header', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer',
                                     '.cir-report-nav'].map(s => {
        const el = document.querySelector(s);
        return el ? getComputedStyle(el).display : 'none';
    })""")
    assert hidden == ["none"] * 5
    assert page.evaluate("getComputedStyle(document.querySelector('.cir-report-summary')).breakAfter") == "page"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (tmp_path / f"{key}.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2  # the KPI summary, then the lists
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    start, end = re.findall(r"\d{4}-\d{2}-\d{2}", period.group(0))
    for n, sheet in enumerate(reader.pages, 1):
        text = re.sub(r"\s+", " ", sheet.extract_text())
        assert start in text and end in text, f"page {n} has no period in its header"
        assert f"{n} / {len(reader.pages)}" in text
    page.emulate_media(media="screen")
    guard.settle(page)


def test_register_filters_by_initiative_and_shows_supporters(page: Page, served_site: ServedSite, guard: Guard) -> None:
    files = {r.id: r.front_matter for r in served_site.improvements}
    initiative = next(rid for rid in sorted(files) if any(f.get("part_of") == rid for f in files.values()))
    members = {initiative, *(rid for rid, f in files.items() if f.get("part_of") == initiative)}
    page.goto(served_site.url + "register/")
    page.wait_for_selector(".cir-register[data-loaded]")
    page.select_option('select[data-filter="initiative"]', initiative)
    expect(page.locator(".cir-register [data-count]")).to_have_text(str(len(members)))
    shown = set(page.locator(".cir-register tbody tr").evaluate_all("rs => rs.map(r => r.getAttribute('data-id'))"))
    assert shown == members
    page.select_option('select[data-filter="initiative"]', "")
    page.locator('button[data-sort="supporters"]').click()  # most supporters first
    top = page.locator(".cir-register tbody tr").first
    most = max(len(f.get("supporters") or []) for f in files.values())
    assert most > 0 and len(files[top.get_attribute("data-id") or ""].get("supporters") or []) == most
    assert top.locator("td.cir-supporters").inner_text() == str(most)
    guard.settle(page)
