"""Measured improvement on the record cards: the priority score with its breakdown, a chart
and verdict for every metric of an improvement, and the progress of an objective.

A register of 2,000 records has ~4,000 metric charts, so their static SVG (print, no-JS) is
drawn here by hand in well under a millisecond instead of by vl-convert (~60 ms each); the
interactive view is a plain Vega-Lite dict that ``charts.chart`` embeds. The arithmetic
(verdicts, scores) lives in ``kpis``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cir_portal.core.i18n import register_strings
from cir_portal.core.kpis import OUTCOMES
from cir_portal.core.model import Improvement, Metric, Objective, Record
from cir_portal.core.priority import Priority
from cir_portal.core.verdicts import Point, Series, Verdict, better, objective_progress, point, verdict
from cir_portal.views import charts
from cir_portal.views.context import Site
from cir_portal.views.markup import esc, link, table

#: the Vega-Lite version of the offline bundle (vl-convert's latest)
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
PRIORITIES_PAGE = "priorities.md"
#: colours of the verdicts and chart marks (readable on light and dark backgrounds, and in print)
COLOURS = {
    "achieved": "#2e7d32", "on_track": "#1565c0", "off_track": "#c62828", "no_data": "#757575",
    "path": "#757575", "target": "#6a1b9a", "baseline": "#616161", "better": "#2e7d32", "worse": "#c62828",
}

register_strings({
    "ms_priority": {"en": "Priority", "zh": "优先级"},
    "ms_priority_score": {"en": "Priority score", "zh": "优先级得分"},
    "ms_factor": {"en": "Factor", "zh": "因素"},
    "ms_level": {"en": "Level", "zh": "等级"},
    "ms_points": {"en": "Points", "zh": "分值"},
    "ms_weight": {"en": "Weight", "zh": "权重"},
    "ms_contribution": {"en": "Contribution", "zh": "贡献"},
    "ms_value_level": {"en": "Value level", "zh": "价值等级"},
    "ms_assumed": {"en": "not set: counted as medium (set value_level)", "zh": "未设置：按“中”计（请设置 value_level）"},
    "ms_not_scored": {"en": "Not scored yet: the score needs urgency and cost, set when the record is assessed.",
                      "zh": "尚未评分：得分需要紧急度和成本，在评估时填写。"},
    "ms_score_of": {"en": "{score} of {max}", "zh": "{score} / {max}"},
    "ms_formula": {"en": "Formula", "zh": "公式"},
    "ms_formula_text": {"en": "urgency points × urgency weight + value points × value weight + cost points × cost weight "
                                "+ support points × support weight; "
                                "points: high 3, medium 2, low 1; cost counts inversely (low 3, high 1); "
                                "support points from the number of supporters: none 0, 1–2 1, 3–5 2, 6 or more 3 "
                                "(left out while the support weight is 0, the default). "
                                "Weights are set in site_config/portal.yml (priority.weights).",
                        "zh": "紧急度分值 × 紧急度权重 + 价值分值 × 价值权重 + 成本分值 × 成本权重 + 支持度分值 × 支持度权重；"
                              "分值：高 3、中 2、低 1；成本反向计分（低 3、高 1）；"
                              "支持度分值按支持者人数计：无 0、1–2 人 1、3–5 人 2、6 人及以上 3"
                              "（支持度权重为 0 时不计入，默认为 0）。"
                              "权重在 site_config/portal.yml（priority.weights）中设置。"},
    "ms_support": {"en": "Support (supporters)", "zh": "支持度（支持者人数）"},
    "ms_all_priorities": {"en": "All priorities", "zh": "全部优先级"},
    "ms_metric_charts": {"en": "Metrics against their targets", "zh": "指标与目标对比"},
    "ms_verdict": {"en": "Verdict", "zh": "判定"},
    "ms_achieved": {"en": "achieved", "zh": "已达成"},
    "ms_on_track": {"en": "on track", "zh": "进展正常"},
    "ms_off_track": {"en": "off track", "zh": "偏离计划"},
    "ms_no_data": {"en": "no data", "zh": "无数据"},
    "ms_reason_no_measurements": {"en": "no measurement yet", "zh": "尚无测量值"},
    "ms_reason_no_target": {"en": "no target to compare with", "zh": "没有可对比的目标"},
    "ms_reason_reached": {"en": "the latest measurement reaches the target", "zh": "最新测量值已达到目标"},
    "ms_reason_target_passed": {"en": "the target date has passed without reaching the target",
                                "zh": "目标日期已过但未达到目标"},
    "ms_reason_on_path": {"en": "the latest measurement is on or ahead of the planned path (within the tolerance)",
                          "zh": "最新测量值在计划路径上或优于计划路径（在容差范围内）"},
    "ms_reason_behind_path": {"en": "the latest measurement is behind the planned path by more than the tolerance",
                              "zh": "最新测量值落后于计划路径且超出容差"},
    "ms_reason_no_baseline": {"en": "no baseline to draw the planned path from; on track until the target date",
                              "zh": "没有基线，无法绘制计划路径；目标日期前视为进展正常"},
    "ms_verdict_rule": {"en": "Planned path: a straight line from the baseline to the target. On track: the latest "
                                "measurement is no worse than the path at its date, minus a tolerance of {tolerance} % of "
                                "the planned change (site_config/portal.yml kpi.verdict).",
                        "zh": "计划路径：从基线到目标的直线。进展正常：最新测量值不差于该日期的计划路径值，"
                              "容差为计划变化量的 {tolerance}%（site_config/portal.yml kpi.verdict）。"},
    "ms_better_up": {"en": "higher is better", "zh": "越高越好"},
    "ms_better_down": {"en": "lower is better", "zh": "越低越好"},
    "ms_measurement": {"en": "Measurement", "zh": "测量值"},
    "ms_planned_path": {"en": "Planned path", "zh": "计划路径"},
    "ms_point": {"en": "Point", "zh": "数据点"},
    "ms_values_in_table": {"en": "Every value of this metric (baseline, target and each measurement) is in the "
                                 "Metrics table of this record.",
                           "zh": "该指标的全部数值（基线、目标和每个测量值）见本记录的“指标”表。"},
    "ms_summary": {"en": "{name}: baseline {baseline}, target {target}, latest {latest} ({n} measurements); {better}. "
                         "Verdict: {verdict} — {reason}.",
                   "zh": "{name}：基线 {baseline}，目标 {target}，最新 {latest}（共 {n} 个测量值）；{better}。"
                         "判定：{verdict}——{reason}。"},
    "ms_none": {"en": "none", "zh": "无"},
    "ms_objective_progress": {"en": "Progress of the contributing improvements", "zh": "贡献改进的进展"},
    "ms_objective_summary": {"en": "{n} contributing improvements: {parts}.", "zh": "共 {n} 项贡献改进：{parts}。"},
    "ms_metric_verdicts": {"en": "Their metrics", "zh": "其指标"},
    "ms_count": {"en": "Improvements", "zh": "改进数"},
    "ms_metric": {"en": "Metric", "zh": "指标"},
    "ms_outcome_prefix": {"en": "closed: {outcome}", "zh": "已关闭：{outcome}"},
})


# --- formatting

def num(value: float | None, digits: int = 2) -> str:
    """A number for people: no trailing zeros, "n/a" for None."""
    if value is None:
        return "n/a"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def verdict_label(site: Site, key: str) -> str:
    return site.t(f"ms_{key}")


def verdict_badge(site: Site, v: Verdict) -> str:
    return (f'<span class="cir-verdict cir-verdict--{esc(v.verdict)}" title="{esc(site.t("ms_reason_" + v.reason))}">'
            f"{esc(verdict_label(site, v.verdict))}</span>")


# --- card sections

def card_sections(site: Site, record: Record) -> str:
    """Priority and metric charts on an improvement's card; progress on an objective's card."""
    if isinstance(record, Improvement):
        return priority_section(site, record) + metrics_section(site, record)
    if isinstance(record, Objective):
        return objective_section(site, record)
    return ""


def renders_charts(record: Record) -> bool:
    """Whether the record's card has a chart whose static SVG vl-convert renders (an objective's
    progress; an improvement's metric charts are drawn by hand): such a card is made on the
    build's thread, never in a forked process (views/premade.py), which must not start
    vl-convert's runtime beside the build's nor write the chart cache beside it."""
    return isinstance(record, Objective)


def priority_score(site: Site, imp: Improvement) -> float | None:
    """The record's priority score, None until it is assessed (for the register index)."""
    scored = site.priority(imp)
    return scored.score if scored else None


