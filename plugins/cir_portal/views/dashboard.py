"""The practice's measured improvement, as pages: the dashboard (KPIs with their formulas,
adoption, flow, productivity index, areas), the priorities page (ranking, value-vs-cost
matrix, escalations), a report per month and per quarter that has data, and ``kpis.json``.

Every figure comes from ``kpis``; this module only lays it out. The dashboard's few charts
are rendered by ``charts`` (vl-convert, cached by spec hash); reports are tables, so they
print well and cost nothing to build.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from cir_portal.core.i18n import register_strings
from cir_portal.core.kpis import (
    COUNTERS,
    LEVELS,
    PRIORITY_FORMULA,
    Area,
    Kpi,
    Ledger,
    Period,
    Stats,
    months,
    period,
    previous,
    quick_win,
)
from cir_portal.core.model import Improvement, Lesson
from cir_portal.views import charts
from cir_portal.views.context import ASSET_DIR, LISTING, Site, asset_bytes
from cir_portal.views.markup import badge, css_string, esc, link, table
from cir_portal.views.metrics import PRIORITIES_PAGE, VEGA_LITE_SCHEMA, num
from cir_portal.views.page import Page

DASHBOARD_PAGE = "dashboard.md"
REPORTS_INDEX = "reports/index.md"
KPIS_FILE = "kpis.json"
#: the KPIs of a period, in the order the dashboard and reports show them
PERIOD_KPIS = ("raised", "approved", "closed", "finished", "success_rate", "partial_rate", "on_time_rate",
               "on_budget_rate", "negative_outcome_rate", "mean_satisfaction", "mean_cycle_time", "productivity_index")
HEADLINE_KPIS = ("success_rate", "partial_rate", "on_time_rate", "on_budget_rate", "negative_outcome_rate",
                 "mean_satisfaction", "mean_cycle_time", "raised_per_month", "productivity_index")
AREA_KINDS = ("practice", "service", "team")

register_strings({
    "ms_dashboard": {"en": "Practice dashboard", "zh": "实践仪表板"},
    "ms_priorities": {"en": "Priorities", "zh": "优先级"},
    "ms_reports": {"en": "Periodic reports", "zh": "定期报告"},
    "ms_dashboard_intro": {"en": "How well the continual improvement practice works, computed from the register as of {as_of}. "
                                 "Each figure shows its formula and the counts it is computed from; n/a means there is "
                                 "nothing to divide by yet. The same figures are published as {json}.",
                           "zh": "根据截至 {as_of} 的登记册计算的持续改进实践成效。每个数值都给出公式和计算所用的计数；"
                                 "n/a 表示尚无可计算的数据。相同数据以 {json} 发布。"},
    "ms_hidden": {"en": "This site is published for the {audience} audience: {n} record(s) of the register are not "
                        "shown to it, and every figure here is computed without them.",
                  "zh": "本站面向“{audience}”受众发布：登记册中有 {n} 条记录不向该受众展示，本页所有数值均不含这些记录。"},
    "ms_outcomes": {"en": "Outcomes", "zh": "成果"},
    "ms_kpi": {"en": "KPI", "zh": "指标"},
    "ms_value": {"en": "Value", "zh": "数值"},
    "ms_fraction": {"en": "Numerator / denominator", "zh": "分子 / 分母"},
    "ms_period": {"en": "Period", "zh": "期间"},
    "ms_kpi_success_rate": {"en": "Success rate", "zh": "成功率"},
    "ms_kpi_partial_rate": {"en": "Partially achieved", "zh": "部分达成率"},
    "ms_kpi_on_time_rate": {"en": "On time", "zh": "按时完成率"},
    "ms_kpi_on_budget_rate": {"en": "On budget", "zh": "预算内完成率"},
    "ms_kpi_negative_outcome_rate": {"en": "Negative outcomes", "zh": "负面结果率"},
    "ms_kpi_mean_satisfaction": {"en": "Stakeholder satisfaction (mean, 1-5)", "zh": "相关方满意度（平均，1-5）"},
    "ms_kpi_mean_cycle_time": {"en": "Cycle time, raised to closed (mean)", "zh": "周期时间：提出到关闭（平均）"},
    "ms_kpi_raised_per_month": {"en": "Opportunities raised per month", "zh": "每月提出的改进机会"},
    "ms_kpi_productivity_index": {"en": "Productivity index (N + C) / (O + C)", "zh": "生产率指数 (N + C) / (O + C)"},
    "ms_kpi_raised": {"en": "Raised", "zh": "提出"},
    "ms_kpi_approved": {"en": "Approved", "zh": "批准"},
    "ms_kpi_closed": {"en": "Closed with an outcome", "zh": "关闭（有结果）"},
    "ms_kpi_finished": {"en": "Finished (any terminal status)", "zh": "结束（任何终止状态）"},
    "ms_f_success_rate": {"en": "closed with outcome achieved / all closed with an outcome",
                          "zh": "结果为“已达成”的关闭记录 / 全部有结果的关闭记录"},
    "ms_f_partial_rate": {"en": "closed with outcome partially achieved / all closed with an outcome (counted separately)",
                          "zh": "结果为“部分达成”的关闭记录 / 全部有结果的关闭记录（单独统计）"},
    "ms_f_on_time_rate": {"en": "closed on or before target_date / closed with an outcome and a target_date",
                          "zh": "在 target_date 当日或之前关闭 / 有结果且有 target_date 的关闭记录"},
    "ms_f_on_budget_rate": {"en": "actual_cost ≤ planned_cost / closed with an outcome and both costs",
                            "zh": "actual_cost ≤ planned_cost / 有结果且两项成本都填写的关闭记录"},
    "ms_f_negative_outcome_rate": {"en": "closed with negative_outcome: true / all closed with an outcome",
                                   "zh": "negative_outcome 为 true 的关闭记录 / 全部有结果的关闭记录"},
    "ms_f_mean_satisfaction": {"en": "sum of satisfaction / closed with an outcome and a satisfaction score",
                               "zh": "满意度之和 / 有结果且有满意度评分的关闭记录"},
    "ms_f_mean_cycle_time": {"en": "sum of days from raised to closed_on / closed with an outcome",
                             "zh": "从提出到 closed_on 的天数之和 / 有结果的关闭记录"},
    "ms_f_raised_per_month": {"en": "improvements raised / months from the first record to the as-of date",
                              "zh": "提出的改进数 / 从第一条记录到截至日期的月数"},
    "ms_f_productivity_index": {"en": "(N + C) / (O + C), N, C and O as defined below",
                                "zh": "(N + C) / (O + C)，N、C、O 的定义见下"},
    "ms_f_count": {"en": "count", "zh": "计数"},
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
    "ms_quarter": {"en": "Quarter", "zh": "季度"},
    "ms_month": {"en": "Month", "zh": "月份"},
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
    "ms_days_unit": {"en": "{n} days", "zh": "{n} 天"},
    "ms_priorities_intro": {"en": "Open improvements ranked by a transparent priority score, applied to every record alike. "
                                  "Disputed or unclear priorities are escalated to the governance board.",
                            "zh": "进行中的改进按透明的优先级得分排序，所有记录适用同一规则。"
                                  "有争议或不明确的优先级上报治理委员会。"},
    "ms_weights": {"en": "Weights", "zh": "权重"},
    "ms_matrix": {"en": "Value versus cost", "zh": "价值与成本矩阵"},
    "ms_matrix_note": {"en": "Open improvements by value level (value_level) and cost; the quick-win quadrant is "
                             "low cost with high value. Records without a cost (not yet assessed) are not placed.",
                       "zh": "进行中的改进按价值等级（value_level）和成本分布；“快速见效”象限为低成本、高价值。"
                             "尚无成本（未评估）的记录不在矩阵中。"},
    "ms_quick_wins": {"en": "Quick wins", "zh": "快速见效"},
    "ms_quick_win": {"en": "quick win", "zh": "快速见效"},
    "ms_value_unset": {"en": "value level not set", "zh": "未设置价值等级"},
    "ms_escalated_open": {"en": "Escalated to the governance board", "zh": "已上报治理委员会"},
    "ms_ranking": {"en": "Ranking of open improvements", "zh": "进行中改进的排名"},
    "ms_rank": {"en": "Rank", "zh": "排名"},
    "ms_flags": {"en": "Flags", "zh": "标记"},
    "ms_unscored": {"en": "not scored", "zh": "未评分"},
    "ms_matrix_summary": {"en": "{n} open improvements; {q} quick wins (low cost, high value); {u} without a value level.",
                          "zh": "共 {n} 项进行中改进；{q} 项快速见效（低成本、高价值）；{u} 项未设置价值等级。"},
    "ms_reports_intro": {"en": "A report for every month and quarter with activity in the register: what was raised, "
                               "approved and closed, the lessons captured and the KPIs of the period against the previous one.",
                         "zh": "登记册中有活动的每个月和每个季度各有一份报告：提出、批准和关闭的改进，记录的经验教训，"
                               "以及本期与上期的关键指标对比。"},
    "ms_quarters": {"en": "Quarterly reports", "zh": "季度报告"},
    "ms_months": {"en": "Monthly reports", "zh": "月度报告"},
    "ms_report_title": {"en": "Continual improvement report {period}", "zh": "持续改进报告 {period}"},
    "ms_report_period": {"en": "{start} to {end}", "zh": "{start} 至 {end}"},
    "ms_in_progress_period": {"en": "The period is not over: figures as of {as_of}.", "zh": "本期间尚未结束：数据截至 {as_of}。"},
    "ms_this_period": {"en": "This period", "zh": "本期"},
    "ms_previous_period": {"en": "Previous period ({period})", "zh": "上期（{period}）"},
    "ms_change": {"en": "Change", "zh": "变化"},
    "ms_raised_in": {"en": "Raised", "zh": "提出的改进"},
    "ms_approved_in": {"en": "Approved", "zh": "批准的改进"},
    "ms_closed_in": {"en": "Closed, with their outcomes", "zh": "关闭的改进及其结果"},
    "ms_other_finished": {"en": "Rejected, deferred or cancelled", "zh": "拒绝、推迟或取消"},
    "ms_lessons_in": {"en": "Lessons captured", "zh": "记录的经验教训"},
    "ms_on_time": {"en": "On time", "zh": "按时"},
    "ms_on_budget": {"en": "On budget", "zh": "预算内"},
    "ms_yes": {"en": "yes", "zh": "是"},
    "ms_no": {"en": "no", "zh": "否"},
    "ms_status_now": {"en": "Status now", "zh": "当前状态"},
    "ms_previous_report": {"en": "Previous report", "zh": "上一份报告"},
    "ms_next_report": {"en": "Next report", "zh": "下一份报告"},
    "ms_pp": {"en": "pp", "zh": "个百分点"},
    "ms_see_also": {"en": "See also", "zh": "另见"},
})


# --- formatting

def kpi_value(site: Site, kpi: Kpi) -> str:
    """A KPI's value for people: % for ratios, days, score of 5; "n/a" when it cannot be computed."""
    if kpi.value is None:
        return "n/a"
    if kpi.unit == "ratio":
        return f"{num(kpi.value * 100, 1)} %"
    if kpi.unit == "days":
        return site.t("ms_days_unit", n=num(kpi.value, 1))
    if kpi.unit == "score":
        return f"{num(kpi.value)} / 5"
    return num(kpi.value)


