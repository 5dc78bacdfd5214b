"""The search index of the built example (Pagefind): which pages it holds, which text, filters and
meta; the register page served with its first rows and a compact index; the header search box on
every page; ``cir index-search`` for sites built by other engines.

Expectations come from the record files and site_config/, and the index is read from Pagefind's
own files (cirtest.site.search_documents), never through the portal's code.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cirtest.site import (
    Build,
    RecordFile,
    html_files,
    link_target,
    mkdocs_build,
    mkdocs_config,
    page_file,
    page_url,
    run_cir,
    search_documents,
)

pytestmark = pytest.mark.slow

#: Folders of generated listing pages: every record they list is searchable on its own page.
LISTINGS = ("browse/people/", "browse/teams/", "browse/tags/", "browse/practices/", "browse/services/",
            "knowledge/kind/", "knowledge/year/", "knowledge/tag/", "roadmap/")
#: The register page's first page of rows (cir.js pages by 50).
PAGE_SIZE = 50


def _yaml(project: Path, rel: str) -> Any:
    return yaml.safe_load((project / rel).read_text(encoding="utf-8"))


def _text(entry: Any, lang: str) -> str:
    """A bilingual label of site_config ({en, zh} or a plain string) in ``lang``."""
    if isinstance(entry, dict):
        return str(entry.get(lang) or next(iter(entry.values())))
    return str(entry)


@pytest.fixture(scope="module")
def docs(built: Build) -> dict[str, dict[str, Any]]:
    """The indexed pages of the example, by URL without the leading slash."""
    return {str(d["url"]).lstrip("/"): d for d in search_documents(built.site)}


@pytest.fixture(scope="module")
def labels(built: Build) -> dict[str, Any]:
    """Labels of site_config/ in the portal's language, by what they name."""
    project = built.project
    lang = _yaml(project, "site_config/portal.yml")["language"]
    people = _yaml(project, "site_config/people.yml")
    taxonomy = _yaml(project, "site_config/taxonomy.yml")
    return {
        "lang": lang,
        "status": {k: _text(s["label"], lang) for k, s in _yaml(project, "site_config/workflow.yml")["statuses"].items()},
        "team": {t["id"]: _text(t["name"], lang) for t in people["teams"]},
        "team_of": {p["id"]: p.get("team") for p in people["people"]},
        "person": {p["id"]: _text(p["name"], lang) for p in people["people"]},
        "practice": {e["key"]: _text(e["name"], lang) for e in taxonomy.get("practices", [])},
        "service": {e["key"]: _text(e["name"], lang) for e in taxonomy.get("services", [])},
    }


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_records_and_pages_are_indexed_and_listings_are_not(built: Build, records: list[RecordFile],
                                                             docs: dict[str, dict[str, Any]]) -> None:
    """Every record page and every page of the navigation is in the index; the pages that list
    records (people, teams, tags, lesson listings) and the search page itself are not."""
    missing = [r.rel for r in records if page_url(r.rel) not in docs]
    assert not missing, f"record pages missing from the search index: {missing}"
    nav = [item if isinstance(item, str) else next(iter(item.values())) for item in mkdocs_config(built.project)["nav"]]
    missing = [src for src in nav if page_url(src) not in docs and not page_url(src).startswith(LISTINGS)]
    assert not missing, "navigation pages missing from the search index"
    assert "search/" not in docs
    listed = sorted(url for url in docs if url.startswith(LISTINGS))
    assert not listed, f"listing pages in the search index: {listed[:5]}"
    assert any((built.site / folder).is_dir() for folder in LISTINGS), "the example has no listing pages to leave out"


