"""The dashboard, priorities and report pages, kpis.json and the register's priority column."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import pytest

from cir_portal.core.config import Config
from cir_portal.core.kpis import Ledger, period, previous
from cir_portal.views import dashboard, priorities, reports
from cir_portal.views.context import Site
from cir_portal.views.page import by_src
from cirtest.measures import EXAMPLE_AS_OF, Example, closed, imp, lesson, register_of, with_kpi

KPI_KEYS = {"value", "numerator", "denominator", "formula", "period", "unit"}


def march_register(config: Config) -> list:
    """Activity in January and March 2026 only (nothing in February or April)."""
    return [
        closed("IMP-0001", "achieved", "2026-03-10", target_date="2026-03-31", planned_cost=100, actual_cost=90,
               satisfaction=4, approved_on="2026-01-20"),
        closed("IMP-0002", "not_achieved", "2026-03-20", target_date="2026-03-15"),
        imp("IMP-0003", status="rejected", raised="2026-03-02", closed_on="2026-03-12", reason="Out of scope <b>"),
        imp("IMP-0004", status="in_progress", raised="2026-01-07", urgency="high", cost="low", value_level="high",
            escalated=True),
        imp("IMP-0005", raised="2026-03-25", urgency="low", cost="high", value_level="low"),
        imp("IMP-0006", raised="2026-01-09"),
    ]


@pytest.fixture
def march_site(config: Config, site_of: Callable[..., Site]) -> Site:
    return site_of(register_of(config, march_register(config), [lesson("LL-0001", "2026-03-21", ["IMP-0001"])]),
                   as_of="2026-04-30")


# --- the example register

def test_the_tree_has_the_pages_and_files(example: Example) -> None:
    tree = example.tree
    for src in ("dashboard.md", "priorities.md", "reports/index.md"):
        assert src in tree.pages
    assert "kpis.json" in tree.files and "assets/cir/measures.css" in tree.files
    month_keys, quarter_keys = Ledger.of(example.site.register, EXAMPLE_AS_OF).report_periods(
        [str(x.date) for x in example.site.register.lessons])
    reports = {src for src in tree.pages if src.startswith("reports/") and src != "reports/index.md"}
    assert reports == {f"reports/{k}.md" for k in [*month_keys, *quarter_keys]}
    assert reports, "the example register has activity"


def test_dashboard_renders_on_the_example_register(example: Example) -> None:
    page = example.tree.pages["dashboard.md"].content
    data = json.loads(example.tree.files["kpis.json"])
    assert page.startswith("# ")
    assert EXAMPLE_AS_OF in page
    for formula in ("(N + C) / (O + C)", "actual_cost ≤ planned_cost", "target_date", "site_config/portal.yml"):
        assert formula in page
    # each headline KPI is on the page with the value kpis.json has
    for key in dashboard.HEADLINE_KPIS:
        assert f'data-kpi="{key}"' in page
    success = data["kpis"]["success_rate"]
    assert f"{success['numerator']} / {success['denominator']}" in page
    # every chart: interactive spec, static SVG, text summary and data table
    figures = re.findall(r'<figure class="cir-chart">.*?</figure>', page, re.S)
    assert len(figures) >= 4
    for figure in figures:
        assert "data-vega-spec=" in figure and "<svg" in figure and "cir-chart__summary" in figure and "<table" in figure
    assert "## " in page  # sections are Markdown headings (in the table of contents)


def test_kpis_json_structure(example: Example) -> None:
    raw = example.tree.files["kpis.json"]
    data = json.loads(raw)
    assert raw.decode() == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    assert data["as_of"] == EXAMPLE_AS_OF
    assert set(data) >= {"as_of", "definitions", "kpis", "adoption", "flow", "breakdowns", "areas_without_improvements",
                         "areas_with_too_many_open", "periods"}
    for kpi in data["kpis"].values():
        assert set(kpi) == KPI_KEYS
        assert kpi["period"]["to"] == EXAMPLE_AS_OF
        assert kpi["value"] is None or kpi["denominator"] in (None, 0) or kpi["value"] == pytest.approx(
            kpi["numerator"] / kpi["denominator"], abs=1e-4)
    assert set(data["kpis"]) == set(dashboard.HEADLINE_KPIS)
    assert data["definitions"]["productivity_index"]["N"]["counts"] == "raised"
    for key, kpis in data["periods"].items():
        assert f"reports/{key}.md" in example.tree.pages
        assert set(kpis) == set(reports.PERIOD_KPIS)
        assert all(k["period"]["key"] == key for k in kpis.values())
    ledger = Ledger.of(example.site.register, EXAMPLE_AS_OF)
    assert data["kpis"]["success_rate"]["numerator"] == ledger.headline()["success_rate"].numerator
    assert dashboard.kpis_json(example.site, ledger) == raw  # deterministic


def test_register_index_has_a_sortable_priority(example: Example) -> None:
    index = json.loads(example.tree.files["assets/cir/register-index.json"])
    column = index["columns"].index("priority")
    scores = {row[0]: row[column] for row in index["rows"]}
    weights = example.site.config.portal.priority_weights
    for record in example.site.register.improvements:
        from cir_portal.core.priority import priority

        scored = priority(record, weights)
        assert scores[record.id] == (scored.score if scored else None)
    assert 'data-sort="priority"' in example.tree.pages["register.md"].source()


def test_every_record_page_has_its_measures(example: Example) -> None:
    for record in example.site.register.improvements:
        card = example.tree.pages[record.src_uri].card
        assert "cir-priority" in card
        assert card.count("cir-metric-svg") == len(record.metrics)


# --- pages on a small register

def test_reports_exist_only_for_periods_with_data(march_site: Site) -> None:
    pages = {p.src_uri: p.source() for p in reports.pages(march_site)}
    made = sorted(src for src in pages if src.startswith("reports/"))
    assert made == ["reports/2026-01.md", "reports/2026-03.md", "reports/2026-Q1.md", "reports/index.md"]
    index = pages["reports/index.md"]
    assert "2026-Q1/" in index and "2026-03/" in index and "2026-02" not in index


def test_month_report_content(march_site: Site) -> None:
    page = by_src(reports.pages(march_site))["reports/2026-03.md"].source()
    sections = dict(re.findall(r"\n## (.+?) \((\d+)\)\n", page))
    counts = list(sections.values())
    assert counts == ["2", "0", "2", "1", "1"]  # raised, approved, closed, rejected..., lessons
    assert "IMP-0003" in page and "Out of scope &lt;b&gt;" in page and "<b>" not in page
    assert "LL-0001" in page
    # KPIs against February (nothing closed then: n/a, and the change is n/a)
    row = re.search(r'data-kpi="success_rate">([^<]*)</strong></td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>', page)
    assert row is not None and row.groups() == ("50 %", "1 / 2", "n/a", "n/a")
    raised = re.search(r'data-kpi="raised">(\d+)</strong></td><td>\d+</td><td>(\d+)</td><td>([^<]*)</td>', page)
    assert raised is not None and raised.groups() == ("2", "0", "▲ 2")
    nav = re.search(r'<nav class="cir-report-nav">(.*?)</nav>', page)
    assert nav is not None and "2026-01/" in nav.group(1) and "2026-02" not in nav.group(1)  # the previous report with data


def test_quarter_report_compares_with_the_previous_quarter(march_site: Site) -> None:
    page = by_src(reports.pages(march_site))["reports/2026-Q1.md"].source()
    assert "2025-Q4" in page and "2026-01-01" in page and "2026-03-31" in page
    assert 'data-kpi="approved">1<' in page


def test_running_period_says_so(config: Config, site_of: Callable[..., Site]) -> None:
    site = site_of(register_of(config, march_register(config)), as_of="2026-03-26")
    page = by_src(reports.pages(site))["reports/2026-03.md"].source()
    assert "2026-03-26" in page and "cir-note" in page


def test_no_closed_records_shows_na(config: Config, site_of: Callable[..., Site]) -> None:
    site = site_of(register_of(config, [imp("IMP-0001"), imp("IMP-0002", status="assessed", urgency="low", cost="low")]))
    page = dashboard.dashboard_page(site, Ledger.of(site.register, site.as_of))
    assert re.search(r'data-kpi="success_rate">n/a<', page)
    assert re.search(r'data-kpi="on_budget_rate">n/a<', page)
    data = json.loads(dashboard.files(site)["kpis.json"])
    assert data["kpis"]["success_rate"] == {**data["kpis"]["success_rate"], "value": None, "numerator": 0, "denominator": 0}
    # two raised in the window, none closed, none open at its start: (2 + 0) / (0 + 0)
    assert (data["kpis"]["productivity_index"]["numerator"], data["kpis"]["productivity_index"]["value"]) == (2, None)
    assert "n/a" in page.split('data-kpi="productivity_index"', 2)[2][:20]


def test_priorities_page_ranks_flags_and_places_quick_wins(march_site: Site) -> None:
    page = by_src(priorities.pages(march_site))["priorities.md"].source()
    ranking = page[page.index("cir-priority-ranking"):]
    order = re.findall(r">(IMP-\d{4}) ", ranking)
    assert order == ["IMP-0004", "IMP-0005", "IMP-0006"]  # 3.0, 1.0, not scored
    assert "<strong>3</strong> <small>= 3×0.4 + 3×0.4 + 3×0.2</small>" in ranking
    assert "<strong>1</strong> <small>= 1×0.4 + 1×0.4 + 1×0.2</small>" in ranking
    quick = re.search(r'<div class="cir-quick-win">(.*?)</div>', page, re.S)
    assert quick is not None and "IMP-0004" in quick.group(1) and "IMP-0005" not in quick.group(1)
    escalated = page[page.index("cir-flag--escalated"):page.index("cir-priority-ranking")]
    assert "IMP-0004" in escalated and "IMP-0005" not in escalated
    assert "0.4" in page and "0.2" in page  # the weights


def test_dashboard_flags_areas_with_too_many_open(config: Config, site_of: Callable[..., Site]) -> None:
    records = [imp(f"IMP-000{n}", owner="li.na", affects=["service/identity", "practice/service-desk"]) for n in (1, 2)]
    site = site_of(register_of(with_kpi(config, too_many_open=1), records))
    page = dashboard.dashboard_page(site, Ledger.of(site.register, site.as_of))
    assert page.count("cir-flag--too-many") == 3  # the practice, the service and the team
    tail = page[page.index("site_config/portal.yml kpi.too_many_open"):]
    assert "browse/practices/service-desk/" in tail and "VPN" in tail  # flagged ones, and those without improvements


def test_english_dashboard(config: Config, site_of: Callable[..., Site]) -> None:
    import dataclasses

    en = dataclasses.replace(config, portal=dataclasses.replace(config.portal, language="en"))
    site = site_of(register_of(en, march_register(en)), as_of="2026-04-30")
    pages = {p.src_uri: p.content for view in (dashboard, reports) for p in view.pages(site)}
    assert pages["dashboard.md"].startswith("# Practice dashboard")
    assert "the definitions below are this organisation's" in html.unescape(pages["dashboard.md"])
    assert pages["reports/2026-03.md"].startswith("# Continual improvement report 2026-03")


def test_indexed_counts_match_a_plain_scan(example: Example) -> None:
    """The binary-search counts agree with counting record by record, for every report period."""
    ledger = Ledger.of(example.site.register, EXAMPLE_AS_OF)
    month_keys, quarter_keys = ledger.report_periods()
    for key in [*month_keys, *quarter_keys]:
        p = period(key)
        before = previous(p).end
        assert ledger.count("raised", p) == sum(p.contains(f.raised) for f in ledger.facts)
        assert ledger.count("closed", p) == sum(p.contains(f.closed) for f in ledger.facts)
        assert ledger.count("finished", p) == sum(p.contains(f.finished) for f in ledger.facts)
        assert ledger.count("open_at_start", p) == sum(f.open_on(before) for f in ledger.facts)
        assert ledger.count("open_at_end", p) == sum(f.open_on(p.end) for f in ledger.facts)
        assert {f.imp.id for f in ledger.closed_in(p)} == {f.imp.id for f in ledger.facts if p.contains(f.closed)}