def kpi_fraction(kpi: Kpi) -> str:
    if kpi.denominator is None:
        return num(kpi.numerator)
    return f"{num(kpi.numerator)} / {num(kpi.denominator)}"


def kpi_formula(site: Site, kpi: Kpi) -> str:
    key = f"ms_f_{kpi.key}"
    text = site.t(key)
    return text if text != key else site.t("ms_f_count")


def kpi_change(site: Site, now: Kpi, before: Kpi) -> str:
    """The change from the previous period: percentage points for ratios, plain difference otherwise."""
    if now.value is None or before.value is None:
        return "n/a"
    delta = now.value - before.value
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
    if now.unit == "ratio":
        return f"{arrow} {num(abs(delta) * 100, 1)} {site.t('ms_pp')}" if delta else "="
    return f"{arrow} {num(abs(delta), 2)}" if delta else "="


def _period_text(site: Site, p: Period) -> str:
    return site.t("ms_report_period", start=p.start, end=p.end)


def kpi_table(site: Site, kpis: dict[str, Kpi], keys: tuple[str, ...]) -> str:
    t = site.t
    rows = [[esc(t(f"ms_kpi_{k}")), f'<strong data-kpi="{esc(k)}">{esc(kpi_value(site, kpis[k]))}</strong>',
             esc(kpi_fraction(kpis[k])), f"<small>{esc(kpi_formula(site, kpis[k]))}</small>",
             esc(_period_text(site, kpis[k].period))] for k in keys]
    return table([t("ms_kpi"), t("ms_value"), t("ms_fraction"), t("ms_formula"), t("ms_period")], rows, "cir-table cir-kpis")


