"""Helpers of the engine tests: a register the other tests have never seen, its builds with
MkDocs, ProperDocs and the Zensical route, and a static server that publishes a site below a
sub-path (``/some/prefix/``), as an intranet portal often is.

Expectations come from the files (records, mkdocs.yml), never from the portal's code.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from cirtest.site import REPO_ROOT, Build, QuietHandler, run_cir, serve_directory

#: The sub-path every engine's site is published under.
PREFIX = "/some/prefix/"
#: Improvements of the unseen register: a few dozen pages of every kind, built in seconds.
UNSEEN_IMPROVEMENTS = 16
UNSEEN_SEED = 1313
#: The Zensical release the tests pin (0.1.x needs `zensical-ui`, which not every index serves).
ZENSICAL_PIN = "zensical==0.0.73"
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def missing_module(module: str, extra: str, what: str) -> str | None:
    """Why a test cannot run ``what`` (None when ``module`` is importable)."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"{what} is not installed: pip install -e '.[{extra}]' (the `test` extra includes it)"


def zensical_missing() -> str | None:
    return missing_module("zensical", "zensical", f"Zensical ({ZENSICAL_PIN}; 0.1.x needs zensical-ui)")


def properdocs_missing() -> str | None:
    return missing_module("properdocs", "properdocs", "ProperDocs")


def unseen_project(dest: Path) -> Path:
    """A register no other test uses: synthetic records (scripts/synthetic.py, a seed of its
    own), the example's mkdocs.yml and home page."""
    from synthetic import generate

    generate(UNSEEN_IMPROVEMENTS, dest, seed=UNSEEN_SEED)
    shutil.copy2(REPO_ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    if not (dest / "content" / "index.md").is_file():
        shutil.copy2(REPO_ROOT / "content" / "index.md", dest / "content" / "index.md")
    return dest


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true", **(extra or {})}


def properdocs_build(project: Path, site: Path) -> Build:
    """``properdocs build --strict -f mkdocs.yml`` of ``project`` into ``site``."""
    args = [sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    done = subprocess.run(args, cwd=project, env=_env(), capture_output=True, text=True, timeout=600, check=False)
    return Build(project, site, done.returncode, done.stdout + done.stderr)


def zensical_build(project: Path, out: Path, site_url: str) -> Build:
    """The Zensical route as CI runs it: ``cir render --engine zensical --out OUT --site-url URL``
    then ``zensical build --strict`` in OUT (the site lands in OUT/site)."""
    done = run_cir("render", str(project), "--engine", "zensical", "--out", str(out), "--site-url", site_url, cwd=project)
    log = done.stdout + done.stderr
    if done.returncode != 0:
        return Build(project, out / "site", done.returncode, log)
    args = [sys.executable, "-m", "zensical", "build", "--strict"]
    built = subprocess.run(args, cwd=out, env=_env(), capture_output=True, text=True, timeout=600, check=False)
    return Build(project, out / "site", built.returncode, log + built.stdout + built.stderr)


@dataclass(frozen=True)
class EngineSite:
    """One engine's build of the unseen register, published at ``url`` (ending in PREFIX)."""

    engine: str
    project: Path
    site: Path
    url: str


class _PrefixHandler(QuietHandler):
    """Serves the site folder below PREFIX; any other path is a 404."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean + "/" == PREFIX:
            clean += "/"
        if not clean.startswith(PREFIX):
            return str(Path(self.directory) / ".outside-the-prefix" / "none")  # no such file: 404
        return super().translate_path("/" + clean.removeprefix(PREFIX))


def serve_under_prefix(directory: Path) -> AbstractContextManager[str]:
    """Serve ``directory`` (which may be built later) at http://127.0.0.1:<port>PREFIX; yields that URL."""
    return serve_directory(directory, _PrefixHandler, PREFIX)


def pages_of(site: Path) -> set[str]:
    """Every page of a built site (HTML files, relative to its root)."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


#: Files a theme writes (its own scripts, styles, images, search index, sitemap): not the portal's.
THEME_FILES = re.compile(r"^(assets/(javascripts|stylesheets|images)/|search/|search\.json$|sitemap\.xml(\.gz)?$|pagefind/)")


def portal_files(site: Path) -> set[str]:
    """The files a build published besides pages and the theme's own: exports and the portal's assets."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.is_file() and p.suffix != ".html" and not THEME_FILES.match(p.relative_to(site).as_posix())}
