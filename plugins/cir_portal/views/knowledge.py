"""The lessons-learned knowledge base: lessons by kind, practice, service, tag and year,
a lessons report per quarter, and "related lessons" on every improvement's card.

The pages live under ``knowledge/`` (``content/lessons/`` holds the records themselves).
Presentation is blameless: lessons are grouped by what they are about and when they were
captured, never by who wrote them, and no page lists authors next to failures.
"""

from __future__ import annotations

import heapq
import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from cir_portal.core.deps import TrackedIndex, TrackedList, TrackedRegister, list_key
from cir_portal.core.i18n import register_strings
from cir_portal.core.model import Improvement, Lesson, Record, Register
from cir_portal.views.context import ASSET_DIR, Site, asset_bytes
from cir_portal.views.markup import badge, esc, link, table
from cir_portal.views.page import Page

KB_DIR = "knowledge"
KB_PAGE = f"{KB_DIR}/index.md"
KINDS = ("success", "failure", "observation")
#: affects kinds that have their own knowledge-base pages, and their folder under knowledge/
KB_AFFECTS = {"practice": "practice", "service": "service"}
#: how much one shared item weighs when ranking related lessons
WEIGHTS = {"practice": 3, "service": 2, "value_stream": 2, "product": 2, "tag": 1}
RELATED_LIMIT = 5
LATEST_ON_INDEX = 20

register_strings({
    "kb_title": {"en": "Lessons learned", "zh": "经验教训知识库"},
    "kb_intro": {"en": "What past initiatives learned, whatever their outcome, for the next similar initiative to reuse. "
                       "Lessons are blameless: they are grouped by what they are about and when, never by who wrote them.",
                 "zh": "以往改进倡议（无论结果如何）学到的经验，供今后类似的倡议复用。经验教训不追究个人责任："
                       "按内容和时间归类，从不按作者归类。"},
    "kb_by_kind": {"en": "By kind", "zh": "按类型"},
    "kb_by_practice": {"en": "By practice", "zh": "按实践"},
    "kb_by_service": {"en": "By service", "zh": "按服务"},
    "kb_by_tag": {"en": "By tag", "zh": "按标签"},
    "kb_by_year": {"en": "By year", "zh": "按年份"},
    "kb_reports": {"en": "Quarterly lessons reports", "zh": "季度经验教训报告"},
    "kb_latest": {"en": "Latest lessons", "zh": "最新经验教训"},
    "kb_all_in_years": {"en": "Every lesson is listed on its year's page.", "zh": "全部经验教训按年份列出。"},
    "kb_kind_title": {"en": "Lessons: {kind}", "zh": "经验教训：{kind}"},
    "kb_year_title": {"en": "Lessons of {year}", "zh": "{year} 年的经验教训"},
    "kb_report_title": {"en": "Lessons report {year} Q{quarter}", "zh": "{year} 年第 {quarter} 季度经验教训报告"},
    "kb_report_period": {"en": "Lessons captured from {start} to {end}.", "zh": "{start} 至 {end} 期间记录的经验教训。"},
    "kb_report_none": {"en": "No lessons of this kind in the quarter.", "zh": "本季度没有此类经验教训。"},
    "kb_previous": {"en": "Previous quarter", "zh": "上一季度"},
    "kb_next": {"en": "Next quarter", "zh": "下一季度"},
    "kb_about": {"en": "About", "zh": "涉及"},
    "kb_in_kb": {"en": "In the knowledge base", "zh": "知识库"},
    "kb_related": {"en": "Related lessons from other initiatives", "zh": "其他倡议的相关经验教训"},
    "kb_related_intro": {"en": "Lessons of initiatives that touched the same practices, services or tags, most related first "
                               "(shared practice 3, service, product or value stream 2, tag 1).",
                         "zh": "涉及相同实践、服务或标签的其他倡议的经验教训，按相关度排序"
                               "（共同实践 3 分，服务、产品或价值流 2 分，标签 1 分）。"},
    "kb_shares": {"en": "shares {items}", "zh": "共同点：{items}"},
    "kb_score": {"en": "score", "zh": "相关度"},
    "kb_item_practice": {"en": "practice", "zh": "实践"},
    "kb_item_service": {"en": "service", "zh": "服务"},
    "kb_item_product": {"en": "product", "zh": "产品"},
    "kb_item_value_stream": {"en": "value stream", "zh": "价值流"},
    "kb_item_tag": {"en": "tag", "zh": "标签"},
})


