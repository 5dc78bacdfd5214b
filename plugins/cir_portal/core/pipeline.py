"""The register pipeline: configuration, every record file, validation, the model.

``load_register`` is the one entry point the CLI, the MkDocs plugin and tests use.
Per-file work (parse and the checks that depend only on the file and the configuration)
is cached by content hash in ``.cir-cache/``, so re-validating an unchanged register
reads the files but parses none of them.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

from cir_portal.core.config import Config, Project, load_config
from cir_portal.core.files import scan_content
from cir_portal.core.issues import Issue
from cir_portal.core.loading import SourceFile, read_source, record_files
from cir_portal.core.model import Register, build_register
from cir_portal.core.publishing import publish, visible
from cir_portal.core.validation import References, check_record, recheck_register

CACHE_DIR = ".cir-cache"
_CACHE_FILE = "validate.marshal"
_CACHE_FORMAT = 2
Progress = Callable[[int, int], None]


@dataclass
class LoadResult:
    """What loading a project produced. ``config`` is None when the configuration is unusable."""

    project: Project
    config: Config | None
    sources: list[SourceFile] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    register: Register | None = None
    cache_hits: int = 0
    #: entries of content/ that are never read (links out of the project, FIFOs, loops), relative to the root
    unsafe: set[str] = field(default_factory=set)
    #: record files (relative to the root) that the register was not published with: their
    #: visibility is above the audience (or, in a register with errors, unknown)
    unpublished: set[str] = field(default_factory=set)
    #: each record file's content hash (path relative to the root -> digest): what changed since a previous load
    digests: dict[str, bytes] = field(default_factory=dict)
    #: a digest of site_config/ and schemas/, and the issues their loading found (reused by the next load)
    config_inputs: bytes = b""
    config_issues: list[Issue] = field(default_factory=list)
    #: what the check across records found of each record's references (reused by the next load)
    references: References | None = None
    #: when this load began (ns since the epoch), and each record file's status then (see ``_status``)
    started_ns: int = 0
    statuses: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def _code_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    here = Path(__file__).parent
    for name in ("loading.py", "schemas.py", "config.py", "validation.py", "pipeline.py", "issues.py", "files.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


class _Cache:
    """Per-file results keyed by the file's bytes, valid for one configuration and code version."""

    def __init__(self, root: Path, key: str, enabled: bool) -> None:
        self.path = root / CACHE_DIR / _CACHE_FILE
        self.key, self.enabled = key, enabled
        # rel -> (digest, data, issues as tuples): plain values, so marshal can store them
        # (several times faster than pickle for a large register).
        self.old: dict[str, tuple[bytes, Any, list[tuple[Any, ...]]]] = {}
        self.new: dict[str, tuple[bytes, Any, list[tuple[Any, ...]]]] = {}
        if enabled:
            try:
                stored = marshal.loads(self.path.read_bytes())
                if stored.get("format") == _CACHE_FORMAT and stored.get("key") == key:
                    self.old = stored["entries"]
            except (OSError, EOFError, AttributeError, KeyError, TypeError, ValueError):
                self.old = {}

    def get(self, rel: str, digest: bytes) -> tuple[Any, list[Issue]] | None:
        entry = self.old.get(rel)
        if entry is not None and entry[0] == digest:
            self.new[rel] = entry
            return entry[1], [Issue(*fields) for fields in entry[2]]
        return None

    def put(self, rel: str, digest: bytes, data: Any, issues: list[Issue]) -> None:
        self.new[rel] = (digest, data, [astuple(i) for i in issues])

    def save(self) -> None:
        if not self.enabled or self.new == self.old:
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            gitignore = self.path.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps({"format": _CACHE_FORMAT, "key": self.key, "entries": self.new}))
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written is only slower


