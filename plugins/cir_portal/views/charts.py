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


def static_svg(site: Site, vega_lite: dict[str, Any]) -> str:
    """The chart rendered to SVG by vl-convert (no remote data), cached by spec hash."""
    text = spec_json(vega_lite)
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    cached = _cache_dir(site) / f"{digest}.svg"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(vega_lite, allowed_base_urls=[])
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1].lstrip()
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
    if svg is None:
        svg = static_svg(site, vega_lite)
    return (
        '<figure class="cir-chart">'
        f'<figcaption class="cir-chart__title">{esc(title)}</figcaption>'
        f'<div class="cir-chart__view" role="img" aria-label="{esc(summary)}" data-vega-spec="{esc(spec_json(vega_lite))}"></div>'
        f'<div class="cir-chart__static">{svg}</div>'
        f'<p class="cir-chart__summary">{esc(summary)}</p>'
        f'<details class="cir-chart__data"><summary>{esc(site.t("chart_data"))}</summary>{table_html}</details>'
        "</figure>"
    )


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
