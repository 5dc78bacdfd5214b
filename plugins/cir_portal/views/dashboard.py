"""The practice dashboard (KPIs with their formulas, adoption, flow, productivity index, areas)
and ``kpis.json``, every figure of the dashboard and the reports, machine-readable.

Every figure comes from ``kpis`` (the site's one ledger); this module only lays it out. The
dashboard's few charts are plain Vega-Lite specs drawn by ``charts`` (vl-convert, cached by
spec hash); the tests validate every spec against the Vega-Lite schema.
"""

from __future__ import annotations

import json
from typing import Any

from cir_portal.core.i18n import register_strings
from cir_portal.core.kpis import COUNTERS, Area, Kpi, Ledger, Stats, months, period
from cir_portal.core.priority import PRIORITY_FORMULA
from cir_portal.views import charts
from cir_portal.views.context import ASSET_DIR, Site, asset_bytes
from cir_portal.views.figures import (
    DASHBOARD_PAGE,
    KPIS_FILE,
    REPORTS_INDEX,
    hidden_note,
    kpi_table,
    kpi_value,
    lesson_dates,
    period_dates,
    section,
    subsection,
)
from cir_portal.views.markup import badge, esc, link, table
from cir_portal.views.metrics import PRIORITIES_PAGE, VEGA_LITE_SCHEMA, num
from cir_portal.views.page import Page

HEADLINE_KPIS = ("success_rate", "partial_rate", "on_time_rate", "on_budget_rate", "negative_outcome_rate",
                 "mean_satisfaction", "mean_cycle_time", "raised_per_month", "productivity_index")
AREA_KINDS = ("practice", "service", "team")

