"""The register page: every improvement in one filterable, sortable, paged table.

The page is served with its first page of rows (by id); the browser then filters, sorts and
pages from one compact JSON index, loaded once the page has painted (a page never holds
thousands of rows); the filters and counts are built here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from cir_portal.core.config import AFFECTS_KINDS
from cir_portal.core.deps import KeptValues
from cir_portal.core.model import Improvement
from cir_portal.views.context import ASSET_DIR, REGISTER_PAGE, Site
from cir_portal.views.markup import esc, link
from cir_portal.views.metrics import priority_score
from cir_portal.views.page import Page

INDEX_FILE = f"{ASSET_DIR}/register-index.json"
LEVELS = ("high", "medium", "low")


def pages(site: Site) -> list[Page]:
    return [register_page(site)]


#: Register columns whose values repeat (keys of the workflow, people, taxonomy): a row holds their
#: position in ``values`` (lists of keys, "" first), so each key is written once.
CODED = ("status", "owner", "urgency", "cost", "affects", "source", "tags")
#: Register columns that are dates: a row holds days since 1970-01-01.
DATES = ("raised", "since")
#: Rows the register page holds as served (the first page in the default order: by id).
PAGE_SIZE = 50
_EPOCH = date(1970, 1, 1)
_DIGITS = re.compile(r"(\d+)")


def _id_order(rid: str) -> list[tuple[int, int | str]]:
    """Sort key of ids as the browser's numeric collation orders them (IMP-9999 before IMP-10000)."""
    return [(0, int(part)) if part.isdigit() else (1, part.lower()) for part in _DIGITS.split(rid) if part]


