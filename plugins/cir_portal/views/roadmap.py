"""The roadmap: what lands when, as pages of bars on a time axis.

Every improvement in an approved-or-later, non-final status (approved, planned, in progress,
evaluating in the default workflow: the statuses that require ``approved_by`` or
``approved_on``) that has a ``target_date`` is a bar from its start (the date it was
approved, from ``history``, else ``approved_on``, else ``raised``) to its target date. A
today line marks the site's as-of date (from the content, never the clock); a bar whose
target date has passed is marked overdue. Parts (``part_of``) are nested under their
initiative when the initiative is on the roadmap too.

Three groupings, each its own page so that a page only holds one of them: by objective
(``roadmap/``), by practice and by team; links styled as tabs switch between them (they
work without JavaScript and with instant navigation). A record that serves two objectives
is a bar in both groups. Each group is a collapsible section with its own axis and a table
as its text alternative. A large register stays readable and light: a grouping page shows
at most ``GROUP_ROWS`` rows of a group (soonest target first) and links the group's own
pages, ``PAGE_ROWS`` rows each.

Bars and labels are HTML links laid out with CSS percentages (no SVG links: they break
Material's instant navigation, see ``trace``), so they scale with the page, print, and need
no script.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from typing import Any

from cir_portal.core.i18n import register_strings
from cir_portal.core.model import Improvement
from cir_portal.views.context import ASSET_DIR, Site, asset_bytes
from cir_portal.views.markup import esc, link, slug, table
from cir_portal.views.page import Page

ROADMAP_PAGE = "roadmap/index.md"
GROUPINGS = ("objective", "practice", "team")
GROUPING_PAGES = {"objective": ROADMAP_PAGE, "practice": "roadmap/practice.md", "team": "roadmap/team.md"}
#: top-level rows (an initiative counts once, with its parts) of a group on a grouping page
GROUP_ROWS = 20
#: top-level rows on each page of a group's own pages
PAGE_ROWS = 100
#: the default workflow's roadmap statuses, used when no status requires an approval
DEFAULT_STATUSES = ("approved", "planned", "in_progress", "evaluating")
NONE_KEY = "-"
CSS_FILE = f"{ASSET_DIR}/planning.css"

register_strings({
    "rm_roadmap": {"en": "Roadmap", "zh": "路线图"},
    "rm_intro": {"en": "{n} improvements are on the way ({statuses}, with a target date); {overdue} of them are overdue. "
                       "Each bar runs from the approval (the history entry, else approved_on, else the date raised) "
                       "to the target date; the vertical line is {as_of}, the date of the register's content. "
                       "Parts of an initiative are nested under it.",
                 "zh": "共 {n} 项改进在推进中（{statuses}，且有目标日期），其中 {overdue} 项已逾期。"
                       "每根横条从批准日期（取自历史记录，其次 approved_on，再次提出日期）延伸到目标日期；"
                       "竖线是 {as_of}，即登记册内容的日期。举措的组成部分缩进列在举措之下。"},
    "rm_group_by": {"en": "Group by", "zh": "分组方式"},
    "rm_by_objective": {"en": "Objective", "zh": "目标"},
    "rm_by_practice": {"en": "Practice", "zh": "实践"},
    "rm_by_team": {"en": "Team", "zh": "团队"},
    "rm_no_objective": {"en": "No objective", "zh": "无目标"},
    "rm_no_practice": {"en": "No practice", "zh": "无实践"},
    "rm_no_team": {"en": "No team (owner without a team)", "zh": "无团队（负责人无所属团队）"},
    "rm_overdue": {"en": "overdue", "zh": "已逾期"},
    "rm_overdue_n": {"en": "{n} overdue", "zh": "{n} 项逾期"},
    "rm_today": {"en": "as of {date}", "zh": "截至 {date}"},
    "rm_empty": {"en": "Nothing is on the roadmap yet: an improvement appears here once it is approved and has a target date.",
                 "zh": "路线图暂无内容：改进获得批准并设定目标日期后会显示在这里。"},
    "rm_table": {"en": "Table of this group ({n})", "zh": "本组表格（{n} 项）"},
    "rm_start": {"en": "Start", "zh": "开始"},
    "rm_start_approved": {"en": "approved (history)", "zh": "批准（历史记录）"},
    "rm_start_approved_on": {"en": "approved_on", "zh": "approved_on"},
    "rm_start_raised": {"en": "raised", "zh": "提出日期"},
    "rm_all_in_group": {"en": "Showing {shown} of {n} rows of this group, soonest target first: all of them",
                        "zh": "显示本组 {n} 行中的 {shown} 行（目标日期最近的在前）：查看全部"},
    "rm_group_page": {"en": "Roadmap: {group}", "zh": "路线图：{group}"},
    "rm_page_of": {"en": "page {page} of {pages}", "zh": "第 {page} / {pages} 页"},
    "rm_back": {"en": "All groups", "zh": "全部分组"},
    "rm_legend": {"en": "Colours", "zh": "颜色"},
    "rm_records": {"en": "{n} improvements", "zh": "{n} 项改进"},
    "rm_scale": {"en": "Time axis", "zh": "时间轴"},
})


@dataclass(frozen=True)
class Item:
    """One bar: the record, where its bar starts (and why there), its target, whether it is overdue."""

    imp: Improvement
    start: str
    start_from: str  # approved | approved_on | raised
    target: str
    overdue: bool


@dataclass
class Row:
    """A bar with the bars of its parts nested under it."""

    item: Item
    parts: list[Row]

    def count(self) -> int:
        return 1 + sum(p.count() for p in self.parts)

    def walk(self, depth: int = 0) -> Iterable[tuple[Row, int]]:
        yield self, depth
        for part in self.parts:
            yield from part.walk(depth + 1)

    def signature(self) -> tuple[Any, ...]:
        """What the row shows besides its records' content: its bars' dates and its nesting."""
        item = self.item
        return (item.imp.id, item.start, item.start_from, item.target, item.overdue,
                tuple(p.signature() for p in self.parts))

    def ids(self) -> list[str]:
        return [row.item.imp.id for row, _ in self.walk()]


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    heading_html: str  # the label, linked to its page where there is one
    rows: list[Row]

    # (counted once: a large group's pages each show its counts)
    @cached_property
    def count(self) -> int:
        return sum(r.count() for r in self.rows)

    @cached_property
    def overdue(self) -> int:
        return sum(1 for r in self.rows for row, _ in r.walk() if row.item.overdue)


@dataclass(frozen=True)
class Axis:
    """The time axis shared by every group: first and last day and the ticks between."""

    start: date
    end: date
    ticks: tuple[tuple[date, str], ...]
    label_every: int

    def frac(self, day: str | date) -> float:
        d = date.fromisoformat(day) if isinstance(day, str) else day
        span = (self.end - self.start).days or 1
        return min(max((d - self.start).days / span, 0.0), 1.0)


# --- data

def roadmap_statuses(site: Site) -> list[str]:
    """Non-final statuses that require an approval (approved and later), in workflow order."""
    wf = site.config.workflow
    found = [k for k, s in wf.statuses.items() if not s.terminal
             and any(r in ("approved_by", "approved_on") for r in s.requires)]
    return found or [k for k in DEFAULT_STATUSES if k in wf.statuses]


def _approving(site: Site) -> set[str]:
    return {k for k, s in site.config.workflow.statuses.items() if any(r in ("approved_by", "approved_on") for r in s.requires)}


def start_of(imp: Improvement, approving: set[str]) -> tuple[str, str]:
    """The bar's first day and where it comes from: the first history entry in an approved (or
    later) status, else ``approved_on``, else ``raised``."""
    for entry in imp.history:
        if entry.status in approving:
            return entry.date, "approved"
    if imp.approved_on:
        return imp.approved_on, "approved_on"
    return imp.raised, "raised"


def items(site: Site) -> list[Item]:
    """Every improvement on the roadmap, by target date then id."""
    statuses = set(roadmap_statuses(site))
    approving = _approving(site)
    out = []
    for imp in site.register.improvements:
        target = imp.target_date
        if imp.status not in statuses or not target:
            continue
        start, start_from = start_of(imp, approving)
        out.append(Item(imp, start, start_from, target, target < site.as_of))
    return sorted(out, key=lambda i: (i.target, i.imp.id))


def rows(found: list[Item]) -> list[Row]:
    """Top-level rows: parts nest under their initiative when it is on the roadmap too."""
    by_id = {i.imp.id: Row(i, []) for i in found}

    def nests(item: Item) -> bool:
        # a loop of part_of (an error, so never in a valid register) keeps its rows at the top
        seen, node = {item.imp.id}, item.imp.part_of
        while node in by_id:
            if node in seen:
                return False
            seen.add(node)
            node = by_id[node].item.imp.part_of
        return item.imp.part_of in by_id

    top = []
    for item in found:
        parent = item.imp.part_of
        if parent is not None and nests(item):
            by_id[parent].parts.append(by_id[item.imp.id])
        else:
            top.append(by_id[item.imp.id])
    return top


def group_keys(site: Site, imp: Improvement, grouping: str) -> list[str]:
    if grouping == "objective":
        keys = [o for o in imp.objectives if site.register.get(o) is not None]
    elif grouping == "practice":
        keys = [a.partition("/")[2] for a in imp.affects if a.startswith("practice/")]
    else:
        team = site.team_of(imp.owner)
        keys = [team] if team else []
    return list(dict.fromkeys(keys)) or [NONE_KEY]


def groups(site: Site, grouping: str, top: list[Row], src: str) -> list[Group]:
    """The groups of a grouping, in a stable order (ids, labels), "none" last."""
    members: dict[str, list[Row]] = {}
    for row in top:
        for key in group_keys(site, row.item.imp, grouping):
            members.setdefault(key, []).append(row)
    out = []
    for key, found in members.items():
        out.append(Group(key, group_label(site, grouping, key), group_heading(site, grouping, key, src), found))
    out.sort(key=lambda g: (g.key == NONE_KEY, g.key if grouping == "objective" else g.label, g.key))
    return out


def group_label(site: Site, grouping: str, key: str) -> str:
    if key == NONE_KEY:
        return site.t(f"rm_no_{grouping}")
    if grouping == "objective":
        record = site.register.get(key)
        return f"{key} {record.title}" if record else key
    if grouping == "practice":
        return site.label("practices", key)
    return site.team_name(key)


def group_heading(site: Site, grouping: str, key: str, src: str) -> str:
    if key == NONE_KEY:
        return esc(site.t(f"rm_no_{grouping}"))
    if grouping == "objective":
        return site.record_link(src, key)
    if grouping == "practice":
        return site.affects_link(src, f"practice/{key}")
    return site.team_link(src, key) if key in site.config.teams else esc(key)


def make_axis(site: Site, found: list[Item]) -> Axis:
    """From the earliest start to the latest target (or the as-of date), on month, quarter or year ticks."""
    days = [date.fromisoformat(d) for i in found for d in (i.start, i.target)] + [date.fromisoformat(site.as_of)]
    first, last = min(days), max(days)
    span = (last - first).days
    step = 1 if span <= 550 else 3 if span <= 1500 else 12
    start = date(first.year, ((first.month - 1) // step) * step + 1, 1)
    ticks: list[tuple[date, str]] = []
    tick = start
    while True:
        if step == 1:
            label = f"{tick.year}-{tick.month:02d}"
        elif step == 3:
            label = f"{tick.year} Q{(tick.month - 1) // 3 + 1}"
        else:
            label = str(tick.year)
        ticks.append((tick, label))
        if tick > last:
            break
        month = tick.month - 1 + step
        tick = date(tick.year + month // 12, month % 12 + 1, 1)
    end = ticks[-1][0]
    return Axis(start, end, tuple(ticks[:-1]), max(1, -(-len(ticks) // 12)))


# --- rendering

def _pct(x: float) -> str:
    return f"{x * 100:.3f}%"


def axis_html(site: Site, axis: Axis) -> str:
    """The axis row of a group: tick labels and the as-of marker (sticky while the group scrolls)."""
    now = axis.frac(site.as_of)
    # no tick label under the as-of label (about 16 % of the track wide, centred on the line)
    ticks = "".join(f'<span class="cir-rm-tick" style="left:{_pct(axis.frac(d))}">{esc(label)}</span>'
                    for n, (d, label) in enumerate(axis.ticks)
                    if n % axis.label_every == 0 and not now - 0.16 < axis.frac(d) < now + 0.08)
    today = (f'<span class="cir-rm-today-label" style="left:{_pct(now)}">'
             f'{esc(site.t("rm_today", date=site.as_of))}</span>')
    return (f'<div class="cir-rm-axis" aria-hidden="true"><span class="cir-rm-label">{esc(site.t("rm_scale"))}</span>'
            f'<span class="cir-rm-track">{ticks}{today}</span></div>')


def lines_html(site: Site, axis: Axis) -> str:
    """Grid lines at the ticks and the today line, over the tracks of a group's rows."""
    grid = "".join(f'<span class="cir-rm-grid" style="--x:{axis.frac(d):.5f}"></span>' for d, _ in axis.ticks)
    return (f'<div class="cir-rm-lines" aria-hidden="true">{grid}'
            f'<span class="cir-rm-today" data-date="{esc(site.as_of)}" style="--x:{axis.frac(site.as_of):.5f}"></span></div>')


