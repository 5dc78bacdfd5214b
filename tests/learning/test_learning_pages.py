"""The knowledge-base pages, the maturity view and the feedback loop, from the site model."""

from __future__ import annotations

import json
import re

import pytest

from cir_portal.core.model import Improvement
from cir_portal.views import browse as pages
from cir_portal.views import cards, maturity
from cir_portal.views import governance as governance_view
from cir_portal.views import knowledge as lessons_kb
from cir_portal.views.context import Site
from cir_portal.views.page import by_src
from cirtest.learning import MakeProject, improvement, lesson, site_of, targets

KB_FILES = {
    "content/improvements/IMP-0100-x.md": improvement("IMP-0100", affects=["practice/incident-management", "service/email"]),
    "content/lessons/LL-0101-x.md": lesson("LL-0101", date="2025-02-10", kind="failure", improvements=["IMP-0100"],
                                           author="zhang.min", tags=["on-call"]),
    "content/lessons/LL-0102-x.md": lesson("LL-0102", date="2025-03-31", kind="failure", affects=["service/vpn"],
                                           author="zhang.min"),
    "content/lessons/LL-0103-x.md": lesson("LL-0103", date="2025-04-01", kind="observation", affects=["service/vpn"],
                                           author="wang.wei", tags=["on-call"]),
    "content/lessons/LL-0104-x.md": lesson("LL-0104", date="2026-11-30", kind="success",
                                           affects=["practice/service-desk"], author="zhang.min"),
}


def ids_in(html: str, prefix: str = "LL-") -> set[str]:
    return set(re.findall(rf"\b{prefix}\d{{4}}\b", html))


@pytest.fixture
def kb_site(make_project: MakeProject) -> Site:
    return site_of(make_project(KB_FILES))


@pytest.fixture
def kb(kb_site: Site) -> dict[str, str]:
    return {page.src_uri: page.content for page in lessons_kb.pages(kb_site)}


# --- the lessons-learned knowledge base

def test_kb_pages_for_each_kind_year_quarter_practice_service_tag(kb: dict[str, str]) -> None:
    assert {p for p in kb if p.startswith("knowledge/kind/")} == {f"knowledge/kind/{k}.md" for k in lessons_kb.KINDS}
    assert {p for p in kb if p.startswith("knowledge/year/")} == {"knowledge/year/2025.md", "knowledge/year/2026.md"}
    assert {p for p in kb if p.startswith("knowledge/reports/")} == {
        "knowledge/reports/2025-Q1.md", "knowledge/reports/2025-Q2.md", "knowledge/reports/2026-Q1.md",
        "knowledge/reports/2026-Q4.md"}
    assert {p for p in kb if p.startswith(("knowledge/practice/", "knowledge/service/"))} == {
        "knowledge/practice/incident-management.md", "knowledge/practice/service-desk.md",
        "knowledge/service/email.md", "knowledge/service/vpn.md", "knowledge/service/identity.md"}
    assert {p for p in kb if p.startswith("knowledge/tag/")} == {"knowledge/tag/on-call.md", "knowledge/tag/self-service.md"}
    assert "knowledge/index.md" in kb


def test_kb_pages_list_the_right_lessons(kb: dict[str, str]) -> None:
    assert ids_in(kb["knowledge/kind/failure.md"]) == {"LL-0101", "LL-0102"}
    assert ids_in(kb["knowledge/kind/success.md"]) == {"LL-0001", "LL-0104"}  # LL-0001: the base project's lesson
    assert ids_in(kb["knowledge/kind/observation.md"]) == {"LL-0103"}
    assert ids_in(kb["knowledge/year/2025.md"]) == {"LL-0101", "LL-0102", "LL-0103"}
    assert ids_in(kb["knowledge/year/2026.md"]) == {"LL-0001", "LL-0104"}
    # a lesson is about its own affects and those of the improvements it came from
    assert ids_in(kb["knowledge/practice/incident-management.md"]) == {"LL-0101"}
    assert ids_in(kb["knowledge/service/email.md"]) == {"LL-0101"}
    assert ids_in(kb["knowledge/service/identity.md"]) == {"LL-0001"}  # own affects, and IMP-0001's
    assert ids_in(kb["knowledge/practice/service-desk.md"]) == {"LL-0001", "LL-0104"}  # IMP-0001 affects it
    assert ids_in(kb["knowledge/tag/on-call.md"]) == {"LL-0101", "LL-0103"}
    # newest first
    year = kb["knowledge/year/2025.md"]
    assert year.index("LL-0103") < year.index("LL-0102") < year.index("LL-0101")
    # the lesson links back to its improvement
    assert "IMP-0100" in kb["knowledge/kind/failure.md"]


