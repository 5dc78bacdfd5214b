"""The maturity view: capability levels of the assessed practices over time, the latest
dimension scores as a heatmap, and every assessment gap with the improvement that
addresses it, so that a reader sees which gaps are open, in progress or closed.

Charts are plain Vega-Lite dicts built here and turned into figures by ``charts.chart``
(which adds the static SVG, the text summary and the data table).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from cir_portal.core.i18n import register_strings
from cir_portal.core.model import DIMENSIONS, Assessment, Improvement
from cir_portal.views import charts
from cir_portal.views.cards import DIMENSION_LABELS
from cir_portal.views.context import Site
from cir_portal.views.knowledge import affects_page, heading, lesson_affects
from cir_portal.views.markup import badge, esc, link, table
from cir_portal.views.page import Page

MATURITY_PAGE = "maturity.md"
MATURITY_DIR = "maturity"
LEVELS = (1, 2, 3, 4, 5)
#: gap states, in the order the gap list shows them
GAP_STATES = ("open", "in_progress", "stopped", "closed")
VEGA_LITE = "https://vega.github.io/schema/vega-lite/v6.json"
CHART_WIDTH = 560

#: The typical focus of each step up the capability levels.
STEP_FOCUS: dict[int, dict[str, str]] = {
    2: {"en": "Define the process, make responsibilities clear, introduce the first tools.",
        "zh": "定义流程，明确职责，引入初步的工具。"},
    3: {"en": "Run the practice stably, with the defined roles actually executed.",
        "zh": "稳定运行，已定义的角色切实履行职责。"},
    4: {"en": "Measure and analyse with data: manage the practice by its figures.",
        "zh": "基于数据进行测量和分析，用数据管理实践。"},
    5: {"en": "Optimise proactively: self-healing, automation and innovation.",
        "zh": "主动优化：自愈、自动化与创新。"},
}

register_strings({
    "mat_title": {"en": "Capability maturity", "zh": "能力成熟度"},
    "mat_intro": {"en": "Practices are assessed on capability levels 1–5. Each assessment's gaps flow into the register as "
                        "improvements, closing the loop assess → plan → implement → reassess.",
                  "zh": "各实践按能力等级 1–5 进行评估。每次评估发现的差距转为登记册中的改进记录，"
                        "形成“评估 → 规划 → 实施 → 复评”的闭环。"},
    "mat_gaps_cmd": {"en": "{cmd} lists the gaps that have no improvement yet; {cmd_write} drafts one improvement for each.",
                     "zh": "{cmd} 列出尚无改进的差距；{cmd_write} 为每个差距生成一条改进草稿。"},
    "mat_practices": {"en": "Assessed practices", "zh": "已评估的实践"},
    "mat_latest": {"en": "Latest assessment", "zh": "最近一次评估"},
    "mat_current": {"en": "Current level", "zh": "当前等级"},
    "mat_next_step": {"en": "Next step", "zh": "下一步"},
    "mat_focus": {"en": "Typical focus", "zh": "典型重点"},
    "mat_steps": {"en": "Steps to the target level", "zh": "达到目标等级的步骤"},
    "mat_step_guide": {"en": "What each step up the levels typically takes", "zh": "每提升一级的典型重点"},
    "mat_step": {"en": "Step", "zh": "提升"},
    "mat_target_reached": {"en": "target reached", "zh": "已达到目标"},
    "mat_top": {"en": "highest level", "zh": "最高等级"},
    "mat_levels_chart": {"en": "Capability level and target over time", "zh": "能力等级与目标等级的变化"},
    "mat_levels_summary": {"en": "{practice}: level {level} (target {target}) on {date}",
                           "zh": "{practice}：{date} 为等级 {level}（目标 {target}）"},
    "mat_heatmap": {"en": "Dimension scores of the latest assessments", "zh": "最近一次评估的四个维度得分"},
    "mat_heatmap_summary": {"en": "Scores 1–5 of the four dimensions for {n} practice(s). Lowest: {low}. Highest: {high}.",
                            "zh": "{n} 个实践的四个维度得分（1–5）。最低：{low}。最高：{high}。"},
    "mat_score_of": {"en": "{dimension} in {practice} ({score})", "zh": "{practice}的{dimension}（{score}）"},
    "mat_gaps": {"en": "Gaps and their improvements", "zh": "差距及其改进"},
    "mat_gap_open": {"en": "Open: no improvement yet", "zh": "未处理：尚无改进"},
    "mat_gap_in_progress": {"en": "In progress", "zh": "处理中"},
    "mat_gap_stopped": {"en": "Improvement stopped (rejected, deferred or cancelled)", "zh": "改进已终止（拒绝、推迟或取消）"},
    "mat_gap_closed": {"en": "Closed", "zh": "已关闭"},
    "mat_gap_state": {"en": "Gap", "zh": "差距状态"},
    "mat_score": {"en": "Score", "zh": "得分"},
    "mat_history": {"en": "Assessments", "zh": "历次评估"},
    "mat_none": {"en": "No practice has been assessed yet.", "zh": "尚无实践能力评估。"},
    "mat_improvements_of": {"en": "Improvements affecting this practice", "zh": "涉及该实践的改进"},
    "mat_lessons_of": {"en": "Lessons about this practice", "zh": "该实践的经验教训"},
})


@dataclass(frozen=True)
class Gap:
    """An assessment gap, the improvement that addresses it (if any) and its state."""

    assessment: Assessment
    id: str
    description: str
    improvement: Improvement | None
    state: str  # one of GAP_STATES


def gap_state(site: Site, imp: Improvement | None) -> str:
    """open: no improvement; in_progress: a non-terminal one; closed: finished with an outcome;
    stopped: finished without one (rejected, deferred, cancelled), read from workflow.yml."""
    if imp is None:
        return "open"
    status = site.config.workflow.statuses.get(imp.status)
    if status is None or not status.terminal:
        return "in_progress"
    return "closed" if "outcome" in status.requires else "stopped"


def gaps(site: Site, assessments: list[Assessment] | None = None) -> list[Gap]:
    out = []
    for asm in assessments if assessments is not None else site.register.assessments:
        for gap in asm.gaps:
            imp = site.register.improvement_for_gap.get((asm.id, gap.id))
            out.append(Gap(asm, gap.id, gap.description, imp, gap_state(site, imp)))
    return out


def by_practice(site: Site) -> dict[str, list[Assessment]]:
    """Assessments per practice, oldest first; practices in taxonomy order."""
    found: dict[str, list[Assessment]] = defaultdict(list)
    for asm in site.register.assessments:
        found[str(asm.practice)].append(asm)
    order = list(site.config.taxonomy.get("practices", {}))
    keys = sorted(found, key=lambda k: (order.index(k) if k in order else len(order), k))
    return {k: sorted(found[k], key=lambda a: (str(a.date), a.id)) for k in keys}


def practice_page(practice: str) -> str:
    return f"{MATURITY_DIR}/{practice}.md"


def _level(value: Any) -> int | None:
    return value if isinstance(value, int) and value in LEVELS else None


def focus(site: Site, to_level: int) -> str:
    texts = STEP_FOCUS.get(to_level, {})
    return texts.get(site.lang) or texts.get("en", "")


def next_step(site: Site, asm: Assessment) -> str:
    """"2 → 3: stable operation..." for the step after the latest level (HTML)."""
    level, target = _level(asm.level), _level(asm.target_level)
    if level is None:
        return ""
    if level >= 5:
        return esc(site.t("mat_top"))
    done = f' <small>({esc(site.t("mat_target_reached"))})</small>' if target is not None and level >= target else ""
    return (f'<span class="cir-step-up">{level} → {level + 1}</span>{done}'
            f'<br><small class="cir-focus">{esc(focus(site, level + 1))}</small>')


def _dimension(site: Site, key: str) -> str:
    return DIMENSION_LABELS[key].get(site.lang) or DIMENSION_LABELS[key]["en"]


# --- charts (Vega-Lite dicts)

def levels_spec(site: Site, practices: dict[str, list[Assessment]], *, by_practice_colour: bool) -> dict[str, Any]:
    """Current and target level over time: a solid line (current) and a dashed one (target) per practice."""
    t = site.t
    series = [t("mat_current"), t("target_level")]
    values = []
    for practice, assessments in practices.items():
        for asm in assessments:
            for name, level in zip(series, (asm.level, asm.target_level), strict=True):
                if _level(level) is not None:
                    values.append({"practice": site.label("practices", practice), "date": str(asm.date),
                                   "series": name, "level": level, "assessment": asm.id})
    x = {"field": "date", "type": "temporal", "title": t("date"), "axis": {"format": "%Y-%m", "labelAngle": 0, "tickCount": 6}}
    y = {"field": "level", "type": "quantitative", "title": t("level"), "scale": {"domain": [1, 5]},
         "axis": {"values": list(LEVELS), "format": "d"}}
    if by_practice_colour:
        colour: dict[str, Any] = {"field": "practice", "type": "nominal", "title": t("practice")}
    else:  # one practice: the dash pattern's legend says which line is which
        colour = {"field": "series", "type": "nominal", "sort": series, "legend": None}
    tooltip = [{"field": "practice", "type": "nominal", "title": t("practice")},
               {"field": "assessment", "type": "nominal", "title": t("assessment")},
               {"field": "date", "type": "temporal", "title": t("date"), "format": "%Y-%m-%d"},
               {"field": "series", "type": "nominal", "title": t("kind")},
               {"field": "level", "type": "quantitative", "title": t("level")}]
    return {
        "$schema": VEGA_LITE,
        "data": {"values": values},
        "layer": [
            {"mark": {"type": "line"},
             "encoding": {"x": x, "y": y, "color": colour, "detail": {"field": "practice", "type": "nominal"},
                          "strokeDash": {"field": "series", "type": "nominal", "title": None, "sort": series}}},
            {"mark": {"type": "point", "filled": True, "size": 50},
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
        ],
        "width": CHART_WIDTH,
        "height": 200,
    }


def heatmap_spec(site: Site, latest: dict[str, Assessment]) -> dict[str, Any]:
    """Dimension scores (1–5) of each practice's latest assessment: practices down, dimensions across."""
    t = site.t
    values = []
    for practice, asm in latest.items():
        dims = asm.dimensions or {}
        for key in DIMENSIONS:
            if _level(dims.get(key)) is not None:
                values.append({"practice": site.label("practices", practice), "dimension": _dimension(site, key),
                               "score": dims[key], "assessment": asm.id, "date": str(asm.date)})
    x_order = [_dimension(site, k) for k in DIMENSIONS]
    y_order = [site.label("practices", p) for p in latest]
    return {
        "$schema": VEGA_LITE,
        "data": {"values": values},
        "encoding": {
            "x": {"field": "dimension", "type": "nominal", "sort": x_order, "title": t("dimensions"),
                  "axis": {"labelAngle": 0, "labelLimit": 140, "orient": "top"}},
            "y": {"field": "practice", "type": "nominal", "sort": y_order, "title": t("practice")},
        },
        "layer": [
            {"mark": {"type": "rect", "stroke": "#757575", "strokeWidth": 1},
             "encoding": {"color": {"field": "score", "type": "quantitative", "title": t("mat_score"),
                                    "scale": {"domain": [1, 5], "scheme": "blues"}, "legend": {"values": list(LEVELS)}},
                          "tooltip": [{"field": "practice", "type": "nominal", "title": t("practice")},
                                      {"field": "dimension", "type": "nominal", "title": t("dimensions")},
                                      {"field": "score", "type": "quantitative", "title": t("mat_score")},
                                      {"field": "assessment", "type": "nominal", "title": t("assessment")},
                                      {"field": "date", "type": "nominal", "title": t("date")}]}},
            {"mark": {"type": "text", "fontSize": 13},
             "encoding": {"text": {"field": "score", "type": "quantitative"},
                          "color": {"condition": {"test": "datum.score >= 4", "value": "white"}, "value": "black"}}},
        ],
        "width": CHART_WIDTH,
        "height": {"step": 36},
    }