def row_html(site: Site, src: str, axis: Axis, row: Row, depth: int = 0) -> str:
    t, item = site.t, row.item
    imp = item.imp
    left = axis.frac(min(item.start, item.target))
    width = max(axis.frac(item.target) - left, 0.0)
    status = site.status_label(imp.status)
    flag = f' <span class="cir-badge cir-rm-flag">{esc(t("rm_overdue"))}</span>' if item.overdue else ""
    tip = f"{imp.id} {imp.title} · {status} · {item.start} → {item.target}" + (f" · {t('rm_overdue')}" if item.overdue else "")
    overrun = ""
    if item.overdue:
        end = axis.frac(site.as_of)
        overrun = f'<span class="cir-rm-overrun" style="left:{_pct(axis.frac(item.target))};width:{_pct(max(end - axis.frac(item.target), 0))}"></span>'
    cls = "cir-rm-row" + (" cir-rm-row--overdue" if item.overdue else "") + (" cir-rm-row--part" if depth else "")
    parts = ""
    if row.parts:
        parts = '<ol class="cir-rm-rows cir-rm-parts">' + "".join(row_html(site, src, axis, p, depth + 1) for p in row.parts) + "</ol>"
    return (f'<li class="cir-rm-item"><a class="{cls}" href="{esc(site.href(src, imp.src_uri))}" data-id="{esc(imp.id)}" '
            f'data-start="{esc(item.start)}" data-target="{esc(item.target)}" title="{esc(tip)}" style="--depth:{min(depth, 3)}">'
            f'<span class="cir-rm-label"><span class="cir-rm-id">{esc(imp.id)}</span> {esc(imp.title)}{flag}</span>'
            f'<span class="cir-rm-track">{overrun}<span class="cir-rm-bar cir-status--{esc(imp.status)}" '
            f'style="left:{_pct(left)};width:{_pct(width)}"><span class="cir-rm-dates">{esc(item.start)} → {esc(item.target)}</span>'
            f'<span class="cir-rm-sr"> · {esc(status)}</span></span></span></a>{parts}</li>')


