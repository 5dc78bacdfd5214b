"""``cir render``: the complete generated docs tree written to a folder, for other site engines.

Two layouts (``Engine``):

- ``mkdocs``: the docs tree as the MkDocs plugin hands it to MkDocs, written to OUT (links in
  the raw HTML relative to the page URL, as engines that publish raw HTML unchanged need them);
- ``zensical``: a ready Zensical project: OUT/docs (links relative to the source file, the way
  Zensical resolves them, as ``.md`` targets it checks), OUT/zensical.toml made from mkdocs.yml,
  and OUT/overrides (no "edit this page" on generated pages). ``zensical build`` in OUT
  publishes the portal.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Set
from pathlib import Path
from typing import Any, Literal

from cir_portal.adapters import zensical
from cir_portal.adapters.zensical import ConfigError
from cir_portal.core.config import Project
from cir_portal.core.files import scan_content
from cir_portal.core.loading import KIND_FOLDERS
from cir_portal.core.model import Register
from cir_portal.views.page import Page
from cir_portal.views.sanitize import clean_markdown
from cir_portal.views.tree import SiteTree, build_tree

Engine = Literal["mkdocs", "zensical"]
ENGINES: tuple[Engine, ...] = ("mkdocs", "zensical")
#: Written into every rendered folder: ``--clean`` empties only folders that hold it.
MARKER = ".cir-render"

__all__ = ["ENGINES", "MARKER", "ConfigError", "Engine", "prepare_out", "render"]


def prepare_out(out: Path, project: Project, *, clean: bool) -> str | None:
    """Make ``out`` ready to render into (emptied with ``clean`` if an earlier render wrote it);
    a message saying what to do when it cannot be used, else None."""
    target, root = out.resolve(), project.root.resolve()
    if target == root or root.is_relative_to(target) or target.is_relative_to(project.content.resolve()):
        return f"{out} holds the project or lies in its content/ folder; render to a folder of its own"
    if target.exists() and not target.is_dir():
        return f"{out} is a file; choose a folder"
    if target.is_dir() and any(target.iterdir()):
        if not clean:
            return f"{out} is not empty; choose a new folder, or pass --clean to replace an earlier render there"
        if not (target / MARKER).is_file():
            return f"{out} was not written by `cir render` (no {MARKER} file): --clean empties only such folders"
        for child in target.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    return None


def render(register: Register, project: Project, out: Path, *, engine: Engine = "mkdocs", site_url: str | None = None,
           withheld: Set[str] = frozenset()) -> int:
    """Write the portal to ``out`` in the layout ``engine`` builds from; returns the files written.

    ``site_url`` (default: mkdocs.yml's) gives feed.xml its absolute links and the Zensical
    configuration its site_url. Raises ConfigError when mkdocs.yml cannot be used.

    Only what ``register`` (published for one audience) holds is written: files of content/
    in ``withheld`` (relative to the project root), links out of the project, FIFOs and the
    files of records the register does not hold are never read or copied. Record bodies are
    sanitised (sanitize.clean_markdown) unless portal.yml trusts them.
    """
    mkdocs_yml = project.root / "mkdocs.yml"
    settings: dict[str, Any] = {}
    if engine == "zensical" or mkdocs_yml.is_file():
        settings = zensical.read_mkdocs_yml(mkdocs_yml)
    url = site_url if site_url is not None else str(settings.get("site_url") or "")
    directory_urls = settings.get("use_directory_urls", True) is not False
    out.mkdir(parents=True, exist_ok=True)
    trusted = register.config.portal.publish.trusted_html
    if engine == "mkdocs":
        tree = build_tree(register, project, directory_urls=directory_urls, site_url=url)
        written = _write_docs(tree, project, out, lambda page: page, withheld, trusted=trusted)
    else:
        tree = build_tree(register, project, directory_urls=directory_urls, site_url=url, link_base="source")
        stylesheets, scripts = tree.theme_assets()
        config = zensical.zensical_config(settings, language=register.config.portal.language, site_url=url,
                                          stylesheets=stylesheets, scripts=scripts)
        overrides = zensical.override_files(settings, project.root)  # everything that can fail, before writing
        written = _write_docs(tree, project, out / "docs", zensical.mark_generated, withheld, trusted=trusted)
        (out / "zensical.toml").write_text(zensical.config_text(config), encoding="utf-8")
        for rel, data in sorted(overrides.items()):
            _write(out / zensical.OVERRIDES / rel, data)
        written += 1 + len(overrides)
    (out / MARKER).write_text(f"Written by `cir render --engine {engine}`; `cir render --clean` may replace it.\n",
                              encoding="utf-8")
    return written + 1


def _write(target: Path, data: bytes | str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        target.write_text(data, encoding="utf-8")
    else:
        target.write_bytes(data)


def _write_docs(tree: SiteTree, project: Project, docs: Path, mark: Callable[[Page], Page],
                withheld: Set[str] = frozenset(), *, trusted: bool = False) -> int:
    """content/ (record pages with their heading and card, bodies sanitised), the generated pages
    (passed through ``mark``), assets and exports, under ``docs``; returns the files written."""
    written = 0
    never = set(withheld) | scan_content(project).unsafe
    record_folders = tuple(f"{folder}/" for folder in KIND_FOLDERS.values())
    for path in sorted(project.content.rglob("*")):
        if project.rel(path) in never or not path.is_file():
            continue
        src_uri = path.relative_to(project.content).as_posix()
        page = tree.pages.get(src_uri)
        if (page is None or page.record is None) and src_uri.startswith(record_folders) and src_uri.endswith(".md"):
            continue  # a record this audience is not published
        if page is not None and page.record is not None:
            if not trusted:
                page = dataclasses.replace(page, content=clean_markdown(page.content))
            _write(docs / src_uri, page.source())
        else:
            _write(docs / src_uri, path.read_bytes())
        written += 1
    for page in tree.generated():
        _write(docs / page.src_uri, mark(page).source())
        written += 1
    for src_uri, data in sorted(tree.files.items()):
        _write(docs / src_uri, data)
        written += 1
    return written
