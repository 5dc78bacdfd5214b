"""The Pagefind service's answers decoded as they arrive (adapters/search.py ``LiveIndex._read``):
messages split anywhere across reads, a large one decoded piece by piece, come out whole."""

from __future__ import annotations

import base64
import json
import os
import platform
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

from cir_portal.adapters import memory
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