def table_rows(site: Site, src: str, top: Row) -> list[list[str]]:
    """The table rows of a top-level bar and its parts."""
    t = site.t
    body = []
    for row, depth in top.walk():
        item, imp = row.item, row.item.imp
        body.append([("↳ " * depth) + site.record_link(src, imp.id, with_title=False), esc(imp.title),
                     site.status_badge(imp.status), site.person_link(src, imp.owner),
                     f'{esc(item.start)} <small>({esc(t("rm_start_" + item.start_from))})</small>',
                     esc(item.target), esc(t("rm_overdue")) if item.overdue else "",
                     site.record_link(src, imp.part_of, with_title=False) if imp.part_of else ""])
    return body


def table_html(site: Site, src: str, group_rows: list[Row]) -> str:
    """The group's bars as a table (the text alternative)."""
    t = site.t
    body = [cells for top in group_rows
            for cells in site.memo(("roadmap.table", src, top.signature()), partial(table_rows, site, src, top),
                                   top.ids())]
    n = sum(r.count() for r in group_rows)
    return (f'<details class="cir-rm-table"><summary>{esc(t("rm_table", n=n))}</summary>'
            + table([t("id"), t("title"), t("status"), t("owner"), t("rm_start"), t("target_date"), t("rm_overdue"),
                     t("part_of")], body) + "</details>")


