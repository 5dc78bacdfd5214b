"""Fixtures of the engine tests: one unseen register built by every engine, in parallel, each
site published below PREFIX on its own 127.0.0.1 port and built with that URL as site_url
(so instant navigation engages in the browser tests and feed.xml links there).

The ProperDocs build uses the MkDocs build's site_url and is compared with it byte for byte,
so it is not served itself: its links are the MkDocs build's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from cirtest.engines import (
    EngineSite,
    properdocs_build,
    properdocs_missing,
    serve_under_prefix,
    unseen_project,
    zensical_build,
    zensical_missing,
)
from cirtest.site import Build, mkdocs_build, set_site_url


@pytest.fixture(scope="session")
def unseen_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unseen register (generated once; each build works on a copy of it)."""
    return unseen_project(tmp_path_factory.mktemp("unseen") / "project")


@pytest.fixture(scope="session")
def engine_builds(unseen_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, EngineSite | str]]:
    """engine -> its served build of the unseen register, or why it could not be built (engine not installed)."""
    root = tmp_path_factory.mktemp("engines")
    with ExitStack() as stack:
        out: dict[str, EngineSite | str] = {}
        urls = {}
        for engine in ("mkdocs", "zensical"):
            site = root / engine / ("out/site" if engine == "zensical" else "site")
            urls[engine] = stack.enter_context(serve_under_prefix(site))
        projects = {e: Path(shutil.copytree(unseen_root, root / e / "project")) for e in ("mkdocs", "properdocs", "zensical")}
        set_site_url(projects["mkdocs"], urls["mkdocs"])
        set_site_url(projects["properdocs"], urls["mkdocs"])
        jobs = {"mkdocs": lambda: mkdocs_build(projects["mkdocs"], root / "mkdocs" / "site")}
        missing = {"properdocs": properdocs_missing(), "zensical": zensical_missing()}
        if not missing["properdocs"]:
            jobs["properdocs"] = lambda: properdocs_build(projects["properdocs"], root / "properdocs" / "site")
        if not missing["zensical"]:
            jobs["zensical"] = lambda: zensical_build(projects["zensical"], root / "zensical" / "out", urls["zensical"])
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {engine: pool.submit(job) for engine, job in jobs.items()}
            builds: dict[str, Build] = {engine: f.result() for engine, f in futures.items()}
        for engine, build in builds.items():
            assert build.returncode == 0, f"the {engine} build of the unseen register failed:\n{build.log}"
            out[engine] = EngineSite(engine, build.project, build.site, urls.get(engine, urls["mkdocs"]))
        out.update({engine: why for engine, why in missing.items() if why})
        yield out


def engine_site(builds: dict[str, EngineSite | str], engine: str) -> EngineSite:
    """The build of ``engine``; the test is skipped (saying what to install) when it could not be made."""
    site = builds[engine]
    if isinstance(site, str):
        pytest.skip(site)
    return site


@pytest.fixture(scope="session")
def mkdocs_site(engine_builds: dict[str, EngineSite | str]) -> EngineSite:
    return engine_site(engine_builds, "mkdocs")


@pytest.fixture(scope="session")
def properdocs_site(engine_builds: dict[str, EngineSite | str]) -> EngineSite:
    return engine_site(engine_builds, "properdocs")


@pytest.fixture(scope="session")
def zensical_site(engine_builds: dict[str, EngineSite | str]) -> EngineSite:
    return engine_site(engine_builds, "zensical")


@pytest.fixture(params=["mkdocs", "zensical"])
def served(request: pytest.FixtureRequest, engine_builds: dict[str, EngineSite | str]) -> EngineSite:
    """Each served engine's site in turn (MkDocs, Zensical)."""
    return engine_site(engine_builds, request.param)
