"""`mkdocs serve` told of changes by the kernel instead of looking for them every half second.

MkDocs' live-reload server (and ProperDocs', the same code) watches with watchdog's
``PollingObserver(timeout=0.5)``: every half second it lists and stats every file under each
watched folder. An edit is seen 0.25 s later on average (up to 0.5 s), and each look at a
10,000-record content/ costs CPU the rebuild then shares. Where the platform has a native
watcher (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows), ``Watcher``
watches folders with it and keeps polling for single files (``mkdocs.yml``: an editor that
saves by renaming replaces the file a native watch would follow) and for any folder the native
watcher cannot take (inotify's watch limit, a network file system): then it logs that it polls.

Only what changes content is asked for (created, deleted, modified, moved): a native watcher
also reports files opened and closed without writing, and the build reads every record.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("mkdocs.plugins.cir")

#: The events a rebuild needs (what polling reports too).
CHANGES: list[type[FileSystemEvent]] = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent,
                                        DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


def native_observer() -> BaseObserver | None:
    """The platform's native observer, or None where watchdog has only polling."""
    observer = Observer()
    return None if isinstance(observer, PollingObserver) else observer


class Watcher:
    """What a live-reload server asks of its observer (schedule, unschedule, start, stop,
    join), folders watched natively and files (and folders the native watcher refused) by
    polling every ``interval`` seconds."""

    def __init__(self, native: BaseObserver | None, interval: float = 0.5) -> None:
        self._native = native
        self._polling = PollingObserver(timeout=interval)
        self._lock = threading.Lock()
        self._started = False
        # the watch handed out -> (observer, its watch there, handler, path, recursive)
        self._watches: dict[ObservedWatch, tuple[BaseObserver, ObservedWatch, FileSystemEventHandler, str, bool]] = {}

    @property
    def native(self) -> list[str]:
        """The paths watched natively."""
        return sorted(entry[3] for entry in self._watches.values() if entry[0] is self._native)

    @property
    def polled(self) -> list[str]:
        """The paths watched by polling."""
        return sorted(entry[3] for entry in self._watches.values() if entry[0] is self._polling)

    def schedule(self, event_handler: FileSystemEventHandler, path: str, *, recursive: bool = False,
                 **_: Any) -> ObservedWatch:
        with self._lock:
            if self._native is not None and os.path.isdir(path):
                try:
                    watch = self._native.schedule(event_handler, path, recursive=recursive, event_filter=CHANGES)
                except OSError as err:  # the native observer is running and cannot take it
                    self._refused(path, err)
                else:
                    self._watches[watch] = (self._native, watch, event_handler, path, recursive)
                    return watch
            watch = self._polling.schedule(event_handler, path, recursive=recursive)
            self._watches[watch] = (self._polling, watch, event_handler, path, recursive)
            return watch

    def unschedule(self, watch: ObservedWatch) -> None:
        with self._lock:
            observer, actual = self._watches.pop(watch)[:2]
            observer.unschedule(actual)

    def start(self) -> None:
        with self._lock:
            if self._native is not None:
                try:
                    self._native.start()
                except OSError as err:
                    self._fall_back(err)
            self._polling.start()
            self._started = True

    def stop(self) -> None:
        with self._lock:
            if self._started:
                if self._native is not None and self._native.is_alive():
                    self._native.stop()
                self._polling.stop()

    def join(self, timeout: float | None = None) -> None:
        if self._started:
            if self._native is not None and self._native.ident is not None:
                self._native.join(timeout)
            self._polling.join(timeout)

    def is_alive(self) -> bool:
        return self._polling.is_alive()

    def _fall_back(self, err: OSError) -> None:
        """The native observer did not start: everything it had is polled instead."""
        moved = [(watch, entry) for watch, entry in self._watches.items() if entry[0] is self._native]
        for watch, (_, _, handler, path, recursive) in moved:
            self._refused(path, err)
            actual = self._polling.schedule(handler, path, recursive=recursive)
            self._watches[watch] = (self._polling, actual, handler, path, recursive)
        self._native = None

    @staticmethod
    def _refused(path: str, err: OSError) -> None:
        log.warning("cir: the system's file watcher cannot watch %s (%s); looking for changes every half "
                    "second instead (on Linux, raise fs.inotify.max_user_watches if it is the limit)", path, err)


def watch_natively(server: Any) -> Watcher | None:
    """Swap the polling observer of MkDocs' (or ProperDocs') live-reload ``server`` for a
    ``Watcher`` before it starts, moving the paths already watched; returns it, or None (and
    the server is left as it is) where there is no native watcher or the server is not one
    whose observer this knows."""
    paths = getattr(server, "_watched_paths", None)
    observer = getattr(server, "observer", None)
    if not isinstance(paths, dict) or not isinstance(observer, PollingObserver) or observer.is_alive():
        return None
    native = native_observer()
    if native is None:
        return None
    counts = dict(paths)
    for path, n in counts.items():
        for _ in range(n):
            server.unwatch(path)
    watcher = Watcher(native, interval=observer.timeout)
    server.observer = watcher
    for path, n in counts.items():
        for _ in range(n):
            server.watch(path)
    return watcher