def priority_expression(site: Site, scored: Priority) -> str:
    """The score as one line of arithmetic: ``2.4 = urgency high (3 × 0.4) + value ... + cost ...``."""
    t = site.t
    names = {"urgency": t("urgency"), "value": t("ms_value_level"), "cost": t("cost"), "support": t("ms_support")}
    parts = []
    for part in scored.parts:
        level = esc(part.level if part.factor == "support" else site.word(part.level)) + ("*" if part.assumed else "")
        parts.append(f'<span class="cir-priority-part">{esc(names[part.factor])} {level} '
                     f"({part.points} × {num(part.weight)} = {num(part.contribution)})</span>")
    return " + ".join(parts)


def priority_section(site: Site, imp: Improvement) -> str:
    """The record's priority score with its breakdown (one line: it is on every record page)."""
    t, src = site.t, imp.src_uri
    scored = site.priority(imp)
    more = link(site.href(src, PRIORITIES_PAGE), t("ms_all_priorities"))
    if scored is None:
        body = f'<p class="cir-priority-none">{esc(t("ms_not_scored"))} {more}</p>'
    else:
        score = t("ms_score_of", score=num(scored.score), max=num(scored.max_score))
        assumed = any(p.assumed for p in scored.parts)
        body = (f'<p class="cir-priority-score"><strong>{esc(score)}</strong> = {priority_expression(site, scored)}</p>'
                + (f'<p class="cir-assumed"><small>* {esc(t("ms_assumed"))}</small></p>' if assumed else "")
                + f'<p class="cir-formula"><small>{esc(t("ms_formula"))}: {esc(t("ms_formula_text"))} {more}</small></p>')
    # data-pagefind-ignore: the same boilerplate on every record would bloat the search index
    return (f'<section class="cir-section cir-priority" data-pagefind-ignore>'
            f'<h2>{esc(t("ms_priority"))}</h2>{body}</section>')


