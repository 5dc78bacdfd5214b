"""One line on the terminal that says how far a long build is, and nothing in a log.

Written to stderr only when stderr is a terminal (a person is watching): CI logs stay free
of carriage returns and percentages. Updated at most a few times a second.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    """``step("validating records", done, total)`` rewrites the line; ``done()`` clears it."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 0.2) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.interval = interval
        self.last = 0.0
        self.shown = False

    def step(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < self.interval:
            return
        self.last = now
        width = len(str(total))
        self.stream.write(f"\r\033[K{what}: {done:>{width}} / {total}")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