register_strings({
    "ms_dashboard": {"en": "Practice dashboard", "zh": "实践仪表板"},
    "ms_dashboard_intro": {"en": "How well the continual improvement practice works, computed from the register as of {as_of}. "
                                 "Each figure shows its formula and the counts it is computed from; n/a means there is "
                                 "nothing to divide by yet. The same figures are published as {json}.",
                           "zh": "根据截至 {as_of} 的登记册计算的持续改进实践成效。每个数值都给出公式和计算所用的计数；"
                                 "n/a 表示尚无可计算的数据。相同数据以 {json} 发布。"},
    "ms_outcomes": {"en": "Outcomes", "zh": "成果"},
    "ms_productivity": {"en": "Continual improvement productivity index", "zh": "持续改进生产率指数"},
    "ms_productivity_note": {"en": "No public source defines N, C and O of this index: the definitions below are this "
                                   "organisation's, set in site_config/portal.yml (kpi.productivity_index). The dashboard's "
                                   "value covers the {months} months up to {as_of}.",
                             "zh": "公开资料没有定义该指数中的 N、C、O：下列定义是本组织的定义，在 site_config/portal.yml"
                                   "（kpi.productivity_index）中设置。仪表板上的数值覆盖截至 {as_of} 的 {months} 个月。"},
    "ms_letter": {"en": "Letter", "zh": "字母"},
    "ms_counts": {"en": "Counts", "zh": "计数"},
    "ms_count_in_period": {"en": "In the period", "zh": "本期间"},
    "ms_counter_raised": {"en": "improvements raised (recorded) in the period", "zh": "本期间提出（记录）的改进"},
    "ms_counter_approved": {"en": "improvements approved in the period", "zh": "本期间批准的改进"},
    "ms_counter_closed": {"en": "improvements closed with an outcome in the period", "zh": "本期间关闭且有结果的改进"},
    "ms_counter_achieved": {"en": "improvements closed as achieved in the period", "zh": "本期间以“已达成”关闭的改进"},
    "ms_counter_finished": {"en": "improvements that reached any terminal status in the period",
                            "zh": "本期间进入任何终止状态的改进"},
    "ms_counter_open_at_start": {"en": "improvements open at the start of the period", "zh": "期初处于进行中的改进"},
    "ms_counter_open_at_end": {"en": "improvements open at the end of the period", "zh": "期末处于进行中的改进"},
    "ms_index_by_quarter": {"en": "Productivity index by quarter", "zh": "各季度生产率指数"},
    "ms_adoption": {"en": "Adoption", "zh": "采用情况"},
    "ms_raised_per_month": {"en": "Opportunities raised per month", "zh": "每月提出的改进机会"},
    "ms_raised_per_team": {"en": "Raised per team (the requester's team)", "zh": "按团队（请求者所在团队）统计的提出数"},
    "ms_raised_per_source": {"en": "Raised per source", "zh": "按来源统计的提出数"},
    "ms_external": {"en": "external or unlisted requester", "zh": "外部或未登记的请求者"},
    "ms_flow": {"en": "Flow", "zh": "流动"},
    "ms_wip": {"en": "Work in progress per status", "zh": "各状态在制数量"},
    "ms_throughput": {"en": "Throughput per month (records reaching a terminal status)",
                      "zh": "每月吞吐量（进入终止状态的记录）"},
    "ms_cycle_time": {"en": "Time in each status (days, from the records' history)", "zh": "各状态停留时间（天，来自记录历史）"},
    "ms_end_to_end": {"en": "End to end: raised to closed with an outcome", "zh": "端到端：从提出到有结果的关闭"},
    "ms_n": {"en": "n", "zh": "数量"},
    "ms_mean": {"en": "Mean", "zh": "平均"},
    "ms_median": {"en": "Median", "zh": "中位数"},
    "ms_ageing": {"en": "Ageing of open records (days since raised)", "zh": "进行中记录的账龄（自提出起天数）"},
    "ms_age": {"en": "Age", "zh": "账龄"},
    "ms_oldest": {"en": "Oldest open records", "zh": "最早的进行中记录"},
    "ms_areas": {"en": "Areas", "zh": "领域"},
    "ms_area": {"en": "Area", "zh": "领域"},
    "ms_total": {"en": "Total", "zh": "合计"},
    "ms_open": {"en": "Open", "zh": "进行中"},
    "ms_closed": {"en": "Closed", "zh": "已关闭"},
    "ms_achieved_n": {"en": "Achieved", "zh": "已达成"},
    "ms_by_practice": {"en": "By practice", "zh": "按实践"},
    "ms_by_service": {"en": "By service", "zh": "按服务"},
    "ms_by_team": {"en": "By team (the owner's team)", "zh": "按团队（负责人所在团队）"},
    "ms_no_improvements": {"en": "Areas with no improvements", "zh": "没有改进的领域"},
    "ms_too_many": {"en": "Too many open at once (more than {n}, site_config/portal.yml kpi.too_many_open)",
                    "zh": "同时进行过多（超过 {n} 项，site_config/portal.yml kpi.too_many_open）"},
    "ms_too_many_badge": {"en": "too many open", "zh": "进行中过多"},
    "ms_see_also": {"en": "See also", "zh": "另见"},
})


def _stats_row(site: Site, label: str, s: Stats) -> list[str]:
    return [esc(label), esc(s.n), esc(num(s.mean, 1)), esc(num(s.median, 1))]


def bar_spec(rows: list[dict[str, Any]], *, x: str, y: str, x_title: str, y_title: str, colour: str | None = None,
             order: list[str] | None = None, colours: list[str] | None = None, temporal: bool = False) -> dict[str, Any]:
    """A bar chart of ``rows``; ``colour`` stacks the bars by that field; ``order`` is every x value, in order."""
    x_enc: dict[str, Any] = {"field": x, "type": "ordinal", "title": x_title, "axis": {"labelAngle": -45 if temporal else 0}}
    if order is not None:
        x_enc["sort"] = order
        x_enc["scale"] = {"domain": order}
    encoding: dict[str, Any] = {
        "x": x_enc,
        "y": {"field": y, "type": "quantitative", "title": y_title, "axis": {"tickMinStep": 1, "format": "d"}},
        "tooltip": [{"field": x, "type": "ordinal", "title": x_title}, {"field": y, "type": "quantitative", "title": y_title}],
    }
    if colour:
        domain = sorted({str(r[colour]) for r in rows})
        encoding["color"] = {"field": colour, "type": "nominal", "title": None, "legend": {"orient": "bottom"},
                             "scale": {"domain": domain, **({"range": colours[:len(domain)]} if colours else {})}}
        encoding["tooltip"].append({"field": colour, "type": "nominal", "title": None})
    return charts.spec({"$schema": VEGA_LITE_SCHEMA, "width": "container", "height": 200, "data": {"values": rows},
                        "mark": {"type": "bar", "color": "#3f51b5"} if not colour else {"type": "bar"},
                        "encoding": encoding})