# --- what a lesson is about

def lesson_improvements(register: Register, lesson: Lesson) -> list[Improvement]:
    """The improvements a lesson came from (its own list and the improvements that list it)."""
    ids = dict.fromkeys([*lesson.improvements, *(i.id for i in register.improvements_by_lesson.get(lesson.id, []))])
    return [r for r in (register.get(i) for i in ids) if isinstance(r, Improvement)]


def lesson_affects(register: Register, lesson: Lesson) -> list[str]:
    """A lesson's own ``affects`` and those of its improvements, in first-seen order."""
    items = [*lesson.affects, *(a for imp in lesson_improvements(register, lesson) for a in imp.affects)]
    return list(dict.fromkeys(items))


def _features(affects: Iterable[str], tags: Iterable[str]) -> frozenset[str]:
    return frozenset([*affects, *(f"tag/{t}" for t in tags)])


def lesson_features(register: Register, lesson: Lesson) -> frozenset[str]:
    """What a lesson is about: its affects and tags and those of the initiatives it came from."""
    imps = lesson_improvements(register, lesson)
    return _features(lesson_affects(register, lesson), [*lesson.tags, *(t for i in imps for t in i.tags)])


def improvement_features(imp: Improvement) -> frozenset[str]:
    return _features(imp.affects, imp.tags)


def weight(feature: str) -> int:
    return WEIGHTS.get(feature.partition("/")[0], 1)


# --- related lessons

@dataclass(frozen=True)
class RelatedLesson:
    """A lesson related to an improvement: its score and the shared items that explain it."""

    lesson: Lesson
    score: int
    shared: tuple[str, ...]  # "practice/incident-management", "tag/重大事件", heaviest first

    @property
    def explanation(self) -> str:
        return "shares " + ", ".join(self.shared)


class RelatedIndex:
    """Lessons by the items they are about, to rank related lessons without comparing every pair."""

    def __init__(self, register: Register) -> None:
        self.register_ref = weakref.ref(register)  # not a strong reference: the cache must not keep registers alive
        self.lessons_by_improvement = register.lessons_by_improvement
        self.lessons: dict[str, Lesson] = {lesson.id: lesson for lesson in register.lessons}
        self.features: dict[str, frozenset[str]] = {}
        self.by_feature: dict[str, list[str]] = defaultdict(list)
        #: what orders lessons of the same score (the live preview tracks it lesson by lesson)
        self.dates: dict[str, str] = {lesson.id: str(lesson.date or "") for lesson in register.lessons}
        for lesson in register.lessons:
            self.features[lesson.id] = lesson_features(register, lesson)
            for feature in self.features[lesson.id]:
                self.by_feature[feature].append(lesson.id)
        # the tie-break order: newest first, then by id
        order = sorted(self.lessons)
        order.sort(key=self.dates.__getitem__, reverse=True)
        self.rank = {lid: n for n, lid in enumerate(order)}

    def own_lessons(self, imp: Improvement) -> set[str]:
        return {lesson.id for lesson in self.lessons_by_improvement.get(imp.id, [])} | set(imp.lessons)

    def related(self, imp: Improvement, limit: int = RELATED_LIMIT) -> list[RelatedLesson]:
        """Lessons of other initiatives sharing practices, services, products, value streams or tags.

        Score: the sum of the weights of the shared items (``WEIGHTS``); ties go to the more
        recent lesson, then the smaller id. The improvement's own lessons are left out.
        """
        features = improvement_features(imp)
        scores: dict[str, int] = {}
        for feature in features:
            w = weight(feature)
            for lid in self.by_feature.get(feature, ()):
                scores[lid] = scores.get(lid, 0) + w
        for lid in self.own_lessons(imp):
            scores.pop(lid, None)
        dates = self.dates
        for lid in scores:
            dates[lid]  # which come first depends on every candidate's date (a read, in the live preview)
        top = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], self.rank[item[0]]))
        register = self.register_ref()
        out = []
        for lid, score in top:
            # The lessons shown are read from the register (their content is on the card), not the
            # others: a lesson edited without another date or other items changes only the cards showing it.
            lesson = register.get(lid) if register is not None else None
            out.append(RelatedLesson(lesson if isinstance(lesson, Lesson) else self.lessons[lid], score,
                                     tuple(sorted(features & self.features[lid], key=lambda f: (-weight(f), f)))))
        return out


