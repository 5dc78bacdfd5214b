"""Chart marks stand out from the charts' canvas (WCAG 2.1 1.4.11, 3:1), and static charts are
images with a name: every Vega-Lite spec and static SVG the portal renders for a register."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cirtest.english import make_english_project

CANVAS = "#ffffff"  # Vega's background, and the static charts' (wcag.css): the same in both palettes
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _units(spec: dict[str, Any], inherited: dict[str, Any] | None = None) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(mark type, mark, encoding) of every single-view part of a spec (layers included)."""
    encoding = {**(inherited or {}), **(spec.get("encoding") or {})}
    if "mark" in spec:
        mark = spec["mark"] if isinstance(spec["mark"], dict) else {"type": spec["mark"]}
        yield mark["type"], mark, encoding
    for layer in spec.get("layer", []):
        yield from _units(layer, encoding)


def mark_colours(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, colour) of each colour a mark is drawn in. Text is left out (measured against the
    mark it sits on), and so are the fills of rect cells that only carry text (heatmap, matrix)."""
    for kind, mark, encoding in _units(spec):
        if kind == "text":
            continue
        keys = ("stroke",) if kind == "rect" else ("color", "stroke", "fill")
        for key in keys:
            if isinstance(mark.get(key), str):
                yield f"{kind}.{key}", mark[key]
        scale = (encoding.get("color") or {}).get("scale") or {}
        if kind != "rect":
            for colour in scale.get("range") or []:
                yield f"{kind} colour scale", colour
    for colour in ((spec.get("config") or {}).get("range") or {}).get("category") or []:
        yield "category palette", colour


@pytest.fixture(scope="module")
def chart_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Every generated page and record card of the English register, concatenated."""
    from cir_portal.core.config import Project
    from cir_portal.core.pipeline import load_register
    from cir_portal.views.tree import build_tree

    root: Path = tmp_path_factory.mktemp("charts")
    project = Project(make_english_project(root / "project"))
    result = load_register(project, use_cache=False)
    assert result.register is not None
    tree = build_tree(result.register, project, epoch=1_767_225_600)
    return "\n".join(part for page in tree.pages.values() for part in (page.content, page.card))


def test_every_chart_mark_has_3_to_1_against_the_canvas(chart_html: str) -> None:
    specs = [json.loads(html.unescape(s)) for s in re.findall(r'data-vega-spec="([^"]*)"', chart_html)]
    assert len(specs) >= 10
    weak = set()
    for spec in specs:
        assert (spec.get("config") or {}).get("background") == CANVAS
        for where, colour in mark_colours(spec):
            if colour.lower() in ("white", "#fff", "#ffffff"):
                continue  # the cell borders of a stacked bar: the canvas itself
            assert HEX.match(colour), f"{where}: {colour} is not #rrggbb"
            if contrast(colour, CANVAS) < 3:
                weak.add(f"{where} {colour} {contrast(colour, CANVAS):.2f}:1")
    assert sorted(weak) == []


def test_static_chart_marks_and_names(chart_html: str) -> None:
    """The hand-drawn static charts: lines, points and bars >= 3:1 against the canvas; in-bar
    counts >= 4.5:1 against their bar; every static chart an image named by its summary."""
    figures = re.findall(r'<figure class="cir-chart">.*?</figure>', chart_html, re.S)
    assert figures
    weak = set()
    for figure in figures:
        static = re.search(r'<div class="cir-chart__static">(<svg\b[^>]*>)(.*?)</svg></div>', figure, re.S)
        assert static, "a chart without its static fallback"
        summary = re.search(r'<p class="cir-chart__summary">(.*?)</p>', figure, re.S)
        assert summary and f'role="img" aria-label="{summary.group(1)}"' in static.group(1)
        assert "aria-hidden" not in static.group(1) and 'role="graphics-' not in static.group(2)
        if "cir-metric-svg" not in static.group(1) and "cir-objective-svg" not in static.group(1):
            continue  # rendered by vl-convert from the spec, whose colours the test above checks
        for element in re.finditer(r"<(polyline|circle|line|path|rect)\b([^>]*)>", static.group(2)):
            attrs = element.group(2)
            if "cir-svg-better" in attrs:
                continue  # the shaded "better" band is a background
            for colour in re.findall(r'(?:stroke|fill)="(#[0-9a-fA-F]{6})"', attrs):
                if colour.lower() != "#ffffff" and contrast(colour, CANVAS) < 3:
                    weak.add(f"{element.group(1)} {colour}")
        for bar, count in re.findall(r'<rect [^>]*fill="(#[0-9a-fA-F]{6})"[^>]*><title>[^<]*</title></rect>'
                                     r'<text [^>]*fill="(#[0-9a-fA-F]{3,6})"', static.group(2)):
            count = "#ffffff" if count.lower() == "#fff" else count
            if contrast(bar, count) < 4.5:
                weak.add(f"count {count} on bar {bar}")
    assert sorted(weak) == []
