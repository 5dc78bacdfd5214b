"""Benchmark the portal's search (Pagefind) and the register page on synthetic registers.

For each size N, a synthetic register (scripts/synthetic.py) is written to a temporary
folder (not timed), with two words planted in it so that each query has one right answer:
a Chinese word (骆驼) in the body of one improvement, and an English word (Kestrel) in the
title of an improvement whose title is Chinese. Then:

build   ``mkdocs build`` of the portal (its plugin feeds each page to Pagefind as it is written and
        writes the index at the end), against the same build without search (up to
        ``--baseline-max`` records): wall and CPU time (the machine may be shared; CPU time is the
        steadier figure). ``--material`` also builds the way the portal did before (Material's
        search plugin, the portal's own search off), for comparison. ``--builds`` of each,
        alternately (medians shown): on a shared machine one build of each varies by a second.
index   total bytes of the index proper (chunks, fragments, filters, metadata) and of the
        whole Pagefind bundle (with its JavaScript and WebAssembly).
query   headless Chromium (fresh profile per run, the site served from 127.0.0.1):
        ``search/?q=<word>`` until the first result is shown (the page marks it with
        performance.mark), the bytes the reader transferred for it (Pagefind's files, and
        everything the page loaded), and whether the first result is the planted record;
        also typing the word in the header box of the home page until the first option shows.
register the register page: first contentful paint (its first rows are in the HTML) and when
        its index (size shown) has arrived.

Usage::

    python scripts/bench_search.py [--sizes 500,2000,10000] [--runs 3] [--builds 3] [--material]

Targets (issue 11): at 10,000 the time to the first result at most 2.5 x the time at 500; a
query transfers at most 2 MB; indexing adds at most 10 % to a 2,000-record build. Needs the
test extras (Playwright) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_validate import machine  # noqa: E402
from cir_portal.views.premade import PREMADE_ENV, core_to_spare  # noqa: E402
from synthetic import generate  # noqa: E402

ZH_WORD = "骆驼"
EN_WORD = "Kestrel"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
INDEX_LOG = re.compile(r"search index: (\d+) pages(?: in \d+ parts)? in ([\d.]+) s after the pages \(([\d.]+) s CPU in all"
                       r"(?:, Pagefind's peak memory (\d+) MiB)?\)")
NO_SEARCH_PLUGINS = "plugins:\n  - cir:\n      search: false\n"
FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)
MATERIAL_PLUGINS = "plugins:\n  - cir:\n      search: false\n  - search\n"


@dataclass
class Planted:
    zh_url: str
    en_url: str
    en_title: str


def plant(project: Path) -> Planted:
    """Put ZH_WORD in one improvement's body and EN_WORD in a Chinese title; returns their page URLs."""
    files = sorted((project / "content" / "improvements").glob("*.md"))
    body_target = files[len(files) // 2]
    text = body_target.read_text(encoding="utf-8")
    note = f"\n\n## 备注\n\n评审会上有人把这个积压的工单比作一头{ZH_WORD}：慢，但是走得远。\n"
    body_target.write_text(text.rstrip("\n") + note, encoding="utf-8")
    for path in files[len(files) // 3:]:
        text = path.read_text(encoding="utf-8")
        match = re.search(r"(?m)^title: (.*)$", FRONT.match(text).group(1))  # type: ignore[union-attr]
        assert match
        title = json.loads(match.group(1)) if match.group(1).startswith('"') else match.group(1)
        if re.search(r"[A-Za-z]", title) or not re.search(r"[\u4e00-\u9fff]", title):
            continue
        new_title = f"{title} {EN_WORD}"
        path.write_text(text.replace(match.group(0), "title: " + json.dumps(new_title, ensure_ascii=False), 1),
                        encoding="utf-8")
        return Planted(_url(body_target), _url(path), new_title)
    raise SystemExit("no improvement with a Chinese-only title to plant the English word in")


def _url(path: Path) -> str:
    return f"/improvements/{path.stem}/"


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def build(project: Path, config: str, site: Path, env_extra: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the build and its children, log)."""
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env_extra or {})}
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", config, "-d", str(site)], cwd=project, env=env,
                          capture_output=True, text=True, check=False)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"mkdocs build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, done.stdout + done.stderr


def variant(project: Path, name: str, plugins: str) -> str:
    """A copy of the project's mkdocs.yml with other plugins; returns its file name."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / name).write_text(re.sub(r"(?ms)^plugins:\n.*?(?=^\S)", plugins, text), encoding="utf-8")
    return name


def bundle_bytes(site: Path) -> tuple[int, int, int]:
    """(index bytes, bundle bytes, files) of site/pagefind."""
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    index = sum(p.stat().st_size for p in files if p.suffix in (".pf_index", ".pf_fragment", ".pf_filter", ".pf_meta"))
    return index, sum(p.stat().st_size for p in files), len(files)


@dataclass
class Query:
    first_ms: list[float] = field(default_factory=list)
    box_ms: list[float] = field(default_factory=list)
    pagefind_bytes: int = 0
    page_bytes: int = 0
    requests: int = 0
    first_url: str = ""
    rank: int = -1


def measure_query(browser: Any, url: str, word: str, target: str, runs: int) -> Query:
    from urllib.parse import quote

    out = Query()
    for run in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        done: list[Any] = []
        page.on("requestfinished", lambda request, done=done: done.append(request))
        page.goto(url + "search/?q=" + quote(word))
        page.wait_for_selector(".cir-search__results .cir-search-hit", timeout=120_000)
        mark = page.evaluate("performance.getEntriesByName('cir-search-first-result').map(e => e.startTime)")
        out.first_ms.append(mark[0] if mark else float("nan"))
        if run == 0:
            hrefs = page.eval_on_selector_all(".cir-search__results .cir-search-hit a",
                                              "links => links.map(a => a.getAttribute('href'))")
            out.first_url = hrefs[0] if hrefs else ""
            out.rank = hrefs.index(target) + 1 if target in hrefs else -1
            page.wait_for_timeout(300)  # let the page's last requests finish
            sizes = {r.url: r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in done}
            out.pagefind_bytes = sum(n for u, n in sizes.items() if "/pagefind/" in u)
            out.page_bytes = sum(sizes.values())
            out.requests = sum(1 for u in sizes if "/pagefind/" in u)
        context.close()
        # the header box of the home page: typing until the first option shows (cold)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        box = page.locator("#cir-search-box-q")
        start = time.perf_counter()
        box.fill(word)
        page.wait_for_selector("#cir-search-box-list [role=option]", timeout=120_000)
        out.box_ms.append((time.perf_counter() - start) * 1000)
        context.close()
    return out


def measure_register(browser: Any, url: str, runs: int) -> tuple[float, float, int]:
    """(first contentful paint ms, index arrived ms, index bytes), medians."""
    paints, loads, size = [], [], 0
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(url + "register/")
        page.wait_for_selector(".cir-register[data-loaded]", timeout=120_000)
        found = page.evaluate("""() => ({
          fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
          rows: document.querySelectorAll('.cir-register tbody tr').length,
          index: performance.getEntriesByType('resource').filter(e => e.name.includes('register-index.json'))
                   .map(e => ({end: e.responseEnd, size: e.encodedBodySize}))[0],
        })""")
        paints.append(found["fcp"])
        loads.append(found["index"]["end"])
        size = found["index"]["size"]
        context.close()
    return statistics.median(paints), statistics.median(loads), size


def bench(n: int, seed: int, runs: int, builds: int, material: bool, baseline_max: int, browser: Any
          ) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"cir-search-{n}-") as tmp:
        project = Path(tmp) / "project"
        start = time.perf_counter()
        generate(n, project, seed=seed)
        shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        planted = plant(project)
        records = sum(1 for _ in (project / "content").rglob("*.md")) - 1
        print(f"\nN = {n:,} improvements: {records:,} record files, seed {seed}; generated in "
              f"{time.perf_counter() - start:.1f} s (not timed); {ZH_WORD} planted in {planted.zh_url}, "
              f"{EN_WORD} in the title of {planted.en_url} ({planted.en_title})")
        site = Path(tmp) / "site"
        # The build without search is the same build minus the index: where the card process
        # (views/premade.py) runs only without the index (two cores: Pagefind takes the second),
        # the baseline makes its cards in-process too, as the build with the index does.
        cards_apart = core_to_spare(search=False) and not core_to_spare(search=True)
        base_env = {PREMADE_ENV: str(10**9)} if cards_apart else None
        walls, cpus, base_walls, base_cpus, tails, index_cpus, peaks = [], [], [], [], [], [], []
        for _ in range(builds):  # alternately, so that a change in the machine's load hits both
            if n <= baseline_max:
                base_wall, base_cpu, _ = build(project, variant(project, "no-search.yml", NO_SEARCH_PLUGINS), site,
                                               base_env)
                base_walls.append(base_wall)
                base_cpus.append(base_cpu)
            wall, cpu, log = build(project, "mkdocs.yml", site)
            match = INDEX_LOG.search(log)
            if not match:
                raise SystemExit(f"the build did not index the site:\n{log[-2000:]}")
            walls.append(wall)
            cpus.append(cpu)
            tails.append(float(match.group(2)))
            index_cpus.append(float(match.group(3)))
            peaks.append(float(match.group(4) or "nan"))
        assert match is not None  # (builds >= 1)
        pages = int(match.group(1))
        wall, cpu, tail_s, index_cpu = (statistics.median(x) for x in (walls, cpus, tails, index_cpus))
        if n <= baseline_max:
            base_wall, base_cpu = statistics.median(base_walls), statistics.median(base_cpus)
        each = f" (median of {builds}: {', '.join(f'{w:.1f}' for w in walls)} s)" if builds > 1 else ""
        print(f"  build with the search index: {wall:.1f} s wall{each}, {cpu:.1f} s CPU; {pages:,} pages indexed, "
              f"{index_cpu:.1f} s CPU (Pagefind, beside the build), {tail_s:.1f} s waited for after the last page; "
              f"Pagefind's peak memory {max(peaks):.0f} MiB")
        row: dict[str, Any] = {"n": n, "build_s": wall, "build_cpu": cpu, "tail_s": tail_s, "index_cpu": index_cpu,
                               "index_mib": max(peaks)}
        if n <= baseline_max:
            each = f" (median of {builds}: {', '.join(f'{w:.1f}' for w in base_walls)} s)" if builds > 1 else ""
            # each pair (one build without the index, then one with it) measured under the same load: the
            # median of the pairs' ratios, which a slow stretch of the machine moves less than a ratio of medians
            pairs = [w / b for w, b in zip(walls, base_walls, strict=True)]
            pair = statistics.median(pairs)
            if cards_apart:
                print(f"  (without search this machine would make the cards in another process, with the index it "
                      f"cannot: the build without search below makes them in-process, {PREMADE_ENV}={10**9})")
            print(f"  build without search:        {base_wall:.1f} s wall{each}, {base_cpu:.1f} s CPU: the index adds "
                  f"{(wall / base_wall - 1) * 100:+.1f} % wall, {(cpu / base_cpu - 1) * 100:+.1f} % CPU")
            if builds > 1:
                print(f"  with / without per pair: {', '.join(f'{r:.2f}' for r in pairs)}"
                      f" (median {pair:.2f})")
            row.update(base_s=base_wall, base_cpu=base_cpu, pair=pair)
        if material:
            old_site = Path(tmp) / "material-site"
            old_wall, old_cpu, _ = build(project, variant(project, "material.yml", MATERIAL_PLUGINS), old_site)
            old_index = old_site / "search" / "search_index.json"
            print(f"  build with Material's search plugin instead (as before): {old_wall:.1f} s wall, {old_cpu:.1f} s CPU, "
                  f"search_index.json {old_index.stat().st_size / 2**20:.1f} MiB")
            shutil.rmtree(old_site)
        index_bytes, total_bytes, files = bundle_bytes(site)
        print(f"  index: {index_bytes / 2**20:.1f} MiB in chunks, fragments, filters and metadata; "
              f"bundle {total_bytes / 2**20:.1f} MiB in {files:,} files")
        row["index_bytes"] = index_bytes
        with serve(site) as url:
            print(f"  {'query':<22}{'first result ms':>16}{'box ms':>9}{'pagefind KiB':>14}{'page KiB':>10}"
                  f"{'requests':>10}  first result")
            for label, word, target in (("zh body " + ZH_WORD, ZH_WORD, planted.zh_url),
                                        ("en title " + EN_WORD, EN_WORD, planted.en_url)):
                q = measure_query(browser, url, word, target, runs)
                first, box = statistics.median(q.first_ms), statistics.median(q.box_ms)
                verdict = "the planted record" if q.rank == 1 else f"planted record at rank {q.rank}: {q.first_url}"
                print(f"  {label:<22}{first:>16.0f}{box:>9.0f}{q.pagefind_bytes / 1024:>14.0f}{q.page_bytes / 1024:>10.0f}"
                      f"{q.requests:>10}  {verdict}")
                row[word] = {"first_ms": first, "box_ms": box, "bytes": q.pagefind_bytes, "rank": q.rank}
            fcp, index_end, size = measure_register(browser, url, runs)
            print(f"  register page: first rows painted at {fcp:.0f} ms (first contentful paint), "
                  f"its index ({size / 1024:.0f} KiB) arrived at {index_end:.0f} ms")
            row["register"] = {"fcp_ms": fcp, "index_ms": index_end, "index_bytes": size}
        return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000,10000", help="comma-separated numbers of improvements")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3, help="browser runs per query (the median is shown)")
    parser.add_argument("--builds", type=int, default=3,
                        help="builds with and without search, alternately, per size (the median is shown)")
    parser.add_argument("--material", action="store_true", help="also build with Material's search plugin, for comparison")
    parser.add_argument("--baseline-max", type=int, default=2000,
                        help="also build without search up to this size, to show what the index adds (default 2000)")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    print(machine())
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for n in (int(s) for s in args.sizes.split(",")):
                rows.append(bench(n, args.seed, args.runs, args.builds, args.material, args.baseline_max, browser))
        finally:
            browser.close()
    print("\nsummary")
    smallest, largest = rows[0], rows[-1]
    for word in (ZH_WORD, EN_WORD):
        ratio = largest[word]["first_ms"] / smallest[word]["first_ms"]
        print(f"  {word}: first result {smallest[word]['first_ms']:.0f} ms at {smallest['n']:,}, "
              f"{largest[word]['first_ms']:.0f} ms at {largest['n']:,}: {ratio:.2f} x (target <= 2.5 x); "
              f"largest transfer {max(r[word]['bytes'] for r in rows) / 1e6:.2f} MB (target <= 2 MB)")
    for row in rows:
        print(f"  N = {row['n']:,}: Pagefind's peak memory while indexing {row['index_mib']:.0f} MiB (a process of its "
              f"own, beside the build's)")
        if "base_s" in row:
            print(f"  N = {row['n']:,}: the search index adds {(row['build_s'] / row['base_s'] - 1) * 100:+.1f} % wall "
                  f"(median of the pairs: {(row['pair'] - 1) * 100:+.1f} %), "
                  f"{(row['build_cpu'] / row['base_cpu'] - 1) * 100:+.1f} % CPU to the build (target <= 10 % at 2,000)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