def metrics_section(site: Site, imp: Improvement) -> str:
    if not imp.metrics:
        return ""
    t = site.t
    tolerance = site.config.portal.kpi.verdict_tolerance
    figures = []
    for i, metric in enumerate(imp.metrics):
        series = Series.of(metric)
        v = verdict(series, site.as_of, tolerance)
        figures.append(f'<div class="cir-metric" id="metric-{i + 1}">'
                       f'<p class="cir-metric__verdict">{esc(t("ms_verdict"))}: {verdict_badge(site, v)} '
                       f'<small>{esc(t("ms_reason_" + v.reason))}</small></p>'
                       + metric_chart(site, series, v) + "</div>")
    rule = t("ms_verdict_rule", tolerance=num(tolerance * 100))
    return (f'<section class="cir-section cir-metric-charts" data-pagefind-ignore><h2>{esc(t("ms_metric_charts"))}</h2>'
            f'<p class="cir-formula"><small>{esc(rule)}</small></p>{"".join(figures)}</section>')


# --- one metric: spec, SVG, summary, table

def _series(metric: Metric | Series) -> Series:
    return metric if isinstance(metric, Series) else Series.of(metric)


def _rows(site: Site, s: Series) -> list[dict[str, Any]]:
    """The metric's points as Vega-Lite data rows, by date; ``kind`` is the point's label in
    the site language (Baseline, Measurement, Target: it is what the legend and tooltips show)."""
    t = site.t
    rows = []
    if s.baseline is not None:
        rows.append({"date": s.baseline.date, "value": s.baseline.value, "kind": t("baseline")})
    if s.target is not None:
        rows.append({"date": s.target.date, "value": s.target.value, "kind": t("target")})
    label = t("ms_measurement")
    rows += [{"date": p.date, "value": p.value, "kind": label} for p in s.points]
    rows.sort(key=lambda r: (r["date"], r["kind"] == label))
    return rows


