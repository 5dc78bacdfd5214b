"""Charts: Vega-Lite specs, offline rendering and accessible alternatives.

Charts are plain Vega-Lite dicts (no altair at build time: a large register has thousands
of metric charts, and altair costs ~15 ms a spec; the test suite validates every spec the
portal emits against the Vega-Lite schema that altair ships) until ``chart()`` turns one
into a figure with:

* an interactive view: the spec in an HTML-escaped ``data-`` attribute (not a JSON
  script tag, which Material's instant navigation would run as JavaScript), drawn in the
  browser by a Vega bundle served from the site itself and loaded only on pages that have
  a chart; ``assets/cir/charts.js`` initialises views on every ``document$`` emission;
* a static SVG fallback for print and no-JS (given by the caller, or rendered with
  vl-convert and cached by spec hash, since that costs ~60 ms a chart);
* a text summary and the data table, the chart's text alternative.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cir_portal.core.i18n import register_strings
from cir_portal.views.context import ASSET_DIR, asset_bytes
from cir_portal.views.markup import esc

if TYPE_CHECKING:
    from cir_portal.views.context import Site

BUNDLE_PATH = f"{ASSET_DIR}/vendor/vega-bundle.js"
LOADER_PATH = f"{ASSET_DIR}/charts.js"

register_strings({
    "chart_data": {"en": "Data table", "zh": "数据表"},
})


def spec(vega_lite: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite dict with its keys sorted and only JSON types (deterministic output)."""
    result: dict[str, Any] = json.loads(json.dumps(vega_lite, sort_keys=True, default=str))
    return result


def spec_json(vega_lite: dict[str, Any]) -> str:
    return json.dumps(vega_lite, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _cache_dir(site: Site) -> Path:
    return site.project.root / ".cir-cache" / "charts"


_GRADIENT_ID = re.compile(r"\bgradient_(\d+)\b")


def _stable_ids(svg: str, digest: str) -> str:
    """``svg`` with vl-convert's gradient ids (numbered by how many charts the process drew before:
    the same chart came out different after other charts) named after the chart's spec instead."""
    numbers: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        return f"cir-{digest[:12]}-{numbers.setdefault(match.group(1), len(numbers))}"

    return _GRADIENT_ID.sub(rename, svg)


def static_svg(site: Site, vega_lite: dict[str, Any]) -> str:
    """The chart rendered to SVG by vl-convert (no remote data), cached by spec hash."""
    text = spec_json(vega_lite)
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    cached = _cache_dir(site) / f"{digest}.svg"
    try:
        return _stable_ids(cached.read_text(encoding="utf-8"), digest)
    except OSError:
        pass
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(vega_lite, allowed_base_urls=[])
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1].lstrip()
    svg = _stable_ids(svg, digest)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(svg, encoding="utf-8")
    except OSError:
        pass
    return svg


def chart(site: Site, vega_lite: dict[str, Any], *, title: str, summary: str, table_html: str,
          svg: str | None = None) -> str:
    """A figure: interactive view, static SVG fallback, text summary and data table.

    ``title`` and ``summary`` are plain text (escaped here); ``table_html`` and ``svg``
    must already be safe HTML/SVG (built with markup helpers, values escaped).
    """
    vega_lite = readable(vega_lite)
    if svg is None:
        svg = static_svg(site, vega_lite)
    svg = named_svg(svg, summary)
    return (
        '<figure class="cir-chart">'
        f'<figcaption class="cir-chart__title">{esc(title)}</figcaption>'
        f'<div class="cir-chart__view" role="img" aria-label="{esc(summary)}" data-vega-spec="{esc(spec_json(vega_lite))}"></div>'
        f'<div class="cir-chart__static">{svg}</div>'
        f'<p class="cir-chart__summary">{esc(summary)}</p>'
        f'<details class="cir-chart__data"><summary>{esc(site.t("chart_data"))}</summary>{table_html}</details>'
        "</figure>"
    )


#: Colours for categories a chart does not colour itself: each >= 4.5:1 against the charts'
#: white canvas (Vega's default palette has yellows and greys below 2:1).
CATEGORY_COLOURS = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#8d6e00", "#00838f", "#ad1457", "#455a64", "#5d4037",
                    "#827717"]


def readable(vega_lite: dict[str, Any]) -> dict[str, Any]:
    """The spec with a white canvas and categories in ``CATEGORY_COLOURS`` unless it sets its own."""
    config = dict(vega_lite.get("config") or {})
    ranges = dict(config.get("range") or {})
    ranges.setdefault("category", CATEGORY_COLOURS)
    config["range"] = ranges
    config.setdefault("background", "#ffffff")
    return {**vega_lite, "config": config}


_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_INNER_ARIA = re.compile(r'\s(?:role="graphics-[a-z-]+"|aria-roledescription="[^"]*"|aria-label="[^"]*")')


def named_svg(svg: str, summary: str) -> str:
    """A static chart as one image named by its summary (``role="img"``, ``aria-label``, ``<title>``).

    vl-convert labels each mark group for a screen reader and leaves some unnamed; inside an
    image those roles mean nothing, so they are dropped: the chart's words are its summary and
    its data table.
    """
    root = _SVG_ROOT.search(svg)
    if root is None:
        return svg
    tag = re.sub(r'\s(?:aria-hidden|role|aria-label)="[^"]*"', "", root.group(0))
    tag = tag[:-1].rstrip("/").rstrip() + f' role="img" aria-label="{esc(summary)}">'
    inner = _INNER_ARIA.sub("", svg[root.end():])
    return svg[:root.start()] + tag + f"<title>{esc(summary)}</title>" + inner


def _user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cir-portal"


def vega_bundle(site: Site) -> bytes:
    """Vega, Vega-Lite and vega-embed in one offline file, wrapped so its names stay private.

    Generating it takes ~2 s and depends only on the installed vl-convert, so it is cached
    per vl-convert version in the user's cache folder (``$XDG_CACHE_HOME/cir-portal``).
    """
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    cached = _user_cache() / f"vega-bundle-{version}.js"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = ("/* Vega, Vega-Lite, vega-embed: bundled by vl-convert " + version + " */\n(function(){\n"
            + vl_convert.javascript_bundle()  # type: ignore[call-arg]  # the stub misses the default
            + "\n})();\n").encode("utf-8")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
    except OSError:
        pass
    return data


def files(site: Site, site_url: str = "") -> dict[str, bytes]:
    """The chart loader (linked on every page) and the Vega bundle (loaded only where needed)."""
    return {LOADER_PATH: asset_bytes("charts.js"), BUNDLE_PATH: vega_bundle(site)}
