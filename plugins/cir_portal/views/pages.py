"""Generated pages: the register, the status board, browse indexes, the objectives
cascade and the governance view. Each is Markdown holding raw, escaped HTML.

The register and the board are rendered in the browser from one compact JSON index
(a page never holds thousands of rows); their filters and counts are built here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from functools import partial

from cir_portal.core.config import AFFECTS_KINDS
from cir_portal.core.model import Improvement, Record
from cir_portal.views.context import (
    ASSET_DIR,
    BOARD_PAGE,
    BROWSE_PAGE,
    CASCADE_PAGE,
    CATEGORY_FOLDERS,
    GOVERNANCE_PAGE,
    LISTING,
    REGISTER_PAGE,
    Site,
)
from cir_portal.views.markup import esc, link, table

INDEX_FILE = f"{ASSET_DIR}/register-index.json"
LEVELS = ("high", "medium", "low")


def pages(site: Site) -> dict[str, str]:
    return {src: make() for src, make in page_makers(site).items()}


def page_makers(site: Site) -> dict[str, Callable[[], str]]:
    """Every page of this module, each as the function that writes it (the live preview
    calls only those whose inputs changed: see views/preview.py)."""
    makers: dict[str, Callable[[], str]] = {
        REGISTER_PAGE: partial(register_page, site),
        BOARD_PAGE: partial(board_page, site),
        CASCADE_PAGE: partial(cascade_page, site),
        GOVERNANCE_PAGE: partial(governance_page, site),
        BROWSE_PAGE: partial(browse_page, site),
    }
    makers.update(entity_page_makers(site))
    return makers


def index_json(site: Site) -> bytes:
    """The compact index the register and board pages render from (labels included)."""
    from cir_portal.views.metrics import priority_score

    cfg = site.config
    rows = []
    for imp in site.register.improvements:
        owner = imp.owner or ""
        rows.append([imp.id, imp.title, imp.status, owner, site.team_of(owner) or "", (imp.urgency or ""),
                     (imp.cost or ""), imp.affects, (imp.source or ""), imp.tags, imp.raised, imp.status_since,
                     site.url(imp.src_uri), (imp.value or ""), bool(imp.escalated),
                     priority_score(site, imp)])
    affects_labels = {f"{kind}/{key}": entry.name.text(site.lang)
                      for kind, category in AFFECTS_KINDS.items() for key, entry in cfg.taxonomy.get(category, {}).items()}
    data = {
        "columns": ["id", "title", "status", "owner", "team", "urgency", "cost", "affects", "source", "tags",
                    "raised", "since", "url", "value", "escalated", "priority"],
        "rows": rows,
        "labels": {
            "status": {k: s.label.text(site.lang) for k, s in cfg.workflow.statuses.items()},
            "people": {k: p.name.text(site.lang) for k, p in cfg.people.items()},
            "teams": {k: t.name.text(site.lang) for k, t in cfg.teams.items()},
            "affects": affects_labels,
            "sources": {k: e.name.text(site.lang) for k, e in cfg.taxonomy.get("sources", {}).items()},
            "words": {w: site.word(w) for w in LEVELS},
        },
        # workflow order for sorting by status (sort_keys puts the labels above in alphabetical order)
        "status_order": list(cfg.workflow.statuses),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _options(pairs: Iterable[tuple[str, str]], all_label: str) -> str:
    opts = "".join(f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in pairs)
    return f'<option value="">{esc(all_label)}</option>{opts}'


def _select(name: str, label: str, pairs: Iterable[tuple[str, str]], all_label: str) -> str:
    return (f'<label class="cir-filter"><span>{esc(label)}</span>'
            f'<select name="{esc(name)}" data-filter="{esc(name)}">{_options(pairs, all_label)}</select></label>')


def _used(values: Iterable[str]) -> list[str]:
    return sorted({v for v in values if v})


def register_page(site: Site) -> str:
    from cir_portal.views import metrics as measures  # noqa: F401  (registers the priority column's label)

    t, cfg, src = site.t, site.config, REGISTER_PAGE
    imps = site.register.improvements
    counts = Counter(i.status for i in imps)
    people = _used(i.owner or "" for i in imps)
    teams = _used(site.team_of(i.owner) or "" for i in imps)
    affects = _used(a for i in imps for a in i.affects)
    sources = _used((i.source or "") for i in imps)
    tags = _used(tag for i in imps for tag in i.tags)
    filters = "".join([
        _select("status", t("status"), [(k, f"{s.label.text(site.lang)} ({counts.get(k, 0)})")
                                        for k, s in cfg.workflow.statuses.items()], t("all")),
        _select("owner", t("owner"), [(p, site.person_name(p)) for p in people], t("all")),
        _select("team", t("team"), [(k, site.team_name(k)) for k in teams], t("all")),
        _select("urgency", t("urgency"), [(w, site.word(w)) for w in LEVELS], t("all")),
        _select("cost", t("cost"), [(w, site.word(w)) for w in LEVELS], t("all")),
        _select("affects", t("affects"), [(a, site.affects_label(a)) for a in affects], t("all")),
        _select("source", t("source"), [(s, site.label("sources", s)) for s in sources], t("all")),
        _select("tag", t("tags"), [(tag, tag) for tag in tags], t("all")),
        f'<label class="cir-filter cir-filter--text"><span>{esc(t("filter"))}</span>'
        f'<input type="search" data-filter="q" placeholder="{esc(t("search_text"))}"></label>',
    ])
    cols = [("id", t("id")), ("title", t("title")), ("status", t("status")), ("owner", t("owner")),
            ("urgency", t("urgency")), ("cost", t("cost")), ("priority", t("ms_priority")), ("raised", t("raised"))]
    head = "".join(f'<th><button type="button" data-sort="{k}">{esc(label)}</button></th>' for k, label in cols)
    downloads = " · ".join([
        link(site.file_href(src, "register.csv"), "CSV"),
        link(site.file_href(src, "register.json"), "JSON"),
        link(site.file_href(src, "feed.xml"), t("feed")),
    ])
    return f"""---
