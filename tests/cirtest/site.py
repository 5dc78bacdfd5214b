"""Helpers of the site and browser tests: copies of the example register, the records as a
contributor wrote them (read straight from the files, independently of the portal's model),
real ``mkdocs build`` runs, and a static server on 127.0.0.1.

The expectations of these tests come from the files, never from the code under test: a
test that asked the model how many records there are could not catch the model dropping one.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
#: What a register repository holds: the portal is built from these alone.
PROJECT_PARTS = ("content", "site_config", "schemas", "mkdocs.yml")
#: Record folders of content/ and the kind of record each holds.
KIND_FOLDERS = {"improvements": "improvement", "lessons": "lesson", "objectives": "objective", "assessments": "assessment"}
FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)
T = TypeVar("T")


def _plain(value: Any) -> Any:
    """YAML values as the exports show them: dates as ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class RecordFile:
    """One record file of a project, as written."""

    path: Path
    #: path relative to content/ (the MkDocs src_uri), e.g. ``improvements/IMP-0001-x.md``
    rel: str
    kind: str
    front_matter: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.front_matter["id"])


def read_front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    match = FRONT_MATTER.match(text)
    assert match, f"{path} has no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict), path
    return _plain(data)  # type: ignore[no-any-return]


def read_records(project: Path) -> list[RecordFile]:
    """Every record file under ``project/content``, in path order."""
    content = project / "content"
    out = []
    for folder, kind in KIND_FOLDERS.items():
        for path in sorted((content / folder).glob("*.md")):
            out.append(RecordFile(path, path.relative_to(content).as_posix(), kind, read_front_matter(path)))
    return sorted(out, key=lambda r: r.rel)


def improvements(project: Path) -> list[RecordFile]:
    """The improvement records, by id."""
    return sorted((r for r in read_records(project) if r.kind == "improvement"), key=lambda r: r.id)


def update_record(path: Path, **fields: Any) -> None:
    """Set front matter keys of a record file (the body is kept)."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, path
    data = yaml.safe_load(match.group(1))
    data.update(fields)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"---\n{front}---\n{text[match.end():]}", encoding="utf-8")


def _yaml(project: Path, rel: str) -> Any:
    return yaml.safe_load((project / rel).read_text(encoding="utf-8"))


def workflow(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = _yaml(project, "site_config/workflow.yml")
    return data


def workflow_order(project: Path) -> list[str]:
    """The statuses of workflow.yml, in the order written there."""
    return list(workflow(project)["statuses"])


def terminal_statuses(project: Path) -> set[str]:
    return {key for key, spec in workflow(project)["statuses"].items() if spec.get("terminal")}


def person_teams(project: Path) -> dict[str, str]:
    """Person id -> team id, from people.yml."""
    return {p["id"]: p["team"] for p in _yaml(project, "site_config/people.yml")["people"] if p.get("team")}


def add_person(project: Path, pid: str, name: str, team: str) -> None:
    """Add a person to people.yml."""
    path = project / "site_config" / "people.yml"
    data = _yaml(project, "site_config/people.yml")
    data["people"].append({"id": pid, "name": name, "team": team})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def mkdocs_config(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = _yaml(project, "mkdocs.yml")
    return data


def page_url(src_uri: str) -> str:
    """The site-root-relative URL MkDocs gives the page built from ``src_uri`` (directory URLs)."""
    stem = src_uri.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def copy_project(dest: Path, source: Path = REPO_ROOT) -> Path:
    """A copy of a register project (default: the example register) at ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns(".cir-cache"))
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest


def set_site_url(project: Path, url: str) -> None:
    """Point mkdocs.yml's ``site_url`` at ``url`` (instant navigation engages only on that origin)."""
    path = project / "mkdocs.yml"
    text, n = re.subn(r"(?m)^site_url:.*$", f"site_url: {url}", path.read_text(encoding="utf-8"))
    assert n == 1, "mkdocs.yml has no site_url line"
    path.write_text(text, encoding="utf-8")


def next_number(project: Path, prefix: str = "IMP-") -> int:
    numbers = [int(r.id.removeprefix(prefix)) for r in read_records(project) if r.id.startswith(prefix)]
    return max(numbers, default=0) + 1


def add_synthetic_improvements(project: Path, count: int) -> list[str]:
    """Add ``count`` valid improvements in status identified (after the highest id); returns their ids."""
    start = next_number(project)
    people = sorted(person_teams(project))
    practices = [p["key"] for p in _yaml(project, "site_config/taxonomy.yml")["practices"]]
    ids = []
    for n in range(start, start + count):
        rid = f"IMP-{n:04d}"
        body = (f"---\nid: {rid}\ntitle: 合成改进 Synthetic improvement {n}\nstatus: identified\n"
                f"raised: 2026-0{1 + n % 9}-1{n % 10}\nrequester: {people[n % len(people)]}\nsource: staff_idea\n"
                f"affects: [practice/{practices[n % len(practices)]}]\n---\n\n## 背景\n\n合成记录 {n}。\n")
        (project / "content" / "improvements" / f"{rid}-synthetic-{n}.md").write_text(body, encoding="utf-8")
        ids.append(rid)
    return ids