def test_quarterly_report_by_kind_with_recommendations(kb_site: Site, kb: dict[str, str]) -> None:
    q1 = kb["knowledge/reports/2025-Q1.md"]
    assert ids_in(q1) == {"LL-0101", "LL-0102"}  # 2025-03-31 is still Q1
    assert "Recommendation of LL-0101." in q1 and "Recommendation of LL-0102." in q1
    sections = re.findall(r'data-kind="(\w+)"><h2>[^<]*<span class="cir-n">(\d+)</span>', q1)
    assert sections == [("success", "0"), ("failure", "2"), ("observation", "0")]
    assert "2025-01-01" in q1 and "2025-03-31" in q1
    q2 = kb["knowledge/reports/2025-Q2.md"]
    assert ids_in(q2) == {"LL-0103"}
    assert {"knowledge/reports/2025-Q1/", "knowledge/reports/2026-Q1/"} <= targets(kb_site, "knowledge/reports/2025-Q2.md", q2)


def test_kb_is_blameless(kb_site: Site, kb: dict[str, str]) -> None:
    """No knowledge-base page names authors, so no page groups failures by person."""
    names = {p.name.text(kb_site.lang) for p in kb_site.config.people.values()} | set(kb_site.config.people)
    for page, html in kb.items():
        for name in names:
            assert name not in html, (page, name)
    # the people pages of the portal list improvements, not lessons
    for pid in kb_site.config.people:
        assert not ids_in(pages.entity_pages(kb_site)[kb_site.person_page(pid)].source())


def test_kb_index_links_every_group(kb_site: Site, kb: dict[str, str]) -> None:
    index = kb["knowledge/index.md"]
    links = targets(kb_site, "knowledge/index.md", index)
    for target in ("kind/failure/", "year/2025/", "reports/2025-Q1/", "practice/incident-management/",
                   "service/vpn/", "tag/on-call/"):
        assert f"knowledge/{target}" in links, target
    assert {kb_site.url(p) for p in kb if p != "knowledge/index.md"} <= links  # every page of the knowledge base
    assert index.startswith("# ")


def test_kb_escapes_record_values(make_project: MakeProject) -> None:
    files = {"content/lessons/LL-0109-x.md": lesson("LL-0109", date="2026-01-02", tags=['"<script>x</script>"'])
             .replace("Recommendation of LL-0109.", '"<img src=x onerror=alert(1)>"')}
    site = site_of(make_project(files))
    for html in (page.source() for page in lessons_kb.pages(site)):
        assert "<script>x" not in html and "<img src=x" not in html


def test_example_register_kb(example_site: Site) -> None:
    kb = {page.src_uri: page.content for page in lessons_kb.pages(example_site)}
    lessons = example_site.register.lessons
    for kind in lessons_kb.KINDS:
        assert ids_in(kb[f"knowledge/kind/{kind}.md"]) == {x.id for x in lessons if x.lesson_kind == kind}
    years = {str(x.date)[:4] for x in lessons}
    for year in years:
        assert ids_in(kb[f"knowledge/year/{year}.md"]) == {x.id for x in lessons if str(x.date).startswith(year)}
    assert sum(len(ids_in(html)) for p, html in kb.items() if p.startswith("knowledge/reports/")) == len(lessons)


# --- the maturity view

MATURITY_FILES = {
    # a reassessment of the base project's ASM-0001 (incident management)
    "content/assessments/ASM-0002-im-2026.md": """\
---
id: ASM-0002
practice: incident-management
date: 2026-05-01
assessor: chen.jie
level: 3
target_level: 4
dimensions: {organizations_people: 3, information_technology: 4, partners_suppliers: 2, value_streams_processes: 3}
gaps:
  - {id: G1, description: "No trend analysis <yet>", improvement: IMP-0100}
  - {id: G2, description: Supplier escalation is not in the contracts.}
  - {id: G3, description: Rejected idea., improvement: IMP-0101}
---
""",
    "content/assessments/ASM-0003-ci.md": """\
---
id: ASM-0003
practice: continual-improvement
date: 2026-06-01
assessor: li.na
level: 1
target_level: 3
---
""",
    "content/improvements/IMP-0100-x.md": improvement("IMP-0100", affects=["practice/incident-management"]),
    "content/improvements/IMP-0101-x.md": improvement("IMP-0101", affects=["practice/incident-management"], status="rejected",
                                                      extra="closed_on: 2026-05-10\nreason: Not now.\n"),
}


@pytest.fixture
def mat_site(make_project: MakeProject) -> Site:
    return site_of(make_project(MATURITY_FILES))


