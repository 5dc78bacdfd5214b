"""Exports: register.json (every record), register.csv (improvements, UTF-8 with BOM),
feed.xml (Atom: raised and closed improvements) and the client-side register index.

Everything is derived from the content: ``generated`` comes from the content epoch, never
the wall clock, so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import math
from datetime import UTC, datetime
from functools import partial
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from cir_portal.core.config import Config
from cir_portal.core.deps import KeptValues
from cir_portal.core.model import Improvement, Record
from cir_portal.core.pipeline import LoadResult
from cir_portal.core.schemas import schema_node
from cir_portal.views.context import Site
from cir_portal.views.register import INDEX_FILE, index_json

CSV_COLUMNS = ("id", "title", "status", "raised", "requester", "source", "source_ref", "affects", "urgency", "cost",
               "value", "value_types", "owner", "team", "objectives", "approved_by", "approved_on", "plan",
               "definition_of_done", "target_date", "closed_on", "outcome", "lessons", "reason", "escalated",
               "originator_notified", "satisfaction", "planned_cost", "actual_cost", "negative_outcome", "related",
               "supersedes", "tags", "cost_estimate", "business_case", "metrics", "history", "url")
FEED_ENTRIES = 100


def files(site: Site, site_url: str = "") -> dict[str, bytes]:
    return {
        "register.json": register_json(site),
        "register.csv": register_csv(site),
        "feed.xml": atom_feed(site, site_url),
        INDEX_FILE: index_json(site),
    }


def generated_timestamp(site: Site) -> str:
    return datetime.fromtimestamp(site.epoch, UTC).isoformat().replace("+00:00", "Z")


def record_entry(site: Site, record: Record) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": record.kind, "id": record.id, "title": record.title, "url": site.url(record.src_uri)}
    for key, value in record.front_matter.items():
        if key not in entry:
            entry[key] = value
        elif entry[key] != value:
            # A front matter key that names something else here (a lesson's own `kind`: success,
            # failure, observation) is kept under "<record kind>_<key>" (lesson_kind), not dropped.
            entry[f"{record.kind}_{key}"] = value
    return entry


#: A record's part of register.json and register.csv, kept with the record (its value does not
#: change): a live-preview rebuild writes the exports again from these.
_ENTRIES: KeptValues[bytes] = KeptValues()
_CSV_ROWS: KeptValues[str] = KeptValues()


def _entry_bytes(site: Site, record: Record) -> bytes:
    """The record's entry as register.json writes it (UTF-8), at the depth it has there (in ``records``)."""
    return indented_json(record_entry(site, record), 2).encode("utf-8")


_encode_str = json.encoder.encode_basestring  # (C's, as json.dumps(ensure_ascii=False) uses)


def indented_json(value: Any, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)``, as if ``value`` stood ``level`` levels
    deep. json writes indented output in Python, a generator call per token: this writes
    containers in Python and strings in C, in half the time."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is dict or kind is list:
        if not value:
            return "[]" if kind is list else "{}"
        inner = "\n" + " " * (level + 1)
        if kind is list:
            parts = [indented_json(item, level + 1) for item in value]
        elif all(type(key) is str for key in value):
            parts = [f"{_encode_str(key)}: {indented_json(item, level + 1)}" for key, item in value.items()]
        else:
            return _json_indented(value, level)
        return ("[" if kind is list else "{") + inner + ("," + inner).join(parts) + "\n" + " " * level + (
            "]" if kind is list else "}")
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int or (kind is float and math.isfinite(value)):
        return repr(value)  # (json writes numbers with their repr)
    return _json_indented(value, level)  # NaN, Infinity, tuples, anything else: as json writes them


def _json_indented(value: Any, level: int) -> str:
    # JSON strings hold no raw line breaks: indenting every line indents the value.
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * level)


def register_json(site: Site) -> bytes:
    """Every record of every kind with all its front matter (dates are ISO strings). Written
    entry by entry; the same text as ``json.dumps(data, ensure_ascii=False, indent=1)``."""
    records = site.register.all()
    generated = json.dumps(generated_timestamp(site), ensure_ascii=False)
    if not records:
        return f'{{\n "generated": {generated},\n "records": []\n}}\n'.encode()
    key, keep = _ENTRIES.key(site.directory_urls), site.reads is not None
    entries = b",\n  ".join([_ENTRIES.get(r, key, partial(_entry_bytes, site, r), keep=keep) for r in records])
    return b"".join([f'{{\n "generated": {generated},\n "records": [\n  '.encode(), entries, b"\n ]\n}\n"])


def cell_text(value: Any) -> str:
    """A front matter value as one cell's text (lists joined with ``; ``, maps as JSON)."""
    return _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: What makes a spreadsheet cell a formula (OWASP "CSV injection"): =, +, -, @, tab, CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula: a leading ``'`` when it starts like one."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value: Any) -> str:
    """A CSV cell: numbers as numbers, every text neutralised (see :func:`neutral`)."""
    if value is None:  # (most cells: a register's table is sparse)
        return ""
    if type(value) is str:
        return neutral(value)
    text = _cell(value)
    return text if isinstance(value, int | float) and not isinstance(value, bool) else neutral(text)


