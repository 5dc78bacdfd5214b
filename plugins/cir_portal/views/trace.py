"""Trace diagrams: the links between records drawn as a layered picture, with a text alternative.

On an objective's page: the objective, the improvements that contribute to it and their
lessons. On an assessment's page: each gap and the improvement that addresses it. An
initiative's parts are drawn by ``initiatives`` with the same function.

The layout is a simple layered one, computed here (no layout library, nothing loaded in the
browser): one column per layer, left to right; a node sits level with the mean of the nodes
that link to it when there is room, so that edges stay short and rarely cross. Nodes are
HTML links positioned over an SVG that only draws the edges: an ``<a>`` inside an SVG breaks
Material's instant navigation (its click handler reads ``a.href`` as a string, and an SVG
link's ``href`` is an ``SVGAnimatedString``), while HTML links work without JavaScript, after
instant navigation and in print. Every value is escaped; output is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cir_portal.core.i18n import register_strings
from cir_portal.core.model import Assessment, Improvement, Lesson, Objective, Record
from cir_portal.views.context import Site
from cir_portal.views.markup import esc

#: Node box and spacing, in CSS pixels (the canvas scrolls sideways on narrow screens).
NODE_W, NODE_H, ROW_GAP, COL_GAP, TOP = 190, 42, 10, 48, 26
#: An objective with more contributing improvements than this draws the open ones first, up to it.
MAX_IMPROVEMENTS = 60

register_strings({
    "tr_diagram": {"en": "Trace diagram", "zh": "追溯图"},
    "tr_objective": {"en": "The objective, its improvements and their lessons",
                     "zh": "目标、支撑它的改进及其经验教训"},
    "tr_assessment": {"en": "Each gap and the improvement that addresses it", "zh": "各项差距及应对它的改进"},
    "tr_as_text": {"en": "The diagram as text", "zh": "追溯图的文字版"},
    "tr_summary": {"en": "{nodes} records and {edges} links; every node links to its record, colours follow the status.",
                   "zh": "共 {nodes} 个节点、{edges} 条连线；每个节点都链接到对应记录，颜色表示状态。"},
    "tr_links_to": {"en": "{a} → {b}", "zh": "{a} → {b}"},
    "tr_no_links": {"en": "{a} (no link)", "zh": "{a}（无连线）"},
    "tr_more": {"en": "{n} more improvements are not drawn (closed ones first); the table above lists every one.",
                "zh": "另有 {n} 项改进未画出（优先省略已结束的）；上方表格列出了全部改进。"},
    "tr_gaps": {"en": "Gaps", "zh": "差距"},
    "tr_layer_objective": {"en": "Objective", "zh": "目标"},
    "tr_layer_improvements": {"en": "Improvements", "zh": "改进"},
    "tr_layer_lessons": {"en": "Lessons", "zh": "经验教训"},
    "tr_gap_open": {"en": "no improvement yet", "zh": "尚无改进"},
})


@dataclass(frozen=True)
class Node:
    """One box of a diagram. ``key`` is unique in the diagram; ``href`` is relative to the page."""

    key: str
    label: str  # first line: id (bold) ...
    text: str  # ... and title, cut with an ellipsis by CSS; the full text is the link's title
    note: str  # second line: the status (or the lesson's kind)
    href: str
    cls: str  # colour class: cir-status--<status>, cir-trace--lesson-<kind>, ...


@dataclass
class Diagram:
    """Layers of nodes (left to right) and the edges between them (``(from key, to key)``)."""

    layers: list[list[Node]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def add(self, layer: int, node: Node) -> None:
        while len(self.layers) <= layer:
            self.layers.append([])
        if all(n.key != node.key for n in self.layers[layer]):
            self.layers[layer].append(node)

    def link(self, a: str, b: str) -> None:
        if (a, b) not in self.edges:
            self.edges.append((a, b))

    @property
    def nodes(self) -> list[Node]:
        return [n for layer in self.layers for n in layer]


# --- layout

def layout(diagram: Diagram) -> dict[str, tuple[int, int]]:
    """The (x, y) of every node's top-left corner.

    Layers become columns. Each layer after the first is ordered by the mean row of the
    nodes linking to it (ties keep the given order), then placed top-down, each node level
    with that mean when the previous node leaves room. The first layer is then moved level
    with the nodes it links to (an objective beside its improvements, not above them).
    """
    row = NODE_H + ROW_GAP
    ys: dict[str, float] = {}
    parents: dict[str, list[str]] = {}
    children: dict[str, list[str]] = {}
    for a, b in diagram.edges:
        parents.setdefault(b, []).append(a)
        children.setdefault(a, []).append(b)

    def place(nodes: Sequence[Node], wish: dict[str, float]) -> None:
        y = float(TOP) - row
        for node in nodes:
            y = max(y + row, wish.get(node.key, y + row))
            ys[node.key] = y

    for i, layer in enumerate(diagram.layers):
        if i == 0:
            place(layer, {})
            continue
        wish = {}
        for node in layer:
            above = [ys[p] for p in parents.get(node.key, []) if p in ys]
            if above:
                wish[node.key] = sum(above) / len(above)
        order = {n.key: k for k, n in enumerate(layer)}
        layer.sort(key=lambda n: (wish.get(n.key, float("inf")), order[n.key]))
        place(layer, wish)
    if len(diagram.layers) > 1:
        wish = {}
        for node in diagram.layers[0]:
            below = [ys[c] for c in children.get(node.key, []) if c in ys]
            if below:
                wish[node.key] = (min(below) + max(below)) / 2
        place(diagram.layers[0], wish)
    out = {}
    for i, layer in enumerate(diagram.layers):
        for node in layer:
            out[node.key] = (i * (NODE_W + COL_GAP), round(ys[node.key]))
    return out


def _edge_path(a: tuple[int, int], b: tuple[int, int]) -> str:
    x1, y1 = a[0] + NODE_W, a[1] + NODE_H // 2
    x2, y2 = b[0], b[1] + NODE_H // 2
    mid = (x1 + x2) / 2
    return f"M{x1} {y1}C{mid:.0f} {y1} {mid:.0f} {y2} {x2} {y2}"


# --- rendering

def render(site: Site, diagram: Diagram, *, title: str, note: str = "") -> str:
    """The diagram as a figure: positioned HTML links over an SVG of the edges, then the
    same nodes and edges as a list (the text alternative)."""
    t = site.t
    if not diagram.nodes:
        return ""
    pos = layout(diagram)  # orders each layer too: the links follow in reading order
    nodes = diagram.nodes
    width = len(diagram.layers) * NODE_W + (len(diagram.layers) - 1) * COL_GAP
    height = max(y for _, y in pos.values()) + NODE_H + 4
    paths = "".join(f'<path d="{_edge_path(pos[a], pos[b])}"/>' for a, b in diagram.edges if a in pos and b in pos)
    svg = (f'<svg class="cir-trace__edges" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'aria-hidden="true" focusable="false">{paths}</svg>')
    heads = "".join(f'<span class="cir-trace__heading" style="left:{i * (NODE_W + COL_GAP)}px;width:{NODE_W}px">'
                    f"{esc(h)}</span>" for i, h in enumerate(diagram.headings) if h)
    boxes = []
    for node in nodes:
        x, y = pos[node.key]
        boxes.append(f'<a class="cir-trace__node {esc(node.cls)}" href="{esc(node.href)}" data-node="{esc(node.key)}" '
                     f'style="left:{x}px;top:{y}px;width:{NODE_W}px;height:{NODE_H}px" '
                     f'title="{esc(f"{node.label} {node.text} · {node.note}".strip())}">'
                     f'<span class="cir-trace__line"><strong>{esc(node.label)}</strong> {esc(node.text)}</span>'
                     f'<span class="cir-trace__note">{esc(node.note)}</span></a>')
    summary = t("tr_summary", nodes=len(nodes), edges=len(diagram.edges))
    by_key = {n.key: n for n in nodes}
    linked = {k for edge in diagram.edges for k in edge}

    def item(node: Node) -> str:
        return f'<a href="{esc(node.href)}">{esc(node.label)} {esc(node.text)}</a> <small>({esc(node.note)})</small>'

    lines = [f"<li>{t('tr_links_to', a=item(by_key[a]), b=item(by_key[b]))}</li>"
             for a, b in diagram.edges if a in by_key and b in by_key]
    lines += [f"<li>{t('tr_no_links', a=item(n))}</li>" for n in nodes if n.key not in linked]
    return (f'<figure class="cir-trace" data-nodes="{len(nodes)}" data-edges="{len(diagram.edges)}">'
            f'<figcaption class="cir-trace__title">{esc(title)}</figcaption>'
            f'<p class="cir-trace__summary">{esc(summary)}</p>'
            f'<div class="cir-trace__scroll"><div class="cir-trace__canvas" role="group" aria-label="{esc(title)}" '
            f'style="width:{width}px;height:{height}px">{heads}{svg}{"".join(boxes)}</div></div>'
            + (f'<p class="cir-note">{esc(note)}</p>' if note else "")
            + f'<details class="cir-trace__text"><summary>{esc(t("tr_as_text"))}</summary>'
            f'<ul>{"".join(lines)}</ul></details></figure>')


# --- nodes of records

def record_node(site: Site, src: str, record: Record) -> Node:
    """A node for any record, coloured by its status (lessons by their kind)."""
    href = site.href(src, record.src_uri)
    if isinstance(record, Improvement):
        return Node(record.id, record.id, record.title, site.status_label(record.status), href,
                    f"cir-status--{record.status}")
    if isinstance(record, Lesson):
        kind = record.lesson_kind or "observation"
        return Node(record.id, record.id, record.title, site.word(kind), href, f"cir-trace--lesson cir-trace--{kind}")
    return Node(record.id, record.id, record.title, site.t(record.kind), href, f"cir-trace--{record.kind}")


def improvements_for_diagram(site: Site, imps: Sequence[Improvement]) -> tuple[list[Improvement], int]:
    """At most MAX_IMPROVEMENTS of ``imps``, open ones first (then the most recently raised); how many were left out."""
    if len(imps) <= MAX_IMPROVEMENTS:
        return list(imps), 0
    statuses = site.config.workflow.statuses
    ranked = sorted(imps, key=lambda i: i.raised, reverse=True)
    ranked.sort(key=lambda i: bool(statuses[i.status].terminal) if i.status in statuses else True)
    keep = {i.id for i in ranked[:MAX_IMPROVEMENTS]}
    return [i for i in imps if i.id in keep], len(imps) - MAX_IMPROVEMENTS


def objective_diagram(site: Site, obj: Objective) -> str:
    """The objective, its contributing improvements and their lessons."""
    t, src, reg = site.t, obj.src_uri, site.register
    imps, left_out = improvements_for_diagram(site, reg.improvements_by_objective.get(obj.id, []))
    if not imps:
        return ""
    d = Diagram(headings=[t("tr_layer_objective"), t("tr_layer_improvements"), t("tr_layer_lessons")])
    d.add(0, record_node(site, src, obj))
    for imp in imps:
        d.add(1, record_node(site, src, imp))
        d.link(obj.id, imp.id)
        for lesson in reg.lessons_by_improvement.get(imp.id, []):
            d.add(2, record_node(site, src, lesson))
            d.link(imp.id, lesson.id)
    if len(d.layers) < 3:
        d.headings = d.headings[:2]
    return render(site, d, title=t("tr_objective"), note=t("tr_more", n=left_out) if left_out else "")


def assessment_diagram(site: Site, asm: Assessment) -> str:
    """Each gap of the assessment and the improvement that addresses it."""
    t, src = site.t, asm.src_uri
    if not asm.gaps:
        return ""
    d = Diagram(headings=[t("tr_gaps"), t("tr_layer_improvements")])
    for gap in asm.gaps:
        gid = gap.id
        imp = site.register.improvement_for_gap.get((asm.id, gid))
        key = f"{asm.id}#{gid}"
        d.add(0, Node(key, gid, gap.description, imp.id if imp else t("tr_gap_open"),
                      f"#gap-{gid}", "cir-trace--gap" if imp else "cir-trace--gap cir-trace--gap-open"))
        if imp is not None:
            d.add(1, record_node(site, src, imp))
            d.link(key, imp.id)
    return render(site, d, title=t("tr_assessment"))


def card_sections(site: Site, record: Record) -> str:
    """The trace diagram on an objective's and an assessment's page."""
    if isinstance(record, Objective):
        body = objective_diagram(site, record)
    elif isinstance(record, Assessment):
        body = assessment_diagram(site, record)
    else:
        return ""
    if not body:
        return ""
    return f'<section class="cir-section cir-trace-section" data-pagefind-ignore><h2>{esc(site.t("tr_diagram"))}</h2>{body}</section>'
