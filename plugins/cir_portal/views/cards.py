"""Record cards: the header of every record page, generated from the model.

A card is raw HTML placed before the record's Markdown body; every value is escaped.
Its labels, links to other records and figures stay out of the search text
(``data-pagefind-ignore``, see views/search.py); its values are searchable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cir_portal.core.model import DIMENSIONS, Assessment, Improvement, LeanCanvas, Lesson, Objective, Point, Record
from cir_portal.views import access
from cir_portal.views.context import Site
from cir_portal.views.markup import badge, esc, link, table
from cir_portal.views.search import IGNORE, MORE_END, MORE_START, record_facets
from cir_portal.views.search import heading as title_heading

DIMENSION_LABELS = {
    "organizations_people": {"en": "Organisations & people", "zh": "组织和人员"},
    "information_technology": {"en": "Information & technology", "zh": "信息和技术"},
    "partners_suppliers": {"en": "Partners & suppliers", "zh": "合作伙伴和供应商"},
    "value_streams_processes": {"en": "Value streams & processes", "zh": "价值流和流程"},
}


def card(site: Site, record: Record, sections: str = "", own: str | None = None, top: str | None = None
         ) -> tuple[str, str]:
    """A record page's heading and card (HTML); ``sections`` (other views' parts) end the card;
    ``own``: the card's own fields (``card_fields``), ``top``: its heading, when made already."""
    return (heading(site, record) if top is None else top,
            frame(record, card_fields(site, record) if own is None else own, sections))


def frame(record: Record, own: str, sections: str = "") -> str:
    """A record's card: its own fields, then other views' ``sections`` (figures, links to other
    records), which stay out of the search text."""
    more = f"{MORE_START}{sections}</div>{MORE_END}" if sections else ""
    return f'<div class="cir-card cir-card--{record.kind}">{own}{more}</div>'


def published(record: Record, own: str, sections: str = "") -> str:
    """A record's card (``frame``) as published: its tables captioned and in scroll regions
    (views/access.py). Without ``sections``: the part the search index reads."""
    return access.finish(frame(record, own, sections))


def page_parts(site: Site, record: Record, sections: str = "", own: str | None = None, top: str | None = None
               ) -> tuple[str, str]:
    """A record page's heading (the target of "skip to content") and its card as published, made
    on the build's thread or in the card process alike; ``own``/``top`` as for ``card``."""
    title = heading(site, record) if top is None else top
    return (access.skip_target(title),
            published(record, card_fields(site, record) if own is None else own, sections))


def card_fields(site: Site, record: Record) -> str:
    """A record's card's own fields (HTML), without its heading and other views' sections."""
    if isinstance(record, Improvement):
        parts = improvement_card(site, record)
    elif isinstance(record, Lesson):
        parts = lesson_card(site, record)
    elif isinstance(record, Objective):
        parts = objective_card(site, record)
    elif isinstance(record, Assessment):
        parts = assessment_card(site, record)
    else:  # pragma: no cover
        raise TypeError(record.kind)
    return "".join(parts)


def _dl(rows: list[tuple[str, str]]) -> str:
    """Labelled fields (the labels stay out of the search text: adapters/search.py excludes them)."""
    # (one field a line: the search index reads the values without the labels, and would glue them)
    items = "\n".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f'<dl class="cir-fields">{items}</dl>'