def test_records_carry_their_facets_and_meta(records: list[RecordFile], docs: dict[str, dict[str, Any]],
                                             labels: dict[str, Any]) -> None:
    """A result can show "IMP-0042 · <status>" and be narrowed by kind, status, practice, service,
    team and year: the values are those of the record file, in the portal's language."""
    problems = []
    kinds: dict[str, set[str]] = {}
    for record in records:
        doc, fields = docs[page_url(record.rel)], record.front_matter
        meta, filters = doc["meta"], doc["filters"]
        kinds.setdefault(record.kind, set()).update(filters.get("kind", []))
        if meta.get("id") != record.id or meta.get("title") != str(fields["title"]):
            problems.append(f"{record.rel}: meta {meta}")
        affects = list(fields.get("affects") or [])
        if record.kind == "assessment":
            affects.append(f"practice/{fields['practice']}")
        for facet in ("practice", "service"):
            expected = {labels[facet][a.split("/", 1)[1]] for a in affects if a.startswith(facet + "/")}
            if set(filters.get(facet, [])) != expected:
                problems.append(f"{record.rel}: {facet} {filters.get(facet)} != {sorted(expected)}")
        if record.kind != "improvement":
            continue
        status = labels["status"][fields["status"]]
        if meta.get("status") != status or filters.get("status") != [status]:
            problems.append(f"{record.rel}: status {meta.get('status')} {filters.get('status')} != {status}")
        if filters.get("year") != [str(fields["raised"])[:4]]:
            problems.append(f"{record.rel}: year {filters.get('year')}")
        person = fields.get("owner") or fields.get("requester")
        team = labels["team_of"].get(person)
        if filters.get("team", []) != ([labels["team"][team]] if team else []):
            problems.append(f"{record.rel}: team {filters.get('team')} != {team}")
    assert not problems, "\n".join(problems)
    assert all(len(k) == 1 for k in kinds.values()) and len(set.union(*kinds.values())) == len(kinds), kinds
    pages = {v for d in docs.values() if "id" not in d["meta"] for v in d["filters"].get("kind", [])}
    assert len(pages) == 1 and not pages & set.union(*kinds.values()), "other pages have one kind of their own"


def test_card_labels_stay_out_of_the_text_but_values_are_in(built: Build, records: list[RecordFile],
                                                             docs: dict[str, dict[str, Any]]) -> None:
    """A record's indexed text holds its title, its card's values and its body, not the labels the
    card repeats on every record (the field names shown on the built page); each value starts a
    word of its own (not glued to the one before it: "act" and "Tom Baker" are not "actTom")."""
    imps = [r for r in records if r.kind == "improvement"]
    checked = 0
    for record in imps:
        fields = record.front_matter
        words = " " + " ".join(docs[page_url(record.rel)]["content"].split())
        content = _squeeze(words)
        page = (built.site / page_file(record.rel)).read_text(encoding="utf-8")
        assert _squeeze(str(fields["title"])) in content, record.rel
        if fields.get("value"):
            assert _squeeze(str(fields["value"])) in content, f"{record.rel}: value not searchable"
        own = _squeeze(record.path.read_text(encoding="utf-8"))  # what the record itself says
        fields_html = re.search(r'<dl class="cir-fields">(.*?)</dl>', page, re.S)
        assert fields_html, record.rel
        for label, value in re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", fields_html.group(1)):
            text = _squeeze(html.unescape(re.sub(r"<[^>]+>", "", value)))
            assert text in content, f"{record.rel}: the value of {label!r} is not searchable"
            first = html.unescape(re.sub(r"<[^>]+>", " ", value)).split()[0]
            assert " " + first in words, f"{record.rel}: the value of {label!r} is glued to the text before it"
            if _squeeze(html.unescape(label)) not in own:
                assert _squeeze(html.unescape(label)) + text not in content, f"{record.rel}: card label {label!r} indexed"
                checked += 1
    assert checked > 5 * len(imps), "too few card fields to check"


