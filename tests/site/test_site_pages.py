"""A real ``mkdocs build --strict`` of a copy of the example register has a page for every
record file, every generated page, a browse page for everything the records refer to, and
"edit this page" links that open the record's Markdown source.

What is expected is read from the record files and the configuration, never from the portal.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from cirtest.site import Build, RecordFile, mkdocs_config, page_file, page_url, person_teams, targets_of

pytestmark = pytest.mark.slow

#: The pages the portal generates (they have no file in content/).
GENERATED_PAGES = ("register/", "board/", "cascade/", "governance/", "guide/", "browse/", "dashboard/", "priorities/",
                   "reports/", "maturity/", "knowledge/")
#: Front matter keys that hold a person's id (see site_config/people.yml).
PERSON_KEYS = ("owner", "requester", "approved_by", "author", "assessor")
#: `affects` kinds and the browse folder of their pages.
AFFECTS_FOLDERS = {"service": "services", "product": "products", "practice": "practices", "value_stream": "value-streams"}


def read(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def headings(page_html: str) -> list[str]:
    """The text of every <h1> of a page."""
    return [html.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", page_html, re.S)]


def people_ids(project: Path) -> set[str]:
    data = yaml.safe_load((project / "site_config" / "people.yml").read_text(encoding="utf-8"))
    return {p["id"] for p in data["people"]}


def test_every_record_file_has_its_page_with_its_id_in_the_heading(built: Build, records: list[RecordFile]) -> None:
    """Each record file is published at the URL of its path, under one <h1> holding its id and title."""
    problems = []
    for record in records:
        page = built.site / page_file(record.rel)
        if not page.is_file():
            problems.append(f"{record.rel}: no page {page_file(record.rel)}")
            continue
        found = headings(page.read_text(encoding="utf-8"))
        title = str(record.front_matter["title"])
        if len(found) != 1 or record.id not in found[0] or title not in found[0]:
            problems.append(f"{record.rel}: headings {found}, expected one with {record.id} and {title!r}")
    assert not problems, "\n".join(problems)
    assert {r.kind for r in records} == {"improvement", "lesson", "objective", "assessment"}


def test_generated_pages_and_navigation_pages_exist(built: Build) -> None:
    """The portal's own pages and every page named in mkdocs.yml's navigation are built."""
    def nav_files(items: object) -> list[str]:
        if isinstance(items, str):
            return [items]
        if isinstance(items, list):
            return [f for item in items for f in nav_files(item)]
        if isinstance(items, dict):
            return [f for value in items.values() for f in nav_files(value)]
        return []

    nav = [page_file(src) for src in nav_files(mkdocs_config(built.project)["nav"]) if src.endswith(".md")]
    expected = list(dict.fromkeys([url + "index.html" for url in GENERATED_PAGES] + nav))
    missing = [p for p in expected if not (built.site / p).is_file()]
    assert not missing, f"pages not built: {missing}"
    assert (built.site / "index.html").is_file() and (built.site / "404.html").is_file()
    # generated pages are not copies of files in content/: the portal wrote them
    content = built.project / "content"
    assert not [u for u in GENERATED_PAGES if (content / f"{u.rstrip('/')}.md").exists() or (content / u / "index.md").exists()]


def test_browse_pages_for_the_people_and_teams_records_reference(built: Build, records: list[RecordFile]) -> None:
    """Every person of people.yml that a record names has a page; a person's page links to the
    improvements they own, requested or approved; their team's page to the improvements its members own."""
    known = people_ids(built.project)
    teams = person_teams(built.project)
    person_records: dict[str, set[str]] = defaultdict(set)
    team_records: dict[str, set[str]] = defaultdict(set)
    referenced: set[str] = set()
    for record in records:
        for key in PERSON_KEYS:
            pid = record.front_matter.get(key)
            if isinstance(pid, str) and pid in known:
                referenced.add(pid)
                if record.kind == "improvement" and key != "author":
                    person_records[pid].add(page_file(record.rel))
        if record.kind == "improvement":
            owner = record.front_matter.get("owner")
            team = teams.get(owner) if isinstance(owner, str) else None
            if team:
                team_records[team].add(page_file(record.rel))
    assert referenced and team_records
    expected = {f"browse/people/{pid}/index.html": person_records[pid] for pid in referenced}
    expected.update({f"browse/teams/{tid}/index.html": pages for tid, pages in team_records.items()})
    problems = link_problems(built, expected)
    assert not problems, "\n".join(problems)


