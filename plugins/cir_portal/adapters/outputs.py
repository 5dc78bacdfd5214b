"""The previous build's output folder, kept for the next build of a live preview.

An engine that cleans its output folder before every build (``mkdocs serve`` does) would
write every page again, and deleting thousands of page folders alone takes seconds on some
file systems. ``PreviousOutput`` moves the whole output folder aside before the engine
cleans it (a rename: instant), moves the files the rebuild does not write again back from it
(renames: no copy, no memory), and deletes what is left in a background thread, off the path
of the rebuild.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path


class PreviousOutput:
    """The output folder of the last build, set aside while the next one is written."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self._serial = 0
        self._deleting: list[threading.Thread] = []

    def set_aside(self, site_dir: Path) -> None:
        """Move ``site_dir`` aside and leave an empty one in its place (before the engine cleans it)."""
        self.discard()
        if not site_dir.is_dir():
            return
        self._serial += 1
        aside = site_dir.with_name(f"{site_dir.name}.cir-previous-{os.getpid()}-{self._serial}")
        try:
            os.rename(site_dir, aside)
            site_dir.mkdir()
        except OSError:
            if aside.exists() and not site_dir.exists():
                os.rename(aside, site_dir)  # put it back: the engine cleans it the slow way
            return
        self.folder = aside

    def has(self, rel: str) -> bool:
        return self.folder is not None and (self.folder / rel).is_file()

    def restore(self, site_dir: Path, paths: Iterable[str]) -> list[str]:
        """Move the files ``paths`` (relative to the output folder) back from the previous build
        (the set-aside folder is deleted afterwards anyway); returns those it could not.

        A page alone in its folder (``improvements/IMP-0001-x/index.html``: every page with
        directory URLs) moves with its folder: one rename instead of creating a folder, which
        is what costs most on some file systems.
        """
        if self.folder is None:
            return list(paths)
        missing = []
        old, new = str(self.folder), str(site_dir)
        # What the new output folder holds, folder by folder (relative, "" for the root), read once
        # per folder and kept up to date here: one listing instead of a look per page.
        present: dict[str, set[str]] = {}

        def names(folder: str) -> set[str]:
            found = present.get(folder)
            if found is None:
                try:
                    found = set(os.listdir(f"{new}/{folder}" if folder else new))
                except FileNotFoundError:
                    found = set()
                present[folder] = found
            return found

        def ensure(folder: str) -> None:
            parent, _, leaf = folder.rpartition("/")
            if leaf not in names(parent):
                if parent:
                    ensure(parent)
                os.makedirs(f"{new}/{folder}", exist_ok=True)
                names(parent).add(leaf)
                present.setdefault(folder, set())

        for rel in paths:
            folder, _, name = rel.rpartition("/")
            parent, _, leaf = folder.rpartition("/")
            try:
                if folder and leaf not in names(parent) and os.listdir(f"{old}/{folder}") == [name]:
                    if parent:
                        ensure(parent)
                    os.rename(f"{old}/{folder}", f"{new}/{folder}")
                    names(parent).add(leaf)
                    present[folder] = {name}
                    continue
                if folder:
                    ensure(folder)
                target = f"{new}/{rel}"
                if name in names(folder):
                    os.unlink(target)
                os.rename(f"{old}/{rel}", target)
                names(folder).add(name)
            except OSError:
                missing.append(rel)
        return missing

    def restore_folder(self, site_dir: Path, rel: str) -> bool:
        """Move the folder ``rel`` back from the previous build, unless the new one has it; whether it did."""
        if self.folder is None or not (self.folder / rel).is_dir() or os.path.lexists(site_dir / rel):
            return False
        try:
            os.rename(self.folder / rel, site_dir / rel)
        except OSError:
            return False
        return True

    def discard(self) -> None:
        """Delete the set-aside folder, in the background."""
        if self.folder is None:
            return
        folder, self.folder = self.folder, None
        thread = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                                  name="cir-preview-cleanup", daemon=True)
        thread.start()
        self._deleting = [t for t in self._deleting if t.is_alive()] + [thread]

    def close(self) -> None:
        """Delete everything set aside and wait for it (the server stops)."""
        self.discard()
        for thread in self._deleting:
            thread.join()
        self._deleting = []

