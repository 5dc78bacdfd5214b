"""The unseen register through a real ``mkdocs build --strict``: the initiative's page lists both
in-progress parts with the roll-up, the roadmap links every record it must (to pages that exist),
the supporters' count is on the card, and reports carry their print setup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cirtest.planning import on_roadmap, read_records
from cirtest.site import Build, page_file, targets_of

pytestmark = pytest.mark.slow


def _html(build: Build, src: str) -> str:
    return (build.site / page_file(src)).read_text(encoding="utf-8")


def test_initiative_page_lists_its_parts_with_a_rollup(unseen_built: Build) -> None:
    records = {r.id: r for r in read_records(unseen_built.project)}
    html = _html(unseen_built, records["IMP-0401"].rel)
    section = html[html.index('class="cir-section cir-initiative"'):]
    section = section[:section.index("</section>")]
    for rid in ("IMP-0402", "IMP-0403"):
        assert records[rid].front_matter["part_of"] == "IMP-0401" and records[rid].front_matter["status"] == "in_progress"
        assert page_file(records[rid].rel) in targets_of(unseen_built.site, page_file(records["IMP-0401"].rel), "")
        assert f">{rid} " in section
    assert 'data-rollup="finished">0 / 2<' in section


def test_roadmap_links_every_record_on_the_way(unseen_built: Build) -> None:
    page = page_file("roadmap/index.md")
    rows = re.findall(r'<a class="cir-rm-row[^"]*" href="([^"]+)" data-id="([^"]+)"', _html(unseen_built, "roadmap/index.md"))
    expected = on_roadmap(unseen_built.project)
    assert {rid for _, rid in rows} == set(expected)
    targets = targets_of(unseen_built.site, page, "")
    for rid, record in expected.items():
        assert page_file(record.rel) in targets and (unseen_built.site / page_file(record.rel)).is_file(), rid
    for src in ("roadmap/practice.md", "roadmap/team.md"):
        assert (unseen_built.site / page_file(src)).is_file()


def test_supporters_count_on_the_card(unseen_built: Build) -> None:
    for record in read_records(unseen_built.project):
        backers = record.front_matter.get("supporters") or []
        html = _html(unseen_built, record.rel)
        found = re.search(r'data-supporters="(\d+)"', html)
        assert (int(found.group(1)) if found else 0) == len(backers), record.id


def test_reports_print_with_their_period(unseen_built: Build) -> None:
    reports = sorted(Path(unseen_built.site / "reports").glob("20*/index.html"))
    assert reports
    for path in reports:
        html = path.read_text(encoding="utf-8")
        setup = re.search(r'<div class="cir-print-setup" hidden data-search-exclude><style>(.*?)</style></div>', html, re.S)
        assert setup is not None, path
        period = re.search(r'class="cir-report-meta"><strong>[^<]*</strong> · ([^<·]+) ·', html)
        assert period is not None and f'@top-right{{content:"{period.group(1).strip()}"' in setup.group(1)
        assert "size:A4" in setup.group(1)
