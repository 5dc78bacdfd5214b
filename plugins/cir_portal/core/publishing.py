"""Audiences: which records, and which of their keys, a build publishes.

Audiences are ordered ``public < internal < restricted``. A record's ``visibility`` (or
portal.yml ``publish.default_visibility``, itself ``internal`` by default) is the least
trusted audience that may see it: a build for audience A publishes the records whose
visibility is at most A, and nothing else of the register.

The filter sits at the model boundary: validation runs on every record, then
:func:`publish` builds the register that views receive from the published records only,
with ``publish.redact[A]`` keys removed from their front matter. Every page, index, chart,
KPI and export is computed from that register, so a record a build does not publish
reaches none of its files; a published record that refers to it shows the bare id (the
views find no record to title or link). The register keeps the number of records left
out (``hidden``) for the dashboard's sentence.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from cir_portal.core.config import AUDIENCES, DEFAULT_AUDIENCE, Config
from cir_portal.core.model import Record, Register, make_record

#: Environment variable that sets the audience of a build (wins over the plugin option).
AUDIENCE_ENV = "CIR_AUDIENCE"


class AudienceError(ValueError):
    """An audience name that is not one of :data:`AUDIENCES`."""


def rank(level: str) -> int:
    """The position of an audience or visibility in ``public < internal < restricted``."""
    try:
        return AUDIENCES.index(level)
    except ValueError:
        raise AudienceError(f"{level!r} is not an audience; use one of: {', '.join(AUDIENCES)}") from None


def build_audience(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The audience of a build: ``CIR_AUDIENCE`` when set, else ``option``, else ``internal``."""
    env = (os.environ if environ is None else environ).get(AUDIENCE_ENV, "").strip()
    audience = env or (option or "").strip() or DEFAULT_AUDIENCE
    rank(audience)
    return audience


def visibility(fields: Mapping[str, Any], config: Config) -> str:
    """A record's visibility: its own ``visibility`` key, else the portal's default."""
    value = fields.get("visibility")
    return value if isinstance(value, str) and value in AUDIENCES else config.portal.publish.default_visibility


def visible(fields: Mapping[str, Any], config: Config, audience: str) -> bool:
    """Whether a record with these front matter ``fields`` is published to ``audience``."""
    value = fields.get("visibility")
    if value is not None and value not in AUDIENCES:
        return False  # not a level (the validator reports it): publish it to no one
    return rank(visibility(fields, config)) <= rank(audience)


def redacted(record: Record, keys: tuple[str, ...]) -> Record:
    """``record`` built again without the front matter ``keys`` (the record itself is not changed):
    neither its attributes nor its ``front_matter`` (what the exports write) hold them."""
    if not keys or not any(k in record.front_matter for k in keys):
        return record
    data = {k: v for k, v in record.front_matter.items() if k not in keys}
    return make_record(record.kind, data, rel=record.rel, src_uri=record.src_uri, body=record.body,
                       body_line=record.body_line)


def publish(register: Register, audience: str) -> Register:
    """The register as ``audience`` sees it: only the records published to it, redacted."""
    config = register.config
    rank(audience)
    keys = config.portal.publish.redact.get(audience, ())
    out = Register(config, audience=audience)
    for record in register.all():
        if not visible(record.front_matter, config, audience):
            out.hidden += 1
            continue
        out.add(redacted(record, keys))
    return out.index()
