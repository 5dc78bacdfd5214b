"""YAML text in the register's style: the one scalar writer every writer uses.

New records (``cir new``, ``cir import``, ``cir gaps --write``) are written with
:func:`front_matter`; edits of existing files (``cir move``, ``cir renumber``, recording
a gap's improvement) splice single values written by :func:`scalar`. A value is written
plain when that reads back as the same string under both YAML 1.2 (the validator) and
YAML 1.1 (other tools), else double-quoted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cir_portal.core.loading import parse_yaml

_YAML11_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})



def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or "\n" in text or text.casefold() in _YAML11_WORDS:
        return False
    value, problems = parse_yaml(f"[{text}]" if flow else f"k: {text}")
    return not problems and value == ([text] if flow else {"k": text})


def scalar(value: Any, *, flow: bool = False) -> str:
    """One YAML scalar as the register writes it: plain when that reads back as the same
    string (in YAML 1.2 and 1.1 alike), else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return text if _plain_ok(text, flow) else json.dumps(text, ensure_ascii=False)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k, flow=True)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value, flow=True)


def _small(value: Any) -> bool:
    """Written in flow style (``{value: 48, date: 2025-03-31}``): scalars and maps of scalars, short."""
    if isinstance(value, dict):
        return all(_is_scalar(v) or (isinstance(v, dict) and all(map(_is_scalar, v.values()))) for v in value.values()) \
            and len(_flow(value)) <= 100
    return all(_is_scalar(v) for v in value) if isinstance(value, list) else True


def yaml_lines(key: str, value: Any, indent: int = 0) -> list[str]:
    """``key: value`` as block YAML lines in the register's style (flow for short lists and maps)."""
    pad = " " * indent
    if isinstance(value, dict | list) and (not value or _small(value)):
        return [f"{pad}{key}: {_flow(value)}"]
    if isinstance(value, dict):
        lines = [f"{pad}{key}:"]
        for k, v in value.items():
            lines.extend(yaml_lines(scalar(k), v, indent + 2))
        return lines
    if isinstance(value, list):
        lines = [f"{pad}{key}:"]
        for item in value:
            lines.extend(_item_lines(item, indent + 2))
        return lines
    return [f"{pad}{key}: {scalar(value)}"]


def _item_lines(item: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(item, dict) and item and not _small(item):
        lines: list[str] = []
        for k, v in item.items():
            lines.extend(yaml_lines(scalar(k), v, indent + 2))
        return [f"{pad}- {lines[0][indent + 2:]}", *lines[1:]]
    return [f"{pad}- {_flow(item)}"]


def front_matter(fields: dict[str, Any], comments: dict[str, str] | None = None, trailer: Sequence[str] = ()) -> str:
    """The YAML between the ``---`` lines (ending with a newline), with optional end-of-line comments."""
    lines: list[str] = []
    for key, value in fields.items():
        block = yaml_lines(key, value)
        note = (comments or {}).get(key)
        if note:
            block[0] = f"{block[0]}  # {note}"
        lines.extend(block)
    lines.extend(trailer)
    return "\n".join(lines) + "\n"


def record_text(fm: str, body: str) -> str:
    return f"---\n{fm}---\n\n{body}"




def flow_map(item: dict[str, Any]) -> str:
    """A map on one line: ``{date: 2026-03-01, status: approved}``."""
    return "{" + ", ".join(f"{scalar(k, flow=True)}: {scalar(v, flow=True)}" for k, v in item.items()) + "}"
