"""What the accessibility tests share: the page types of a built portal, axe-core (shipped by
``axe-playwright-python``) run on the content area, Material's palette toggle, and the
contrast ratio of WCAG 2.1."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

#: Where the portal's own markup is: Material's content area (the theme's chrome is not ours).
CONTENT = ".md-content"
#: Material's two palettes in mkdocs.yml: light ("default") and dark ("slate").
PALETTES = ("default", "slate")
_QUARTER = re.compile(r"^\d{4}-Q\d$")


def page_type(url: str) -> str:
    """The kind of page at a site-root-relative URL: the URL itself for a page of its own
    (``register/``), its folder for one of many alike (``browse/people/*``, ``improvements/*``);
    quarterly reports apart from monthly ones."""
    parts = url.strip("/").split("/")
    if url in ("", "404.html") or len(parts) < 2:
        return url or "home"
    last = "*Q" if _QUARTER.match(parts[-1]) else "*"
    return "/".join(parts[:-1]) + "/" + last


def page_types(site: Path) -> dict[str, list[str]]:
    """Every page of a built site by type: URLs (directory URLs), smallest file first."""
    found: dict[str, list[tuple[int, str]]] = {}
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("assets/"):
            continue
        url = rel.removesuffix("index.html") if rel.endswith("index.html") else rel
        found.setdefault(page_type(url), []).append((path.stat().st_size, url))
    return {kind: [url for _, url in sorted(urls)] for kind, urls in sorted(found.items())}


@cache
def axe_script() -> str:
    """axe-core, as shipped inside the ``axe-playwright-python`` package (no network)."""
    from axe_playwright_python.sync_playwright import Axe

    script: str = Axe().axe_script
    return script


def run_axe(page: Page, rules: list[str] | None = None, include: str = CONTENT) -> list[dict[str, Any]]:
    """axe-core's violations inside the content area of the page (or ``include``) as it is now:
    one entry per failing element (rule id, selector, HTML, what to fix)."""
    start_axe(page, rules, include)
    return axe_violations(page)


def start_axe(page: Page, rules: list[str] | None = None, include: str = CONTENT) -> None:
    """Start axe-core on the page as it is now, without waiting for it (``axe_violations``): pages
    of separate browser contexts are checked side by side, each in its renderer process."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    page.evaluate(
        """([include, options]) => { window.__cirAxe = null;
             axe.run({include: [[include]]}, options).then(r => { window.__cirAxe = r.violations.flatMap(v =>
               v.nodes.map(n => ({rule: v.id, target: n.target.join(' '), html: n.html.slice(0, 160),
                                  fix: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240)}))); },
                                                          e => { window.__cirAxe = {error: String(e)}; }); }""",
        [include, options],
    )


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What the axe-core run ``start_axe`` started found (waits for it to end)."""
    page.wait_for_function("() => window.__cirAxe !== null && window.__cirAxe !== undefined", timeout=60_000)
    found = page.evaluate("() => window.__cirAxe")
    if isinstance(found, dict):
        raise AssertionError(f"axe-core failed on {page.url}: {found.get('error')}")
    assert isinstance(found, list)
    return found


def visit(page: Page, url: str) -> None:
    """Open ``url``: with Material's instant navigation when the page is already on the site (the
    way a reader moves between pages; scripts such as axe stay loaded), else a full load."""
    on_site = page.url.startswith(url[:url.index("/", 8) + 1]) and not url.endswith(".html")
    if on_site and page.evaluate("typeof window.document$ !== 'undefined'"):
        page.evaluate("u => { const a = document.createElement('a'); a.href = u; document.body.appendChild(a); a.click(); }",
                      url)
        # the page is swapped once its canonical link (in the new page's head) is in place
        page.wait_for_function("""u => { const want = new URL(u).href;
          return location.href === want && (document.querySelector('link[rel=canonical]') || {}).href === want; }""", arg=url)
    else:
        page.goto(url)


def palette(page: Page) -> str:
    return str(page.evaluate("document.body.getAttribute('data-md-color-scheme')"))


def switch_palette(page: Page, scheme: str) -> None:
    """Switch to ``scheme`` with Material's own toggle in the header, as a reader does."""
    if palette(page) == scheme:
        return
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("s => document.body.getAttribute('data-md-color-scheme') === s", arg=scheme)
    # Material fades link colours (transition: color .125s): measure the settled colours.
    page.wait_for_timeout(250)


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb``."""
    red, green, blue = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
