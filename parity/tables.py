"""Staffing tables as files: .csv and .xlsx read into rows of cells. (Files out are written by
core/tabular.py.)

No database and no validation of the content here: services.py checks every row of what is
read. Row numbers are the ones the user sees in the file (the header is row 1), so error messages
point at the right line in Excel.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tabular import Column, Columns

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
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024  # refuse zip bombs before openpyxl opens them
MAX_ROWS = 5000  # 34 entities x 31 grades is about 1,000 rows
SHEET_NAME = "Staffing"


class TableError(Exception):
    """The file cannot be read as a table at all (wrong type, not UTF-8, damaged, too big)."""


def read_rows(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    """Every row of the file as (row number, cells); the header is row 1."""
    if len(data) > MAX_BYTES:
        raise TableError(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // (1024 * 1024)}
        )
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
    for number, cells in rows:
        if number > MAX_ROWS + 1:
            raise TableError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
        out.append((number, cells))
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
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise TableError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported here: only uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise TableError(_("The file is not a valid .xlsx workbook.")) from error
    if unzipped > MAX_UNZIPPED_BYTES:
        raise TableError(_("The workbook is too large once unpacked."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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
