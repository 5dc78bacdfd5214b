"""The search index's building blocks without a site build: the title terms that make every
Chinese title word findable, the indexed part of a page, and Pagefind run on a folder and fed
page by page (a handful of tiny pages: each run takes well under a second)."""

from __future__ import annotations

import gzip
import json
import re
import threading
from pathlib import Path

import pytest

from cir_portal.adapters import search
from cir_portal.adapters.search import LiveIndex, SearchIndexError, _read, _Service, index_site
from cir_portal.views.search import TERM_LENGTH, indexed, indexed_part, title_terms
from cirtest.site import search_documents, tree_digest

HAN = re.compile(r"[\u4e00-\u9fff]+")
TITLES = ["密码重置自助服务", "VPN 专线带宽扩容", "提高CMDB数据准确率", "事件管理实践能力评估（2025 年）",
          "问卷更短不等于回复更多：先弄清客户在哪个渠道", "Onboarding checklist for contractors"]


@pytest.mark.parametrize("title", TITLES)
def test_every_substring_of_a_chinese_run_starts_a_term(title: str) -> None:
    """Whatever a segmenter makes of a Chinese title, each word it finds is the start of a term."""
    terms = title_terms(title).split()
    for run in HAN.findall(title):
        for start in range(len(run)):
            for end in range(start + 1, min(len(run), start + TERM_LENGTH) + 1):
                assert any(t.startswith(run[start:end]) for t in terms), run[start:end]
    for number in re.findall(r"\d+", title):
        assert number in terms, "a number after Chinese characters is a term of its own"
    if not HAN.search(title):
        assert terms == []


def _page(title: str, body: str, lang: str = "zh", **filters: str) -> str:
    spans = "".join(f'<span data-pagefind-filter="{k}:{v}"></span>' for k, v in filters.items())
    content = indexed(f"<h1>{title}</h1><p>{body}</p>{spans}", lang, record=False, title=title)
    return f'<html lang="{lang}"><body><nav>menu</nav><article>{content}</article><footer>chrome</footer></body></html>'


def test_the_indexed_part_leaves_the_theme_out() -> None:
    page = _page("标题", "正文")
    part = indexed_part(page, "zh")
    assert part is not None and "正文" in part and "menu" not in part and "chrome" not in part
    assert indexed_part("<html><body><p>not marked</p></body></html>", "zh") is None


def _site(root: Path) -> Path:
    pages = {"a": _page("甲页", "骆驼在沙漠里走。", team="服务台"), "b": _page("乙页", "Kestrel hovers.", team="基础设施"),
             "c": _page("丙页", "第三页", team="服务台")}
    for name, text in pages.items():
        (root / name).mkdir(parents=True)
        (root / name / "index.html").write_text(text, encoding="utf-8")
    return root


def test_a_folder_and_the_live_index_give_the_same_pages(tmp_path: Path) -> None:
    """`index_site` (other engines) and `LiveIndex` (the plugin) index the same text, meta and filters."""
    site = _site(tmp_path / "site")
    stats = index_site(site, "zh")
    assert stats.pages == 3 and stats.index_bytes > 0 and stats.bytes > stats.index_bytes
    by_folder = {d["url"]: (d["content"], d["meta"], d["filters"]) for d in search_documents(site)}
    assert by_folder["/a/"][2] == {"kind": ["页面"], "team": ["服务台"]}
    assert "骆驼" in by_folder["/a/"][0] and "menu" not in by_folder["/a/"][0]

    live = LiveIndex("zh", site)
    for name in ("a", "b", "c"):
        part = indexed_part((site / name / "index.html").read_text(encoding="utf-8"), "zh")
        assert part is not None
        live.add(f"/{name}/", part)
    again = live.write()
    assert again.pages == 3 and again.parts == 1
    assert json.loads((site / "pagefind" / "cir-parts.json").read_text(encoding="utf-8")) == {"parts": []}
    assert {d["url"]: (d["content"], d["meta"], d["filters"]) for d in search_documents(site)} == by_folder


def test_a_folder_indexes_its_marked_pages_or_else_all(tmp_path: Path) -> None:
    """Pagefind's rule, kept by `index_site` across parts: when some pages mark their content,
    only those are indexed; a site whose pages mark none is indexed whole (each page's <body>)."""
    site = _site(tmp_path / "site")
    (site / "plain").mkdir()
    (site / "plain" / "index.html").write_text('<html lang="zh"><body><p>鸵鸟不在标记里</p></body></html>',
                                               encoding="utf-8")
    index_site(site, "zh")
    assert [d["url"] for d in search_documents(site)] == ["/a/", "/b/", "/c/"]
    other = tmp_path / "other"
    for name, text in (("x", "鸵鸟在这里"), ("y", "Kestrel hovers")):
        (other / name).mkdir(parents=True)
        (other / name / "index.html").write_text(f'<html lang="zh"><body><p>{text}</p></body></html>', encoding="utf-8")
    assert index_site(other).pages == 2
    assert {d["url"]: "鸵鸟" in d["content"] for d in search_documents(other)} == {"/x/": True, "/y/": False}


