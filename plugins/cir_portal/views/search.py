"""Search: the Pagefind markup of the pages, the search page at ``search/`` and the header box.

Pagefind indexes the built HTML of any site engine into a chunked static index that the
reader's browser downloads piece by piece (``adapters/search.py`` runs the indexer). What
this module decides is what the index holds, and how readers query it:

- the content area of every indexed page is marked ``data-pagefind-body`` (``indexed``);
  pages whose meta says ``search: exclude: true`` (listings of records that are searchable
  on their own pages) are left out;
- a record's card is left out of the text except its free-text values (the labels repeat on
  every record); its id and title weigh most; its kind, status, practices, services, team
  and year are **filters** and its id, status and kind **meta** (``record_facets``);
- Chinese titles also get every suffix of their Chinese runs as a ``terms`` meta: Pagefind
  segments page text with its own dictionary and the reader's query with the browser's
  (``Intl.Segmenter``); the two disagree on some words (重置, 可用性), and a query word
  that is not the start of an indexed word finds nothing. Every substring of a title is
  the start of one of its suffixes, so every title word finds its record whatever either
  segmenter does.

The search page and the header box are plain HTML here; ``assets/search.js`` queries the
index through Pagefind's JavaScript API (no UI bundle), offline, with the strings of the
portal's language.
"""

from __future__ import annotations

import json
import re
from functools import partial

from cir_portal.core.i18n import Translator, register_strings
from cir_portal.core.model import Assessment, Improvement, Lesson, Objective, Record
from cir_portal.views.context import ASSET_DIR, Site, asset_bytes
from cir_portal.views.markup import esc, page_url
from cir_portal.views.page import Page

#: src_uri of the search page (``search/``)
SEARCH_PAGE = "search.md"
#: The folder Pagefind writes its bundle to, under the site root.
BUNDLE_DIR = "pagefind"
#: Facets a reader narrows results by (Pagefind filters), in the order the search page shows them.
FACETS = ("kind", "status", "practice", "service", "team", "year")
#: Marks content that stays out of the search text (filters and meta inside are still read).
IGNORE = "data-pagefind-ignore"
#: Longest title suffix kept as a search term (see the module docstring).
TERM_LENGTH = 16
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

register_strings({
    "search": {"en": "Search", "zh": "搜索"},
    "search_placeholder": {"en": "Search the register", "zh": "搜索登记册"},
    "search_results_label": {"en": "Search results", "zh": "搜索结果"},
    "search_narrow": {"en": "Narrow the results", "zh": "筛选结果"},
    "search_kind": {"en": "Kind", "zh": "类型"},
    "search_practice": {"en": "Practice", "zh": "实践"},
    "search_service": {"en": "Service", "zh": "服务"},
    "search_year": {"en": "Year", "zh": "年份"},
    "search_kind_page": {"en": "Page", "zh": "页面"},
    "search_count": {"en": "{n} results", "zh": "共 {n} 条结果"},
    "search_one": {"en": "1 result", "zh": "共 1 条结果"},
    "search_none": {"en": "No results", "zh": "没有结果"},
    "search_loading": {"en": "Searching…", "zh": "正在搜索…"},
    "search_hint": {"en": "Type a word, or choose a filter.", "zh": "输入一个词，或选择筛选条件。"},
    "search_more": {"en": "More results", "zh": "更多结果"},
    "search_all": {"en": "All {n} results", "zh": "全部 {n} 条结果"},
    "search_unavailable": {"en": "The search index of this site is missing (it is built with the site).",
                           "zh": "本站的搜索索引缺失（它随站点一同构建）。"},
    "search_noscript": {"en": "Search needs JavaScript; the register page lists every record.",
                        "zh": "搜索需要 JavaScript；改进登记册页面列出了全部记录。"},
    "search_shortcut": {"en": "Press / to search", "zh": "按 / 键搜索"},
})

#: UI strings the browser needs (search.js), by key.
_SCRIPT_STRINGS = ("search", "search_placeholder", "search_results_label", "search_count", "search_one", "search_none",
                   "search_loading", "search_hint", "search_more", "search_all", "search_unavailable", "all")


# --- what the index holds ----------------------------------------------------------------------


#: How the indexed part of a page starts and ends (``indexed``), for adapters that cut it out.
BODY_START = "<div data-pagefind-body"
BODY_END = "<!--/cir-search-body-->"
#: How the sections other views add to a record's card (figures, links: out of the search text)
#: start and end (cards.py): ``indexed_part`` leaves them out of what the indexer parses.
MORE_START = '<div class="cir-card__more" data-pagefind-ignore>'
MORE_END = "<!--/cir-card-more-->"


