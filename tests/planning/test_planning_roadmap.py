"""The roadmap: every approved, planned, in-progress or evaluating improvement with a target date
is a bar linking its record, from its approval to its target date, grouped three ways, with the
as-of line, overdue bars marked, parts nested, a table alternative, and pages for large groups."""

from __future__ import annotations

import dataclasses
import re
from html import unescape

import pytest

from cir_portal.core.model import make_record
from cir_portal.views import roadmap
from cir_portal.views.context import Site
from cir_portal.views.page import by_src
from cirtest.planning import AS_OF, Unseen, epoch_of, on_roadmap, read_records, register_with
from cirtest.site import link_target, page_file

ROW = re.compile(r'<a class="(cir-rm-row[^"]*)" href="([^"]+)" data-id="([^"]+)" data-start="([^"]+)" '
                 r'data-target="([^"]+)"')


def _rows(page: str) -> list[tuple[str, str, str, str, str]]:
    return [m.groups() for m in ROW.finditer(page)]


def test_every_roadmap_record_is_a_linked_bar_and_nothing_else(unseen: Unseen) -> None:
    expected = on_roadmap(unseen.project)
    assert sorted(expected) == ["IMP-0401", "IMP-0402", "IMP-0403", "IMP-0404", "IMP-0405", "IMP-0407"]
    for grouping, src in roadmap.GROUPING_PAGES.items():
        page = unseen.tree.pages[src].content
        rows = _rows(page)
        assert {r[2] for r in rows} == set(expected), grouping
        for _cls, href, rid, _, target in rows:
            assert link_target(page_file(src), unescape(href), "") == page_file(expected[rid].rel)
            assert target == expected[rid].front_matter["target_date"]


def test_bars_start_at_the_approval(unseen: Unseen) -> None:
    """From the history's approval entry; without history from approved_on; the target date ends it."""
    files = on_roadmap(unseen.project)
    starts = {rid: start for _, _, rid, start, _ in _rows(unseen.tree.pages[roadmap.ROADMAP_PAGE].content)}
    for rid, record in files.items():
        history = record.front_matter.get("history") or []
        approval = next((h["date"] for h in history if h["status"] == "approved"), None)
        assert starts[rid] == (approval or record.front_matter["approved_on"]), rid
    assert "history" not in files["IMP-0405"].front_matter and starts["IMP-0405"] == "2026-04-01"


def test_overdue_bars_are_marked_and_the_as_of_line_is_drawn(unseen: Unseen) -> None:
    page = unseen.tree.pages[roadmap.ROADMAP_PAGE].content
    for cls, _, rid, _, target in _rows(page):
        assert ("cir-rm-row--overdue" in cls) == (target < AS_OF), rid
    assert "IMP-0402" in {rid for cls, _, rid, _, _ in _rows(page) if "overdue" in cls}
    todays = re.findall(r'<span class="cir-rm-today" data-date="([^"]+)" style="--x:([0-9.]+)"', page)
    assert todays and {d for d, _ in todays} == {AS_OF}
    # the line lies after the overdue bar's end and before the end of a bar still running
    x = float(todays[0][1]) * 100
    bar = re.compile(r'data-id="(IMP-\d+)"[^>]*>.*?class="cir-rm-bar[^"]*" style="left:([0-9.]+)%;width:([0-9.]+)%"')
    ends = {m.group(1): float(m.group(2)) + float(m.group(3)) for m in bar.finditer(page)}
    assert ends["IMP-0402"] < x < ends["IMP-0404"]


def test_parts_nest_under_their_initiative(unseen: Unseen) -> None:
    page = unseen.tree.pages[roadmap.ROADMAP_PAGE].content
    item = page[page.index('data-id="IMP-0401"'):]
    nested = item[item.index('<ol class="cir-rm-rows cir-rm-parts">'):]
    nested = nested[:nested.index("</ol>")]
    assert re.findall(r'data-id="(IMP-\d+)"', nested) == ["IMP-0402", "IMP-0403"]  # by target date
    assert page.count('data-id="IMP-0402"') == 1  # not also at the top of its own objective


def test_groupings_and_their_tabs(unseen: Unseen) -> None:
    files = on_roadmap(unseen.project)
    tops = {rid: r for rid, r in files.items() if r.front_matter.get("part_of") not in files}
    by_objective = unseen.tree.pages[roadmap.ROADMAP_PAGE].content
    groups = re.findall(r'data-group="([^"]+)"', by_objective)
    assert groups == sorted({o for r in tops.values() for o in r.front_matter["objectives"]})
    by_team = unseen.tree.pages["roadmap/team.md"].content
    assert len(re.findall(r'data-group="([^"]+)"', by_team)) >= 2
    for grouping, src in roadmap.GROUPING_PAGES.items():
        page = unseen.tree.pages[src].content
        current = re.findall(r'<a class="cir-rm-tab cir-rm-tab--current" aria-current="page" href="([^"]+)"', page)
        assert len(current) == 1 and link_target(page_file(src), current[0], "") == page_file(src), grouping
        assert len(re.findall(r'class="cir-rm-tab[ "]', page)) == 3


