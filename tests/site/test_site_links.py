"""No broken links in the built example site: every ``href`` and ``src`` of every HTML file
that stays inside the site (relative, root-relative or under ``site_url``) opens a file that
the build wrote, and so does every page of the sitemap.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from cirtest.site import Build, html_files, link_target, links_of

pytestmark = pytest.mark.slow


def test_every_link_inside_the_site_resolves(built: Build, site_url: str) -> None:
    """Links to the site (directory URLs open index.html; #fragments and ?queries dropped)
    all open a built file; mailto:, data:, javascript: and links to other hosts (the
    repository, for editing) are not the site's. All broken links are reported at once."""
    files = {p.relative_to(built.site).as_posix() for p in built.site.rglob("*") if p.is_file()}
    pages = html_files(built.site)
    assert len(pages) > 100, "the example site is unexpectedly small"
    broken: dict[str, list[str]] = defaultdict(list)
    checked = 0
    for path in pages:
        page = path.relative_to(built.site).as_posix()
        for href in links_of(path.read_text(encoding="utf-8")):
            target = link_target(page, href, site_url)
            if target is None:
                continue
            checked += 1
            if target not in files:
                broken[f"{href} -> {target}"].append(page)
    assert checked > 1000, f"only {checked} links checked: is links_of still finding them?"
    report = [f"{link} (on {len(on)} page(s), e.g. {on[0]})" for link, on in sorted(broken.items())]
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(report)


def test_sitemap_lists_only_built_pages(built: Build, site_url: str) -> None:
    """Every <loc> of sitemap.xml is a page of the site (search engines and link checkers use it)."""
    sitemap = (built.site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert locations
    missing = [loc for loc in locations if (t := link_target("", loc, site_url)) is None or not (built.site / t).is_file()]
    assert not missing, f"sitemap.xml lists pages that were not built: {missing}"
    assert len(locations) == len(set(locations))