def test_every_page_has_the_search_box(built: Build, site_url: str) -> None:
    """The header of every page holds the search box, a form to the search page (also without JavaScript)."""
    pages = [p for p in html_files(built.site) if p.name == "index.html"]
    assert len(pages) > 100
    for path in pages:
        rel = path.relative_to(built.site).as_posix()
        text = path.read_text(encoding="utf-8")
        header = text[text.index('class="md-header__inner'):text.index("</nav>", text.index('class="md-header__inner'))]
        forms = re.findall(r'<form class="cir-search-box"[^>]*action="([^"]*)"', header)
        assert len(forms) == 1, rel
        assert link_target(rel, forms[0], site_url) == "search/index.html", rel
    search = (built.site / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-cir-search="page"' in search and 'name="q"' in search


def test_search_page_offers_every_facet_value(built: Build, docs: dict[str, dict[str, Any]]) -> None:
    """The search page's facet menus list every value the index filters by (and no other)."""
    page = (built.site / "search" / "index.html").read_text(encoding="utf-8")
    offered: dict[str, set[str]] = {}
    for name, options in re.findall(r'<select name="(\w+)" data-facet="\w+">(.*?)</select>', page, re.S):
        offered[name] = {html.unescape(v) for v in re.findall(r'<option value="([^"]+)"', options)}
    indexed: dict[str, set[str]] = {}
    for doc in docs.values():
        for facet, values in doc["filters"].items():
            indexed.setdefault(facet, set()).update(values)
    assert offered == indexed


def test_register_page_is_served_with_its_first_rows(built: Build, records: list[RecordFile]) -> None:
    """The register's first page of rows (by id) is in the HTML as served, each row as written."""
    imps = sorted((r for r in records if r.kind == "improvement"),
                  key=lambda r: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", r.id)])
    page = (built.site / "register" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-id="([^"]+)"><td><a href="([^"]+)">[^<]*</a></td><td>([^<]*)</td>', page)
    assert [r[0] for r in rows] == [r.id for r in imps[:PAGE_SIZE]]
    for (rid, href, title), record in zip(rows, imps, strict=False):
        assert html.unescape(title) == str(record.front_matter["title"]), rid
        assert link_target("register/index.html", href, "") == page_file(record.rel), rid
    pages = -(-len(imps) // PAGE_SIZE)
    assert f"<span data-page-info>1 / {pages}</span>" in page


def test_register_index_writes_keys_once(built: Build, records: list[RecordFile], labels: dict[str, Any]) -> None:
    """The index the register filters with names each person and status once, not once per row."""
    raw = (built.site / "assets" / "cir" / "register-index.json").read_text(encoding="utf-8")
    owners = [r.front_matter["owner"] for r in records if r.kind == "improvement" and r.front_matter.get("owner")]
    busy = max(set(owners), key=owners.count)
    assert owners.count(busy) >= 3, "the example has no owner of several records"
    assert raw.count(json.dumps(busy)) <= 3  # the owners' keys, the people's names, the people's teams
    statuses = [r.front_matter["status"] for r in records if r.kind == "improvement"]
    common = max(set(statuses), key=statuses.count)
    assert raw.count(json.dumps(common)) <= 3  # the keys, the labels, the workflow order


def test_index_search_command_indexes_a_built_site(built: Build, tmp_path: Path,
                                                   docs: dict[str, dict[str, Any]]) -> None:
    """`cir index-search SITE` indexes a site built by another engine (reading its pages whole)
    to the same pages, text, meta and filters as the plugin (fed each page's content, card
    included, before MkDocs renders it in the theme: what it indexes is what is published);
    an empty folder is refused with a message."""
    copy = tmp_path / "site"
    shutil.copytree(built.site, copy, ignore=shutil.ignore_patterns("pagefind"))
    done = run_cir("index-search", str(copy), "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"indexed {len(docs)} pages" in done.stdout
    again = {str(d["url"]).lstrip("/"): d for d in search_documents(copy)}
    assert set(again) == set(docs)
    differ = [url for url, doc in docs.items()
              if (doc["content"], doc["meta"], doc["filters"]) != (again[url]["content"], again[url]["meta"],
                                                                   again[url]["filters"])]
    assert not differ, f"indexed differently by the command and the plugin: {differ[:5]}"
    again = run_cir("index-search", str(copy), cwd=tmp_path)  # replaces its own bundle
    assert again.returncode == 0, again.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = run_cir("index-search", str(empty), cwd=tmp_path)
    assert refused.returncode == 2 and "error:" in refused.stderr and "Traceback" not in refused.stderr


def test_material_search_next_to_the_portal_search_is_reported(small_project: Callable[[Path], Path],
                                                              tmp_path: Path) -> None:
    """Two search boxes are one too many: Material's search plugin in mkdocs.yml is reported
    (a warning, so `mkdocs build --strict` fails until it is removed)."""
    project = small_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^plugins:\n(  #.*\n)*  - cir\n", lambda m: m.group(0) + "  - search\n", text),
                      encoding="utf-8")
    assert "  - search\n" in config.read_text(encoding="utf-8")
    build = mkdocs_build(project, tmp_path / "site")
    assert build.returncode != 0
    assert "Material's search plugin is enabled" in build.log


def test_every_file_of_the_index_is_complete(built: Build) -> None:
    """The bundle is written while MkDocs renders the pages: every compressed file of it reads
    to its end (a file cut short makes the search fail for some queries only)."""
    files = [p for p in (built.site / "pagefind").rglob("*") if p.is_file()]
    packed = [p for p in files if p.read_bytes()[:2] == b"\x1f\x8b"]
    assert len(packed) > 10
    for path in packed:
        gzip.decompress(path.read_bytes())  # raises EOFError when cut short


def test_a_page_in_the_search_index_folder_is_refused(small_project: Callable[[Path], Path], tmp_path: Path) -> None:
    """The index is written while MkDocs renders the pages, into pagefind/: a page of content/
    that would be published there is an error naming it, not a page overwritten or deleted."""
    project = small_project(tmp_path / "project")
    (project / "content" / "pagefind").mkdir()
    (project / "content" / "pagefind" / "notes.md").write_text("# Notes\n", encoding="utf-8")
    build = mkdocs_build(project, tmp_path / "site", strict=False)
    assert build.returncode != 0
    assert "pagefind/notes.md would be published in pagefind/" in build.log and "Traceback" not in build.log