def index_json(site: Site) -> bytes:
    """The compact index the register and board pages filter and sort (labels included), loaded
    after the register page has painted its first rows. Keys and labels are written once:
    rows hold positions in ``values``, dates as day numbers, and the part of the record's URL
    after its id (the URL is ``url.prefix + id + part + url.suffix``; a list ``[url]`` when the
    file name does not start with the id)."""
    cfg = site.config
    imps = site.register.improvements
    used: dict[str, set[str]] = {c: set() for c in CODED}
    for imp in imps:
        used["status"].add(imp.status)
        used["owner"].add(imp.owner or "")
        used["urgency"].add(imp.urgency or "")
        used["cost"].add(imp.cost or "")
        used["affects"].update(imp.affects)
        used["source"].add(imp.source or "")
        used["tags"].update(imp.tags)
    values = {c: ["", *sorted(str(v) for v in used[c] if v)] for c in CODED}
    position = {c: {v: i for i, v in enumerate(values[c])} for c in CODED}
    status, owner, urgency, cost = position["status"], position["owner"], position["urgency"], position["cost"]
    affects, source, tags = position["affects"], position["source"], position["tags"]
    prefix, suffix = _url_parts(site)
    # A row's text is kept with its record for the next live-preview build, valid while the
    # positions, the URLs and the configuration (priority weights) are the same.
    key = _ROWS.key((tuple(tuple(values[c]) for c in CODED), prefix, suffix, site.directory_urls, cfg.fingerprint))
    keep = site.reads is not None

    def row(imp: Improvement) -> str:
        url = site.url(imp.src_uri)
        head = prefix + imp.id
        part: str | list[str] = (url[len(head):len(url) - len(suffix)]
                                 if url.startswith(head) and url.endswith(suffix) and len(url) >= len(head) + len(suffix)
                                 else [url])
        return _compact([imp.id, imp.title, status[imp.status], owner[imp.owner or ""], urgency[imp.urgency or ""],
                         cost[imp.cost or ""], [affects[v] for v in imp.affects], source[imp.source or ""],
                         [tags[v] for v in imp.tags], _day(imp.raised), _day(imp.status_since), part, imp.value or "",
                         1 if imp.escalated else 0, priority_score(site, imp), imp.part_of or "", len(imp.supporters)])

    rows = [_ROWS.get(imp, key, partial(row, imp), keep=keep) for imp in imps]
    affects_labels = {f"{kind}/{key}": entry.name.text(site.lang)
                      for kind, category in AFFECTS_KINDS.items() for key, entry in cfg.taxonomy.get(category, {}).items()}
    data = {
        "columns": ["id", "title", "status", "owner", "urgency", "cost", "affects", "source", "tags",
                    "raised", "since", "url", "value", "escalated", "priority", "part_of", "supporters"],
        "values": values,
        "dates": list(DATES),
        "url": {"prefix": prefix, "suffix": suffix},
        "team_of": {pid: p.team for pid, p in cfg.people.items() if p.team},
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
    # json.dumps(data, sort_keys=True, ...) with the rows' text written once: the same bytes
    fields = {name: _compact(value) for name, value in data.items()}
    fields["rows"] = "[" + ",".join(rows) + "]"
    return ("{" + ",".join(f"{_compact(name)}:{fields[name]}" for name in sorted(fields)) + "}").encode("utf-8")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


#: An improvement's row of the register index (its JSON text), kept for the next live-preview build.
_ROWS: KeptValues[str] = KeptValues()


def _url_parts(site: Site) -> tuple[str, str]:
    """What every improvement page URL starts with before the id, and ends with."""
    probe = site.url("improvements/ID.md")
    return probe[:probe.index("ID")], probe[probe.index("ID") + 2:]


def _day(iso: str) -> int | str:
    try:
        return (date.fromisoformat(iso) - _EPOCH).days
    except ValueError:
        return iso


def _priority(score: float | None) -> str:
    """A priority score as JavaScript's ``toFixed(2)`` writes it (half up, on the exact binary value)."""
    if score is None:
        return ""
    return str(Decimal(score).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _register_row(site: Site, imp: Improvement) -> str:
    """One row of the register table, as cir.js renders it (the first page is in the HTML as served)."""
    href = site.href(REGISTER_PAGE, imp.src_uri)
    urgency, cost = imp.urgency or "", imp.cost or ""
    cells = [link(href, imp.id), esc(imp.title), site.status_badge(imp.status), esc(site.person_name(imp.owner)),
             esc(site.word(urgency) if urgency else ""), esc(site.word(cost) if cost else "")]
    supporters = len(imp.supporters)
    return (f'<tr data-id="{esc(imp.id)}">' + "".join(f"<td>{c}</td>" for c in cells)
            + f'<td class="cir-priority">{_priority(priority_score(site, imp))}</td>'
            + f'<td class="cir-supporters">{supporters if supporters else ""}</td><td>{esc(imp.raised)}</td></tr>')


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
    head = "".join(f'<th aria-sort="{"ascending" if k == "id" else "none"}"><button type="button" data-sort="{k}">'
                   f'{esc(label)}</button></th>' for k, label in cols)
    first = sorted(imps, key=lambda i: _id_order(i.id))[:PAGE_SIZE]
    pages = max(1, -(-len(imps) // PAGE_SIZE))
    downloads = " · ".join([
        link(site.file_href(src, "register.csv"), "CSV"),
        link(site.file_href(src, "register.json"), "JSON"),
        link(site.file_href(src, "feed.xml"), t("feed")),
    ])
    return Page(src, t("register"), meta={"hide": ["toc"]}, content=f"""# {t("register")}

<div class="cir-register" data-index="{esc(site.page_href(src, INDEX_FILE))}" data-root="{esc(site.page_href(src, ""))}" data-page-size="{PAGE_SIZE}">
<p class="cir-downloads">{esc(t("downloads"))}: {downloads}</p>
<form class="cir-filters" onsubmit="return false">{filters}</form>
<p class="cir-count" aria-live="polite" aria-atomic="true">{esc(t("count"))}: <span data-count>{len(imps)}</span> / {len(imps)}</p>
<table class="cir-table cir-register-table"><thead><tr>{head}</tr></thead><tbody data-prerendered>{"".join(_register_row(site, i) for i in first)}</tbody></table>
<nav class="cir-pager" aria-label="{esc(t("paging"))}"><button type="button" data-page="prev" disabled>{esc(t("prev"))}</button> <span data-page-info>1 / {pages}</span> <button type="button" data-page="next"{" disabled" if pages == 1 else ""}>{esc(t("next"))}</button></nav>
<noscript><p>{esc(t("noscript"))} {link(site.page_href(src, "register.csv"), "register.csv")}</p></noscript>
</div>
""")