def metric_spec(site: Site, metric: Metric | Series, v: Verdict) -> dict[str, Any]:
    """An interactive Vega-Lite view of the metric: target line, planned path, measurements.

    A plain dict of JSON types (there may be thousands of them), kept
    small: its escaped JSON goes through Markdown's HTML parser on every record page.
    """
    t, s = site.t, _series(metric)
    y_title = s.unit or t("ms_measurement")
    ends = [t("baseline"), t("target")]
    # x and the tooltip belong to the data layers only: the target rule spans the whole width
    # (Vega-Lite has no valid way to drop an inherited x channel in one layer).
    along = {"x": {"field": "date", "type": "temporal", "title": t("date"), "axis": {"format": "%Y-%m-%d"}},
             "tooltip": [{"field": "kind", "title": t("ms_point")},
                         {"field": "date", "type": "temporal", "format": "%Y-%m-%d", "title": t("date")},
                         {"field": "value", "type": "quantitative", "title": y_title}]}
    layers: list[dict[str, Any]] = [
        {"transform": [{"filter": {"field": "kind", "oneOf": ends}}],
         "mark": {"type": "line", "strokeDash": [4, 4], "color": COLOURS["path"]}, "encoding": along},
        {"transform": [{"filter": {"field": "kind", "equal": t("ms_measurement")}}],
         "mark": {"type": "line", "point": True, "color": COLOURS[v.verdict]}, "encoding": along},
        {"transform": [{"filter": {"field": "kind", "oneOf": ends}}],
         "mark": {"type": "point", "filled": True, "size": 90},
         "encoding": {**along,
                      "shape": {"field": "kind", "title": None, "scale": {"domain": ends, "range": ["circle", "diamond"]}},
                      "color": {"field": "kind", "title": None,
                                "scale": {"domain": ends, "range": [COLOURS["baseline"], COLOURS["target"]]}}}},
    ]
    if s.target is not None:
        # one data row of its own: over the metric's rows the same line would be drawn once per row
        layers.insert(0, {"data": {"values": [{}]},
                          "mark": {"type": "rule", "strokeDash": [2, 3], "color": COLOURS["target"]},
                          "encoding": {"y": {"datum": s.target.value}}})
    return {"$schema": VEGA_LITE_SCHEMA, "width": "container", "height": 180, "data": {"values": _rows(site, s)},
            "encoding": {"y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}}},
            "layer": layers, "config": {"legend": {"orient": "bottom"}}}


def _pt(site: Site, p: Point | None) -> str:
    return f"{num(p.value)} ({p.date})" if p else site.t("ms_none")


def metric_summary(site: Site, metric: Metric | Series, v: Verdict) -> str:
    """One sentence that says what the chart shows (its text alternative)."""
    t, s = site.t, _series(metric)

    def with_unit(p: Point | None) -> str:
        return f"{num(p.value)} {s.unit} ({p.date})".replace("  ", " ") if p else t("ms_none")

    return t("ms_summary", name=s.name, baseline=with_unit(s.baseline), target=with_unit(s.target),
             latest=with_unit(v.latest), n=len(s.points),
             better=t("ms_better_down" if s.direction == "decrease" else "ms_better_up"),
             verdict=verdict_label(site, v.verdict), reason=t("ms_reason_" + v.reason))


def metric_chart(site: Site, metric: Metric | Series, v: Verdict) -> str:
    """The metric's figure: interactive view, hand-drawn static SVG and text summary.

    Its data table is the card's metrics table (cards.py: baseline, target, latest and every
    measurement of every metric); the figure points to it rather than repeating it, because
    every tag on a record page is parsed by Markdown and by the search plugin on every build.
    """
    s = _series(metric)
    see = f'<p class="cir-chart__see">{esc(site.t("ms_values_in_table"))}</p>'
    return charts.chart(site, metric_spec(site, s, v), title=s.name, summary=metric_summary(site, s, v),
                        table_html=see, svg=metric_svg(site, s, v))


# --- the hand-written static SVG

_W, _H = 480, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 22, 34


def _f(x: float) -> str:
    """A coordinate with one decimal, deterministic."""
    return f"{x:.1f}"


def _ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def metric_svg(site: Site, metric: Metric | Series, v: Verdict) -> str:
    """The metric as a small static SVG: target line, planned path, baseline and target points,
    measurements coloured by whether they are on the better side of the path; axis labels
    with min/max values and first/last dates. Every text is escaped; output is deterministic.

    Numbers are formatted from floats (``num``, ``_f``) and need no escaping; every string
    from the record (unit, dates, labels) goes through ``esc``.
    """
    t, s = site.t, _series(metric)
    direction, unit = s.direction, s.unit
    baseline, target, pts = s.baseline, s.target, s.points
    every = [p for p in (baseline, target, *pts) if p is not None]
    if not every:
        return ""
    days = [_ordinal(p.date) for p in every]
    d0, d1 = min(days), max(days)
    if d0 == d1:
        d0, d1 = d0 - 15, d1 + 15
    values = [p.value for p in every]
    v0, v1 = min(values), max(values)
    pad = (v1 - v0) * 0.12 or abs(v0) * 0.1 or 1.0
    lo, hi = v0 - pad, v1 + pad
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    x_scale, y_scale = plot_w / (d1 - d0), plot_h / (hi - lo)

    def x(day: str) -> float:
        return _LEFT + (_ordinal(day) - d0) * x_scale

    def y(value: float) -> float:
        return _TOP + (hi - value) * y_scale

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cir-metric-svg" viewBox="0 0 {_W} {_H}" width="{_W}" '
           f'height="{_H}" aria-hidden="true" font-family="sans-serif" font-size="11">']
    bottom, right = _TOP + plot_h, _LEFT + plot_w
    if target is not None:
        # the better side of the target, shaded
        ty = y(target.value)
        band_top, band_h = (_TOP, ty - _TOP) if direction != "decrease" else (ty, bottom - ty)
        out.append(f'<rect class="cir-svg-better" x="{_LEFT}" y="{_f(band_top)}" width="{plot_w}" height="{_f(max(band_h, 0))}" '
                   f'fill="{COLOURS["better"]}" fill-opacity="0.07"/>')
    out.append(f'<path class="cir-svg-axis" d="M{_LEFT} {_TOP}V{_f(bottom)}H{right}" fill="none" stroke="#757575"/>')
    # y axis: min and max values; x axis: first and last dates
    out.append(f'<text x="{_LEFT - 6}" y="{_f(y(v1) + 4)}" text-anchor="end" fill="currentColor">{num(v1)}</text>')
    if v1 != v0:
        out.append(f'<text x="{_LEFT - 6}" y="{_f(y(v0) + 4)}" text-anchor="end" fill="currentColor">{num(v0)}</text>')
    if unit:
        out.append(f'<text x="4" y="{_TOP - 8}" fill="currentColor">{esc(unit)}</text>')
    first, last = date.fromordinal(min(days)).isoformat(), date.fromordinal(max(days)).isoformat()
    out.append(f'<text x="{_LEFT}" y="{_H - 12}" fill="currentColor">{esc(first)}</text>')
    if last != first:
        out.append(f'<text x="{right}" y="{_H - 12}" text-anchor="end" fill="currentColor">{esc(last)}</text>')
    arrow = "↓ " + t("ms_better_down") if direction == "decrease" else "↑ " + t("ms_better_up")
    out.append(f'<text x="{right}" y="{_TOP - 8}" text-anchor="end" fill="{COLOURS["better"]}">{esc(arrow)}</text>')
    if target is not None:
        ty = y(target.value)
        out.append(f'<line class="cir-svg-target" x1="{_LEFT}" y1="{_f(ty)}" x2="{right}" y2="{_f(ty)}" '
                   f'stroke="{COLOURS["target"]}" stroke-dasharray="2 3" stroke-opacity="0.7"/>')
        label = f"{t('target')} {num(target.value)} ({target.date})"
        anchor = "start" if x(target.date) < _LEFT + plot_w / 2 else "end"
        tx = x(target.date) + (6 if anchor == "start" else -6)
        # on the better side of the line when there is room (above for increase, below for decrease)
        below = ty + 13 <= bottom - 2 if direction == "decrease" else ty - 5 < _TOP + 10
        ly = ty + 13 if below else ty - 5
        out.append(f'<text x="{_f(tx)}" y="{_f(ly)}" text-anchor="{anchor}" fill="{COLOURS["target"]}">{esc(label)}</text>')
    if baseline is not None and target is not None:
        out.append(f'<line class="cir-svg-path" x1="{_f(x(baseline.date))}" y1="{_f(y(baseline.value))}" '
                   f'x2="{_f(x(target.date))}" y2="{_f(y(target.value))}" stroke="{COLOURS["path"]}" stroke-dasharray="4 4"/>')
    if pts:
        line = " ".join(f"{_f(x(p.date))},{_f(y(p.value))}" for p in pts)
        out.append(f'<polyline class="cir-svg-measurements" points="{line}" fill="none" stroke="{COLOURS[v.verdict]}" '
                   'stroke-width="2"/>')
        # one path per colour (better or worse than the planned path), not one element per point
        dots: dict[str, list[str]] = {"better": [], "worse": []}
        for p in pts:
            path = s.path(p.date)
            side = "better" if path is None or better(direction, p.value, path) else "worse"
            dots[side].append(f"M{_f(x(p.date) - 3.5)} {_f(y(p.value))}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0")
        for side, d in dots.items():
            if d:
                out.append(f'<path class="cir-svg-{side}" d="{"".join(d)}" fill="{COLOURS[side]}"/>')
    if baseline is not None:
        out.append(f'<circle class="cir-svg-baseline" cx="{_f(x(baseline.date))}" cy="{_f(y(baseline.value))}" r="4.5" '
                   f'fill="{COLOURS["baseline"]}"/>')
    if target is not None:
        cx, cy = x(target.date), y(target.value)
        out.append(f'<path class="cir-svg-target-point" d="M{_f(cx)} {_f(cy - 6)}L{_f(cx + 6)} {_f(cy)}L{_f(cx)} {_f(cy + 6)}'
                   f'L{_f(cx - 6)} {_f(cy)}Z" fill="{COLOURS["target"]}"/>')
    out.append("</svg>")
    return "".join(out)