def _extra_value(value: Any) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | tuple):
        return ", ".join(_extra_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _plain(value)


def custom_fields(site: Site, record: Record) -> list[tuple[str, str]]:
    """The keys the organisation added to its schema, as card rows: labelled by the schema's
    ``title`` (``x-title-zh`` on a Chinese portal), else the key; values escaped."""
    props = site.config.schemas[record.kind].schema.get("properties", {})
    rows = []
    for key, value in record.extra.items():
        prop = props.get(key, {})
        label = (prop.get(f"x-title-{site.lang}") if site.lang != "en" else None) or prop.get("title") or key
        rows.append((str(label), f'<span class="cir-text">{esc(_extra_value(value))}</span>'))
    return rows


def _text(value: Any) -> str:
    return f'<span class="cir-text">{esc(value)}</span>' if value not in (None, "") else ""


def heading(site: Site, record: Record) -> str:
    """The heading a record's card starts with: the <h1> (id and title, the search result's
    title), the kind and the search filters; what MkDocs shows as the page heading, while the
    rest of the card is added to the rendered page."""
    return (title_heading(record) + f'<p class="cir-kind" {IGNORE}>{esc(site.t(record.kind))}</p>'
            + record_facets(site, record))


def _section(title: str, body: str, cls: str = "", *, searchable: bool = False) -> str:
    """A titled part of the card; out of the search text unless ``searchable`` (its title always is)."""
    if not body:
        return ""
    return (f'<section class="cir-section {cls}"{"" if searchable else " " + IGNORE}>'
            f'<h2 {IGNORE}>{esc(title)}</h2>{body}</section>')


def _links(site: Site, src: str, ids: Sequence[str]) -> str:
    return "<br>".join(site.record_link(src, i) for i in ids)


def _tags(site: Site, src: str, record: Record) -> str:
    return " ".join(site.tag_link(src, tag) for tag in record.tags)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def _number(value: Any) -> str:
    return esc(_plain(value))


def improvement_card(site: Site, imp: Improvement) -> list[str]:
    t, src = site.t, imp.src_uri
    status = site.config.workflow.statuses.get(imp.status)
    where = ""
    if status is not None:
        parts = []
        if status.step:
            parts.append(f"{t('step')} {status.step}: {t(f'step_{status.step}')}")
        if status.pdca:
            parts.append(f"PDCA: {status.pdca}")
        where = f' <span class="cir-step">{esc(" · ".join(parts))}</span>' if parts else ""
    owner = imp.owner
    owner_html = site.person_link(src, owner)
    if owner and site.team_of(owner):
        owner_html += f" ({site.team_link(src, site.team_of(owner))})"
    requester = imp.requester
    source = site.label("sources", imp.source or "")
    if imp.source_ref:
        source += f" · {imp.source_ref}"
    cost = site.word(imp.cost) if imp.cost else ""
    estimate = imp.cost_estimate
    if estimate is not None:
        cost = f"{cost} ({_plain(estimate.amount)} {estimate.currency})".strip()
    value_types = ", ".join(site.label("value_types", v) for v in imp.value_types)
    approved = ""
    if imp.approved_on:
        approved = esc(imp.approved_on)
        if imp.approved_by:
            approved += " · " + site.person_link(src, imp.approved_by)
    flags = []
    if imp.escalated:
        flags.append(badge(t("escalated"), "cir-flag--escalated"))
    status_key = imp.status
    decided = status_key not in ("identified", "assessed")
    if imp.originator_notified:
        flags.append(badge(f"{t('notified')}: {imp.originator_notified}", "cir-flag--notified"))
    elif decided:
        flags.append(badge(t("not_notified"), "cir-flag--unanswered"))
    rows = [
        (t("status"), site.status_badge(status_key) + where),
        (t("owner"), owner_html),
        (t("requester"), site.person_link(src, requester)),
        (t("source"), esc(source)),
        (t("affects"), ", ".join(site.affects_link(src, a) for a in imp.affects)),
        (t("urgency"), esc(site.word(imp.urgency)) if imp.urgency else ""),
        (t("cost"), esc(cost)),
        (t("value"), _text(imp.value)),
        (t("value_types"), esc(value_types)),
        (t("raised"), esc(imp.raised)),
        (t("approved"), approved),
        (t("target_date"), esc(imp.target_date)),
        (t("closed_on"), esc(imp.closed_on)),
        (t("outcome"), esc(site.word(imp.outcome)) if imp.outcome else ""),
        (t("reason"), _text(imp.reason)),
        (t("objectives"), _links(site, src, imp.objectives)),
        (t("part_of"), site.record_link(src, imp.part_of) if imp.part_of else ""),
        (t("supporters"), _supporters(site, src, imp)),
        (t("satisfaction"), _number(imp.satisfaction) + " / 5" if imp.satisfaction is not None else ""),
        (t("planned_cost"), _number(imp.planned_cost) if imp.planned_cost is not None else ""),
        (t("actual_cost"), _number(imp.actual_cost) if imp.actual_cost is not None else ""),
        (t("tags"), _tags(site, src, imp)),
    ]
    gap = _gap_closed(site, imp)
    if gap:
        rows.append((t("gap"), gap))
    parts = [
        f'<div class="cir-flags" {IGNORE}>{" ".join(flags)}</div>' if flags else "",
        _dl(rows + custom_fields(site, imp)),
        _lean_canvas(site, imp.business_case),
        _section(t("plan"), _text(imp.plan)
                 + (f'<p><strong {IGNORE}>{esc(t("definition_of_done"))}:</strong> {_text(imp.definition_of_done)}</p>'
                    if imp.definition_of_done else ""), searchable=True),
        _section(t("metrics"), metrics_table(site, imp)),
        _section(t("history"), _history(site, imp)),
        _section(t("lessons"), _links(site, src, [lesson.id for lesson in site.register.lessons_by_improvement.get(imp.id, [])])),
        _section(t("related"), _links(site, src, imp.related)),
        _section(t("supersedes"), _links(site, src, imp.supersedes)),
    ]
    return parts


def _supporters(site: Site, src: str, imp: Improvement) -> str:
    """How many people back the record, then who (``3 · 李娜, 王伟, 张敏``)."""
    people = imp.supporters
    if not people:
        return ""
    names = ", ".join(site.person_link(src, pid) for pid in people)
    return f'<span class="cir-supporters"><strong data-supporters="{len(people)}">{len(people)}</strong> · {names}</span>'


def _gap_closed(site: Site, imp: Improvement) -> str:
    out = []
    for asm_id, gap_id in site.register.gaps_by_improvement.get(imp.id, ()):
        asm = site.register.get(asm_id)
        if asm is not None:
            out.append(link(site.href(imp.src_uri, asm.src_uri, f"gap-{gap_id}"), f"{asm_id}#{gap_id}"))
    return ", ".join(out)


def _lean_canvas(site: Site, canvas: LeanCanvas | None) -> str:
    if canvas is None or not canvas.boxes():
        return ""
    cells = "".join(
        f'<div class="cir-lean__cell cir-lean__cell--{key}"><h3 {IGNORE}>{esc(site.t("lean_" + key))}</h3>{_text(text)}</div>'
        for key, text in canvas.boxes()
    )
    return _section(site.t("business_case"), f'<div class="cir-lean">{cells}</div>', searchable=True)


def _point(point: Point | None) -> str:
    if point is None:
        return ""
    return f"{_number(point.value)} <small>({esc(point.date)})</small>"


def metrics_table(site: Site, imp: Improvement) -> str:
    """Every metric with baseline, target, latest value and all measurements (the charts' table)."""
    t = site.t
    rows = []
    for metric in imp.metrics:
        measurements = metric.measurements
        latest = _point(measurements[-1]) if measurements else ""
        series = ", ".join(f"{esc(m.date)}: {_number(m.value)}" for m in measurements)
        rows.append([esc(metric.name), esc(metric.unit), esc(t(metric.direction)),
                     _point(metric.baseline), _point(metric.target), latest,
                     f'<small>{series}</small>'])
    if not rows:
        return ""
    return table([t("name"), t("unit"), t("direction"), t("baseline"), t("target"), t("latest"), t("measurements")],
                 rows, "cir-table cir-metrics")


def _history(site: Site, imp: Improvement) -> str:
    items = "".join(
        f'<li><time>{esc(h.date)}</time> {site.status_badge(h.status)}'
        + (f' <span class="cir-text">{esc(h.note)}</span>' if h.note else "") + "</li>"
        for h in imp.history
    )
    return f'<ol class="cir-timeline">{items}</ol>' if items else ""


def lesson_card(site: Site, lesson: Lesson) -> list[str]:
    t, src = site.t, lesson.src_uri
    linked = list(dict.fromkeys([*lesson.improvements,
                                 *(i.id for i in site.register.improvements_by_lesson.get(lesson.id, []))]))
    rows = [
        (t("kind"), badge(site.word(lesson.lesson_kind or ""), f"cir-kind--{lesson.lesson_kind}")),
        (t("date"), esc(lesson.date)),
        (t("author"), site.person_link(src, lesson.author)),
        (t("affects"), ", ".join(site.affects_link(src, a) for a in lesson.affects)),
        (t("tags"), _tags(site, src, lesson)),
    ]
    parts = [
        _dl(rows + custom_fields(site, lesson)),
        _section(t("recommendation"), f'<p class="cir-recommendation">{_text(lesson.recommendation)}</p>',
                 searchable=True),
        _section(t("improvements"), _links(site, src, linked)),
    ]
    return parts


def objective_card(site: Site, obj: Objective) -> list[str]:
    t, src = site.t, obj.src_uri
    children = [o.id for o in site.register.objectives if o.parent == obj.id]
    kpis = table([t("name"), t("unit"), t("target")],
                 [[esc(k.name), esc(k.unit), _number(k.target)] for k in obj.kpis])
    imps = site.register.improvements_by_objective.get(obj.id, [])
    contributing = table([t("id"), t("title"), t("status"), t("owner")],
                         [[site.record_link(src, i.id, with_title=False), esc(i.title), site.status_badge(i.status),
                           site.person_link(src, i.owner)] for i in imps]) if imps else ""
    rows = [
        (t("owner"), site.person_link(src, obj.owner)),
        (t("horizon"), esc(obj.horizon)),
        (t("parent"), site.record_link(src, obj.parent) if obj.parent else ""),
        (t("children"), _links(site, src, children)),
        (t("tags"), _tags(site, src, obj)),
    ]
    parts = [_dl(rows + custom_fields(site, obj)), _section(t("kpis"), kpis),
             _section(t("contributing"), contributing)]
    return parts


def assessment_card(site: Site, asm: Assessment) -> list[str]:
    t, src = site.t, asm.src_uri
    dims = asm.dimensions
    dim_rows = [[esc(DIMENSION_LABELS[d].get(site.lang, DIMENSION_LABELS[d]["en"])), _number(dims[d])]
                for d in DIMENSIONS if d in dims]
    gap_rows = []
    for gap in asm.gaps:
        imp = site.register.improvement_for_gap.get((asm.id, gap.id))
        status = site.status_badge(imp.status) if isinstance(imp, Improvement) else esc(t("no_improvement"))
        gap_rows.append([f'<span id="gap-{esc(gap.id)}">{esc(gap.id)}</span>', esc(gap.description),
                         site.record_link(src, imp.id) if imp else "", status])
    practice = asm.practice
    rows = [
        (t("practice"), site.affects_link(src, f"practice/{practice}")),
        (t("date"), esc(asm.date)),
        (t("assessor"), site.person_link(src, asm.assessor)),
        (t("level"), f'{_number(asm.level)} → {_number(asm.target_level)}'),
        (t("tags"), _tags(site, src, asm)),
    ]
    parts = [_dl(rows + custom_fields(site, asm)),
             _section(t("dimensions"), table([t("name"), t("level")], dim_rows) if dim_rows else ""),
             _section(t("gaps"),
                      table([t("id"), t("description"), t("improvements"), t("status")], gap_rows) if gap_rows else "")]
    return parts
