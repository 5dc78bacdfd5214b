"""Benchmark `cir validate` against a parsing floor and a naive validator.

For each size N, a synthetic register (scripts/synthetic.py) is written to a temporary
folder (not timed), then four things are measured on the same files:

floor   in-process: read every content/**/*.md, decode UTF-8, split the front matter,
        ``yaml.load(..., Loader=yaml.CSafeLoader)``. No checks at all: the least any
        validator must spend.
naive   in-process: ``frontmatter.load(path)`` then
        ``jsonschema.Draft202012Validator(schema).iter_errors(metadata)`` with the
        project's schemas/<kind>.schema.json (dates converted to strings first). What a
        ten-line CI script would do; it checks only the schemas.
cir     ``cir validate OUTDIR --format json`` as a subprocess, cold (no .cir-cache/) and
        warm (second run, cache present); wall time, exit code, issues reported and peak
        RSS of the child (``os.wait4`` in a small helper process, see Spawner). Includes
        interpreter start-up and imports; ``cir --version`` is timed separately to show
        that fixed cost. A last warm run after breaking one record checks that errors are
        found at all and that the cache notices the edit.

Every measurement runs once (``--repeat R``: R times, fastest kept), after a warm-up read
of all files so the OS page cache is warm for all of them ("cold" for cir means without
its own cache, not a cold disk).

Usage::

    python scripts/bench_validate.py [--sizes 1000,10000] [--seed 42] [--repeat 1]

Always exits 0 unless the benchmark itself crashes; the issue count of `cir validate` on
the synthetic register (which is valid by construction) is the correctness check to read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import jsonschema
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # sibling script, not a package

#: content/ sub-folder -> record kind (schemas/<kind>.schema.json).
KINDS = {"improvements": "improvement", "lessons": "lesson", "objectives": "objective", "assessments": "assessment"}

#: Used by the naive baseline when the project has no schemas/<kind>.schema.json.
INLINE_SCHEMAS: dict[str, dict[str, Any]] = {
    "improvement": {
        "type": "object",
        "required": ["id", "title", "status", "raised", "requester", "source", "affects"],
        "properties": {
            "id": {"type": "string", "pattern": r"^IMP-[0-9]{4,}$"},
            "title": {"type": "string", "minLength": 1, "maxLength": 120},
            "status": {"type": "string"},
            "raised": {"type": "string", "format": "date"},
            "affects": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "urgency": {"enum": ["high", "medium", "low"]},
            "cost": {"enum": ["high", "medium", "low"]},
        },
    },
    "lesson": {"type": "object", "required": ["id", "title", "date", "author", "kind"]},
    "objective": {"type": "object", "required": ["id", "title", "owner", "horizon", "kpis"]},
    "assessment": {"type": "object", "required": ["id", "practice", "date", "assessor"]},
}


@dataclass
class ChildRun:
    """One subprocess run: wall time, exit code, output, the child's peak RSS and CPU time
    (user + system, with the processes it waited for: what a shared machine's load does not inflate)."""

    wall: float
    returncode: int
    stdout: str
    stderr: str
    maxrss_mib: float
    cpu: float = 0.0


@dataclass
class CirResult:
    """A `cir validate --format json` run, with the issues it reported."""

    run: ChildRun
    issues: list[dict[str, Any]] | None
    by_severity: Counter[str] = field(default_factory=Counter)
    parse_error: str | None = None


# --------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------


def split_front_matter(text: str) -> str | None:
    """Return the YAML between the opening and closing ``---`` lines, or None."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        return None
    first = text.find("\n")
    end = text.find("\n---", first)
    if first < 0 or end < 0:
        return None
    return text[first + 1 : end + 1]


def content_files(project: Path) -> list[Path]:
    """Every Markdown file under content/, in a stable order."""
    return sorted((project / "content").rglob("*.md"))


def warm_up(files: list[Path]) -> int:
    """Read every file once so the page cache is warm; return the total bytes."""
    return sum(len(path.read_bytes()) for path in files)


def floor(files: list[Path]) -> tuple[float, int]:
    """Read, decode and parse the front matter of every file; (seconds, parsed count)."""
    start = time.perf_counter()
    parsed = 0
    for path in files:
        fm = split_front_matter(path.read_bytes().decode("utf-8"))
        if fm is not None:
            yaml.load(fm, Loader=yaml.CSafeLoader)
            parsed += 1
    return time.perf_counter() - start, parsed


def jsonable(value: Any) -> Any:
    """Dates and datetimes to ISO strings, recursively (JSON Schema knows no dates)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def load_validators(project: Path) -> tuple[dict[str, jsonschema.Draft202012Validator], str]:
    """A Draft 2020-12 validator per record kind, and where the schemas came from."""
    from referencing import Registry  # a dependency of jsonschema
    from referencing.jsonschema import DRAFT202012

    schema_dir = project / "schemas"
    loaded: dict[str, dict[str, Any]] = {}
    if schema_dir.is_dir():
        for path in sorted(schema_dir.glob("*.json")):
            loaded[path.name] = json.loads(path.read_text(encoding="utf-8"))
    resources = []
    for name, schema in loaded.items():
        resource = DRAFT202012.create_resource(schema)
        resources.append((name, resource))
        if isinstance(schema.get("$id"), str):
            resources.append((schema["$id"], resource))
    registry: Registry = Registry().with_resources(resources)
    validators = {}
    used = []
    for kind in KINDS.values():
        found = loaded.get(f"{kind}.schema.json")
        schema = found if found is not None else INLINE_SCHEMAS[kind]
        used.append(f"schemas/{kind}.schema.json" if found is not None else f"inline {kind} schema")
        validators[kind] = jsonschema.Draft202012Validator(schema, registry=registry)
    return validators, ", ".join(used)


def naive(project: Path, files: list[Path]) -> tuple[float, int, list[str], str]:
    """python-frontmatter + jsonschema per file.

    Returns (seconds, error count, the first errors, which schemas were used).
    """
    start = time.perf_counter()
    validators, schema_note = load_validators(project)
    errors = 0
    first: list[str] = []
    for path in files:
        post = frontmatter.load(path)
        kind = KINDS.get(path.parent.name)
        if kind is None:
            continue
        for error in validators[kind].iter_errors(jsonable(post.metadata)):
            errors += 1
            if len(first) < 5:
                where = "/".join(str(p) for p in error.absolute_path) or "(record)"
                first.append(f"{path.relative_to(project)}: {where}: {error.message}")
    return time.perf_counter() - start, errors, first, schema_note


#: A status no workflow has: the edit that the "1 record broken" run must catch.
BROKEN_STATUS = "done-and-dusted"


def break_one_record(project: Path) -> Path:
    """Give the middle improvement an unknown status; return its path.

    Run after the warm run, this checks both that `cir validate` finds errors at all on
    this register and that its cache notices an edited file.
    """
    files = sorted((project / "content" / "improvements").glob("*.md"))
    path = files[len(files) // 2]
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(k for k, line in enumerate(lines) if line.startswith("status: "))
    lines[index] = f"status: {BROKEN_STATUS}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def find_cir() -> Path | None:
    """`cir` next to the running interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "cir"
    if beside.exists():
        return beside
    found = shutil.which("cir")
    return Path(found) if found else None


#: Runs in a small helper process: reads one JSON request per line, runs the command and
#: answers with its wall time, exit code and peak RSS from ``os.wait4``.
SPAWNER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    req = json.loads(line)
    with open(req["stdout"], "wb") as out, open(req["stderr"], "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(req["cmd"], stdout=out, stderr=err, cwd=req["cwd"])
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"wall": wall, "returncode": proc.returncode,
                      "maxrss_kib": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}), flush=True)
"""


class Spawner:
    """Runs commands from a small helper process so that their peak RSS is their own.

    Linux carries the peak RSS of the address space a process had before ``execve`` into
    its ``ru_maxrss``: a child forked (or vforked) from this benchmark, which holds a
    whole generated register in memory, would report this process's peak, not its own.
    Spawned from a ~10 MiB helper, the figure is max(~10 MiB, the command's own peak).
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.floor_mib = self.run(["/bin/true"], Path.cwd()).maxrss_mib

    def run(self, cmd: list[str], cwd: Path) -> ChildRun:
        """Run ``cmd`` in ``cwd``; stdout and stderr are captured through files."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        with tempfile.TemporaryDirectory(prefix="cir-bench-out-") as tmp:
            out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
            request = {"cmd": cmd, "cwd": str(cwd), "stdout": str(out), "stderr": str(err)}
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            answer = json.loads(self.proc.stdout.readline())
            return ChildRun(
                wall=answer["wall"],
                returncode=answer["returncode"],
                stdout=out.read_text(encoding="utf-8", errors="replace"),
                stderr=err.read_text(encoding="utf-8", errors="replace"),
                maxrss_mib=answer["maxrss_kib"] / 1024,  # Linux reports KiB
                cpu=answer["cpu"],
            )

    def close(self) -> None:
        """Stop the helper."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


def cir_validate(spawner: Spawner, cir: Path, project: Path) -> CirResult:
    """Run `cir validate PROJECT --format json` and parse the issues it prints."""
    run = spawner.run([str(cir), "validate", str(project), "--format", "json"], project.parent)
    try:
        issues = json.loads(run.stdout)
        if not isinstance(issues, list):
            raise ValueError(f"expected a JSON array, got {type(issues).__name__}")
    except ValueError as exc:
        return CirResult(run, None, parse_error=str(exc))
    severities = Counter(str(i.get("severity", "?")) for i in issues if isinstance(i, dict))
    return CirResult(run, issues, severities)


# --------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------


def best(results: list[CirResult]) -> CirResult:
    """The fastest of repeated runs, carrying the highest peak RSS seen in any of them."""
    fastest = min(results, key=lambda r: r.run.wall)
    fastest.run.maxrss_mib = max(r.run.maxrss_mib for r in results)
    return fastest


def ratio(a: float | None, b: float | None) -> str:
    """``a / b`` formatted as a factor, or n/a."""
    if a is None or not b:
        return "n/a"
    return f"{a / b:.2f}x"


def machine() -> str:
    """One paragraph describing where the figures come from."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    return (
        f"machine: {platform.machine()}, nproc {usable} (os.cpu_count {os.cpu_count()}), "
        f"{platform.system()} {platform.release()}\n"
        f"python {platform.python_version()} ({sys.executable}), "
        f"PyYAML {version('PyYAML')} (libyaml {'yes' if yaml.__with_libyaml__ else 'NO'}), "
        f"python-frontmatter {version('python-frontmatter')}, "
        f"jsonschema {version('jsonschema')}"
    )


def print_issues(label: str, result: CirResult, limit: int = 8) -> None:
    """Show what cir reported when it was not a clean pass."""
    run = result.run
    if result.issues is None:
        print(f"  !! {label}: stdout is not a JSON array ({result.parse_error})")
        print("     stdout starts: " + run.stdout[:400].replace("\n", "\n     "))
        if run.stderr.strip():
            print("     stderr: " + run.stderr.strip()[-1500:].replace("\n", "\n     "))
        return
    if not result.issues and run.returncode == 0:
        return
    print(
        f"  !! {label}: exit {run.returncode}, {len(result.issues)} issue(s) "
        f"{dict(result.by_severity)}; first {min(limit, len(result.issues))}:"
    )
    for issue in result.issues[:limit]:
        print(
            f"     {issue.get('path')}:{issue.get('line')}:{issue.get('column')}: "
            f"{issue.get('severity')} [{issue.get('code')}] {issue.get('key')}: "
            f"{issue.get('message')}"
        )
    codes = Counter(str(i.get("code")) for i in result.issues if isinstance(i, dict))
    if len(codes) > 1 or len(result.issues) > limit:
        print(f"     by code: {dict(codes.most_common(10))}")
    if run.stderr.strip():
        print("     stderr: " + run.stderr.strip()[-800:].replace("\n", "\n     "))


def bench(n: int, seed: int, cir: Path | None, spawner: Spawner, repeat: int = 1) -> None:
    """Generate a register of ``n`` improvements and print the table for it."""
    with tempfile.TemporaryDirectory(prefix=f"cir-bench-{n}-") as tmp:
        project = Path(tmp) / "project"
        start = time.perf_counter()
        synthetic.generate(n, project, seed=seed)
        gen_s = time.perf_counter() - start
        files = content_files(project)
        records = sum(1 for f in files if f.parent.name in KINDS)
        size = warm_up(files)
        warm_up(files)

        floor_s, parsed = min(floor(files) for _ in range(repeat))
        naive_runs = [naive(project, files) for _ in range(repeat)]
        naive_s = min(run[0] for run in naive_runs)
        _, naive_errors, naive_first, schema_note = naive_runs[0]

        rows: list[tuple[str, float | None, str, str, str]] = []
        cold = warm = None
        startup: ChildRun | None = None
        if cir is not None:
            startup = spawner.run([str(cir), "--version"], project.parent)
            colds = []
            for _ in range(repeat):
                shutil.rmtree(project / ".cir-cache", ignore_errors=True)
                colds.append(cir_validate(spawner, cir, project))
            cache_written = (project / ".cir-cache").exists()
            warms = [cir_validate(spawner, cir, project) for _ in range(repeat)]
            cold, warm = best(colds), best(warms)
            broken_path = break_one_record(project)
            broken = cir_validate(spawner, cir, project)

        def issues_cell(result: CirResult) -> str:
            if result.issues is None:
                return "unparseable"
            errors = result.by_severity.get("error", 0)
            others = len(result.issues) - errors
            return f"{errors} error{'' if errors == 1 else 's'}" + (f", {others} other" if others else "")

        rows.append(("floor: read + split + CSafeLoader", floor_s, "-", "-", f"{parsed} parsed"))
        rows.append(("naive: frontmatter + jsonschema", naive_s, "-", "-", f"{naive_errors} schema errors"))
        if cold is not None and warm is not None and startup is not None:
            rows.append(
                (
                    "cir validate --format json, cold",
                    cold.run.wall,
                    f"{cold.run.maxrss_mib:.0f}",
                    str(cold.run.returncode),
                    issues_cell(cold),
                )
            )
            rows.append(
                (
                    "cir validate --format json, warm",
                    warm.run.wall,
                    f"{warm.run.maxrss_mib:.0f}",
                    str(warm.run.returncode),
                    issues_cell(warm),
                )
            )
            rows.append(
                (
                    "cir, warm, 1 record broken (check)",
                    broken.run.wall,
                    f"{broken.run.maxrss_mib:.0f}",
                    str(broken.run.returncode),
                    issues_cell(broken),
                )
            )
            rows.append(
                ("cir --version (start-up only)", startup.wall, f"{startup.maxrss_mib:.0f}", str(startup.returncode), "-")
            )

        print()
        print(
            f"N = {n:,} improvements: {records:,} record files "
            f"({len(files):,} .md incl. index), {size / 2**20:.1f} MiB, seed {seed}; "
            f"generated in {gen_s:.1f} s (not timed)"
        )
        header = f"  {'measurement':<36} {'wall s':>8} {'ms/record':>10} {'peak MiB':>9} {'exit':>5}  result"
        print(header)
        print("  " + "-" * (len(header) - 2 + 8))
        for label, wall, peak, rc, result in rows:
            wall_s = f"{wall:.3f}" if wall is not None else "n/a"
            per = "n/a" if wall is None else f"{wall * 1000 / records:.3f}"
            if label.startswith("cir --version"):
                per = "-"  # a fixed cost, not a per-record one
            print(f"  {label:<36} {wall_s:>8} {per:>10} {peak:>9} {rc:>5}  {result}")

        cold_s = cold.run.wall if cold else None
        warm_s = warm.run.wall if warm else None
        print(
            f"  ratios: cir_cold/floor {ratio(cold_s, floor_s)}, "
            f"cir_warm/floor {ratio(warm_s, floor_s)}, naive/floor {ratio(naive_s, floor_s)}, "
            f"cir_cold/naive {ratio(cold_s, naive_s)}, cir_warm/cir_cold {ratio(warm_s, cold_s)}"
        )
        print(f"  naive used: {schema_note}")
        if naive_first:
            print("  naive schema errors (first few; the generator or the schema is wrong):")
            for line in naive_first:
                print(f"     {line}")
        if cir is None:
            print("  NOTE: `cir` not found (looked next to the interpreter and on PATH); cir rows skipped.")
            return
        assert cold is not None and warm is not None
        if not cache_written:
            print("  note: the cold run left no .cir-cache/ folder, so 'warm' is not cached")
        print_issues("cir cold", cold)
        print_issues("cir warm", warm)
        if cold.issues is not None and warm.issues is not None and len(cold.issues) != len(warm.issues):
            print(f"  !! cold and warm runs disagree: {len(cold.issues)} vs {len(warm.issues)} issues (cache bug?)")
        caught = [
            i for i in broken.issues or [] if str(i.get("path", "")).endswith(broken_path.name) and i.get("severity") == "error"
        ]
        if caught and broken.run.returncode == 1:
            print(
                f"  check: the broken record was reported: {caught[0].get('path')}:"
                f"{caught[0].get('line')}: {caught[0].get('key')}: {caught[0].get('message')}"
            )
        else:
            print(
                f"  !! check FAILED: `status: {BROKEN_STATUS}` in {broken_path.name} was not "
                f"reported as an error with exit 1 after a warm run (stale cache?)"
            )
            print_issues("cir broken", broken)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of improvements (default 1000,10000)")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    parser.add_argument("--repeat", type=int, default=1, help="run each measurement R times and keep the fastest (default 1)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    cir = find_cir()
    print(machine())
    print(f"cir: {cir if cir else 'NOT FOUND'}")
    repeat = max(1, args.repeat)
    runs = "one run" if repeat == 1 else f"fastest of {repeat} runs"
    print(
        f"method: {runs} of each measurement, after a warm-up read of every file "
        "(OS page cache warm); cir cold = no .cir-cache/, warm = cache from the cold run"
    )
    print(
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine inflates single runs)"
    )
    spawner = Spawner()
    print(
        f"peak RSS: of the child itself, spawned from a helper whose own peak is "
        f"{spawner.floor_mib:.0f} MiB (the lowest figure that can be shown)"
    )
    try:
        for n in sizes:
            bench(n, args.seed, cir, spawner, repeat)
    finally:
        spawner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
