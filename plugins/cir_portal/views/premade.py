"""Record pages' headings and cards made in a forked process while the engine renders the pages.

A record's card (its fields, its initiatives, trace, lessons and metric figures) is a sixth of
a large build's work on the engine's thread, and the engine renders Markdown on one core. A
plain build with a core to spare forks one process as soon as the register is loaded, before
the generated pages are made (the register and every index are inherited, not copied), that
makes every record page's heading and card in the order the engine will ask for them and sends
them through a pipe: the engine's thread reads them. Objectives' cards are left to the
engine's thread (vl-convert renders their charts: ``metrics.renders_charts``). The process runs
in Linux's idle class, as the search index's Pagefind does: it takes only time no other process
wants. A page whose parts have not come when the engine asks is made in-process (and the
process's copy dropped), so the engine never waits for it. The output is the same either way:
the same functions over the same data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import os
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from cir_portal.core.model import Record
from cir_portal.views import cards
from cir_portal.views.context import Site

#: Below this many record pages, making their cards in-process is faster than forking.
PREMADE_MIN = 200
#: The environment variable that sets ``PREMADE_MIN`` (0: always fork, where it is safe, even on one core).
PREMADE_ENV = "CIR_PREMADE_MIN"


def free_cores() -> int:
    """How many of the cores this process may run on are left beside its own thread."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on Linux)
        cores = os.cpu_count() or 1
    return max(0, cores - 1)


def core_to_spare(*, search: bool) -> bool:
    """Whether a build has a core for the card process: one beside its own thread and, with the
    search index, beside Pagefind's (on two cores Pagefind takes the second: beside it, a card
    process got to 3,576 of 10,702 pages, Pagefind's wait after the pages went from 4 to 13 s
    and the build's processes took 500 MiB more)."""
    return free_cores() > (1 if search else 0)


def minimum_from_env() -> int:
    """``PREMADE_MIN``, or ``$CIR_PREMADE_MIN``; ValueError (its message says what to set) if that is not a count."""
    value = os.environ.get(PREMADE_ENV, "").strip()
    if not value:
        return PREMADE_MIN
    if not value.isdigit():
        raise ValueError(f"{PREMADE_ENV}={value!r}: set it to how many record pages a build needs before it makes "
                         f"their cards in another process (a whole number, 0 or more; default {PREMADE_MIN})")
    return int(value)
#: Records whose parts go through the pipe in one message (fewer wake-ups and system calls).
BATCH = 8


@dataclass(frozen=True)
class Made:
    """A record page's parts as published."""

    #: the page's heading (``access.skip_target`` applied)
    heading: str
    #: the card's own fields, framed, as the search index reads them (None: not asked for)
    indexed: str | None
    #: the whole card, compressed (zlib): held from the engine's first pass to its second
    card: bytes


def make(site: Site, record: Record, sections: Callable[[Site, Record], str], *, indexed: bool) -> Made:
    """Every part of a record's page; ``sections``: the other views' sections of its card."""
    own = cards.card_fields(site, record)
    heading, card = cards.page_parts(site, record, sections(site, record), own)
    return Made(heading, cards.published(record, own) if indexed else None,
                zlib.compress(card.encode("utf-8", "surrogatepass"), 1))


def card_text(made: Made) -> str:
    return zlib.decompress(made.card).decode("utf-8", "surrogatepass")


def _idle() -> None:
    """Run this process only on time no other process wants (Linux's idle class, as the search
    index's Pagefind: the two share a core the engine leaves), else at the lowest priority."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(OSError):
            os.nice(19)


def _work(conn: Connection, site: Site, records: list[Record], sections: Callable[[Site, Record], str],
          indexed: bool) -> None:
    """The forked process: every record's parts, in order, in batches; ("error", text) if one fails."""
    gc.freeze()  # the inherited objects: a collection would touch (and copy) every one of them
    _idle()
    batch: list[tuple[str, Made]] = []
    try:
        for record in records:
            batch.append((record.src_uri, make(site, record, sections, indexed=indexed)))
            if len(batch) == BATCH:
                conn.send(batch)
                batch = []
        conn.send(batch)
        conn.send(None)  # every page sent
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the build ended or was interrupted: nothing waits for the rest
    except Exception as exc:  # the page is made in-process instead, where the error is reported
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class Premade:
    """Record pages' parts made in a forked process (``start``), received as asked for (``take``)."""

    def __init__(self, process: Any, conn: Connection) -> None:
        self._process = process
        self._conn: Connection | None = conn
        self._received: dict[str, Made] = {}
        #: the pages made already, whose parts are dropped if they come now
        self._done: set[str] = set()
        #: how many pages the process made (and the engine took), how many the engine made itself
        self.served = self.missed = 0
        #: why the process stopped before sending every page (None: it did not)
        self.failure: str | None = None

    @classmethod
    def start(cls, site: Site, records: Sequence[Record], sections: Callable[[Site, Record], str], *,
              indexed: bool, minimum: int = PREMADE_MIN) -> Premade | None:
        """The process making ``records``' parts in this order, or None where it is not worth it
        (fewer than ``minimum`` or no records) or not safe (no fork on this system, or other
        threads running: forking them is not safe)."""
        if (not records or len(records) < minimum or "fork" not in multiprocessing.get_all_start_methods()
                or threading.active_count() != 1):
            return None
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(send, site, list(records), sections, indexed),
                                  name="cir-cards", daemon=True)
        try:
            process.start()
        except OSError:  # (no process to be had: the cards are made in-process)
            receive.close()
            send.close()
            return None
        send.close()
        return cls(process, receive)

    def take(self, src_uri: str, *, wait: bool = False) -> Made | None:
        """The parts of ``src_uri``'s page, kept until ``pop``; None if the process has not sent them
        yet (unless ``wait``: then only if it will not) or did not make them: the engine's
        thread makes them itself rather than wait for a process that shares its core with the
        search index (and drops them when they come)."""
        made = self._received.get(src_uri)
        while made is None and self._conn is not None:
            if not wait and not self._conn.poll():
                return None
            self._receive()
            made = self._received.get(src_uri)
        return made

    def _receive(self) -> None:
        """Read one message of the process."""
        assert self._conn is not None
        try:
            message = self._conn.recv()
        except (EOFError, OSError):
            self.failure = self.failure or "the process ended early"
            self._stop()
            return
        if message is None:  # every page sent
            self._stop()
        elif isinstance(message, tuple):
            self.failure = message[1]
            self._stop()
        else:
            for src, parts in message:
                if src not in self._done:
                    self._received[src] = parts

    def pop(self, src_uri: str, *, wait: bool = False) -> Made | None:
        """As ``take``; then the page is made (by whoever made it): its parts are let go of, now
        or when they come."""
        made = self.take(src_uri, wait=wait)
        self._received.pop(src_uri, None)
        if src_uri not in self._done:
            self._done.add(src_uri)
            if made is None:
                self.missed += 1
            else:
                self.served += 1
        return made

    def indexed(self, src_uri: str, *, wait: bool = False) -> str | None:
        """The card's part the search index reads, let go of once read (None as for ``take``)."""
        made = self.take(src_uri, wait=wait)
        if made is None or made.indexed is None:
            return None
        self._received[src_uri] = dataclasses.replace(made, indexed=None)
        return made.indexed

    def _stop(self, *, kill: bool = False) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if kill and self._process.is_alive():
            self._process.kill()
        self._process.join()

    def close(self) -> None:
        """Stop the process (if it still runs: the build ended early) and let go of what it sent."""
        self._stop(kill=True)
        self._received.clear()
        self._done.clear()
