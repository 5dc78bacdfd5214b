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
from cir_portal.views import cards
from cir_portal.views.context import Site
from cir_portal.views.exports import CSV_COLUMNS, register_csv, register_json
from cir_portal.views.guide import guide_page

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


def test_the_guides_worked_example_is_a_schema_change_only(make_project: Callable[..., Path]) -> None:
    """The contributor guide's example: a key added to the schema validates, shows on the card
    under its schema title (in the portal's language), escaped, and reaches the exports."""
    record = RECORD.replace("department: 财务部", 'cost_centre: "CC-100 <b>&"')
    root = make_project({"content/improvements/IMP-0200-custom.md": record})
    schema_path = root / "schemas" / "improvement.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["cost_centre"] = {"type": "string", "title": "Cost centre", "x-title-zh": "成本中心",
                                           "description": "the cost centre that pays for the change"}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")

    result = load_register(Project(root), use_cache=False)
    assert result.register is not None and not result.errors, [str(i) for i in result.errors]
    imp = result.register.get("IMP-0200")
    assert imp is not None and dict(imp.extra) == {"cost_centre": "CC-100 <b>&"}
    site = Site(result.register, result.project, epoch=1_790_000_000)
    _, card = cards.card(site, imp)
    assert "<dt>成本中心</dt>" in card and "CC-100 &lt;b&gt;&amp;" in card and "<b>&" not in card
    guide = guide_page(site)
    assert "x-title-zh" in guide and "record.extra" in guide and "cost_centre" in guide
    assert "CC-100 <b>&" in json.dumps(json.loads(register_json(site)), ensure_ascii=False)

    bad = record.replace('cost_centre: "CC-100 <b>&"', "cost_centre: 100")
    (root / "content" / "improvements" / "IMP-0200-custom.md").write_text(bad, encoding="utf-8")
    failed = load_register(Project(root), use_cache=False)
    assert [(i.key, i.line) for i in failed.errors] == [("cost_centre", 9)]
