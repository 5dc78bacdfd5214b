"""The Zensical route: what ``cir render --engine zensical`` writes besides the pages.

Zensical (the successor of Material for MkDocs by its authors) reads ``mkdocs.yml`` but runs no
MkDocs plugin, so ``zensical build`` on the project's own configuration publishes content/
without the portal. The route is to render the portal to a folder, then build that folder:
this module turns the project's ``mkdocs.yml`` into the equivalent ``zensical.toml`` (the
portal's stylesheets and scripts added as the MkDocs plugin adds them) and ships the theme
override that keeps "edit this page" off the pages the portal generates.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cir_portal.adapters import tomlwriter
from cir_portal.views.page import Page

#: Front matter key of a page the portal generates (no Markdown file in the repository to edit).
GENERATED_KEY = "cir_generated"
#: The theme override folder (``theme.custom_dir``) inside the rendered project.
OVERRIDES = "overrides"
#: Top-level settings of mkdocs.yml that mean the same in zensical.toml.
PROJECT_KEYS = ("site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name",
                "edit_uri", "edit_uri_template", "use_directory_urls", "extra_css", "extra_javascript",
                "extra_templates", "nav", "extra", "markdown_extensions")


class ConfigError(Exception):
    """mkdocs.yml cannot be read or turned into zensical.toml (the message says what to do)."""


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs reads it: ``!ENV`` resolved; other tags (``!!python/name:``...) kept
    as markers, an error only if the setting they hold is carried over."""


class _Unsupported:
    def __init__(self, tag: str) -> None:
        self.tag = tag


def _tagged(loader: yaml.SafeLoader, tag: str, node: yaml.Node) -> Any:
    """``!!python/name:pkg.func`` becomes the string ``pkg.func``, which Zensical resolves itself in
    the settings that take a function (emoji, superfences...), with Material's extensions mapped
    to Zensical's as Zensical does for mkdocs.yml; any other tag is unsupported."""
    if tag.startswith("tag:yaml.org,2002:python/name:"):
        return tag.removeprefix("tag:yaml.org,2002:python/name:").replace("material.extensions", "zensical.extensions")
    return _Unsupported(tag.replace("tag:yaml.org,2002:", "!!"))


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode) and node.value:
        *names, default = [loader.construct_object(child) for child in node.value]
        if not names:
            names, default = [default], None
    else:
        raise yaml.constructor.ConstructorError(None, None, "!ENV takes a name or a list of names and a default",
                                                node.start_mark)
    for name in names:
        if str(name) in os.environ:
            return yaml.safe_load(os.environ[str(name)]) if os.environ[str(name)] else ""
    return default


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("", _tagged)


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """The settings of ``path`` (a project's mkdocs.yml)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)  # a SafeLoader
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); the Zensical configuration is made from it") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    return data


def zensical_config(mkdocs: Mapping[str, Any], *, language: str, site_url: str, stylesheets: list[str],
                    scripts: list[str]) -> dict[str, Any]:
    """The zensical.toml settings equivalent to ``mkdocs`` (a parsed mkdocs.yml) for the rendered
    docs folder: the same site, repository, navigation, theme and Markdown extensions; the theme
    in the register's ``language`` (as the MkDocs plugin sets it), system fonts unless mkdocs.yml
    chose others; ``stylesheets`` and ``scripts`` (the portal's, ``SiteTree.theme_assets``) linked
    from every page; the override folder that hides "edit this page" on generated pages."""
    project: dict[str, Any] = {"docs_dir": "docs", "site_dir": "site"}
    project.update((key, mkdocs.get(key)) for key in PROJECT_KEYS)
    project["site_url"] = site_url or None
    extensions = mkdocs.get("markdown_extensions")
    if isinstance(extensions, list):
        project["markdown_extensions"] = _extensions_table(extensions)
    css = list(project.get("extra_css") or [])
    project["extra_css"] = css + [p for p in stylesheets if p not in css]
    js = list(project.get("extra_javascript") or [])
    linked = {item.get("path") if isinstance(item, Mapping) else item for item in js}
    project["extra_javascript"] = js + [p for p in scripts if p not in linked]

    theme_in = mkdocs.get("theme") or {}
    theme: dict[str, Any] = {"name": theme_in} if isinstance(theme_in, str) else dict(theme_in)
    theme.pop("name", None)  # Zensical's own theme stands in for Material
    theme["language"] = language
    theme.setdefault("font", False)  # Google Fonts otherwise: the portal works offline
    theme.setdefault("variant", "classic")  # Material's look, which the portal's stylesheets were made for
    theme["custom_dir"] = OVERRIDES
    if "palette" in theme:
        theme["palette"] = theme.pop("palette")  # last: written as [[project.theme.palette]] sections
    project["theme"] = theme
    _check_plain(project, "")
    return {"project": project}


def _extensions_table(extensions: list[Any]) -> dict[str, Any]:
    """mkdocs.yml's list of Markdown extensions as the table zensical.toml holds."""
    table: dict[str, Any] = {}
    for item in extensions:
        if isinstance(item, str):
            table[item] = {}
        elif isinstance(item, Mapping):
            for name, options in item.items():
                table[str(name)] = dict(options) if isinstance(options, Mapping) else {}
    return table


def _check_plain(value: Any, where: str) -> None:
    if isinstance(value, _Unsupported):
        raise ConfigError(f"mkdocs.yml: {where.lstrip('.')}: the tag {value.tag} cannot be written to "
                          "zensical.toml; set this in the rendered zensical.toml by hand or use a plain value")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_plain(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_plain(item, f"{where}[{i}]")


def config_text(config: Mapping[str, Any]) -> str:
    """zensical.toml: a comment saying where it comes from, then the settings."""
    return ("# Written by `cir render --engine zensical` from mkdocs.yml and site_config/: edit those and render\n"
            "# again. Build with `zensical build` in this folder (`cir render` has validated the register).\n\n"
            + tomlwriter.dumps(config))


def mark_generated(page: Page) -> Page:
    """A generated page with ``cir_generated: true`` in its front matter (see OVERRIDES)."""
    return replace(page, meta={**page.meta, GENERATED_KEY: True})


def override_files(mkdocs: Mapping[str, Any], root: Path) -> dict[str, bytes]:
    """The files of the ``overrides`` folder, by path inside it: the theme's ``custom_dir`` of
    mkdocs.yml (relative to ``root``), if any, and the portal's partial that hides "edit this
    page" on generated pages (unless the custom_dir overrides that partial itself)."""
    out: dict[str, bytes] = {}
    theme = mkdocs.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, Mapping) else None
    if isinstance(custom, str) and custom:
        folder = root / custom
        if not folder.is_dir():
            raise ConfigError(f"mkdocs.yml: theme.custom_dir: {custom} is not a folder of the project")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out[path.relative_to(folder).as_posix()] = path.read_bytes()
    partial = "partials/actions.html"
    out.setdefault(partial, resources.files("cir_portal").joinpath("assets", "zensical", partial).read_bytes())
    return out