def test_a_large_index_is_written_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages beyond PART_CHARS go to another Pagefind process; a full part is built and written by
    its process, which then stops (no process holds the whole site): the first part is the bundle,
    the others are folders of index files in it, listed in cir-parts.json; together they hold
    every page once, and the same pages give the same files."""
    monkeypatch.setattr(search, "PART_CHARS", 1)  # a part per page
    site = _site(tmp_path / "site")
    stats = index_site(site, "zh")
    assert stats.pages == 3 and stats.parts == 3
    bundle = site / "pagefind"
    listing = json.loads((bundle / "cir-parts.json").read_text(encoding="utf-8"))
    assert listing == {"parts": ["part-2/", "part-3/"]}
    assert (bundle / "pagefind.js").is_file()
    for part in listing["parts"]:
        assert (bundle / part / "pagefind-entry.json").is_file()
        assert (bundle / part / "pagefind.js").is_file(), "each part is searched with its own Pagefind"
    assert [d["url"] for d in search_documents(site)] == ["/a/", "/b/", "/c/"]
    first = tree_digest(bundle)
    index_site(site, "zh")
    assert tree_digest(bundle) == first

    live = LiveIndex("zh", tmp_path / "other")
    for name in ("a", "b", "c"):
        part = indexed_part((site / name / "index.html").read_text(encoding="utf-8"), "zh")
        assert part is not None
        live.add(f"/{name}/", part)
    live._parts[0].wait()  # (written in the background while the next pages went to the next part)
    assert live._parts[0].service._proc.poll() is not None, "the first part's process still runs once written"
    assert live.write().parts == 3


def test_a_staged_index_replaces_the_served_one_when_complete(tmp_path: Path) -> None:
    """Live preview: the new index is written beside the one being served, which stays until
    the new one is complete; no page can be added once the index is finished."""
    site = _site(tmp_path / "site")
    index_site(site, "zh")
    old_entry = (site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    live = LiveIndex("zh", site, staged=True)
    part = indexed_part(_page("丁页", "骆驼换了一个新的词：鸵鸟。"), "zh")
    assert part is not None
    live.add("/d/", part)
    live.finish()
    with pytest.raises(SearchIndexError, match="after it was finished"):
        live.add("/e/", part)
    assert (site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8") == old_entry
    stats = live.write()
    assert stats.pages == 1
    assert [d["url"] for d in search_documents(site)] == ["/d/"]
    assert not (site / ".pagefind-next").exists() and not (site / ".pagefind-next-old").exists()


def test_a_cancelled_index_leaves_the_served_one(tmp_path: Path) -> None:
    """A live-preview rebuild that starts while the last build's index is still being written
    cancels it: the write fails saying so, and the served index is untouched."""
    site = _site(tmp_path / "site")
    index_site(site, "zh")
    before = tree_digest(site / "pagefind")
    part = indexed_part(_page("丁页", "鸵鸟"), "zh")
    assert part is not None
    # cancelled before it was finished: nothing is written
    live = LiveIndex("zh", site, staged=True)
    live.add("/d/", part)
    live.cancel()
    live.finish()
    with pytest.raises(SearchIndexError, match="cancelled"):
        live.write()
    assert tree_digest(site / "pagefind") == before
    # cancelled while the index is being built (a race the plugin meets): either outcome is whole
    live = LiveIndex("zh", site, staged=True)
    live.add("/d/", part)
    live.finish()
    live.cancel()
    assert live.cancelled
    try:
        live.write()  # (the index may be complete already: then it replaces the served one)
    except SearchIndexError:
        assert tree_digest(site / "pagefind") == before
    else:
        assert [d["url"] for d in search_documents(site)] == ["/d/"]


def test_a_call_ends_when_the_service_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call waiting for its answer fails as soon as the service's output ends, even while
    ``poll()`` says nothing of the process (it says nothing while ``cancel()`` waits for it):
    a rebuild that cancels the last index does not wait a second for it."""
    live = _Service("zh")
    live._proc.kill()
    live._reader.join(timeout=30)  # the output ended
    monkeypatch.setattr(live._proc, "poll", lambda: None)
    monkeypatch.setattr(live, "_send", lambda payload, wait=False: 7)  # sent before the service stopped
    failed: list[BaseException] = []

    def call() -> None:
        try:
            live.call({"type": "GetFiles", "index_id": 0})
        except SearchIndexError as exc:
            failed.append(exc)

    waiting = threading.Thread(target=call, daemon=True)
    waiting.start()
    waiting.join(timeout=30)
    assert not waiting.is_alive() and failed, "the call still waits for a service that has stopped"
    monkeypatch.undo()
    live.close()


def test_filter_values_are_written_in_order(tmp_path: Path) -> None:
    """Pagefind writes filter values in hash-map order; the bundle is rewritten sorted (byte-identical builds)."""
    site = _site(tmp_path / "site")
    index_site(site, "zh")
    filters = list((site / "pagefind" / "filter").glob("*.pf_filter"))
    assert len(filters) == 2  # kind, team
    for path in filters:
        assert gzip.decompress(path.read_bytes()).startswith(b"pagefind_dcd")
        name, values = _read(path)  # [filter, [[value, [page, ...]], ...]]
        found = [value for value, _ in values]
        assert found == sorted(found, key=lambda v: v.encode("utf-8")), (name, found)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert (site / "pagefind" / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta").is_file()


def test_index_site_refuses_what_it_cannot_index(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="not a folder"):
        index_site(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SearchIndexError, match="Pagefind failed"):
        index_site(empty)
    site = _site(tmp_path / "site")
    (site / "pagefind").mkdir()
    (site / "pagefind" / "mine.txt").write_text("not an index", encoding="utf-8")
    with pytest.raises(SearchIndexError, match="not a Pagefind bundle"):
        index_site(site)
    assert (site / "pagefind" / "mine.txt").is_file()
