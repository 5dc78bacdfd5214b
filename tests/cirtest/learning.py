"""Helpers of the learning-loop tests: copy the example register, write small records,
load a project that must validate, and its site model.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.pipeline import LoadResult, load_register
from cir_portal.views.context import Site
from cirtest.site import copy_project as copy_example
from cirtest.site import mkdocs_build

REPO_ROOT = Path(__file__).resolve().parents[2]
EPOCH = 1_790_000_000  # 2026-09-21: a fixed "now" for the views


def load_ok(root: Path) -> LoadResult:
    """Load the project at ``root`` (no cache) and insist that it validates."""
    result = load_register(Project(root), use_cache=False)
    assert result.register is not None, [str(i) for i in result.issues]
    assert not result.errors, "\n".join(f"{i.path}:{i.line}: {i.key}: {i.message}" for i in result.errors)
    return result


def site_of(root: Path) -> Site:
    result = load_ok(root)
    assert result.register is not None
    return Site(result.register, result.project, epoch=EPOCH)


def improvement(rid: str, *, affects: list[str], tags: list[str] | None = None, status: str = "identified",
                extra: str = "") -> str:
    """A minimal valid improvement record (status ``identified``, or a terminal one with ``extra``)."""
    tag_line = f"tags: [{', '.join(tags)}]\n" if tags else ""
    return (f"---\nid: {rid}\ntitle: Improvement {rid}\nstatus: {status}\nraised: 2026-01-05\nrequester: li.na\n"
            f"source: staff_idea\naffects: [{', '.join(affects)}]\n{tag_line}{textwrap.dedent(extra)}---\n\nBody.\n")


def lesson(rid: str, *, date: str, kind: str = "success", affects: list[str] | None = None, tags: list[str] | None = None,
           improvements: list[str] | None = None, author: str = "wang.wei") -> str:
    """A valid lesson record."""
    lines = [f"id: {rid}", f"title: Lesson {rid}", f"date: {date}", f"author: {author}", f"kind: {kind}",
             f"recommendation: Recommendation of {rid}.", f"improvements: [{', '.join(improvements or [])}]"]
    if affects:
        lines.append(f"affects: [{', '.join(affects)}]")
    if tags:
        lines.append(f"tags: [{', '.join(tags)}]")
    return "---\n" + "\n".join(lines) + "\n---\n\nWhat happened.\n"


MakeProject = Callable[..., Path]


def targets(site: Site, src: str, html: str) -> set[str]:
    """Every link of ``html`` (on the page built from ``src``) as a site-root-relative URL."""
    from urllib.parse import urljoin

    base = "http://site.invalid/"
    return {urljoin(base + site.url(src), href).removeprefix(base) for href in re.findall(r'href="([^"]*)"', html)}


# --- a built site

@dataclass(frozen=True)
class Built:
    """A copy of the example register built with a real ``mkdocs build --strict``."""

    site: Path
    log: str


def build_example(root: Path) -> Built:
    """Copy the example register under ``root`` and build it into ``root / "site"``."""
    build = mkdocs_build(copy_example(root / "project"), root / "site", {"TMPDIR": str(root)})
    assert build.returncode == 0, build.log
    return Built(build.site, build.log)