@pytest.fixture
def mat(mat_site: Site) -> dict[str, str]:
    return {p.src_uri: p.content for p in maturity.pages(mat_site)}


def test_maturity_pages(mat: dict[str, str]) -> None:
    assert set(mat) == {"maturity.md", "maturity/incident-management.md", "maturity/continual-improvement.md"}


def test_gap_states(mat_site: Site) -> None:
    states = {f"{g.assessment.id}#{g.id}": g.state for g in maturity.gaps(mat_site)}
    assert states == {"ASM-0001#G1": "closed", "ASM-0001#G2": "open", "ASM-0002#G1": "in_progress",
                      "ASM-0002#G2": "open", "ASM-0002#G3": "stopped"}


def test_maturity_page_gap_list_shows_improvement_and_status(mat: dict[str, str], mat_site: Site) -> None:
    page = mat["maturity.md"]
    gap_html = page[page.index('<section class="cir-gaps__state" data-state="open">'):]
    sections = dict(re.findall(r'data-state="(\w+)">(.*?)</section>', gap_html))
    assert list(sections) == ["open", "in_progress", "stopped", "closed"]
    assert "ASM-0001#G2" in sections["open"] and "ASM-0002#G2" in sections["open"]
    assert mat_site.t("no_improvement") in sections["open"]
    assert "IMP-0100" in sections["in_progress"] and "cir-status--identified" in sections["in_progress"]
    assert "IMP-0101" in sections["stopped"] and "cir-status--rejected" in sections["stopped"]
    assert "IMP-0001" in sections["closed"] and "cir-status--closed" in sections["closed"]
    assert "No trend analysis &lt;yet&gt;" in page and "<yet>" not in page
    assert "assessments/ASM-0002-im-2026/#gap-G2" in targets(mat_site, "maturity.md", page)  # the gap's anchor


def test_maturity_page_charts_have_text_alternatives(mat: dict[str, str]) -> None:
    page = mat["maturity.md"]
    figures = re.findall(r'<figure class="cir-chart">.*?</figure>', page, re.S)
    assert len(figures) == 2  # levels over time, dimension heatmap
    for figure in figures:
        assert "<svg" in figure  # static fallback
        assert '<p class="cir-chart__summary">' in figure
        assert re.search(r'<details class="cir-chart__data"><summary>[^<]+</summary><table', figure)
    heatmap = figures[1]
    data = heatmap[heatmap.index("<details"):]
    assert re.search(r"<td>事件管理</td><td><a [^>]*>ASM-0002</a></td><td>3</td><td>4</td><td>2</td><td>3</td>", data)
    assert "—" in data  # ASM-0003 has no dimension scores
    summary = re.search(r'<p class="cir-chart__summary">([^<]+)</p>', heatmap)
    assert summary and "合作伙伴和供应商（2）" in summary.group(1)
    levels_data = figures[0][figures[0].index("<details"):]
    assert "ASM-0001" in levels_data and "ASM-0002" in levels_data and "ASM-0003" in levels_data


def test_chart_specs_are_json_and_deterministic(mat_site: Site) -> None:
    practices = maturity.by_practice(mat_site)
    spec = maturity.levels_spec(mat_site, practices, by_practice_colour=True)
    assert json.loads(json.dumps(spec)) == spec
    assert maturity.levels_spec(mat_site, practices, by_practice_colour=True) == spec
    values = spec["data"]["values"]
    assert {(v["assessment"], v["level"]) for v in values} >= {("ASM-0001", 2), ("ASM-0001", 3), ("ASM-0002", 4)}
    heat = maturity.heatmap_spec(mat_site, {p: a[-1] for p, a in practices.items()})
    assert {(v["assessment"], v["score"]) for v in heat["data"]["values"]} >= {("ASM-0002", 4), ("ASM-0002", 2)}
    assert not [v for v in heat["data"]["values"] if v["assessment"] == "ASM-0003"]


def test_next_step_guidance_in_both_languages(mat: dict[str, str], make_project: MakeProject) -> None:
    page = mat["maturity.md"]
    assert "3 → 4" in page and maturity.STEP_FOCUS[4]["zh"] in page  # incident management 3 -> 4
    assert "1 → 2" in page and maturity.STEP_FOCUS[2]["zh"] in page  # continual improvement 1 -> 2
    detail = mat["maturity/continual-improvement.md"]
    assert maturity.STEP_FOCUS[2]["zh"] in detail and maturity.STEP_FOCUS[3]["zh"] in detail  # every step to the target
    assert maturity.STEP_FOCUS[4]["zh"] not in detail
    root = make_project(MATURITY_FILES, name="english")
    portal = root / "site_config" / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8").replace("language: zh", "language: en"), encoding="utf-8")
    english = by_src(maturity.pages(site_of(root)))["maturity.md"].content
    assert maturity.STEP_FOCUS[4]["en"] in english and maturity.STEP_FOCUS[2]["en"] in english
    for to in (2, 3, 4, 5):
        assert maturity.STEP_FOCUS[to]["en"] and maturity.STEP_FOCUS[to]["zh"]


