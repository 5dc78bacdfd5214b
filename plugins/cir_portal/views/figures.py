"""What the measured pages share: how a KPI reads (value, numerator / denominator, formula,
change from the previous period, the KPI table), their page addresses, their sections, and the
note on records the audience does not see. The figures themselves come from ``core.kpis``."""

from __future__ import annotations

from cir_portal.core.i18n import register_strings
from cir_portal.core.kpis import Kpi, Period
from cir_portal.views.context import Site
from cir_portal.views.markup import esc, table
from cir_portal.views.metrics import num

DASHBOARD_PAGE = "dashboard.md"
REPORTS_INDEX = "reports/index.md"
KPIS_FILE = "kpis.json"

register_strings({
    "ms_priorities": {"en": "Priorities", "zh": "优先级"},
    "ms_reports": {"en": "Periodic reports", "zh": "定期报告"},
    "ms_hidden": {"en": "This site is published for the {audience} audience: {n} record(s) of the register are not "
                        "shown to it, and every figure here is computed without them.",
                  "zh": "本站面向“{audience}”受众发布：登记册中有 {n} 条记录不向该受众展示，本页所有数值均不含这些记录。"},
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
    "ms_quarter": {"en": "Quarter", "zh": "季度"},
    "ms_month": {"en": "Month", "zh": "月份"},
    "ms_days_unit": {"en": "{n} days", "zh": "{n} 天"},
    "ms_report_period": {"en": "{start} to {end}", "zh": "{start} 至 {end}"},
    "ms_pp": {"en": "pp", "zh": "个百分点"},
})


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


def period_dates(site: Site, p: Period) -> str:
    return site.t("ms_report_period", start=p.start, end=p.end)


def kpi_table(site: Site, kpis: dict[str, Kpi], keys: tuple[str, ...]) -> str:
    t = site.t
    rows = [[esc(t(f"ms_kpi_{k}")), f'<strong data-kpi="{esc(k)}">{esc(kpi_value(site, kpis[k]))}</strong>',
             esc(kpi_fraction(kpis[k])), f"<small>{esc(kpi_formula(site, kpis[k]))}</small>",
             esc(period_dates(site, kpis[k].period))] for k in keys]
    return table([t("ms_kpi"), t("ms_value"), t("ms_fraction"), t("ms_formula"), t("ms_period")], rows, "cir-table cir-kpis")


def section(title: str, body: str) -> str:
    """A Markdown heading (so it is in the page's table of contents) and an HTML block."""
    return f"\n## {title}\n\n<div class=\"cir-measures\">{body}</div>\n"


def subsection(title: str, body: str) -> str:
    return f"\n### {title}\n\n<div class=\"cir-measures\">{body}</div>\n"


def hidden_note(site: Site) -> str:
    """How many records this build's audience does not see ("" when it sees every record)."""
    register = site.register
    if not register.hidden:
        return ""
    audience = site.t(f"audience_{register.audience}")
    return f'<p class="cir-hidden-note">{esc(site.t("ms_hidden", audience=audience, n=register.hidden))}</p>\n'


def lesson_dates(site: Site) -> list[str]:
    return [str(lesson.date) for lesson in site.register.lessons if lesson.date]

