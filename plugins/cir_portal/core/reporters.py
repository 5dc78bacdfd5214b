"""Reporters: issues to text for people, JSON for tools, annotations for GitHub Actions."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from cir_portal.core.issues import Issue

Reporter = Callable[[Sequence[Issue]], str]
REPORTERS: dict[str, Reporter] = {}


def reporter(name: str) -> Callable[[Reporter], Reporter]:
    def register(fn: Reporter) -> Reporter:
        REPORTERS[name] = fn
        return fn

    return register


def location(issue: Issue) -> str:
    if issue.line and issue.column:
        return f"{issue.path}:{issue.line}:{issue.column}"
    if issue.line:
        return f"{issue.path}:{issue.line}"
    return issue.path


@reporter("text")
def text(issues: Sequence[Issue]) -> str:
    """``path:line:col: error: key: message`` and an indented hint, one issue per block."""
    lines = []
    for i in issues:
        key = f"{i.key}: " if i.key else ""
        lines.append(f"{location(i)}: {i.severity}: {key}{i.message} [{i.code}]")
        if i.hint:
            lines.append(f"    hint: {i.hint}")
    return "\n".join(lines) + ("\n" if lines else "")


@reporter("json")
def json_(issues: Sequence[Issue]) -> str:
    """One JSON array of ``{path, line, column, key, severity, code, message, hint}``."""
    return json.dumps([i.as_dict() for i in issues], ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


@reporter("github")
def github(issues: Sequence[Issue]) -> str:
    """GitHub Actions workflow commands, so issues show on the pull request's lines."""
    out = []
    for i in issues:
        props = [f"file={_escape_property(i.path)}"]
        if i.line:
            props.append(f"line={i.line}")
        if i.column:
            props.append(f"col={i.column}")
        props.append(f"title={_escape_property(i.code)}")
        key = f"{i.key}: " if i.key else ""
        hint = f" ({i.hint})" if i.hint else ""
        out.append(f"::{i.severity} {','.join(props)}::{_escape_data(key + i.message + hint)}")
    return "\n".join(out) + ("\n" if out else "")


def summary(records: int, issues: Sequence[Issue]) -> str:
    """One line: ``31 records, 2 errors in 1 file, 1 warning``."""
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    files = len({i.path for i in errors})
    parts = [f"{records} record{'s' if records != 1 else ''}"]
    if errors:
        parts.append(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in {files} file{'s' if files != 1 else ''}")
    else:
        parts.append("no errors")
    if warnings:
        parts.append(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}")
    return ", ".join(parts)
