"""Live preview: under ``mkdocs serve`` a validation error (in a record or in a configuration
file) is shown on the pages instead of stopping the server, the preview recovers when the
file is fixed, a change to site_config/ or schemas/ rebuilds the site too, every rebuild
is dated from the content as it is then, and writes the search index of the pages as they are then.

A real ``mkdocs serve`` on 127.0.0.1 (a free port) of the small base project, shared by the
tests of this module; each test puts back what it changed and waits for that rebuild. Every
wait is a bounded poll of the served pages or of the server's log, never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cirtest.site import (
    free_port,
    git_commit_all,
    http_get,
    improvements,
    page_url,
    search_documents,
    start_serve,
    stop_serve,
    wait_for,
)

pytestmark = pytest.mark.slow

#: The class of the banner that lists validation errors on every served page.
BANNER = "cir-problems"
#: How long one rebuild may take before the test gives up (generous: a loaded 2-core machine).
REBUILD_TIMEOUT = 90.0
#: What mkdocs serve logs when a rebuild ends: done, or failed (it then keeps serving the old site).
#: ("Documentation built in ..." alone is not enough: MkDocs never logs the same line twice, and
#: two quick rebuilds can take as long.)
REBUILD_ENDS = ("Documentation built in", "Reloading browsers", "An error happened during the rebuild")
#: The served project is a git repository (no SOURCE_DATE_EPOCH): its commits date the site.
FIRST_COMMIT = "2021-03-04T05:06:07Z"
LATER_COMMIT = "2022-07-08T09:10:11Z"


@dataclass
class Server:
    project: Path
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> str | None:
        """None while the server runs, else what it printed before it stopped."""
        if self.process.poll() is None:
            return None
        return f"mkdocs serve exited with {self.process.returncode}:\n{self.output()}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_rebuild(self, what: str, since: int) -> None:
        """Wait until a rebuild that started after ``len(output()) == since`` has ended, well or not."""
        def ended() -> bool:
            later = self.output()[since:]
            start = later.find("Building documentation")
            return start >= 0 and any(later.find(end, start) > start for end in REBUILD_ENDS)

        wait_for(what, ended, timeout=REBUILD_TIMEOUT, alive=self.alive)

    def page(self, src_uri: str, timeout: float = 10.0) -> str | None:
        return http_get(self.url + page_url(src_uri), timeout)

    def wait_for_page(self, what: str, src_uri: str, check: Callable[[str], bool]) -> str:
        """Poll the page built from ``src_uri`` until ``check(html)`` holds; returns the html."""
        def ready() -> str:
            html = self.page(src_uri)
            return html if html is not None and check(html) else ""

        try:
            found = wait_for(what, ready, timeout=REBUILD_TIMEOUT, alive=self.alive)
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- mkdocs serve output:\n{self.output()}") from None
        return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, small_project: Callable[[Path], Path]) -> Iterator[Server]:
    """``mkdocs serve`` of a small project kept in git, stopped (and waited for) whatever happens.
    Shared by the tests of this module: each puts back the files it changes."""
    tmp_path = tmp_path_factory.mktemp("serve")
    project = small_project(tmp_path / "project")
    git_commit_all(project, FIRST_COMMIT)
    port = free_port()
    log = tmp_path / "serve.log"
    # TMPDIR: mkdocs serve builds into a temporary folder; keep it among the test's files.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(tmp_path)}
    env.pop("SOURCE_DATE_EPOCH", None)
    with log.open("wb") as out:
        process = start_serve(project, port, env, out)
    served = Server(project, f"http://127.0.0.1:{port}/", process, log)
    try:
        wait_for("mkdocs serve to answer", lambda: http_get(served.url), timeout=60, alive=served.alive)
        yield served
    finally:
        stop_serve(process, timeout=20)


def test_serve_shows_a_validation_error_and_recovers_when_it_is_fixed(server: Server) -> None:
    """Breaking a record while serving keeps the server up and puts the error banner (naming
    the file) on its page; restoring the file removes the banner."""
    record = improvements(server.project)[0]
    original = record.path.read_bytes()
    server.wait_for_page("the record page, valid", record.rel, lambda h: record.id in h and BANNER not in h)
    try:
        text = original.decode("utf-8")
        record.path.write_text(text.replace(f"status: {record.front_matter['status']}\n", "status: done\n", 1), encoding="utf-8")
        assert record.path.read_bytes() != original
        broken = server.wait_for_page("the validation banner", record.rel, lambda h: BANNER in h)
        banner = broken[broken.index(BANNER):]
        assert f"content/{record.rel}" in banner and "done" in banner
    finally:
        record.path.write_bytes(original)
    fixed = server.wait_for_page("the banner to go", record.rel, lambda h: BANNER not in h and record.id in h)
    assert record.front_matter["title"] in fixed
    assert server.alive() is None


def test_serve_rebuilds_on_site_config_and_schema_changes(server: Server) -> None:
    """Editing site_config/portal.yml shows the change on the next page served; tightening a
    schema in schemas/ so that a record no longer validates brings up the error banner."""
    portal = server.project / "site_config" / "portal.yml"
    schema_path = server.project / "schemas" / "improvement.schema.json"
    originals = {path: path.read_bytes() for path in (portal, schema_path)}
    try:
        check_config_and_schema_changes(server, portal, schema_path)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    record = improvements(server.project)[0]
    server.wait_for_page("the record page, valid again", record.rel, lambda h: record.id in h and BANNER not in h)


def check_config_and_schema_changes(server: Server, portal: Path, schema_path: Path) -> None:
    """Change the vision in portal.yml, then tighten the improvement schema; wait for each rebuild."""
    data = yaml.safe_load(portal.read_text(encoding="utf-8"))
    marker = "愿景已更新 vision changed while serving"
    assert marker not in json.dumps(data, ensure_ascii=False)
    assert server.wait_for_page("the cascade page", "cascade.md", lambda h: "cir-vision" in h)
    data["vision"] = {"zh": marker, "en": marker}
    portal.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    server.wait_for_page("the new vision on the cascade page", "cascade.md", lambda h: marker in h)

    record = improvements(server.project)[0]
    server.wait_for_page("the record page, valid", record.rel, lambda h: BANNER not in h)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["title"]["maxLength"] = 1  # every title is now too long
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    broken = server.wait_for_page("the banner after the schema change", record.rel, lambda h: BANNER in h)
    assert f"content/{record.rel}" in broken[broken.index(BANNER):]
    assert server.alive() is None


def test_each_rebuild_is_dated_by_the_last_commit(server: Server) -> None:
    """The preview is dated like a build of what is on disk now: after a new commit, the next
    rebuild's register.json says the new commit's date, not the one of the first build."""
    def generated() -> str | None:
        text = http_get(server.url + "register.json")
        return json.loads(text)["generated"] if text else None

    assert wait_for("register.json", generated, alive=server.alive) == FIRST_COMMIT
    (server.project / "NOTES.md").write_text("A file outside the watched folders.\n", encoding="utf-8")
    git_commit_all(server.project, LATER_COMMIT, "later")
    record = improvements(server.project)[0]
    original = record.path.read_bytes()
    marker = "预览重建标记 rebuilt-after-commit"
    try:
        record.path.write_bytes(original + f"\n{marker}\n".encode())  # not committed: triggers a rebuild
        server.wait_for_page("the rebuilt record page", record.rel, lambda h: marker in h)
        dated = generated()
    finally:
        record.path.write_bytes(original)
    server.wait_for_page("the record page, as before", record.rel, lambda h: record.id in h and marker not in h)
    assert dated == LATER_COMMIT, "the rebuild kept the date of the first build"


def test_serve_shows_a_configuration_error_and_recovers_when_it_is_fixed(server: Server) -> None:
    """A configuration file that no longer validates (an unknown site language in portal.yml)
    is shown on the served pages like a record error, naming the file; fixing it recovers.
    (Otherwise mkdocs serve holds every page request until the file is fixed, and only the
    terminal says why.)"""
    portal = server.project / "site_config" / "portal.yml"
    original = portal.read_bytes()
    record = improvements(server.project)[0]
    server.wait_for_page("the record page, valid", record.rel, lambda h: record.id in h and BANNER not in h)
    try:
        since = len(server.output())
        text, n = re.subn(r"(?m)^language: .*$", "language: klingon", original.decode("utf-8"))
        assert n == 1
        portal.write_text(text, encoding="utf-8")
        server.wait_for_rebuild("the rebuild after breaking portal.yml", since)
        page = server.page(record.rel, timeout=5) or ""  # mkdocs serve holds requests while its last build failed
    finally:
        portal.write_bytes(original)
    server.wait_for_page("the preview to recover", record.rel, lambda h: record.id in h and BANNER not in h)
    assert BANNER in page, "portal.yml broke, and the record page showed no validation banner (or did not load)"
    assert "site_config/portal.yml" in page[page.index(BANNER):]
    assert server.alive() is None


def _served_search_text(server: Server, url: str) -> str | None:
    """The indexed text of the page at ``url`` in the search index mkdocs serve is serving now
    (read from its build folder, under the server's TMPDIR); None while it is being written."""
    try:
        (served,) = server.project.parent.glob("mkdocs_*")
        docs = {str(d["url"]): str(d["content"]) for d in search_documents(served)}
    except (OSError, EOFError, ValueError, AssertionError):
        return None
    return docs.get(url)


def test_serve_keeps_search_current(server: Server) -> None:
    """Search stays usable in live preview: every rebuild writes the search index of the pages as
    they are then, so a word added to a record is found on its page, and gone once removed."""
    # (the index of a live-preview build is written after the browsers reload)
    assert wait_for("the search bundle", lambda: http_get(server.url + "pagefind/pagefind.js"), timeout=REBUILD_TIMEOUT,
                    alive=server.alive), "mkdocs serve serves no search bundle"
    record = improvements(server.project)[0]
    url = "/" + page_url(record.rel)
    word = "Quokkaserve"
    assert wait_for("the served search index", lambda: _served_search_text(server, url), alive=server.alive)
    assert word not in (_served_search_text(server, url) or "")
    original = record.path.read_bytes()
    try:
        record.path.write_bytes(original + f"\n评审备注 {word}\n".encode())
        wait_for("the word in the served search index", lambda: word in (_served_search_text(server, url) or ""),
                 timeout=REBUILD_TIMEOUT, alive=server.alive)
        entry = http_get(server.url + "pagefind/pagefind-entry.json")
        assert entry and json.loads(entry)["languages"], "no index served"
    finally:
        record.path.write_bytes(original)
    wait_for("the word to leave the served search index",
             lambda: (text := _served_search_text(server, url)) is not None and word not in text,
             timeout=REBUILD_TIMEOUT, alive=server.alive)
