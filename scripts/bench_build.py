"""Benchmark the portal build against a plain Material build of the same pages.

For each size N, a synthetic register (scripts/synthetic.py) is written to a temporary
folder (not timed), then, each as a subprocess started from a small helper process so
that its peak RSS is its own (see bench_validate.Spawner):

plain   ``mkdocs build`` of the same content/ with Material and search, WITHOUT the cir
        plugin and without records in the navigation (nav: the home page only): what
        Material costs for these pages anyway.
same    ``mkdocs build`` with Material and search, without the plugin, of the tree ``cir
        render`` writes: the same pages the portal publishes (records with their cards,
        the generated pages), so what the plugin adds beyond the pages themselves shows.
portal  ``mkdocs build`` with the project's mkdocs.yml (cir plugin first), cold: no
        .cir-cache/ (validation, cards, generated pages, exports, charts all computed).
warm    the same again with .cir-cache/ present (what CI and `mkdocs serve` see).

Then, in this process, ``build_tree`` is timed view module by view module (pages, exports,
charts, ...) so the share of each, and the cost per chart figure, can be read; and what
publishing safety adds (issue 10: audience filter, redaction, sanitising every body, the
scan of content/) is timed and given as a share of the build (target: under 3 %).

preview ``mkdocs serve`` of the same register in a git repository: how long its first build
        takes, then, for ``--edits`` (3) edits of a record's title, the time until the served record
        page and the register index (assets/cir/register-index.json) both show it, the
        server's CPU time for each, and its peak memory (Linux /proc).

Usage::

    python scripts/bench_build.py [--sizes 500,2000] [--seed 42] [--builds 1] [--preview yes|no|only] [--edits 3]

Target (issue 3): portal <= 1.3 x plain, and growth from 2,000 to 10,000 records no
worse than linear (run ``--sizes 2000,10000`` to see it; that takes several minutes).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_validate import Spawner, machine  # noqa: E402
from synthetic import generate  # noqa: E402

PLAIN_CONFIG = """site_name: plain
docs_dir: content
site_url: https://improvement.example.com/
theme:
  name: material
  language: zh
  font: false
  features: [navigation.instant]
plugins: [search]
nav: [index.md]
validation:
  nav:
    omitted_files: ignore
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc]
"""


def count_files(site: Path) -> tuple[int, int]:
    pages = sum(1 for _ in site.rglob("*.html"))
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return pages, size


#: ``python -c`` this, then mkdocs' arguments: runs ``mkdocs`` and, at exit, prints the peak
#: memory of the build process itself and the largest of its children's (the search index
#: service, Pagefind; a cold build's parse workers), which wait4's figure takes together.
OWN_PEAK = """import atexit, resource, sys
def peaks():
    own, kids = (resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"cir-bench peak KiB: own {own} children {kids}", file=sys.stderr)