# --- HTML parts

def levels_table(site: Site, src: str, practices: dict[str, list[Assessment]]) -> str:
    t = site.t
    rows = []
    for practice, assessments in practices.items():
        for asm in assessments:
            rows.append([esc(site.label("practices", practice)), site.record_link(src, asm.id), esc(asm.date),
                         esc(asm.level), esc(asm.target_level)])
    return table([t("practice"), t("assessment"), t("date"), t("mat_current"), t("target_level")], rows)


def dimensions_table(site: Site, src: str, rows_of: list[tuple[str, Assessment]], first: str) -> str:
    """Practices (or dates: ``first`` names the column) down, the four dimensions across: the heatmap as a table."""
    t = site.t
    rows = []
    for label, asm in rows_of:
        dims = asm.dimensions or {}
        rows.append([esc(label), site.record_link(src, asm.id, with_title=False),
                     *(esc(dims.get(k, "—")) for k in DIMENSIONS)])
    return table([first, t("assessment"), *(_dimension(site, k) for k in DIMENSIONS)], rows,
                 "cir-table cir-dimensions")


def levels_chart(site: Site, src: str, practices: dict[str, list[Assessment]], *, by_practice_colour: bool) -> str:
    parts = []
    for practice, assessments in practices.items():
        asm = assessments[-1]
        parts.append(site.t("mat_levels_summary", practice=site.label("practices", practice), level=asm.level,
                            target=asm.target_level, date=asm.date))
    summary = ("; " if site.lang == "en" else "；").join(parts) + ("." if site.lang == "en" else "。")
    return charts.chart(site, levels_spec(site, practices, by_practice_colour=by_practice_colour),
                        title=site.t("mat_levels_chart"), summary=summary, table_html=levels_table(site, src, practices))