def group_html(site: Site, src: str, axis: Axis, group: Group, shown: list[Row], more: str = "",
               heading_html: str | None = None) -> str:
    """A group's section (``heading_html``: the group's linked name as this page writes it, if
    not the grouping page's); in the live preview made again only when one of its bars changed
    (a large register's roadmap pages are hundreds of groups, most of them as they were)."""
    heading_html = group.heading_html if heading_html is None else heading_html
    make = partial(_group_html, site, src, axis, group, shown, more, heading_html)
    if site.memos is None or site.reads is None:  # a single build: nothing is kept, no key needed
        return make()
    key = ("roadmap.group", src, axis, group.key, group.label, heading_html, group.count, group.overdue, more,
           tuple(r.signature() for r in shown))
    return site.memo(key, make, [rid for r in shown for rid in r.ids()])


def _group_html(site: Site, src: str, axis: Axis, group: Group, shown: list[Row], more: str, heading_html: str) -> str:
    t = site.t
    overdue = f' <span class="cir-badge cir-rm-flag">{esc(t("rm_overdue_n", n=group.overdue))}</span>' if group.overdue else ""
    # each bar made once while its records and dates stay as they are (live preview, Site.memo)
    body = "".join(site.memo(("roadmap.row", src, axis, r.signature()), partial(row_html, site, src, axis, r), r.ids())
                   for r in shown)
    # A link inside <summary> is a control inside a control (the keyboard and screen readers reach
    # only one of them): the summary names the group, the link to its page opens the body.
    linked = f'<p class="cir-rm-group__link">{heading_html}</p>' if "<a " in heading_html else ""
    return (f'<details class="cir-rm-group" open data-group="{esc(group.key)}">'
            f'<summary><span class="cir-rm-group__name">{esc(group.label)}</span> '
            f'<span class="cir-n">{group.count}</span>{overdue}</summary>'
            f'<div class="cir-rm-group__body">{linked}{axis_html(site, axis)}<div class="cir-rm-chart">{lines_html(site, axis)}'
            f'<ol class="cir-rm-rows">{body}</ol></div>{more}{table_html(site, src, shown)}</div></details>')