# --- objectives

def _status_key(site: Site, key: str) -> str:
    if key.startswith("outcome:"):
        return site.t("ms_outcome_prefix", outcome=site.word(key.split(":", 1)[1]))
    return site.status_label(key)


def _order(site: Site) -> list[str]:
    statuses = [k for k in site.config.workflow.order]
    return [*statuses, *(f"outcome:{o}" for o in OUTCOMES)]


#: >= 4.5:1 against the charts' white canvas: the marks stand out (3:1) and white counts inside them are legible
STACK_COLOURS = ("#1565c0", "#4527a0", "#00695c", "#2e7d32", "#8d6e00", "#ad1457", "#455a64", "#c62828", "#6a1b9a",
                 "#5d4037", "#827717", "#00838f")
OUTCOME_COLOURS = {"outcome:achieved": "#2e7d32", "outcome:partially_achieved": "#8d6e00", "outcome:not_achieved": "#c62828"}


def _stack_colour(site: Site, key: str) -> str:
    if key in OUTCOME_COLOURS:
        return OUTCOME_COLOURS[key]
    order = site.config.workflow.order
    return STACK_COLOURS[order.index(key) % len(STACK_COLOURS)] if key in order else "#616161"


def objective_spec(site: Site, counts: dict[str, int]) -> dict[str, Any]:
    """A single stacked bar of the contributing improvements by status, closed ones by outcome."""
    order = [k for k in _order(site) if counts.get(k)]
    labels = [_status_key(site, k) for k in order]
    rows = [{"group": "", "status": _status_key(site, k), "order": i, "n": counts[k]} for i, k in enumerate(order)]
    return charts.spec({
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": 60,
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "n", "type": "quantitative", "stack": "zero", "title": site.t("ms_count"),
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "y": {"field": "group", "type": "nominal", "title": None, "axis": None},
            "color": {"field": "status", "type": "nominal", "title": None, "sort": labels,
                      "scale": {"domain": labels, "range": [_stack_colour(site, k) for k in order]},
                      "legend": {"orient": "bottom"}},
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [{"field": "status", "type": "nominal", "title": site.t("status")},
                        {"field": "n", "type": "quantitative", "title": site.t("ms_count")}],
        },
    })


