"""`cir import` and `cir export`: spreadsheets to records (row by row, validated) and back."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views.exports import CSV_COLUMNS
from cirtest.contrib import first_id, issues_in, next_id, run

HEADERS = ["改进标识 ID", "名称 Title", "状态 Status", "请求者 Requester", "来源/Source", "受影响对象 Affects",
           "紧急度 Urgency", "成本 Cost", "价值/收益 Value", "提出日期 Raised", "标签 Tags", "描述 Description"]


def _xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _improvements(root: Path) -> dict[str, dict[str, Any]]:
    result = load_register(Project(root), use_cache=False)
    assert result.register is not None
    return {i.id: i.front_matter for i in result.register.improvements}


def test_spreadsheet_rows_become_records_and_bad_rows_are_reported(register: Path, tmp_path: Path) -> None:
    existing = first_id(register, "improvements")
    first_new = next_id(register, "improvements", "IMP")
    sheet = _xlsx(tmp_path / "register.xlsx", HEADERS, [
        [None, "邮件归档自建", "已评估", "李娜", "员工建议", "电子邮件与日历；service/backup", "高", "低", "恢复更快",
         dt.datetime(2026, 3, 5), "快速见效, 邮件", "归档目前在个人电脑上。"],                                    # row 2: ok
        [None, "Bad status", "doing", "li.na", "staff_idea", "service/email", None, None, None, "2026-03-05"],  # 3
        [None, None, "identified", "li.na", "staff_idea", "service/email", None, None, None, "2026-03-05"],   # 4
        [None, "Bad date", "identified", "li.na", "staff_idea", "service/email", None, None, None, "2026-13-45"],  # 5
        [existing, "Duplicate id", "identified", "li.na", "staff_idea", "service/email", None, None, None, "2026-03-05"],
        ["IMP-0950", "Explicit id", "Identified", "Customer rep, ACME", "customer_feedback", "Remote access VPN",
         None, None, None, "2026/3/6"],                                                                      # 7: ok
        [None] * len(HEADERS),                                                                               # empty
    ])
    result = run("import", str(sheet), project=register)
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert "row 3: not imported" in err and "'doing' is not one of identified, assessed" in err
    assert "row 4: not imported" in err and "missing required key 'title'" in err
    assert "row 5: not imported" in err and "'2026-13-45' is not a date" in err
    assert "row 6: not imported" in err and f"{existing} already exists" in err
    assert "row 8" not in err
    assert "2 records created, 4 rows failed" in err

    created = sorted((register / "content" / "improvements").glob(f"{first_new}*.md"))
    assert len(created) == 1 and "(row 2)" in result.stdout
    rel = created[0].relative_to(register).as_posix()
    assert issues_in(register, rel) == []
    records = _improvements(register)
    assert records[first_new] == {
        "id": first_new, "title": "邮件归档自建", "status": "assessed", "raised": "2026-03-05", "requester": "li.na",
        "source": "staff_idea", "affects": ["service/email", "service/backup"], "urgency": "high", "cost": "low",
        "value": "恢复更快", "tags": ["快速见效", "邮件"]}
    assert "## 背景\n\n归档目前在个人电脑上。\n\n## 现状" in created[0].read_text(encoding="utf-8")
    assert records["IMP-0950"]["requester"] == "Customer rep, ACME"
    assert records["IMP-0950"]["affects"] == ["service/vpn"]
    assert records["IMP-0950"]["raised"] == "2026-03-06"
    for title in ("Bad status", "Bad date", "Duplicate id"):
        assert title not in json.dumps(records, ensure_ascii=False)


def test_gbk_csv_with_a_mapping_file(register: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(
        "columns:\n  编号: id\n  问题: title\n  部门: null\n"
        "values:\n  urgency: {P1: high, P2: medium, P3: low}\n"
        "defaults:\n  source: staff_idea\n  requester: zhou.min\n  affects: [service/email]\n  raised: 2026-01-02\n",
        encoding="utf-8")
    sheet = tmp_path / "list.csv"
    sheet.write_bytes("编号,问题,部门,紧急度\n,打印机经常卡纸,行政部,P1\n".encode("gbk"))
    new_id = next_id(register, "improvements", "IMP")
    refused = run("import", str(sheet), "--mapping", str(mapping), project=register)
    assert refused.exit_code == 2 and "--encoding gbk" in refused.stderr  # never guessed silently
    result = run("import", str(sheet), "--mapping", str(mapping), "--encoding", "gbk", project=register)
    assert result.exit_code == 0, result.output
    assert "read as gbk" in result.stderr
    record = _improvements(register)[new_id]
    assert record["title"] == "打印机经常卡纸"
    assert record["urgency"] == "high"
    assert record["requester"] == "zhou.min" and record["affects"] == ["service/email"]


def test_rows_may_cite_each_other_and_fail_together(register: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "rows.csv"
    sheet.write_text(
        "id,title,requester,source,affects,related,raised\n"
        "IMP-0960,Base,li.na,staff_idea,service/email,,2026-01-01\n"
        "IMP-0961,Cites the base,li.na,staff_idea,service/email,IMP-0960,2026-01-01\n"
        "IMP-0962,Broken,li.na,nope,service/email,,2026-01-01\n"
        "IMP-0963,Cites the broken one,li.na,staff_idea,service/email,IMP-0962,2026-01-01\n", encoding="utf-8")
    result = run("import", str(sheet), project=register)
    assert result.exit_code == 1
    assert "row 4: not imported" in result.stderr and "row 5: not imported" in result.stderr
    assert "improvement 'IMP-0962' does not exist" in result.stderr
    assert set(_improvements(register)) >= {"IMP-0960", "IMP-0961"}
    assert not list((register / "content" / "improvements").glob("IMP-0962*"))


def test_dry_run_writes_nothing(register: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "one.csv"
    sheet.write_text("title,requester,source,affects\nDry,li.na,staff_idea,service/email\n", encoding="utf-8")
    before = sorted((register / "content").rglob("*.md"))
    result = run("import", str(sheet), "--dry-run", project=register)
    assert result.exit_code == 0, result.output
    assert "would create content/improvements/" in result.stdout
    assert sorted((register / "content").rglob("*.md")) == before


@pytest.mark.parametrize(("name", "content", "message"), [
    ("x.txt", "a", "expected a .csv or .xlsx file"),
    ("x.xls", "a", "the old .xls format is not supported"),
    ("x.csv", "", "has no rows"),
    ("x.csv", "foo,bar\n1,2\n", "no column holds the title"),
    ("x.csv", "title,名称\na,b\n", "both map to 'title'"),
])
def test_unusable_files_are_exit_2(register: Path, tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("import", str(path), project=register)
    assert result.exit_code == 2
    assert message in result.stderr


def _empty_copy(register: Path, target: Path) -> Path:
    shutil.copytree(register, target)
    for path in (target / "content" / "improvements").glob("*.md"):
        path.unlink()
    return target


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_copy_gives_the_same_improvements(register: Path, tmp_path: Path,
                                                                           fmt: str) -> None:
    out = tmp_path / f"register.{fmt}"
    result = run("export", "--out", str(out), project=register)
    assert result.exit_code == 0, result.output
    empty = _empty_copy(register, tmp_path / "empty")
    result = run("import", str(out), project=empty)
    assert result.exit_code == 0, result.output
    original, imported = _improvements(register), _improvements(empty)
    assert original and set(imported) == set(original)

    def filled(fields: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in fields.items() if v not in ([], {}, "", None)}  # an empty list has no cell text

    for rid, fields in original.items():
        assert filled(imported[rid]) == filled(fields), rid


def test_xlsx_export_has_the_csv_columns(register: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert run("export", "--format", "xlsx", "--out", str(out), project=register).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    header = run("export", project=register).stdout_bytes.decode("utf-8-sig").splitlines()[0].split(",")
    assert list(rows[0]) == header and header[:len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    assert len(rows) - 1 == len(_improvements(register))
    satisfaction = list(CSV_COLUMNS).index("satisfaction")
    assert any(isinstance(r[satisfaction], int | float) for r in rows[1:])


def test_export_to_standard_output(register: Path) -> None:
    csv_out = run("export", project=register)
    assert csv_out.exit_code == 0
    assert csv_out.stdout_bytes.startswith(b"\xef\xbb\xbfid,title,status")
    data = json.loads(run("export", "--format", "json", project=register).stdout_bytes)
    assert {r["kind"] for r in data["records"]} == {"improvement", "lesson", "objective", "assessment"}
    assert run("export", "--format", "xlsx", project=register).exit_code == 2


def test_many_rows_show_progress(register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cir_portal.adapters.cli.contrib.PROGRESS_ROWS", 3)
    sheet = tmp_path / "many.csv"
    sheet.write_text("title,requester,source,affects\n" + "".join(f"Row {n},li.na,staff_idea,service/email\n"
                                                                   for n in range(3)), encoding="utf-8")
    result = run("import", str(sheet), "--dry-run", project=register)
    assert result.exit_code == 0, result.output
    assert "checking 3 rows" in result.stderr


def test_a_bad_mapping_file_is_exit_2_with_an_example(register: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("columns: [title]\n", encoding="utf-8")
    sheet = tmp_path / "one.csv"
    sheet.write_text("title\nx\n", encoding="utf-8")
    result = run("import", str(sheet), "--mapping", str(mapping), project=register)
    assert result.exit_code == 2
    assert "`columns` must map each header to a key" in result.stderr
    assert "A mapping file looks like this" in result.stderr
