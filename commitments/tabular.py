"""Commitment spreadsheets in (.xlsx and .csv): no database here, only cells. (Files out are
written by core/tabular.py.)

Reading gives every cell as stripped text under a normalised column name, with the spreadsheet row
number (the header is row 1), so validation messages point at the row the user sees.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

MAX_ROWS = 5000

Row = tuple[int, dict[str, str]]


class TableError(ValueError):
    """The file cannot be read as a table; `messages` says why."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def normalise_header(value: Any) -> str:
    return "_".join(str(value or "").strip().lower().split())


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(str(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _rows_from(raw_rows: Iterable[Sequence[Any]]) -> tuple[list[str], list[Row]]:
    iterator = iter(raw_rows)
    header: list[str] = []
    for header_row in iterator:
        header = [normalise_header(v) for v in header_row]
        break
    while header and not header[-1]:
        header.pop()
    if not header:
        raise TableError([_("The file is empty: the first row must name the columns.")])
    rows: list[Row] = []
    for number, raw in enumerate(iterator, start=2):
        cells = [_cell_text(v) for v in raw]
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(
                [_("The file has more than %(max)s rows: split it.") % {"max": MAX_ROWS}]
            )
        cells += [""] * (len(header) - len(cells))
        rows.append((number, {name: cells[i] for i, name in enumerate(header) if name}))
    return header, rows


def read_table(name: str, content: bytes) -> tuple[list[str], list[Row]]:
    """(column names, [(row number, {column: text})]) from an .xlsx or .csv file."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return _read_xlsx(content)
    if lowered.endswith(".csv"):
        return _read_csv(content)
    raise TableError([_("Upload a .xlsx or .csv file.")])


def _read_csv(content: bytes) -> tuple[list[str], list[Row]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError([_("The CSV file is not UTF-8 text: save it as “CSV UTF-8”.")]) from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _rows_from(csv.reader(io.StringIO(text), dialect))


def _read_xlsx(content: bytes) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook  # imported here: only imports and exports need it

    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise TableError([_("The file is not an Excel workbook (.xlsx).")])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 -- openpyxl raises many kinds for a bad file
        raise TableError([_("The file is not an Excel workbook (.xlsx).")]) from error
    try:
        sheet = workbook.worksheets[0]
        return _rows_from(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