def tabs_html(site: Site, src: str, current: str) -> str:
    t = site.t
    links = []
    for g in GROUPINGS:
        label = esc(t(f"rm_by_{g}"))
        if g == current:
            links.append(f'<a class="cir-rm-tab cir-rm-tab--current" aria-current="page" href="{esc(site.href(src, GROUPING_PAGES[g]))}">{label}</a>')
        else:
            links.append(f'<a class="cir-rm-tab" href="{esc(site.href(src, GROUPING_PAGES[g]))}">{label}</a>')
    return f'<nav class="cir-rm-tabs" aria-label="{esc(t("rm_group_by"))}"><span>{esc(t("rm_group_by"))}:</span> {"".join(links)}</nav>'


def legend_html(site: Site, found: list[Item]) -> str:
    used = {i.imp.status for i in found}
    badges = " ".join(site.status_badge(k) for k in site.config.workflow.order if k in used)
    overdue = f'<span class="cir-rm-legend-overdue">{esc(site.t("rm_overdue"))}</span>'
    return f'<p class="cir-rm-legend">{esc(site.t("rm_legend"))}: {badges} {overdue}</p>'


#: Page settings: no table of contents (the groups are the page), and out of the search index
#: (every bar repeats what the record's own page says).
META = {"hide": ["toc"], "search": {"exclude": True}}


