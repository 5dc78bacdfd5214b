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
charts, ...) so the share of each, and the cost per chart figure, can be read.

Usage::

    python scripts/bench_build.py [--sizes 500,2000] [--seed 42]

Target (issue 3): portal <= 1.3 x plain, and growth from 2,000 to 10,000 records no
worse than linear (run ``--sizes 2000,10000`` to see it; that takes several minutes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
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


def build(spawner: Spawner, project: Path, config: str, out: Path) -> tuple[float, float, int, str]:
    shutil.rmtree(out, ignore_errors=True)
    run = spawner.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(out)], project)
    return run.wall, run.maxrss_mib, run.returncode, run.stderr


def view_breakdown(project: Path) -> list[tuple[str, float, int]]:
    """Seconds spent per view module in build_tree, and figures (charts) it produced."""
    from cir_portal.core.config import Project
    from cir_portal.core.pipeline import load_register
    from cir_portal.views import context as site_mod
    from cir_portal.views import tree as tree_mod
    from cir_portal.views.cards import card

    result = load_register(Project(project), use_cache=True)
    assert result.register is not None
    site = site_mod.Site(result.register, Project(project))
    rows: list[tuple[str, float, int]] = []
    t = time.perf_counter()
    for record in result.register.all():
        card(site, record)
    rows.append(("cards (core)", time.perf_counter() - t, 0))
    for view in tree_mod._views():
        name = view.__name__.rsplit(".", 1)[-1]
        figures = 0
        t = time.perf_counter()
        if hasattr(view, "card_sections"):
            for record in result.register.all():
                figures += view.card_sections(site, record).count('class="cir-chart"')
        if hasattr(view, "pages"):
            figures += sum(md.count('class="cir-chart"') for md in view.pages(site).values())
        if hasattr(view, "files"):
            view.files(site, "")
        rows.append((name, time.perf_counter() - t, figures))
    return rows


def bench(n: int, seed: int, spawner: Spawner) -> None:
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
        plain = build(spawner, project, "plain.yml", site)
        plain_pages = count_files(site)
        rendered = Path(tmp) / "rendered"
        spawner.run([str(Path(sys.executable).parent / "cir"), "render", "--out", str(rendered), str(project)], project)
        (project / "same.yml").write_text(PLAIN_CONFIG.replace("docs_dir: content", f"docs_dir: {rendered}"),
                                          encoding="utf-8")
        same = build(spawner, project, "same.yml", site)
        same_pages = count_files(site)
        shutil.rmtree(project / ".cir-cache", ignore_errors=True)
        cold = build(spawner, project, "mkdocs.yml", site)
        cold_pages = count_files(site)
        warm = build(spawner, project, "mkdocs.yml", site)
        print(f"  {'build':<34}{'wall s':>8}{'ms/record':>11}{'peak MiB':>10}{'pages':>8}{'site MiB':>10}  exit")
        for label, (wall, rss, code, err), (pages, size) in (
            ("plain Material (no plugin, no nav)", plain, plain_pages),
            ("plain Material, cir render's pages", same, same_pages),
            ("portal, cold (no .cir-cache)", cold, cold_pages),
            ("portal, warm (.cir-cache)", warm, cold_pages),
        ):
            print(f"  {label:<34}{wall:>8.2f}{wall / records * 1000:>11.2f}{rss:>10.0f}{pages:>8}{size / 2**20:>10.1f}  {code}")
            if code:
                print("    " + err.strip().replace("\n", "\n    ")[:2000])
        print(f"  ratios: portal cold / plain {cold[0] / plain[0]:.2f}x, portal warm / plain {warm[0] / plain[0]:.2f}x; "
              f"portal cold / same pages {cold[0] / same[0]:.2f}x, warm / same pages {warm[0] / same[0]:.2f}x")
        rows = view_breakdown(project)
        total = sum(r[1] for r in rows)
        print(f"  build_tree by view (in-process, cache warm): {total:.2f} s = {total / cold[0] * 100:.0f}% of the cold build")
        for name, seconds, figures in rows:
            per = f", {seconds / figures * 1000:.2f} ms per chart ({figures} charts)" if figures else ""
            print(f"    {name:<16}{seconds:>7.2f} s{per}")
        charting = [(seconds, figures) for _, seconds, figures in rows if figures]
        chart_s, chart_n = sum(c[0] for c in charting), sum(c[1] for c in charting)
        if chart_n:
            print(f"  charts: {chart_n} figures in {chart_s:.2f} s (the whole of the views that draw them), "
                  f"{chart_s / chart_n * 1000:.2f} ms per chart, {chart_s / cold[0] * 100:.1f}% of the cold build")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000", help="comma-separated numbers of improvements")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    print(machine())
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    spawner = Spawner()
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            bench(n, args.seed, spawner)
    finally:
        spawner.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
