"""The live preview's file watcher (adapters/watcher.py): folders natively, files by polling,
polling where the native watcher refuses, and no rebuild for files only read."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from mkdocs.livereload import LiveReloadServer
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.polling import PollingObserver

from cir_portal.adapters.watcher import Watcher, native_observer, watch_natively

pytestmark = pytest.mark.skipif(native_observer() is None, reason="no native file watcher on this platform")


class Seen(FileSystemEventHandler):
    def __init__(self) -> None:
        self.events: list[FileSystemEvent] = []
        self.changed = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.events.append(event)
        self.changed.set()

    def wait(self, seconds: float) -> bool:
        seen = self.changed.wait(seconds)
        self.changed.clear()
        return seen


@pytest.fixture
def watcher() -> Any:
    made: list[Watcher] = []

    def make(native: Any = None) -> Watcher:
        w = Watcher(native_observer() if native is None else native, interval=0.1)
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop()
        w.join(5)


def test_folders_natively_files_by_polling(tmp_path: Path, watcher: Any) -> None:
    folder = tmp_path / "content"
    (folder / "improvements").mkdir(parents=True)
    record = folder / "improvements" / "IMP-0001.md"
    record.write_text("---\nid: IMP-0001\n---\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n", encoding="utf-8")
    w = watcher()
    in_folder, on_file = Seen(), Seen()
    w.schedule(in_folder, str(folder), recursive=True)
    w.schedule(on_file, str(config), recursive=True)
    assert w.native == [str(folder)] and w.polled == [str(config)]
    w.start()
    time.sleep(0.3)

    record.read_text(encoding="utf-8")  # the build reads every record: not a change
    assert not in_folder.wait(0.5), in_folder.events

    record.write_text("---\nid: IMP-0001\ntitle: changed\n---\n", encoding="utf-8")
    assert in_folder.wait(5)
    (folder / "improvements" / "IMP-0002.md").write_text("new", encoding="utf-8")
    assert in_folder.wait(5)
    record.unlink()
    assert in_folder.wait(5)

    time.sleep(0.3)
    config.write_text("site_name: changed, longer\n", encoding="utf-8")
    assert on_file.wait(5)


class Refusing(PollingObserver):
    """A native observer that cannot start (as inotify when the watch limit is reached)."""

    def start(self) -> None:
        raise OSError(28, "inotify watch limit reached")


def test_refused_folders_are_polled(tmp_path: Path, watcher: Any, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    w = watcher(Refusing())
    seen = Seen()
    watch = w.schedule(seen, str(folder), recursive=True)
    w.start()
    assert w.native == [] and w.polled == [str(folder)]
    assert "inotify watch limit reached" in caplog.text and str(folder) in caplog.text
    time.sleep(0.3)
    (folder / "IMP-0001.md").write_text("new", encoding="utf-8")
    assert seen.wait(5)
    w.unschedule(watch)  # the watch MkDocs holds still unwatches the folder, now polled
    assert w.polled == []


def test_server_paths_move_to_the_watcher(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        _moves(server, tmp_path)
    finally:
        server.server_close()  # the socket it made (never bound)


def _moves(server: LiveReloadServer, tmp_path: Path) -> None:
    server.watch(str(tmp_path / "content"))
    server.watch(str(tmp_path / "mkdocs.yml"))
    server.watch(str(tmp_path / "content"))  # watched twice: MkDocs counts
    w = watch_natively(server)
    assert w is not None and server.observer is w
    assert w.native == [str(tmp_path / "content")] and w.polled == [str(tmp_path / "mkdocs.yml")]
    server.unwatch(str(tmp_path / "content"))
    assert w.native == [str(tmp_path / "content")]
    server.unwatch(str(tmp_path / "content"))
    assert w.native == []
    assert watch_natively(server) is None  # not a polling observer any more: left alone
