"""The search index of a built site: Pagefind run over any engine's output folder.

Pagefind (PyPI ``pagefind`` with the binary of ``pagefind-bin-extended``, which segments
Chinese) reads the built HTML and writes a chunked index to ``<site>/pagefind/``: a reader
downloads only the chunks a query needs. It indexes what the pages mark
(``data-pagefind-body``, filters and meta: views/search.py), so the MkDocs adapter calls
``index_site`` after each build and other engines call it (or ``cir index-search SITE``)
on their output folder.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import functools
import gzip
import hashlib
import json
import os
import re
import resource
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cir_portal.adapters.memory import give_back, peak_mib
from cir_portal.views.search import BUNDLE_DIR, indexed_part

#: Left out of the text of every page, whatever marks it has: the labels of record cards' fields
#: (the same on every record); the tables and trees of records that generated pages show (the
#: governance view, reports, priorities, the cascade: a page is found by its own headings and
#: prose, a record on its own page; a fifth of the words at 2,000 records); Python-Markdown's
#: permalink anchors (a "¶" after every heading); and, for sites whose pages have no
#: data-pagefind-body, the chrome of Material-like themes (Pagefind already skips nav, footer,
#: form and script).
EXCLUDE_SELECTORS = (".cir-fields > dt", ".cir-table", ".cir-cascade", ".headerlink", ".md-header", ".md-sidebar",
                     ".md-tabs", ".md-content__button", ".md-source-file", ".md-dialog", ".md-banner")
#: How many bytes of pages may wait for the Pagefind service to read them before the engine
#: waits too: Pagefind parses a page slower than MkDocs renders its Markdown, so pages queue up
#: during that pass and are read while MkDocs renders them in the theme (a 2,000-record site's
#: pages are about 20 MB; beyond this, the engine waits for the service, as it would on the pipe).
OUTBOX_LIMIT = 64 * 2**20
#: Pages are handed to the service in batches of this many bytes, or of what gathered in
#: ``INPUT_DELAY`` seconds, and its answers are read at most every ``ANSWER_DELAY`` seconds while
#: no call waits for one: threads woken for every page and every answer took the GIL from the
#: engine's thread twice per page (a 2,000-record build: the engine's thread switched out
#: 7,100-9,400 times, 4,400-5,400 since, 2,600 without the index).
INPUT_BATCH = 2**20
INPUT_DELAY = 0.25
ANSWER_DELAY = 0.05
#: How much of the pages' HTML (characters) one Pagefind process indexes, a part of the index:
#: at its peak, when it builds the index, Pagefind holds about 50 bytes per character it was
#: given (3.5 GiB in one process for a 10,000-record site; 1.0 GiB per part of 20 Mi characters).
#: A site with more is indexed in parts, one process each, written one after another while the
#: pages arrive: the first part is the bundle, the others are bundles in it (``part-2/``, ...)
#: listed in ``PARTS_FILE``, whose results the search code merges (assets/search.js).
PART_CHARS = 14 * 2**20
#: The list of the index's other parts, in the bundle (read by assets/search.js).
PARTS_FILE = "cir-parts.json"
#: Where a staged index is written (``LiveIndex.finish``), under the site root, before it replaces the bundle.
STAGING_DIR = ".pagefind-next"
#: An answer of the service this large (bytes, decoded) is the index itself (GetFiles): before it is
#: parsed, the memory the engine freed meanwhile is given back to the system (adapters/memory.py),
#: or the parse, on the reader's thread, adds to the build's peak instead of reusing it.
LARGE_ANSWER = 4 * 2**20
#: Files of the index proper (the rest is Pagefind's search code: JavaScript and WebAssembly).
INDEX_SUFFIXES = (".pf_index", ".pf_fragment", ".pf_filter", ".pf_meta")


class SearchIndexError(Exception):
    """The index could not be built: the message says why and what to do."""


@dataclass(frozen=True)
class IndexStats:
    """What ``index_site`` did."""

    pages: int
    seconds: float
    #: processor time of the indexer (all its threads: more than ``seconds`` on several cores)
    cpu_seconds: float
    #: every file Pagefind wrote (index, filters, fragments, wasm, its JavaScript)
    files: int
    bytes: int
    #: the index proper: the chunks, fragments, filters and metadata readers fetch per query
    index_bytes: int
    #: the indexer's peak memory (resident, MiB; the largest of its processes'), where the system tells it (Linux)
    peak_mib: float | None = None
    #: how many parts the index is in (``PART_CHARS``)
    parts: int = 1

    def summary(self) -> str:
        """How the log states it: "2250 pages in 0.1 s after the pages (10.1 s CPU in all, ...)"."""
        peak = f", Pagefind's peak memory {self.peak_mib:.0f} MiB" if self.peak_mib is not None else ""
        parts = f" in {self.parts} parts" if self.parts > 1 else ""
        return (f"{self.pages} pages{parts} in {self.seconds:.1f} s after the pages "
                f"({self.cpu_seconds:.1f} s CPU in all{peak})")


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


def _bundle(site_dir: Path) -> Path:
    """``site_dir/pagefind``, checked to be absent or an earlier run's bundle (anything else there
    is the site's own, which the index must not overwrite)."""
    if not site_dir.is_dir():
        raise SearchIndexError(f"{site_dir} is not a folder: build the site first")
    out = site_dir / BUNDLE_DIR
    if out.exists() and not (out / "pagefind-entry.json").is_file():
        raise SearchIndexError(f"{out} exists and is not a Pagefind bundle: the index would overwrite it; "
                               f"rename it")
    return out


