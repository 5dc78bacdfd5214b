"""Python's cycle collector kept out of a live-preview rebuild.

A served register of 10,000 records holds millions of objects; a full collection walks them
all (more than a second) and a rebuild's allocations set off one or two of them: a fifth of
a rebuild's time at that size. ``Collector`` switches the automatic collector off while an
incremental rebuild runs (its cyclic garbage is one rebuild's worth, freed right after) and
collects once the rebuild is served, after a pause, when the server is idle.
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

    def pause(self) -> None:
        """Switch the automatic collector off until ``resume`` (a pending idle collection is dropped)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if gc.isenabled():
            gc.disable()
            self._paused = True

    def resume(self) -> None:
        """Switch the collector back on, and collect what the rebuild left once the browsers have reloaded."""
        if not self._paused:
            return
        self._paused = False
        gc.enable()
        self._timer = threading.Timer(self.delay, gc.collect)
        self._timer.daemon = True
        self._timer.name = "cir-collect"
        self._timer.start()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._paused:
            self._paused = False
            gc.enable()
