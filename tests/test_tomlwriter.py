"""The TOML writer behind zensical.toml: whatever settings it is given, Python's own TOML reader
reads them back unchanged and in the same order (empty values left out: TOML has no null)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cir_portal.adapters.tomlwriter import dumps

SETTINGS = settings(max_examples=100, deadline=None, database=None, derandomize=True)

#: Any text but lone surrogates (not characters: no UTF-8 file can hold them).
characters = st.characters(exclude_categories=["Cs"])
keys = st.text(characters, max_size=12)
text = st.text(characters, max_size=30)
scalars = st.one_of(text, st.booleans(), st.integers(-(2**63), 2**63 - 1),
                    st.floats(allow_nan=False, allow_infinity=True), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner.filter(lambda v: v is not None), max_size=4),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _ordered(value: Any) -> Any:
    """``value`` with every mapping as a list of pairs: equal only if the key order is the same."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


@SETTINGS
@given(st.dictionaries(keys, values, max_size=6))
def test_round_trip(data: dict[str, Any]) -> None:
    expected = _without_none(data)
    assert _ordered(tomllib.loads(dumps(data))) == _ordered(expected)


def test_sections_and_inline_tables() -> None:
    """Tables after the plain values are sections, lists of them [[sections]]; a table followed by
    a plain value stays inline so the order is kept."""
    data = {"project": {"site_name": "登记册 \"x\"", "ext": {"toc": {"permalink": True}, "admonition": {}},
                        "after": 1, "theme": {"language": "zh", "palette": [{"scheme": "slate", "toggle": {"icon": "i"}}]}}}
    assert dumps(data) == (
        '[project]\n'
        'site_name = "登记册 \\"x\\""\n'
        'ext = { toc = { permalink = true }, admonition = {} }\n'
        'after = 1\n'
        '\n'
        '[project.theme]\n'
        'language = "zh"\n'
        '\n'
        '[[project.theme.palette]]\n'
        'scheme = "slate"\n'
        '\n'
        '[project.theme.palette.toggle]\n'
        'icon = "i"\n'
    )


def test_no_null_in_a_list() -> None:
    with pytest.raises(ValueError, match="null"):
        dumps({"a": [1, None]})