atexit.register(peaks)
sys.argv[0] = "mkdocs"
from mkdocs.__main__ import cli
cli()
"""
_PEAKS = re.compile(r"^cir-bench peak KiB: own (\d+) children (\d+)$", re.M)


@dataclass
class Build:
    """One ``mkdocs build``: wall and CPU seconds (children included), exit code, stderr, and
    peak resident memory in MiB: ``peak`` of the process and its children (wait4), ``own`` of
    the build process alone (Python: MkDocs and the plugin), ``children`` of the largest child
    (the search index service, Pagefind; a cold build's parse workers)."""

    wall: float
    peak: float
    code: int
    stderr: str
    cpu: float
    own: float
    children: float


def build(spawner: Spawner, project: Path, config: str, out: Path) -> Build:
    """``mkdocs build`` with ``config`` into ``out``, measured."""
    shutil.rmtree(out, ignore_errors=True)
    run = spawner.run([sys.executable, "-c", OWN_PEAK, "build", "-q", "-f", config, "-d", str(out)], project)
    peaks = _PEAKS.search(run.stderr)
    own, children = (int(peaks.group(1)) / 1024, int(peaks.group(2)) / 1024) if peaks else (float("nan"),) * 2
    return Build(run.wall, run.maxrss_mib, run.returncode, _PEAKS.sub("", run.stderr).strip(), run.cpu, own, children)


def view_breakdown(project: Path) -> list[tuple[str, float, int]]:
    """Seconds spent per view module in build_tree, and figures (charts) it produced."""
    from cir_portal.core.config import Project
    from cir_portal.core.pipeline import load_register
    from cir_portal.views import tree as views
    from cir_portal.views.cards import card
    from cir_portal.views.context import Site

    result = load_register(Project(project), use_cache=True)
    assert result.register is not None
    site = Site(result.register, Project(project))
    rows: list[tuple[str, float, int]] = []
    t = time.perf_counter()
    for record in result.register.all():
        card(site, record, "")
    rows.append(("cards (core)", time.perf_counter() - t, 0))
    for view in dict.fromkeys([*views.CARD_VIEWS, *views.PAGE_VIEWS, *views.FILE_VIEWS]):
        name = view.__name__.rsplit(".", 1)[-1]
        figures = 0
        t = time.perf_counter()
        if view in views.CARD_VIEWS:
            for record in result.register.all():
                figures += view.card_sections(site, record).count('class="cir-chart"')
        if view in views.PAGE_VIEWS:
            figures += sum(page.content.count('class="cir-chart"') for page in view.pages(site))
        if view in views.FILE_VIEWS:
            view.files(site, "")
        rows.append((name, time.perf_counter() - t, figures))
    return rows


def safety_costs(project: Path) -> list[tuple[str, float, int]]:
    """Seconds of what publishing safety adds to a build (issue 10), measured in this process:
    the audience filter and redaction (core/publishing.py), sanitising every record body's HTML
    (what the MkDocs plugin does in on_page_content) and its Markdown (what `cir render` does),
    and the scan of content/ for links and FIFOs."""
    import dataclasses

    import markdown

    from cir_portal.core.config import Project
    from cir_portal.core.files import scan_content
    from cir_portal.core.pipeline import load_register
    from cir_portal.core.publishing import publish
    from cir_portal.views.sanitize import clean_html, clean_markdown

    result = load_register(Project(project), use_cache=True)
    register = result.register
    assert register is not None
    records = register.all()
    rows: list[tuple[str, float, int]] = []
    t = time.perf_counter()
    publish(register, "internal")
    rows.append(("audience filter (internal)", time.perf_counter() - t, len(records)))
    settings = dataclasses.replace(register.config.portal.publish,
                                   redact={"internal": ("requester", "planned_cost", "actual_cost")})
    redacting = dataclasses.replace(register, config=dataclasses.replace(
        register.config, portal=dataclasses.replace(register.config.portal, publish=settings)))
    t = time.perf_counter()
    publish(redacting, "internal")
    rows.append(("filter + redact 3 keys", time.perf_counter() - t, len(records)))
    md = markdown.Markdown(extensions=["admonition", "attr_list", "md_in_html", "tables", "toc"])
    bodies = [md.reset().convert(r.body) for r in records]
    t = time.perf_counter()
    for body in bodies:
        clean_html(body)
    rows.append(("sanitise body HTML (nh3)", time.perf_counter() - t, len(bodies)))
    t = time.perf_counter()
    for record in records:
        clean_markdown(record.body)
    rows.append(("sanitise body Markdown (render)", time.perf_counter() - t, len(records)))
    t = time.perf_counter()
    scan_content(Project(project))
    rows.append(("scan content/ (links, FIFOs)", time.perf_counter() - t, len(records)))
    return rows


def _median(runs: list[Build]) -> Build:
    """The run of median wall time (of an even number, the faster of the middle two)."""
    return sorted(runs, key=lambda run: run.wall)[(len(runs) - 1) // 2]


def bench(n: int, seed: int, spawner: Spawner, builds: int = 1) -> None:
    with tempfile.TemporaryDirectory(prefix=f"cir-build-{n}-") as tmp:
        project = Path(tmp) / "project"
        t = time.perf_counter()
        generate(n, project, seed=seed)
        shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        (project / "plain.yml").write_text(PLAIN_CONFIG, encoding="utf-8")
        portal_cfg = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
        records = sum(1 for _ in (project / "content").rglob("*.md")) - 1
        print(f"\nN = {n:,} improvements: {records:,} record files, seed {seed}; generated in "
              f"{time.perf_counter() - t:.1f} s (not timed)")
        del portal_cfg
        site = Path(tmp) / "site"
        plains, colds = [], []
        plain = build(spawner, project, "plain.yml", site)
        plains.append(plain)
        plain_pages = count_files(site)
        rendered = Path(tmp) / "rendered"
        spawner.run([str(Path(sys.executable).parent / "cir"), "render", "--out", str(rendered), str(project)], project)
        (project / "same.yml").write_text(PLAIN_CONFIG.replace("docs_dir: content", f"docs_dir: {rendered}"),
                                          encoding="utf-8")
        same = build(spawner, project, "same.yml", site)
        same_pages = count_files(site)
        for attempt in range(builds):  # plain and cold alternately: a change in the machine's load hits both
            if attempt:
                plains.append(build(spawner, project, "plain.yml", site))
            shutil.rmtree(project / ".cir-cache", ignore_errors=True)
            colds.append(build(spawner, project, "mkdocs.yml", site))
        cold_pages = count_files(site)
        warm = build(spawner, project, "mkdocs.yml", site)
        plain, cold = _median(plains), _median(colds)
        if builds > 1:
            print(f"  {builds} builds each, alternately (the median is shown): plain Material "
                  f"{', '.join(f'{b.wall:.1f}' for b in plains)} s; portal cold {', '.join(f'{b.wall:.1f}' for b in colds)} s; "
                  f"cold / plain per pair {', '.join(f'{c.wall / b.wall:.2f}' for b, c in zip(plains, colds, strict=True))}")
        print("  peak memory (resident MiB): 'build' of the mkdocs process itself (Python: MkDocs and the plugin; "
              "target <= 1024 at 10,000 records), 'child' of its largest child (the portal's search index "
              "service, Pagefind; a cold build's parse workers), 'all' of both together as wait4 reports it")
        print(f"  {'build':<34}{'wall s':>8}{'CPU s':>8}{'ms/record':>11}{'build':>7}{'child':>7}{'all':>7}"
              f"{'pages':>8}{'site MiB':>10}  exit")
        for label, run, (pages, size) in (
            ("plain Material (its search, no nav)", plain, plain_pages),
            ("plain Material, cir render's pages", same, same_pages),
            ("portal, cold (no .cir-cache)", cold, cold_pages),
            ("portal, warm (.cir-cache)", warm, cold_pages),
        ):
            print(f"  {label:<34}{run.wall:>8.2f}{run.cpu:>8.2f}{run.wall / records * 1000:>11.2f}{run.own:>7.0f}"
                  f"{run.children:>7.0f}{run.peak:>7.0f}{pages:>8}{size / 2**20:>10.1f}  {run.code}")
            if run.code:
                print("    " + run.stderr.strip().replace("\n", "\n    ")[:2000])
        print(f"  ratios: portal cold / plain {cold.wall / plain.wall:.2f}x, portal warm / plain {warm.wall / plain.wall:.2f}x; "
              f"portal cold / same pages {cold.wall / same.wall:.2f}x, warm / same pages {warm.wall / same.wall:.2f}x")
        print(f"  CPU ratios (what load from other processes does not inflate; the cold build parses on every "
              f"core): portal cold / plain {cold.cpu / plain.cpu:.2f}x, warm / plain {warm.cpu / plain.cpu:.2f}x "
              f"(target: cold <= 1.3x); load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        safety = safety_costs(project)
        mkdocs_route = sum(seconds for name, seconds, _ in safety if "Markdown" not in name and "redact" not in name)
        print(f"  publishing safety (in-process): {mkdocs_route * 1000:.0f} ms = {mkdocs_route / cold.wall * 100:.2f}% of the "
              f"cold build, {mkdocs_route / warm.wall * 100:.2f}% of the warm build (target < 3%)")
        for name, seconds, count in safety:
            print(f"    {name:<32}{seconds * 1000:>8.1f} ms{seconds / count * 1e6:>9.1f} us per record")
        rows = view_breakdown(project)
        total = sum(r[1] for r in rows)
        print(f"  build_tree by view (in-process, cache warm): {total:.2f} s = {total / cold.wall * 100:.0f}% of the cold build")
        for name, seconds, figures in rows:
            per = f", {seconds / figures * 1000:.2f} ms per chart ({figures} charts)" if figures else ""
            print(f"    {name:<16}{seconds:>7.2f} s{per}")
        charting = [(seconds, figures) for _, seconds, figures in rows if figures]
        chart_s, chart_n = sum(c[0] for c in charting), sum(c[1] for c in charting)
        if chart_n:
            print(f"  charts: {chart_n} figures in {chart_s:.2f} s (the whole of the views that draw them), "
                  f"{chart_s / chart_n * 1000:.2f} ms per chart, {chart_s / cold.wall * 100:.1f}% of the cold build")


# --- live preview: `mkdocs serve`, one record edited, until the served pages show it (issue 12)

PREVIEW_EDITS = 3
PREVIEW_TIMEOUT = 7200.0


def _get(url: str) -> str | None:
    """The body of a 200 answer from ``url`` (127.0.0.1, no proxy), else None."""
    import urllib.error
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as answer:
            body: bytes = answer.read()
            return body.decode("utf-8", errors="replace") if answer.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait(what: str, check: Callable[[], bool], proc: subprocess.Popen[bytes], interval: float = 0.02) -> float:
    """Poll ``check()`` until true; returns when it first held (perf_counter)."""
    deadline = time.perf_counter() + PREVIEW_TIMEOUT
    while not check():
        if proc.poll() is not None:
            raise RuntimeError(f"mkdocs serve stopped while waiting for {what}")
        if time.perf_counter() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(interval)
    return time.perf_counter()


_BUILT = re.compile(r"Documentation built in ([\d.]+) seconds")


def _reloads(log: Path) -> int:
    """How many rebuilds the server has served so far (its log says "Reloading browsers" after each)."""
    return log.read_text(errors="replace").count("Reloading browsers")


def _reloaded(log: Path, before: int) -> bool:
    return _reloads(log) > before


def _shows(marker: str, *urls: str) -> bool:
    return all(marker in (_get(url) or "") for url in urls)


def _retitle(path: Path, marker: str) -> str:
    """Append ``marker`` to the record's title (front matter rewritten by YAML, body kept); returns the new title."""
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)
    data = yaml.safe_load(text[4:end])
    data["title"] = f"{data['title']} {marker}"
    path.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10000) + text[end + 1:],
                    encoding="utf-8")
    return str(data["title"])