def line_spec(rows: list[dict[str, Any]], *, x: str, y: str, x_title: str, y_title: str) -> dict[str, Any]:
    return charts.spec({
        "$schema": VEGA_LITE_SCHEMA, "width": "container", "height": 180, "data": {"values": rows},
        "mark": {"type": "line", "point": True, "color": "#3f51b5"},
        "encoding": {"x": {"field": x, "type": "ordinal", "title": x_title, "axis": {"labelAngle": 0}},
                     "y": {"field": y, "type": "quantitative", "title": y_title},
                     "tooltip": [{"field": x, "type": "ordinal", "title": x_title},
                                 {"field": y, "type": "quantitative", "title": y_title, "format": ".2f"}]},
    })


def pages(site: Site) -> list[Page]:
    return [Page(DASHBOARD_PAGE, site.t("ms_dashboard"), dashboard_page(site, site.ledger))]


def files(site: Site, site_url: str = "") -> dict[str, bytes]:
    """kpis.json at the site root, and the stylesheet of the charts, verdicts and reports (linked on every page)."""
    return {KPIS_FILE: kpis_json(site, site.ledger), f"{ASSET_DIR}/measures.css": asset_bytes("measures.css")}


def dashboard_page(site: Site, ledger: Ledger) -> str:
    t, src = site.t, DASHBOARD_PAGE
    headline = ledger.headline()
    intro = t("ms_dashboard_intro", as_of=site.as_of, json="kpis.json")
    json_link = link(site.file_href(src, KPIS_FILE), "kpis.json")
    intro_html = esc(intro).replace("kpis.json", json_link, 1)
    see_also = " · ".join([link(site.href(src, PRIORITIES_PAGE), t("ms_priorities")),
                           link(site.href(src, REPORTS_INDEX), t("ms_reports"))])
    parts = [
        f"# {t('ms_dashboard')}\n\n<p class=\"cir-asof\">{esc(t('as_of'))} {esc(site.as_of)}</p>\n"
        f"<p class=\"cir-intro\">{intro_html}</p>\n{hidden_note(site)}<p>{esc(t('ms_see_also'))}: {see_also}</p>\n",
        section(t("ms_outcomes"), kpi_table(site, headline, HEADLINE_KPIS)),
        section(t("ms_productivity"), productivity_block(site, ledger, headline["productivity_index"])),
        section(t("ms_adoption"), ""),
        subsection(t("ms_raised_per_month"), raised_per_month_block(site, ledger)),
        subsection(t("ms_raised_per_team"), _count_table(site, t("team"), [
            (t("ms_external") if k == "external" else site.team_name(k), n) for k, n in ledger.raised_per_team().items()])),
        subsection(t("ms_raised_per_source"), _count_table(site, t("source"), [
            (site.label("sources", k), n) for k, n in ledger.raised_per_source().items()])),
        section(t("ms_flow"), ""),
        subsection(t("ms_wip"), wip_block(site, ledger)),
        subsection(t("ms_throughput"), throughput_block(site, ledger)),
        subsection(t("ms_cycle_time"), cycle_block(site, ledger)),
        subsection(t("ms_ageing"), ageing_block(site, ledger)),
        section(t("ms_areas"), ""),
        *(subsection(t(f"ms_by_{kind}"), area_table(site, ledger, kind)) for kind in AREA_KINDS),
        subsection(t("ms_too_many", n=ledger.settings.too_many_open), too_many_block(site, ledger)),
        subsection(t("ms_no_improvements"), no_improvements_block(site, ledger)),
    ]
    return "".join(parts)


