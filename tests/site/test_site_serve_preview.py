"""Live preview is incremental and exact: during a real ``mkdocs serve``, records are edited,
added, renamed, deleted, broken and fixed and the configuration is changed; after each
rebuild every file the server serves is byte-identical to a clean build of the same files
(built the way ``mkdocs serve`` builds, in a fresh process), the search index included (it
holds the pages a rebuild did not render), and rebuilds after a record edit render only part
of the site.

A real server of a small project in git (so that its date does not move), polled through its
log (bounded waits, never fixed sleeps). The clean build runs MkDocs' own build with the
serving URL, as ``mkdocs serve`` does for its first build.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cirtest.site import (
    add_synthetic_improvements,
    free_port,
    git_commit_all,
    http_get,
    improvements,
    page_url,
    search_documents,
    start_serve,
    stop_serve,
    tree_digest,
    update_record,
    wait_for,
)

pytestmark = pytest.mark.slow

REBUILD_TIMEOUT = 120.0
#: What `mkdocs serve` logs when a rebuild ends: done ("Documentation built in ..." is not reliable:
#: MkDocs never logs the same line twice, and two quick rebuilds can take as long), or failed.
REBUILD_ENDS = ("Reloading browsers", "An error happened during the rebuild")
#: One line per rebuild from the cir plugin: "live preview (build 3): 12 of 80 pages, cards and files generated again, ..."
PREVIEW_LINE = re.compile(r"live preview \(build (\d+)\): (\d+) of (\d+) pages, cards and files generated again")
#: What the cir plugin logs once a live-preview build's search index is written (after the browsers reload)
INDEX_LINE = "search index (build {}):"
#: What `mkdocs serve` does for its first build, in a fresh process: the clean build to compare with.
CLEAN_BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
config_file, site_dir, url = sys.argv[1:4]
config = load_config(config_file, site_dir=site_dir)
config.plugins.on_startup(command="serve", dirty=False)
config.site_url = url
build(config, serve_url=url)
"""


@dataclass
class Served:
    project: Path
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    tmp: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> str | None:
        if self.process.poll() is None:
            return None
        return f"mkdocs serve exited with {self.process.returncode}:\n{self.output()[-3000:]}"

    def site_dir(self) -> Path:
        """The folder ``mkdocs serve`` builds into and serves (a temporary folder under TMPDIR)."""
        found = [p for p in self.tmp.glob("mkdocs_*") if p.is_dir() and ".cir-previous" not in p.name]
        assert len(found) == 1, found
        return found[0]

    def rebuild(self, what: str, change: Callable[[], None]) -> str:
        """Make a change and wait until the rebuild it starts has ended; returns its log."""
        since = len(self.output())
        change()

        def ended() -> str:
            later = self.output()[since:]
            start = later.find("Building documentation")
            done = [later.find(end, start) for end in REBUILD_ENDS] if start >= 0 else []
            return later if any(at > start for at in done) else ""

        try:
            log = wait_for(f"the rebuild after {what}", ended, timeout=REBUILD_TIMEOUT, alive=self.alive)
            self.wait_for_index(log, since)
            return log
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- mkdocs serve output:\n{self.output()[-3000:]}") from None

    def wait_for_index(self, log: str, since: int = 0) -> None:
        """Wait until the search index of the build that logged ``log`` is written (unless it failed)."""
        builds = PREVIEW_LINE.findall(log)
        if builds and REBUILD_ENDS[1] not in log:
            line = INDEX_LINE.format(builds[-1][0])
            wait_for(f"the search index of build {builds[-1][0]}", lambda: line in self.output()[since:],
                     timeout=REBUILD_TIMEOUT, alive=self.alive)


@pytest.fixture
def served(tmp_path: Path, small_project: Callable[[Path], Path]) -> Iterator[Served]:
    project = small_project(tmp_path / "project")
    add_synthetic_improvements(project, 12)
    git_commit_all(project, "2024-05-06T07:08:09Z")
    port = free_port()
    log = tmp_path / "serve.log"
    serve_tmp = tmp_path / "serve-tmp"
    serve_tmp.mkdir()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(serve_tmp)}
    env.pop("SOURCE_DATE_EPOCH", None)
    with log.open("wb") as out:
        process = start_serve(project, port, env, out)
    server = Served(project, f"http://127.0.0.1:{port}/", process, log, serve_tmp)
    try:
        wait_for("mkdocs serve to answer", lambda: http_get(server.url), timeout=120, alive=server.alive)
        server.wait_for_index(server.output())
        yield server
    finally:
        stop_serve(process, timeout=30)