_INDEXES: dict[int, RelatedIndex] = {}


def related_index(register: Register) -> RelatedIndex:
    """The related-lessons index of a register, built once per register object."""
    index = _INDEXES.get(id(register))
    if index is None or index.register_ref() is not register:
        index = _INDEXES[id(register)] = RelatedIndex(register)
        weakref.finalize(register, _INDEXES.pop, id(register), None)
    return index


def related_lessons(register: Register, imp: Improvement, limit: int = RELATED_LIMIT) -> list[RelatedLesson]:
    return related_index(register).related(imp, limit)


def feature_label(site: Site, feature: str) -> str:
    """``practice/incident-management`` as a reader sees it: ``实践「事件管理」``."""
    kind, _, key = feature.partition("/")
    text = key if kind == "tag" else site.affects_label(feature)
    word = site.t(f"kb_item_{kind}")
    return f"{word}「{text}」" if site.lang == "zh" else f"{word} “{text}”"


# --- card sections

def card_sections(site: Site, record: Record) -> str:
    """Related lessons on an improvement's card; where a lesson sits in the knowledge base on its own."""
    if isinstance(record, Improvement):
        return related_section(site, record)
    if isinstance(record, Lesson):
        return _lesson_places(site, record)
    return ""


def related_section(site: Site, imp: Improvement) -> str:
    t, src = site.t, imp.src_uri
    related = related_lessons(site.register, imp)
    if not related:
        return ""
    items = []
    for r in related:
        reasons = ("、" if site.lang == "zh" else ", ").join(feature_label(site, f) for f in r.shared)
        items.append(f'<li data-score="{r.score}">{site.record_link(src, r.lesson.id)} {_kind_badge(site, r.lesson)}'
                     f' <small>{esc(r.lesson.date)}</small><br>'
                     f'<small class="cir-related__why" title="{esc(r.explanation)}">{esc(t("kb_shares", items=reasons))}'
                     f' · {esc(t("kb_score"))} {r.score}</small></li>')
    return (f'<section class="cir-section cir-related-lessons"><h2>{esc(t("kb_related"))}</h2>'
            f'<p class="cir-hint">{esc(t("kb_related_intro"))}</p><ol>{"".join(items)}</ol></section>')


def _lesson_places(site: Site, lesson: Lesson) -> str:
    src = lesson.src_uri
    links = []
    kind = lesson.lesson_kind
    if kind in KINDS:
        links.append(link(site.href(src, kind_page(kind)), site.t("kb_kind_title", kind=site.word(kind))))
    quarter = quarter_of(lesson)
    if quarter:
        links.append(link(site.href(src, report_page(*quarter)),
                          site.t("kb_report_title", year=quarter[0], quarter=quarter[1])))
    if not links:
        return ""
    return (f'<section class="cir-section cir-kb-places"><h2>{esc(site.t("kb_in_kb"))}</h2>'
            f'<p>{" · ".join(links)}</p></section>')


# --- pages

def kind_page(kind: str) -> str:
    return f"{KB_DIR}/kind/{kind}.md"


def affects_page(item: str) -> str | None:
    kind, _, key = item.partition("/")
    folder = KB_AFFECTS.get(kind)
    return f"{KB_DIR}/{folder}/{key}.md" if folder else None


def tag_page(site: Site, tag: str) -> str:
    return f"{KB_DIR}/tag/{site.tag_slugs[tag]}.md"


def year_page(year: str) -> str:
    return f"{KB_DIR}/year/{year}.md"


def report_page(year: str, quarter: int) -> str:
    return f"{KB_DIR}/reports/{year}-Q{quarter}.md"


def quarter_of(lesson: Lesson) -> tuple[str, int] | None:
    when = str(lesson.date or "")
    if len(when) < 7 or not when[:4].isdigit() or not when[5:7].isdigit():
        return None
    return when[:4], (int(when[5:7]) - 1) // 3 + 1