def _count_table(site: Site, head: str, rows: list[tuple[str, int]]) -> str:
    if not rows:
        return f"<p>{esc(site.t('none'))}</p>"
    return table([head, site.t("ms_count")], [[esc(label), esc(n)] for label, n in rows])


def productivity_block(site: Site, ledger: Ledger, kpi: Kpi) -> str:
    t = site.t
    definition = ledger.settings.productivity_index
    _, counts = ledger.productivity(kpi.period)
    note = t("ms_productivity_note", months=ledger.settings.index_window_months, as_of=site.as_of)
    letters = table([t("ms_letter"), t("ms_counts"), t("description"), t("ms_count_in_period")],
                    [[f"<strong>{letter}</strong>", f"<code>{esc(definition[letter])}</code>",
                      esc(t(f"ms_counter_{definition[letter]}")), esc(counts[letter])] for letter in ("N", "C", "O")])
    headline = (f'<p class="cir-headline"><strong data-kpi="productivity_index">{esc(kpi_value(site, kpi))}</strong> = '
                f"({counts['N']} + {counts['C']}) / ({counts['O']} + {counts['C']}) · {esc(period_dates(site, kpi.period))}</p>")
    quarters = ledger.report_periods(lesson_dates(site))[1]
    rows: list[list[str]] = []
    data: list[dict[str, Any]] = []
    for key in quarters:
        q = period(key)
        k, c = ledger.productivity(q)
        rows.append([esc(key), esc(c["N"]), esc(c["C"]), esc(c["O"]), esc(kpi_value(site, k))])
        if k.value is not None:
            data.append({"quarter": key, "index": round(k.value, 4)})
    quarter_table = table([t("ms_quarter"), "N", "C", "O", t("ms_value")], rows)
    chart = ""
    if data:
        summary = "; ".join(f"{d['quarter']}: {num(d['index'])}" for d in data)
        chart = charts.chart(site, line_spec(data, x="quarter", y="index", x_title=t("ms_quarter"), y_title="(N + C) / (O + C)"),
                             title=t("ms_index_by_quarter"), summary=summary, table_html=quarter_table)
    return (f'<p class="cir-note">{esc(note)}</p>{headline}{letters}<h3>{esc(t("ms_index_by_quarter"))}</h3>'
            + (chart or quarter_table))


def raised_per_month_block(site: Site, ledger: Ledger) -> str:
    t = site.t
    per_month = ledger.raised_per_month()
    if not per_month:
        return f"<p>{esc(t('none'))}</p>"
    rows = [{"month": m, "n": n} for m, n in per_month.items()]
    data = table([t("ms_month"), t("ms_count")], [[esc(m), esc(n)] for m, n in per_month.items()])
    busiest = max(per_month.items(), key=lambda kv: (kv[1], kv[0]))
    summary = (f"{t('ms_raised_per_month')}: {sum(per_month.values())} / {len(per_month)} "
               f"({next(iter(per_month))} – {next(reversed(per_month))}); max {busiest[1]} ({busiest[0]}).")
    return charts.chart(site, bar_spec(rows, x="month", y="n", x_title=t("ms_month"), y_title=t("ms_count"), temporal=True),
                        title=t("ms_raised_per_month"), summary=summary, table_html=data)


def wip_block(site: Site, ledger: Ledger) -> str:
    t = site.t
    wip = ledger.wip_per_status()
    labels = [site.status_label(k) for k in wip]
    rows = [{"status": site.status_label(k), "n": n} for k, n in wip.items()]
    data = table([t("status"), t("ms_count")], [[site.status_badge(k), esc(n)] for k, n in wip.items()])
    summary = "; ".join(f"{site.status_label(k)} {n}" for k, n in wip.items()) + f" ({t('ms_total')} {sum(wip.values())})"
    return charts.chart(site, bar_spec(rows, x="status", y="n", x_title=t("status"), y_title=t("ms_count"), order=labels),
                        title=t("ms_wip"), summary=summary, table_html=data)


