"""Python's cycle collector kept out of a live-preview rebuild.

A served register of 10,000 records holds millions of objects; a full collection walks them
all (more than a second) and a rebuild's allocations set off one or two of them: a fifth of
a rebuild's time at that size. ``Collector`` switches the automatic collector off while an
incremental rebuild runs and until the rebuild is served (its cyclic garbage is one rebuild's
worth), then, after a pause, when the server is idle, collects and switches it back on.
"""

from __future__ import annotations

import gc
import threading


class Collector:
    """``pause()`` at the start of a rebuild, ``resume()`` at its end (or failure)."""

    def __init__(self, delay: float = 3.0) -> None:
        self.delay = delay
        self._paused = False
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def pause(self) -> None:
        """Switch the automatic collector off until the collection after this rebuild (a pending
        idle collection is dropped: this rebuild's garbage joins it)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if gc.isenabled():
                gc.disable()
                self._paused = True

    def resume(self) -> None:
        """Collect what the rebuild left, and switch the collector back on, once the browsers have
        reloaded (even the young objects of a rebuild take a tenth of a second to walk)."""
        with self._lock:
            if not self._paused or self._timer is not None:
                return
            self._timer = threading.Timer(self.delay, self._collect)
            self._timer.daemon = True
            self._timer.name = "cir-collect"
            self._timer.start()

    def _collect(self) -> None:
        with self._lock:
            if not self._paused:
                return
            self._paused, self._timer = False, None
            gc.enable()
        gc.collect()

    def close(self) -> None:
        """Switch the collector back on now (the server stops)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._paused:
                self._paused = False
                gc.enable()
