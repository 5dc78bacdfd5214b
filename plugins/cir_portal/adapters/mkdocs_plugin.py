"""The MkDocs adapter: validates the register, then hands MkDocs the generated site tree.

This is the only module that imports MkDocs; every hook calls into the library.
"""

from __future__ import annotations

import html as html_lib
import os
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from cir_portal.adapters.search import LiveIndex, SearchIndexError, index_site
from cir_portal.core.config import AUDIENCES, Project
from cir_portal.core.i18n import Translator
from cir_portal.core.issues import Issue
from cir_portal.core.pipeline import LoadResult, load_register
from cir_portal.core.publishing import AUDIENCE_ENV, AudienceError, build_audience
from cir_portal.core.reporters import location
from cir_portal.views.access import skip_to_content
from cir_portal.views.context import content_epoch
from cir_portal.views.markup import esc, relative_url, stash_html_blocks, unstash_html_blocks
from cir_portal.views.sanitize import clean_html
from cir_portal.views.search import IGNORE, header_box, indexed, indexed_part, search_url
from cir_portal.views.tree import SiteTree, build_tree

log = get_plugin_logger(__name__)


class CirPluginConfig(base.Config):
    #: the register repository (default: the folder of mkdocs.yml)
    project = c.Optional(c.Type(str))
    #: reuse per-file validation results from .cir-cache/
    cache = c.Type(bool, default=True)
    #: who the build is for: public, internal (default) or restricted; CIR_AUDIENCE wins when set
    audience = c.Optional(c.Choice(AUDIENCES))
    #: index the built site for search (Pagefind) in every build, `mkdocs serve` rebuilds included
    search = c.Type(bool, default=True)