def _stats_row(site: Site, label: str, s: Stats) -> list[str]:
    return [esc(label), esc(s.n), esc(num(s.mean, 1)), esc(num(s.median, 1))]


# --- chart specs (plain Vega-Lite dicts, see charts.py)

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


# --- the dashboard

def pages(site: Site) -> list[Page]:
    return [make() for make in page_makers(site).values()]


def page_makers(site: Site) -> dict[str, Callable[[], Page]]:
    """The dashboard, the priorities, every report and their index, each as the function that
    writes it (the live preview calls only those whose inputs changed: views/preview.py)."""
    t = site.t
    makers: dict[str, Callable[[], Page]] = {
        DASHBOARD_PAGE: lambda: Page(DASHBOARD_PAGE, t("ms_dashboard"), dashboard_page(site, site.ledger)),
        PRIORITIES_PAGE: lambda: Page(PRIORITIES_PAGE, t("ms_priorities"), priorities_page(site, site.ledger),
                                      meta=LISTING),
    }
    month_keys, quarter_keys = report_periods(site)
    for key in (*month_keys, *quarter_keys):
        makers[report_src(key)] = partial(_report_page, site, key)
    makers[REPORTS_INDEX] = lambda: Page(REPORTS_INDEX, t("ms_reports"),
                                         reports_index(site, site.ledger, *report_periods(site)))
    return makers


