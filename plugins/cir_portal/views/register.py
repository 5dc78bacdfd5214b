"""The register page: every improvement in one filterable, sortable, paged table.

The table is rendered in the browser from one compact JSON index (a page never holds
thousands of rows); the filters and counts are built here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from cir_portal.core.config import AFFECTS_KINDS
from cir_portal.views.context import ASSET_DIR, REGISTER_PAGE, Site
from cir_portal.views.markup import esc, link
from cir_portal.views.metrics import priority_score
from cir_portal.views.page import Page

INDEX_FILE = f"{ASSET_DIR}/register-index.json"
LEVELS = ("high", "medium", "low")


def pages(site: Site) -> list[Page]:
    return [register_page(site)]


def index_json(site: Site) -> bytes:
    """The compact index the register and board pages render from (labels included)."""
    cfg = site.config
    rows = []
    for imp in site.register.improvements:
        owner = imp.owner or ""
        rows.append([imp.id, imp.title, imp.status, owner, site.team_of(owner) or "", (imp.urgency or ""),
                     (imp.cost or ""), imp.affects, (imp.source or ""), imp.tags, imp.raised, imp.status_since,
                     site.url(imp.src_uri), (imp.value or ""), bool(imp.escalated),
                     priority_score(site, imp), imp.part_of or "", len(imp.supporters)])
    affects_labels = {f"{kind}/{key}": entry.name.text(site.lang)
                      for kind, category in AFFECTS_KINDS.items() for key, entry in cfg.taxonomy.get(category, {}).items()}
    data = {
        "columns": ["id", "title", "status", "owner", "team", "urgency", "cost", "affects", "source", "tags",
                    "raised", "since", "url", "value", "escalated", "priority", "part_of", "supporters"],
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


def register_page(site: Site) -> Page:
    from cir_portal.views import metrics as measures  # noqa: F401  (registers the priority column's label)

    t, cfg, src = site.t, site.config, REGISTER_PAGE
    imps = site.register.improvements
    counts = Counter(i.status for i in imps)
    people = _used(i.owner or "" for i in imps)
    teams = _used(site.team_of(i.owner) or "" for i in imps)
    affects = _used(a for i in imps for a in i.affects)
    sources = _used((i.source or "") for i in imps)
    tags = _used(tag for i in imps for tag in i.tags)
    initiatives = [i for i in imps if site.register.parts_by_initiative.get(i.id)]
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
        _select("initiative", t("initiative"), [(i.id, f"{i.id} {i.title}") for i in initiatives], t("all"))
        if initiatives else "",
        f'<label class="cir-filter cir-filter--text"><span>{esc(t("filter"))}</span>'
        f'<input type="search" data-filter="q" placeholder="{esc(t("search_text"))}"></label>',
    ])
    cols = [("id", t("id")), ("title", t("title")), ("status", t("status")), ("owner", t("owner")),
            ("urgency", t("urgency")), ("cost", t("cost")), ("priority", t("ms_priority")),
            ("supporters", t("supporters")), ("raised", t("raised"))]
    head = "".join(f'<th><button type="button" data-sort="{k}">{esc(label)}</button></th>' for k, label in cols)
    downloads = " · ".join([
        link(site.file_href(src, "register.csv"), "CSV"),
        link(site.file_href(src, "register.json"), "JSON"),
        link(site.file_href(src, "feed.xml"), t("feed")),
    ])
    return Page(src, t("register"), meta={"hide": ["toc"]}, content=f"""# {t("register")}

<div class="cir-register" data-index="{esc(site.page_href(src, INDEX_FILE))}" data-root="{esc(site.page_href(src, ""))}" data-page-size="50">
<p class="cir-downloads">{esc(t("downloads"))}: {downloads}</p>
<form class="cir-filters" onsubmit="return false">{filters}</form>
<p class="cir-count" aria-live="polite" aria-atomic="true">{esc(t("count"))}: <span data-count>{len(imps)}</span> / {len(imps)}</p>
<table class="cir-table cir-register-table"><thead><tr>{head}</tr></thead><tbody></tbody></table>
<nav class="cir-pager" aria-label="{esc(t("paging"))}"><button type="button" data-page="prev">{esc(t("prev"))}</button> <span data-page-info></span> <button type="button" data-page="next">{esc(t("next"))}</button></nav>
<noscript><p>{esc(t("noscript"))} {link(site.page_href(src, "register.csv"), "register.csv")}</p></noscript>
</div>
""")