def link_problems(built: Build, expected: dict[str, set[str]]) -> list[str]:
    """For each built page (path in the site) and the record pages it must link to: what is wrong."""
    problems = []
    for page, pages in sorted(expected.items()):
        if not (built.site / page).is_file():
            problems.append(f"no page {page}")
            continue
        missing = pages - targets_of(built.site, page, "")
        if missing:
            problems.append(f"{page} does not link to {sorted(missing)}")
    return problems


def test_browse_pages_for_what_records_affect_and_their_tags(built: Build, records: list[RecordFile]) -> None:
    """Each service, product, practice and value stream a record affects (and each assessed
    practice) has a page linking to that record; each tag has exactly one page, headed by the
    tag, linking to every record that carries it."""
    by_item: dict[str, set[str]] = defaultdict(set)
    by_tag: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for item in record.front_matter.get("affects") or []:
            kind, _, key = str(item).partition("/")
            by_item[f"browse/{AFFECTS_FOLDERS[kind]}/{key}/index.html"].add(page_file(record.rel))
        if record.kind == "assessment":
            by_item[f"browse/practices/{record.front_matter['practice']}/index.html"].add(page_file(record.rel))
        for tag in record.front_matter.get("tags") or []:
            by_tag[str(tag)].add(page_file(record.rel))
    assert by_item and by_tag
    problems = link_problems(built, by_item)
    tag_pages: dict[str, list[str]] = defaultdict(list)
    for path in sorted((built.site / "browse" / "tags").glob("*/index.html")):
        for heading in headings(path.read_text(encoding="utf-8")):
            tag_pages[heading].append(path.relative_to(built.site).as_posix())
    for tag, pages in sorted(by_tag.items()):
        found = tag_pages.get(tag, [])
        if len(found) != 1:
            problems.append(f"tag {tag!r}: {len(found)} pages headed by it ({found})")
            continue
        missing = pages - targets_of(built.site, found[0], "")
        if missing:
            problems.append(f"{found[0]} (tag {tag!r}) does not link to {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_edit_this_page_opens_the_markdown_source(built: Build, records: list[RecordFile]) -> None:
    """A record page's "edit this page" link is repo_url + edit_uri + the record's path in
    content/; no page (generated ones included) has an edit link to a file that does not exist."""
    config = mkdocs_config(built.project)
    edit_base = f"{str(config['repo_url']).rstrip('/')}/{str(config['edit_uri']).strip('/')}/"
    edit_link = re.compile(r'<a href="([^"]*)"[^>]*rel="edit"')
    problems = []
    for record in records:
        links = edit_link.findall(read(built.site, page_file(record.rel)))
        if links != [edit_base + record.rel]:
            problems.append(f"{record.rel}: edit links {links}, expected {edit_base + record.rel}")
    content = built.project / "content"
    for path in sorted(built.site.rglob("*.html")):
        for href in edit_link.findall(path.read_text(encoding="utf-8")):
            source = html.unescape(href).removeprefix(edit_base)
            if source == href or not (content / source).is_file():
                problems.append(f"{path.relative_to(built.site)}: edit link {href} opens no file of content/")
    assert not problems, "\n".join(problems)
    assert page_url("index.md") == "" and edit_link.findall(read(built.site, "index.html")) == [edit_base + "index.md"]
