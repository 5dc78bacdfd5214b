"""The search index of a built site: Pagefind run over any engine's output folder.

Pagefind (PyPI ``pagefind`` with the binary of ``pagefind-bin-extended``, which segments
Chinese) reads the built HTML and writes a chunked index to ``<site>/pagefind/``: a reader
downloads only the chunks a query needs. It indexes what the pages mark
(``data-pagefind-body``, filters and meta: views/search.py), so the MkDocs adapter calls
``index_site`` after each build and other engines call it (or ``cir index-search SITE``)
on their output folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cir_portal.views.search import BUNDLE_DIR

#: Left out of the text of every page, whatever marks it has: Python-Markdown's permalink
#: anchors (a "¶" after every heading) and, for sites whose pages have no data-pagefind-body,
#: the chrome of Material-like themes (Pagefind already skips nav, footer, form and script).
EXCLUDE_SELECTORS = (".headerlink", ".md-header", ".md-sidebar", ".md-tabs", ".md-content__button",
                     ".md-source-file", ".md-dialog", ".md-banner")
#: Files of the index proper (the rest is Pagefind's search code: JavaScript and WebAssembly).
INDEX_SUFFIXES = (".pf_index", ".pf_fragment", ".pf_filter", ".pf_meta")


class SearchIndexError(Exception):
    """The index could not be built: the message says why and what to do."""


@dataclass(frozen=True)
class IndexStats:
    """What ``index_site`` did."""

    pages: int
    seconds: float
    #: every file Pagefind wrote (index, filters, fragments, wasm, its JavaScript)
    files: int
    bytes: int
    #: the index proper: the chunks, fragments, filters and metadata readers fetch per query
    index_bytes: int


def executable() -> Path:
    """The Pagefind binary: ``$PAGEFIND_BINARY_PATH``, else the extended one (it segments Chinese)
    that pagefind-bin-extended installs (found by the ``pagefind`` package)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SearchIndexError("the search index needs the `pagefind` and `pagefind-bin-extended` packages, "
                               "dependencies of cir-portal: reinstall cir-portal") from None
    path = get_executable()
    if path is None or not Path(path).is_file():
        raise SearchIndexError(f"no Pagefind binary ({path or 'none found'}): install pagefind-bin-extended "
                               "(pip install 'pagefind[extended]') or set PAGEFIND_BINARY_PATH")
    return Path(path)


def index_site(site_dir: Path, lang: str | None = None) -> IndexStats:
    """Index the built site in ``site_dir`` into ``site_dir/pagefind/`` (replaced), as one index in
    ``lang`` (the portal's language; None: per page, from ``<html lang>``)."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise SearchIndexError(f"{site_dir} is not a folder: build the site first")
    out = site_dir / BUNDLE_DIR
    if out.exists():
        if not (out / "pagefind-entry.json").is_file():
            raise SearchIndexError(f"{out} exists and is not a Pagefind bundle: the index would overwrite it; "
                                   f"rename it")
        shutil.rmtree(out)  # a bundle of an earlier run: its chunks would stay next to the new ones
    args = [str(executable()), "--site", str(site_dir), "--output-subdir", BUNDLE_DIR,
            "--exclude-selectors", ", ".join(EXCLUDE_SELECTORS), "--silent"]
    if lang:
        args += ["--force-language", lang]
    start = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=3600, check=False)
    except OSError as exc:
        raise SearchIndexError(f"cannot run {args[0]}: {exc}") from None
    seconds = time.perf_counter() - start
    entry = out / "pagefind-entry.json"
    if done.returncode != 0 or not entry.is_file():
        output = (done.stdout + done.stderr).strip()
        raise SearchIndexError(f"Pagefind failed (exit {done.returncode}) on {site_dir}:\n{output}")
    languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
    files = [p for p in out.rglob("*") if p.is_file()]
    return IndexStats(
        pages=sum(int(lang_entry.get("page_count", 0)) for lang_entry in languages.values()),
        seconds=seconds,
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        index_bytes=sum(p.stat().st_size for p in files if p.name.endswith(INDEX_SUFFIXES)),
    )