def _clear_bundle(site_dir: Path) -> Path:
    """``site_dir/pagefind``, emptied of an earlier run's bundle (its chunks would stay next to the new ones)."""
    out = _bundle(site_dir)
    if out.exists():
        shutil.rmtree(out)
    return out


def _stats(out: Path, seconds: float, cpu_seconds: float) -> IndexStats:
    files = [p for p in out.rglob("*") if p.is_file()]
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in files if p.name == "pagefind-entry.json"]
    return IndexStats(
        pages=sum(int(lang.get("page_count", 0)) for entry in entries for lang in entry.get("languages", {}).values()),
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        index_bytes=sum(p.stat().st_size for p in files if p.name.endswith(INDEX_SUFFIXES)),
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class LiveIndex:
    """A Pagefind index fed page by page while the site engine renders, written once it is done.

    Pagefind's indexing service runs as a second process, at a low priority, that parses each
    page as it arrives on a core the (single-threaded) engine leaves idle; ``finish`` has it
    build the index as soon as the last page is in, which an engine that renders pages in two
    passes (MkDocs: Markdown, then the theme) calls between them, so that the build hardly
    waits for the index at the end. A large site is indexed in parts (``PART_CHARS``): when a
    part is full, its process builds and writes it and stops while the next one takes the
    following pages, so that no process holds the whole site.

    The index is written to ``site_dir/pagefind/`` (emptied now), or with ``staged`` to a
    folder beside it that ``write`` puts in its place once complete, so that a site being
    served keeps its previous index until then.
    """

    def __init__(self, lang: str | None, site_dir: Path, *, staged: bool = False) -> None:
        self.site_dir = Path(site_dir)
        self.site_dir.mkdir(parents=True, exist_ok=True)  # (an engine may not have made it yet)
        if staged:
            self.out = self.site_dir / STAGING_DIR
            shutil.rmtree(self.out, ignore_errors=True)
        else:
            self.out = _clear_bundle(self.site_dir)
        self._lang = lang
        self._cpu = _children_cpu()
        self._parts: list[_Part] = []  # full parts, being written or written
        self._current: _Service | None = _Service(lang)  # (started now: a missing binary fails here)
        self.pages = 0
        self.cancelled = False
        self._finished = False
        self._closed = False

    def add(self, url: str, html: str) -> None:
        """Queue one page (its URL from the site root, e.g. ``/improvements/IMP-0001-x/``)."""
        if self._finished:
            raise SearchIndexError(f"{url}: a page added to the search index after it was finished")
        current = self._current
        if current is not None and current.pages and current.chars + len(html) > PART_CHARS:
            self._seal()
            current = None
        if current is None:
            if self.cancelled:
                raise SearchIndexError("the Pagefind service stopped: cancelled")
            current = self._current = _Service(self._lang)
        current.add(url, html)
        self.pages += 1

    def finish(self) -> None:
        """Have Pagefind build the index of the pages added so far and write it, in the
        background: no more pages may be added, and ``write`` waits for what is not done yet.
        Idempotent."""
        if not self._finished:
            self._finished = True
            if self._current is not None and (self._current.pages or not self._parts):
                self._seal()

    def write(self) -> IndexStats:
        """Write the index (``finish`` may have started it), wait for it and stop the services."""
        start = time.perf_counter()
        try:
            self.finish()
            for part in self._parts:
                part.wait()
        finally:
            self.close()
        failures = [failure for part in self._parts for failure in part.service.failures]
        if failures:
            raise SearchIndexError(f"Pagefind could not index {len(failures)} page(s): " + "; ".join(failures[:5]))
        if not self.pages:
            raise SearchIndexError(f"Pagefind failed: no page to index in {self.site_dir}")
        for part in self._parts:
            if not (part.folder / "pagefind-entry.json").is_file():
                raise SearchIndexError(f"Pagefind wrote no index to {part.folder}")
            _stabilise(part.folder)
        others = [part.folder.relative_to(self.out).as_posix() + "/" for part in self._parts[1:]]
        (self.out / PARTS_FILE).write_text(json.dumps({"parts": others}), encoding="utf-8")
        out = self.out
        if out.name == STAGING_DIR:
            final, old = self.site_dir / BUNDLE_DIR, self.site_dir / f"{STAGING_DIR}-old"
            shutil.rmtree(old, ignore_errors=True)
            if _bundle(self.site_dir).exists():
                final.rename(old)
            out.rename(final)
            shutil.rmtree(old, ignore_errors=True)
            out = final
        peaks = [part.peak for part in self._parts if part.peak is not None]
        return dataclasses.replace(_stats(out, time.perf_counter() - start, _children_cpu() - self._cpu),
                                   peak_mib=max(peaks) if peaks else None, parts=len(self._parts))

    def cancel(self) -> None:
        """Stop the services now, whatever they are doing (the index is not wanted any more); a
        ``write`` under way then fails, with ``cancelled`` set."""
        self.cancelled = True
        for service in self._services():
            service.cancel()
        self.close()

    def close(self) -> None:
        """Stop the services (each exits when its input ends); idempotent."""
        if self._closed:
            return
        self._closed = True
        for service in self._services():
            service.close()

    def _services(self) -> list[_Service]:
        return [part.service for part in self._parts] + ([self._current] if self._current is not None else [])

    def _seal(self) -> None:
        """The current part is complete: its process builds and writes it, in the background,
        once the part before it is written (one part is built at a time; the engine does not
        wait for it: its pages go on to the next part's process meanwhile)."""
        service, self._current = self._current, None
        assert service is not None
        number = len(self._parts) + 1
        folder = self.out if number == 1 else self.out / f"part-{number}"
        self._parts.append(_Part(folder, service, after=self._parts[-1] if self._parts else None))


class _Part:
    """A part of the index being built by its Pagefind process and written to ``folder`` (a
    whole Pagefind bundle: each part is searched with its own copy of Pagefind's code, see
    assets/search.js), on a thread of its own; the process stops when it is done. ``wait``
    waits for it (and raises what it raised)."""

    def __init__(self, folder: Path, service: _Service, after: _Part | None = None) -> None:
        self.folder, self.service, self._after = folder, service, after
        self.peak: float | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pagefind-files", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self._after is not None:
            self._after.wait(quiet=True)  # (its failure is its own: wait() reports it)
            self._after = None
        try:
            # GetFiles, not WriteFiles: Pagefind 1.5.2 answers WriteFiles before its writes are on
            # disk, so a process stopped then leaves files cut short (a WASM file that will not load;
            # seen in the tests; upstream flushes each file since, pagefind/src/output/mod.rs)
            answer = self.service.call({"type": "GetFiles", "index_id": self.service.index})
            self.peak = peak_mib(self.service.pid)  # (while the process is there to ask)
            _write_files(self.folder, answer)
            del answer
            self.service.close()
        except BaseException as exc:  # handed to the caller of wait()
            self._error = exc

    def wait(self, *, quiet: bool = False) -> None:
        self._thread.join()
        if self._error is not None and not quiet:
            raise self._error


@functools.cache
def _low_priority() -> tuple[str, ...]:
    """The command that starts the Pagefind service at the lowest priority there is, so that its
    threads take the time the engine leaves idle rather than the engine's: Linux's idle class
    (``chrt --idle``, where the system allows it: a 2,000-record build's thread was preempted
    85-140 times, 300-560 times with ``nice -n 10``), else ``nice``, else nothing."""
    chrt = shutil.which("chrt")
    if chrt and subprocess.run([chrt, "--idle", "0", "true"], capture_output=True, check=False).returncode == 0:
        return (chrt, "--idle", "0")
    return (nice, "-n", "10") if (nice := shutil.which("nice")) else ()


class _Service:
    """One Pagefind indexing service (a process) and one index in it.

    The messages are Pagefind's service protocol (base64 JSON, comma-separated, over stdin and
    stdout), spoken here directly: the ``pagefind`` package's asyncio client reads one answer per
    100 ms, which costs minutes on a large site. Pages are handed to the service by a thread of
    their own (``OUTBOX_LIMIT``): the engine does not wait on the pipe while the service is behind.
    """

    def __init__(self, lang: str | None) -> None:
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - the service's stderr, closed in close()
        try:
            self._proc = subprocess.Popen([*_low_priority(), str(executable()), "--service"],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors)
        except OSError as exc:
            raise SearchIndexError(f"cannot start Pagefind: {exc}") from None
        self.pid = self._proc.pid
        self._lock = threading.Condition()
        self._answers: dict[int, dict[str, Any]] = {}
        self._ended = False  # the service's output has ended (it stopped)
        self._waiting: set[int] = set()
        self.failures: list[str] = []
        self._last = 0
        self._closed = False
        self.pages = 0
        self.chars = 0
        self.cancelled = False
        self._reader = threading.Thread(target=self._read, name="pagefind-service", daemon=True)
        self._reader.start()
        self._start_input()
        config: dict[str, Any] = {"exclude_selectors": list(EXCLUDE_SELECTORS)}
        if lang:
            config["force_language"] = lang
        self.index = int(self.call({"type": "NewIndex", "config": config})["index_id"])

    def _start_input(self) -> None:
        """The outbox of messages and the thread that hands them to the service's input."""
        self._outbox: deque[bytes | None] = deque()  # messages to send; None: the end of the input
        self._queued = 0  # bytes in the outbox or being written
        self._pending = 0  # bytes in the outbox
        self._flush = False  # a message in the outbox is to be sent now (a call, the end of the input)
        self._input_failed = False  # the service stopped reading (it stopped)
        self._room = threading.Condition()
        self._writer = threading.Thread(target=self._write_input, name="pagefind-input", daemon=True)
        self._writer.start()

    def add(self, url: str, html: str) -> None:
        self._send({"type": "AddFile", "index_id": self.index, "url": url, "file_contents": html, "file_path": None})
        self.pages += 1
        self.chars += len(html)

    def cancel(self) -> None:
        """Stop the service now, whatever it is doing; a call under way then fails, saying so."""
        self.cancelled = True
        if self._proc.poll() is None:
            self._proc.kill()
        self.close()

    def close(self) -> None:
        """Stop the service (it exits when its input ends); idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        with self._room:  # the input ends after what is queued (the writer closes it)
            self._outbox.append(None)
            self._flush = True
            self._room.notify_all()
        try:
            self._proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._writer.join(timeout=10)
        self._reader.join(timeout=10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._errors.close()

    def _send(self, payload: dict[str, Any], wait: bool = False) -> int:
        with self._lock:
            if self._closed or self._proc.poll() is not None:
                raise SearchIndexError(f"the Pagefind service stopped: {self._stderr()}")
            self._last += 1
            message = self._last
            if wait:
                self._waiting.add(message)
        data = json.dumps({"message_id": message, "payload": payload}, ensure_ascii=False).encode("utf-8")
        encoded = base64.b64encode(data) + b","
        with self._room:
            while self._queued > OUTBOX_LIMIT and not self._input_failed:
                self._room.wait()
            if self._input_failed:
                raise SearchIndexError(f"the Pagefind service stopped: {self._stderr()}")
            started = not self._outbox
            self._outbox.append(encoded)
            self._queued += len(encoded)
            self._pending += len(encoded)
            self._flush = self._flush or wait
            if started or wait or self._pending >= INPUT_BATCH:  # (the writer times a batch from its first message)
                self._room.notify_all()
        return message

    def _write_input(self) -> None:
        """Hand the queued messages to the service, in order and in batches (``INPUT_BATCH``),
        until the input ends."""
        stdin = self._proc.stdin
        assert stdin is not None
        while True:
            with self._room:
                while not self._outbox:
                    self._room.wait()
                due = time.monotonic() + INPUT_DELAY
                while not (self._flush or self._pending >= INPUT_BATCH) and (left := due - time.monotonic()) > 0:
                    self._room.wait(left)
                batch: list[bytes] = []
                size, end = 0, False
                while self._outbox and size < INPUT_BATCH:  # (a backlog goes in several writes, not one copy of it)
                    item = self._outbox.popleft()
                    if item is None:
                        end = True  # (the end of the input is the last message there is)
                        break
                    batch.append(item)
                    size += len(item)
                self._pending -= size
                self._flush = self._flush and bool(self._outbox)
            data = b"".join(batch)
            del batch
            try:
                if data:
                    stdin.write(data)
                    stdin.flush()
                if end:
                    stdin.close()
                    return
            except (OSError, ValueError):  # the service stopped (or was stopped: cancel)
                with self._room:
                    self._input_failed = True
                    self._outbox.clear()
                    self._queued = self._pending = 0
                    self._room.notify_all()
                with contextlib.suppress(OSError, ValueError):
                    stdin.close()
                return
            with self._room:
                self._queued -= len(data)
                self._room.notify_all()

    def call(self, payload: dict[str, Any]) -> dict[str, Any]:
        message = self._send(payload, wait=True)
        with self._lock:
            while message not in self._answers:
                # (_ended, not only poll(): poll() says nothing while cancel() waits for the process)
                if self._ended or self._proc.poll() is not None:
                    raise SearchIndexError(f"the Pagefind service stopped: {self._stderr()}")
                self._lock.wait(timeout=1)
            answer = self._answers.pop(message)
        if answer.get("type") == "Error":
            raise SearchIndexError(f"Pagefind: {answer.get('message')}")
        return answer

    def _read(self) -> None:
        assert self._proc.stdout is not None
        stdout = self._proc.stdout.fileno()
        # One answer may hold the whole index (tens of megabytes at 10,000 pages, base64 twice
        # over): its base64 is decoded as it arrives, four characters at a time, so that only
        # the decoded message is ever held whole, not beside its encoded form.
        pending, decoded = bytearray(), bytearray()
        while chunk := os.read(stdout, 1 << 20):
            if not self._waiting:  # (only the answers to pages: let them gather, see ANSWER_DELAY)
                time.sleep(ANSWER_DELAY)
            chunk = chunk.translate(None, b" \t\r\n")  # (counted in fours: nothing else in between)
            start = 0
            while (comma := chunk.find(b",", start)) >= 0:
                pending += chunk[start:comma]
                decoded += binascii.a2b_base64(pending)
                pending.clear()
                if len(decoded) > LARGE_ANSWER:
                    give_back()  # (the whole index: its strings are about to be made, on this thread)
                self._answer(decoded)
                decoded = bytearray()
                start = comma + 1
            pending += chunk[start:]
            if (whole := len(pending) - len(pending) % 4) > 0:
                with memoryview(pending) as view, view[:whole] as part:
                    decoded += binascii.a2b_base64(part)
                del pending[:whole]
        with self._lock:
            self._ended = True
            self._lock.notify_all()

    def _answer(self, data: bytearray) -> None:
        """Hand one decoded message of the service to whoever waits for it."""
        reply = json.loads(data)
        del data[:]  # (the caller's buffer: the parsed answer replaces it)
        payload, message = reply.get("payload") or {}, reply.get("message_id")
        with self._lock:
            if message in self._waiting:
                self._waiting.discard(message)
                self._answers[message] = payload
                self._lock.notify_all()
            elif payload.get("type") == "Error":
                self.failures.append(str(payload.get("message")))

    def _stderr(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self._errors.closed:
            return f"exit {self._proc.poll()}"
        self._errors.seek(0)
        return self._errors.read().decode("utf-8", "replace").strip()[-2000:] or f"exit {self._proc.poll()}"


def _write_files(out: Path, answer: dict[str, Any]) -> None:
    """Write the files of a ``GetFiles`` answer to ``out``."""
    made: set[Path] = set()
    for item in answer.get("files") or []:
        name = Path(str(item["path"]))
        if name.is_absolute() or ".." in name.parts:
            raise SearchIndexError(f"Pagefind returned a file outside its folder: {name}")
        target = out / name
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(base64.b64decode(item["content"]))


_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z0-9-]+)""", re.IGNORECASE)