def heatmap_chart(site: Site, src: str, latest: dict[str, Assessment]) -> str:
    t = site.t
    scores = [((asm.dimensions or {})[k], site.label("practices", p), _dimension(site, k))
              for p, asm in latest.items() for k in DIMENSIONS if _level((asm.dimensions or {}).get(k)) is not None]
    if not scores:
        return ""

    def describe(items: list[tuple[int, str, str]]) -> str:
        return ", ".join(t("mat_score_of", dimension=d, practice=p, score=s) for s, p, d in items)

    low_score = min(s for s, _, _ in scores)
    high_score = max(s for s, _, _ in scores)
    low = sorted(x for x in scores if x[0] == low_score)[:4]
    high = sorted(x for x in scores if x[0] == high_score)[:4]
    summary = t("mat_heatmap_summary", n=len(latest), low=describe(low), high=describe(high))
    table_html = dimensions_table(site, src, [(site.label("practices", p), asm) for p, asm in latest.items()], t("practice"))
    return charts.chart(site, heatmap_spec(site, latest), title=t("mat_heatmap"), summary=summary, table_html=table_html)


def state_badge(site: Site, state: str) -> str:
    return badge(site.t(f"mat_gap_{state}"), f"cir-gap--{state}")


def gap_list(site: Site, src: str, items: list[Gap], *, with_practice: bool) -> str:
    """The gaps grouped by state (open first), each with its improvement and that improvement's status."""
    t = site.t
    counts = Counter(g.state for g in items)
    summary = " ".join(f"{state_badge(site, s)} {counts.get(s, 0)}" for s in GAP_STATES)
    sections = []
    for state in GAP_STATES:
        of_state = [g for g in items if g.state == state]
        if not of_state:
            continue
        rows = []
        for g in of_state:
            ref = link(site.href(src, g.assessment.src_uri, f"gap-{g.id}"), f"{g.assessment.id}#{g.id}")
            row = [ref, esc(g.assessment.date), esc(g.description),
                   site.record_link(src, g.improvement.id) if g.improvement else esc(t("no_improvement")),
                   site.status_badge(g.improvement.status) if g.improvement else ""]
            if with_practice:
                row.insert(0, esc(site.label("practices", str(g.assessment.practice))))
            rows.append(row)
        headers = [t("gaps"), t("date"), t("description"), t("improvements"), t("status")]
        if with_practice:
            headers.insert(0, t("practice"))
        sections.append(f'<section class="cir-gaps__state" data-state="{state}">'
                        f'<h3>{state_badge(site, state)} <span class="cir-n">{len(of_state)}</span></h3>'
                        + table(headers, rows, "cir-table cir-gaps") + "</section>")
    if not items:
        sections.append(f"<p>{esc(t('none'))}</p>")
    return f'<p class="cir-summary">{summary}</p>' + "".join(sections)


