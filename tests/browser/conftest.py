"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and sites built with
``site_url`` set to the exact origin they are served from (so instant navigation engages).

Every browser context records its requests (aborting any that leave 127.0.0.1), console
errors, page errors, failed responses and dialogs; the test fails if any occurred.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from cirtest.browser import SYNTHETIC, BusySite, ServedSite, make_everything_hostile, make_hostile
from cirtest.site import add_synthetic_improvements, build_all, copy_project, serve_directory, set_site_url


@pytest.fixture(scope="session")
def _sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServedSite]]:
    """The example, the busy example and the example with hostile values everywhere, each served
    on its own 127.0.0.1 port and built (in parallel) with that URL as site_url."""
    root = tmp_path_factory.mktemp("served")
    with ExitStack() as stack:
        sites: dict[str, ServedSite] = {}
        for name in ("example", "busy", "hostile"):
            project = copy_project(root / name / "project")
            site = root / name / "site"
            url = stack.enter_context(serve_directory(site))
            set_site_url(project, url)
            if name == "busy":
                synthetic = tuple(add_synthetic_improvements(project, SYNTHETIC))
                sites[name] = BusySite(project, site, url, make_hostile(project), synthetic)
            elif name == "hostile":
                make_everything_hostile(project)
                sites[name] = ServedSite(project, site, url)
            else:
                sites[name] = ServedSite(project, site, url)
        build_all([(s.project, s.site, None) for s in sites.values()])
        yield sites


@pytest.fixture(scope="session")
def served_site_en(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The example register with its portal in English (portal.yml ``language: en``), served;
    built only for the tests that ask for it."""
    root = tmp_path_factory.mktemp("served-en")
    project = copy_project(root / "project")
    portal = project / "site_config" / "portal.yml"
    text, n = re.subn(r"(?m)^language: \w+$", "language: en", portal.read_text(encoding="utf-8"))
    assert n == 1, "portal.yml has no language line"
    portal.write_text(text, encoding="utf-8")
    with serve_directory(root / "site") as url:
        set_site_url(project, url)
        build_all([(project, root / "site", None)])
        yield ServedSite(project, root / "site", url)


@pytest.fixture(scope="session")
def served_site(_sites: dict[str, ServedSite]) -> ServedSite:
    """The example register, served."""
    return _sites["example"]


@pytest.fixture(scope="session")
def hostile_site(_sites: dict[str, ServedSite]) -> ServedSite:
    """The example with hostile values in every free-text field, tag, body, name and label, served."""
    return _sites["hostile"]


@pytest.fixture(scope="session")
def busy_site(_sites: dict[str, ServedSite]) -> BusySite:
    """The busy example (synthetic and hostile records), served."""
    site = _sites["busy"]
    assert isinstance(site, BusySite)
    return site
