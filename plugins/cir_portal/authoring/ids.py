"""Record ids and file names: the one id allocator and slugger every writer uses.

``cir new``, ``cir import``, ``cir renumber`` and ``cir gaps --write`` take ids from an
:class:`IdAllocator` made by :func:`allocator`: above every id in the working tree (front
matter and file names, so a broken file's id is not handed out again) and every id
reserved on the default branch and ``--against`` refs. File names come from
:func:`record_path`: the id and a slug of the title (pinyin for Chinese).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cir_portal.core.config import Project
from cir_portal.core.loading import KIND_FOLDERS
from cir_portal.core.pipeline import LoadResult

SLUG_WORDS = 6
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")



class IdAllocator:
    """Hands out ``PREFIX-nnnn`` ids above every id taken when it was made (gaps are never
    refilled: a deleted record's id may still be cited somewhere). Ids taken later (a
    spreadsheet row's own id) are skipped, not jumped over."""

    def __init__(self, prefix: str, digits: int, taken: Iterable[str]) -> None:
        self.prefix, self.digits = prefix, digits
        self.pattern = re.compile(rf"{re.escape(prefix)}-(\d+)")
        self.taken = set(taken)
        self.last = max((int(m.group(1)) for rid in self.taken if (m := self.pattern.fullmatch(rid))), default=0)

    def is_free(self, rid: str) -> bool:
        return rid not in self.taken

    def valid(self, rid: str) -> bool:
        return bool(re.fullmatch(rf"{re.escape(self.prefix)}-\d{{{self.digits},}}", rid))

    def take(self, rid: str) -> None:
        self.taken.add(rid)

    def next(self) -> str:
        while True:
            self.last += 1
            rid = f"{self.prefix}-{self.last:0{self.digits}d}"
            if rid not in self.taken:
                self.taken.add(rid)
                return rid


def local_ids(result: LoadResult) -> set[str]:
    """Ids in the working tree: from front matter and from file names (which may disagree in a broken file)."""
    from cir_portal.authoring.collisions import ID_IN_NAME

    ids = set()
    for src in result.sources:
        rid = src.data.get("id") if src.data else None
        if isinstance(rid, str):
            ids.add(rid)
        match = ID_IN_NAME.match(src.path.name)
        if match:
            ids.add(match.group(1))
    for rel in result.unsafe:  # links and FIFOs are never read, but their names are taken
        match = ID_IN_NAME.match(Path(rel).name)
        if match:
            ids.add(match.group(1))
    return ids


def allocator(result: LoadResult, kind: str, reserved: Iterable[str] = ()) -> IdAllocator:
    """An allocator for ``kind`` that avoids local ids and ``reserved`` (ids on the default branch)."""
    assert result.config is not None
    prefix, digits = result.config.portal.id_prefixes[kind]
    return IdAllocator(prefix, digits, local_ids(result) | set(reserved))


# --- slugs ---------------------------------------------------------------------------------------


def _words(title: str) -> list[str]:
    """Title to lowercase ASCII words; Chinese words become pinyin (``密码重置`` -> ``mima``, ``chongzhi``)."""
    text = unicodedata.normalize("NFKC", title)
    tokens: list[str] = [text]
    pinyin: Any = None
    if _CJK.search(text):
        try:
            import jieba
            from pypinyin import lazy_pinyin

            jieba.setLogLevel(logging.WARNING)
            tokens, pinyin = list(jieba.cut(text)), lazy_pinyin
        except ImportError:  # pragma: no cover - both are dependencies; without them the slug is the id alone
            tokens = [_CJK.sub(" ", text)]
    words: list[str] = []
    for token in tokens:
        if pinyin is not None and _CJK.search(token):
            token = "".join(p for p in pinyin(token) if p.isascii())
        ascii_ = unicodedata.normalize("NFKD", token).encode("ascii", "ignore").decode().lower()
        words.extend(w for w in re.split(r"[^a-z0-9]+", ascii_) if w)
    return words


def slugify(title: str, max_words: int = SLUG_WORDS) -> str:
    """A file-name slug: lowercase ASCII words joined by ``-``, at most ``max_words``; may be empty."""
    return "-".join(_words(title)[:max_words])[:60].strip("-")


def record_path(project: Project, kind: str, rid: str, title: str) -> Path:
    """``content/<folder>/<id>-<slug>.md``, or ``<id>.md`` when the title gives no slug."""
    slug = slugify(title)
    return project.content / KIND_FOLDERS[kind] / (f"{rid}-{slug}.md" if slug else f"{rid}.md")