def _newest_first(lessons: Iterable[Lesson]) -> list[Lesson]:
    out = sorted(lessons, key=lambda lesson: lesson.id)
    out.sort(key=lambda lesson: str(lesson.date or ""), reverse=True)
    return out


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


def heading(text: str) -> str:
    """A Markdown level-1 heading showing ``text`` literally (Markdown escaped, then HTML escaped)."""
    return "# " + esc(_MD_SPECIAL.sub(r"\\\1", text))


def _kind_badge(site: Site, lesson: Lesson) -> str:
    kind = str(lesson.lesson_kind or "")
    return badge(site.word(kind), f"cir-kind--{kind}")


class KnowledgeBase:
    """The lessons grouped every way the knowledge base shows them."""

    def __init__(self, site: Site) -> None:
        reg = site.register
        self.site = site
        self.lessons = _newest_first(reg.lessons)
        self.by_kind: dict[str, list[Lesson]] = {k: [] for k in KINDS}
        self.by_affects: dict[str, list[Lesson]] = defaultdict(list)
        self.by_tag: dict[str, list[Lesson]] = defaultdict(list)
        self.by_year: dict[str, list[Lesson]] = defaultdict(list)
        self.by_quarter: dict[tuple[str, int], list[Lesson]] = defaultdict(list)
        self.affects: dict[str, list[str]] = {}
        for lesson in self.lessons:
            kind = str(lesson.lesson_kind or "")
            self.by_kind.setdefault(kind, []).append(lesson)
            self.affects[lesson.id] = lesson_affects(reg, lesson)
            for item in self.affects[lesson.id]:
                if affects_page(item):
                    self.by_affects[item].append(lesson)
            for tag in dict.fromkeys(lesson.tags):
                self.by_tag[tag].append(lesson)
            quarter = quarter_of(lesson)
            if quarter:
                self.by_year[quarter[0]].append(lesson)
                self.by_quarter[quarter].append(lesson)
        quarters = sorted(self.by_quarter)
        #: each quarter's report links the reports before and after it
        self.neighbours: dict[tuple[str, int], tuple[tuple[str, int] | None, tuple[str, int] | None]] = {
            q: (quarters[n - 1] if n else None, quarters[n + 1] if n + 1 < len(quarters) else None)
            for n, q in enumerate(quarters)}

    def track(self, register: TrackedRegister) -> None:
        """Live preview: the groupings become indexes compared entry by entry between two builds
        (core/deps.py), so that a page depends on the lessons it lists, not on everything the
        grouping of all lessons read (every improvement a lesson came from)."""
        reads = register.reads
        self.lessons = TrackedList(self.lessons, reads, list_key("lessons"))  # the same lessons, newest first
        for name in ("by_kind", "by_affects", "by_tag", "by_year", "by_quarter"):
            setattr(self, name, register.track(TrackedIndex(f"kb.{name}", getattr(self, name), reads, default=list)))
        self.affects = register.track(TrackedIndex("kb.affects", self.affects, reads, records_of=_nothing))
        self.neighbours = register.track(TrackedIndex("kb.neighbours", self.neighbours, reads, records_of=_nothing))

    @property
    def quarters(self) -> list[tuple[str, int]]:
        return sorted(self.by_quarter)

    def lesson_table(self, src: str, lessons: list[Lesson]) -> str:
        """Lessons with kind, date, what they are about and where they came from (no author: blameless)."""
        site, t = self.site, self.site.t
        # each row made once while what it shows stays as it is (live preview, Site.memo)
        rows = [site.memo(("kb.row", src, lesson.id), partial(self.lesson_row, src, lesson), [lesson.id])
                for lesson in lessons]
        return table([t("id"), t("title"), t("kind"), t("date"), t("kb_about"), t("improvements")], rows,
                     "cir-table cir-lessons")

    def lesson_row(self, src: str, lesson: Lesson) -> list[str]:
        site = self.site
        about = ", ".join(self.about_link(src, item) for item in self.affects[lesson.id])
        tags = " ".join(link(site.href(src, tag_page(site, tag)), tag, "cir-tag") for tag in dict.fromkeys(lesson.tags))
        imps = "<br>".join(site.record_link(src, i.id) for i in lesson_improvements(site.register, lesson))
        return [site.record_link(src, lesson.id, with_title=False), esc(lesson.title), _kind_badge(site, lesson),
                esc(lesson.date), about + (f"<br>{tags}" if tags else ""), imps]

    def about_link(self, src: str, item: str) -> str:
        page = affects_page(item)
        return link(self.site.href(src, page), self.site.affects_label(item)) if page else esc(self.site.affects_label(item))

    def listing(self, src: str, title: str, lessons: list[Lesson], intro: str = "") -> str:
        site = self.site
        counts = Counter(str(lesson.lesson_kind) for lesson in lessons)
        summary = " ".join(f"{badge(site.word(k), f'cir-kind--{k}')} {counts[k]}" for k in KINDS if counts.get(k))
        body = self.lesson_table(src, lessons) if lessons else f"<p>{esc(site.t('none'))}</p>"
        back = link(site.href(src, KB_PAGE), site.t("kb_title"))
        return (f"{heading(title)}\n\n<p class=\"cir-kind\">{back}</p>\n"
                + (f"<p>{esc(intro)}</p>\n" if intro else "")
                + f'<div class="cir-index cir-kb"><p class="cir-summary">{summary}</p>{body}</div>\n')

    def pages(self) -> list[Page]:
        return [make() for make in self.makers().values()]

    def makers(self) -> dict[str, Callable[[], Page]]:
        """Every page of the knowledge base, each as the function that writes it."""
        site, t = self.site, self.site.t
        out: dict[str, Callable[[], Page]] = {}

        def use(src: str, title: str, write: Callable[..., str], *args: Any, listing: bool = False) -> None:
            def make() -> Page:
                # Listings repeat what the lesson pages hold: keep them out of the search index.
                return Page(src, title, write(*args), meta={"search": {"exclude": True}} if listing else {})
            out[src] = make

        def listing(src: str, title: str, lessons: list[Lesson], intro: str = "") -> None:
            use(src, title, self.listing, src, title, lessons, intro, listing=True)

        use(KB_PAGE, t("kb_title"), self.index_page)
        for kind in KINDS:
            listing(kind_page(kind), t("kb_kind_title", kind=site.word(kind)), self.by_kind[kind])
        for item, lessons in self.by_affects.items():
            page = affects_page(item)
            assert page is not None
            kind = item.partition("/")[0]
            listing(page, site.affects_label(item), lessons, f"{t('kb_title')} · {t('kb_item_' + kind)}")
        for tag, lessons in self.by_tag.items():
            listing(tag_page(site, tag), tag, lessons, f"{t('kb_title')} · {t('kb_item_tag')}")
        for year, lessons in self.by_year.items():
            listing(year_page(year), t("kb_year_title", year=year), lessons)
        for quarter in self.quarters:
            use(report_page(*quarter), t("kb_report_title", year=quarter[0], quarter=quarter[1]), self.report, quarter)
        return out

    def index_page(self) -> str:
        site, t, src = self.site, self.site.t, KB_PAGE

        def block(title: str, items: list[tuple[str, str, int]]) -> str:
            if not items:
                return ""
            lis = "".join(f'<li>{link(site.href(src, page), label)} <span class="cir-n">{n}</span></li>'
                          for page, label, n in items)
            return f'<section><h2>{esc(title)}</h2><ul class="cir-browse">{lis}</ul></section>'

        def by_affects(kind: str) -> list[tuple[str, str, int]]:
            items = [(item, lessons) for item, lessons in self.by_affects.items() if item.startswith(kind + "/")]
            items.sort(key=lambda pair: (-len(pair[1]), site.affects_label(pair[0])))
            return [(affects_page(item) or "", site.affects_label(item), len(lessons)) for item, lessons in items]

        tags = sorted(self.by_tag.items(), key=lambda pair: (-len(pair[1]), pair[0]))
        sections = [
            block(t("kb_by_kind"), [(kind_page(k), site.word(k), len(self.by_kind[k])) for k in KINDS]),
            block(t("kb_reports"), [(report_page(*q), t("kb_report_title", year=q[0], quarter=q[1]), len(self.by_quarter[q]))
                                    for q in reversed(self.quarters)]),
            block(t("kb_by_year"), [(year_page(y), y, len(self.by_year[y])) for y in sorted(self.by_year, reverse=True)]),
            block(t("kb_by_practice"), by_affects("practice")),
            block(t("kb_by_service"), by_affects("service")),
            block(t("kb_by_tag"), [(tag_page(site, tag), tag, len(lessons)) for tag, lessons in tags]),
        ]
        latest = self.lessons[:LATEST_ON_INDEX]
        latest_html = (f"<h2>{esc(t('kb_latest'))}</h2>" + self.lesson_table(src, latest)
                       + f"<p>{esc(t('kb_all_in_years'))}</p>") if latest else f"<p>{esc(t('none'))}</p>"
        return (f"{heading(t('kb_title'))}\n\n<p>{esc(t('kb_intro'))}</p>\n"
                f'<div class="cir-browse-hub cir-kb">{"".join(sections)}</div>\n'
                f'<div class="cir-index cir-kb">{latest_html}</div>\n')

    def report(self, quarter: tuple[str, int]) -> str:
        """The lessons captured in one quarter, by kind, with their recommendations."""
        site, t = self.site, self.site.t
        before, after = self.neighbours[quarter]
        year, q = quarter
        src = report_page(year, q)
        lessons = self.by_quarter[quarter]
        start_month = 3 * (q - 1) + 1
        end_day = {3: 31, 6: 30, 9: 30, 12: 31}[start_month + 2]
        period = t("kb_report_period", start=f"{year}-{start_month:02d}-01", end=f"{year}-{start_month + 2:02d}-{end_day}")
        counts = Counter(str(lesson.lesson_kind) for lesson in lessons)
        summary = " ".join(f"{badge(site.word(k), f'cir-kind--{k}')} {counts.get(k, 0)}" for k in KINDS)
        sections = []
        for kind in KINDS:
            of_kind = [lesson for lesson in lessons if lesson.lesson_kind == kind]
            items = "".join(
                f'<li>{site.record_link(src, lesson.id)} <small>{esc(lesson.date)}</small>'
                f'<br><small>{", ".join(self.about_link(src, a) for a in self.affects[lesson.id])}</small>'
                f'<blockquote class="cir-recommendation"><strong>{esc(t("recommendation"))}:</strong> '
                f'<span class="cir-text">{esc(lesson.recommendation)}</span></blockquote></li>'
                for lesson in of_kind)
            body = f'<ul class="cir-report">{items}</ul>' if items else f"<p>{esc(t('kb_report_none'))}</p>"
            sections.append(f'<section class="cir-report__kind" data-kind="{esc(kind)}">'
                            f"<h2>{esc(site.word(kind))} <span class=\"cir-n\">{len(of_kind)}</span></h2>{body}</section>")
        nav = []
        if before:
            nav.append(link(site.href(src, report_page(*before)), f"← {t('kb_previous')} ({before[0]} Q{before[1]})"))
        nav.append(link(site.href(src, KB_PAGE), t("kb_title")))
        if after:
            nav.append(link(site.href(src, report_page(*after)), f"{t('kb_next')} ({after[0]} Q{after[1]}) →"))
        return (f"{heading(t('kb_report_title', year=year, quarter=q))}\n\n"
                f'<p class="cir-kind">{" · ".join(nav)}</p>\n<p>{esc(period)} {esc(t("kb_intro"))}</p>\n'
                f'<div class="cir-kb cir-kb-report"><p class="cir-summary">{summary}</p>{"".join(sections)}</div>\n')


def knowledge_base(site: Site) -> KnowledgeBase:
    """The lessons grouped every way the knowledge base shows them, computed once per site."""
    return site.shared("knowledge-base", _knowledge_base)


def _knowledge_base(site: Site) -> KnowledgeBase:
    if site.reads is None or not isinstance(site.register, TrackedRegister):
        return KnowledgeBase(site)
    with site.reads.paused():  # what a page lists, it reads from the tracked groupings (``track``)
        kb = KnowledgeBase(site)
        kb.track(site.register)
    return kb


def _nothing(value: object) -> tuple[str, ...]:
    return ()


def pages(site: Site) -> list[Page]:
    return knowledge_base(site).pages()


def page_makers(site: Site) -> dict[str, Callable[[], Page]]:
    return knowledge_base(site).makers()


def files(site: Site, site_url: str = "") -> dict[str, bytes]:
    """The stylesheet of the knowledge base and the maturity view (linked from every page)."""
    return {f"{ASSET_DIR}/learning.css": asset_bytes("learning.css")}
