"""The priorities page: open improvements ranked by the transparent priority score, the
value-versus-cost matrix (a chart with its table) and the escalations to the governance board."""

from __future__ import annotations

from cir_portal.core.i18n import register_strings
from cir_portal.core.kpis import Ledger
from cir_portal.core.model import Improvement
from cir_portal.core.priority import LEVELS, quick_win
from cir_portal.views import charts
from cir_portal.views.context import Site
from cir_portal.views.figures import section
from cir_portal.views.markup import badge, esc, table
from cir_portal.views.metrics import PRIORITIES_PAGE, VEGA_LITE_SCHEMA, num
from cir_portal.views.page import Page

register_strings({
    "ms_priorities_intro": {"en": "Open improvements ranked by a transparent priority score, applied to every record alike. "
                                  "Disputed or unclear priorities are escalated to the governance board.",
                            "zh": "进行中的改进按透明的优先级得分排序，所有记录适用同一规则。"
                                  "有争议或不明确的优先级上报治理委员会。"},
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
})


def pages(site: Site) -> list[Page]:
    return [Page(PRIORITIES_PAGE, site.t("ms_priorities"), priorities_page(site, site.ledger))]


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
            + section(t("ms_formula"), formula)
            + section(t("ms_matrix"), matrix_block(site, open_imps))
            + section(t("ms_escalated_open"), escalated_html)
            + section(t("ms_ranking"), ranking))


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