def report_periods(site: Site) -> tuple[list[str], list[str]]:
    """The months and quarters that have a report (something happened in them), oldest first."""
    return site.shared("report-periods", lambda s: s.ledger.report_periods(_lesson_dates(s)))


def _report_page(site: Site, key: str) -> Page:
    month_keys, quarter_keys = report_periods(site)
    keys = quarter_keys if "-Q" in key else month_keys
    i = keys.index(key)
    content = report_page(site, site.ledger, key, keys[i - 1] if i else None, keys[i + 1] if i + 1 < len(keys) else None)
    return Page(report_src(key), site.t("ms_report_title", period=key), content, meta=LISTING)


def files(site: Site, site_url: str = "") -> dict[str, bytes]:
    """kpis.json at the site root, and the stylesheet of the charts, verdicts and reports (linked on every page)."""
    return {KPIS_FILE: kpis_json(site, site.ledger),
            f"{ASSET_DIR}/measures.css": asset_bytes("measures.css")}


def _section(title: str, body: str) -> str:
    """A Markdown heading (so it is in the page's table of contents) and an HTML block."""
    return f"\n## {title}\n\n<div class=\"cir-measures\">{body}</div>\n"


def _sub(title: str, body: str) -> str:
    return f"\n### {title}\n\n<div class=\"cir-measures\">{body}</div>\n"