hide: [toc]
---

# {t("register")}

<div class="cir-register" data-index="{esc(site.file_href(src, INDEX_FILE))}" data-root="{esc(site.file_href(src, ""))}" data-page-size="50">
<p class="cir-downloads">{esc(t("downloads"))}: {downloads}</p>
<form class="cir-filters" onsubmit="return false">{filters}</form>
<p class="cir-count" aria-live="polite">{esc(t("count"))}: <span data-count>{len(imps)}</span> / {len(imps)}</p>
<table class="cir-table cir-register-table"><thead><tr>{head}</tr></thead><tbody></tbody></table>
<nav class="cir-pager"><button type="button" data-page="prev">{esc(t("prev"))}</button> <span data-page-info></span> <button type="button" data-page="next">{esc(t("next"))}</button></nav>
<noscript><p>{esc(t("noscript"))} {link(site.file_href(src, "register.csv"), "register.csv")}</p></noscript>
</div>
"""


def board_page(site: Site) -> str:
    t, cfg, src = site.t, site.config, BOARD_PAGE
    imps = site.register.improvements
    counts = Counter(i.status for i in imps)
    practices = _used(a for i in imps for a in i.affects if a.startswith("practice/"))
    services = _used(a for i in imps for a in i.affects if a.startswith("service/"))
    teams = _used(site.team_of(i.owner) or "" for i in imps)
    filters = "".join([
        _select("practice", t("practices"), [(a, site.affects_label(a)) for a in practices], t("all")),
        _select("service", t("services"), [(a, site.affects_label(a)) for a in services], t("all")),
        _select("team", t("team"), [(k, site.team_name(k)) for k in teams], t("all")),
    ])
    columns = []
    for key, status in cfg.workflow.statuses.items():
        head = (f'{esc(status.label.text(site.lang))} <span class="cir-column__count" data-count>{counts.get(key, 0)}</span>')
        body = '<ol class="cir-column__cards"></ol>'
        if status.terminal:
            columns.append(f'<details class="cir-column cir-column--terminal" data-status="{esc(key)}">'
                           f'<summary>{head}</summary>{body}</details>')
        else:
            columns.append(f'<section class="cir-column" data-status="{esc(key)}"><h2>{head}</h2>{body}</section>')
    return f"""---
hide: [toc, navigation]
---

# {t("board")}