def indexed(html: str, lang: str, *, record: bool, title: str = "") -> str:
    """A page's rendered content marked as the part of the page Pagefind indexes.

    Pages that are not records get the kind filter "page" and ``title`` as their result title
    (records carry their own kind and title, see ``record_facets`` and ``heading``).
    """
    attrs = ""
    if not record:
        attrs = f' data-pagefind-filter="kind:{esc(Translator(lang)("search_kind_page"))}"'
        if title:
            attrs += f' data-pagefind-meta="title:{esc(title)}"'
    return f"{BODY_START}{attrs}>\n{html}\n</div>{BODY_END}"


def indexed_part(output: str, lang: str) -> str | None:
    """The indexed part of a rendered page as a document of its own (None: the page is not
    indexed): what Pagefind reads of it, without the theme's chrome around it."""
    start = output.find(BODY_START)
    end = output.find(BODY_END, start)
    if start < 0 or end < 0:
        return None
    part = output[start:end]
    more = part.find(MORE_START)
    if more >= 0 and (done := part.find(MORE_END, more)) >= 0:
        part = part[:more] + part[done + len(MORE_END):]  # ignored by the index anyway: not worth parsing
    return f'<html lang="{esc(lang)}"><body>{part}</body></html>'


def title_terms(title: str) -> str:
    """Every suffix (at most TERM_LENGTH characters) of the title's words that hold Chinese,
    starting at each Chinese character and at each Latin or digit run that follows one
    (``评估（2025`` gives ``评估（2025``, ``估（2025``, ``2025``), space-separated."""
    terms: dict[str, None] = {}
    for word in title.split():
        if not _HAN.search(word):
            continue  # Latin words are words to both segmenters
        for start, char in enumerate(word):
            before = word[start - 1] if start else " "
            if _HAN.match(char) or (char.isalnum() and not before.isalnum()) or (char.isalnum() and _HAN.match(before)):
                terms[word[start:start + TERM_LENGTH]] = None
    return " ".join(terms)


def facets(site: Site, record: Record) -> dict[str, list[str]]:
    """The filter values of a record (labels in the site language), by facet."""
    person: str | None
    year = ""
    affects = list(record.affects)
    if isinstance(record, Improvement):
        person = record.owner or record.requester
        year = record.raised[:4]
    elif isinstance(record, Lesson):
        person = record.author
        year = (record.date or "")[:4]
    elif isinstance(record, Objective):
        person = record.owner
    elif isinstance(record, Assessment):
        person = record.assessor
        year = record.date[:4]
        if record.practice:
            affects.append(f"practice/{record.practice}")
    else:  # pragma: no cover - every record kind is above
        person = None
    team = site.team_of(person)
    out: dict[str, list[str]] = {
        "kind": [site.t(record.kind)],
        "status": [site.status_label(record.status)] if isinstance(record, Improvement) else [],
        "practice": [site.affects_label(a) for a in affects if a.startswith("practice/")],
        "service": [site.affects_label(a) for a in affects if a.startswith("service/")],
        "team": [site.team_name(team)] if team else [],
        "year": [year] if year.isdigit() else [],
    }
    return {k: list(dict.fromkeys(v for v in values if v)) for k, values in out.items()}


def record_facets(site: Site, record: Record) -> str:
    """Invisible markup that gives a record page its filters and meta (not its text)."""
    spans = [f'<span data-pagefind-filter="{esc(facet)}:{esc(value)}"></span>'
             for facet, values in facets(site, record).items() for value in values]
    meta = {"kind": site.t(record.kind)}
    if isinstance(record, Improvement):
        meta["status"] = site.status_label(record.status)
    terms = title_terms(record.title)
    if terms:
        meta["terms"] = terms
    spans += [f'<span data-pagefind-meta="{esc(key)}:{esc(value)}"></span>' for key, value in meta.items()]
    return f'<div class="cir-facets" hidden {IGNORE}>{"".join(spans)}</div>'


def heading(record: Record) -> str:
    """A record's <h1>: id and title, weighted above the body; the title alone is the result title."""
    return (f'<h1 class="cir-title" data-pagefind-weight="10"><span class="cir-id" data-pagefind-meta="id">{esc(record.id)}</span> '
            f'<span class="cir-title__text" data-pagefind-meta="title">{esc(record.title)}</span></h1>')


# --- the search page and the header box ------------------------------------------------------


def search_url(directory_urls: bool = True) -> str:
    """The site-root-relative URL of the search page."""
    return page_url(SEARCH_PAGE, directory_urls)