def hidden_note(site: Site) -> str:
    """How many records this build's audience does not see ("" when it sees every record)."""
    register = site.register
    if not register.hidden:
        return ""
    audience = site.t(f"audience_{register.audience}")
    return f'<p class="cir-hidden-note">{esc(site.t("ms_hidden", audience=audience, n=register.hidden))}</p>\n'


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
        _section(t("ms_outcomes"), kpi_table(site, headline, HEADLINE_KPIS)),
        _section(t("ms_productivity"), productivity_block(site, ledger, headline["productivity_index"])),
        _section(t("ms_adoption"), ""),
        _sub(t("ms_raised_per_month"), raised_per_month_block(site, ledger)),
        _sub(t("ms_raised_per_team"), _count_table(site, t("team"), [
            (t("ms_external") if k == "external" else site.team_name(k), n) for k, n in ledger.raised_per_team().items()])),
        _sub(t("ms_raised_per_source"), _count_table(site, t("source"), [
            (site.label("sources", k), n) for k, n in ledger.raised_per_source().items()])),
        _section(t("ms_flow"), ""),
        _sub(t("ms_wip"), wip_block(site, ledger)),
        _sub(t("ms_throughput"), throughput_block(site, ledger)),
        _sub(t("ms_cycle_time"), cycle_block(site, ledger)),
        _sub(t("ms_ageing"), ageing_block(site, ledger)),
        _section(t("ms_areas"), ""),
        *(_sub(t(f"ms_by_{kind}"), area_table(site, ledger, kind)) for kind in AREA_KINDS),
        _sub(t("ms_too_many", n=ledger.settings.too_many_open), too_many_block(site, ledger)),
        _sub(t("ms_no_improvements"), no_improvements_block(site, ledger)),
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
                f"({counts['N']} + {counts['C']}) / ({counts['O']} + {counts['C']}) · {esc(_period_text(site, kpi.period))}</p>")
    quarters = ledger.report_periods(_lesson_dates(site))[1]
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


# --- priorities

def priorities_page(site: Site, ledger: Ledger) -> str:
    t, src = site.t, PRIORITIES_PAGE
    weights = site.config.portal.priority_weights
    open_imps = [f.imp for f in ledger.open()]
    scored = [(imp, site.priority(imp)) for imp in open_imps]
    scored.sort(key=lambda pair: (-(pair[1].score if pair[1] else -1), pair[0].id))
    weights_table = table([t("ms_factor"), t("ms_weight")],
                          [[esc(t("urgency")), esc(num(weights.get("urgency", 0)))],
                           [esc(t("ms_value_level")), esc(num(weights.get("value", 0)))],
                           [esc(t("cost")), esc(num(weights.get("cost", 0)))],
                           [esc(t("ms_support")), esc(num(weights.get("support", 0)))]])
    formula = f'<p class="cir-formula">{esc(t("ms_formula"))}: {esc(t("ms_formula_text"))}</p>{weights_table}'
    escalated = [imp for imp in open_imps if imp.escalated]
    esc_rows = [[badge(t("escalated"), "cir-flag--escalated"), site.record_link(src, i.id, with_title=False), esc(i.title),
                 site.status_badge(i.status), site.person_link(src, i.owner or i.requester)] for i in escalated]
    escalated_html = (table([t("ms_flags"), t("id"), t("title"), t("status"), t("owner")], esc_rows)
                      if esc_rows else f"<p>{esc(t('none'))}</p>")
    rank_rows = []
    for n, (imp, p) in enumerate(scored, 1):
        flags = []
        if imp.escalated:
            flags.append(badge(t("escalated"), "cir-flag--escalated"))
        if quick_win(imp):
            flags.append(badge(t("ms_quick_win"), "cir-flag--quick-win"))
        # the breakdown as plain text (one cell, no tags: this table lists every open record)
        terms = " + ".join(f"{q.points}×{num(q.weight)}{'*' if q.assumed else ''}" for q in p.parts) if p else ""
        score = f"<strong>{esc(num(p.score))}</strong> <small>= {esc(terms)}</small>" if p else esc(t("ms_unscored"))
        rank_rows.append([esc(n) if p else "", site.record_link(src, imp.id), site.status_badge(imp.status),
                          esc(site.word(imp.urgency) if imp.urgency else ""),
                          esc(site.word(imp.value_level) if imp.value_level else ""),
                          esc(site.word(imp.cost) if imp.cost else ""),
                          esc(len(imp.supporters) or ""), score, " ".join(flags)])
    ranking = (table([t("ms_rank"), t("improvement"), t("status"), t("urgency"), t("ms_value_level"), t("cost"),
                      t("supporters"), t("ms_priority_score"), t("ms_flags")], rank_rows, "cir-table cir-priority-ranking")
               + f'<p class="cir-note">* {esc(t("ms_assumed"))}</p>')
    return (f"# {t('ms_priorities')}\n\n<p class=\"cir-asof\">{esc(t('as_of'))} {esc(site.as_of)}</p>\n"
            f"<p class=\"cir-intro\">{esc(t('ms_priorities_intro'))}</p>\n"
            + _section(t("ms_formula"), formula)
            + _section(t("ms_matrix"), matrix_block(site, open_imps))
            + _section(t("ms_escalated_open"), escalated_html)
            + _section(t("ms_ranking"), ranking))