def throughput_block(site: Site, ledger: Ledger) -> str:
    t = site.t
    per_month = ledger.throughput_per_month()
    if not per_month:
        return f"<p>{esc(t('none'))}</p>"
    terminal = [k for k, s in site.config.workflow.statuses.items() if s.terminal]
    used = [k for k in terminal if any(k in row for row in per_month.values())]
    used += sorted({k for row in per_month.values() for k in row} - set(used))
    rows = [{"month": m, "status": site.status_label(k), "n": n} for m, row in per_month.items() for k, n in row.items()]
    every_month = months(next(iter(per_month)), next(reversed(per_month)))
    data = table([t("ms_month"), *(site.status_label(k) for k in used), t("ms_total")],
                 [[esc(m), *(esc(row.get(k, 0)) for k in used), esc(sum(row.values()))] for m, row in per_month.items()])
    total = {k: sum(row.get(k, 0) for row in per_month.values()) for k in used}
    summary = f"{t('ms_throughput')}: " + "; ".join(f"{site.status_label(k)} {n}" for k, n in total.items())
    palette = ["#455a64", "#c62828", "#6a1b9a", "#ef6c00", "#2e7d32", "#1565c0"]
    return charts.chart(site, bar_spec(rows, x="month", y="n", x_title=t("ms_month"), y_title=t("ms_count"), colour="status",
                                       colours=palette, order=every_month, temporal=True),
                        title=t("ms_throughput"), summary=summary, table_html=data)


def cycle_block(site: Site, ledger: Ledger) -> str:
    t = site.t
    rows = [_stats_row(site, site.status_label(k), s) for k, s in ledger.cycle_times().items()]
    rows.append([f"<strong>{esc(t('ms_end_to_end'))}</strong>", *_stats_row(site, "", ledger.end_to_end())[1:]])
    return table([t("status"), t("ms_n"), t("ms_mean"), t("ms_median")], rows)


def ageing_block(site: Site, ledger: Ledger) -> str:
    t, src = site.t, DASHBOARD_PAGE
    buckets = table([t("ms_age"), t("ms_count")],
                    [[esc(site.t("ms_days_unit", n=k)), esc(n)] for k, n in ledger.ageing().items()])
    oldest = ledger.oldest_open()
    rows = [[site.record_link(src, f.imp.id, with_title=False), esc(f.imp.title), site.status_badge(f.imp.status),
             esc(f.raised), esc(days)] for f, days in oldest]
    more = (f"<h4>{esc(t('ms_oldest'))}</h4>"
            + table([t("id"), t("title"), t("status"), t("raised"), t("days")], rows)) if rows else ""
    return buckets + more


def _area_label(site: Site, kind: str, key: str) -> str:
    return site.team_name(key) if kind == "team" else site.affects_label(f"{kind}/{key}")


def _area_link(site: Site, src: str, kind: str, key: str) -> str:
    if kind == "team":
        return site.team_link(src, key) if key in site.config.teams else esc(key)
    return site.affects_link(src, f"{kind}/{key}")


def area_table(site: Site, ledger: Ledger, kind: str) -> str:
    t, src = site.t, DASHBOARD_PAGE
    limit = ledger.settings.too_many_open
    areas: list[Area] = [a for a in ledger.areas(kind).values() if a.total]
    areas.sort(key=lambda a: (-a.total, a.key))
    if not areas:
        return f"<p>{esc(t('none'))}</p>"
    rows = []
    for a in areas:
        flag = " " + badge(t("ms_too_many_badge"), "cir-flag--too-many") if a.open > limit else ""
        rate = "n/a" if a.success_rate is None else f"{num(a.success_rate * 100, 1)} %"
        rows.append([_area_link(site, src, kind, a.key) + flag, esc(a.total), esc(a.open), esc(a.closed), esc(a.achieved),
                     esc(rate)])
    return table([t("ms_area"), t("ms_total"), t("ms_open"), t("ms_closed"), t("ms_achieved_n"), t("ms_kpi_success_rate")],
                 rows)


