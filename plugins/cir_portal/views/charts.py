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
  vl-convert and cached by spec hash, since that costs ~60-250 ms a chart, and starting
  vl-convert ~1-1.5 s; a whole tree's charts are rendered in a helper process, see
  ``Renderer``);
* a text summary and the data table, the chart's text alternative.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

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
    digest, svg = _cached(site, vega_lite)
    return svg if svg is not None else _render(site, vega_lite, digest)


def _cached(site: Site, vega_lite: dict[str, Any]) -> tuple[str, str | None]:
    """The chart's digest (of its spec), and its SVG if the cache has it."""
    digest = hashlib.blake2b(spec_json(vega_lite).encode(), digest_size=16).hexdigest()
    return digest, _read_cached(_cache_dir(site), digest)


def _read_cached(cache: Path, digest: str) -> str | None:
    try:
        return _stable_ids((cache / f"{digest}.svg").read_text(encoding="utf-8"), digest)
    except OSError:
        return None


def _render(site: Site, vega_lite: dict[str, Any], digest: str) -> str:
    """``static_svg`` of a chart not in the cache: rendered here, and cached."""
    cached = _cache_dir(site) / f"{digest}.svg"
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(vega_lite, allowed_base_urls=[])
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1].lstrip()
    svg = _stable_ids(svg, digest)
    _write_atomically(cached, svg.encode("utf-8"))
    return svg


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all: builds, the live preview and the card process
    write the same cache side by side, and a reader must never see half a file (an SVG cut
    short would be published as it is). Nothing if it cannot be written: it is only a cache."""
    part = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(data)
        os.replace(part, path)
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink()


def chart(site: Site, vega_lite: dict[str, Any], *, title: str, summary: str, table_html: str,
          svg: str | None = None) -> str:
    """A figure: interactive view, static SVG fallback, text summary and data table.

    ``title`` and ``summary`` are plain text (escaped here); ``table_html`` and ``svg``
    must already be safe HTML/SVG (built with markup helpers, values escaped).
    """
    vega_lite = readable(vega_lite)
    if svg is not None:
        svg = named_svg(svg, summary)
    elif site.svgs is not None:
        svg = site.svgs.later(site, vega_lite, summary)
    else:
        svg = named_svg(static_svg(site, vega_lite), summary)
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
    _write_atomically(cached, data)
    return data


def files(site: Site, site_url: str = "") -> dict[str, bytes]:
    """The chart loader (linked on every page) and the Vega bundle (loaded only where needed)."""
    return {LOADER_PATH: asset_bytes("charts.js"), BUNDLE_PATH: vega_bundle(site)}


# --- a tree's charts rendered beside it

#: What the helper process runs: vl-convert, started at once (its start takes a second or more),
#: then one chart per line of its input (a spec and where to write its SVG), answered by a line
#: (the path written, or why not). Self-contained: it imports nothing of the portal.
_HELPER = r"""
import json, os, sys
import vl_convert
vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}}, allowed_base_urls=[])
for line in sys.stdin:
    job = json.loads(line)
    try:
        svg = vl_convert.vegalite_to_svg(job["spec"], allowed_base_urls=[])
        if svg.startswith("<?xml"):
            svg = svg.split("?>", 1)[1].lstrip()
        os.makedirs(os.path.dirname(job["path"]), exist_ok=True)
        with open(job["path"] + ".part", "w", encoding="utf-8") as out:
            out.write(svg)
        os.replace(job["path"] + ".part", job["path"])
        answer = {"path": job["path"]}
    except Exception as exc:
        answer = {"path": job["path"], "error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
"""

#: How long (s) the helper may take over one chart before it is given up (and its charts are
#: rendered on the build's thread): vl-convert takes 60-250 ms a chart, after a start of 1-2 s.
ANSWER_TIMEOUT = 60.0


class Renderer:
    """Renders the static SVGs of the charts a tree needs in a helper process (vl-convert), while
    the tree's other pages are made: ``later`` hands a chart over and gives a placeholder that
    ``resolve`` replaces with the chart's SVG once rendered (the same SVG ``static_svg`` makes
    and caches). A cold build of a 2,000-record register spent 3-5 s rendering its 15 charts on
    the build's own thread. A chart the helper cannot render is rendered here (its error then
    reported as ``static_svg`` reports it)."""

    def __init__(self, site: Site) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
        self._cache = _cache_dir(site)
        # A placeholder carries a mark of this renderer's own: text from a record that looks like
        # one (in a page's Markdown) is left as it is. (Placeholders never reach the output.)
        self._mark = f"<!--cir-svg-{secrets.token_hex(8)} "
        self._placeholder = re.compile(re.escape(self._mark) + r"(\d+)-->")
        #: placeholders: the chart (spec, digest) and its summary
        self._charts: list[tuple[dict[str, Any], str, str]] = []
        self._sent: dict[str, str | None] = {}  # digest -> its SVG file once answered, None until then
        self._stopped = False
        # (specs go to the helper on a thread of their own: while vl-convert starts, the pipe
        # fills, and the build's thread must not wait for it)
        self._jobs: queue.Queue[str | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write, args=(self._proc.stdin,), name="cir-charts", daemon=True)
        self._writer.start()
        # (its answers are read on another: a helper that hangs is given up after ANSWER_TIMEOUT)
        self._answers: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(self._proc.stdout,), name="cir-charts-answers",
                                        daemon=True)
        self._reader.start()

    def _read(self, pipe: IO[str] | None) -> None:
        assert pipe is not None
        try:
            for line in pipe:
                self._answers.put(line)
        except (OSError, ValueError):  # (closed)
            pass
        self._answers.put("")

    def _write(self, pipe: IO[str] | None) -> None:
        assert pipe is not None
        try:
            while (line := self._jobs.get()) is not None:
                pipe.write(line)
                pipe.flush()
        except OSError:  # the helper stopped: its charts are rendered in resolve
            pass
        finally:
            with suppress(OSError):
                pipe.close()

    def later(self, site: Site, vega_lite: dict[str, Any], summary: str) -> str:
        """The chart's static SVG, named by ``summary``, or a placeholder for it."""
        digest, svg = _cached(site, vega_lite)
        if svg is not None:
            return named_svg(svg, summary)
        if digest not in self._sent:
            self._sent[digest] = None
            path = str(self._cache / f"{digest}.svg")
            self._jobs.put(json.dumps({"spec": vega_lite, "path": path}, ensure_ascii=False) + "\n")
        self._charts.append((vega_lite, digest, summary))
        return f"{self._mark}{len(self._charts) - 1}-->"

    def resolve(self, site: Site, html: str) -> str:
        """``html`` with its placeholders replaced by their charts' SVGs."""
        def svg(match: re.Match[str]) -> str:
            vega_lite, digest, summary = self._charts[int(match.group(1))]
            return named_svg(self._svg(site, vega_lite, digest), summary)

        return self._placeholder.sub(svg, html) if self._mark in html else html

    def _svg(self, site: Site, vega_lite: dict[str, Any], digest: str) -> str:
        while self._sent.get(digest) is None and self._answer():
            pass
        svg = _read_cached(self._cache, digest) if self._sent.get(digest) else None
        # (the helper could not: rendered here, as static_svg would)
        return svg if svg is not None else _render(site, vega_lite, digest)

    def _answer(self) -> bool:
        """Read the helper's next answer; False when it has stopped (or says what it should not:
        then it is not asked again)."""
        if self._stopped:
            return False
        try:
            line = self._answers.get(timeout=ANSWER_TIMEOUT)
        except queue.Empty:
            line = ""
            self._proc.kill()
        try:
            answer = json.loads(line)
            digest = Path(answer["path"]).stem
        except (ValueError, TypeError, KeyError):  # (an empty line: it has stopped)
            self._stopped = True
            return False
        self._sent[digest] = "" if "error" in answer else answer["path"]
        return True

    def close(self) -> None:
        self._jobs.put(None)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._writer.join()
        self._reader.join()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


@contextmanager
def rendering(site: Site) -> Iterator[Renderer | None]:
    """A ``Renderer`` for the charts of ``site`` (``site.svgs`` meanwhile) when its chart cache
    has none yet (a first build: warm builds find every chart cached), else None."""
    cache = _cache_dir(site)
    if site.svgs is not None or (cache.is_dir() and any(cache.glob("*.svg"))):
        yield None
        return
    try:
        renderer = site.svgs = Renderer(site)
    except OSError:  # (no process to be had: each chart is rendered when asked for, as before)
        yield None
        return
    try:
        yield renderer
    finally:
        site.svgs = None
        renderer.close()