def matrix_cells(imps: list[Improvement]) -> dict[tuple[str, str], list[Improvement]]:
    """Open improvements by (value level or "unset", cost level); improvements without a cost are left out."""
    cells: dict[tuple[str, str], list[Improvement]] = {}
    for imp in imps:
        cost = imp.cost
        if cost not in LEVELS:
            continue
        value = imp.value_level if imp.value_level in LEVELS else "unset"
        cells.setdefault((str(value), str(cost)), []).append(imp)
    return cells


def matrix_block(site: Site, imps: list[Improvement]) -> str:
    t, src = site.t, PRIORITIES_PAGE
    cells = matrix_cells(imps)
    costs = ["low", "medium", "high"]
    values = ["high", "medium", "low", "unset"]

    def vlabel(v: str) -> str:
        return t("ms_value_unset") if v == "unset" else site.word(v)

    rows = []
    for v in values:
        row = [f"<strong>{esc(vlabel(v))}</strong>"]
        for c in costs:
            members = cells.get((v, c), [])
            links = "<br>".join(site.record_link(src, i.id) for i in members)
            cls = ' class="cir-quick-win"' if (v, c) == ("high", "low") else ""
            label = f'<span class="cir-quick-win__label">{esc(t("ms_quick_wins"))}</span><br>' if cls else ""
            row.append(f"<div{cls}>{label}{links}</div>")
        rows.append(row)
    grid = table([f"{t('ms_value_level')} \\ {t('cost')}", *(site.word(c) for c in costs)], rows, "cir-table cir-matrix")
    data = [{"value": vlabel(v), "cost": site.word(c), "n": len(cells.get((v, c), [])),
             "ids": ", ".join(i.id for i in cells.get((v, c), [])),
             "quick": (v, c) == ("high", "low")} for v in values for c in costs]
    total = sum(len(m) for m in cells.values())
    quick = len(cells.get(("high", "low"), []))
    unset = sum(len(cells.get(("unset", c), [])) for c in costs)
    summary = t("ms_matrix_summary", n=total, q=quick, u=unset)
    spec = charts.spec({
        "$schema": VEGA_LITE_SCHEMA, "width": "container", "height": 220, "data": {"values": data},
        "encoding": {"x": {"field": "cost", "type": "ordinal", "title": t("cost"), "sort": [site.word(c) for c in costs],
                           "axis": {"labelAngle": 0}},
                     "y": {"field": "value", "type": "ordinal", "title": t("ms_value_level"),
                           "sort": [vlabel(v) for v in values]}},
        "layer": [
            {"mark": {"type": "rect", "stroke": "#757575"},
             "encoding": {"color": {"field": "quick", "type": "nominal", "legend": None,
                                    "scale": {"domain": [False, True], "range": ["#f5f5f5", "#c8e6c9"]}},
                          "tooltip": [{"field": "value", "type": "ordinal", "title": t("ms_value_level")},
                                      {"field": "cost", "type": "ordinal", "title": t("cost")},
                                      {"field": "n", "type": "quantitative", "title": t("ms_count")},
                                      {"field": "ids", "type": "nominal", "title": t("id")}]}},
            {"mark": {"type": "text", "fontSize": 16, "color": "#212121"},
             "encoding": {"text": {"field": "n", "type": "quantitative"}}},
        ],
    })
    counts = table([t("ms_value_level"), t("cost"), t("ms_count")],
                   [[esc(d["value"]), esc(d["cost"]), esc(d["n"])] for d in data])
    note = f'<p class="cir-note">{esc(t("ms_matrix_note"))}</p>'
    return note + charts.chart(site, spec, title=t("ms_matrix"), summary=summary, table_html=counts) + grid


