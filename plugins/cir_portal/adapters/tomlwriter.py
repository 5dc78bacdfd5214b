"""A small TOML writer for the configuration files ``cir render`` writes (Python reads TOML
with ``tomllib`` but cannot write it).

Tables after a table's plain values become ``[sections]``, lists of them ``[[sections]]``; any
other nested table is written inline, so keys keep their order. ``None`` values are left out:
TOML has no null, and an absent key means "the default" to the engines that read these files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dumps(data: Mapping[str, Any]) -> str:
    """``data`` as a TOML document (``tomllib.loads`` gives ``data`` back, ``None`` values left out)."""
    lines: list[str] = []
    _table(lines, [], data, header="")
    return "\n".join(lines).strip("\n") + "\n"


def _table(lines: list[str], path: list[str], data: Mapping[str, Any], header: str) -> None:
    items = [(str(k), v) for k, v in data.items() if v is not None]
    nested = [_is_table(v) or _is_table_array(v) for _, v in items]
    # Sections follow the table's own values: a table before a plain value is written inline
    # instead, so the keys keep their order (it matters, e.g. for Markdown extensions).
    last_value = max((i for i, n in enumerate(nested) if not n), default=-1)
    nested = [n and i > last_value for i, n in enumerate(nested)]
    if header:
        lines.extend(["", header])
    lines.extend(f"{_key(k)} = {_value(v)}" for (k, v), n in zip(items, nested, strict=True) if not n)
    for (k, v), n in zip(items, nested, strict=True):
        sub = [*path, k]
        if n and _is_table(v):
            # A table with only sub-tables needs no header of its own.
            own = any(not _is_table(x) and not _is_table_array(x) for x in v.values() if x is not None)
            _table(lines, sub, v, header=f"[{_dotted(sub)}]" if own else "")
        elif n:
            for item in v:
                _table(lines, sub, item, header=f"[[{_dotted(sub)}]]")


def _is_table(value: Any) -> bool:
    """A mapping written as a [section]: one with settings (an empty one is written ``{}``)."""
    return isinstance(value, Mapping) and any(v is not None for v in value.values())


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_table(x) for x in value)


def _dotted(path: list[str]) -> str:
    return ".".join(_key(k) for k in path)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    # JSON's escapes (\" \\ \n \t \uXXXX for other control characters) are TOML's; DEL must be escaped too.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        if any(x is None for x in value):
            raise ValueError("TOML has no null: a list holds an empty value")
        return "[" + ", ".join(_value(x) for x in value) + "]"
    if isinstance(value, Mapping):
        pairs = [f"{_key(str(k))} = {_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    raise ValueError(f"cannot write {type(value).__name__} {value!r} as TOML")