def gaps_hint(site: Site) -> str:
    """How to turn open gaps into improvements (``cir gaps``), as HTML."""
    text = esc(site.t("mat_gaps_cmd", cmd="\x00", cmd_write="\x01"))
    return '<p class="cir-hint">' + text.replace("\x00", "<code>cir gaps</code>").replace(
        "\x01", "<code>cir gaps --write</code>") + "</p>"


def step_guide(site: Site) -> str:
    t = site.t
    rows = [[f"{to - 1} → {to}", esc(focus(site, to))] for to in sorted(STEP_FOCUS)]
    return table([t("mat_step"), t("mat_focus")], rows, "cir-table cir-step-guide")


# --- pages

def maturity_page(site: Site, practices: dict[str, list[Assessment]]) -> str:
    t, src = site.t, MATURITY_PAGE
    if not practices:
        return f"{heading(t('mat_title'))}\n\n<p>{esc(t('mat_intro'))}</p>\n<p>{esc(t('mat_none'))}</p>\n"
    latest = {p: a[-1] for p, a in practices.items()}
    all_gaps = gaps(site)
    gap_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for g in all_gaps:
        gap_counts[str(g.assessment.practice)][g.state] += 1
    rows = []
    for practice, asm in latest.items():
        counts = gap_counts[practice]
        rows.append([link(site.href(src, practice_page(practice)), site.label("practices", practice)),
                     site.record_link(src, asm.id, with_title=False), esc(asm.date),
                     esc(asm.level), esc(asm.target_level), next_step(site, asm),
                     " ".join(f"{state_badge(site, s)} {counts[s]}" for s in GAP_STATES if counts.get(s))])
    summary_table = table([t("practice"), t("mat_latest"), t("date"), t("mat_current"), t("target_level"),
                           t("mat_next_step"), t("gaps")], rows, "cir-table cir-maturity")
    return (f"{heading(t('mat_title'))}\n\n<p>{esc(t('mat_intro'))}</p>\n"
            f'<div class="cir-maturity">'
            f"<h2>{esc(t('mat_practices'))} <span class=\"cir-n\">{len(practices)}</span></h2>{summary_table}"
            f"<h2>{esc(t('mat_levels_chart'))}</h2>{levels_chart(site, src, practices, by_practice_colour=True)}"
            f"<h2>{esc(t('mat_heatmap'))}</h2>{heatmap_chart(site, src, latest)}"
            f"<h2>{esc(t('mat_gaps'))}</h2>{gaps_hint(site)}{gap_list(site, src, all_gaps, with_practice=True)}"
            f"<h2>{esc(t('mat_step_guide'))}</h2>{step_guide(site)}"
            "</div>\n")