def clean_build(server: Served, dest: Path) -> dict[str, bytes]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run([sys.executable, "-c", CLEAN_BUILD, str(server.project / "mkdocs.yml"), str(dest), server.url],
                          cwd=server.project, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return tree_digest(dest)


def assert_same_as_clean_build(server: Served, step: str, dest: Path) -> None:
    served = tree_digest(server.site_dir())
    clean = clean_build(server, dest)
    # The search index first, by what it holds (the pages an incremental rebuild did not render
    # included), then byte for byte with every other file below: Pagefind's files depend on the
    # order the pages are indexed in, which must be the clean build's.
    served_docs = {str(d["url"]): (d["content"], d["meta"], d["filters"]) for d in search_documents(server.site_dir())}
    clean_docs = {str(d["url"]): (d["content"], d["meta"], d["filters"]) for d in search_documents(dest)}
    assert served_docs == clean_docs, (
        f"after {step}, the served search index is not the clean build's: missing "
        f"{sorted(clean_docs.keys() - served_docs.keys())[:8]}, extra {sorted(served_docs.keys() - clean_docs.keys())[:8]}, "
        f"different {sorted(k for k in clean_docs.keys() & served_docs.keys() if clean_docs[k] != served_docs[k])[:8]}")
    missing, extra = sorted(clean.keys() - served.keys()), sorted(served.keys() - clean.keys())
    differ = sorted(k for k in clean.keys() & served.keys() if clean[k] != served[k])
    detail = ""
    if differ:
        import difflib

        first = differ[0]
        lines = [served[first].decode(errors="replace").replace("><", ">\n<").splitlines(),
                 clean[first].decode(errors="replace").replace("><", ">\n<").splitlines()]
        detail = "\n".join(list(difflib.unified_diff(*lines, "served/" + first, "clean/" + first, lineterm="", n=1))[:40])
    assert not (missing or extra or differ), (
        f"after {step}, the served site is not the clean build: missing {missing[:8]}, extra {extra[:8]}, "
        f"different {differ[:8]}\n{detail}")


def test_every_served_file_is_the_clean_build_after_each_change(served: Served, tmp_path: Path) -> None:
    project = served.project
    records = improvements(project)
    first, second, third, fourth = records[0], records[3], records[5], records[7]
    content = project / "content"
    moved = first.path.with_name(first.path.stem + "-moved.md")
    broken_text = second.path.read_text(encoding="utf-8")

    def add() -> None:
        text = third.path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^id: .*$", "id: IMP-0900", text, count=1)
        text = re.sub(r"(?m)^title: .*$", "title: 新增的记录 Added while serving", text, count=1)
        (content / "improvements" / "IMP-0900-added.md").write_text(text, encoding="utf-8")

    def vision() -> None:
        portal = project / "site_config" / "portal.yml"
        data = yaml.safe_load(portal.read_text(encoding="utf-8"))
        data["vision"] = {"zh": "预览中修改的愿景", "en": "Vision changed while serving"}
        portal.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def schema() -> None:
        # An organisation adds a key of its own: every improvement's card can show it.
        path = project / "schemas" / "improvement.schema.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["properties"]["cost_centre"] = {"type": "string", "title": "Cost centre", "x-title-zh": "成本中心"}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    # (what changes, the change, how the rebuild regenerates: "part" of the site or "all" of it)
    steps: list[tuple[str, Callable[[], None], str]] = [
        ("a title edit", lambda: update_record(second.path, title="预览标题 Title edited while serving"), "part"),
        ("a new record", add, "part"),
        ("a renamed record file", lambda: first.path.rename(moved), "part"),
        ("a deleted record", lambda: third.path.unlink(), "part"),
        # The serve builds for the default audience (internal): a restricted record is not published.
        ("a record made restricted", lambda: update_record(fourth.path, visibility="restricted"), "part"),
        ("a record that no longer validates", lambda: second.path.write_text(
            broken_text.replace("status:", "status: no-such-status\nold_status:", 1), encoding="utf-8"), "any"),
        ("the record fixed", lambda: second.path.write_text(broken_text, encoding="utf-8"), "any"),
        ("a change to site_config/portal.yml", vision, "all"),
        ("a change to schemas/improvement.schema.json", schema, "all"),
        ("the restricted record published again", lambda: update_record(fourth.path, visibility="internal",
                                                                         cost_centre="CC-42"), "part"),
    ]
    for n, (step, change, expect) in enumerate(steps):
        log = served.rebuild(step, change)
        assert "An error happened during the rebuild" not in log, log
        assert_same_as_clean_build(served, step, tmp_path / f"clean-{n}")
        counts = PREVIEW_LINE.findall(log)
        assert counts, f"no live-preview line in the log of the rebuild after {step}:\n{log}"
        regenerated, total = int(counts[-1][1]), int(counts[-1][2])
        if expect == "part":
            assert regenerated < total, f"{step} regenerated the whole site"
        elif expect == "all":
            assert regenerated == total, f"{step} did not regenerate the whole site ({regenerated} of {total})"
        if step == "a record made restricted":
            assert http_get(served.url + page_url(fourth.rel)) is None, "a restricted record's page is served"
            assert fourth.id not in (served.site_dir() / "register.json").read_text(encoding="utf-8")
        if step == "a title edit":
            docs = {str(d["url"]): d for d in search_documents(served.site_dir())}
            assert "Title edited while serving" in docs["/" + page_url(second.rel)]["meta"]["title"]
            assert "/" + page_url(records[1].rel) in docs, "a page the rebuild did not render left the search index"
    page = http_get(served.url + page_url(second.rel))
    assert page is not None and second.id in page and "cir-problems" not in page
    page = http_get(served.url + page_url(fourth.rel))
    assert page is not None and "CC-42" in page
