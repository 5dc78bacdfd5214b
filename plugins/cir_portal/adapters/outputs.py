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
        missing = []
        made: set[str] = set()
        old, new = str(self.folder), str(site_dir)
        for rel in paths:
            try:
                if self.folder is None:
                    raise FileNotFoundError(rel)
                folder, name = os.path.split(rel)
                if folder and folder not in made and not os.path.exists(os.path.join(new, folder)) \
                        and os.listdir(os.path.join(old, folder)) == [name]:
                    parent = os.path.dirname(folder)
                    if parent and parent not in made:
                        os.makedirs(os.path.join(new, parent), exist_ok=True)
                        made.add(parent)
                    os.rename(os.path.join(old, folder), os.path.join(new, folder))
                    made.add(folder)
                    continue
                if folder and folder not in made:
                    os.makedirs(os.path.join(new, folder), exist_ok=True)
                    made.add(folder)
                target = os.path.join(new, rel)
                if os.path.lexists(target):
                    os.unlink(target)
                os.rename(os.path.join(old, rel), target)
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

