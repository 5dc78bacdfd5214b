"""Memory during a long build: freed memory given back to the system, pages held compressed, a process's peak.

Python frees a page's strings as soon as nothing holds them, but the C allocator (glibc's
malloc) keeps the freed space for the thread that freed it: the big allocations of a large
build that come later on another thread (the search index's answer, tens of megabytes at
10,000 pages, is received on the reader thread of adapters/search.py) then add to the
process's peak instead of reusing it. ``give_back`` asks glibc to return the free pages of its
heaps to the system (``malloc_trim``); elsewhere (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys
import zlib
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):  # no glibc
        return None
    return trim


_TRIM = _malloc_trim()


def give_back() -> bool:
    """Return the allocator's free memory to the system; whether anything was returned (False
    where the C library cannot). Takes milliseconds: call it between the phases of a build."""
    return bool(_TRIM(0)) if _TRIM is not None else False


def peak_mib(pid: int) -> float | None:
    """The peak resident memory of a running process in MiB (Linux: VmHWM), else None."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


#: How much of the pages' HTML (MiB of Python strings) ``HeldPages`` keeps as it is; the rest is
#: kept compressed. A 2,000-record register's pages hold about 46 MiB: none is compressed.
HELD_MIB = 48
#: Sets ``HELD_MIB`` for a build (0: every page compressed, the least memory).
HELD_ENV = "CIR_HELD_MIB"


class HeldPages:
    """The rendered HTML of the pages an engine holds between two passes (MkDocs renders every
    page's Markdown, then every page in the theme, and holds all their HTML in between: a
    10,000-record register's is about 200 MB of strings), kept compressed beyond ``budget``
    bytes: compressing costs time (zlib's fastest level: about 2 s for those 10,000 records),
    which a small register does not pay. ``hold`` takes a page's HTML and says whether it
    kept it (the engine then holds an empty string instead); ``take`` gives it back, once."""

    def __init__(self, budget: int = HELD_MIB * 2**20) -> None:
        self.budget = budget
        #: how many pages, and how many bytes of HTML, were held; how many pages compressed
        self.pages = self.held = self.packed = 0
        self._packed: dict[str, bytes] = {}

    @classmethod
    def from_env(cls) -> HeldPages:
        """With the budget ``HELD_ENV`` sets, if set; a ValueError says what is wrong with it."""
        value = os.environ.get(HELD_ENV, "").strip()
        if not value:
            return cls()
        if not value.isdigit():
            raise ValueError(f"{HELD_ENV}={value!r}: give a whole number of MiB (0 compresses every page)")
        return cls(int(value) * 2**20)

    def hold(self, key: str, html: str) -> bool:
        self.pages += 1
        self.held += sys.getsizeof(html)
        if self.held <= self.budget:
            return False
        # (surrogatepass: any string comes back as it was, a lone surrogate included)
        self._packed[key] = zlib.compress(html.encode("utf-8", "surrogatepass"), 1)
        self.packed += 1
        return True

    def take(self, key: str) -> str | None:
        packed = self._packed.pop(key, None)
        return None if packed is None else zlib.decompress(packed).decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return len(self._packed)