class CirPlugin(BasePlugin[CirPluginConfig]):
    """Publishes the continual improvement register with Material for MkDocs."""

    def __init__(self) -> None:
        self.command: str = "build"
        self.result: LoadResult | None = None
        self.tree = SiteTree()
        self.problems: list[Issue] = []
        #: raw HTML blocks of each generated page, kept out of Markdown (see on_files)
        self.blocks: dict[str, list[str]] = {}
        #: True while SOURCE_DATE_EPOCH is the plugin's own (taken from the content), not the user's
        self.own_epoch = False
        self.language = "en"
        #: files of content/ this build never reads: links out of the project, FIFOs, and the
        #: record pages its audience is not published (absolute paths)
        self.withheld: set[str] = set()
        self.trusted_html = False
        #: the search index of the build under way, fed as pages are written (see on_post_page)
        self.live: LiveIndex | None = None
        self.dirty = False

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Remember whether we serve: then validation errors are shown on the pages instead of
        failing; and whether builds are dirty (only changed pages written: the index then reads
        the whole site folder at the end)."""
        self.command = command
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Validate the register and build the site tree (default priority; before search reads the language)."""
        self._release_epoch()
        root = Path(self.config.project) if self.config.project else Path(config.config_file_path).parent
        project = Project(root.resolve())
        try:
            audience = build_audience(self.config.audience)
        except AudienceError as exc:
            raise PluginError(f"{AUDIENCE_ENV}: {exc}") from None
        result = load_register(project, use_cache=self.config.cache, audience=audience)
        self.result = result
        self.withheld = {os.path.normpath(project.root / rel) for rel in result.unsafe | result.unpublished}
        for issue in result.issues:
            text = f"{location(issue)}: {issue.severity}: {issue.key + ': ' if issue.key else ''}{issue.message}"
            if issue.hint:
                text += f" ({issue.hint})"
            if issue.severity == "error":
                log.warning(text)
            else:
                log.info(text)
        self.problems = result.errors
        if result.config is None or result.register is None:
            if self.command == "serve" and self.tree.pages:
                # Keep serving the last good site, with the configuration errors on every page.
                config.theme["language"] = self.language
                return config
            raise PluginError("the register's configuration has errors (above); run `cir validate` to see them")
        if result.errors and self.command != "serve":
            files = len({i.path for i in result.errors})
            raise PluginError(f"{len(result.errors)} validation error(s) in {files} file(s); "
                              "run `cir validate` to see them with hints")
        portal = result.config.portal
        self.trusted_html = portal.publish.trusted_html
        config.theme["language"] = self.language = portal.language
        if self.config.search and ("material/search" in config.plugins or "search" in config.plugins):
            log.warning("Material's search plugin is enabled next to the portal's own search (Pagefind): "
                        "remove `- search` from `plugins` in mkdocs.yml, or set the cir plugin's `search: false`")
        if "SOURCE_DATE_EPOCH" not in os.environ:
            # MkDocs dates the sitemap from this; take it from the content, not the clock.
            os.environ["SOURCE_DATE_EPOCH"] = str(content_epoch(project, result.register))
            self.own_epoch = True
        epoch = int(os.environ["SOURCE_DATE_EPOCH"])
        self.tree = build_tree(result.register, project, directory_urls=config.use_directory_urls, epoch=epoch,
                               site_url=config.site_url or "")
        # Link every stylesheet and script the views ship (assets/cir/*.css, *.js).
        stylesheets, scripts = self.tree.theme_assets()
        config.extra_css.extend(p for p in stylesheets if p not in config.extra_css)
        linked = {str(s) for s in config.extra_javascript}
        config.extra_javascript.extend(p for p in scripts if p not in linked)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Drop the files this build must not read or publish (links out of the project, FIFOs,
        records its audience does not see: then neither their pages nor the search index or
        sitemap hold them); add the generated pages, assets and exports as virtual files
        (nothing is written to content/)."""
        for file in list(files):
            if file.abs_src_path is not None and os.path.normpath(file.abs_src_path) in self.withheld:
                files.remove(file)
        self.blocks = {}
        for page in self.tree.generated():
            if files.get_file_from_path(page.src_uri) is not None:
                log.warning(f"content/{page.src_uri} exists and replaces the page the portal generates there")
                continue
            # Generated pages are mostly raw HTML: Markdown would only re-parse it to pass it
            # through. It gets placeholders, and on_page_content puts the HTML back.
            markdown, self.blocks[page.src_uri] = stash_html_blocks(page.source())
            files.append(File.generated(config, page.src_uri, content=markdown))
        for src_uri, data in sorted(self.tree.files.items()):
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, src_uri, content=data))
        return files

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs a record's body without front matter: it is parsed already, and safely."""
        ours = self.tree.pages.get(page.file.src_uri)
        return ours.content if ours is not None and ours.record is not None else None

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Give record pages their (escaped) title; generated pages carry theirs in front matter."""
        ours = self.tree.pages.get(page.file.src_uri)
        if ours is not None and ours.record is not None:
            page.meta["title"] = esc(ours.title)
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Put back a generated page's HTML blocks; put a record's heading above its body (the
        <h1> stays, or Material would add its own); mark the content as what the search index
        holds, unless the page's meta says ``search: exclude``; in serve mode, show validation
        errors on top of every page, outside the indexed part (default priority)."""
        src_uri = page.file.src_uri
        html = unstash_html_blocks(html, self.blocks.get(src_uri, []))
        ours = self.tree.pages.get(src_uri)
        record = ours is not None and ours.record is not None
        if ours is not None and ours.record is not None:
            if not self.trusted_html:
                html = clean_html(html)  # the body is untrusted (sanitize.py); heading and card are ours
            html = ours.heading + "\n" + html
        search = page.meta.get("search")
        if self.config.search and not (isinstance(search, dict) and search.get("exclude")):
            html = indexed(html, self.language, record=record, title=html_lib.unescape(page.title or ""))
        if self.problems:
            html = _problems_banner(self.problems, self.language) + "\n" + html
        return html

    @event_priority(-100)
    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
                        ) -> TemplateContext:
        """Put a record's card (HTML, never parsed as Markdown) under its heading. Priority -100:
        after other plugins have read the page (the card is never parsed by them)."""
        ours = self.tree.pages.get(page.file.src_uri)
        if ours is not None and ours.record is not None and ours.card and page.content is not None:
            page.content = page.content.replace(ours.heading + "\n", ours.heading + ours.card + "\n", 1)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Point Material's "skip to content" link at the page's heading, adding it where Material
        leaves it out (pages without a table of contents); put the search box in the header, and
        hand the page's indexed part to the search index, which parses it in another process
        while the next page is rendered (default priority)."""
        output = skip_to_content(output, Translator(self.language)("skip_to_content"))
        if not self.config.search:
            return output
        action = relative_url(page.url, search_url(config.use_directory_urls))
        output = _with_header_box(output, header_box(self.language, action))
        part = None if self.dirty else indexed_part(output, self.language)
        if part is not None:
            if self.live is None:
                try:
                    self.live = LiveIndex(self.language)
                except SearchIndexError as exc:
                    raise PluginError(f"search index: {exc}") from None
            self.live.add("/" + page.url, part)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the search index (Pagefind) of the pages of this build, every `mkdocs serve`
        rebuild included (a dirty build's pages are read from the site folder); drop the
        SOURCE_DATE_EPOCH this build set: the next build in this process (a serve rebuild,
        another project) dates itself from its own content. Default priority: the pages are written."""
        self._release_epoch()
        if not self.config.search:
            return
        live, self.live = self.live, None
        try:
            stats = live.write(Path(config.site_dir)) if live else index_site(Path(config.site_dir), self.language)
        except SearchIndexError as exc:
            raise PluginError(f"search index: {exc}") from None
        log.info(f"search index: {stats.pages} pages in {stats.seconds:.1f} s after the pages "
                 f"({stats.cpu_seconds:.1f} s CPU in all)")

    def on_build_error(self, *, error: Exception) -> None:
        """As on_post_build, when the build fails (and the search index of the build is dropped)."""
        self._release_epoch()
        if self.live is not None:
            self.live.close()
            self.live = None

    def _release_epoch(self) -> None:
        if self.own_epoch:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self.own_epoch = False

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild on changes to site_config/ and schemas/ too (default priority)."""
        root = Path(self.config.project) if self.config.project else Path(config.config_file_path).parent
        for folder in ("site_config", "schemas"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        return server


def _with_header_box(output: str, box: str) -> str:
    """``output`` with ``box`` in Material's header, before the repository link (search.js adds
    it on pages of themes without that header structure)."""
    start = output.find('class="md-header__inner')
    if start < 0:
        return output
    end = output.find("</nav>", start)
    source = output.find('<div class="md-header__source">', start, end)
    at = source if source >= 0 else end
    return output if at < 0 else output[:at] + box + output[at:]


def _problems_banner(problems: list[Issue], language: str = "en") -> str:
    t = Translator(language)
    items = "".join(f"<li><code>{esc(location(i))}</code> {esc(i.key)}: {esc(i.message)}</li>" for i in problems[:50])
    more = (f"<p>{esc(t('problems_more', n=len(problems) - 50))} <code>cir validate</code>.</p>"
            if len(problems) > 50 else "")
    return (f'<div class="admonition failure cir-problems" {IGNORE}><p class="admonition-title">'
            f"{esc(t('problems_title', n=len(problems)))}</p>"
            f"<ul>{items}</ul>{more}</div>")
