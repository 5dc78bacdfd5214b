"""Chinese search in a real browser: a two-character Chinese word from a record title finds the
record (Material's search with jieba segmenting the index at build time)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from cirtest.browser import ServedSite
from cirtest.site import page_url

pytestmark = pytest.mark.browser

SEPARATOR = re.compile(r"[\s\u200b\u3000\-、。，．？！；]+")


def _rare_title_word(site: ServedSite) -> tuple[str, str]:
    """(a two-character Chinese word of an improvement title, that record's URL): the word that the
    fewest pages of the search index contain, so the record is among the first results."""
    index = json.loads((site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    document_frequency: Counter[str] = Counter()
    for doc in index["docs"]:
        document_frequency.update(set(SEPARATOR.split(doc["title"] + " " + re.sub(r"<[^>]+>", " ", doc["text"]))))
    candidates = []
    for record in site.improvements:
        title = str(record.front_matter["title"])
        for word in re.findall(r"[\u4e00-\u9fff]{2}", title):
            # a word the index holds as a token of this title (jieba kept the two characters together)
            doc = next((d for d in index["docs"] if d["location"] == page_url(record.rel)), None)
            if doc and word in SEPARATOR.split(doc["title"]):
                candidates.append((document_frequency[word], word, page_url(record.rel)))
    assert candidates, "no two-character Chinese word among the indexed titles"
    _, word, url = min(candidates)
    assert "\u200b" in json.dumps(index, ensure_ascii=False), "the search index was not segmented (jieba missing?)"
    return word, url


def test_chinese_word_finds_its_record(page: Page, served_site: ServedSite) -> None:
    """Typing a two-character word of a Chinese title lists that record among the results."""
    word, url = _rare_title_word(served_site)
    page.goto(served_site.url)
    search = page.locator("input.md-search__input")
    search.click()
    search.fill(word)
    search.press("End")  # Material searches on keyup
    result = page.locator(f'.md-search-result__list > li > a[href^="{served_site.url}{url}?"]')  # ?h=<word>
    expect(result.first).to_be_visible()
    expect(result.first).to_contain_text(word)
