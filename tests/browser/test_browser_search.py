"""Search in a real browser (Pagefind, offline): every word of every title of the example finds its
record, in the Chinese portal and in the English one; the search page reads its query and facets
from its URL and keeps them there; the header box lists results as the reader types, is driven
by the keyboard and survives Material's instant navigation.

A title's words are what the reader's browser makes of it (``Intl.Segmenter``, the segmenter
Pagefind also runs on queries): the index is built with another one, and a word the two cut
differently must still find its record.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import yaml
from playwright.sync_api import Page, expect

from cir_portal.adapters import search
from cir_portal.adapters.search import index_site
from cirtest.browser import Guard, ServedSite
from cirtest.site import page_url, search_documents, serve_directory

pytestmark = pytest.mark.browser

#: Every word of every title, searched through the site's own index in one page: the misses.
TITLE_WORDS_JS = """async ({bundle, titles}) => {
  const pagefind = await import(bundle);
  const segmenter = new Intl.Segmenter("zh", {granularity: "word"});
  const misses = [], words = [];
  for (const [url, title] of titles) {
    for (const part of segmenter.segment(title)) {
      if (!part.isWordLike) continue;
      words.push(part.segment);
      const found = await pagefind.search(part.segment);
      const urls = await Promise.all(found.results.map(r => r.data().then(d => d.url)));
      if (!urls.includes(url)) misses.push(`${part.segment} (${found.results.length} results): ${title} ${url}`);
    }
  }
  return {words, misses};
}"""


def _titles(site: ServedSite) -> list[tuple[str, str]]:
    return [("/" + page_url(r.rel), str(r.front_matter["title"])) for r in site.records]


@pytest.mark.parametrize("portal", ["served_site", "served_site_en"])
def test_every_title_word_finds_its_record(page: Page, portal: str, request: pytest.FixtureRequest,
                                           guard: Guard) -> None:
    """Each word of each record title (Chinese and English, all four kinds) lists its record."""
    site: ServedSite = request.getfixturevalue(portal)
    page.goto(site.url)
    found: dict[str, Any] = page.evaluate(TITLE_WORDS_JS, {"bundle": site.url + "pagefind/pagefind.js",
                                                           "titles": _titles(site)})
    words = found["words"]
    assert "Onboarding" in words and "checklist" in words
    assert sum(bool(re.fullmatch(r"[\u4e00-\u9fff]+", w)) for w in words) > 100, "too few Chinese words"
    assert not found["misses"], f"{len(found['misses'])} of {len(words)} title words miss their record:\n" + \
        "\n".join(found["misses"][:30])


def _status_labels(site: ServedSite) -> dict[str, str]:
    lang = yaml.safe_load((site.project / "site_config" / "portal.yml").read_text(encoding="utf-8"))["language"]
    workflow = yaml.safe_load((site.project / "site_config" / "workflow.yml").read_text(encoding="utf-8"))
    return {k: s["label"][lang] for k, s in workflow["statuses"].items()}


def _hits(page: Page, scope: str) -> list[dict[str, str]]:
    hits: list[dict[str, str]] = page.eval_on_selector_all(
        f"{scope} .cir-search-hit:not(.cir-search-hit--all)",
        "items => items.map(li => ({href: li.querySelector('a').getAttribute('href'),"
        " meta: (li.querySelector('.cir-search-hit__meta') || {textContent: ''}).textContent,"
        " title: li.querySelector('.cir-search-hit__title').textContent}))")
    return hits


def test_search_page_reads_and_keeps_its_query_and_facets_in_the_url(page: Page, served_site: ServedSite,
                                                                        guard: Guard) -> None:
    """search/?q=…&status=… lists the records of that status holding the word, each shown as
    "id · status"; changing the query or a facet updates the URL (a search can be bookmarked)."""
    labels = _status_labels(served_site)
    imps = served_site.improvements
    words: Counter[str] = Counter(w.lower() for r in imps for w in set(re.findall(r"[A-Za-z]{4,}", str(r.front_matter["title"]))))
    word, status = next((w, r.front_matter["status"]) for w, n in words.most_common() if n >= 2 for r in imps
                        if w in str(r.front_matter["title"]).lower())
    expected = {"/" + page_url(r.rel) for r in imps
                if r.front_matter["status"] == status and word in str(r.front_matter["title"]).lower()}
    page.goto(served_site.url + "search/?" + urlencode({"q": word, "status": labels[status]}))
    results = page.locator(".cir-search__results .cir-search-hit")
    expect(results.first).to_be_visible()
    expect(page.locator(".cir-search [data-search-status]")).to_contain_text(str(results.count()))
    hits = _hits(page, ".cir-search__results")
    assert expected <= {h["href"] for h in hits}
    assert all(h["meta"].endswith(" · " + labels[status]) and re.match(r"[A-Z]+-\d+ · ", h["meta"]) for h in hits), hits
    assert page.locator('select[name="status"]').input_value() == labels[status]

    page.select_option('select[name="status"]', "")
    expect(page).to_have_url(re.compile(r"\?q=" + word + "$"))
    expect(results).not_to_have_count(len(hits))
    assert len(_hits(page, ".cir-search__results")) >= len(hits)

    kinds = page.eval_on_selector_all('select[name="kind"] option', "os => os.map(o => o.value)")
    page.select_option('select[name="kind"]', kinds[1])  # records of the first kind only
    page.fill(".cir-search__input", "Onboarding")
    expect(page).to_have_url(re.compile(r"\?q=Onboarding&kind="))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["Onboarding"], "kind": [kinds[1]]}
    expect(results.first).to_contain_text("IMP-0028")


def _marked(page: Page) -> bool:
    return bool(page.evaluate("window.__marker === 1"))


def test_header_box_lists_results_and_the_keyboard_opens_them(page: Page, served_site: ServedSite,
                                                                guard: Guard) -> None:
    """Typing in the header box lists results (a combobox: aria-expanded, options, the active one
    announced); arrows choose, Enter opens the record without a reload, Escape closes the list,
    Enter on the bare query opens the search page; "/" puts the cursor in the box."""
    def words(record: Any) -> list[str]:
        return re.findall(r"[A-Za-z]{5,}", str(record.front_matter["title"]))

    titles = Counter(w for r in served_site.records for w in set(words(r)))
    record, word = next((r, w) for r in served_site.improvements for w in words(r) if titles[w] == 1)
    target = "/" + page_url(record.rel)
    page.goto(served_site.url + "board/")
    page.evaluate("window.__marker = 1")
    box = page.locator("#cir-search-box-q")
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("/")
    expect(box).to_be_focused()
    box.press_sequentially(word)
    expect(box).to_have_attribute("aria-expanded", "true")
    options = page.locator("#cir-search-box-list [role=option]")
    expect(options.first).to_be_visible()
    hrefs = [h["href"] for h in _hits(page, "#cir-search-box-list")]
    assert target in hrefs
    for _ in range(hrefs.index(target) + 1):
        box.press("ArrowDown")
    active = options.nth(hrefs.index(target))
    expect(active).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == active.get_attribute("id")
    expect(active).to_contain_text(record.id)
    box.press("Enter")
    page.wait_for_url(served_site.url + target.lstrip("/"))
    expect(page.locator("article h1").first).to_contain_text(record.id)
    assert _marked(page), "the record was opened with a full reload"

    box.fill("")
    box.press_sequentially(word)
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".cir-search-box__panel")).to_be_hidden()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=" + word + "$"))
    expect(page.locator(".cir-search__results .cir-search-hit").first).to_be_visible()
    assert page.locator(".cir-search__input").input_value() == word
    assert target in {h["href"] for h in _hits(page, ".cir-search__results")}
    assert _marked(page), "the search page was opened with a full reload"



#: The URLs of the results of each query, best first (through the site's own index).
RANKED_JS = """async ({bundle, queries}) => {
  const pagefind = await import(bundle);
  const out = {};
  for (const q of queries) {
    const found = await pagefind.search(q);
    out[q] = await Promise.all(found.results.map(r => r.data().then(d => d.url)));
  }
  return out;
}"""


def test_ids_and_titles_rank_above_bodies(page: Page, served_site: ServedSite, guard: Guard) -> None:
    """A record's id lists that record first; a word of record titles that other pages only mention
    in their text lists the records it titles before those pages."""
    docs = search_documents(served_site.site)
    titles = {str(d["url"]): str(d["meta"].get("title", "")).lower() for d in docs}
    texts = {str(d["url"]): str(d["content"]).lower() for d in docs}
    ids = {r.id: "/" + page_url(r.rel) for r in served_site.records}
    words = {w.lower() for r in served_site.records for w in re.findall(r"[A-Za-z]{5,}", str(r.front_matter["title"]))}
    contested = {}  # word: (pages titled by it, pages that only mention it)
    for word in sorted(words):
        titled = {u for u, t in titles.items() if re.search(rf"\b{word}\b", t)}
        mentioned = {u for u, t in texts.items() if re.search(rf"\b{word}\b", t)} - titled
        if mentioned:
            contested[word] = (titled, mentioned)
    assert len(contested) >= 10, "too few title words that other pages mention to compare"
    page.goto(served_site.url)
    ranked: dict[str, list[str]] = page.evaluate(RANKED_JS, {"bundle": served_site.url + "pagefind/pagefind.js",
                                                             "queries": [*ids, *contested]})
    misplaced = [f"{rid}: {ranked[rid][:3]}" for rid, url in ids.items() if ranked[rid][:1] != [url]]
    assert not misplaced, "an id does not list its record first:\n" + "\n".join(misplaced)
    for word, (titled, mentioned) in contested.items():
        order = ranked[word]
        assert titled <= set(order), f"{word}: {sorted(titled - set(order))} not found"
        last_titled = max(order.index(u) for u in titled)
        first_mention = min((order.index(u) for u in mentioned if u in order), default=len(order))
        if last_titled > first_mention:
            misplaced.append(f"{word}: {order[:last_titled + 1]} (titled: {sorted(titled)})")
    assert not misplaced, "pages that mention a word ranked above those it titles:\n" + "\n".join(misplaced)


#: What the search page says, by portal language: its heading, the box's placeholder, a count, no result.
UI_TEXT = {
    "zh": ("搜索", "搜索登记册", r"共 \d+ 条结果", "没有结果"),
    "en": ("Search", "Search the register", r"\d+ results?", "No results"),
}


@pytest.mark.parametrize(("portal", "lang"), [("served_site", "zh"), ("served_site_en", "en")])
def test_search_speaks_the_portal_language(page: Page, portal: str, lang: str, request: pytest.FixtureRequest,
                                           guard: Guard) -> None:
    """The search page, its count of results and the header box are in the portal's language."""
    site: ServedSite = request.getfixturevalue(portal)
    heading, placeholder, count, none = UI_TEXT[lang]
    page.goto(site.url + "search/?" + urlencode({"q": "Onboarding"}))
    expect(page.locator(".cir-search__results .cir-search-hit").first).to_contain_text("IMP-0028")
    expect(page.locator("article h1").first).to_have_text(re.compile("^" + heading + "¶?$"))
    expect(page.locator(".cir-search__input")).to_have_attribute("placeholder", placeholder)
    expect(page.locator(".cir-search [data-search-status]")).to_have_text(re.compile(rf"^{count}$"))
    expect(page.locator("#cir-search-box-q")).to_have_attribute("placeholder", heading)
    page.fill(".cir-search__input", "zqxjkvw")
    expect(page.locator(".cir-search [data-search-status]")).to_have_text(none)
    expect(page.locator(".cir-search__results .cir-search-hit")).to_have_count(0)


