"""Related lessons on an improvement's card: the score, its explanation, what is left out,
and that the ranking does not depend on anything but the content."""

from __future__ import annotations

import random

import pytest

from cir_portal.core.model import Improvement, Register
from cir_portal.views import knowledge as lessons_kb
from cir_portal.views.tree import build_tree
from cirtest.learning import MakeProject, improvement, lesson, site_of, targets

IMP = "IMP-0100"
FILES = {
    # the improvement whose related lessons are ranked
    "content/improvements/IMP-0100-x.md": improvement(IMP, affects=["practice/incident-management", "service/email"],
                                                      tags=["major"]),
    # another initiative; its lesson LL-0105 inherits its practice
    "content/improvements/IMP-0105-x.md": improvement("IMP-0105", affects=["practice/incident-management"]),
    "content/lessons/LL-0101-x.md": lesson("LL-0101", date="2026-01-01", affects=["practice/incident-management"]),
    "content/lessons/LL-0102-x.md": lesson("LL-0102", date="2026-02-01", affects=["service/email"], tags=["major"]),
    "content/lessons/LL-0103-x.md": lesson("LL-0103", date="2025-06-01", kind="failure",
                                           affects=["practice/incident-management", "service/email"]),
    "content/lessons/LL-0104-x.md": lesson("LL-0104", date="2026-03-01", kind="observation", tags=["major"]),
    "content/lessons/LL-0105-x.md": lesson("LL-0105", date="2026-01-01", improvements=["IMP-0105"]),
    # the improvement's own lesson: never "related"
    "content/lessons/LL-0106-x.md": lesson("LL-0106", date="2026-04-01", improvements=[IMP],
                                           affects=["practice/incident-management", "service/email"]),
    "content/lessons/LL-0107-x.md": lesson("LL-0107", date="2026-04-01", affects=["service/vpn"]),
    "content/lessons/LL-0108-x.md": lesson("LL-0108", date="2025-01-01", tags=["major"]),
}
EXPECTED = [  # (lesson, score, explanation)
    ("LL-0103", 5, "shares practice/incident-management, service/email"),
    ("LL-0102", 3, "shares service/email, tag/major"),  # 3 like LL-0101 and LL-0105, but the newest
    ("LL-0101", 3, "shares practice/incident-management"),  # same date as LL-0105: smaller id first
    ("LL-0105", 3, "shares practice/incident-management"),  # through its improvement IMP-0105
    ("LL-0104", 1, "shares tag/major"),  # LL-0108 (1, older) is sixth: cut
]


@pytest.fixture
def register(make_project: MakeProject) -> Register:
    return site_of(make_project(FILES)).register


def _imp(register: Register, rid: str = IMP) -> Improvement:
    record = register.get(rid)
    assert isinstance(record, Improvement)
    return record


def test_scores_explanations_and_order(register: Register) -> None:
    related = lessons_kb.related_lessons(register, _imp(register))
    assert [(r.lesson.id, r.score, r.explanation) for r in related] == EXPECTED


def test_weights_are_practice_3_service_product_value_stream_2_tag_1() -> None:
    assert [lessons_kb.weight(f) for f in ("practice/a", "service/a", "product/a", "value_stream/a", "tag/a")] == [3, 2, 2, 2, 1]


def test_own_lessons_and_unrelated_lessons_are_left_out(register: Register) -> None:
    ids = {r.lesson.id for r in lessons_kb.related_lessons(register, _imp(register), limit=100)}
    assert "LL-0106" not in ids  # the improvement's own lesson
    assert "LL-0107" not in ids  # shares nothing
    assert "LL-0108" in ids  # related, but only the top five are shown


def test_a_lesson_listed_by_the_improvement_is_its_own(make_project: MakeProject) -> None:
    files = dict(FILES)
    files["content/improvements/IMP-0100-x.md"] = improvement(
        IMP, affects=["practice/incident-management", "service/email"], tags=["major"], status="closed", extra="""\
        urgency: low
        cost: low
        value: v
        owner: li.na
        objectives: [OBJ-01]
        business_case: {problem: p, solution: s, benefits: b}
        approved_by: chen.jie
        approved_on: 2026-01-06
        plan: p
        target_date: 2026-03-01
        metrics:
          - {name: m, unit: u, direction: increase, baseline: {value: 1, date: 2026-01-06}, target: {value: 2, date: 2026-03-01}}
        closed_on: 2026-03-02
        outcome: achieved
        lessons: [LL-0103]
        """)
    register = site_of(make_project(files)).register
    ids = [r.lesson.id for r in lessons_kb.related_lessons(register, _imp(register))]
    assert "LL-0103" not in ids and "LL-0106" not in ids
    assert ids[0] == "LL-0102"


def test_ranking_is_deterministic(register: Register, make_project: MakeProject) -> None:
    first = [(r.lesson.id, r.score, r.shared) for r in lessons_kb.related_lessons(register, _imp(register))]
    items = list(FILES.items())
    random.Random(7).shuffle(items)
    again = site_of(make_project(dict(items), name="shuffled")).register
    assert [(r.lesson.id, r.score, r.shared) for r in lessons_kb.related_lessons(again, _imp(again))] == first
    index = lessons_kb.RelatedIndex(register)  # a fresh index agrees with the cached one
    assert [(r.lesson.id, r.score, r.shared) for r in index.related(_imp(register))] == first


def test_no_related_lessons_no_section(make_project: MakeProject) -> None:
    site = site_of(make_project({"content/improvements/IMP-0100-x.md": improvement(IMP, affects=["service/vpn"])}))
    assert lessons_kb.card_sections(site, _imp(site.register)) == ""


def test_card_section_explains_in_the_site_language_and_escapes(make_project: MakeProject) -> None:
    files = dict(FILES)
    files["content/lessons/LL-0102-x.md"] = lesson("LL-0102", date="2026-02-01", affects=["service/email"],
                                                   tags=['"<b>major</b>"'])
    files["content/improvements/IMP-0100-x.md"] = improvement(
        IMP, affects=["practice/incident-management", "service/email"], tags=['"<b>major</b>"'])
    root = make_project(files)
    site = site_of(root)
    html = lessons_kb.card_sections(site, _imp(site.register))
    assert "<b>major" not in html and "&lt;b&gt;major&lt;/b&gt;" in html
    assert site.lang == "zh"
    assert "共同点：实践「事件管理」、服务「电子邮件」" in html  # LL-0103: practice first (heavier), then service
    assert 'data-score="5"' in html and "相关度 5" in html
    # the section is part of the improvement's card in the site tree
    result_site = site_of(root)
    tree = build_tree(result_site.register, result_site.project, epoch=0)
    card = tree.pages[_imp(result_site.register).src_uri].card
    assert "cir-related-lessons" in card and card.endswith("</div>")


def test_lesson_card_links_into_the_knowledge_base(make_project: MakeProject) -> None:
    site = site_of(make_project(FILES))
    record = site.register.get("LL-0103")
    assert record is not None
    links = targets(site, record.src_uri, lessons_kb.card_sections(site, record))
    assert {"knowledge/kind/failure/", "knowledge/reports/2025-Q2/"} <= links


def test_english_site_explains_in_english(make_project: MakeProject) -> None:
    root = make_project(FILES)
    portal = root / "site_config" / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8").replace("language: zh", "language: en"), encoding="utf-8")
    site = site_of(root)
    html = lessons_kb.card_sections(site, _imp(site.register))
    assert "shares practice “Incident management”, service “Email”" in html