@dataclass(frozen=True)
class Build:
    """One finished ``mkdocs build``."""

    project: Path
    site: Path
    returncode: int
    log: str


def mkdocs_build(project: Path, site: Path, env: dict[str, str] | None = None, *, strict: bool = True) -> Build:
    """Run the real ``mkdocs build`` (a subprocess, as CI does) of ``project`` into ``site``."""
    run_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    args = [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    if strict:
        args.append("--strict")
    done = subprocess.run(args, cwd=project, env=run_env, capture_output=True, text=True, timeout=600, check=False)
    return Build(project, site, done.returncode, done.stdout + done.stderr)


def build_all(jobs: Sequence[tuple[Path, Path, dict[str, str] | None]]) -> list[Build]:
    """Build several projects at once (one per core); every build must succeed."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        builds = list(pool.map(lambda job: mkdocs_build(*job), jobs))
    for build in builds:
        assert build.returncode == 0, f"mkdocs build of {build.project} failed:\n{build.log}"
    return builds


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(directory: Path, handler: type[http.server.SimpleHTTPRequestHandler] = QuietHandler,
                    prefix: str = "/") -> Iterator[str]:
    """Serve ``directory`` (which may be built later) on a free 127.0.0.1 port with ``handler``;
    yields its URL (ending in ``prefix``, where the handler publishes the folder)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def tree_digest(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by relative path (to compare two builds)."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def search_documents(site: Path) -> list[dict[str, Any]]:
    """The pages of a built site's search index as Pagefind stored them, by URL: one dict per page
    with ``url`` (site-root-relative, with a leading slash), ``content`` (the indexed text, zero-width
    spaces between Chinese words), ``meta`` and ``filters``. Read from Pagefind's fragment files
    (gzip of ``pagefind_dcd`` + JSON), independently of the portal's code."""
    import gzip
    import json

    docs = []
    for path in sorted((site / "pagefind").glob("**/fragment/*.pf_fragment")):  # (a large site's index is in parts)
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd"), path
        doc = json.loads(raw[len(b"pagefind_dcd"):])
        doc["content"] = doc["content"].replace("\u200b", "")
        docs.append(doc)
    assert docs, f"{site} has no search index (pagefind/fragment/)"
    return sorted(docs, key=lambda d: str(d["url"]))


def register_index_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of assets/cir/register-index.json as dicts of plain values: columns listed in
    ``values`` hold positions in those lists, ``dates`` hold days since 1970-01-01, ``url`` holds
    what follows the id in the page URL (or ``[url]``), as cir.js reads them."""
    out = []
    for row in data["rows"]:
        rec = dict(zip(data["columns"], row, strict=True))
        for col, keys in data["values"].items():
            rec[col] = [keys[i] for i in rec[col]] if isinstance(rec[col], list) else keys[rec[col]]
        for col in data["dates"]:
            rec[col] = (dt.date(1970, 1, 1) + dt.timedelta(days=rec[col])).isoformat()
        part = rec["url"]
        rec["url"] = part[0] if isinstance(part, list) else data["url"]["prefix"] + rec["id"] + part + data["url"]["suffix"]
        out.append(rec)
    return out


def links_of(html: str) -> Iterable[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)


# --- the `cir` command, links, and a development server (used by tests/site)

def cir_command() -> list[str]:
    """The ``cir`` console script of the running environment (as a contributor runs it)."""
    script = Path(sys.executable).with_name("cir")
    assert script.is_file(), f"no `cir` script next to {sys.executable}: install the project (pip install -e .)"
    return [str(script)]


def run_cir(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``cir ARGS`` in ``cwd`` and return what it printed and its exit status."""
    run_env = {**os.environ, **(env or {})}
    return subprocess.run([*cir_command(), *args], cwd=cwd, env=run_env, capture_output=True, text=True, timeout=300,
                          check=False)


def body_of(path: Path) -> str:
    """A record file's Markdown body: what follows its front matter."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    match = FRONT_MATTER.match(text)
    assert match, f"{path} has no front matter"
    return text[match.end():]


#: Link schemes that never point into the site.
FOREIGN_SCHEMES = ("mailto:", "data:", "javascript:", "tel:")


def link_target(page: str, href: str, site_url: str) -> str | None:
    """The file of the built site (path relative to its root) that ``href``, found in the built file
    ``page`` (relative to the site root), points at; None for a link that leaves the site.

    Fragments and queries are dropped, %-escapes decoded, and directory URLs end in ``index.html``.
    A relative link that climbs above the site's root gives a path starting with ``../``
    (no such file: the link breaks as soon as the site is published below a folder).
    """
    import posixpath
    from html import unescape
    from urllib.parse import unquote, urlsplit

    href = unescape(href).strip()
    if not href or href.startswith("#") or href.lower().startswith(FOREIGN_SCHEMES):
        return None
    root = urlsplit(site_url or "http://site.invalid/")  # relative links resolve alike under any site_url
    root_path = root.path.rstrip("/") + "/"
    parts = urlsplit(href)
    raw = unquote(parts.path)
    if parts.scheme or parts.netloc:
        if (parts.scheme or root.scheme, parts.netloc) != (root.scheme, root.netloc):
            return None  # another host: the repository, the theme's home page
        if not (raw + "/").startswith(root_path):
            return None  # the same host, outside the site
        raw = raw.removeprefix(root_path.rstrip("/")).removeprefix("/")
    elif raw.startswith("/"):
        if not (raw + "/").startswith(root_path):
            return raw  # this host, outside the site's folder: no file of the site
        raw = raw.removeprefix(root_path.rstrip("/")).removeprefix("/")
    elif not raw:
        return page  # only a ?query: this very page
    else:
        raw = posixpath.join(posixpath.dirname(page), raw)
    path = posixpath.normpath(raw) if raw else ""
    path = "" if path == "." else path
    if path and (raw.endswith("/") or raw.rsplit("/", 1)[-1] in (".", "..")):
        path += "/"
    return path + "index.html" if path == "" or path.endswith("/") else path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_serve(project: Path, port: int, env: dict[str, str], out: Any) -> subprocess.Popen[bytes]:
    """``mkdocs serve`` of ``project`` on 127.0.0.1:``port``, output to ``out``, that Ctrl-C
    (SIGINT) stops. A shell starts background jobs with SIGINT ignored, and a process inherits
    that: Python then never turns SIGINT into KeyboardInterrupt, and the server would outlive
    ``stop_serve`` (pytest run in the background). The child gets the default disposition."""
    import signal

    cmd = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "-f", str(project / "mkdocs.yml")]
    if threading.current_thread() is not threading.main_thread():  # (only the main thread sets handlers)
        return subprocess.Popen(cmd, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # a handler: reset to the default in the child
    try:
        return subprocess.Popen(cmd, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT)
    finally:
        signal.signal(signal.SIGINT, before)


def stop_serve(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Stop a server from ``start_serve`` as Ctrl-C does (it shuts down cleanly), else kill it."""
    import signal

    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def http_get(url: str, timeout: float = 10.0) -> str | None:
    """The body of a 200 answer from ``url`` (127.0.0.1 only, never through a proxy), else None
    (also when no answer comes within ``timeout`` seconds)."""
    import urllib.error
    import urllib.request

    assert url.startswith("http://127.0.0.1:"), url
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as answer:
            body: bytes = answer.read()
            return body.decode("utf-8") if answer.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


def wait_for(what: str, check: Callable[[], T], *, timeout: float = 60.0, interval: float = 0.25,
             alive: Callable[[], str | None] | None = None) -> T:
    """Poll ``check()`` until it returns something truthy (returned) or ``timeout`` seconds pass
    (an AssertionError naming ``what``); ``alive()`` returning a message stops early."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        problem = alive() if alive is not None else None
        assert not problem, f"gave up waiting for {what}: {problem}"
        assert time.monotonic() < deadline, f"gave up waiting for {what} after {timeout:.0f} s"
        time.sleep(interval)


def targets_of(site: Path, page: str, site_url: str) -> set[str]:
    """The files of the built site that the links of the built file ``page`` point at
    (``site_url``: the one the site was built with; links under it count too)."""
    html = (site / page).read_text(encoding="utf-8")
    found = (link_target(page, href, site_url) for href in links_of(html))
    return {t for t in found if t is not None}


def page_file(src_uri: str) -> str:
    """The built HTML file (relative to the site root) of the page built from ``src_uri``."""
    return page_url(src_uri) + "index.html"


def git_commit_all(project: Path, date: str, message: str = "content") -> None:
    """Commit everything in ``project`` (made a git repository first if need be), dated ``date``."""
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    ident = ["-c", "user.name=cir tests", "-c", "user.email=tests@example.invalid", "-c", "commit.gpgsign=false"]
    steps = [] if (project / ".git").exists() else [["init", "-q"]]
    for args in [*steps, ["add", "-A"], [*ident, "commit", "-q", "--no-verify", "-m", message]]:
        subprocess.run(["git", *args], cwd=project, env=env, capture_output=True, text=True, timeout=60, check=True)