def test_practice_page(mat_site: Site, mat: dict[str, str]) -> None:
    page = mat["maturity/incident-management.md"]
    assert page.startswith("# ")
    assert "ASM-0002" in page and "ASM-0001" in page
    assert page.count('<figure class="cir-chart">') == 1
    assert "browse/practices/incident-management/" in targets(mat_site, "maturity/incident-management.md", page)
    assert "ASM-0003" not in page


def test_no_assessments(make_project: MakeProject) -> None:
    root = make_project({"content/assessments/ASM-0001-incident-management-2025.md": None,
                         "content/improvements/IMP-0001-mima-chongzhi.md": None,
                         "content/lessons/LL-0001-pilot-first.md": None})
    site = site_of(root)
    assert set(by_src(maturity.pages(site))) == {"maturity.md"}
    assert site.t("mat_none") in by_src(maturity.pages(site))["maturity.md"].content
    assert by_src(lessons_kb.pages(site))["knowledge/index.md"].content.count(site.t("none")) == 1


def test_example_register_maturity(example_site: Site) -> None:
    out = {p.src_uri: p.content for p in maturity.pages(example_site)}
    practices = {a.practice for a in example_site.register.assessments}
    assert set(out) == {"maturity.md"} | {f"maturity/{p}.md" for p in practices}
    gap_refs = {f"{a.id}#{g.id}" for a in example_site.register.assessments for g in a.gaps}
    for ref in gap_refs:
        assert ref in out["maturity.md"]


# --- the feedback loop: decisions answered to their originator

FEEDBACK = {
    "content/improvements/IMP-0300-x.md": improvement("IMP-0300", affects=["service/email"], status="rejected",
                                                      extra="closed_on: 2026-02-01\nreason: Duplicate.\n")
    .replace("source: staff_idea", "source: customer_feedback"),
    "content/improvements/IMP-0301-x.md": improvement("IMP-0301", affects=["service/email"], status="rejected",
                                                      extra="closed_on: 2026-02-01\nreason: Later.\n")
    .replace("requester: li.na", "requester: Acme Ltd (customer)"),
    "content/improvements/IMP-0302-x.md": improvement("IMP-0302", affects=["service/email"], status="rejected",
                                                      extra="closed_on: 2026-02-01\nreason: No.\n"
                                                            "originator_notified: 2026-02-03\n")
    .replace("source: staff_idea", "source: customer_feedback"),
    "content/improvements/IMP-0303-x.md": improvement("IMP-0303", affects=["service/email"])
    .replace("source: staff_idea", "source: customer_feedback"),
    # an internal staff idea, decided and not answered: listed after the outside feedback
    "content/improvements/IMP-0299-x.md": improvement("IMP-0299", affects=["service/email"], status="rejected",
                                                      extra="closed_on: 2026-02-01\nreason: No.\n"),
}


def test_feedback_loop_card_flags_and_governance_list(make_project: MakeProject) -> None:
    site = site_of(make_project(FEEDBACK))
    reg = site.register

    def card(rid: str) -> str:
        record = reg.get(rid)
        assert isinstance(record, Improvement)
        return "".join(cards.card(site, record))

    assert "cir-flag--unanswered" in card("IMP-0300")  # customer feedback, decided, not answered
    assert "cir-flag--unanswered" in card("IMP-0301")  # external requester, decided, not answered
    assert "cir-flag--notified" in card("IMP-0302") and "2026-02-03" in card("IMP-0302")
    assert "cir-flag" not in card("IMP-0303")  # not decided yet: nothing to answer
    governance = governance_view.governance_page(site).content
    unanswered = governance[governance.index(site.t("gov_unanswered")):governance.index(site.t("gov_stuck", days=90)[:4])]
    assert {"IMP-0300", "IMP-0301"} <= ids_in(unanswered, "IMP-")
    assert not {"IMP-0302", "IMP-0303"} & ids_in(unanswered, "IMP-")
    assert "Acme Ltd (customer)" in unanswered  # the external originator to answer
    assert "客户反馈" in unanswered  # and where the request came from
    order = re.findall(r"IMP-0\d{3}", unanswered)
    assert order.index("IMP-0300") < order.index("IMP-0301") < order.index("IMP-0299")  # outside feedback first
