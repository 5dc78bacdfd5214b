"""The search index of a built site: Pagefind run over any engine's output folder.

Pagefind (PyPI ``pagefind`` with the binary of ``pagefind-bin-extended``, which segments
Chinese) reads the built HTML and writes a chunked index to ``<site>/pagefind/``: a reader
downloads only the chunks a query needs. It indexes what the pages mark
(``data-pagefind-body``, filters and meta: views/search.py), so the MkDocs adapter calls
``index_site`` after each build and other engines call it (or ``cir index-search SITE``)
on their output folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        output = "\n".join(dict.fromkeys(line for line in (done.stderr + done.stdout).splitlines() if line.strip()))
        raise SearchIndexError(f"Pagefind failed (exit {done.returncode}) on {site_dir}:\n{output}")
    _stabilise(out)
    languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
    files = [p for p in out.rglob("*") if p.is_file()]
    return IndexStats(
        pages=sum(int(lang_entry.get("page_count", 0)) for lang_entry in languages.values()),
        seconds=seconds,
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        index_bytes=sum(p.stat().st_size for p in files if p.name.endswith(INDEX_SUFFIXES)),
    )


# --- byte-identical output ---------------------------------------------------------------------
#
# Pagefind 1.5 writes each filter's values, and the list of filters, in hash-map order: two runs
# over the same site give different filter files (and so a different metadata file and entry).
# Upstream: https://github.com/Pagefind/pagefind/issues/638 ("other files will still change, such
# as the filter/metadata indexes"). ``_stabilise`` sorts them and renames the files after their
# content, so that two builds of the same content stay byte-identical. The files are gzip of
# ``pagefind_dcd`` + CBOR (arrays, text and unsigned integers).

_SIGNATURE = b"pagefind_dcd"


def _stabilise(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for lang, index in entry.get("languages", {}).items():
        meta_path = bundle / f"pagefind.{index['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = []
        for name, old in sorted(meta[3]):
            path = bundle / "filter" / f"{old}.pf_filter"
            data = _read(path)
            data[1] = sorted(data[1], key=lambda value: str(value[0]).encode("utf-8"))
            new = _write(path, data, lang, 7)
            filters.append([name, new])
        meta[3] = filters
        index["hash"] = _write(meta_path, meta, lang, 10, pattern="pagefind.{}.pf_meta")
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    if text != entry_path.read_text(encoding="utf-8"):
        entry_path.write_text(text, encoding="utf-8")


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise SearchIndexError(f"{path} is not a Pagefind index file this version of cir-portal knows")
    value, end = _cbor_decode(raw, len(_SIGNATURE))
    if end != len(raw):
        raise SearchIndexError(f"{path}: unexpected data after the index")
    return value


def _write(path: Path, value: Any, lang: str, digits: int, pattern: str = "{}.pf_filter") -> str:
    """Write ``value`` under a name made of its content's hash (replacing ``path``); returns the hash."""
    raw = _SIGNATURE + _cbor_encode(value)
    name = f"{lang}_{hashlib.sha256(raw).hexdigest()[:digits]}"
    target = path.with_name(pattern.format(name))
    if target != path:
        target.write_bytes(gzip.compress(raw, mtime=0))
        path.unlink()
    return name


def _cbor_decode(data: bytes, at: int) -> tuple[Any, int]:
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise SearchIndexError(f"unexpected CBOR item {first:#x} in a Pagefind index file")
    if major == 0:
        return n, at
    if major == 3:
        return data[at:at + n].decode("utf-8"), at + n
    if major == 2:
        return bytes(data[at:at + n]), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return items, at
    raise SearchIndexError(f"unexpected CBOR type {major} in a Pagefind index file")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 << (info - 24)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise SearchIndexError("a number too large for a Pagefind index")


def _cbor_encode(value: Any) -> bytes:
    if isinstance(value, bool) or (isinstance(value, int) and value < 0):
        raise SearchIndexError("unexpected value in a Pagefind index file")
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _cbor_head(3, len(text)) + text
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise SearchIndexError(f"unexpected {type(value).__name__} in a Pagefind index file")