def too_many_block(site: Site, ledger: Ledger) -> str:
    t, src = site.t, DASHBOARD_PAGE
    items = []
    for kind in AREA_KINDS:
        areas = ledger.areas(kind)
        for key in ledger.areas_with_too_many_open(kind):
            items.append(f"<li>{esc(t(f'ms_by_{kind}'))}: {_area_link(site, src, kind, key)} "
                         f'<span class="cir-n">{areas[key].open}</span></li>')
    return f"<ul>{''.join(items)}</ul>" if items else f"<p>{esc(t('none'))}</p>"


def no_improvements_block(site: Site, ledger: Ledger) -> str:
    t, src = site.t, DASHBOARD_PAGE
    out = []
    for kind in AREA_KINDS:
        keys = ledger.areas_without_improvements(kind)
        body = ", ".join(_area_link(site, src, kind, k) for k in keys) if keys else esc(t("none"))
        out.append(f"<p><strong>{esc(t(f'ms_by_{kind}'))}</strong> <span class=\"cir-n\">{len(keys)}</span>: {body}</p>")
    return "".join(out)


def kpis_json(site: Site, ledger: Ledger) -> bytes:
    """Every figure of the dashboard and the reports, machine-readable; deterministic (sorted keys, as_of from the content)."""
    month_keys, quarter_keys = ledger.report_periods(lesson_dates(site))
    settings = ledger.settings
    _, index_parts = ledger.productivity(ledger.headline()["productivity_index"].period)
    data = {
        "as_of": site.as_of,
        "organisation": site.config.portal.organisation.text(site.lang),
        "definitions": {
            "productivity_index": {"formula": "(N + C) / (O + C)", **{k: {"counts": v, "description": COUNTERS[v]}
                                                                       for k, v in settings.productivity_index.items()},
                                   "window_months": settings.index_window_months,
                                   "source": "site_config/portal.yml kpi.productivity_index (the organisation's definition)"},
            "verdict": {"rule": "linear path from baseline to target; achieved when the latest measurement reaches the "
                                "target; off track when the target date has passed, or the latest measurement is worse "
                                "than the path by more than tolerance x |target - baseline|; no data without measurements "
                                "or target", "tolerance": settings.verdict_tolerance},
            "too_many_open": settings.too_many_open,
            "priority": {"formula": PRIORITY_FORMULA, "weights": dict(site.config.portal.priority_weights)},
        },
        "kpis": {k: v.as_dict() for k, v in ledger.headline().items()},
        "productivity_index_parts": index_parts,
        "adoption": {"raised_per_month": ledger.raised_per_month(), "raised_per_team": ledger.raised_per_team(),
                     "raised_per_source": ledger.raised_per_source()},
        "flow": {"wip_per_status": ledger.wip_per_status(), "throughput_per_month": ledger.throughput_per_month(),
                 "days_in_status": {k: s.as_dict() for k, s in ledger.cycle_times().items()},
                 "end_to_end_days": ledger.end_to_end().as_dict(), "ageing_days": ledger.ageing()},
        "breakdowns": {kind: {k: a.as_dict() for k, a in ledger.areas(kind).items() if a.total} for kind in AREA_KINDS},
        "areas_without_improvements": {kind: ledger.areas_without_improvements(kind) for kind in AREA_KINDS},
        "areas_with_too_many_open": {kind: ledger.areas_with_too_many_open(kind) for kind in AREA_KINDS},
        "periods": {key: {k: v.as_dict() for k, v in ledger.period_kpis(period(key)).items()}
                    for key in [*month_keys, *quarter_keys]},
    }
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")

