"""A key an organisation adds to its schema is published like the spec's own: in register.json
and as a column of register.csv (nothing that validated is left out of the exports)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views.context import Site
from cir_portal.views.exports import CSV_COLUMNS, register_csv, register_json

RECORD = """---
id: IMP-0200
title: 部门自定义字段
status: identified
raised: 2026-02-01
requester: li.na
source: staff_idea
affects: [service/identity]
department: 财务部
---
Body.
"""


def test_custom_key_reaches_json_and_csv(make_project: Callable[..., Path]) -> None:
    root = make_project({"content/improvements/IMP-0200-custom.md": RECORD})
    schema_path = root / "schemas" / "improvement.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["department"] = {"type": "string", "description": "the organisation's own key"}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")

    result = load_register(Project(root), use_cache=False)
    assert result.register is not None and not result.errors, [str(i) for i in result.errors]
    site = Site(result.register, result.project, epoch=1_790_000_000)

    entry = next(r for r in json.loads(register_json(site))["records"] if r["id"] == "IMP-0200")
    assert entry["department"] == "财务部"
    rows = list(csv.DictReader(io.StringIO(register_csv(site).decode("utf-8-sig"), newline="")))
    assert list(rows[0])[:len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    assert next(r for r in rows if r["id"] == "IMP-0200")["department"] == "财务部"
    assert all(r["department"] == "" for r in rows if r["id"] != "IMP-0200")
