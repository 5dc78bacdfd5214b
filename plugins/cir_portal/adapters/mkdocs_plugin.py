"""The MkDocs adapter: validates the register, then hands MkDocs the generated site tree.

This is the only module that imports MkDocs; every hook calls into the library. Under
``mkdocs serve`` each rebuild is incremental (``_Reuse`` below, views/preview.py): only the
pages a change reaches are rendered again, the others are the previous build's files.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import logging
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from cir_portal.adapters import navcache
from cir_portal.adapters.collector import Collector
from cir_portal.adapters.memory import HELD_ENV, HeldPages, give_back
from cir_portal.adapters.navcache import NavCache
from cir_portal.adapters.outputs import PreviousOutput
from cir_portal.adapters.progress import ProgressLine
from cir_portal.adapters.search import LiveIndex, SearchIndexError, index_site
from cir_portal.adapters.watcher import watch_natively
from cir_portal.core.config import AUDIENCES, Project
from cir_portal.core.i18n import Translator
from cir_portal.core.issues import Issue
from cir_portal.core.model import Register
from cir_portal.core.pipeline import LoadResult, load_register
from cir_portal.core.publishing import AUDIENCE_ENV, AudienceError, build_audience
from cir_portal.core.reporters import location
from cir_portal.views import premade
from cir_portal.views.access import skip_to_content
from cir_portal.views.context import content_epoch
from cir_portal.views.markup import esc, relative_url, stash_html_blocks, unstash_html_blocks
from cir_portal.views.page import Page as PortalPage
from cir_portal.views.preview import Preview
from cir_portal.views.sanitize import clean_html
from cir_portal.views.search import BUNDLE_DIR, IGNORE, header_box, indexed, indexed_part, search_url
from cir_portal.views.tree import Premake, SiteTree, build_tree

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
        #: the generated pages of this build (their paths)
        self.generated_pages: set[str] = set()
        #: True while SOURCE_DATE_EPOCH is the plugin's own (taken from the content), not the user's
        self.own_epoch = False
        self.language = "en"
        #: live preview (plain `mkdocs serve`): the tree built incrementally, and MkDocs' side of it
        self.preview: Preview | None = None
        self.reuse: _Reuse | None = None
        self.changed: set[str] = set()
        self.progress = ProgressLine()
        self.rendered = self.pages = 0
        self.builds = 0
        #: files of content/ this build never reads: links out of the project, FIFOs, and the
        #: record pages its audience is not published (absolute paths)
        self.withheld: set[str] = set()
        self.trusted_html = False
        self.skip_label = ""
        #: the search index of the build under way, fed page by page (see early_index)
        self.live: LiveIndex | None = None
        #: live preview: the last build's search index being written, and the thread that writes it (_post_build)
        self.indexing: tuple[_Later, threading.Thread] | None = None
        self.dirty = False
        #: live preview: the cycle collector, off while a rebuild runs (adapters/collector.py)
        self.collector = Collector()
        #: a plain build's pages' HTML between MkDocs' two passes, beyond a budget compressed (see _drop_markdown)
        self.held = HeldPages()
        #: this build's navigation (on_nav) and Material's navigation HTML by folder of record pages (on_env)
        self.nav: Navigation | None = None
        self.navs: NavCache | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Remember whether we serve: then validation errors are shown on the pages instead of
        failing, and each rebuild renders only what changed (not with ``--dirty``, which is
        MkDocs' own way of skipping pages: only changed pages are written, and the search index
        then reads the whole site folder at the end)."""
        self.command = command
        self.dirty = dirty
        if command == "serve" and not dirty:
            self.preview, self.reuse = Preview(), _Reuse()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Validate the register and build the site tree (default priority; before search reads the language)."""
        self._release_epoch()
        if self.preview is not None and self.preview.register is not None:
            self.collector.pause()  # an incremental rebuild: resumed in on_post_build or on_build_error
        # A newer build starts: the last one's search index, if still being written, is dropped now
        # (as on_pre_build would), not left to take the cores and the interpreter from this rebuild.
        self._drop_index()
        root = Path(self.config.project) if self.config.project else Path(config.config_file_path).parent
        project = Project(root.resolve())
        try:
            audience = build_audience(self.config.audience)
        except AudienceError as exc:
            raise PluginError(f"{AUDIENCE_ENV}: {exc}") from None
        if self.reuse is not None:
            self.reuse.start(config)
        previous = self.result if self.reuse is not None else None
        # A cold build parses in forked processes (one per core); never beside other threads
        # (`mkdocs serve` rebuilds while its server runs): forking them is not safe.
        workers = 0 if threading.active_count() == 1 else 1
        result = load_register(project, use_cache=self.config.cache, audience=audience, previous=previous,
                               workers=workers,
                               progress=lambda done, total: self.progress.step("records validated", done, total))
        self.progress.done()
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
        if self.preview is None:
            # parsed files (and the check across records, which holds them) are needed again only
            # by the next live-preview build
            result.sources, result.references = [], None
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
        if self.preview is not None:
            delta = self.preview.update(result.register, project, directory_urls=config.use_directory_urls, epoch=epoch,
                                        site_url=config.site_url or "",
                                        progress=lambda done, total: self.progress.step("pages generated", done, total))
            self.tree, self.changed = self.preview.tree, delta.changed
            self.builds += 1  # in the message: MkDocs never logs the same line twice
            log.info(f"live preview (build {self.builds}): {delta.regenerated} of {delta.total} pages, cards and files "
                     f"generated again, {len(delta.changed)} changed")
        else:
            self.tree = build_tree(result.register, project, directory_urls=config.use_directory_urls, epoch=epoch,
                                   site_url=config.site_url or "", premake=self._premake(result.register))
        self.progress.done()
        # Link every stylesheet and script the views ship (assets/cir/*.css, *.js).
        stylesheets, scripts = self.tree.theme_assets()
        config.extra_css.extend(p for p in stylesheets if p not in config.extra_css)
        linked = {str(s) for s in config.extra_javascript}
        config.extra_javascript.extend(p for p in scripts if p not in linked)
        if self.preview is None:
            give_back()  # what loading freed (a cold load's file contents and parses): a big register's build is long
        return config

    def _premake(self, register: Register) -> Premake | None:
        """A plain build's record pages (headings and cards) made on a core to spare, from before
        the generated pages are made (views/premade.py), in the order MkDocs will render them;
        forked before any other thread runs."""
        if self.preview is not None or self.dirty:
            return None
        try:
            minimum = premade.minimum_from_env()
        except ValueError as exc:
            raise PluginError(str(exc)) from None
        if not (premade.core_to_spare(search=self.config.search) or minimum == 0):
            return None
        order = sorted((record.src_uri for record in register.all()), key=_walk_order)
        return Premake(order, indexed=self.config.search, minimum=minimum)

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Drop the files this build must not read or publish (links out of the project, FIFOs,
        records its audience does not see: then neither their pages nor the search index or
        sitemap hold them); add the generated pages, assets and exports as virtual files
        (nothing is written to content/); in live preview, leave out of this rebuild what did
        not change."""
        for file in list(files):
            if file.abs_src_path is not None and os.path.normpath(file.abs_src_path) in self.withheld:
                files.remove(file)
        reuse = self.reuse
        if reuse is not None:
            reuse.begin(config, self.tree.pages.generated, self.problems, self.changed)
        self.blocks, self.generated_pages = {}, set()
        try:
            self.held = HeldPages.from_env()  # (a new one: what a failed build held goes)
        except ValueError as exc:
            raise PluginError(str(exc)) from None
        self.rendered, self.pages = 0, len(self.tree.pages)
        generated = self.tree.pages.generated
        for src_uri in sorted(generated):
            # MkDocs holds the generated pages from now on (their HTML apart, until on_page_content):
            # a plain build lets go of each as it is handed over (a second copy would be the
            # largest part of a big register's build); live preview keeps them for the next rebuild.
            page = generated[src_uri] if self.preview is not None else generated.pop(src_uri)
            if files.get_file_from_path(src_uri) is not None:
                log.warning(f"content/{src_uri} exists and replaces the page the portal generates there")
                continue
            self.generated_pages.add(src_uri)
            if reuse is not None and reuse.can_skip(src_uri):
                files.append(File.generated(config, src_uri, content=""))  # left out: MkDocs never reads it
                continue
            # Generated pages are mostly raw HTML: Markdown would only re-parse it to pass it
            # through. It gets placeholders, and on_page_content puts the HTML back.
            markdown, self.blocks[src_uri] = stash_html_blocks(page.source())
            files.append(File.generated(config, src_uri, content=markdown))
        for src_uri, data in sorted(self.tree.files.items()):
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, src_uri, content=data))
        if reuse is not None:
            # generated pages and files, and the record pages: what the portal writes
            reuse.plan(files, {*self.tree.pages, *self.tree.files})
        self.skip_label = Translator(self.language)("skip_to_content")
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Keep the navigation for the sitemap of a live-preview rebuild and for the navigation
        cache (default priority)."""
        if self.reuse is not None:
            self.reuse.nav = nav
        self.nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        """In live preview, keep the theme's compiled templates from one rebuild to the next
        (MkDocs makes a new template environment every time). In a plain build every page's
        content is ready now, before MkDocs renders them in the theme: the search index is
        built and compressed meanwhile, on the other core (default priority)."""
        if self.reuse is not None:
            env.bytecode_cache = self.reuse.templates
            self.reuse.env = env
        # Material's navigation, rendered once per folder of record pages (adapters/navcache.py)
        self.navs = NavCache(set(self.tree.pages.records), navcache.listed_pages(self.nav),
                             navcache.nav_targets(self.nav, config))
        if not navcache.install(env, self.navs, _material_folder()):
            self.navs = None
        if self.preview is None:
            give_back()  # the generated pages' stashed HTML and the Markdown of every page, let go as they were read
        if self.held.packed:
            log.info(f"{self.held.packed} of {self.held.pages} pages' HTML held compressed until rendered in the theme "
                     f"({self.held.held / 2**20:.0f} MiB in all; {HELD_ENV} sets how much is held as it is)")
        if self.early_index and self.live is not None:
            # every page is in (MkDocs has read them all): Pagefind builds and writes the index now
            if clash := next((f.src_uri for f in files if f.dest_uri.startswith(BUNDLE_DIR + "/")), None):
                raise PluginError(f"search index: {clash} would be published in {BUNDLE_DIR}/, the folder of the "
                                  "search index: move it, or set the cir plugin's `search: false`")
            try:
                self.live.finish()
            except SearchIndexError as exc:
                raise PluginError(f"search index: {exc}") from None
        return env

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs a record's body without front matter: it is parsed already, and safely.
        After a blank line: MkDocs takes a page's first lines as its metadata when they look like
        front matter (``---``) or "Key: value" lines, and a body that begins with
        ``Background: ...`` would lose them (a blank line ends them before any; MkDocs drops
        leading blank lines, so every other body renders as before)."""
        record = self.tree.pages.record(page.file.src_uri)
        return "\n" + record.body if record is not None else None

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Give record pages their (escaped) title; generated pages carry theirs in front matter."""
        record = self.tree.pages.record(page.file.src_uri)
        if record is not None:
            page.meta["title"] = esc(f"{record.id} {record.title}")
        return markdown

    def _page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Put back a generated page's HTML blocks; put a record's heading above its body (the
        <h1> stays, or Material would add its own); mark the content as what the search index
        holds, unless the page's meta says ``search: exclude``; in serve mode, show validation
        errors on top of every page, outside the indexed part (default priority)."""
        src_uri = page.file.src_uri
        html = unstash_html_blocks(html, self.blocks.pop(src_uri, []))
        record = self.tree.pages.record(src_uri) is not None
        heading = ""
        if record:
            if not self.trusted_html:
                html = clean_html(html)  # the body is untrusted (sanitize.py); heading and card are ours
            # the <h1> stays: Material would add its own; the card follows once the page is rendered (on_post_page)
            heading = self.tree.pages.heading(src_uri)
            html = heading + "\n" + html
        search = page.meta.get("search")
        if self.config.search and not (isinstance(search, dict) and search.get("exclude")):
            html = indexed(html, self.language, record=record, title=html_lib.unescape(page.title or ""))
            if self.early_index:
                self._index("/" + page.url, self._indexed_part(src_uri, html, heading), config.site_dir)
        if self.problems:
            html = _problems_banner(self.problems, self.language) + "\n" + html
        return html

    @event_priority(-100)
    def _drop_markdown(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self._releases(page):
            page.markdown = ""  # rendered: only its being set (not None) is read again, for the title
            # MkDocs holds the HTML until it renders the page in the theme (its second pass): the
            # plugin holds it instead, compressed once the pages held exceed a budget, and gives
            # it back before any plugin sees the page again (_unpack)
            if self.held.hold(page.file.src_uri, html):
                return ""
        return html

    #: Default priority: the portal's work on the page's HTML. Priority -100, once every plugin
    #: has seen the page's Markdown and HTML: a plain build lets go of the portal's pages' Markdown
    #: (``_releases``).
    on_page_content = CombinedEvent(_page_content, _drop_markdown)

    def _releases(self, page: Page) -> bool:
        """Whether MkDocs may let go of a page's Markdown once rendered, and of its HTML once
        written: in a plain build (no live preview), for the portal's pages (generated pages and
        records' own pages). MkDocs keeps every page's Markdown and content until the build ends,
        which for 10,000 records is hundreds of megabytes no one reads again (the theme reads the
        page being rendered only; other pages give the navigation their titles and URLs)."""
        if self.preview is not None:
            return False
        src_uri = page.file.src_uri
        return src_uri in self.generated_pages or self.tree.pages.record(src_uri) is not None

    @event_priority(100)
    def _unpack(self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
                ) -> TemplateContext:
        html = self.held.take(page.file.src_uri)
        if html is not None:
            page.content = html
        return context

    @event_priority(50)
    def _before_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
                             ) -> TemplateContext:
        if self.reuse is not None:
            self.reuse.before_index(page, config)
        return context

    @event_priority(-50)
    def _after_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
                            ) -> TemplateContext:
        if self.reuse is not None:
            self.reuse.after_index(page, config)
        return context

    #: Priority 100, first: give back the page's HTML the plugin held (_drop_markdown). Priority
    #: 50 and -50: around Material's search plugin's indexing of the page (default priority),
    #: when it is on, so that a live-preview rebuild keeps the search entries of the pages it
    #: does not render.
    on_page_context = CombinedEvent(_unpack, _before_page_context, _after_page_context)

    def _post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put a record's card (HTML, never parsed as Markdown) under its heading once the page is
        rendered: MkDocs, which keeps every page's content until the build ends, never holds it
        (10,000 cards are most of a build's memory). Then point Material's "skip to content"
        link at the page's heading, adding it where Material leaves it out (pages without a
        table of contents); put the search box in the header, and hand the page's indexed part
        (the card in it: its labels are marked out of the text, views/cards.py) to the search
        index, which parses it in another process while the next page is rendered. Default priority."""
        self.rendered += 1
        self.progress.step("pages rendered", self.rendered, self.pages)
        src_uri = page.file.src_uri
        if self.tree.pages.record(src_uri) is not None:
            ours = self.tree.pages[src_uri]  # made now, for this page only (not kept)
            if ours.card:
                output = output.replace(ours.heading + "\n", ours.heading + ours.card + "\n", 1)
        output = skip_to_content(output, self.skip_label)
        if not self.config.search:
            return output
        action = relative_url(page.url, search_url(config.use_directory_urls))
        output = _with_header_box(output, header_box(self.language, action))
        if self.reuse is not None:
            # kept for this build's index and the rebuilds that reuse this page (_post_build)
            self.reuse.index_part(src_uri, "/" + page.url, indexed_part(output, self.language))
        return output  # (a plain build indexed the page in on_page_content; --dirty reads the site folder)

    @event_priority(-100)
    def _drop_content(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self._releases(page):
            page.content = ""  # written (by MkDocs, once every plugin has seen it): not read again
        return output

    #: Default priority: the portal's work on the rendered page. Priority -100, once every plugin
    #: has seen it: a plain build lets go of the portal's pages' HTML (``_releases``).
    on_post_page = CombinedEvent(_post_page, _drop_content)

    @property
    def early_index(self) -> bool:
        """Whether pages go to the search index as their content is ready (on_page_content), not
        once written (on_post_page): in a plain build, so that Pagefind's last step (building
        and compressing the index: seconds at 2,000 records) runs beside MkDocs' rendering of
        the pages in the theme (on_env starts it), not after it. Live preview indexes the pages it
        renders and reuses, in a full build's order, in the background once the browsers have
        reloaded (``_post_build``); ``--dirty`` builds index the whole site folder at the end."""
        return self.reuse is None and not self.dirty

    def _indexed_part(self, src_uri: str, html: str, heading: str) -> str | None:
        """The indexed part of a page from its content, with the card a record's page (``heading``:
        its heading) gets once rendered: its searched part made here, the whole card in
        on_post_page, not kept in between."""
        if heading:
            html = html.replace(heading + "\n", heading + self.tree.pages.indexed_card(src_uri) + "\n", 1)
        return indexed_part(html, self.language)

    def _index(self, url: str, part: str | None, site_dir: str) -> None:
        if part is None:
            return
        try:
            if self.live is None:
                self.live = LiveIndex(self.language, Path(site_dir))
            self.live.add(url, part)
        except SearchIndexError as exc:
            raise PluginError(f"search index: {exc}") from None

    @event_priority(50)
    def _put_back(self, *, config: MkDocsConfig) -> None:
        self.progress.done()
        if self.reuse is not None:
            if self.config.search:
                # the last index stays served until this build's is written (see _post_build)
                self.reuse.previous.restore_folder(Path(config.site_dir), BUNDLE_DIR)
            self.reuse.finish(config)
        if self.preview is not None:
            self.preview.release()
        self.collector.resume()

    def _post_build(self, *, config: MkDocsConfig) -> None:
        """Write the search index (Pagefind) of the pages of this build, every `mkdocs serve`
        rebuild included (a dirty build's pages are read from the site folder); drop the
        SOURCE_DATE_EPOCH this build set: the next build in this process (a serve rebuild,
        another project) dates itself from its own content. Default priority: the pages are written."""
        self._release_epoch()
        self.held = HeldPages()  # (a --dirty build does not render unchanged pages in the theme)
        if (premade_counts := self.tree.pages.close()) is not None:
            served, missed = premade_counts
            log.info(f"record pages' cards: {served} made in another process, {missed} here (not made there yet)")
        if self.navs is not None:
            log.debug(f"navigation: {self.navs.hits} pages' sidebar from {len(self.navs.html)} rendered once")
            self.navs = None
        if not self.config.search:
            return
        live, self.live = self.live, None
        if self.preview is None:
            give_back()  # the pages' HTML, let go as they were written: not to be kept beside the index's answer
        if self.reuse is not None and (parts := self.reuse.indexed()):
            # Live preview: the browsers reload now; the index follows, written beside the
            # previous one and put in its place when complete (seconds at 2,000 records). Every
            # page is indexed, those this rebuild did not render from what the previous build
            # kept of them, in the order a full build renders them (Pagefind's files depend on
            # it): the same index as a clean build.
            later = _Later()
            thread = threading.Thread(target=self._index_later, args=(later, parts, Path(config.site_dir), self.builds),
                                      name="cir-search-index")
            self.indexing = (later, thread)
            thread.start()  # not a daemon: a process that ends after a build waits for its index
            return
        try:
            stats = live.write() if live else index_site(Path(config.site_dir), self.language)
        except SearchIndexError as exc:
            raise PluginError(f"search index: {exc}") from None
        log.info(f"search index: {stats.summary()}")

    def _index_later(self, later: _Later, parts: list[tuple[str, str]], site_dir: Path, build: int) -> None:
        live = None
        try:
            if not later.dropped.wait(INDEX_DELAY):
                live = later.start(self.language, site_dir)
            if live is None:  # dropped before it started
                log.debug(f"search index (build {build}): dropped, a newer build has started")
                return
            for url, part in parts:
                live.add(url, part)
            stats = live.write()
        except SearchIndexError as exc:
            if live is not None and live.cancelled:
                log.debug(f"search index (build {build}): dropped, a newer build has started")
            else:
                log.error(f"search index (build {build}): {exc}")
            return
        log.info(f"search index (build {build}): {stats.summary()}")

    def _drop_index(self) -> None:
        """Stop writing the last live-preview build's index, if it is still being written (a newer
        build starts, or the server stops): it is not waited for, under a loaded machine's
        Pagefind at low priority, before the next rebuild."""
        if self.indexing is not None:
            later, thread = self.indexing
            self.indexing = None
            if thread.is_alive():
                later.drop()
            thread.join()

    #: Priority 50: put back the pages a live-preview rebuild did not render (and their search
    #: entries and sitemap lines) before other plugins read the built site. Default priority:
    #: drop the SOURCE_DATE_EPOCH this build set, so the next build in this process (a serve
    #: rebuild, another project) dates itself from its own content.
    on_post_build = CombinedEvent(_put_back, _post_build)

    def on_build_error(self, *, error: Exception) -> None:
        """As on_post_build, when the build fails (the search index of the build is dropped): the
        next live-preview build renders everything."""
        self.progress.done()
        if self.reuse is not None:
            self.reuse.failed()
        self._release_epoch()
        self.tree.pages.close()
        if self.live is not None:
            self.live.close()
            self.live = None
        self.collector.resume()

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Set the previous live-preview build aside before MkDocs cleans the output folder
        (default priority): its pages are linked back from there, and it is deleted in the
        background (removing thousands of page folders can take seconds)."""
        if self.reuse is not None:  # (the last build's search index was dropped in on_config)
            self.reuse.previous.set_aside(Path(config.site_dir))

    def on_shutdown(self) -> None:
        """Delete what the live preview set aside (the search index under way is dropped)."""
        self._drop_index()
        self.collector.close()
        if self.reuse is not None:
            self.reuse.previous.close()

    def _release_epoch(self) -> None:
        if self.own_epoch:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self.own_epoch = False

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild on changes to site_config/ and schemas/ too (default priority), told of
        changes by the system's file watcher rather than by polling (adapters/watcher.py)."""
        root = Path(self.config.project) if self.config.project else Path(config.config_file_path).parent
        watcher = watch_natively(server)
        for folder in ("site_config", "schemas"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        if watcher is not None:
            log.debug("watching %s natively, %s by polling", watcher.native, watcher.polled)
        return server


#: Seconds a live preview waits after a rebuild before it indexes the site for search (Pagefind
#: takes seconds of both cores at 2,000 records, a minute at 10,000): a contributor saving again
#: meanwhile has the next rebuild to themselves, and the index written is that of the last save.
INDEX_DELAY = 2.0


class _Later:
    """The search index a live-preview rebuild writes in the background (``_index_later``), and
    how a newer build drops it: before it starts, or while it is being written."""

    def __init__(self) -> None:
        self.dropped = threading.Event()
        self._lock = threading.Lock()
        self._live: LiveIndex | None = None

    def start(self, language: str, site_dir: Path) -> LiveIndex | None:
        """The index's Pagefind service, started now, staged in ``site_dir`` (None: dropped meanwhile)."""
        live = LiveIndex(language, site_dir, staged=True)
        with self._lock:
            if self.dropped.is_set():
                live.close()
                return None
            self._live = live
        return live

    def drop(self) -> None:
        with self._lock:
            self.dropped.set()
            live = self._live
        if live is not None:
            live.cancel()


def _material_folder() -> Path | None:
    """The folder of the installed Material for MkDocs (None: not installed)."""
    try:
        import material
    except ImportError:
        return None
    return Path(material.__file__).parent


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


def _walk_order(src_uri: str) -> tuple[tuple[int, object], ...]:
    """Where MkDocs lists a page of ``docs_dir`` (``mkdocs.structure.files.get_files``): folder by
    folder, sorted, a folder's files before its subfolders, ``index``/``README`` first."""
    *folders, name = src_uri.split("/")
    stem = name.rsplit(".", 1)[0]
    return (*((1, folder) for folder in folders), (0, (stem not in ("index", "README"), name)))


def _problems_banner(problems: list[Issue], language: str = "en") -> str:
    t = Translator(language)
    items = "".join(f"<li><code>{esc(location(i))}</code> {esc(i.key)}: {esc(i.message)}</li>" for i in problems[:50])
    more = (f"<p>{esc(t('problems_more', n=len(problems) - 50))} <code>cir validate</code>.</p>"
            if len(problems) > 50 else "")
    return (f'<div class="admonition failure cir-problems" {IGNORE}><p class="admonition-title">'
            f"{esc(t('problems_title', n=len(problems)))}</p>"
            f"<ul>{items}</ul>{more}</div>")


#: Plugins whose work a live-preview rebuild can leave out for a page it does not render
#: (Material's search: its entries for that page are kept).
_PAGE_LOCAL_PLUGINS = {"cir", "search", "material/search"}


class _Reuse:
    """Live preview, MkDocs' side: leave the pages that did not change out of a rebuild and put
    the previous build's files back (with their search entries and sitemap lines).

    A page is rendered again when its source changed (views/preview.py says which), when it
    is not the portal's (a hand-written page, a record that does not validate), when it is in
    the navigation, and every page is when something shown on all of them changed: mkdocs.yml,
    the theme, the validation errors banner, the navigation's titles. A rebuild after a failed
    one renders everything.
    """

    def __init__(self) -> None:
        self.previous = PreviousOutput()
        #: the search plugin's entries of each page (Material's search, when it is on)
        self.entries: dict[str, list[Any]] = {}
        #: the indexed part of each page the portal's search index holds, with its URL (from on_post_page)
        self.parts: dict[str, tuple[str, str]] = {}
        self.fingerprint = b""
        #: pages and files of the last complete build (in ``previous`` while a rebuild runs)
        self.kept: set[str] = set()
        self.complete = False
        self.enabled = True
        self.render_all = True
        self.changed: set[str] = set()
        self.nav_pages: set[str] = set()
        #: pages and files this rebuild leaves out, with their inclusion before
        self.skipped: dict[str, tuple[File, InclusionLevel]] = {}
        #: what the portal writes (records' and generated pages, files): the rest is always rendered
        self.ours: set[str] = set()
        self.files: Files | None = None
        self.nav: Navigation | None = None
        self.env: jinja2.Environment | None = None
        self.templates = _Templates()
        #: what the last sitemap listed (pages, dates): the same again is the same file
        self.sitemap = ""
        self._count = 0
        self.pages: list[str] = []
        logging.getLogger("mkdocs.structure.pages").addFilter(_ExcludedLinks(self))

    def start(self, config: MkDocsConfig) -> None:
        others = sorted(set(config.plugins) - _PAGE_LOCAL_PLUGINS)
        enabled = not others and config.nav is not None
        if self.enabled and not enabled:
            why = f"plugins {', '.join(others)}" if others else "no `nav` in mkdocs.yml"
            log.info(f"live preview renders every page on each rebuild ({why})")
        self.enabled = enabled
        self.skipped, self.files = {}, None

    def begin(self, config: MkDocsConfig, pages: Mapping[str, PortalPage], problems: list[Issue],
              changed: set[str]) -> None:
        """Before the files: does this rebuild have to render every page?"""
        self.nav_pages = _nav_sources(config.nav)
        fingerprint = self._fingerprint(config, pages, problems)
        self.render_all = not (self.enabled and self.complete) or fingerprint != self.fingerprint
        self.fingerprint, self.changed = fingerprint, changed

    def can_skip(self, src_uri: str) -> bool:
        """Whether this rebuild takes the page or file from the previous build."""
        # Pages in the navigation are rendered every time: the navigation of every page shows
        # their titles, which MkDocs takes from them as it renders them.
        return (not self.render_all and src_uri in self.kept and src_uri not in self.changed
                and src_uri not in self.nav_pages)

    def plan(self, files: Files, ours: set[str]) -> None:
        """Leave out of this rebuild what ``can_skip`` (MkDocs then neither reads nor writes it)."""
        self.files, self.ours = files, ours
        for file in files:
            if file.src_uri in ours and self.can_skip(file.src_uri):
                self.skipped[file.src_uri] = (file, file.inclusion)
                file.inclusion = InclusionLevel.EXCLUDED
        self.complete = False

    def _fingerprint(self, config: MkDocsConfig, pages: Mapping[str, PortalPage], problems: list[Issue]) -> bytes:
        """What every page shows besides its own content."""
        h = hashlib.blake2b(digest_size=20)
        for part in (config.config_file_path, config.site_url, config.use_directory_urls, config.theme.get("language"),
                     [str(s) for s in config.extra_css], [str(s) for s in config.extra_javascript],
                     _problems_banner(problems, str(config.theme.get("language"))) if problems else ""):
            h.update(repr(part).encode() + b"\0")
        if config.config_file_path and os.path.isfile(config.config_file_path):
            h.update(Path(config.config_file_path).read_bytes())
        for folder in config.theme.dirs:
            if not folder.startswith(sys.prefix):  # the user's theme overrides (custom_dir)
                for dirpath, _, names in sorted(os.walk(folder)):
                    for name in sorted(names):
                        stat = os.stat(os.path.join(dirpath, name))
                        h.update(f"{dirpath}/{name}:{stat.st_mtime_ns}:{stat.st_size}\0".encode())
        for src in sorted(self.nav_pages):
            # what the navigation shows of a page: its title (front matter and first heading)
            if src in pages:
                h.update(_title_lines(pages[src].source()).encode())
            else:
                path = Path(config.docs_dir) / src
                h.update(path.read_bytes() if path.is_file() else b"\1")
        return h.digest()

    def before_index(self, page: Page, config: MkDocsConfig) -> None:
        index = _search_index(config)
        self._count = len(index) if index is not None else 0

    def after_index(self, page: Page, config: MkDocsConfig) -> None:
        index = _search_index(config)
        if index is not None:
            self.entries[page.file.src_uri] = index[self._count:]

    def index_part(self, src_uri: str, url: str, part: str | None) -> None:
        """Keep what the portal's search index holds of a rendered page (None: nothing)."""
        if part is None:
            self.parts.pop(src_uri, None)
        else:
            self.parts[src_uri] = (url, part)

    def indexed(self) -> list[tuple[str, str]]:
        """(URL, indexed part) of every page of the build, in the order a full build renders them."""
        return [self.parts[src] for src in self.pages if src in self.parts]

    def finish(self, config: MkDocsConfig) -> None:
        """After the last page: put the left-out files back, rebuild the search entries and the
        sitemap in the order a full build writes them."""
        if self.files is None:
            return
        site_dir = Path(config.site_dir)
        missing = self.previous.restore(site_dir, sorted(f.dest_uri for f, _ in self.skipped.values()))
        rendered = {f.src_uri for f in self.files if f.src_uri in self.ours and f.src_uri not in self.skipped
                    and (site_dir / f.dest_uri).is_file()}  # (MkDocs writes no file for an empty page)
        self.kept = rendered | {src for src, (f, _) in self.skipped.items() if f.dest_uri not in missing}
        # the pages of the build, rendered or reused, in the order a full build renders them
        self.pages = [f.src_uri for f in self.files if f.is_documentation_page()
                      and (f.src_uri in self.skipped or f.inclusion.is_in_serve())]
        gone = {src for src, (f, _) in self.skipped.items() if f.dest_uri in missing}
        self.parts = {src: self.parts[src] for src in self.pages if src in self.parts and src not in gone}
        index = _search_index(config)
        if index is not None:
            self.entries = {src: self.entries.get(src, []) for src in self.pages}
            index[:] = [entry for src in self.pages for entry in self.entries[src]]
        key = self._sitemap_key(config)
        if self.skipped:
            self._sitemap(config, key)
        else:
            self.sitemap = key  # MkDocs wrote this build's sitemap: the next rebuild may reuse it
        self.previous.discard()
        if missing:  # a kept file vanished: render everything next time
            log.warning(f"live preview: {len(missing)} page(s) could not be reused; the next rebuild renders all")
            self.failed()
            return
        self.complete = True

    def _sitemap_key(self, config: MkDocsConfig) -> str:
        """What the sitemap is made of: the pages (with their templates) and their date."""
        assert self.files is not None
        pages = [(f.src_uri, (f.page.meta.get("template") if f.page is not None else None))
                 for f in self.files if f.is_documentation_page() and (f.src_uri in self.skipped or f.inclusion.is_in_serve())]
        return repr((config.site_url, os.environ.get("SOURCE_DATE_EPOCH"), pages))

    def _sitemap(self, config: MkDocsConfig, key: str) -> None:
        """The sitemap lists every page, those left out of this rebuild too: the previous build's
        when the pages and their dates are the same, else MkDocs' own template run again."""
        assert self.files is not None
        names = ["sitemap.xml", "sitemap.xml.gz"]
        if (key == self.sitemap and all(self.previous.has(name) for name in names)
                and not self.previous.restore(Path(config.site_dir), names)):
            return
        self.sitemap = key
        from mkdocs.commands.build import _build_theme_template

        for file, inclusion in self.skipped.values():
            file.inclusion = inclusion
            if inclusion == InclusionLevel.UNDEFINED:
                set_exclusions([file], config)
            if file.is_documentation_page() and file.page is None:
                Page(None, file, config)
        if self.nav is not None and "sitemap.xml" in config.theme.static_templates:
            _build_theme_template("sitemap.xml", self.env or config.theme.get_env(), self.files, config, self.nav)

    def failed(self) -> None:
        self.complete = False
        self.kept = set()
        self.previous.discard()


class _Templates(jinja2.BytecodeCache):
    """Compiled templates in memory, by template and source checksum (an edited template compiles anew)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class _ExcludedLinks(logging.Filter):
    """Drop MkDocs' note that a page links to a page "excluded from the built site" when the
    target is only left out of a live-preview rebuild (it is on the site, from the previous build)."""

    def __init__(self, reuse: _Reuse) -> None:
        super().__init__()
        self.reuse = reuse

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.endswith("which is excluded from the built site."):
            return True
        target = message.rsplit("'", 2)[-2] if message.count("'") >= 4 else ""
        return target not in self.reuse.skipped


def _search_index(config: MkDocsConfig) -> list[Any] | None:
    """Material's search entries (the list its on_post_build writes), when that plugin is on."""
    for name in ("search", "material/search"):
        plugin = config.plugins.get(name)
        entries = getattr(getattr(plugin, "search_index", None), "entries", None)
        if isinstance(entries, list):
            return entries
    return None


def _nav_sources(nav: Any) -> set[str]:
    """Every page named in mkdocs.yml's ``nav``."""
    out: set[str] = set()
    if isinstance(nav, str):
        if nav.endswith(".md"):
            out.add(nav)
    elif isinstance(nav, dict):
        for value in nav.values():
            out |= _nav_sources(value)
    elif isinstance(nav, list):
        for item in nav:
            out |= _nav_sources(item)
    return out


def _title_lines(markdown: str) -> str:
    """The front matter and first heading of a page: where MkDocs takes its title from."""
    head = ""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---", 4)
        head = markdown[:end + 4] if end >= 0 else ""
    for line in markdown[len(head):].splitlines():
        if line.startswith("# ") or "<h1" in line:
            return head + "\n" + line
    return head
