"""A report for every month and quarter with activity in the register (raised, approved,
closed, lessons, the period's KPIs against the previous period), and their index. Reports are
tables, so they print well (A4, running headers) and cost nothing to build."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from cir_portal.core.i18n import register_strings
from cir_portal.core.kpis import Ledger, period, previous
from cir_portal.core.model import Improvement, Lesson
from cir_portal.views.context import Site
from cir_portal.views.figures import REPORTS_INDEX, kpi_change, kpi_fraction, kpi_value, lesson_dates, period_dates, section
from cir_portal.views.markup import css_string, esc, link, table
from cir_portal.views.metrics import num
from cir_portal.views.page import Page

#: the KPIs of a period, in the order the reports show them
PERIOD_KPIS = ("raised", "approved", "closed", "finished", "success_rate", "partial_rate", "on_time_rate",
               "on_budget_rate", "negative_outcome_rate", "mean_satisfaction", "mean_cycle_time", "productivity_index")

register_strings({
    "ms_reports_intro": {"en": "A report for every month and quarter with activity in the register: what was raised, "
                               "approved and closed, the lessons captured and the KPIs of the period against the previous one.",
                         "zh": "登记册中有活动的每个月和每个季度各有一份报告：提出、批准和关闭的改进，记录的经验教训，"
                               "以及本期与上期的关键指标对比。"},
    "ms_quarters": {"en": "Quarterly reports", "zh": "季度报告"},
    "ms_months": {"en": "Monthly reports", "zh": "月度报告"},
    "ms_report_title": {"en": "Continual improvement report {period}", "zh": "持续改进报告 {period}"},
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
})


def pages(site: Site) -> list[Page]:
    return [make() for make in page_makers(site).values()]


def page_makers(site: Site) -> dict[str, Callable[[], Page]]:
    """Every report and their index, each as the function that writes it (the live preview
    calls only those whose inputs changed: views/preview.py)."""
    month_keys, quarter_keys = report_periods(site)
    makers: dict[str, Callable[[], Page]] = {report_src(key): partial(_report_page, site, key)
                                             for key in (*month_keys, *quarter_keys)}
    makers[REPORTS_INDEX] = lambda: Page(REPORTS_INDEX, site.t("ms_reports"),
                                         reports_index(site, site.ledger, *report_periods(site)))
    return makers


def report_periods(site: Site) -> tuple[list[str], list[str]]:
    """The months and quarters that have a report (something happened in them), oldest first."""
    return site.shared("report-periods", lambda s: s.ledger.report_periods(lesson_dates(s)))


def _report_page(site: Site, key: str) -> Page:
    month_keys, quarter_keys = report_periods(site)
    keys = quarter_keys if "-Q" in key else month_keys
    i = keys.index(key)
    content = report_page(site, site.ledger, key, keys[i - 1] if i else None, keys[i + 1] if i + 1 < len(keys) else None)
    return Page(report_src(key), site.t("ms_report_title", period=key), content)


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
            + section(t("ms_quarters"), listing(quarter_keys, t("ms_quarter")) if quarter_keys else f"<p>{esc(t('none'))}</p>")
            + section(t("ms_months"), listing(month_keys, t("ms_month")) if month_keys else f"<p>{esc(t('none'))}</p>"))
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
            f'<p class="cir-report-meta"><strong>{esc(org)}</strong> · {esc(period_dates(site, p))} · '
            f"{esc(t('as_of'))} {esc(site.as_of)}</p>\n{ongoing}\n"
            f'<nav class="cir-report-nav">{" · ".join(nav)}</nav>\n\n'
            f"{print_setup(site, t('ms_report_title', period=key), period_dates(site, p))}\n")
    return (head
            + section(t("ms_kpi"), f'<div class="cir-report-summary">{kpi_html}</div>')
            + section(f"{t('ms_raised_in')} ({len(raised)})",
                       listing(raised, [t("source"), t("requester")],
                               lambda i: [esc(site.label("sources", (i.source or ""))),
                                          site.person_link(src, i.requester)]))
            + section(f"{t('ms_approved_in')} ({len(approved)})",
                       listing(approved, [t("owner"), t("target_date")],
                               lambda i: [site.person_link(src, i.owner), esc(i.target_date or "")]))
            + section(f"{t('ms_closed_in')} ({len(closed)})", closed_html)
            + section(f"{t('ms_other_finished')} ({len(others)})",
                       listing(others, [t("reason")], lambda i: [esc(i.reason or "")]))
            + section(f"{t('ms_lessons_in')} ({len(lessons)})", lesson_html))


def print_setup(site: Site, title: str, period_text: str) -> str:
    """The report's printed pages: A4, the organisation and report title in the top margin of
    every page, the period on the right, page numbers below (CSS page-margin boxes; the rest
    of the print stylesheet is measures.css). Inline, because the text is the report's own."""
    org = site.config.portal.organisation.text(site.lang)
    return ('<div class="cir-print-setup" hidden data-search-exclude><style>@media print{@page{size:A4;margin:20mm 15mm 18mm;'
            f"@top-left{{content:{css_string(f'{org} · {title}')};font-size:9pt;color:#555}}"
            f"@top-right{{content:{css_string(period_text)};font-size:9pt;color:#555}}"
            '@bottom-right{content:counter(page) " / " counter(pages);font-size:9pt;color:#555}}}</style></div>')

