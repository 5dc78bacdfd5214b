"""Schemas: JSON Schema checks of records and configuration, worded for contributors.

A valid record costs one call into jsonschema-rs. Only a record that fails is checked
again with the pure-Python ``jsonschema``, whose errors carry the failing subschema, so
the message can say what the key expects in words ("a date written YYYY-MM-DD") instead
of quoting the schema.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs

from cir_portal.core.issues import format_key

#: Every schema the project uses: record kinds and configuration files.
SCHEMA_NAMES = ("improvement", "lesson", "objective", "assessment", "portal", "workflow", "taxonomy", "people")

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a map of keys",
    "null": "empty",
}


def bundled_schema_dir() -> Path:
    """The default schemas shipped with cir-portal (used when a project has no ``schemas/``)."""
    here = Path(__file__).resolve().parents[1]  # the cir_portal package
    for candidate in (here / "_bundled" / "schemas", here.parents[1] / "schemas"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("cir-portal's bundled schemas are missing; reinstall the package")


def closest(value: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known word nearest to ``value`` (for "did you mean ...?"), or None when none is close."""
    found = difflib.get_close_matches(value, list(known), n=1, cutoff=cutoff)
    return found[0] if found else None


def resolve_node(root: dict[str, Any], node: Any) -> dict[str, Any]:
    """``node`` with its local ``$ref`` (``#/$defs/name``) followed; the node's own keys win.

    Returns a new dict: the loaded schema is shared by the whole run and never changed.
    """
    out: dict[str, Any] = dict(node) if isinstance(node, dict) else {}
    defs = root.get("$defs", {})
    for _ in range(32):  # a ref cycle cannot hang a lookup
        ref = out.pop("$ref", None)
        if not isinstance(ref, str):
            break
        out = {**defs.get(ref.rsplit("/", 1)[-1], {}), **out}
    return out


def schema_node(root: dict[str, Any], path: Iterable[str | int]) -> dict[str, Any]:
    """The subschema that describes the value at ``path`` (keys, and list indexes as ints), refs
    resolved; ``{}`` when the schema says nothing about it."""
    node = resolve_node(root, root)
    for part in path:
        node = resolve_node(root, node.get("items", {}) if isinstance(part, int) else node.get("properties", {}).get(part, {}))
    return node


def description(node: Any, lang: str = "en") -> str:
    """A schema node's ``description`` in ``lang``: the English ``description``, or its
    translation beside it (``x-description-zh``), falling back to English."""
    if not isinstance(node, dict):
        return ""
    if lang != "en":
        translated = node.get(f"x-description-{lang}")
        if isinstance(translated, str) and translated:
            return translated
    text = node.get("description", "")
    return text if isinstance(text, str) else ""


