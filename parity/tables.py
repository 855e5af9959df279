"""Staffing tables as files: .csv and .xlsx read into rows of cells. (Files out are written by
core/tabular.py, which also bounds every upload before it is read: check_xlsx, csv_rows.)

No database and no validation of the content here: services.py checks every row of what is
read. Row numbers are the ones the user sees in the file (the header is row 1), so error messages
point at the right line in Excel.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tabular import (
    Column,
    Columns,
    SpreadsheetRefused,
    TooManyRows,
    check_size,
    check_xlsx,
    csv_rows,
)

# The import format (and the template, which is the same): the header is written in the user's
# language; services.validate_table reads it back in any language, or the keys.
TEMPLATE_COLUMNS = Columns(
    Column("entity", gettext_lazy("Entity")),
    Column("grade", gettext_lazy("Grade")),
    Column("women", gettext_lazy("Women")),
    Column("men", gettext_lazy("Men")),
    Column("not_disclosed", gettext_lazy("Not disclosed")),
)
MAX_BYTES = 2 * 1024 * 1024  # a whole UN system's staffing table is a few tens of kilobytes
MAX_ROWS = 5000  # 34 entities x 31 grades is about 1,000 rows
MAX_COLUMNS = 50  # five named columns; others (a total, notes) are read and ignored
SHEET_NAME = "Staffing"


class TableError(Exception):
    """The file cannot be read as a table at all (wrong type, not UTF-8, damaged, too big)."""


def read_rows(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    """Every row of the file as (row number, cells); the header is row 1. A file that would cost
    more work than MAX_ROWS rows of MAX_COLUMNS cells is refused before it is parsed."""
    try:
        check_size(data, max_bytes=MAX_BYTES)
    except SpreadsheetRefused as error:
        raise TableError(str(error)) from error
    if not data:
        raise TableError(_("The file is empty."))
    extension = os.path.splitext(filename or "")[1].lower()
    if extension == ".xlsx":
        rows = _xlsx_rows(data)
    elif extension in {".csv", ".txt"}:
        rows = _csv_rows(data)
    elif extension in {".xls", ".ods"}:
        raise TableError(_("Save the file as .xlsx (Excel workbook) or .csv and upload it again."))
    else:
        raise TableError(_("Upload a .xlsx or .csv file."))
    out = []
    try:
        for number, cells in rows:
            if number > MAX_ROWS + 1:
                raise TooManyRows(MAX_ROWS)
            out.append((number, cells))
    except TooManyRows as error:
        raise TableError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}) from error
    except SpreadsheetRefused as error:
        raise TableError(str(error)) from error
    return out


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    if data.startswith(b"PK\x03\x04"):
        raise TableError(_("This is an Excel workbook, not a CSV file: name it .xlsx."))
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError as error:
        raise TableError(
            _("The file is not UTF-8 text. In Excel, use Save as > 'CSV UTF-8 (comma delimited)'.")
        ) from error
    first_line = text.split("\n", 1)[0]
    # Excel writes ';' where the decimal separator is a comma; pick what the header uses.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield from enumerate(csv_rows(reader, max_rows=MAX_ROWS + 1), start=1)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported here: only uploads need it

    check_xlsx(data, max_rows=MAX_ROWS + 1, max_columns=MAX_COLUMNS)  # the header is a row
    try:
        # keep_links=False: the cached copies of linked workbooks are not read at all
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise TableError(_("The file is not a valid .xlsx workbook.")) from error
    try:
        sheet = (
            workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        )
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    except Exception as error:  # a damaged sheet fails while it is read, not when it is opened
        raise TableError(_("The file is not a valid .xlsx workbook.")) from error
    finally:
        workbook.close()
