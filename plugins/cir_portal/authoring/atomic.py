"""Atomic, all-or-nothing file writes: the one way every command writes a record.

``cir new``, ``cir import``, ``cir move``, ``cir renumber`` and ``cir gaps --write`` all go
through ``write_files``. Every change is prepared first (a temporary file next to its
target); only when all are ready are they moved into place with ``os.replace``, so a
reader never sees half a file. If one move fails, the files already replaced get their
old bytes back and the files already created are removed: the register is left as it was
(a record under two ids, or references split between them, cannot happen).

A target that is a symbolic link or a read-only file is refused before anything is
written: replacing it would quietly turn a link into a copy, or override a decision to
protect the file. A replaced file keeps its permission bits; a new one gets the usual
``0666 & ~umask``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


class WriteRefused(Exception):
    """A file that must not or cannot be written; the message names it and says what to do."""


@dataclass(frozen=True)
class FileWrite:
    """One file to write. ``create``: the file must not exist yet (records are never overwritten).
    ``remove``: a file to delete once every write succeeded (the old name of a renamed record)."""

    path: Path
    data: bytes
    create: bool = False
    remove: Path | None = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _shown(path: Path, rel: Callable[[Path], str] | None) -> str:
    return rel(path) if rel is not None else str(path)


def check_target(path: Path, *, create: bool = False, rel: Callable[[Path], str] | None = None) -> int | None:
    """The permission bits to give the new file at ``path`` (None: a new file's default), or a
    :class:`WriteRefused` saying why it must not be written."""
    name = _shown(path, rel)
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteRefused(f"{name}: cannot be checked ({exc.strerror}); nothing was written") from exc
    if create:
        raise WriteRefused(f"{name} already exists and records are never overwritten; nothing was written")
    if stat.S_ISLNK(info.st_mode):
        raise WriteRefused(f"{name} is a symbolic link; cir does not replace links with copies, so nothing was written. "
                           "Edit the file it points to by hand, or replace the link with the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused(f"{name} is not a regular file; nothing was written")
    if not info.st_mode & 0o222:
        raise WriteRefused(f"{name} is read-only; nothing was written. Make it writable (chmod u+w) if it may be "
                           "changed, then run the command again")
    return stat.S_IMODE(info.st_mode)


def _temp_for(path: Path, data: bytes, mode: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_files(writes: Sequence[FileWrite], *, rel: Callable[[Path], str] | None = None) -> None:
    """Write every file of ``writes`` or none of them (see the module docstring).

    Raises :class:`WriteRefused` (nothing written) when a target is a link, read-only, or
    exists although it is to be created, or when a write fails (what was written is undone).
    """
    default_mode = 0o666 & ~_umask()
    modes: list[int] = []
    for w in writes:
        mode = check_target(w.path, create=w.create, rel=rel)
        modes.append(default_mode if mode is None else mode)
        if w.remove is not None and w.remove != w.path:
            check_target(w.remove, rel=rel)
    temps: list[Path] = []
    before: list[bytes | None] = []  # each target's bytes now (None: it is new), to undo a failed run
    try:
        for w, mode in zip(writes, modes, strict=True):
            before.append(None if w.create or not w.path.exists() else w.path.read_bytes())
            temps.append(_temp_for(w.path, w.data, mode))
    except OSError as exc:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        where = _shown(writes[len(before) - 1].path, rel)
        raise WriteRefused(f"cannot write {where}: {exc.strerror or exc}; nothing was written") from exc
    originals: list[tuple[Path, bytes | None, int]] = []  # what to put back: (path, old bytes or None if new, mode)
    removed: list[tuple[Path, bytes, int]] = []
    try:
        for w, tmp, mode, old in zip(writes, temps, modes, before, strict=True):
            if w.create:
                _place_new(tmp, w.path)
            else:
                os.replace(tmp, w.path)
            originals.append((w.path, old, mode))
        for w in writes:
            if w.remove is not None and w.remove != w.path and w.remove.exists():
                old_bytes = w.remove.read_bytes()
                old_mode = stat.S_IMODE(w.remove.stat().st_mode)
                w.remove.unlink()
                removed.append((w.remove, old_bytes, old_mode))
    except OSError as exc:
        failed = next((w.path for w in writes if w.path not in {p for p, _, _ in originals}), None)
        _undo(originals, removed)
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        where = _shown(failed, rel) if failed is not None else "a renamed file"
        raise WriteRefused(f"cannot write {where}: {exc.strerror or exc}; every file was restored as it was") from exc


def _place_new(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` unless ``path`` exists (a file that appeared meanwhile is never replaced)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError:  # a file system without hard links
        if path.exists():
            tmp.unlink(missing_ok=True)
            raise FileExistsError(17, "File exists", str(path)) from None
        os.replace(tmp, path)
        return
    tmp.unlink(missing_ok=True)


def _undo(originals: list[tuple[Path, bytes | None, int]], removed: list[tuple[Path, bytes, int]]) -> None:
    """Put back what ``write_files`` changed before it failed (best effort, newest first)."""
    for path, data, mode in reversed(removed):
        with contextlib.suppress(OSError):
            os.replace(_temp_for(path, data, mode), path)
    for path, old, mode in reversed(originals):
        try:
            if old is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(_temp_for(path, old, mode), path)
        except OSError:
            pass


def write_file(path: Path, data: bytes, *, create: bool = False, rel: Callable[[Path], str] | None = None) -> None:
    """One file, atomically (see :func:`write_files`)."""
    write_files([FileWrite(path, data, create=create)], rel=rel)