def objective_svg(site: Site, counts: dict[str, int]) -> str:
    """The stacked bar as a static SVG with a legend below."""
    order = [k for k in _order(site) if counts.get(k)]
    total = sum(counts[k] for k in order)
    if not total:
        return ""
    width, bar_h, left = 480, 28, 8
    rows = (len(order) + 2) // 3
    height = bar_h + 16 + rows * 18 + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cir-objective-svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-hidden="true" font-family="sans-serif" font-size="11">']
    x, scale = float(left), (width - 2 * left) / total
    for k in order:
        w = counts[k] * scale
        out.append(f'<rect x="{_f(x)}" y="4" width="{_f(w)}" height="{bar_h}" fill="{_stack_colour(site, k)}" '
                   f'stroke="#fff"><title>{esc(_status_key(site, k))}: {counts[k]}</title></rect>')
        if w > 14:
            out.append(f'<text x="{_f(x + w / 2)}" y="{_f(4 + bar_h / 2 + 4)}" text-anchor="middle" '
                       f'fill="#fff">{counts[k]}</text>')
        x += w
    for i, k in enumerate(order):
        lx, ly = left + (i % 3) * 156, bar_h + 20 + (i // 3) * 18
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{_stack_colour(site, k)}"/>'
                   f'<text x="{lx + 14}" y="{ly}" fill="currentColor">{esc(_status_key(site, k))} ({counts[k]})</text>')
    out.append("</svg>")
    return "".join(out)


