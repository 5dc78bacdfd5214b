"""``cir render --engine zensical --out DIR``: a ready Zensical project made from the register
and its mkdocs.yml, without running Zensical (the builds are in test_engines_build.py).

Expectations come from the files: mkdocs.yml, portal.yml, the files render wrote.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from cir_portal.adapters.cli.main import cli

REPO_ROOT = Path(__file__).parents[2]
FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)
NOSCRIPT = re.compile(r"<noscript>.*?</noscript>", re.S)


def _project(make_project: Callable[..., Path], files: dict[str, str | None] | None = None) -> Path:
    project = make_project(files)
    shutil.copy2(REPO_ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project


def _render(project: Path, out: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["render", str(project), "--out", str(out), *args])


def _mkdocs(project: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8")))


def _toml(out: Path) -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((out / "zensical.toml").read_text(encoding="utf-8"))["project"]
    return project


@pytest.fixture
def rendered(make_project: Callable[..., Path], tmp_path: Path) -> tuple[Path, Path]:
    """(project, out): the base test project with the example's mkdocs.yml, rendered for Zensical."""
    project = _project(make_project)
    out = tmp_path / "out"
    done = _render(project, out, "--engine", "zensical")
    assert done.exit_code == 0, done.output
    return project, out


def test_zensical_toml_follows_mkdocs_yml(rendered: tuple[Path, Path]) -> None:
    """Site, repository, navigation, theme and Markdown extensions as in mkdocs.yml; the theme in
    the register's language with system fonts; the portal's stylesheets and scripts linked."""
    project, out = rendered
    mkdocs, config = _mkdocs(project), _toml(out)
    for key in ("site_name", "site_url", "repo_url", "repo_name", "edit_uri", "nav"):
        assert config[key] == mkdocs[key], key
    portal = yaml.safe_load((project / "site_config" / "portal.yml").read_text(encoding="utf-8"))
    theme = config["theme"]
    assert theme["language"] == portal["language"]
    assert theme["font"] is False
    assert theme["palette"] == mkdocs["theme"]["palette"]
    assert theme["features"] == mkdocs["theme"]["features"]
    names = [e if isinstance(e, str) else next(iter(e)) for e in mkdocs["markdown_extensions"]]
    assert list(config["markdown_extensions"]) == names
    assert config["markdown_extensions"]["toc"] == {"permalink": True}
    assets = out / "docs" / "assets" / "cir"
    assert config["extra_css"] == sorted(f"assets/cir/{p.name}" for p in assets.glob("*.css"))
    assert config["extra_javascript"] == sorted(f"assets/cir/{p.name}" for p in assets.glob("*.js"))
    assert {"assets/cir/cir.css", "assets/cir/cir.js"} <= {*config["extra_css"], *config["extra_javascript"]}
    assert (out / config["docs_dir"] / "register.md").is_file()
    assert (out / theme["custom_dir"] / "partials" / "actions.html").is_file()


def test_generated_pages_are_marked_records_are_not(rendered: tuple[Path, Path]) -> None:
    """Pages the portal generates say so in their front matter (the theme override then shows no
    "edit this page"); pages made from content/ files do not."""
    project, out = rendered
    content = {p.relative_to(project / "content").as_posix() for p in (project / "content").rglob("*.md")}
    docs = out / "docs"
    marked = set()
    for path in docs.rglob("*.md"):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        if match and (yaml.safe_load(match.group(1)) or {}).get("cir_generated") is True:
            marked.add(path.relative_to(docs).as_posix())
    pages = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")}
    assert content and marked
    assert marked == pages - content
    override = (out / "overrides" / "partials" / "actions.html").read_text(encoding="utf-8")
    assert "page.meta.cir_generated" in override and 'rel="edit"' in override


