"""What the browser tests share: the sites they drive and the guard that watches each browser
context (requests, console, page errors, dialogs)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Page, Request, Response, Route, WebError

from cirtest.site import RecordFile, add_person, improvements, person_teams, read_records, update_record

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: Hostile front matter values: each must be shown as text wherever it appears.
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_NAME = "<script>alert(2)</script>"
HOSTILE_VALUE = "<b onmouseover=alert(3)>x</b>"
HOSTILE_PERSON = "evil.person"
#: Synthetic improvements added to the busy site (more than one page of the register).
SYNTHETIC = 120


@dataclass(frozen=True)
class ServedSite:
    """A project copy, built with site_url = url, served at url."""

    project: Path
    site: Path
    url: str

    @property
    def records(self) -> list[RecordFile]:
        return read_records(self.project)

    @property
    def improvements(self) -> list[RecordFile]:
        return improvements(self.project)


@dataclass(frozen=True)
class BusySite(ServedSite):
    """The example plus many synthetic improvements (more than a register page holds), with
    hostile values in one improvement's title and value and in its owner's name."""

    hostile: RecordFile | None = None
    synthetic: tuple[str, ...] = ()


def make_hostile(project: Path) -> RecordFile:
    owned = [r for r in improvements(project) if r.front_matter.get("owner") and r.front_matter.get("value")]
    assert owned, "the example has no improvement with an owner and a value"
    record = owned[0]
    teams = person_teams(project)
    add_person(project, HOSTILE_PERSON, HOSTILE_NAME, teams[record.front_matter["owner"]])
    update_record(record.path, title=HOSTILE_TITLE, owner=HOSTILE_PERSON, value=HOSTILE_VALUE)
    return next(r for r in improvements(project) if r.id == record.id)


@dataclass
class Guard:
    """What a browser context did that a test must not tolerate."""

    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    pending: set[Request] = field(default_factory=set)

    def attach(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)
        context.on("request", self._request)
        context.on("requestfailed", self._request_failed)
        context.on("requestfinished", self._request_finished)
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", self._weberror)
        context.on("dialog", self._dialog)

    def _route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)
        self.pending.add(request)
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and urlsplit(request.url).hostname != "127.0.0.1":
            self.foreign.append(request.url)

    def _request_finished(self, request: Request) -> None:
        self.pending.discard(request)

    def _request_failed(self, request: Request) -> None:
        self.pending.discard(request)
        if request.failure != "net::ERR_ABORTED":  # cancelled by the next navigation: not a failure
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _weberror(self, error: WebError) -> None:
        self.errors.append(f"page error: {error.error}")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def settle(self, page: Page, quiet_ms: int = 200, timeout_s: float = 15) -> None:
        """Wait until no request has been in flight for ``quiet_ms`` (a shorter networkidle)."""
        deadline, quiet = time.monotonic() + timeout_s, 0
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)
            quiet = 0 if self.pending else quiet + 50
            if quiet >= quiet_ms:
                return
        raise AssertionError(f"requests still in flight: {sorted(r.url for r in self.pending)}")

    def check(self) -> None:
        assert self.dialogs == [], "a dialog opened (script ran)"
        assert sorted(set(self.foreign)) == [], "requests left 127.0.0.1"
        assert self.errors == [], "JavaScript errors"
        assert self.failed == [], "failed requests"


# --- hostile values everywhere (the all-pages test)

#: Front matter keys that hold free text (every other string is an id, a key, a date or an enum).
FREE_TEXT = frozenset({"title", "value", "plan", "definition_of_done", "reason", "recommendation", "note", "description",
                       "name", "unit", "problem", "solution", "key_metrics", "value_proposition", "unfair_advantage",
                       "customer_segments", "channels", "cost_structure", "benefits", "source_ref", "requester"})
#: Markup that runs if it reaches a page unescaped: each would open a dialog.
HOSTILE_TEXT = "</title><script>alert(1)</script><img src=x onerror=alert(2)>\"'><svg onload=alert(3)>"
#: A body with raw HTML and links that run script (sanitised away; nothing here loads from anywhere).
HOSTILE_BODY = """

<script>alert('body script')</script>
<img src="javascript:alert('img')" onerror="alert('img onerror')">
<iframe src="javascript:alert('iframe')"></iframe>
<svg onload="alert('svg')"></svg>
<a href="javascript:alert('a')">raw link</a> <a href="JaVaScRiPt:alert('a2')">case</a>
[markdown link](javascript:alert('md')) [entity link](&#106;avascript:alert('entity'))
<details ontoggle="alert('details')" open><summary>s</summary>x</details>
<form action="javascript:alert('form')"><button>b</button></form>
Paragraph with an attribute list
{: onclick="alert('attr')" }
"""


def _hostile(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key == "tags":
            return [f"{HOSTILE_TEXT} {i}" for i in range(len(value) or 1)]
        return [_hostile(v, key) for v in value]
    if isinstance(value, str) and key in FREE_TEXT:
        return f"{HOSTILE_TEXT} {key}"[:120]
    return value


def _relabel(value: Any) -> Any:
    """Every human-readable name of a configuration file, hostile (ids and keys kept)."""
    if isinstance(value, dict):
        return {k: (f"{HOSTILE_TEXT} {k}" if k == "name" else _relabel(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_relabel(v) for v in value]
    return value


def make_everything_hostile(project: Path) -> None:
    """Hostile text in every free-text front matter string and tag of every record of every kind,
    a hostile body in every record, and hostile names for every person, team and taxonomy entry."""
    for record in read_records(project):
        text = record.path.read_text(encoding="utf-8")
        fields = {k: v for k, v in _hostile(record.front_matter).items() if record.front_matter.get(k) != v}
        fields.setdefault("tags", _hostile(["x"], "tags"))
        update_record(record.path, **fields)
        record.path.write_text(record.path.read_text(encoding="utf-8") + HOSTILE_BODY, encoding="utf-8")
        assert text != record.path.read_text(encoding="utf-8")
    for name in ("people.yml", "taxonomy.yml"):
        path = project / "site_config" / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(_relabel(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