def objective_section(site: Site, obj: Objective) -> str:
    t, src = site.t, obj.src_uri
    counts, verdicts = objective_progress(site.register, obj.id, site.as_of, site.config.portal.kpi.verdict_tolerance)
    if not counts:
        return ""
    order = [k for k in _order(site) if counts.get(k)]
    parts = ", ".join(f"{_status_key(site, k)} {counts[k]}" for k in order)
    summary = t("ms_objective_summary", n=sum(counts.values()), parts=parts)
    data = table([t("status"), t("ms_count")], [[esc(_status_key(site, k)), esc(counts[k])] for k in order])
    figure = charts.chart(site, objective_spec(site, counts), title=t("ms_objective_progress"), summary=summary,
                          table_html=data, svg=objective_svg(site, counts))
    rows = []
    for imp, metric, v in verdicts:
        target = point(metric.target)
        rows.append([site.record_link(src, imp.id, with_title=False), esc(metric.name),
                     esc(_pt(site, v.latest) if v.latest else t("ms_none")), esc(_pt(site, target)),
                     verdict_badge(site, v)])
    tally = ""
    if rows:
        counted = {k: sum(v.verdict == k for _, _, v in verdicts) for k in ("achieved", "on_track", "off_track", "no_data")}
        tally = '<p class="cir-verdict-tally">' + " ".join(
            f'<span class="cir-verdict cir-verdict--{k}">{esc(verdict_label(site, k))} {n}</span>'
            for k, n in counted.items() if n) + "</p>"
    metrics = (f"<h3>{esc(t('ms_metric_verdicts'))}</h3>{tally}"
               + table([t("id"), t("ms_metric"), t("latest"), t("target"), t("ms_verdict")], rows,
                       "cir-table cir-objective-metrics")) if rows else ""
    return (f'<section class="cir-section cir-objective-progress"><h2>{esc(t("ms_objective_progress"))}</h2>'
            f"{figure}{metrics}</section>")
