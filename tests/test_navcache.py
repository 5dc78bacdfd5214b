"""Material's navigation rendered once per folder of record pages (adapters/navcache.py): the same
HTML as rendered for each page, served only where it cannot differ."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from mkdocs.commands.build import get_context
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.structure.nav import get_navigation

from cir_portal.adapters import navcache
from cir_portal.adapters.navcache import NavCache
from cirtest.site import copy_project


def page(src: str, url: str) -> Any:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src), url=url)


def test_record_pages_of_one_folder_share_a_key_others_get_none() -> None:
    cache = NavCache({"improvements/IMP-0001.md", "improvements/IMP-0002.md", "lessons/LL-0001.md",
                      "improvements/IMP-0003.md", "roadmap/IMP-0009.md"},
                     listed={"improvements/IMP-0003.md"}, targets=["", "register/", "roadmap/2026/", "https://x.org/"])
    one = cache.key(page("improvements/IMP-0001.md", "improvements/IMP-0001/"))
    assert one == (("improvements",), 2)
    assert cache.key(page("improvements/IMP-0002.md", "improvements/IMP-0002/")) == one
    assert cache.key(page("lessons/LL-0001.md", "lessons/LL-0001/")) == (("lessons",), 2)
    # file URLs: the folder is the page's parent
    assert cache.key(page("improvements/IMP-0001.md", "improvements/IMP-0001.html")) == ((), 1)
    assert cache.key(page("index.md", "")) is None  # not a record
    assert cache.key(page("improvements/IMP-0003.md", "improvements/IMP-0003/")) is None  # listed in the navigation
    # a link of the navigation leads into the page's folder: relative to it, the link differs
    assert cache.key(page("roadmap/IMP-0009.md", "roadmap/2026/")) is None
    assert cache.key(SimpleNamespace(url="x/")) is None


@pytest.fixture(scope="module")
def built_env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The example's MkDocs configuration, files, navigation and theme environment, through the
    plugin's events up to on_env, as ``mkdocs build`` makes them."""
    project = copy_project(tmp_path_factory.mktemp("navcache") / "project")
    cwd, epoch = os.getcwd(), os.environ.get("SOURCE_DATE_EPOCH")
    os.chdir(project)
    try:
        config = load_config(str(project / "mkdocs.yml"))
        config.plugins.on_startup(command="build", dirty=False)
        config = config.plugins.on_config(config)
        files = config.plugins.on_files(get_files(config), config=config)
        nav = config.plugins.on_nav(get_navigation(files, config), config=config, files=files)
        env = config.plugins.on_env(config.theme.get_env(), config=config, files=files)
    finally:
        os.chdir(cwd)
    plugin = config.plugins["cir"]
    yield SimpleNamespace(config=config, files=files, nav=nav, env=env, plugin=plugin)
    plugin.on_build_error(error=RuntimeError("no build: the test stops after on_env"))  # (drops the epoch it set)
    plugin.on_shutdown()
    assert os.environ.get("SOURCE_DATE_EPOCH") == epoch, "the plugin's SOURCE_DATE_EPOCH outlived its build"


def render_nav(env: jinja2.Environment, built: Any, src: str) -> str:
    page = built.files.get_file_from_path(src).page
    page.active = True  # as MkDocs renders it
    try:
        # as base.html includes it: with the theme's strings imported and its features set
        template = env.from_string('{% import "partials/language.html" as lang with context %}'
                                   '{% set features = config.theme.features or [] %}'
                                   '{% include "partials/nav.html" %}')
        return template.render(get_context(built.nav, built.files, built.config, page))
    finally:
        page.active = False


def test_a_record_page_gets_the_navigation_rendered_for_it(built_env: Any) -> None:
    cache = built_env.plugin.navs
    assert cache is not None, "the cache is installed for Material's own navigation"
    plain = built_env.config.theme.get_env()  # the theme's environment, without the cache
    records = sorted(src for src in built_env.plugin.tree.pages.records if src.startswith("improvements/"))
    listed = sorted(navcache.listed_pages(built_env.nav))
    hits = cache.hits
    for src in records[:3] + listed[:3]:
        assert render_nav(built_env.env, built_env, src) == render_nav(plain, built_env, src), src
    assert cache.hits == hits + 2, "the second and third record pages of a folder come from the cache"
    html = render_nav(built_env.env, built_env, records[1])
    assert 'class="md-nav md-nav--primary"' in html and "md-nav__link--active" not in html
    assert 'href="../../register/"' in html


def test_not_installed_for_a_theme_override_or_when_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    override = tmp_path / "overrides" / "partials"
    override.mkdir(parents=True)
    (override / "nav.html").write_text("<nav>{{ page.title }}</nav>", encoding="utf-8")
    import material

    folder = Path(material.__file__).parent
    theme = folder / "templates"
    mine = jinja2.Environment(loader=jinja2.FileSystemLoader([str(tmp_path / "overrides"), str(theme)]))
    assert not navcache.install(mine, NavCache(set(), set(), []), folder)
    material_env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(theme)]))
    assert not navcache.install(material_env, NavCache(set(), set(), []), None)  # Material not installed
    monkeypatch.setenv(navcache.CACHE_ENV, "0")
    assert not navcache.install(material_env, NavCache(set(), set(), []), folder)
    monkeypatch.delenv(navcache.CACHE_ENV)
    assert navcache.install(material_env, NavCache(set(), set(), []), folder)
    assert "cir_nav_key" in material_env.globals
