"""The previous build's output folder, kept for the next build of a live preview.

An engine that cleans its output folder before every build (``mkdocs serve`` does) would
write every page again, and deleting thousands of page folders alone takes seconds on some
file systems. ``PreviousOutput`` moves the whole output folder aside before the engine
cleans it (a rename: instant), links the files the rebuild does not write again back from it
(hard links: no copy, no memory; copies where links are not possible), and deletes what is
left in a background thread, off the path of the rebuild.
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
        """Link the files ``paths`` (relative to the output folder) back from the previous build;
        returns those it could not."""
        missing = []
        for rel in paths:
            target = site_dir / rel
            try:
                if self.folder is None:
                    raise FileNotFoundError(rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                _link(self.folder / rel, target)
            except OSError:
                missing.append(rel)
        return missing

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


def _link(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
