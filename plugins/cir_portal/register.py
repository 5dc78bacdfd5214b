"""The register pipeline: configuration, every record file, validation, the model.

``load_register`` is the one entry point the CLI, the MkDocs plugin and tests use.
Per-file work (parse and the checks that depend only on the file and the configuration)
is cached by content hash in ``.cir-cache/``, so re-validating an unchanged register
reads the files but parses none of them.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, Project, load_config
from .issues import Issue
from .loading import SourceFile, read_source, record_files
from .model import Register, build_register
from .validation import check_record, check_register

CACHE_DIR = ".cir-cache"
_CACHE_FILE = "validate.pickle"
_CACHE_FORMAT = 1
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

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def _code_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    here = Path(__file__).parent
    for name in ("loading.py", "schemas.py", "config.py", "validation.py", "register.py", "issues.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


class _Cache:
    """Per-file results keyed by the file's bytes, valid for one configuration and code version."""

    def __init__(self, root: Path, key: str, enabled: bool) -> None:
        self.path = root / CACHE_DIR / _CACHE_FILE
        self.key, self.enabled = key, enabled
        self.old: dict[str, tuple[bytes, Any, list[Issue]]] = {}
        self.new: dict[str, tuple[bytes, Any, list[Issue]]] = {}
        if enabled:
            try:
                with self.path.open("rb") as f:
                    stored = pickle.load(f)
                if stored.get("format") == _CACHE_FORMAT and stored.get("key") == key:
                    self.old = stored["entries"]
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, TypeError, ValueError):
                self.old = {}

    def get(self, rel: str, digest: bytes) -> tuple[Any, list[Issue]] | None:
        entry = self.old.get(rel)
        if entry is not None and entry[0] == digest:
            self.new[rel] = entry
            return entry[1], entry[2]
        return None

    def put(self, rel: str, digest: bytes, data: Any, issues: list[Issue]) -> None:
        self.new[rel] = (digest, data, issues)

    def save(self) -> None:
        if not self.enabled or self.new == self.old:
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            gitignore = self.path.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as f:
                pickle.dump({"format": _CACHE_FORMAT, "key": self.key, "entries": self.new}, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written is only slower


def load_register(project: Project, *, use_cache: bool = True, progress: Progress | None = None) -> LoadResult:
    """Load, validate and model the whole register of ``project``.

    Bad content never raises: it becomes issues. The model holds only the records that
    validated; when there are errors the caller decides whether to publish anyway.
    """
    config, config_issues = load_config(project)
    result = LoadResult(project, config, issues=list(config_issues))
    if config is None:
        return result
    files = list(record_files(project.content))
    cache = _Cache(project.root, config.fingerprint + _code_digest(), use_cache)
    per_file: dict[str, list[Issue]] = {}
    total = len(files)
    for n, (kind, path) in enumerate(files, 1):
        rel = project.rel(path)
        try:
            raw = path.read_bytes()
        except OSError:
            raw = None
        digest = hashlib.blake2b(raw, digest_size=20).digest() if raw is not None else b""
        hit = cache.get(rel, digest) if raw is not None else None
        if hit is not None:
            src = read_source(path, rel, kind, raw, parse=False)
            src.data, issues = hit
            result.cache_hits += 1
        else:
            src = read_source(path, rel, kind, raw)
            issues = src.issues + check_record(src, config)
            if raw is not None:
                cache.put(rel, digest, src.data, issues)
        src.issues = issues
        per_file[rel] = issues
        result.sources.append(src)
        if progress is not None and (n % 250 == 0 or n == total):
            progress(n, total)
    cache.save()
    for issues in per_file.values():
        result.issues.extend(issues)
    result.issues.extend(check_register(result.sources, config))
    result.issues.sort(key=lambda i: i.sort_key)
    bad = {i.path for i in result.issues if i.severity == "error"}
    result.register = build_register(config, project, [s for s in result.sources if s.data is not None and s.rel not in bad])
    return result
