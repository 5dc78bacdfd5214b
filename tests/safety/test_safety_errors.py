"""Clear errors instead of tracebacks: a damaged workbook, a CSV that is not UTF-8, a mapping
to a key that does not exist, arguments that are not UTF-8, `render --out` inside content/."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cirtest.safety import run

MakeProject = Callable[..., Path]


def test_damaged_xlsx_is_exit_2(make_project: MakeProject, tmp_path: Path) -> None:
    import zipfile

    good = tmp_path / "good.xlsx"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["title"])
    book.active.append(["x"])
    book.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    result = run("import", str(bad), "--dry-run", "--project", str(make_project()))
    assert result.exit_code == 2, result.output
    assert "damaged" in result.output


def test_cp1252_csv_is_refused_not_guessed(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    sheet = tmp_path / "west.csv"
    sheet.write_bytes("title,requester,source,affects\nCafé crème déjà vu,li.na,staff_idea,service/email\n".encode("cp1252"))
    refused = run("import", str(sheet), "--dry-run", "--project", str(root))
    assert refused.exit_code == 2
    assert "tried: utf-8" in refused.output and "--encoding cp1252" in refused.output and "CSV UTF-8" in refused.output
    ok = run("import", str(sheet), "--encoding", "cp1252", "--project", str(root))
    assert ok.exit_code == 0, ok.output
    (written,) = (root / "content" / "improvements").glob("IMP-0002-*.md")
    assert "Café crème déjà vu" in written.read_text(encoding="utf-8")


def test_mapping_to_a_nested_key_of_a_text_is_a_message(make_project: MakeProject, tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text("title,who\nx,li.na\n", encoding="utf-8")
    mapping = tmp_path / "m.yml"
    mapping.write_text("columns: {who: title.sub}\n", encoding="utf-8")
    result = run("import", str(sheet), "--mapping", str(mapping), "--dry-run", "--project", str(make_project()))
    assert result.exit_code == 2 and "'title.sub', which is not a key of improvement records" in result.output


def _cir(args: list[bytes], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    script = Path(sys.executable).with_name("cir")
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    return subprocess.run([bytes(script), *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False)


def test_arguments_that_are_not_utf8(make_project: MakeProject) -> None:
    root = make_project()
    before = {p: p.read_bytes() for p in (root / "content").rglob("*.md")}
    note = _cir([b"move", b"IMP-0001", b"cancelled", b"--note", b"caf\xe9"], root)
    assert note.returncode == 1 and b"Traceback" not in note.stderr and b"not UTF-8" in note.stderr
    title = _cir([b"new", b"improvement", b"caf\xe9", b"--requester", b"li.na", b"--affects", b"service/email"], root)
    assert title.returncode == 1 and b"Traceback" not in title.stderr and b"not UTF-8" in title.stderr
    assert {p: p.read_bytes() for p in (root / "content").rglob("*.md")} == before


def test_render_out_inside_content_is_refused(make_project: MakeProject) -> None:
    root = make_project()
    result = run("render", str(root), "--out", str(root / "content" / "build"))
    assert result.exit_code == 2 and "content/ folder" in result.output
    assert not (root / "content" / "build").exists()
