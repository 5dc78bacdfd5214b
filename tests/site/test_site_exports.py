"""The machine-readable exports of the built example site hold every record file exactly
once, with what its front matter says, and nothing else: register.json (every kind),
register.csv (improvements, UTF-8 with BOM), feed.xml (Atom: improvements raised and
closed) and the register index the register and board pages render from.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import pytest

from cirtest.site import Build, RecordFile, link_target, page_url, register_index_rows

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
#: Keys every register.json entry has besides the front matter.
ENTRY_KEYS = ("kind", "id", "title", "url")
CJK = re.compile(r"[\u4e00-\u9fff]")


def duplicates(keys: list[Any]) -> list[Any]:
    return [k for k, n in Counter(keys).items() if n > 1]


def assert_same_records(where: str, found: list[Any], expected: list[Any]) -> None:
    """``found`` holds each of ``expected`` exactly once and nothing else."""
    assert not duplicates(found), f"{where}: records listed more than once: {duplicates(found)}"
    missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    assert not missing and not extra, f"{where}: missing {missing}; not in the files: {extra}"


def improvement_files(records: list[RecordFile]) -> list[RecordFile]:
    return [r for r in records if r.kind == "improvement"]


@pytest.fixture(scope="module")
def register_json(built: Build) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((built.site / "register.json").read_text(encoding="utf-8"))
    return data


def test_register_json_lists_every_record_file_once(register_json: dict[str, Any], records: list[RecordFile]) -> None:
    """register.json is {"generated", "records"} with one entry per record file (kind and id),
    of every kind, and no entry for a record that has no file."""
    assert set(register_json) == {"generated", "records"}
    assert isinstance(register_json["generated"], str) and register_json["generated"]
    entries = register_json["records"]
    assert all(all(k in e for k in ENTRY_KEYS) for e in entries), "an entry lacks kind, id, title or url"
    assert_same_records("register.json", [(e["kind"], e["id"]) for e in entries], [(r.kind, r.id) for r in records])


def test_register_json_entries_hold_the_front_matter(register_json: dict[str, Any], records: list[RecordFile],
                                                     built: Build) -> None:
    """Each entry has the record's title, the URL of its built page and every front matter
    field as written (dates as ISO strings). A field named like an entry key (a lesson's own
    `kind`) is kept under ``<record kind>_<key>``."""
    by_key = {(e["kind"], e["id"]): e for e in register_json["records"]}
    problems = []
    for record in records:
        entry = by_key.get((record.kind, record.id))
        if entry is None:
            problems.append(f"{record.rel}: no entry")
            continue
        if entry["title"] != record.front_matter["title"]:
            problems.append(f"{record.rel}: title {entry['title']!r}")
        if entry["url"] != page_url(record.rel) or not (built.site / entry["url"] / "index.html").is_file():
            problems.append(f"{record.rel}: url {entry['url']!r}, its page is at {page_url(record.rel)!r}")
        for key, value in record.front_matter.items():
            if key in ("kind", "url") and entry.get(key) != value:
                key = f"{record.kind}_{key}"
            if key not in entry:
                problems.append(f"{record.rel}: field {key} missing")
            elif entry[key] != value:
                problems.append(f"{record.rel}: {key} is {entry[key]!r}, the file says {value!r}")
    assert not problems, "\n".join(problems)


def test_register_csv_has_one_row_per_improvement_file(built: Build, records: list[RecordFile]) -> None:
    """register.csv starts with a UTF-8 byte-order mark (spreadsheets then read Chinese), parses
    with the csv module, has one row per improvement file with its fields as written, Chinese
    titles intact, and a url column that opens the record's page."""
    raw = (built.site / "register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "register.csv has no UTF-8 byte-order mark"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    imps = improvement_files(records)
    assert_same_records("register.csv", [row["id"] for row in rows], [r.id for r in imps])
    missing = sorted({key for r in imps for key in r.front_matter} - set(rows[0]))
    assert not missing, f"front matter keys without a column: {missing}"
    by_id = {row["id"]: row for row in rows}
    problems = []
    for record in imps:
        row = by_id[record.id]
        for column, cell in row.items():
            value = record.front_matter.get(column)
            if isinstance(value, str):
                written = cell == value
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                written = all(v in cell for v in value)  # a list of strings: each item in the cell
            else:
                written = True  # numbers, booleans, nested data: their text form is the exporter's choice
            if not written:
                problems.append(f"{record.rel}: {column} is {cell!r}, the file says {value!r}")
        if row.get("url") != page_url(record.rel):
            problems.append(f"{record.rel}: url {row.get('url')!r}")
    assert not problems, "\n".join(problems)
    assert "title" in rows[0] and "status" in rows[0] and "raised" in rows[0]
    assert sum(bool(CJK.search(str(r.front_matter["title"]))) for r in imps) >= 5, "the example should have Chinese titles"


def test_feed_has_an_entry_for_each_improvement_raised_and_closed(built: Build, records: list[RecordFile],
                                                                   site_url: str) -> None:
    """feed.xml parses as Atom; it has one entry for each improvement raised and one for each
    closed (closed_on), dated as the file says and linking to the record's page, and no other."""
    root = ET.fromstring((built.site / "feed.xml").read_bytes())
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}title") and root.findtext(f"{ATOM}updated")
    events = {}
    for record in improvement_files(records):
        events[(record.id, "raised")] = (str(record.front_matter["raised"]), record)
        if record.front_matter.get("closed_on"):
            events[(record.id, "closed")] = (str(record.front_matter["closed_on"]), record)
    found = []
    problems = []
    base = root.get("{http://www.w3.org/XML/1998/namespace}base", "")
    for entry in root.findall(f"{ATOM}entry"):
        match = re.fullmatch(r"urn:cir:(.+):(raised|closed)", entry.findtext(f"{ATOM}id") or "")
        if not match:
            problems.append(f"entry with id {entry.findtext(f'{ATOM}id')!r}")
            continue
        key = (match.group(1), match.group(2))
        found.append(key)
        if key not in events:
            continue
        day, record = events[key]
        if not (entry.findtext(f"{ATOM}updated") or "").startswith(day):
            problems.append(f"{key}: updated {entry.findtext(f'{ATOM}updated')}, the file says {day}")
        if record.id not in (entry.findtext(f"{ATOM}title") or ""):
            problems.append(f"{key}: title {entry.findtext(f'{ATOM}title')!r}")
        link = entry.find(f"{ATOM}link")
        href = link.get("href", "") if link is not None else ""
        target = link_target("feed.xml", href.removeprefix(base) if base else href, site_url)
        if target != page_url(record.rel) + "index.html" or not (built.site / target).is_file():
            problems.append(f"{key}: links to {href!r}, the record's page is {page_url(record.rel)}")
        category = entry.find(f"{ATOM}category")
        if category is None or category.get("term") != key[1]:
            problems.append(f"{key}: no category {key[1]}")
    assert not problems, "\n".join(problems)
    assert len(events) <= 100, "more events than the example used to have: the feed may keep only the newest"
    assert_same_records("feed.xml", found, list(events))


def test_register_index_lists_every_improvement_file_once(built: Build, records: list[RecordFile]) -> None:
    """The index the register and board pages render from has one row per improvement file,
    with its title and status as written and the URL of its built page."""
    index = json.loads((built.site / "assets" / "cir" / "register-index.json").read_text(encoding="utf-8"))
    rows = register_index_rows(index)
    imps = {r.id: r for r in improvement_files(records)}
    assert_same_records("register-index.json", [row["id"] for row in rows], list(imps))
    problems = []
    for row in rows:
        record = imps[row["id"]]
        if (row["title"], row["status"]) != (record.front_matter["title"], record.front_matter["status"]):
            problems.append(f"{record.rel}: {row['title']!r}, {row['status']!r}")
        if row["url"] != page_url(record.rel) or not (built.site / row["url"] / "index.html").is_file():
            problems.append(f"{record.rel}: url {row['url']!r}")
    assert not problems, "\n".join(problems)