#: (index, kind, path, rel, bytes or None if unreadable, digest)
_Job = tuple[int, str, Path, str, bytes | None, bytes]
#: Below this many files to parse, one process is faster than starting workers.
PARALLEL_MIN = 400
#: What forked workers inherit instead of receiving it pickled: the configuration (its
#: compiled schemas cannot be pickled) and the files' bytes.
_FORK_STATE: tuple[Config, list[_Job]] | None = None


def _check_one(config: Config, job: _Job) -> tuple[SourceFile, list[Issue]]:
    _, kind, path, rel, raw, _ = job
    src = read_source(path, rel, kind, raw)
    return src, src.issues + check_record(src, config)


def _check_chunk(bounds: tuple[int, int]) -> list[tuple[int, Any, list[tuple[Any, ...]]]]:
    """Worker: parse and check jobs[start:stop]; return plain values only."""
    assert _FORK_STATE is not None
    config, jobs = _FORK_STATE
    out = []
    for i in range(*bounds):
        src, issues = _check_one(config, jobs[i])
        out.append((i, src.data, [astuple(issue) for issue in issues]))
    return out


def _workers(requested: int, jobs: int) -> int:
    """How many processes to parse with: ``requested`` (0 = one per core), within reason."""
    if jobs < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(requested or cores, cores, 8))


