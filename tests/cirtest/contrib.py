"""Helpers of the contributor-workflow tests: copies of the example register, the CLI, git."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from click.testing import CliRunner, Result

from cir_portal.adapters.cli.main import cli
from cir_portal.core.config import Project
from cir_portal.core.issues import Issue
from cir_portal.core.pipeline import load_register
from cirtest.site import copy_project as copy_example  # noqa: F401  (one copy of the example for every suite)

REPO_ROOT = Path(__file__).parents[2]


def run(*args: str, project: Path | None = None, input: str | None = None) -> Result:
    """``cir args`` (with ``--project``) through click's test runner; exceptions propagate."""
    argv = [*args, "--project", str(project)] if project is not None else list(args)
    return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)


def errors(root: Path) -> list[Issue]:
    return load_register(Project(root), use_cache=False).errors


def issues_in(root: Path, rel: str) -> list[Issue]:
    return [i for i in load_register(Project(root), use_cache=False).issues if i.path == rel]


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=os.environ.copy())
    return out.stdout


def git_init(root: Path) -> None:
    """A repository on ``main`` with everything under ``root`` committed."""
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q"], cwd=root, check=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example register")


def next_id(root: Path, folder: str, prefix: str, digits: int = 4) -> str:
    """The id `cir new` should hand out: one above the highest in ``content/<folder>``."""
    numbers = [int(p.name.split("-")[1].split(".")[0]) for p in (root / "content" / folder).glob(f"{prefix}-*.md")]
    return f"{prefix}-{max(numbers, default=0) + 1:0{digits}d}"


def first_id(root: Path, folder: str) -> str:
    """The lowest id in ``content/<folder>`` (file names start with the id)."""
    name = sorted(p.name for p in (root / "content" / folder).glob("*.md"))[0]
    prefix, number = name.split("-")[:2]
    return f"{prefix}-{number.split('.')[0]}"


#: Records the tests control completely (the example register changes as the project grows).
PLANNED = """\
---
id: IMP-0901
title: 测试：计划中的改进
status: planned
raised: 2026-01-05
requester: li.na
source: staff_idea
affects: [service/email]   # keep this comment
urgency: high
cost: 'low'
value: "Mail archive restores in minutes"
owner: li.na
objectives: [{objective}]
business_case:
  problem: 归档在个人电脑上。
  solution: 自建归档。
  benefits: 恢复更快。
approved_by: chen.jianguo
approved_on: 2026-02-01
plan: 分两批上线。
target_date: 2026-12-31
metrics:
  - name: 恢复时间
    unit: 分钟
    direction: decrease
    baseline: {{value: 120, date: 2026-02-01}}
    target: {{value: 10, date: 2026-12-31}}
tags: [测试]
history:
  - {{date: 2026-01-05, status: identified}}
  - {{date: 2026-01-20, status: assessed, note: 'quoted: note'}}
  - {{date: 2026-02-01, status: approved}}
  - {{date: 2026-02-10, status: planned}}
---

## 背景

IMP-0901 的正文，不应被改动。
"""

IDENTIFIED = """\
---
id: IMP-0902
title: Identified, no history
status: identified
raised: 2026-03-01
requester: "Customer representative, ACME"
source: customer_feedback
affects: [service/email]
tags: [test]
---

Body of IMP-0902.
"""


def add_test_records(root: Path) -> dict[str, Path]:
    """Write IMP-0901 (planned, block history) and IMP-0902 (identified, no history) into ``root``."""
    objective = sorted((root / "content" / "objectives").glob("OBJ-*.md"))[0].name[:6]
    paths = {"IMP-0901": root / "content/improvements/IMP-0901-planned.md",
             "IMP-0902": root / "content/improvements/IMP-0902-identified.md"}
    paths["IMP-0901"].write_text(PLANNED.format(objective=objective), encoding="utf-8", newline="\n")
    paths["IMP-0902"].write_text(IDENTIFIED, encoding="utf-8", newline="\n")
    return paths


def error_keys(root: Path) -> set[tuple[str, str, str]]:
    """(path, code, key) of every error: tests compare against the copy's own errors, if any,
    so that they test their command and not the state of the example register."""
    return {(i.path, i.code, i.key) for i in errors(root)}


def id_problems(root: Path, *against: str) -> list[tuple[str, str]]:
    """(path, code) of the id.collision and id.duplicate issues of `cir validate [--against REF]`."""
    args = [a for ref in against for a in ("--against", ref)]
    issues = json.loads(run("validate", str(root), "--format", "json", "--no-cache", *args).stdout)
    return [(i["path"], i["code"]) for i in issues if i["code"] in ("id.collision", "id.duplicate")]