def header_box(lang: str, action: str) -> str:
    """The search box of the page header: a GET form to the search page (``action``, relative to
    the page) that search.js turns into a combobox listing the first results as the reader types.
    The MkDocs adapter puts it in Material's header; other engines keep their theme's search
    box, and the search page works on them once ``cir index-search`` has indexed their build."""
    t = Translator(lang)
    return (f'<form class="cir-search-box" role="search" action="{esc(action)}" method="get" data-cir-search="box">'
            f'<label class="cir-visually-hidden" for="cir-search-box-q">{esc(t("search"))}</label>'
            f'<input id="cir-search-box-q" class="cir-search-box__input" type="search" name="q" '
            f'placeholder="{esc(t("search"))}" title="{esc(t("search_shortcut"))}" autocomplete="off" spellcheck="false" '
            f'role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="cir-search-box-list">'
            f'<p class="cir-visually-hidden" role="status" aria-live="polite" data-search-status></p>'
            f'<div class="cir-search-box__panel" hidden><ul id="cir-search-box-list" class="cir-search-hits" role="listbox" '
            f'aria-label="{esc(t("search_results_label"))}"></ul></div></form>')


def _facet_label(site: Site, facet: str) -> str:
    return {"status": site.t("status"), "team": site.t("team")}.get(facet) or site.t(f"search_{facet}")


def facet_values(site: Site) -> dict[str, list[str]]:
    """Every value each facet takes in the register, in the order the configuration gives
    (workflow, taxonomy, teams; years newest first); pages other than records are "page"."""
    cfg = site.config
    used: dict[str, set[str]] = {f: set() for f in FACETS}
    for record in site.register.all():
        # (in the live preview, the facets of the records that did not change are the last build's)
        for facet, values in site.memo(("search.facets", SEARCH_PAGE, record.id), partial(facets, site, record),
                                       (record.id,)).items():
            used[facet].update(values)
    used["kind"].add(site.t("search_kind_page"))
    preferred = {
        "kind": [site.t(k) for k in ("improvement", "lesson", "objective", "assessment", "search_kind_page")],
        "status": [site.status_label(k) for k in cfg.workflow.statuses],
        "practice": [e.name.text(site.lang) for e in cfg.taxonomy.get("practices", {}).values()],
        "service": [e.name.text(site.lang) for e in cfg.taxonomy.get("services", {}).values()],
        "team": [site.team_name(k) for k in cfg.teams],
        "year": sorted(used["year"], reverse=True),
    }
    out = {}
    for facet in FACETS:
        order = list(dict.fromkeys(v for v in preferred[facet] if v in used[facet]))
        out[facet] = order + sorted(used[facet] - set(order))
    return out


def search_page(site: Site) -> Page:
    """The search page: reads ``?q=`` and the facets (``?status=…&team=…``) from its URL."""
    t = site.t
    values = facet_values(site)
    facets_html = "".join(
        f'<label class="cir-filter"><span>{esc(_facet_label(site, f))}</span>'
        f'<select name="{f}" data-facet="{f}"><option value="">{esc(t("all"))}</option>'
        + "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values[f])
        + "</select></label>"
        for f in FACETS)
    title = t("search")
    return Page(SEARCH_PAGE, title, meta={"hide": ["toc"], "search": {"exclude": True}}, content=f"""# {esc(title)}

<div class="cir-search" data-cir-search="page">
<form class="cir-search__form" role="search" action="./" method="get">
<div class="cir-search__query"><label for="cir-search-q">{esc(title)}</label> <input id="cir-search-q" class="cir-search__input" type="search" name="q" placeholder="{esc(t("search_placeholder"))}" autocomplete="off" spellcheck="false"> <button type="submit" class="md-button md-button--primary">{esc(title)}</button></div>
<fieldset class="cir-filters cir-search__facets"><legend>{esc(t("search_narrow"))}</legend>{facets_html}</fieldset>
</form>
<p class="cir-search__status" role="status" aria-live="polite" aria-atomic="true" data-search-status></p>
<ol class="cir-search-hits cir-search__results" aria-label="{esc(t("search_results_label"))}"></ol>
<p><button type="button" class="md-button md-button--primary cir-search__more" hidden>{esc(t("search_more"))}</button></p>
<noscript><p>{esc(t("search_noscript"))}</p></noscript>
</div>
""")


def pages(site: Site) -> list[Page]:
    return [search_page(site)]


def script(site: Site) -> bytes:
    """search.js with the strings of the site language and where the search page is."""
    config = {
        "page": search_url(site.directory_urls),
        "bundle": f"{BUNDLE_DIR}/pagefind.js",
        "strings": {key: site.t(key) for key in _SCRIPT_STRINGS},
    }
    head = "/* cir-portal search: generated for this site (language, URLs) */\nvar CIR_SEARCH = "
    return (head + json.dumps(config, ensure_ascii=False, sort_keys=True) + ";\n").encode("utf-8") + asset_bytes("search.js")


def files(site: Site, site_url: str) -> dict[str, bytes]:
    """search.js and search.css, linked from every page (the header box is on every page)."""
    return {f"{ASSET_DIR}/search.js": script(site), f"{ASSET_DIR}/search.css": asset_bytes("search.css")}