def test_links_are_relative_to_the_source_file(rendered: tuple[Path, Path]) -> None:
    """Every relative link in the rendered pages' HTML opens a file of docs/ when read from the
    page's source file, as Zensical reads it (inside <noscript>, which no engine rewrites,
    links are relative to the page URL)."""
    _, out = rendered
    docs = out / "docs"
    broken, checked = [], 0
    for path in sorted(docs.rglob("*.md")):
        src = path.relative_to(docs).as_posix()
        for href in re.findall(r'(?:href|src)="([^"#?]+)[^"]*"', NOSCRIPT.sub("", path.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", href):
                continue
            checked += 1
            target = posixpath.normpath(posixpath.join(posixpath.dirname(src), href))
            if target.startswith("../") or not (docs / target).is_file():
                broken.append(f"{src}: {href}")
    assert checked > 50
    assert not broken, broken[:20]


def test_site_url_defaults_to_mkdocs_yml_and_can_be_set(make_project: Callable[..., Path], tmp_path: Path) -> None:
    """feed.xml links and zensical.toml use --site-url, else mkdocs.yml's site_url."""
    project = _project(make_project)
    default, chosen = tmp_path / "default", tmp_path / "chosen"
    assert _render(project, default, "--engine", "zensical").exit_code == 0
    assert _render(project, chosen, "--engine", "zensical", "--site-url", "https://intranet.example/cir/").exit_code == 0
    site_url = _mkdocs(project)["site_url"]
    assert _toml(default)["site_url"] == site_url
    assert _toml(chosen)["site_url"] == "https://intranet.example/cir/"
    for out, url in ((default, site_url), (chosen, "https://intranet.example/cir/")):
        links = re.findall(r'<link href="([^"]*)"', (out / "docs" / "feed.xml").read_text(encoding="utf-8"))
        assert links and all(link.startswith(url) for link in links), links[:3]


def test_render_replaces_only_its_own_folder(make_project: Callable[..., Path], tmp_path: Path) -> None:
    """A non-empty folder is refused; --clean replaces an earlier render, never another folder."""
    project = _project(make_project)
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    for args in ((), ("--clean",)):
        done = _render(project, other, "--engine", "zensical", *args)
        assert done.exit_code == 2, done.output
        assert "not empty" in done.output or "not written by `cir render`" in done.output
        assert sorted(p.name for p in other.iterdir()) == ["keep.txt"]

    out = tmp_path / "out"
    assert _render(project, out, "--engine", "zensical").exit_code == 0
    (out / "docs" / "stale.md").write_text("# stale", encoding="utf-8")
    again = _render(project, out, "--engine", "zensical")
    assert again.exit_code == 2 and "--clean" in again.output
    clean = _render(project, out, "--engine", "zensical", "--clean")
    assert clean.exit_code == 0, clean.output
    assert not (out / "docs" / "stale.md").exists() and (out / "zensical.toml").is_file()
    inside = _render(project, project / "content" / "build", "--engine", "zensical")
    assert inside.exit_code == 2 and "content/" in inside.output


def test_validation_errors_stop_render(make_project: Callable[..., Path], tmp_path: Path) -> None:
    """A register with errors is not rendered: exit 1, nothing written (so `render && zensical build` stops)."""
    project = _project(make_project, {"content/improvements/IMP-0001-mima-chongzhi.md": "---\nid: IMP-0001\n---\n"})
    out = tmp_path / "out"
    done = _render(project, out, "--engine", "zensical")
    assert done.exit_code == 1, done.output
    assert not out.exists()


def test_mkdocs_yml_tags(make_project: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """!ENV is resolved as MkDocs does; !!python/name: becomes the dotted name Zensical resolves
    (Material's extensions mapped to Zensical's); another tag is an error naming the setting."""
    project = _project(make_project)
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^site_url:.*$", "site_url: !ENV [CIR_TEST_SITE_URL, 'https://fallback.example/']", text)
    text += ("  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
             "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n")
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CIR_TEST_SITE_URL", "https://from-env.example/")
    assert _render(project, tmp_path / "a", "--engine", "zensical").exit_code == 0
    config = _toml(tmp_path / "a")
    assert config["site_url"] == "https://from-env.example/"
    assert config["markdown_extensions"]["pymdownx.emoji"] == {"emoji_index": "zensical.extensions.emoji.twemoji",
                                                               "emoji_generator": "zensical.extensions.emoji.to_svg"}
    (project / "mkdocs.yml").write_text(text.replace("font: false", "font: !relative x"), encoding="utf-8")
    done = _render(project, tmp_path / "b", "--engine", "zensical")
    assert done.exit_code == 2
    assert "theme.font" in done.output and "!relative" in done.output
