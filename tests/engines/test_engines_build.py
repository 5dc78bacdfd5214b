"""One register, three engines: the unseen register built with MkDocs, with ProperDocs and
through ``cir render --engine zensical`` + ``zensical build`` gives the same site: every record
its page, the same pages, the same exports; ProperDocs' build is MkDocs' byte for byte apart
from the generator tag; "edit this page" opens a file that exists, on pages that have one.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest

from cirtest.engines import GENERATOR, EngineSite, pages_of, portal_files
from cirtest.site import mkdocs_config, page_file, read_records, tree_digest

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
EDIT_LINK = re.compile(r'<a href="([^"]*)"[^>]*rel="edit"')
ASSET_LINK = re.compile(r'(?:href|src)="(?:[^"]*/)?(assets/cir/[^"/]+\.(?:css|js))"')


def _sites(mkdocs_site: EngineSite, properdocs_site: EngineSite, zensical_site: EngineSite) -> list[EngineSite]:
    return [mkdocs_site, properdocs_site, zensical_site]


def test_every_record_has_its_page_in_each_output(mkdocs_site: EngineSite, properdocs_site: EngineSite,
                                                  zensical_site: EngineSite) -> None:
    """Each record file of the unseen register is a page of each build, titled with its id and title."""
    records = read_records(mkdocs_site.project)
    assert len(records) > 20, "the unseen register is unexpectedly small"
    problems = []
    for site in _sites(mkdocs_site, properdocs_site, zensical_site):
        for record in records:
            built = site.site / page_file(record.rel)
            if not built.is_file():
                problems.append(f"{site.engine}: no page for {record.rel}")
                continue
            text = html.unescape(built.read_text(encoding="utf-8"))
            if f"{record.id} {record.front_matter['title']}" not in text:
                problems.append(f"{site.engine}: {record.rel} does not show its id and title")
    assert not problems, "\n".join(problems)


def test_same_pages_and_exports_from_each_engine(mkdocs_site: EngineSite, zensical_site: EngineSite) -> None:
    """The page set is identical; every export and portal asset (register.json/.csv, feed.xml,
    kpis.json, assets/cir/...) is byte-identical (the site URL aside); the theme's own files aside."""
    mk, zn = pages_of(mkdocs_site.site), pages_of(zensical_site.site)
    assert len(mk) > 100
    assert mk == zn, f"MkDocs only: {sorted(mk - zn)[:10]}; Zensical only: {sorted(zn - mk)[:10]}"
    files = portal_files(mkdocs_site.site)
    assert {"register.json", "register.csv", "feed.xml", "kpis.json", "assets/cir/cir.js"} <= files
    assert portal_files(zensical_site.site) == files
    # Each site is served on a port of its own, so feed.xml's absolute links differ by that URL alone.
    differ = [f for f in sorted(files) if (mkdocs_site.site / f).read_bytes().replace(mkdocs_site.url.encode(), b"URL")
              != (zensical_site.site / f).read_bytes().replace(zensical_site.url.encode(), b"URL")]
    assert not differ, f"the engines published different {differ}"


def test_feed_links_are_absolute_under_the_site_url(zensical_site: EngineSite) -> None:
    """`render` passes the site URL on: feed.xml links every entry at its page under that URL."""
    root = ET.fromstring((zensical_site.site / "feed.xml").read_bytes())
    links = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
    assert len(links) > 10
    outside = [href for href in links if not href.startswith(zensical_site.url)]
    assert not outside, f"feed links outside {zensical_site.url}: {outside[:5]}"


def test_each_engine_links_the_portal_stylesheets_and_scripts(mkdocs_site: EngineSite, zensical_site: EngineSite) -> None:
    """The portal's stylesheets and scripts linked from every page are the same on both engines."""
    for page in ("register/index.html", page_file(read_records(mkdocs_site.project)[0].rel)):
        mk = set(ASSET_LINK.findall((mkdocs_site.site / page).read_text(encoding="utf-8")))
        zn = set(ASSET_LINK.findall((zensical_site.site / page).read_text(encoding="utf-8")))
        assert {"assets/cir/cir.css", "assets/cir/cir.js"} <= mk
        assert zn == mk, page


def test_properdocs_build_is_the_mkdocs_build(mkdocs_site: EngineSite, properdocs_site: EngineSite) -> None:
    """Byte for byte the same files, apart from the generator tag of each page."""
    mk, pd = tree_digest(mkdocs_site.site), tree_digest(properdocs_site.site)
    assert sorted(mk) == sorted(pd)
    differ = [f for f in sorted(mk) if GENERATOR.sub(b"", mk[f]) != GENERATOR.sub(b"", pd[f])]
    assert not differ, f"ProperDocs and MkDocs built different {differ[:10]}"
    assert b"ProperDocs" in pd["index.html"] and b"ProperDocs" not in mk["index.html"], "both builds ran the same engine"


def test_edit_links_open_existing_markdown(mkdocs_site: EngineSite, zensical_site: EngineSite) -> None:
    """A page built from a file of content/ has one "edit this page" link, to that file; a page
    the portal generates has none (there is no Markdown to edit)."""
    config = mkdocs_config(mkdocs_site.project)
    edit_base = f"{str(config['repo_url']).rstrip('/')}/{str(config['edit_uri']).strip('/')}/"
    content = mkdocs_site.project / "content"
    sources = {p.relative_to(content).as_posix() for p in content.rglob("*.md")}
    for site in (mkdocs_site, zensical_site):
        problems = []
        pages = pages_of(site.site) - {"404.html"}
        by_page = {page_file(src): src for src in sources}
        for page in sorted(pages):
            links = EDIT_LINK.findall((site.site / page).read_text(encoding="utf-8"))
            expected = [edit_base + by_page[page]] if page in by_page else []
            if links != expected:
                problems.append(f"{page}: edit links {links}, expected {expected}")
        assert len(pages) > len(by_page) > 20
        assert not problems, f"{site.engine}:\n" + "\n".join(problems[:20])
