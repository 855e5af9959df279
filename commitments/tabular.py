"""Commitment spreadsheets in (.xlsx and .csv): no database here, only cells. (Files out are
written by core/tabular.py.)

Reading gives every cell as stripped text under a normalised column name, with the spreadsheet row
number (the header is row 1), so validation messages point at the row the user sees. A file that
would cost more work than MAX_LINES rows of MAX_COLUMNS cells is refused before it is parsed
(core.tabular.check_xlsx, csv_rows).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.tabular import (
    NotAWorkbook,
    SpreadsheetRefused,
    TooManyRows,
    check_size,
    check_xlsx,
    csv_rows,
)

MAX_ROWS = 5000  # commitments in one file
# Rows read, the header and blank ones included: blank rows between commitments are skipped, but
# a file of a million of them would still be read one by one.
MAX_LINES = MAX_ROWS + 1000
MAX_COLUMNS = 50  # the template has 19
MAX_BYTES = 5 * 1024 * 1024  # as the import page (commitments/views.py)

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


def _too_many_rows() -> TableError:
    return TableError([_("The file has more than %(max)s rows: split it.") % {"max": MAX_ROWS}])


def _not_a_workbook() -> TableError:
    return TableError([_("The file is not an Excel workbook (.xlsx).")])


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
            raise _too_many_rows()
        cells += [""] * (len(header) - len(cells))
        rows.append((number, {name: cells[i] for i, name in enumerate(header) if name}))
    return header, rows


def read_table(name: str, content: bytes) -> tuple[list[str], list[Row]]:
    """(column names, [(row number, {column: text})]) from an .xlsx or .csv file."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        read = _read_xlsx
    elif lowered.endswith(".csv"):
        read = _read_csv
    else:
        raise TableError([_("Upload a .xlsx or .csv file.")])
    try:
        check_size(content, max_bytes=MAX_BYTES)
        return read(content)
    except TooManyRows as error:
        raise _too_many_rows() from error
    except NotAWorkbook as error:
        raise _not_a_workbook() from error
    except SpreadsheetRefused as error:
        raise TableError([str(error)]) from error


def _read_csv(content: bytes) -> tuple[list[str], list[Row]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError([_("The CSV file is not UTF-8 text: save it as “CSV UTF-8”.")]) from error
    # The header names the columns, so it says which separator the file uses: Excel writes ';'
    # where the decimal separator is a comma. (csv.Sniffer guessed from the whole first 4 KB,
    # and a description full of semicolons made it split on those.)
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _rows_from(csv_rows(reader, max_rows=MAX_LINES))


def _read_xlsx(content: bytes) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook  # imported here: only imports and exports need it

    check_xlsx(content, max_rows=MAX_LINES, max_columns=MAX_COLUMNS)
    try:
        # keep_links=False: the cached copies of linked workbooks are not read at all
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception as error:  # noqa: BLE001 -- openpyxl raises many kinds for a bad file
        raise _not_a_workbook() from error
    try:
        sheet = workbook.worksheets[0]
        return _rows_from(sheet.iter_rows(values_only=True))
    except TableError:
        raise
    except Exception as error:  # noqa: BLE001 -- a damaged sheet fails while it is read
        raise _not_a_workbook() from error
    finally:
        workbook.close()
