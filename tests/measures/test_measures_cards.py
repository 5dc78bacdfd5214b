"""Record-card sections: priority breakdown, metric charts (spec, hand-written SVG, summary,
table) and objective progress."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from cir_portal.core.config import Config
from cir_portal.core.model import Metric
from cir_portal.core.verdicts import verdict
from cir_portal.views import metrics as measures
from cir_portal.views.context import Site
from cirtest.measures import closed, imp, lesson, objective, register_of

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & \'q\''


def metric(**changes: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"name": "Tickets per month", "unit": "tickets", "direction": "decrease",
                         "baseline": {"value": 1180, "date": "2026-01-31"}, "target": {"value": 300, "date": "2026-08-31"},
                         "measurements": [{"date": "2026-04-30", "value": 1050}, {"date": "2026-05-31", "value": 720}]}
    m.update(changes)
    return m


def specs(card: str) -> list[dict[str, Any]]:
    return [json.loads(html.unescape(s)) for s in re.findall(r'data-vega-spec="([^"]*)"', card)]


def test_metric_svg_is_well_formed_deterministic_and_labelled(config: Config, site_of: Callable[..., Site]) -> None:
    site = site_of(register_of(config, []))
    m = metric()
    v = verdict(Metric.of(m), "2026-06-15", 0.1)
    svg = measures.metric_svg(site, Metric.of(m), v)
    assert svg == measures.metric_svg(site, Metric.of(m), v)
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"1180", "300"} <= set(texts)  # the y axis: max and min
    assert "2026-01-31" in texts and "2026-08-31" in texts  # first and last dates
    assert "tickets" in texts
    assert any(t and "300" in t and "2026-08-31" in t for t in texts)  # the target, value and date
    assert len(root.findall(f"{SVG}polyline")) == 1
    assert root.get("aria-hidden") == "true"


def test_metric_svg_escapes_every_text(config: Config, site_of: Callable[..., Site]) -> None:
    site = site_of(register_of(config, []))
    m = metric(name=EVIL, unit=EVIL)
    svg = measures.metric_svg(site, Metric.of(m), verdict(Metric.of(m), "2026-06-15", 0.1))
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert EVIL in [t.text for t in root.iter(f"{SVG}text")]


def test_metric_svg_shades_the_better_side_of_the_target(config: Config, site_of: Callable[..., Site]) -> None:
    site = site_of(register_of(config, []))
    for direction in ("increase", "decrease"):
        m = metric(direction=direction, baseline={"value": 0, "date": "2026-01-01"},
                   target={"value": 100, "date": "2026-12-31"}, measurements=[])
        root = ET.fromstring(measures.metric_svg(site, Metric.of(m), verdict(Metric.of(m), "2026-06-15", 0.1)))
        band = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "cir-svg-better")
        target_y = float(next(x for x in root.iter(f"{SVG}line") if x.get("class") == "cir-svg-target").get("y1", ""))
        if direction == "increase":  # above the target line
            assert float(band.get("y", "")) + float(band.get("height", "")) == target_y
        else:  # below it
            assert float(band.get("y", "")) == target_y


def test_metric_svg_edge_cases(config: Config, site_of: Callable[..., Site]) -> None:
    site = site_of(register_of(config, []))
    lonely = {"name": "m", "unit": "", "direction": "increase", "baseline": {"value": 5, "date": "2026-01-01"}}
    ET.fromstring(measures.metric_svg(site, Metric.of(lonely), verdict(Metric.of(lonely), "2026-06-15", 0.1)))
    flat = metric(baseline={"value": 3, "date": "2026-01-01"}, target={"value": 3, "date": "2026-01-01"}, measurements=[])
    ET.fromstring(measures.metric_svg(site, Metric.of(flat), verdict(Metric.of(flat), "2026-06-15", 0.1)))
    empty = {"name": "m", "unit": "", "direction": "increase"}
    assert measures.metric_svg(site, Metric.of(empty), verdict(Metric.of(empty), "2026-06-15", 0.1)) == ""


def test_improvement_card_has_priority_and_a_chart_per_metric(config: Config, site_of: Callable[..., Site]) -> None:
    record = imp("IMP-0001", status="in_progress", urgency="high", cost="low", value_level="high",
                 metrics=[metric(), metric(name=EVIL, direction="increase", measurements=[])])
    site = site_of(register_of(config, [record]))
    card = measures.card_sections(site, record)
    assert "<script" not in card and html.escape(EVIL) in card
    # priority: 3 x 0.4 + 3 x 0.4 + 3 x 0.2
    assert "<strong>3 / 3</strong> = " in card and card.count("cir-priority-part") == 3
    assert "(3 × 0.4 = 1.2)" in card and "(3 × 0.2 = 0.6)" in card
    assert card.count('<figure class="cir-chart">') == 2
    assert "cir-verdict--on_track" in card  # 720 on 2026-05-31 is ahead of the path
    assert "cir-verdict--no_data" in card
    assert card.count("cir-metric-svg") == 2 and card.count("cir-chart__see") == 2
    first, second = specs(card)
    assert list(first) == sorted(first)
    assert {r["kind"] for r in first["data"]["values"]} == {"基线", "目标", "测量值"}
    assert json.dumps(first, sort_keys=True) == json.dumps(specs(measures.card_sections(site, record))[0], sort_keys=True)
    measured = [layer for layer in second["layer"] if layer.get("transform") == [{"filter": {"equal": "测量值",
                                                                                             "field": "kind"}}]]
    assert measured[0]["mark"]["color"] == measures.COLOURS["no_data"]


def test_unassessed_improvement_says_why_it_has_no_score(config: Config, site_of: Callable[..., Site]) -> None:
    record = imp("IMP-0001")
    card = measures.card_sections(site_of(register_of(config, [record])), record)
    assert "cir-priority-none" in card and "cir-metric" not in card


def test_assumed_value_level_is_shown(config: Config, site_of: Callable[..., Site]) -> None:
    record = imp("IMP-0001", urgency="high", cost="low")
    card = measures.card_sections(site_of(register_of(config, [record])), record)
    assert "中* (2 × 0.4 = 0.8)" in card and "cir-assumed" in card and "value_level" in card


def test_metric_summary(config: Config, site_of: Callable[..., Site]) -> None:
    site = site_of(register_of(config, []))
    m = metric()
    summary = measures.metric_summary(site, Metric.of(m), verdict(Metric.of(m), "2026-06-15", 0.1))
    assert "1180 tickets (2026-01-31)" in summary and "300 tickets (2026-08-31)" in summary
    assert "720 tickets (2026-05-31)" in summary and "2 个测量值" in summary and "越低越好" in summary


def test_the_chart_data_is_the_cards_metrics_table(config: Config, site_of: Callable[..., Site]) -> None:
    """The figure's data table points to the card's metrics table, which holds every point."""
    from cir_portal.views import cards

    record = imp("IMP-0001", status="in_progress", metrics=[metric()])
    site = site_of(register_of(config, [record]))
    figure = measures.card_sections(site, record)
    details = re.search(r'<details class="cir-chart__data">(.*?)</details>', figure, re.S)
    assert details is not None and "cir-chart__see" in details.group(1)
    table = cards.metrics_table(site, record)
    for value in ("1180", "300", "1050", "720", "2026-01-31", "2026-08-31", "2026-04-30", "2026-05-31"):
        assert value in table


def test_objective_card_charts_contributions_and_lists_verdicts(config: Config, site_of: Callable[..., Site]) -> None:
    records = [closed("IMP-0001", "achieved", "2026-03-01", objectives=["OBJ-01"], metrics=[metric()]),
               imp("IMP-0002", status="in_progress", objectives=["OBJ-01"], metrics=[metric(measurements=[])]),
               imp("IMP-0003", status="in_progress", objectives=["OBJ-01"])]
    obj = objective("OBJ-01")
    site = site_of(register_of(config, records, objectives=[obj, objective("OBJ-02")]))
    card = measures.card_sections(site, obj)
    assert "cir-objective-progress" in card
    svg = re.search(r"<svg.*?</svg>", card, re.S)
    assert svg is not None
    ET.fromstring(svg.group(0))
    (spec,) = specs(card)
    assert sorted(r["n"] for r in spec["data"]["values"]) == [1, 2]
    assert "cir-objective-metrics" in card and "cir-verdict--no_data" in card
    assert measures.card_sections(site, objective("OBJ-02")) == ""


def test_lessons_get_no_measures(config: Config, site_of: Callable[..., Site]) -> None:
    record = lesson("LL-0001", "2026-03-01", [])
    assert measures.card_sections(site_of(register_of(config, [], [record])), record) == ""


def test_english_labels(config: Config, site_of: Callable[..., Site]) -> None:
    import dataclasses

    en = dataclasses.replace(config, portal=dataclasses.replace(config.portal, language="en"))
    record = imp("IMP-0001", status="in_progress", urgency="high", cost="low", metrics=[metric()])
    card = measures.card_sections(site_of(register_of(en, [record])), record)
    assert "<h2>Priority</h2>" in card and "Urgency high" in card and "on track" in card and "lower is better" in card