def describe_value(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return "a map of keys"


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One schema violation: where (key path, and whether the key itself is at fault) and what."""

    path: tuple[str | int, ...]
    code: str
    message: str
    hint: str
    at_key: bool = False
    #: The key path to name when it differs from where the problem is shown (a missing key is
    #: shown where its map is, but named by its own path).
    key: tuple[str | int, ...] | None = None


class Schema:
    """One JSON Schema (draft 2020-12), compiled for the fast check and for explanations."""

    def __init__(self, name: str, schema: dict[str, Any], source: str) -> None:
        self.name, self.schema, self.source = name, schema, source
        self._fast = jsonschema_rs.validator_for(schema, validate_formats=True)
        self._slow: jsonschema.protocols.Validator | None = None

    def is_valid(self, data: Any) -> bool:
        return bool(self._fast.is_valid(data))

    def problems(self, data: Any) -> list[SchemaProblem]:
        """Every violation in ``data``, worded for a contributor, in document order."""
        if self._fast.is_valid(data):
            return []
        if self._slow is None:
            cls = jsonschema.Draft202012Validator
            self._slow = cls(self.schema, format_checker=cls.FORMAT_CHECKER)
        out: list[SchemaProblem] = []
        for error in self._slow.iter_errors(data):
            out.extend(self._explain(error))
        if not out:  # the two implementations disagree: still say something precise
            for rs_error in self._fast.iter_errors(data):
                path = tuple(rs_error.instance_path)
                out.append(SchemaProblem(path, "schema.invalid", rs_error.message, self._hint_for_path(path)))
        return sorted(out, key=lambda p: _path_sort_key(p.path))

    def _hint_for_path(self, path: tuple[str | int, ...]) -> str:
        return f"See {self.source} for what this key accepts."

    def _explain(self, error: jsonschema.ValidationError) -> Iterator[SchemaProblem]:
        path = tuple(error.absolute_path)
        schema = error.schema if isinstance(error.schema, dict) else {}
        value: Any = error.instance
        kind = error.validator
        expects: Any = error.validator_value  # what the failed keyword asked for
        described = schema.get("description", "")
        if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
            known = sorted(schema.get("properties", {}))
            for extra in sorted(set(value) - set(known)):
                yield self._unknown_key(path, extra, known)
            return
        if kind == "required" and isinstance(value, dict):
            props = schema.get("properties", {})
            for key in expects:
                if key not in value:
                    about = props.get(key, {}).get("description", "")
                    where = f" in {format_key(path)}" if path else ""
                    yield SchemaProblem(path, "schema.required", f"missing required key {key!r}{where}",
                                        f"Add `{key}:` ({about})." if about else f"Add `{key}:`.", at_key=bool(path),
                                        key=(*path, key))
            return
        if kind == "enum":
            allowed = ", ".join(str(v) for v in expects)
            yield SchemaProblem(path, "schema.enum", f"{value!r} is not one of {allowed}", f"Use one of: {allowed}.")
            return
        if kind == "type":
            expected = expects
            names = [expected] if isinstance(expected, str) else list(expected)
            words = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
            hint = described and f"Expected {described}."
            if "boolean" in names and isinstance(value, str):
                hint = "Write true or false (without quotes)."
            elif ("number" in names or "integer" in names) and isinstance(value, str):
                hint = "Write the number without quotes or units (put the unit in `unit`)."
            yield SchemaProblem(path, "schema.type", f"must be {words}, not {describe_value(value)}", hint)
            return
        if kind in ("pattern", "format", "anyOf", "oneOf", "propertyNames", "const", "not"):
            expected = described or "a different value"
            if kind == "format" and expects == "date" and isinstance(value, str):
                msg = f"{value!r} is not a valid date"
                yield SchemaProblem(path, "schema.format", msg, "Write a real calendar date as YYYY-MM-DD, e.g. 2026-03-01.")
                return
            if kind == "propertyNames":
                yield SchemaProblem(path, "schema.key", f"a key here is not valid: {error.message}", f"Keys must be {expected}.")
                return
            yield SchemaProblem(path, f"schema.{kind.lower()}", f"{value!r} is not valid here", f"Expected {expected}.")
            return
        if kind in ("minItems", "maxItems"):
            n = expects
            what = "at least" if kind == "minItems" else "at most"
            yield SchemaProblem(path, "schema.items", f"must list {what} {n} item{'s' if n != 1 else ''}",
                                described and f"Expected {described}.")
            return
        if kind == "uniqueItems" and isinstance(value, list):
            for i, item in enumerate(value):
                if item in value[:i]:
                    yield SchemaProblem((*path, i), "schema.unique", f"{item!r} is listed twice", "Keep one of them.")
            return
        if kind in ("minLength", "maxLength"):
            n = expects
            if kind == "minLength" and n == 1:
                yield SchemaProblem(path, "schema.length", "must not be empty", described and f"Expected {described}.")
            else:
                what = "at least" if kind == "minLength" else "at most"
                yield SchemaProblem(path, "schema.length",
                                    f"is {len(value)} characters long; {what} {n} allowed", "")
            return
        if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            n = expects
            word = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                    "exclusiveMaximum": "less than"}[kind]
            yield SchemaProblem(path, "schema.range", f"{value} is out of range: must be {word} {n}",
                                described and f"Expected {described}.")
            return
        if kind in ("minProperties", "maxProperties"):
            yield SchemaProblem(path, "schema.properties", error.message, described and f"Expected {described}.")
            return
        yield SchemaProblem(path, f"schema.{kind}", error.message, described and f"Expected {described}.")

    def _unknown_key(self, path: tuple[str | int, ...], extra: str, known: list[str]) -> SchemaProblem:
        close = closest(extra, known)
        message = f"unknown key {extra!r}"
        if close:
            message += f": did you mean {close!r}?"
            hint = f"Rename it to `{close}`."
        elif len(known) <= 12:
            hint = f"Allowed keys here: {', '.join(known)}."
        else:
            hint = f"Remove it, or add it to {self.source} if your organisation needs this key."
        return SchemaProblem((*path, extra), "schema.unknown_key", message, hint, at_key=True)


def _path_sort_key(path: tuple[str | int, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((0, f"{p:08d}") if isinstance(p, int) else (1, p) for p in path)


@dataclass(frozen=True, slots=True)
class SchemaLoadError:
    path: str
    message: str


def load_schemas(project_schema_dir: Path, rel: Callable[[Path], str]) -> tuple[dict[str, Schema], list[SchemaLoadError]]:
    """Load every schema, the project's own where it has one, the bundled default otherwise."""
    bundled = bundled_schema_dir()
    out: dict[str, Schema] = {}
    errors: list[SchemaLoadError] = []
    for name in SCHEMA_NAMES:
        filename = f"{name}.schema.json"
        path = project_schema_dir / filename
        if not path.is_file():
            path = bundled / filename
        shown = rel(path)
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            jsonschema.Draft202012Validator.check_schema(schema)
            out[name] = Schema(name, schema, shown)
        except (OSError, ValueError) as exc:
            errors.append(SchemaLoadError(shown, f"cannot read the schema: {exc}"))
        except jsonschema.SchemaError as exc:
            errors.append(SchemaLoadError(shown, f"not a valid JSON Schema: {exc.message}"))
    return out, errors