def csv_columns(site: Site) -> list[str]:
    """The spec's columns, then every other key the improvements use (value_level, keys an
    organisation added to its schema), sorted: nothing that validated is left out."""
    used = {key for imp in site.register.improvements for key in imp.front_matter}
    return [*CSV_COLUMNS, *sorted(used - set(CSV_COLUMNS))]


def register_rows(site: Site) -> tuple[list[str], list[list[Any]]]:
    """The improvements' table: the columns, and one row of values per improvement."""
    columns = csv_columns(site)
    return columns, [_row(site, imp, columns) for imp in site.register.improvements]


def _row(site: Site, imp: Improvement, columns: list[str]) -> list[Any]:
    values = dict(imp.front_matter)
    values["team"] = site.team_of(imp.owner) or ""
    values["url"] = site.url(imp.src_uri)
    return [values.get(c) for c in columns]


def register_csv(site: Site) -> bytes:
    """The improvements, one row each; UTF-8 with BOM so spreadsheet programs read Chinese; no
    cell a spreadsheet would run as a formula."""
    columns = csv_columns(site)
    lines = ["\ufeff", _csv_line([neutral(c) for c in columns])]
    key = _CSV_ROWS.key((tuple(columns), site.directory_urls, site.config.fingerprint))
    keep = site.reads is not None
    lines += [_CSV_ROWS.get(imp, key, partial(_csv_record, site, imp, columns), keep=keep)
              for imp in site.register.improvements]
    return "".join(lines).encode("utf-8")


def _csv_record(site: Site, imp: Improvement, columns: list[str]) -> str:
    return _csv_line([csv_cell(v) for v in _row(site, imp, columns)])


def _csv_line(cells: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


def atom_feed(site: Site, site_url: str = "") -> bytes:
    """An Atom feed of improvements raised and closed, newest first."""
    t = site.t
    events: list[tuple[str, str, Improvement]] = []
    for imp in site.register.improvements:
        events.append((imp.raised, "raised", imp))
        if imp.closed_on:
            events.append((str(imp.closed_on), "closed", imp))
    # (the newest FEED_ENTRIES, as sorted(..., reverse=True)[:FEED_ENTRIES] gives them, without sorting them all)
    events = heapq.nlargest(FEED_ENTRIES, events, key=lambda e: (e[0], e[2].id, e[1]))
    base = site_url.rstrip("/") + "/" if site_url else ""
    org = site.config.portal.organisation.text(site.lang)
    updated = f"{events[0][0]}T00:00:00Z" if events else generated_timestamp(site)
    entries = []
    for day, what, rec in events:
        label = t("feed_raised") if what == "raised" else t("feed_closed")
        status = site.status_label(str(rec.status))
        summary = rec.value or rec.reason or ""
        entries.append(
            "<entry>"
            f"<id>urn:cir:{xml_escape(rec.id)}:{what}</id>"
            f"<title>{xml_escape(f'{label}: {rec.id} {rec.title}')}</title>"
            f"<updated>{day}T00:00:00Z</updated>"
            f"<link href={quoteattr(base + site.url(rec.src_uri))}/>"
            f"<category term={quoteattr(what)}/>"
            f"<summary>{xml_escape(f'{status}. {summary}')}</summary>"
            "</entry>"
        )
    xml_base = f" xml:base={quoteattr(base)}" if base else ""
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{xml_base}>'
        f"<id>urn:cir:feed</id><title>{xml_escape(org + ' · ' + t('register'))}</title>"
        f"<updated>{updated}</updated><link rel=\"self\" href=\"{base}feed.xml\"/>"
        f"<author><name>{xml_escape(org)}</name></author>"
        + "".join(entries)
        + "</feed>\n"
    )
    return feed.encode("utf-8")


# --- cir export ---------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx", "json")


def export_table(result: LoadResult, fmt: str) -> bytes:
    """The register as the portal publishes it (csv, json), or the CSV's table as an Excel workbook."""
    assert result.register is not None and result.config is not None
    site = Site(result.register, result.project)
    if fmt == "json":
        return register_json(site)
    if fmt == "csv":
        return register_csv(site)
    columns, rows = register_rows(site)
    return register_xlsx(result.config, columns, rows)


def register_xlsx(config: Config, columns: list[str], rows: list[list[Any]]) -> bytes:
    """The table as a workbook. Numbers are numbers; every text cell is typed as a string, so
    none is ever a formula (openpyxl would store ``=...`` text as one)."""
    import openpyxl
    from openpyxl.styles import Font

    schema = config.schemas["improvement"].schema
    numeric = {i for i, h in enumerate(columns) if schema_node(schema, h.split(".")).get("type") in ("number", "integer")}
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "register"
    texts = [list(columns)]
    ws.append(list(columns))
    for row in rows:
        out: list[Any] = []
        for i, value in enumerate(row):
            if i in numeric and isinstance(value, int | float) and not isinstance(value, bool):
                out.append(value)
            else:
                out.append(cell_text(value))
        texts.append([cell_text(v) for v in row])
        ws.append(out)
    for ws_row in ws.iter_rows():
        for cell in ws_row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    for i, header in enumerate(columns, 1):
        width = max(len(header), *(min(len(r[i - 1]), 60) for r in texts[1:] if len(r) >= i)) if len(texts) > 1 else len(header)
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(8, min(width + 2, 62))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
