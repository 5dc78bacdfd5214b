"""Live preview in one process: the builds `mkdocs serve` makes, timed by CPU, with a profile.

``bench_build.py --preview only`` times a real `mkdocs serve` (watcher, HTTP, search index
included) and takes long at 10,000 records. This script makes the same calls as serve's
builder in this process (the plugin instance kept from one build to the next, as serve keeps
it), so that a rebuild can be profiled: a synthetic register of N improvements (kept under
``--work`` for the next run), one full build, then for each edit one record's title changed
and the rebuild timed (wall, and CPU of this thread: steadier on a shared machine; the search
index is written in another thread after the rebuild and is not counted), with the number
and cost of cycle collections. With ``--profile K`` each rebuild is profiled (cProfile, the
K functions of largest cumulative time printed; the profile is saved beside the project).

    .venv/bin/python scripts/bench_preview.py [--size 2000] [--edits 3] [--record lesson] [--profile 40] [--work /tmp/cir-bench]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import logging
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import _retitle, committed_register  # noqa: E402


def project_of(n: int, work: Path) -> Path:
    """A synthetic register of ``n`` improvements in a git repository (made once, then reused)."""
    project = work / f"register-{n}"
    if (project / "mkdocs.yml").exists():
        return project
    return committed_register(n, project)


class Collections:
    """Cycle collections (count, seconds) per generation while counting."""

    def __init__(self) -> None:
        self.runs: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.runs[info["generation"]].append(time.perf_counter() - self._start)

    def reset(self) -> None:
        self.runs = {0: [], 1: [], 2: []}

    def __str__(self) -> str:
        return ", ".join(f"gen{g} {len(r)} ({sum(r):.2f} s)" for g, r in self.runs.items())


def process_cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="profile each rebuild, print this many functions")
    parser.add_argument("--record", choices=["improvement", "lesson"], default="improvement",
                        help="the kind of record whose title is edited (a lesson's title is on the cards that relate it)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cir-bench-preview")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    logging.basicConfig(level=logging.WARNING)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    args.work.mkdir(parents=True, exist_ok=True)
    project = project_of(args.size, args.work)
    site_dir = tempfile.mkdtemp(prefix="site-", dir=args.work)
    url = "http://127.0.0.1:8000/"

    def config() -> Any:
        cfg = load_config(config_file=str(project / "mkdocs.yml"), site_dir=site_dir)
        cfg.site_url = url
        return cfg

    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; "
          f"N = {args.size:,} improvements")
    first = config()
    first.plugins.on_startup(command="serve", dirty=False)
    plugin = first.plugins["cir"]
    collections = Collections()
    wall, cpu = time.perf_counter(), process_cpu()
    build(first, serve_url=url)
    wall, cpu = time.perf_counter() - wall, process_cpu() - cpu
    print(f"first build: {wall:.1f} s, process CPU {cpu:.1f} s", flush=True)
    files = sorted((project / "content" / f"{args.record}s").glob("*.md"))
    try:
        for i in range(args.edits):
            if plugin.indexing is not None:  # the last build's search index: written by now in a real session
                plugin.indexing[1].join()
            path = files[len(files) // 2 + i * 7 % max(1, len(files) // 2)]
            marker = f"bench-edit-{i}-{time.time_ns()}"
            _retitle(path, marker)
            cfg = config()
            collections.reset()
            profile = cProfile.Profile() if args.profile else None
            w, c = time.perf_counter(), time.thread_time()
            if profile is not None:
                profile.enable()
            build(cfg, serve_url=url)
            if profile is not None:
                profile.disable()
            w, c = time.perf_counter() - w, time.thread_time() - c
            src = path.relative_to(project / "content").as_posix().removesuffix(".md")
            shown = (marker in (Path(site_dir) / src / "index.html").read_text(encoding="utf-8")
                     and (args.record != "improvement"  # (the register index lists improvements)
                          or marker in (Path(site_dir) / "assets/cir/register-index.json").read_text(encoding="utf-8")))
            print(f"  edit {i + 1}: {w:.2f} s = {w / wall:.3f} x the first build; CPU {c:.2f} s = {c / cpu:.3f} x; "
                  f"{'shown' if shown else 'NOT SHOWN'}; collections: {collections}", flush=True)
            if profile is not None:
                out = args.work / f"rebuild-{args.size}-{i + 1}.prof"
                profile.dump_stats(out)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    finally:
        first.plugins.on_shutdown()
        subprocess.run(["git", "checkout", "-q", "--", "content"], cwd=project, check=True)
        shutil.rmtree(site_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