def group_src(grouping: str, key: str, page: int = 1) -> str:
    name = slug(key) if key != NONE_KEY else "none"
    return f"roadmap/{grouping}/{name}" + (f"-{page}" if page > 1 else "") + ".md"


def grouping_page(site: Site, grouping: str, found: list[Item], axis: Axis, top: list[Row], legend: str) -> Page:
    t, src = site.t, GROUPING_PAGES[grouping]
    overdue = sum(1 for i in found if i.overdue)
    statuses = ", ".join(site.status_label(k) for k in roadmap_statuses(site))
    intro = t("rm_intro", n=len(found), statuses=statuses, overdue=overdue, as_of=site.as_of)
    head = (f"<h1>{esc(t('rm_roadmap'))}</h1>\n\n"
            f'<div class="cir-roadmap" data-grouping="{grouping}" data-as-of="{esc(site.as_of)}">'
            f'{tabs_html(site, src, grouping)}<p class="cir-intro">{esc(intro)}</p>')
    if not found:
        return Page(src, t("rm_roadmap"), head + f"<p>{esc(t('rm_empty'))}</p></div>\n", meta=META)
    sections = []
    for group in groups(site, grouping, top, src):
        shown, more = group.rows, ""
        if len(group.rows) > GROUP_ROWS:
            shown = group.rows[:GROUP_ROWS]
            more = (f'<p class="cir-rm-more">{esc(t("rm_all_in_group", shown=len(shown), n=len(group.rows)))} '
                    f'{link(site.href(src, group_src(grouping, group.key)), "→ " + group.label)}</p>')
        sections.append(group_html(site, src, axis, group, shown, more))
    return Page(src, t("rm_roadmap"), head + legend + "".join(sections) + "</div>\n", meta=META)


def group_pages(site: Site, grouping: str, axis: Axis, top: list[Row], legend: str) -> list[Page]:
    """A group's own pages when it has more rows than a grouping page shows, PAGE_ROWS each."""
    t = site.t
    out = []
    for group in groups(site, grouping, top, GROUPING_PAGES[grouping]):
        if len(group.rows) <= GROUP_ROWS:
            continue
        pages = -(-len(group.rows) // PAGE_ROWS)
        for page in range(1, pages + 1):
            src = group_src(grouping, group.key, page)
            shown = group.rows[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
            pager = [link(site.href(src, GROUPING_PAGES[grouping]), "← " + t("rm_back"))]
            if page > 1:
                pager.append(link(site.href(src, group_src(grouping, group.key, page - 1)), f"← {t('prev')}"))
            pager.append(esc(t("rm_page_of", page=page, pages=pages)))
            if page < pages:
                pager.append(link(site.href(src, group_src(grouping, group.key, page + 1)), f"{t('next')} →"))
            nav = f'<nav class="cir-rm-pager">{" · ".join(pager)}</nav>'
            title = t("rm_group_page", group=group.label)
            section = group_html(site, src, axis, group, shown, heading_html=group_heading(site, grouping, group.key, src))
            out.append(Page(src, title, f"<h1>{esc(title)}</h1>\n\n"
                            f'<div class="cir-roadmap" data-grouping="{grouping}" data-as-of="{esc(site.as_of)}">'
                            f"{nav}{legend}{section}{nav}</div>\n", meta=META))
    return out


def pages(site: Site) -> list[Page]:
    found = items(site)
    top = rows(found)
    axis = make_axis(site, found)
    legend = legend_html(site, found)
    out: list[Page] = []
    for grouping in GROUPINGS:
        out.append(grouping_page(site, grouping, found, axis, top, legend))
        out.extend(group_pages(site, grouping, axis, top, legend))
    return out


def files(site: Site, site_url: str = "") -> dict[str, bytes]:
    """The stylesheet of the roadmap, the trace diagrams and the initiatives (linked on every page)."""
    return {CSS_FILE: asset_bytes("planning.css")}