def _check_files(config: Config, jobs: list[_Job], progress: Progress | None, done: int,
                 total: int, workers: int) -> Iterator[tuple[_Job, SourceFile, list[Issue]]]:
    """Parse and check every job, in ``workers`` forked processes for a large register."""
    workers = _workers(workers, len(jobs))
    if workers == 1:
        for job in jobs:
            src, issues = _check_one(config, job)
            done += 1
            if progress is not None and (done % 250 == 0 or done == total):
                progress(done, total)
            yield job, src, issues
        return
    global _FORK_STATE
    _FORK_STATE = (config, jobs)
    size = max(50, len(jobs) // (workers * 8))
    chunks = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk in pool.imap(_check_chunk, chunks):
                for i, data, issue_fields in chunk:
                    job = jobs[i]
                    _, kind, path, rel, raw, _ = job
                    src = read_source(path, rel, kind, raw, parse=False)
                    src.data = data
                    yield job, src, [Issue(*fields) for fields in issue_fields]
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    finally:
        _FORK_STATE = None


def _config_inputs(project: Project) -> bytes:
    """A digest of the files the configuration is read from (site_config/*.yml, schemas/*.json)."""
    h = hashlib.blake2b(digest_size=20)
    for folder, pattern in ((project.site_config, "*.yml"), (project.schemas, "*.json")):
        for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
            h.update(path.name.encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(b"\1unreadable")
    return h.digest()


#: How long before a load began a file must have last changed for that load's look at its
#: status to tell the next load whether it changed: a change after the load gives it a later time
#: even where the system keeps times by the tick, or (FAT) by two seconds.
STATUS_MARGIN_NS = 3 * 10**9


def _status(path: Path) -> tuple[int, int, int, int] | None:
    """What a file's content cannot change without changing: size, modification and status-change
    times, inode (an editor that saves by renaming gives a new one)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _unchanged(status: tuple[int, int, int, int], previous: LoadResult, rel: str) -> bool:
    """Whether a record file is known unchanged since the ``previous`` load without reading it:
    the same status, last changed well before that load began (so not while or after it read it)."""
    return (previous.statuses.get(rel) == status and rel in previous.digests
            and max(status[1], status[2]) < previous.started_ns - STATUS_MARGIN_NS)


def load_register(project: Project, *, use_cache: bool = True, progress: Progress | None = None,
                  model: bool = True, workers: int = 1, audience: str | None = None,
                  previous: LoadResult | None = None) -> LoadResult:
    """Load, validate and (unless ``model`` is false) model the whole register of ``project``.

    ``workers`` > 1 (or 0 for one per core) parses files in forked processes when there
    are many to parse. With an ``audience`` the register holds only what that audience is
    published (publishing.py); validation covers every record either way. With the
    ``previous`` result of the same project (live preview), a file whose bytes did not
    change keeps its parsed source and its record object (so that "same object" means "same
    content" to whoever compares the two registers), and an unchanged configuration is not
    read again.

    Bad content never raises: it becomes issues. The model holds only the records that
    validated; when there are errors the caller decides whether to publish anyway.
    """
    inputs = _config_inputs(project)
    config: Config | None
    if previous is not None and previous.config is not None and previous.config_inputs == inputs:
        config, config_issues = previous.config, previous.config_issues
    else:
        config, config_issues = load_config(project)
        previous = None  # another configuration: nothing checked with the old one is reused
    result = LoadResult(project, config, issues=list(config_issues), config_inputs=inputs, config_issues=config_issues)
    if config is None:
        return result
    scan = scan_content(project)
    result.issues.extend(scan.issues)
    result.unsafe = scan.unsafe
    files = [(kind, path, rel) for kind, path in record_files(project.content)
             if (rel := project.rel(path)) not in scan.unsafe]
    # A previous load in this process stands in for the on-disk cache (and does not rewrite it).
    cache = _Cache(project.root, config.fingerprint + _code_digest(), use_cache and previous is None)
    known = {s.rel: s for s in previous.sources} if previous is not None else {}
    total = len(files)
    sources: list[SourceFile | None] = [None] * total
    jobs: list[_Job] = []
    result.started_ns = time.time_ns()
    for n, (kind, path, rel) in enumerate(files):
        status = _status(path)
        if status is not None:
            result.statuses[rel] = status  # (taken before the read: a change after it shows next time)
            if previous is not None and rel in known and _unchanged(status, previous, rel):
                sources[n] = known[rel]
                result.digests[rel] = previous.digests[rel]
                result.cache_hits += 1
                continue
        try:
            raw: bytes | None = path.read_bytes()
        except OSError:
            raw = None
        digest = hashlib.blake2b(raw, digest_size=20).digest() if raw is not None else b""
        result.digests[rel] = digest
        same = known.get(rel) if raw is not None and previous is not None and previous.digests.get(rel) == digest else None
        hit = cache.get(rel, digest) if raw is not None and same is None else None
        if same is not None:
            sources[n] = same
            result.cache_hits += 1
        elif hit is not None:
            src = read_source(path, rel, kind, raw, parse=False)
            src.data, src.issues = hit
            sources[n] = src
            result.cache_hits += 1
        else:
            jobs.append((n, kind, path, rel, raw, digest))
    done = total - len(jobs)
    if progress is not None and done:
        progress(done, total)
    for job, src, issues in _check_files(config, jobs, progress, done, total, workers):
        n, _, _, rel, raw, digest = job
        src.issues = issues
        sources[n] = src
        if raw is not None:
            cache.put(rel, digest, src.data, issues)
    cache.save()
    result.sources = [s for s in sources if s is not None]
    for src in result.sources:
        result.issues.extend(src.issues)
    across, result.references = recheck_register(result.sources, config,
                                                  previous.references if previous is not None else None)
    result.issues.extend(across)
    result.issues.sort(key=lambda i: i.sort_key)
    if not model:
        return result
    bad = {i.path for i in result.issues if i.severity == "error"}
    reuse = {}
    if previous is not None and previous.register is not None and previous.register.audience == (audience or ""):
        # (the previous register is the published one: its records are redacted for this audience already)
        reuse = {r.rel: r for r in previous.register.all()
                 if previous.digests.get(r.rel) == result.digests.get(r.rel) and r.rel in known}
    result.register = build_register(config, project, [s for s in result.sources if s.data is not None and s.rel not in bad],
                                     reuse=reuse)
    if audience is not None:
        result.register = publish(result.register, audience)
        published = {r.rel for r in result.register.all()}
        result.unpublished = {s.rel for s in result.sources if s.rel not in published
                              and (s.rel not in bad or s.data is None or not visible(s.data, config, audience))}
    return result