# --- periodic reports

def _lesson_dates(site: Site) -> list[str]:
    return [str(lesson.date) for lesson in site.register.lessons if lesson.date]


def _satisfaction(value: Any) -> str:
    return f"{num(float(value))} / 5" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def report_src(key: str) -> str:
    return f"reports/{key}.md"


def report_pages(site: Site, ledger: Ledger) -> list[Page]:
    """reports/index.md and one page per month and quarter that has data."""
    month_keys, quarter_keys = report_periods(site)
    out = [_report_page(site, key) for key in (*month_keys, *quarter_keys)]
    out.append(Page(REPORTS_INDEX, site.t("ms_reports"), reports_index(site, ledger, month_keys, quarter_keys)))
    return out


def reports_index(site: Site, ledger: Ledger, month_keys: list[str], quarter_keys: list[str]) -> str:
    t, src = site.t, REPORTS_INDEX

    def listing(keys: list[str], head: str) -> str:
        rows = []
        for key in reversed(keys):
            k = ledger.period_kpis(period(key))
            rows.append([link(site.href(src, report_src(key)), key), esc(k["raised"].value), esc(k["approved"].value),
                         esc(k["closed"].value), esc(kpi_value(site, k["success_rate"]))])
        return table([head, t("ms_kpi_raised"), t("ms_kpi_approved"), t("ms_kpi_closed"), t("ms_kpi_success_rate")], rows)

    body = (f"# {t('ms_reports')}\n\n<p class=\"cir-intro\">{esc(t('ms_reports_intro'))}</p>\n"
            + _section(t("ms_quarters"), listing(quarter_keys, t("ms_quarter")) if quarter_keys else f"<p>{esc(t('none'))}</p>")
            + _section(t("ms_months"), listing(month_keys, t("ms_month")) if month_keys else f"<p>{esc(t('none'))}</p>"))
    return body


