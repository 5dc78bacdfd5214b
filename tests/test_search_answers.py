"""The Pagefind service's answers decoded as they arrive (adapters/search.py ``LiveIndex._read``):
messages split anywhere across reads, a large one decoded piece by piece, come out whole."""

from __future__ import annotations

import base64
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cir_portal.adapters import memory, search
from cir_portal.adapters.memory import give_back, peak_mib
from cir_portal.adapters.search import LARGE_ANSWER, _Service


def _reader(fd: int, waiting: set[int]) -> _Service:
    live = _Service.__new__(_Service)  # the reader's state only: no service is started
    live._proc = SimpleNamespace(stdout=SimpleNamespace(fileno=lambda: fd))  # type: ignore[assignment]
    live._lock = threading.Condition()
    live._answers, live._waiting, live.failures, live._ended = {}, set(waiting), [], False
    return live


def test_answers_split_across_reads_are_decoded_whole() -> None:
    big = {"type": "GetFiles", "files": [{"path": f"f{i}", "content": base64.b64encode(os.urandom(997)).decode()}
                                         for i in range(LARGE_ANSWER // 1000 + 50)]}
    messages = [{"message_id": 1, "payload": {"type": "IndexCreated", "index_id": 7}},
                {"message_id": 2, "payload": big},
                {"message_id": 3, "payload": {"type": "Error", "message": "bad page"}},
                {"message_id": 4, "payload": {"type": "AddedFile", "ok": "x" * 5}}]
    stream = b"".join(base64.b64encode(json.dumps(m).encode()) + b"," for m in messages)
    read, write = os.pipe()
    live = _reader(read, {1, 2, 4})
    thread = threading.Thread(target=live._read)
    thread.start()
    at, step = 0, 1
    while at < len(stream):  # pieces of every length modulo 4, a newline inside one
        os.write(write, stream[at:at + step] + (b"\n" if step == 5 else b""))
        at, step = at + step, step * 3 + 1 if step < 100_000 else 7
    os.close(write)
    thread.join(timeout=60)
    os.close(read)
    assert live._ended
    assert live._answers == {1: messages[0]["payload"], 2: big, 4: messages[3]["payload"]}
    assert live.failures == ["bad page"]


def test_memory_helpers_work_where_the_system_has_them() -> None:
    """glibc's malloc_trim is found on glibc Linux (CI's), and a process's peak is read there."""
    assert isinstance(give_back(), bool)
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert memory._TRIM is not None
    if Path("/proc/self/status").is_file():
        peak = peak_mib(os.getpid())
        assert peak is not None and peak > 1
    assert peak_mib(2**22 + 12345) is None  # (no such process)


class _Stdin:
    """The service's input, recorded: each write the input thread makes."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> int:
        self.writes.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def _writer(monkeypatch: pytest.MonkeyPatch, delay: float) -> tuple[_Service, _Stdin]:
    """A service's input side (``_send`` and its input thread) writing to a recorder."""
    monkeypatch.setattr(search, "INPUT_DELAY", delay)
    live = _Service.__new__(_Service)  # no service is started
    stdin = _Stdin()
    live._proc = SimpleNamespace(stdin=stdin, poll=lambda: None)  # type: ignore[assignment]
    live._lock, live._closed, live._last, live._waiting = threading.Condition(), False, 0, set()
    live._start_input()
    return live, stdin


def _end_input(live: _Service) -> None:
    with live._room:  # (as close() ends it)
        live._outbox.append(None)
        live._flush = True
        live._room.notify_all()
    live._writer.join(timeout=30)
    assert not live._writer.is_alive()


def _messages(stdin: _Stdin) -> list[dict[str, Any]]:
    return [json.loads(base64.b64decode(m)) for m in b"".join(stdin.writes).split(b",")[:-1]]


def test_pages_go_to_the_service_in_batches_and_a_call_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages wait for a batch (a thread woken for every page took the GIL from the engine
    every time); a call (here GetFiles) is written at once, with the pages before it, in order."""
    live, stdin = _writer(monkeypatch, delay=600)  # (a batch never times out here)
    for n in range(300):
        live._send({"type": "AddFile", "url": f"/p{n}/", "file_contents": "页面" * 50})
    live._send({"type": "GetFiles", "index_id": 0}, wait=True)
    for _ in range(3000):  # (the call is written without waiting for the batch's time: 30 s at most here)
        if stdin.writes:
            break
        time.sleep(0.01)
    assert len(stdin.writes) == 1, "the pages were not sent in one batch with the call"
    _end_input(live)
    assert stdin.closed
    assert [m["message_id"] for m in _messages(stdin)] == list(range(1, 302))
    assert _messages(stdin)[-1]["payload"]["type"] == "GetFiles"


def test_a_backlog_goes_in_batches_not_one_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages beyond INPUT_BATCH go in writes of about INPUT_BATCH each, in order."""
    live, stdin = _writer(monkeypatch, delay=600)
    page = "x" * (search.INPUT_BATCH // 10)
    for n in range(35):
        live._send({"type": "AddFile", "url": f"/p{n}/", "file_contents": page})
    _end_input(live)
    largest = max(len(w) for w in stdin.writes)
    assert 3 <= len(stdin.writes) <= 5 and largest < search.INPUT_BATCH * 1.5, [len(w) for w in stdin.writes]
    assert [m["message_id"] for m in _messages(stdin)] == list(range(1, 36))