#: How many results the search page lists at first (assets/search.js).
PAGE_SIZE = 20


def _listed(page: Page, url: str) -> tuple[str, set[str]]:
    """What the search page at ``url`` says (its count and the facets' counts) and the results it lists."""
    page.goto(url)
    status = page.locator(".cir-search [data-search-status]")
    expect(status).to_have_text(re.compile(r"\d"))
    facets = page.eval_on_selector_all("select[data-facet] option", "os => os.map(o => o.textContent).join('|')")
    return f"{status.inner_text()} {facets}", {h["href"] for h in _hits(page, ".cir-search__results")}


def test_an_index_in_parts_finds_what_one_index_finds(page: Page, served_site: ServedSite, guard: Guard,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large site's index is in parts (adapters/search.py, PART_CHARS: no indexer process holds
    the whole site); the search page merges them: for a word, a word and a facet, and a facet
    alone, it lists the same results, and says the same count, as the site's index in one part."""
    copy = tmp_path / "site"
    shutil.copytree(served_site.site, copy)
    lang = yaml.safe_load((served_site.project / "site_config" / "portal.yml").read_text(encoding="utf-8"))["language"]
    monkeypatch.setattr(search, "PART_CHARS", 48 * 1024)
    stats = index_site(copy, lang)
    assert stats.parts >= 3 and stats.pages == len(search_documents(served_site.site))
    assert sorted(d["url"] for d in search_documents(copy)) == sorted(d["url"] for d in search_documents(served_site.site))
    labels = _status_labels(served_site)
    queries = [{"q": "服务台"}, {"q": "Onboarding"}, {"q": "服务台", "status": labels["closed"]},
               {"status": labels["closed"]}]
    with serve_directory(copy) as url:
        for query in queries:
            count, whole = _listed(page, served_site.url + "search/?" + urlencode(query))
            assert whole, f"{query}: no results to compare"
            parts = _listed(page, url + "search/?" + urlencode(query))
            # all of them, or the first page's (the parts rank words by their own statistics)
            assert parts == (count, whole) if len(whole) < PAGE_SIZE else parts[0] == count, (query, count, whole, parts)
