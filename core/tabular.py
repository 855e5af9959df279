"""Tables out: every CSV and Excel file the platform writes (exports, import templates, the
strategy tracker) goes through here, so the rule against formula injection lives in one place.

Reading uploaded tables stays with each importer, which knows its columns and limits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets (OWASP:
# CSV injection); tab and carriage return too, since some programs strip them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# How far down a drop-down list (Sheet.choices) reaches.
CHOICE_ROWS = 5000
BATCH = 500  # CSV lines per streamed chunk


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets an apostrophe in front; the rest as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True
) -> Iterator[str]:
    """The CSV text in chunks of lines, for a StreamingHttpResponse (constant memory).

    With `bom`, the text opens with a byte order mark, so that Excel reads the UTF-8 accents
    right."""
    writer = csv.writer(_Line())
    yield ("\ufeff" if bom else "") + writer.writerow(list(header))
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(["" if v is None else safe_cell(v) for v in row]))
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    return "".join(csv_chunks(header, rows, bom=bom))


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()
    # column letter → sheet range of the allowed values: Excel offers them as a drop-down list
    choices: Mapping[str, str] = field(default_factory=dict)
    wrap: bool = False


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of the given sheets, written in openpyxl's write-only mode (constant memory
    per row): bold header row kept in view, column widths, wrapped text, drop-down lists."""
    from openpyxl import Workbook  # noqa: PLC0415 -- only downloads pay for the import
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        for column, source in spec.choices.items():
            validation = DataValidation(type="list", formula1=source, allow_blank=True)
            validation.error = _("Choose a value from the list.")
            validation.add(f"{column}2:{column}{CHOICE_ROWS + 1}")
            sheet.data_validations.append(validation)
        header = []
        for title in spec.header:
            cell = WriteOnlyCell(sheet, value=str(title))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in spec.rows:
            values = [safe_cell(v) for v in row]
            if spec.wrap:
                cells = []
                for value in values:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.alignment = wrapped
                    cells.append(cell)
                sheet.append(cells)
            else:
                sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_table(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """A one-sheet workbook: the header row and the rows."""
    return xlsx_bytes([Sheet(title, header, rows)])
