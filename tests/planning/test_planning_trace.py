"""Trace diagrams: on an objective's page its improvements and their lessons, on an assessment's
page each gap and its improvement; nodes link their records, a text alternative lists the same
edges, and the layered layout keeps 50 nodes apart."""

from __future__ import annotations

import itertools
import re
from html import unescape

from cir_portal.views import trace
from cirtest.planning import Unseen, read_records
from cirtest.site import link_target, page_file


def _figure(card: str) -> str:
    start = card.index('<figure class="cir-trace"')
    return card[start:card.index("</figure>", start)]


def _nodes(figure: str) -> dict[str, str]:
    return dict((k, unescape(h)) for h, k in re.findall(r'<a class="cir-trace__node[^"]*" href="([^"]+)" data-node="([^"]+)"',
                                                        figure))


def _text_edges(figure: str) -> list[tuple[str, str]]:
    text = figure[figure.index('<details class="cir-trace__text">'):]
    return re.findall(r'<li><a href="[^"]+">(\S+) [^<]*</a> <small>[^<]*</small> → <a href="[^"]+">(\S+) ', text)


def test_objective_diagram_shows_its_improvements_and_their_lessons(unseen: Unseen) -> None:
    records = read_records(unseen.project)
    objective = next(r for r in records if r.id == "OBJ-01")
    imps = [r for r in records if r.kind == "improvement" and "OBJ-01" in (r.front_matter.get("objectives") or [])]
    lessons = {(i.id, x.id) for i in imps for x in records if x.kind == "lesson"
               and (i.id in (x.front_matter.get("improvements") or []) or x.id in (i.front_matter.get("lessons") or []))}
    assert ("IMP-0402", "LL-0402") in lessons
    expected_edges = {("OBJ-01", i.id) for i in imps} | lessons
    figure = _figure(unseen.tree.pages[objective.rel].card)
    nodes = _nodes(figure)
    assert set(nodes) == {"OBJ-01", *(i.id for i in imps), *(lid for _, lid in lessons)}
    by_id = {r.id: r for r in records}
    for rid, href in nodes.items():
        assert link_target(page_file(objective.rel), href, "") == page_file(by_id[rid].rel), rid
    assert set(_text_edges(figure)) == expected_edges
    assert f'data-edges="{len(expected_edges)}"' in figure
    # colours follow the status
    for imp in imps:
        assert re.search(rf'class="cir-trace__node cir-status--{imp.front_matter["status"]}"[^>]*data-node="{imp.id}"', figure)


def test_assessment_diagram_shows_each_gap_and_its_improvement(unseen: Unseen) -> None:
    records = read_records(unseen.project)
    asm = next(r for r in records if r.kind == "assessment")
    gaps = asm.front_matter["gaps"]
    addressed = {(f"{asm.id}#{g['id']}", g["improvement"]) for g in gaps if g.get("improvement")}
    addressed |= {(r.front_matter["source_ref"], r.id) for r in records if r.kind == "improvement"
                  and str(r.front_matter.get("source_ref", "")).startswith(asm.id + "#")}
    assert addressed
    figure = _figure(unseen.tree.pages[asm.rel].card)
    nodes = _nodes(figure)
    assert {k for k in nodes if "#" in k} == {f"{asm.id}#{g['id']}" for g in gaps}
    for key, href in nodes.items():
        if "#" in key:
            assert href == "#gap-" + key.split("#")[1]  # the gap's row on the same page
    text = figure[figure.index('<details class="cir-trace__text">'):]
    edges = set(re.findall(r'<li><a href="#gap-(G\d+)">.*?→ <a href="[^"]+">(IMP-\d+) ', text))
    assert {(f"{asm.id}#{g}", i) for g, i in edges} == addressed


def test_nodes_are_html_links_and_the_svg_holds_no_link(unseen: Unseen) -> None:
    """An <a> inside an SVG breaks Material's instant navigation (its href is not a string)."""
    for card in (p.card for p in unseen.tree.pages.values()):
        for svg in re.findall(r"<svg.*?</svg>", card, re.S):
            assert "<a " not in svg


def test_fifty_nodes_stay_apart_and_in_their_layers() -> None:
    d = trace.Diagram(headings=["A", "B", "C"])
    root = trace.Node("OBJ-01", "OBJ-01", "root", "", "#", "")
    d.add(0, root)
    for k in range(35):
        d.add(1, trace.Node(f"IMP-{k:04d}", f"IMP-{k:04d}", "x", "", "#", ""))
        d.link("OBJ-01", f"IMP-{k:04d}")
    for k in range(14):
        d.add(2, trace.Node(f"LL-{k:04d}", f"LL-{k:04d}", "y", "", "#", ""))
        d.link(f"IMP-{(k * 5) % 35:04d}", f"LL-{k:04d}")
    assert len(d.nodes) == 50
    pos = trace.layout(d)
    for layer_no, layer in enumerate(d.layers):
        ys = sorted(pos[n.key][1] for n in layer)
        assert {pos[n.key][0] for n in layer} == {layer_no * (trace.NODE_W + trace.COL_GAP)}
        assert all(b - a >= trace.NODE_H + trace.ROW_GAP for a, b in itertools.pairwise(ys))
    # each lesson sits level with its improvement (nothing above pushes it down)
    assert pos["LL-0000"][1] == pos["IMP-0000"][1]
    # the objective is centred beside its improvements
    imp_ys = [pos[f"IMP-{k:04d}"][1] for k in range(35)]
    assert pos["OBJ-01"][1] == round((min(imp_ys) + max(imp_ys)) / 2)
