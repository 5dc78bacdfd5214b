"""Benchmark: the roadmap, initiatives and trace diagrams of a register with many active records.

Builds an in-memory register (the example's configuration) of N improvements that are all on
the roadmap (approved to evaluating, with a target date over two years), about one in ten a part
of an initiative, spread over the example's objectives, practices and owners. Prints the time
each view takes, how many pages it makes, and how heavy the heaviest page is; with --browser,
how long headless Chromium takes to lay out the heaviest roadmap page.

    .venv/bin/python scripts/bench_roadmap.py [--sizes 500,2000] [--browser]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("approved", "planned", "in_progress", "evaluating")


def register_of(n: int, seed: int = 42):  # type: ignore[no-untyped-def]
    from cir_portal.core.config import Project, load_config
    from cir_portal.core.model import Improvement, Register, make_record
    from cir_portal.core.pipeline import load_register

    example = load_register(Project(REPO_ROOT), use_cache=False)
    config, _ = load_config(Project(REPO_ROOT))
    assert config is not None and example.register is not None
    rng = random.Random(seed)
    objectives = [o.id for o in example.register.objectives]
    practices = sorted(config.taxonomy["practices"])[:20]
    people = sorted(config.people)
    register = Register(config)
    for objective in example.register.objectives:
        register.add(objective)
    initiatives: list[str] = []
    for k in range(n):
        rid = f"IMP-{10000 + k}"
        approved = date(2025, 1, 1) + timedelta(days=rng.randrange(600))
        target = approved + timedelta(days=rng.randrange(60, 540))
        data = {"id": rid, "title": f"合成改进 Synthetic improvement {k}", "status": rng.choice(STATUSES),
                "raised": (approved - timedelta(days=20)).isoformat(), "requester": rng.choice(people),
                "source": "staff_idea", "affects": [f"practice/{rng.choice(practices)}"], "owner": rng.choice(people),
                "objectives": rng.sample(objectives, rng.choice((1, 1, 2))), "approved_on": approved.isoformat(),
                "target_date": target.isoformat(), "planned_cost": rng.randrange(10, 500) * 1000,
                "supporters": rng.sample(people, rng.randrange(0, 5))}
        if initiatives and rng.random() < 0.1:
            data["part_of"] = rng.choice(initiatives)
        elif rng.random() < 0.03:
            initiatives.append(rid)
        imp = make_record("improvement", data, rel=f"content/improvements/{rid}.md", src_uri=f"improvements/{rid}.md")
        assert isinstance(imp, Improvement)
        register.add(imp)
    return register.index()


def bench(n: int, browser: bool) -> None:
    from cir_portal.core.config import Project
    from cir_portal.views import initiatives, roadmap, trace
    from cir_portal.views.context import Site

    register = register_of(n)
    site = Site(register, Project(REPO_ROOT), epoch=int(time.mktime((2026, 6, 1, 0, 0, 0, 0, 0, 0))))
    t = time.perf_counter()
    pages = {page.src_uri: page.content for page in roadmap.pages(site)}
    t_roadmap = time.perf_counter() - t
    t = time.perf_counter()
    sections = [initiatives.card_sections(site, imp) for imp in register.improvements]
    t_init = time.perf_counter() - t
    t = time.perf_counter()
    diagrams = [trace.card_sections(site, obj) for obj in register.objectives]
    t_trace = time.perf_counter() - t
    heaviest = max(pages, key=lambda p: len(pages[p]))
    grouping = {src: len(pages[src]) for src in roadmap.GROUPING_PAGES.values()}
    rows = max(pages[p].count('<a class="cir-rm-row') for p in pages)
    print(f"\n{n} active improvements ({sum(1 for s in sections if s)} initiatives)")
    print(f"  roadmap:     {t_roadmap * 1000:7.0f} ms, {len(pages)} pages "
          f"(3 groupings + {len(pages) - 3} group pages), at most {rows} bars on a page")
    for src, size in grouping.items():
        print(f"               {src:<22} {size / 1024:7.0f} KiB")
    print(f"               heaviest: {heaviest} {len(pages[heaviest]) / 1024:.0f} KiB")
    print(f"  initiatives: {t_init * 1000:7.0f} ms for {n} cards")
    print(f"  trace:       {t_trace * 1000:7.0f} ms for {len(register.objectives)} objectives "
          f"(largest diagram {max(d.count('cir-trace__node ') for d in diagrams)} nodes)")
    if browser:
        print(f"  chromium:    {layout_ms(site, pages[heaviest]):7.0f} ms to load and lay out {heaviest}")


def layout_ms(site: object, markdown: str) -> float:
    """Milliseconds from navigation to the load event of the page's HTML with the portal's CSS."""
    from playwright.sync_api import sync_playwright

    from cir_portal.views.context import asset_bytes

    html = markdown.split("---\n", 2)[-1]
    css = "".join(asset_bytes(name).decode() for name in ("cir.css", "planning.css"))
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "roadmap.html"
        page_file.write_text(f"<!doctype html><meta charset=utf-8><style>{css}</style><body class=md-typeset>{html}",
                             encoding="utf-8")
        with sync_playwright() as p:
            chromium = shutil.which("chromium")
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_file.as_uri())
            timing = page.evaluate("() => { const t = performance.timing; return t.loadEventEnd - t.navigationStart; }")
            browser.close()
    return float(timing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000", help="comma-separated numbers of active improvements")
    parser.add_argument("--browser", action="store_true", help="also time Chromium laying out the heaviest page")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT / "plugins"))
    for n in (int(s) for s in args.sizes.split(",")):
        bench(n, args.browser)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
