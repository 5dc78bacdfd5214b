"""Material's navigation sidebar rendered once per folder of record pages, not once per page.

Material renders the whole navigation (``partials/nav.html``) into every page: a tenth of a
2,000-record build's time on its thread, for the same HTML on every record page of a folder.
A page the navigation does not list marks no item active and shows no table of contents in
it, so its navigation differs from another's only by the relative links (``url`` filter),
which depend on the page's folder alone (``mkdocs.utils.get_relative_url``), unless a link
leads into that folder. Such record pages get the navigation rendered for the first of them
in the same parent folder at the same depth; every other page renders it as before.

Only Material's own ``partials/nav.html`` is cached (a theme override of it may show
page-specific content); ``CIR_THEME_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2

#: The partial cached, and the name its source (Material's own) is loaded under meanwhile.
PARTIAL = "partials/nav.html"
ORIGINAL = "cir/material-nav.html"
#: The environment variable that turns the cache off ("0").
CACHE_ENV = "CIR_THEME_CACHE"

#: Takes the place of ``partials/nav.html``: the cached HTML of the page's key, else the original
#: rendered (and kept, when the page has a key). The output is the original's, character for character.
WRAPPER = (
    '{%- set cir_key = cir_nav_key(page) -%}'
    '{%- set cir_html = cir_nav_cached(cir_key) -%}'
    '{%- if cir_html is none -%}'
    '{%- set cir_html -%}{% include "' + ORIGINAL + '" %}{%- endset -%}'
    '{%- set cir_html = cir_nav_keep(cir_key, cir_html) -%}'
    '{%- endif -%}'
    '{{ cir_html }}'
)


def _parts(url: str) -> tuple[str, ...]:
    return tuple(part for part in url.split("/") if part and part != ".")


def _folder(url: str) -> tuple[str, ...]:
    """The folder relative links of a page at ``url`` start from (as get_relative_url takes it)."""
    folder, _, name = url.rpartition("/")
    return _parts(folder if "." in name else url)


class NavCache:
    """The navigation HTML of the record pages of a build, by (parent folder, depth)."""

    def __init__(self, records: set[str], listed: set[str], targets: Iterable[str]) -> None:
        #: the record pages (src_uri) the cache may serve
        self.records = records
        #: the pages (src_uri) the navigation lists: never served from the cache
        self.listed = listed
        #: where the navigation's links lead (their path parts)
        self.targets = [_parts(t) for t in targets if t and "://" not in t and not t.startswith(("#", "mailto:"))]
        self.html: dict[tuple[tuple[str, ...], int], Any] = {}
        self.hits = 0

    def key(self, page: Any) -> tuple[tuple[str, ...], int] | None:
        """The cache key of ``page``: None if its navigation must be rendered for it."""
        file = getattr(page, "file", None)
        src = getattr(file, "src_uri", None)
        if src is None or src not in self.records or src in self.listed:
            return None
        folder = _folder(page.url or "")
        if not folder:
            return None
        if any(target[:len(folder)] == folder for target in self.targets):
            return None  # a link into the page's folder: relative to it, it differs
        return folder[:-1], len(folder)

    def cached(self, key: tuple[tuple[str, ...], int] | None) -> Any:
        if key is None:
            return None
        html = self.html.get(key)
        if html is not None:
            self.hits += 1
        return html

    def keep(self, key: tuple[tuple[str, ...], int] | None, html: Any) -> Any:
        if key is not None:
            self.html[key] = html
        return html


def nav_targets(nav: Any, config: Any) -> list[str]:
    """Every URL the navigation partial links: the navigation's pages and links, the home
    page, the logo and the favicon."""
    out: list[str] = []

    def walk(items: Iterable[Any]) -> None:
        for item in items:
            url = getattr(item, "url", None)
            if isinstance(url, str):
                out.append(url)
            children = getattr(item, "children", None)
            if children:
                walk(children)

    walk(getattr(nav, "items", []) or [])
    homepage = getattr(nav, "homepage", None)
    if homepage is not None:
        out.append(homepage.url)
    extra = config.get("extra") or {}
    theme = config.get("theme")
    for value in (extra.get("homepage"), theme.get("logo") if theme else None, theme.get("favicon") if theme else None):
        if isinstance(value, str):
            out.append(value)
    return out


def listed_pages(nav: Any) -> set[str]:
    """The pages (src_uri) the navigation lists."""
    return {page.file.src_uri for page in getattr(nav, "pages", []) or [] if getattr(page, "file", None)}


def install(env: jinja2.Environment, cache: NavCache, material: Path | None) -> bool:
    """Serve Material's navigation partial from ``cache`` in ``env`` (before any template is
    loaded); False (nothing changed) where the partial is not Material's own (from the folder of
    the installed ``material`` package) or the cache is off."""
    if os.environ.get(CACHE_ENV, "").strip() == "0" or env.loader is None or material is None:
        return False
    try:
        source, filename, _ = env.loader.get_source(env, PARTIAL)
    except jinja2.TemplateNotFound:
        return False
    if filename is None or material.resolve() not in Path(filename).resolve().parents:
        return False  # a theme override of the partial: what it shows is not known
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({PARTIAL: WRAPPER, ORIGINAL: source}), env.loader])
    env.globals.update(cir_nav_key=cache.key, cir_nav_cached=cache.cached, cir_nav_keep=cache.keep)
    return True