def report_page(site: Site, ledger: Ledger, key: str, before: str | None, after: str | None) -> str:
    t, src = site.t, report_src(key)
    p = period(key)
    prev = previous(p)
    now_k, prev_k = ledger.period_kpis(p), ledger.period_kpis(prev)
    org = site.config.portal.organisation.text(site.lang)
    rows = [[esc(t(f"ms_kpi_{k}")), f'<strong data-kpi="{esc(k)}">{esc(kpi_value(site, now_k[k]))}</strong>',
             esc(kpi_fraction(now_k[k])), esc(kpi_value(site, prev_k[k])), esc(kpi_change(site, now_k[k], prev_k[k]))]
            for k in PERIOD_KPIS]
    kpi_html = table([t("ms_kpi"), t("ms_this_period"), t("ms_fraction"), t("ms_previous_period", period=prev.key),
                      t("ms_change")], rows, "cir-table cir-kpis")

    def listing(items: list[Improvement], extra_head: list[str], extra: Any) -> str:
        if not items:
            return f"<p>{esc(t('none'))}</p>"
        body = [[site.record_link(src, i.id), *extra(i), site.status_badge(i.status)] for i in sorted(items, key=lambda i: i.id)]
        return table([t("improvement"), *extra_head, t("ms_status_now")], body)

    raised = [f.imp for f in ledger.happened_in("raised", p)]
    approved = [f.imp for f in ledger.happened_in("approved", p)]
    closed = ledger.happened_in("closed", p)
    others = [f.imp for f in ledger.happened_in("finished", p) if not f.outcome]

    def yes_no(flag: bool | None) -> str:
        return "" if flag is None else t("ms_yes") if flag else t("ms_no")

    closed_rows = []
    for f in sorted(closed, key=lambda f: f.imp.id):
        imp = f.imp
        target = imp.target_date
        planned, actual = imp.planned_cost, imp.actual_cost
        on_budget = None if planned is None or actual is None else actual <= planned
        closed_rows.append([site.record_link(src, imp.id), esc(f.closed),
                            esc(site.word(str(f.outcome))), esc(yes_no(None if not target else str(f.closed) <= str(target))),
                            esc(yes_no(on_budget)),
                            esc(_satisfaction(imp.satisfaction))])
    closed_html = (table([t("improvement"), t("closed_on"), t("outcome"), t("ms_on_time"), t("ms_on_budget"),
                          t("satisfaction")], closed_rows) if closed_rows else f"<p>{esc(t('none'))}</p>")
    lessons: list[Lesson] = sorted((lesson for lesson in site.register.lessons if p.contains(str(lesson.date or ""))),
                                   key=lambda lesson: lesson.id)
    lesson_html = (table([t("lesson"), t("kind"), t("improvements")],
                         [[site.record_link(src, lesson.id),
                           esc(site.word(lesson.lesson_kind) if lesson.lesson_kind else ""),
                           ", ".join(site.record_link(src, i, with_title=False) for i in lesson.improvements)]
                          for lesson in lessons]) if lessons else f"<p>{esc(t('none'))}</p>")
    nav = []
    if before:
        nav.append(link(site.href(src, report_src(before)), f"← {t('ms_previous_report')} ({before})"))
    nav.append(link(site.href(src, REPORTS_INDEX), t("ms_reports")))
    if after:
        nav.append(link(site.href(src, report_src(after)), f"{t('ms_next_report')} ({after}) →"))
    ongoing = (f'<p class="cir-note">{esc(t("ms_in_progress_period", as_of=site.as_of))}</p>'
               if p.end > site.as_of else "")
    head = (f"# {t('ms_report_title', period=key)}\n\n"
            f'<p class="cir-report-meta"><strong>{esc(org)}</strong> · {esc(_period_text(site, p))} · '
            f"{esc(t('as_of'))} {esc(site.as_of)}</p>\n{ongoing}\n"
            f'<nav class="cir-report-nav">{" · ".join(nav)}</nav>\n\n'
            f"{print_setup(site, t('ms_report_title', period=key), _period_text(site, p))}\n")
    return (head
            + _section(t("ms_kpi"), f'<div class="cir-report-summary">{kpi_html}</div>')
            + _section(f"{t('ms_raised_in')} ({len(raised)})",
                       listing(raised, [t("source"), t("requester")],
                               lambda i: [esc(site.label("sources", (i.source or ""))),
                                          site.person_link(src, i.requester)]))
            + _section(f"{t('ms_approved_in')} ({len(approved)})",
                       listing(approved, [t("owner"), t("target_date")],
                               lambda i: [site.person_link(src, i.owner), esc(i.target_date or "")]))
            + _section(f"{t('ms_closed_in')} ({len(closed)})", closed_html)
            + _section(f"{t('ms_other_finished')} ({len(others)})",
                       listing(others, [t("reason")], lambda i: [esc(i.reason or "")]))
            + _section(f"{t('ms_lessons_in')} ({len(lessons)})", lesson_html))


def print_setup(site: Site, title: str, period_text: str) -> str:
    """The report's printed pages: A4, the organisation and report title in the top margin of
    every page, the period on the right, page numbers below (CSS page-margin boxes; the rest
    of the print stylesheet is measures.css). Inline, because the text is the report's own."""
    org = site.config.portal.organisation.text(site.lang)
    return ('<div class="cir-print-setup" hidden data-search-exclude><style>@media print{@page{size:A4;margin:20mm 15mm 18mm;'
            f"@top-left{{content:{css_string(f'{org} · {title}')};font-size:9pt;color:#555}}"
            f"@top-right{{content:{css_string(period_text)};font-size:9pt;color:#555}}"
            '@bottom-right{content:counter(page) " / " counter(pages);font-size:9pt;color:#555}}}</style></div>')


# --- kpis.json

def kpis_json(site: Site, ledger: Ledger) -> bytes:
    """Every figure of the dashboard and the reports, machine-readable; deterministic (sorted keys, as_of from the content)."""
    month_keys, quarter_keys = ledger.report_periods(_lesson_dates(site))
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