<div class="cir-board" data-index="{esc(site.file_href(src, INDEX_FILE))}" data-root="{esc(site.file_href(src, ""))}" data-age-label="{esc(t("age"))}" data-show-all="{esc(t("show_all"))}">
<form class="cir-filters" onsubmit="return false">{filters}</form>
<div class="cir-board__columns">{"".join(columns)}</div>
<noscript><p>{esc(t("noscript"))} {link(site.file_href(src, "register.csv"), "register.csv")}</p></noscript>
</div>
"""


def records_table(site: Site, src: str, records: Sequence[Record]) -> str:
    """A table of records of any kind, improvements with their status and owner."""
    t = site.t
    rows = []
    for r in records:
        if isinstance(r, Improvement):
            rows.append([site.record_link(src, r.id, with_title=False), esc(r.title), site.status_badge(r.status),
                         site.person_link(src, r.owner), esc(site.word(r.urgency) if r.urgency else "")])
        else:
            rows.append([site.record_link(src, r.id, with_title=False), esc(r.title), esc(t(r.kind)), "", ""])
    return table([t("id"), t("title"), t("status"), t("owner"), t("urgency")], rows)


def _status_summary(site: Site, imps: list[Improvement]) -> str:
    counts = Counter(i.status for i in imps)
    parts = [f"{site.status_badge(k)} {counts[k]}" for k in site.config.workflow.order if counts.get(k)]
    return f'<p class="cir-summary">{" ".join(parts)}</p>' if parts else ""


def _entity_page(site: Site, src: str, title: str, subtitle: str, records: list[Record]) -> str:
    imps = [r for r in records if isinstance(r, Improvement)]
    others = [r for r in records if not isinstance(r, Improvement)]
    body = _status_summary(site, imps) + (records_table(site, src, imps) if imps else "")
    if others:
        body += f"<h2>{esc(site.t('lessons'))} / {esc(site.t('assessment'))}</h2>" + records_table(site, src, others)
    if not records:
        body = f"<p>{esc(site.t('none'))}</p>"
    sub = f'<p class="cir-kind">{esc(subtitle)}</p>' if subtitle else ""
    # Index pages list records that are searchable on their own pages: keep them out of the index.
    # The browser tab and navigation show `title` (MkDocs cannot read a title from a raw HTML
    # heading); escaped like the record titles the plugin sets. JSON is valid YAML.
    meta = f"title: {json.dumps(esc(title), ensure_ascii=False)}\nsearch:\n  exclude: true\n"
    return f'---\n{meta}---\n\n<h1>{esc(title)}</h1>\n{sub}\n<div class="cir-index">{body}</div>\n'


def entity_pages(site: Site) -> dict[str, str]:
    return {src: make() for src, make in entity_page_makers(site).items()}


def entity_page_makers(site: Site) -> dict[str, Callable[[], str]]:
    """A page per person, team, category that records refer to, and tag (each maker reads
    the index entry it lists when it runs)."""
    t, cfg = site.t, site.config
    makers: dict[str, Callable[[], str]] = {}

    def person(src: str, pid: str, name: str, team: str) -> str:
        return _entity_page(site, src, name, f"{t('team')}: {team}", list(site.improvements_by_person.get(pid, [])))

    def team(src: str, tid: str, name: str) -> str:
        return _entity_page(site, src, name, t("team"), list(site.improvements_by_team.get(tid, [])))

    def category(src: str, item: str, name: str, label: str) -> str:
        return _entity_page(site, src, name, label, site.records_by_affects.get(item, []))

    def tag(src: str, name: str) -> str:
        return _entity_page(site, src, name, t("tags"), site.records_by_tag.get(name, []))

    for pid, entry in cfg.people.items():
        src = site.person_page(pid)
        makers[src] = partial(person, src, pid, entry.name.text(site.lang), site.team_name(entry.team))
    for tid, team_entry in cfg.teams.items():
        src = site.team_page(tid)
        makers[src] = partial(team, src, tid, team_entry.name.text(site.lang))
    for kind, group in AFFECTS_KINDS.items():
        for key, item in cfg.taxonomy.get(group, {}).items():
            if not site.records_by_affects.get(f"{kind}/{key}"):
                continue  # no page for what no record refers to (most of the 34 practices, typically)
            src = site.category_page(group, key)
            makers[src] = partial(category, src, f"{kind}/{key}", item.name.text(site.lang), t(group))
    for name in site.tag_slugs:
        src = site.tag_page(name)
        makers[src] = partial(tag, src, name)
    return makers


def browse_page(site: Site) -> str:
    t, cfg, src = site.t, site.config, BROWSE_PAGE
    sections = []

    def block(title: str, items: list[tuple[str, str, int]]) -> None:
        lis = "".join(f'<li>{link(site.href(src, page), label) if n else esc(label)} <span class="cir-n">{n}</span></li>'
                      for page, label, n in items)
        sections.append(f"<section><h2>{esc(title)}</h2><ul class=\"cir-browse\">{lis}</ul></section>")

    block(t("people"), [(site.person_page(p), person.name.text(site.lang), len(site.improvements_by_person.get(p, [])))
                        for p, person in cfg.people.items()])
    block(t("teams"), [(site.team_page(k), team.name.text(site.lang), len(site.improvements_by_team.get(k, [])))
                       for k, team in cfg.teams.items()])
    for kind, category in AFFECTS_KINDS.items():
        block(t(category), [(site.category_page(category, key), e.name.text(site.lang),
                             len(site.records_by_affects.get(f"{kind}/{key}", [])))
                            for key, e in cfg.taxonomy.get(category, {}).items()])
    block(t("tags"), [(site.tag_page(tag), tag, len(site.records_by_tag.get(tag, []))) for tag in site.tag_slugs])
    assert set(CATEGORY_FOLDERS) == set(AFFECTS_KINDS.values())
    return f"# {t('browse')}\n\n<div class=\"cir-browse-hub\">{''.join(sections)}</div>\n"


def cascade_page(site: Site) -> str:
    t, src, reg = site.t, CASCADE_PAGE, site.register
    vision = site.config.portal.vision
    known = {o.id for o in reg.objectives}
    children: dict[str | None, list[Record]] = {}
    for obj in reg.objectives:
        parent = obj.parent if obj.parent in known else None
        children.setdefault(parent, []).append(obj)

    def tree(parent: str | None) -> str:
        items = []
        for obj in children.get(parent, []):
            imps = reg.improvements_by_objective.get(obj.id, [])
            imp_list = "".join(f"<li>{site.status_badge(i.status)} {site.record_link(src, i.id)}</li>" for i in imps)
            items.append(f'<li class="cir-cascade__objective">{site.record_link(src, obj.id)}'
                         f' <span class="cir-n">{len(imps)}</span>'
                         + (f'<ul class="cir-cascade__improvements">{imp_list}</ul>' if imp_list else "")
                         + tree(obj.id) + "</li>")
        return f'<ul class="cir-cascade">{"".join(items)}</ul>' if items else ""

    orphans = [i for i in reg.improvements if not i.objectives and not site.config.workflow.statuses[i.status].terminal]
    vision_html = (f'<blockquote class="cir-vision"><strong>{esc(t("vision"))}:</strong> '
                   f"{esc(vision.text(site.lang))}</blockquote>") if vision else ""
    orphan_html = ""
    if orphans:
        orphan_html = (f"<h2>{esc(t('objectives'))}: —</h2>"
                       + records_table(site, src, list(orphans)))
    return f"{LISTING}# {t('cascade')}\n\n{vision_html}\n<div class=\"cir-cascade-wrap\">{tree(None)}{orphan_html}</div>\n"


def approval_gate(site: Site) -> set[str]:
    """Non-terminal statuses from which a record moves into one that requires an approval."""
    wf = site.config.workflow
    approving = {k for k, s in wf.statuses.items() if "approved_by" in s.requires}
    return {k for k, s in wf.statuses.items() if not s.terminal and k not in approving
            and any(dst in approving for dst in s.transitions)}


def _from_outside(site: Site, imp: Improvement) -> bool:
    """Raised from customer feedback or by a requester who is not in people.yml (an external stakeholder)."""
    return imp.source == "customer_feedback" or imp.requester not in site.config.people


def governance_page(site: Site) -> str:
    t, src, wf = site.t, GOVERNANCE_PAGE, site.config.workflow
    imps = site.register.improvements
    open_imps = [i for i in imps if not wf.statuses[i.status].terminal]
    gate = approval_gate(site)
    undecided = {wf.initial, *gate}
    escalated = [i for i in open_imps if i.escalated]
    awaiting = [i for i in imps if i.status in gate]
    # Feedback from customers and external requesters first: unanswered feedback dries up.
    unanswered = sorted((i for i in imps if i.status not in undecided and not i.originator_notified),
                        key=lambda i: (not _from_outside(site, i), i.status_since, i.id))
    days = site.config.portal.stale_after_days
    limit = (date.fromisoformat(site.as_of) - timedelta(days=days)).isoformat()
    stuck = sorted((i for i in open_imps if i.status_since < limit), key=lambda i: i.status_since)

    def section(title: str, records: list[Improvement], extra: bool = False, originator: bool = False) -> str:
        if not records:
            return f"<h2>{esc(title)} <span class=\"cir-n\">0</span></h2><p>{esc(t('none'))}</p>"
        rows = []
        for r in records:
            who = (site.person_link(src, r.requester) + " · " + esc(site.label("sources", (r.source or "")))
                   if originator else site.person_link(src, r.owner or r.requester))
            row = [site.record_link(src, r.id, with_title=False), esc(r.title), site.status_badge(r.status),
                   who, esc(r.status_since)]
            if extra:
                row.append(str((date.fromisoformat(site.as_of) - date.fromisoformat(r.status_since)).days))
            rows.append(row)
        headers = ([t("id"), t("title"), t("status"), t("requester") if originator else t("owner"), t("since")]
                   + ([t("days")] if extra else []))
        return f"<h2>{esc(title)} <span class=\"cir-n\">{len(records)}</span></h2>" + table(headers, rows)

    return (f"{LISTING}# {t('governance')}\n\n<p class=\"cir-asof\">{esc(t('as_of'))} {esc(site.as_of)}</p>\n"
            f"<div class=\"cir-governance\">"
            + section(t("gov_escalated"), escalated)
            + section(t("gov_awaiting"), awaiting)
            + section(t("gov_unanswered"), unanswered, originator=True)
            + section(t("gov_stuck", days=days), stuck, extra=True)
            + "</div>\n")
