"""One escaping guarantee for every page: the example with hostile values in every free-text
front matter string and tag of every record kind, in every body (raw HTML, `javascript:`
links, attribute lists) and in every person, team and taxonomy name is built, and EVERY page
of the site is opened in Chromium: no dialog opens, no script error happens, and no page has
a `javascript:` link."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from playwright.sync_api import Page

from cirtest.browser import HOSTILE_TEXT, Guard, ServedSite
from cirtest.site import html_files

#: the portal's own handler (register and board filters); nothing else on a page has one
OWN_HANDLER = ("form", "onsubmit", "return false")
JS_LINKS = """() => [...document.querySelectorAll('[href], [src], [action], [formaction]')]
  .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction'))
  .filter(u => /^\\s*javascript:/i.test(u || '')).length"""
ACTIVE_JS = """() => ({
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(
    a => /^on/i.test(a.name) && !(e.tagName === 'FORM' && a.name === 'onsubmit' && a.value === 'return false'))).length,
  scripts: [...document.scripts].filter(s => /alert\\(/.test(s.textContent)).length,
  frames: document.querySelectorAll('iframe, form[action^="javascript" i], svg[onload]').length,
})"""


class _Markup(HTMLParser):
    """What of a page is markup that runs: handlers, scripts calling alert, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        for name, value in attrs:
            if name.startswith("on") and (tag, name, value) != OWN_HANDLER:
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")

    def handle_data(self, data: str) -> None:
        if self.tag == "script" and "alert(" in data:
            self.found.append("<script>alert(")


def test_hostile_values_reach_no_page_as_markup(hostile_site: ServedSite) -> None:
    """Statically, over every built file: no hostile markup, no javascript: URL in an attribute."""
    pages = html_files(hostile_site.site)
    assert len(pages) > 100
    for path in pages:
        parser = _Markup()
        parser.feed(path.read_text(encoding="utf-8"))
        assert parser.found == [], f"{path.relative_to(hostile_site.site)}: {parser.found}"
    shown = sum(HOSTILE_TEXT.replace("<", "&lt;").replace(">", "&gt;")[:30] in p.read_text(encoding="utf-8") for p in pages)
    assert shown > 50, "the hostile values are shown on too few pages to prove much"


#: pages loaded side by side (each tab is its own renderer process)
TABS = 4


@pytest.mark.slow
@pytest.mark.browser
def test_no_dialog_on_any_page(page: Page, hostile_site: ServedSite, guard: Guard) -> None:
    """Every page of the built site, opened in Chromium: nothing from the content runs (no
    dialog, no element with a handler, no script calling alert, no javascript: link)."""
    rels = [p.relative_to(hostile_site.site).as_posix() for p in html_files(hostile_site.site)]
    tabs = [page, *(page.context.new_page() for _ in range(TABS - 1))]
    for start in range(0, len(rels), TABS):
        batch = list(zip(tabs, rels[start:start + TABS], strict=False))
        for tab, rel in batch:
            tab.goto(hostile_site.url + rel.removesuffix("index.html"), wait_until="commit")
        for tab, rel in batch:
            tab.wait_for_load_state("domcontentloaded")
            assert tab.evaluate(JS_LINKS) == 0, f"{rel}: a javascript: link"
            assert tab.evaluate(ACTIVE_JS) == {"handlers": 0, "scripts": 0, "frames": 0}, f"{rel}: hostile markup ran"
    for tab in tabs:
        tab.wait_for_load_state("load")
    assert guard.dialogs == []
