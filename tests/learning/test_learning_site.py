"""A real ``mkdocs build --strict`` of a copy of the example register: the learning pages
are built, linked from the navigation, and hold what the views put in them."""

from __future__ import annotations

import re

import pytest

from cirtest.learning import Built

pytestmark = pytest.mark.slow


def page(built: Built, url_path: str) -> str:
    return (built.site / url_path / "index.html").read_text(encoding="utf-8")


def test_build_has_the_learning_pages(built: Built) -> None:
    for path in ("maturity", "maturity/incident-management", "knowledge", "knowledge/kind/failure",
                 "knowledge/kind/success", "knowledge/kind/observation", "knowledge/year/2026"):
        assert (built.site / path / "index.html").is_file(), path
    assert list((built.site / "knowledge" / "reports").glob("*-Q*/index.html"))
    assert "WARNING" not in built.log


def test_nav_links_the_learning_pages(built: Built) -> None:
    home = (built.site / "index.html").read_text(encoding="utf-8")
    assert 'href="maturity/"' in home and 'href="knowledge/"' in home


def test_improvement_page_shows_related_lessons(built: Built) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (built.site / "improvements").glob("*/index.html")]
    with_related = [p for p in pages if "cir-related-lessons" in p]
    assert with_related
    assert all(re.search(r'data-score="\d+"', p) for p in with_related)


def test_maturity_page_has_charts_table_alternative_and_gap_states(built: Built) -> None:
    html = page(built, "maturity")
    assert html.count('<figure class="cir-chart">') == 2
    assert html.count('<details class="cir-chart__data">') == 2
    assert html.count("data-vega-spec=") == 2
    assert 'data-state="open"' in html and 'data-state="in_progress"' in html and 'data-state="closed"' in html
    assert "assets/cir/learning.css" in html


def test_search_index_skips_listings_but_keeps_views(built: Built) -> None:
    from cirtest.site import search_documents

    locations = {str(d["url"]).lstrip("/") for d in search_documents(built.site)}
    assert "maturity/" in locations and "knowledge/" in locations
    assert any(loc.startswith("knowledge/reports/") for loc in locations)
    assert not any(loc.startswith(("knowledge/kind/", "knowledge/year/", "knowledge/tag/")) for loc in locations)
    title = re.search(r"<title>([^<]*)</title>", page(built, "knowledge/kind/failure"))
    assert title and title.group(1).startswith("经验教训：失败")  # the heading gives the page its title, not the file name