def test_table_alternative_lists_every_bar(unseen: Unseen) -> None:
    page = unseen.tree.pages[roadmap.ROADMAP_PAGE].content
    for section in re.findall(r'<details class="cir-rm-group".*?</details></div></details>', page, re.S):
        bars = re.findall(r'<a class="cir-rm-row[^"]*" href="[^"]+" data-id="([^"]+)"', section)
        table = section[section.index('<details class="cir-rm-table">'):]
        assert re.findall(r"<tr><td>(?:↳ )*<a [^>]+>(IMP-\d+)</a>", table) == bars


def test_values_are_escaped(unseen: Unseen) -> None:
    page = unseen.tree.pages[roadmap.ROADMAP_PAGE].content
    assert "Part B: laptops &lt;fast&gt;" in page and "<fast>" not in page


def test_chinese_and_english(unseen: Unseen) -> None:
    site = unseen.site
    english = dataclasses.replace(site.config, portal=dataclasses.replace(site.config.portal, language="en"))
    en = by_src(roadmap.pages(Site(register_with(english, site.register.all()), site.project,
                                   epoch=epoch_of(AS_OF))))[roadmap.ROADMAP_PAGE].content
    zh = unseen.tree.pages[roadmap.ROADMAP_PAGE].content
    assert "<h1>Roadmap</h1>" in en and ">overdue<" in en and f"as of {AS_OF}" in en
    assert "<h1>路线图</h1>" in zh and ">已逾期<" in zh and f"截至 {AS_OF}" in zh


def _many(unseen: Unseen, n: int) -> Site:
    """The unseen register's configuration with ``n`` in-progress records under one objective."""
    site = unseen.site
    imps = []
    for k in range(n):
        rid = f"IMP-{5000 + k}"
        data = {"id": rid, "title": f"Synthetic {k}", "status": "in_progress", "raised": "2026-01-05",
                "requester": "li.na", "source": "staff_idea", "affects": ["service/identity"], "owner": "li.na",
                "objectives": ["OBJ-01"], "approved_on": "2026-02-01", "target_date": f"2027-{1 + k % 12:02d}-15"}
        imps.append(make_record("improvement", data, rel=f"content/improvements/{rid}.md", src_uri=f"improvements/{rid}.md"))
    return Site(register_with(site.config, [*site.register.all(), *imps]), site.project, epoch=epoch_of(AS_OF))


@pytest.mark.parametrize("n", [250])
def test_a_large_group_is_paged(unseen: Unseen, n: int) -> None:
    """A grouping page shows GROUP_ROWS rows of a large group and links the group's own pages,
    PAGE_ROWS rows each, which together hold every row of the group once."""
    pages = {src: page.content for src, page in by_src(roadmap.pages(_many(unseen, n))).items()}
    overview = pages[roadmap.ROADMAP_PAGE]
    group = overview[overview.index('data-group="OBJ-01"'):]
    group = group[:group.index("</details></div></details>")]
    assert len(re.findall(r'<a class="cir-rm-row', group)) == roadmap.GROUP_ROWS
    assert 'class="cir-rm-more"' in group
    files = on_roadmap(unseen.project)
    tops = {rid for rid, r in files.items()
            if "OBJ-01" in r.front_matter["objectives"] and r.front_matter.get("part_of") not in files}
    expected = {*[f"IMP-{5000 + k}" for k in range(n)], *tops}
    own = sorted(p for p in pages if p.startswith("roadmap/objective/obj-01"))
    assert len(own) == -(-len(expected) // roadmap.PAGE_ROWS)
    seen: list[str] = []
    for src in own:
        rows = [rid for cls, _, rid, _, _ in _rows(pages[src]) if "cir-rm-row--part" not in cls]
        assert len(rows) <= roadmap.PAGE_ROWS
        seen += rows
    assert sorted(seen) == sorted(expected)
    # group pages link each other and back to the roadmap
    assert link_target(page_file(own[0]), re.findall(r'<nav class="cir-rm-pager"><a href="([^"]+)"', pages[own[0]])[0],
                       "") == page_file(roadmap.ROADMAP_PAGE)


def test_nothing_on_the_roadmap(unseen: Unseen) -> None:
    site = unseen.site
    empty = Site(register_with(site.config, []), site.project, epoch=epoch_of(AS_OF))
    page = by_src(roadmap.pages(empty))[roadmap.ROADMAP_PAGE].content
    assert "cir-rm-row" not in page and "路线图暂无内容" in page


def test_files_read_independently_agree(unseen: Unseen) -> None:
    """The roadmap statuses come from workflow.yml: the ones that require an approval and are not final."""
    assert roadmap.roadmap_statuses(unseen.site) == ["approved", "planned", "in_progress", "evaluating"]
    assert {r.id for r in read_records(unseen.project) if r.kind == "improvement"} > set(on_roadmap(unseen.project))