def preview_latency(project: Path, edits: int = PREVIEW_EDITS) -> None:
    """``mkdocs serve`` of ``project``: its first (full) build, then for each of ``edits`` title
    edits of one record the time until the served record page AND the register index (the
    JSON the register page renders from) both show the new title; CPU time of the server for
    each; its peak memory."""
    import socket

    from cir_portal.adapters.memory import peak_mib

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    log = project.parent / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(project.parent)}
    env.pop("SOURCE_DATE_EPOCH", None)
    files = sorted((project / "content" / "improvements").glob("*.md"))
    started = time.perf_counter()
    # Ctrl-C stops the server: run in a shell's background job, this script inherits SIGINT
    # ignored, and the server would too (Python then never raises KeyboardInterrupt); a handler
    # here becomes the default disposition in the child.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}",
                                     "-f", str(project / "mkdocs.yml")], cwd=project, env=env, stdout=out,
                                    stderr=subprocess.STDOUT)
    finally:
        signal.signal(signal.SIGINT, before)
    try:
        ready = _wait("the first build", lambda: _get(url) is not None, proc, interval=0.2)
        first, first_cpu = ready - started, _cpu_seconds(proc.pid)
        built = _BUILT.search(log.read_text(errors="replace"))
        print(f"  live preview, mkdocs serve: first build {first:.1f} s from start to the first page served "
              f"(MkDocs: {built.group(1) if built else '?'} s), server CPU {first_cpu:.1f} s")
        ratios = []
        for i in range(edits):
            path = files[len(files) // 2 + i * 7 % max(1, len(files) // 2)]
            src = path.relative_to(project / "content").as_posix()
            page, index = url + src.removesuffix(".md") + "/", url + "assets/cir/register-index.json"
            marker = f"bench-edit-{i}-{int(time.time())}"
            time.sleep(1.0)  # let the server settle (and the watcher tell this write from the last)
            reloads = _reloads(log)
            cpu, t = _cpu_seconds(proc.pid), time.perf_counter()
            _retitle(path, marker)
            # What a browser does: wait for the server's word that the rebuild is served (the
            # livereload script long-polls for it), then load the pages. Asking the server for the
            # pages every 20 ms meanwhile would take its interpreter from the rebuild it times.
            _wait("the rebuild", partial(_reloaded, log, reloads), proc)
            shown = _wait("the edit on the record page and the register index",
                          partial(_shows, marker, page, index), proc)
            latency, spent = shown - t, _cpu_seconds(proc.pid) - cpu
            rebuilt = _BUILT.findall(log.read_text(errors="replace"))
            print(f"    edit {i + 1} ({src}): record page and register index show it after {latency:.2f} s "
                  f"= {latency / first:.3f} x the first build (MkDocs: {rebuilt[-1] if rebuilt else '?'} s); "
                  f"server CPU {spent:.2f} s = {spent / first_cpu:.3f} x")
            ratios.append(latency / first)
        ratios.sort()
        print(f"    median of the {edits} edits: {ratios[len(ratios) // 2]:.3f} x the first build (range "
              f"{ratios[0]:.3f}-{ratios[-1]:.3f})")
        peak = peak_mib(proc.pid)
        print(f"    peak memory of the server: {peak if peak is not None else float('nan'):.0f} MiB")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()


def committed_register(n: int, project: Path, seed: int = 42) -> Path:
    """A synthetic register of ``n`` improvements with the portal's mkdocs.yml, committed to a
    git repository (so that it is dated from a commit, like a real register); returns ``project``."""
    generate(n, project, seed=seed)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-11-15T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-15T12:00:00Z"}
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m",
                    "register"], cwd=project, check=True, env=env)
    return project


def preview_bench(n: int, seed: int, edits: int = PREVIEW_EDITS) -> None:
    """The live-preview figures of a register of ``n`` improvements (a project of its own)."""
    with tempfile.TemporaryDirectory(prefix=f"cir-preview-{n}-") as tmp:
        project = committed_register(n, Path(tmp) / "project", seed)
        print(f"\nN = {n:,} improvements, live preview (target: an edit shows within 0.1 x the first build at 2,000, "
              f"0.05 x at 10,000)")
        preview_latency(project, edits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000", help="comma-separated numbers of improvements")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--builds", type=int, default=1,
                        help="plain and cold portal builds, alternately, per size (the median is shown; the machine "
                             "may be shared: one build of each varies by seconds)")
    parser.add_argument("--preview", choices=("yes", "no", "only"), default="yes",
                        help="also (or only) time the live preview: mkdocs serve, one record edited")
    parser.add_argument("--edits", type=int, default=PREVIEW_EDITS,
                        help="live preview: how many edits to time, one after another (the median is shown)")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    print(machine())
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    spawner = Spawner()
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            if args.preview != "only":
                bench(n, args.seed, spawner, args.builds)
            if args.preview != "no":
                preview_bench(n, args.seed, args.edits)
    finally:
        spawner.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
