"""Reading spreadsheets: a .csv (UTF-8, or the encoding the user names) or .xlsx sheet as a
header row and numbered rows, blank rows skipped; a file that cannot be used is an
:class:`ImportProblem` saying what to do, never a traceback."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ImportProblem(Exception):
    """The file or the mapping cannot be used at all (exit 2); the message says what to change."""


@dataclass
class Table:
    """A sheet: its header cells, and its rows as (row number as the spreadsheet shows it, cells)."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    notes: list[str] = field(default_factory=list)


def empty(value: Any) -> bool:
    """A cell with nothing in it (None, or only white space)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows: Iterable[tuple[int, list[Any]]], notes: list[str], source: str) -> Table:
    header: list[str] | None = None
    body: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        if all(empty(c) for c in cells):
            continue
        if header is None:
            header = ["" if c is None else str(c).strip() for c in cells]
        else:
            body.append((number, cells))
    if header is None:
        raise ImportProblem(f"{source} has no rows: expected a header row, then one row per improvement")
    return Table(header, body, notes)


def read_table(path: Path, sheet: str | None = None, encoding: str | None = None) -> Table:
    """The rows of a .csv (UTF-8, or the ``encoding`` given, e.g. gbk as Excel saves it on Chinese
    Windows) or .xlsx file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, encoding)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise ImportProblem(f"{path}: the old .xls format is not supported; save it as .xlsx (Excel Workbook) or .csv")
    raise ImportProblem(f"{path}: expected a .csv or .xlsx file")


def _read_csv(path: Path, encoding: str | None = None) -> Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(f"cannot read {path}: {exc.strerror}") from exc
    notes: list[str] = []
    tried = encoding or "utf-8"
    try:
        text = raw.decode("utf-8-sig" if tried.lower().replace("_", "-") in ("utf-8", "utf8") else tried)
    except LookupError:
        raise ImportProblem(f"--encoding {encoding!r} is not an encoding Python knows; e.g. utf-8, gbk, cp1252") from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportProblem(
            f"{path}: line {line} is not {tried} (byte 0x{raw[exc.start]:02X} cannot be decoded; tried: {tried}). "
            "An encoding cannot be guessed safely (a wrong guess garbles every accented or Chinese title), so say it: "
            "--encoding gbk for a CSV saved by Excel on Chinese Windows, --encoding cp1252 on Western Windows; or save "
            "the sheet as \"CSV UTF-8\" (Excel: Save As > CSV UTF-8; LibreOffice: Character set Unicode (UTF-8))"
        ) from None
    if encoding:
        notes.append(f"{path.name} read as {encoding}")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _table(((n, row) for n, row in enumerate(reader, 1)), notes, str(path))
    except csv.Error as exc:
        raise ImportProblem(f"{path}: not a readable CSV file ({exc})") from exc


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ImportProblem("reading .xlsx needs openpyxl: pip install openpyxl") from exc
    from zipfile import BadZipFile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, BadZipFile, KeyError, ValueError) as exc:
        raise ImportProblem(f"cannot read {path} as an Excel workbook: {exc}") from exc
    except Exception as exc:  # openpyxl's XML parsers raise their own errors for a damaged workbook
        raise ImportProblem(f"cannot read {path} as an Excel workbook: it is damaged ({type(exc).__name__}: {exc}); "
                            "open it in Excel or LibreOffice and save it again, or save the sheet as CSV UTF-8") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportProblem(f"{path} has no sheet {sheet!r}; its sheets: {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [(n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), 1)]
    except ImportProblem:
        raise
    except Exception as exc:  # a damaged sheet inside a readable package
        raise ImportProblem(f"cannot read {path} as an Excel workbook: it is damaged ({type(exc).__name__}: {exc}); "
                            "open it in Excel or LibreOffice and save it again, or save the sheet as CSV UTF-8") from None
    finally:
        book.close()
    return _table(rows, [], str(path))