def index_site(site_dir: Path, lang: str | None = None) -> IndexStats:
    """Index the built site in ``site_dir`` into ``site_dir/pagefind/`` (replaced), as one index in
    ``lang`` (the portal's language; None: per page, from ``<html lang>``).

    Its HTML pages are read in the order of their paths; when some mark their content
    (``data-pagefind-body``), only those are indexed (Pagefind's own rule, kept here across the
    parts of a large site's index), and of the portal's pages only the part the portal marks
    (``indexed_part``), which is all Pagefind reads of them."""
    site_dir = Path(site_dir)
    _bundle(site_dir)
    skip = {BUNDLE_DIR, STAGING_DIR, f"{STAGING_DIR}-old"}
    pages = sorted(p for p in site_dir.rglob("*.html")
                   if p.is_file() and p.relative_to(site_dir).parts[0] not in skip)
    live = LiveIndex(lang, site_dir)

    def add(path: Path, text: str) -> None:
        rel = path.relative_to(site_dir).as_posix()
        url = "/" + (rel[:-len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)
        page_lang = lang or ((found := _HTML_LANG.search(text)) and found.group(1)) or ""
        live.add(url, (indexed_part(text, page_lang) if page_lang else None) or text)

    try:
        unmarked: list[Path] = []  # indexed only if no page is marked (read again then)
        for path in pages:
            data = path.read_bytes()
            if b"data-pagefind-body" in data:
                add(path, data.decode("utf-8", errors="replace"))
            else:
                unmarked.append(path)
        if len(unmarked) == len(pages):
            for path in unmarked:
                add(path, path.read_text(encoding="utf-8", errors="replace"))
        return live.write()
    except BaseException:
        live.close()
        raise


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
