"""Initiatives: an improvement whose parts are other improvements (``part_of``).

The initiative's page lists its parts (status, owner, target date, outcome) with a roll-up
(parts finished / all, summed planned and actual cost, outcomes) and a trace diagram of the
initiative and its parts; each part's card links its initiative (cards.py). The roll-up is
arithmetic on the parts only: the initiative's own costs are on its card already.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from cir_portal.core.i18n import register_strings
from cir_portal.core.model import Improvement, Record
from cir_portal.views import trace
from cir_portal.views.context import Site
from cir_portal.views.markup import esc, table
from cir_portal.views.metrics import num

OUTCOMES = ("achieved", "partially_achieved", "not_achieved")
#: How deep the diagram follows parts of parts.
DEPTH = 3

register_strings({
    "in_parts": {"en": "Parts of this initiative", "zh": "本举措的组成部分"},
    "in_rollup": {"en": "Roll-up of the parts", "zh": "各组成部分汇总"},
    "in_finished": {"en": "Parts finished (any final status) / all", "zh": "已结束的部分（任何终止状态）/ 全部"},
    "in_statuses": {"en": "Parts by status", "zh": "各状态的部分"},
    "in_planned_cost": {"en": "Planned cost, summed", "zh": "计划成本合计"},
    "in_actual_cost": {"en": "Actual cost, summed", "zh": "实际成本合计"},
    "in_of_parts": {"en": "{n} of {m} parts have one", "zh": "{m} 个部分中 {n} 个填写了该项"},
    "in_outcomes": {"en": "Outcomes of the closed parts", "zh": "已关闭部分的结果"},
    "in_diagram": {"en": "The initiative and its parts", "zh": "举措及其组成部分"},
    "in_layer_initiative": {"en": "Initiative", "zh": "举措"},
    "in_layer_parts": {"en": "Parts", "zh": "组成部分"},
    "in_layer_subparts": {"en": "Their parts", "zh": "下级部分"},
})


@dataclass(frozen=True)
class Rollup:
    """What an initiative's parts add up to."""

    parts: int
    finished: int
    statuses: dict[str, int]
    planned_cost: float | None
    planned_n: int
    actual_cost: float | None
    actual_n: int
    outcomes: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"parts": self.parts, "finished": self.finished, "statuses": self.statuses,
                "planned_cost": self.planned_cost, "planned_cost_parts": self.planned_n,
                "actual_cost": self.actual_cost, "actual_cost_parts": self.actual_n, "outcomes": self.outcomes}


def rollup(site: Site, parts: list[Improvement]) -> Rollup:
    """The roll-up of ``parts``: finished counts any terminal status of the workflow."""
    statuses = site.config.workflow.statuses
    planned = [float(p.planned_cost) for p in parts if p.planned_cost is not None]
    actual = [float(p.actual_cost) for p in parts if p.actual_cost is not None]
    outcomes = Counter(p.outcome for p in parts if p.outcome in OUTCOMES)
    by_status = Counter(p.status for p in parts)
    order = [k for k in site.config.workflow.order if by_status.get(k)]
    return Rollup(
        parts=len(parts),
        finished=sum(1 for p in parts if p.status in statuses and statuses[p.status].terminal),
        statuses={k: by_status[k] for k in order},
        planned_cost=sum(planned) if planned else None, planned_n=len(planned),
        actual_cost=sum(actual) if actual else None, actual_n=len(actual),
        outcomes={k: outcomes[k] for k in OUTCOMES if outcomes.get(k)},
    )


def parts_of(site: Site, imp: Improvement) -> list[Improvement]:
    """The initiative's parts, by target date (those without one last), then id."""
    parts = site.register.parts_by_initiative.get(imp.id, [])
    return sorted(parts, key=lambda p: (p.target_date or "9999-99-99", p.id))


def diagram(site: Site, imp: Improvement) -> str:
    """The initiative, its parts and (up to DEPTH levels) their parts."""
    t, src = site.t, imp.src_uri
    d = trace.Diagram(headings=[t("in_layer_initiative"), t("in_layer_parts"), t("in_layer_subparts")])
    d.add(0, trace.record_node(site, src, imp))
    seen = {imp.id}
    level = [imp]
    for depth in range(1, DEPTH + 1):
        following = []
        for parent in level:
            for part in parts_of(site, parent):
                if part.id in seen:
                    continue
                seen.add(part.id)
                d.add(depth, trace.record_node(site, src, part))
                d.link(parent.id, part.id)
                following.append(part)
        if not following:
            break
        level = following
    d.headings = d.headings[:len(d.layers)] + [""] * max(0, len(d.layers) - 3)
    return trace.render(site, d, title=t("in_diagram"))


def parts_section(site: Site, imp: Improvement) -> str:
    """The parts table, the roll-up and the diagram, on the initiative's card."""
    parts = parts_of(site, imp)
    if not parts:
        return ""
    t, src = site.t, imp.src_uri
    r = rollup(site, parts)
    rows = [[site.record_link(src, p.id), site.status_badge(p.status), site.person_link(src, p.owner),
             esc(p.target_date or ""), esc(site.word(p.outcome)) if p.outcome else ""]
            for p in parts]
    listing = table([t("improvement"), t("status"), t("owner"), t("target_date"), t("outcome")], rows,
                    "cir-table cir-initiative-parts")

    def cost(value: float | None, n: int) -> str:
        if value is None:
            return esc(t("none"))
        return f"{esc(num(value))} <small>({esc(t('in_of_parts', n=n, m=r.parts))})</small>"

    statuses = " ".join(f"{site.status_badge(k)} {n}" for k, n in r.statuses.items())
    outcomes = ", ".join(f"{esc(site.word(k))} {n}" for k, n in r.outcomes.items()) or esc(t("none"))
    facts = [
        (t("in_finished"), f'<strong data-rollup="finished">{r.finished} / {r.parts}</strong>'),
        (t("in_statuses"), statuses),
        (t("in_planned_cost"), f'<span data-rollup="planned_cost">{cost(r.planned_cost, r.planned_n)}</span>'),
        (t("in_actual_cost"), f'<span data-rollup="actual_cost">{cost(r.actual_cost, r.actual_n)}</span>'),
        (t("in_outcomes"), f'<span data-rollup="outcomes">{outcomes}</span>'),
    ]
    dl = '<dl class="cir-fields cir-rollup">' + "\n".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
    return (f'<section class="cir-section cir-initiative" data-parts="{r.parts}">'
            f'<h2>{esc(t("in_parts"))} <span class="cir-n">{r.parts}</span></h2>{listing}'
            f'<h3>{esc(t("in_rollup"))}</h3>{dl}{diagram(site, imp)}</section>')


def card_sections(site: Site, record: Record) -> str:
    """An initiative's parts with their roll-up and diagram."""
    return parts_section(site, record) if isinstance(record, Improvement) else ""
