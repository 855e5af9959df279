"""Tables out: every CSV and Excel file the platform writes (exports, import templates, the
strategy tracker) goes through here, so the rule against formula injection lives in one place.

Headers are for people, in the active language; programs read the codes in their own columns
(`Column`). Import formats use the same `Columns`, whose `key_for` reads a header written in any
of the six languages (or the machine key) back to its key: a file exported by a French user
imports for an Arabic one. Reading uploaded tables otherwise stays with each importer, which knows
its columns and limits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets (OWASP:
# CSV injection); tab and carriage return too, since some programs strip them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# How far down a drop-down list (Sheet.choices) reaches.
CHOICE_ROWS = 5000
BATCH = 500  # CSV lines per streamed chunk
YES = gettext_lazy("Yes")
NO = gettext_lazy("No")


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets an apostrophe in front; the rest as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- Columns: a key for programs, a label for people ------------------------------------------


def fold(value: Any) -> str:
    """A header cell or word as compared: case-folded, runs of spaces and underscores as one
    space ("Not  disclosed", "not_disclosed" and "NOT DISCLOSED" are the same)."""
    return " ".join(str(value if value is not None else "").replace("_", " ").split()).casefold()


@dataclass(frozen=True, eq=False)  # eq=False: a lazy label would hash in the active language
class Column:
    """One column of a file: `key` for programs and importers, `label` (lazy) for people.

    `code` marks a column of codes that sits beside a column of labels for the same thing: its
    header reads "Rating (code)", the labels' one "Rating"."""

    key: str
    label: str | Promise
    code: bool = False

    def header(self) -> str:
        """The header cell in the active language (capitalised: labels may be verbose names)."""
        text = capfirst(str(self.label))
        return _("%(column)s (code)") % {"column": text} if self.code else text


class Columns:
    """The columns of one file, in their order."""

    def __init__(self, *columns: Column) -> None:
        self.columns = columns
        self.keys = tuple(column.key for column in columns)

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __add__(self, other: Columns) -> Columns:
        return Columns(*self.columns, *other.columns)

    def header(self) -> list[str]:
        """The header row in the active language, as plain text (computed now, so a streamed
        response does not depend on the language active when it is sent)."""
        return [column.header() for column in self.columns]

    def headers_in(self, language: str) -> list[str]:
        with translation.override(language):
            return self.header()

    @cached_property
    def _lookup(self) -> dict[str, str]:
        """Folded header → key: the keys first (a header that reads as a key names that column,
        as the importers always read it), then every column's header in each language. Built
        once per process: the columns are module constants. tests/core/test_tabular.py checks
        that no header of an import format names two columns, in any language."""
        lookup = {fold(key): key for key in self.keys}
        for language, _name in settings.LANGUAGES:
            for column, header in zip(self.columns, self.headers_in(language), strict=True):
                lookup.setdefault(fold(header), column.key)
        return lookup

    def key_for(self, cell: Any) -> str | None:
        """The key of the column a header cell names (its key or its header in any of the
        languages), or None: the importer then reports the column as unknown, as before."""
        return self._lookup.get(fold(cell))


def yes_no(value: bool) -> str:
    """A boolean as people read it, in the active language ("Oui" / "Non")."""
    return str(YES if value else NO)


@cache
def yes_no_words() -> tuple[frozenset[str], frozenset[str]]:
    """(yes, no), folded, in every language: importers accept a file written in any of them."""
    yes, no = set(), set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            yes.add(fold(YES))
            no.add(fold(NO))
    return frozenset(yes), frozenset(no)


# --- Writing ------------------------------------------------------------------------------------


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
