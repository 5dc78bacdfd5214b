"""Memory during a long build: freed memory given back to the system, a process's peak.

Python frees a page's strings as soon as nothing holds them, but the C allocator (glibc's
malloc) keeps the freed space for the thread that freed it: the big allocations of a large
build that come later on another thread (the search index's answer, tens of megabytes at
10,000 pages, is received on the reader thread of adapters/search.py) then add to the
process's peak instead of reusing it. ``give_back`` asks glibc to return the free pages of its
heaps to the system (``malloc_trim``); elsewhere (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
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