def practice_detail_page(site: Site, practice: str, assessments: list[Assessment]) -> str:
    t, src = site.t, practice_page(practice)
    label = site.label("practices", practice)
    latest = assessments[-1]
    level, target = _level(latest.level), _level(latest.target_level)
    steps = ""
    if level is not None and target is not None and level < target:
        next_cls = ' class="cir-step--next"'
        items = "".join(f'<li{next_cls if to == level + 1 else ""}><strong>{to - 1} → {to}</strong> '
                        f"{esc(focus(site, to))}</li>" for to in range(level + 1, target + 1))
        steps = f"<h2>{esc(t('mat_steps'))}</h2><ol class=\"cir-steps\">{items}</ol>"
    facts = table([t("mat_latest"), t("date"), t("assessor"), t("mat_current"), t("target_level"), t("mat_next_step")],
                  [[site.record_link(src, latest.id), esc(latest.date), site.person_link(src, latest.assessor),
                    esc(latest.level), esc(latest.target_level), next_step(site, latest)]])
    history = dimensions_table(site, src, [(str(a.date), a) for a in reversed(assessments)], t("date"))
    links = [link(site.href(src, MATURITY_PAGE), t("mat_title")),
             link(site.href(src, site.category_page("practices", practice)), t("mat_improvements_of"))]
    kb = affects_page(f"practice/{practice}")
    if kb and _has_lessons(site, practice):
        links.append(link(site.href(src, kb), t("mat_lessons_of")))
    return (f"{heading(t('mat_title') + ': ' + label)}\n\n<p class=\"cir-kind\">{' · '.join(links)}</p>\n"
            f'<div class="cir-maturity">{facts}{steps}'
            f"<h2>{esc(t('mat_levels_chart'))}</h2>"
            f"{levels_chart(site, src, {practice: assessments}, by_practice_colour=False)}"
            f"<h2>{esc(t('mat_history'))}</h2>{history}"
            f"<h2>{esc(t('mat_gaps'))}</h2>{gap_list(site, src, gaps(site, assessments), with_practice=False)}"
            "</div>\n")


def _has_lessons(site: Site, practice: str) -> bool:
    """Whether the knowledge base has a page for the practice (a lesson or its improvements affect it)."""
    item = f"practice/{practice}"
    return any(item in lesson_affects(site.register, lesson) for lesson in site.register.lessons)


def pages(site: Site) -> list[Page]:
    t = site.t
    practices = by_practice(site)
    out = [Page(MATURITY_PAGE, t("mat_title"), maturity_page(site, practices))]
    for practice, assessments in practices.items():
        out.append(Page(practice_page(practice), f"{t('mat_title')}: {site.label('practices', practice)}",
                        practice_detail_page(site, practice, assessments)))
    return out
