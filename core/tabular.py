"""Tables out: every CSV and Excel file the platform writes (exports, import templates, the
strategy tracker) goes through here, so the rule against formula injection lives in one place.

Headers are for people, in the active language; programs read the codes in their own columns
(`Column`). Import formats use the same `Columns`, whose `key_for` reads a header written in any
of the six languages (or the machine key) back to its key: a file exported by a French user
imports for an Arabic one.

Tables in: each importer reads its own columns with its own limits, but every upload first passes
the checks here ("Reading"), so that no file costs more work than the largest table the importer
accepts. `check_xlsx` inspects a workbook before openpyxl opens it: the zip's directory (parts,
declared sizes, compression ratios), then every part streamed in 64 KB chunks, counting rows,
cells and shared strings and stopping the moment a budget is spent (a 100 KB file can unpack to
100 MB of strings or a million empty rows). `check_size` and `csv_rows` bound a CSV file the same
way. A refusal is a `SpreadsheetRefused`, whose text is the reason in the active language.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

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


@cache
def choice_lookup(choices: type[Any]) -> dict[str, str]:
    """Folded value or label, in every language → value, for a TextChoices class: an export
    writes labels in its reader's language, and the import reads them back in any language (or
    the codes a script writes). Built once per process: the choices are module constants."""
    lookup = {fold(value): value for value in choices.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(fold(label), value)
    return lookup


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


# --- Reading: every upload bounded before it is parsed ------------------------------------------

MB = 1024 * 1024
MAX_COLUMNS = 50  # the columns an importer reads at most, unless it says otherwise
# An .xlsx file is a zip of XML parts. openpyxl holds the shared strings whole, and hands back every
# row up to the last one named, each as wide as its last cell or the sheet's <dimension>: 100 KB
# can unpack to 100 MB of strings, a million empty rows or rows of 16,384 cells. The budgets below
# follow from the largest table the importer accepts (max_rows x max_columns cells), so that no
# file costs more work than that table.
XLSX_MAX_PARTS = 1000  # a workbook has about ten parts; with pictures and many sheets, a hundred
# Bytes a part may unpack to, per cell of that table: ~40 of markup (<c r="S5001" t="s"><v>12345
# </v></c>) and ~90 characters of text. A 5,000-row x 20-column table of 100-character texts, as
# openpyxl writes it, is one 15 MB sheet (1.6 MB packed). At least 1 MB (a small table, the
# styles), at most 32 MB: twice that sheet, where openpyxl holds the shared strings in memory.
XLSX_CELL_BYTES = 128
XLSX_PART_FLOOR = 1 * MB
XLSX_PART_CEILING = 32 * MB
# Unpacked / packed, for a part of more than 1 MB: spreadsheet XML deflates 9 to 15 times (14 for
# a parity table of repeated codes and zeros); a zip bomb, hundreds of times.
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 1 * MB
# XML elements in the sheets and the shared strings, per cell of the table: <c><v> (or <c><is><t>,
# text in the cell), <si><t> for each distinct text, and room for the <row>s and rich text ...
XLSX_ELEMENTS_PER_CELL = 5
# ... and in all the other parts together (styles, relationships, properties): openpyxl reads the
# styles whole at ~20 µs an element; Excel's own styles are a few hundred elements.
XLSX_OTHER_ELEMENTS = 100_000
READ_CHUNK = 64 * 1024
# Fed to the parser 4 KB at a time, what is counted dropped after each: the few hundred elements
# alive at once die before the garbage collector walks them (in a process of millions of
# objects, a collector walking 64 KB of elements again and again doubled the time).
FEED = 4 * 1024
# Parts that openpyxl parses once for each relationship naming them: each may be named once.
READ_ONCE = frozenset({"worksheet", "chartsheet", "drawing", "chart"})
CHECKED = frozenset({"dimension", "Relationship", "sheet", "chart"})  # see _check_element
CELL_REFERENCE = re.compile(r"\$?([A-Za-z]*)\$?([0-9]*)")


class SpreadsheetRefused(Exception):
    """An uploaded table refused before it is read; str() is the reason, in the active language.
    Importers turn it into their own error, some with their own words for a kind of refusal."""


class NotAWorkbook(SpreadsheetRefused):
    """Not a zip, a damaged one, or parts that no spreadsheet program writes."""

    def __init__(self) -> None:
        super().__init__(_("The file is not a valid .xlsx workbook."))


class TooLarge(SpreadsheetRefused):
    """More bytes, parts or XML than the largest table accepted needs."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The workbook is too large once unpacked."))


class TooManyRows(SpreadsheetRefused):
    """More rows than accepted, empty ones included (openpyxl hands them back all the same)."""

    def __init__(self, limit: int) -> None:
        super().__init__(_("The file has more than %(max)s rows.") % {"max": limit})
        self.limit = limit


class TooManyColumns(SpreadsheetRefused):
    """A cell, or the sheet's declared size, beyond the last column accepted."""

    def __init__(self, limit: int) -> None:
        super().__init__(_("The file has more than %(max)s columns.") % {"max": limit})
        self.limit = limit


def check_size(data: bytes, *, max_bytes: int) -> None:
    """Refuse a file of more than `max_bytes` (a whole number of MB) before anything decodes it."""
    if len(data) > max_bytes:
        raise TooLarge(_("The file is larger than %(limit)s MB.") % {"limit": max_bytes // MB})


def csv_rows(reader: Iterable[list[str]], *, max_rows: int) -> Iterator[list[str]]:
    """The rows of a csv.reader, one at a time: the file is refused the moment it has more than
    `max_rows` (blank lines included), with no list of them all, or when csv cannot read it."""
    try:
        for count, row in enumerate(reader, start=1):
            if count > max_rows:
                raise TooManyRows(max_rows)
            yield row
    except csv.Error as error:
        raise SpreadsheetRefused(
            _("The CSV file cannot be read: %(error)s") % {"error": error}
        ) from error


def check_xlsx(data: bytes, *, max_rows: int, max_columns: int = MAX_COLUMNS) -> None:
    """Refuse a workbook that would cost openpyxl more than a table of `max_rows` rows (the header
    included) and `max_columns` columns, before it opens it (`SpreadsheetRefused`).

    First the zip's directory: how many parts, what each declares to unpack to, against how much
    it is packed. Then every part, sizes not trusted, unpacked 64 KB at a time into an XML parser:
    rows (empty ones too) and their numbers, cells and their columns, the sheet's declared size,
    shared strings, elements, bytes, and the references openpyxl follows (each part read once).
    It stops at the first budget spent, so a bomb is refused after a few chunks; a 5,000 x 20
    table takes about half a second here, a third of what openpyxl then takes to read it."""
    cells = max_rows * max_columns
    part_bytes = min(max(cells * XLSX_CELL_BYTES, XLSX_PART_FLOOR), XLSX_PART_CEILING)
    census = _Census(
        max_rows=max_rows,
        max_columns=max_columns,
        part_bytes=part_bytes,
        data_elements=cells * XLSX_ELEMENTS_PER_CELL,
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [info for info in archive.infolist() if not info.is_dir()]
            if len(parts) > XLSX_MAX_PARTS:
                raise TooLarge
            for info in parts:
                packed = max(info.compress_size, 1)
                if info.file_size > part_bytes or (
                    info.file_size > XLSX_RATIO_FROM and info.file_size > XLSX_MAX_RATIO * packed
                ):
                    raise TooLarge
            if sum(info.file_size for info in parts) > 2 * part_bytes:
                raise TooLarge
            for info in parts:
                _scan(archive, info, census)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error) as error:
        raise NotAWorkbook from error
    except (RuntimeError, ValueError) as error:  # encrypted, an unknown compression; bad numbers
        raise NotAWorkbook from error


@dataclass
class _Census:
    """The budgets of one check_xlsx, spent as its parts are read."""

    max_rows: int
    max_columns: int
    part_bytes: int
    data_elements: int  # left for the sheets and the shared strings
    other_elements: int = XLSX_OTHER_ELEMENTS  # left for every other part
    references: set[tuple[str, str, str]] = field(default_factory=set)  # (part, tag, r:id)
    targets: set[tuple[str, str]] = field(default_factory=set)  # (kind, part) of READ_ONCE


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, census: _Census) -> None:
    """Stream one part through the XML parser, sizes not trusted, until its end or a refusal."""
    part = _Part(census, info.filename)
    unpacked = 0
    with archive.open(info) as member:
        while chunk := member.read(READ_CHUNK):
            unpacked += len(chunk)
            if unpacked > census.part_bytes:
                raise TooLarge
            try:
                for offset in range(0, len(chunk), FEED):
                    part.feed(chunk[offset : offset + FEED])
            except ParseError:
                return  # not XML (a picture), or XML that openpyxl stops reading at the same place


class _Part:
    """One part as it is read: counted as openpyxl reads (rows and shared strings wherever they
    are, every child of a row as a cell), and dropped once counted."""

    def __init__(self, census: _Census, name: str) -> None:
        self.census = census
        self.name = name
        self.parser = XMLPullParser(events=("start", "end"))
        self.root: Element | None = None
        self.open: list[str] = []  # the local names of the open elements, the root's first
        self.local: dict[str, str] = {}  # tag → local name ("{…/main}row" → "row")
        self.table = False  # a sheet or the shared strings, on the table's budget
        self.rows = self.row = self.cells = self.column = self.strings = 0

    def feed(self, data: bytes) -> None:
        census, open_names, local = self.census, self.open, self.local
        self.parser.feed(data)
        for event, element in self.parser.read_events():
            if event == "end":
                open_names.pop()
                continue
            tag = element.tag
            name = local.get(tag) or local.setdefault(tag, tag.rpartition("}")[2])
            if open_names:
                parent = open_names[-1]
            else:
                self.root, parent, self.table = element, "", name in {"worksheet", "sst"}
            open_names.append(name)
            if self.table:
                census.data_elements -= 1
            else:
                census.other_elements -= 1
            if census.data_elements < 0 or census.other_elements < 0:
                raise TooLarge
            if parent == "row":  # openpyxl reads every child of a row as a cell
                self.cells += 1
                self.column = _column_of(element.get("r"), self.column)
                if self.cells > census.max_columns or self.column > census.max_columns:
                    raise TooManyColumns(census.max_columns)
            if name == "row":
                self.rows += 1
                self.row = _row_of(element.get("r"), self.row)
                self.cells = self.column = 0
                if self.rows > census.max_rows or self.row > census.max_rows:
                    raise TooManyRows(census.max_rows)
            elif name == "si":
                self.strings += 1
                if self.strings > census.max_rows * census.max_columns:
                    raise TooLarge
            elif name in CHECKED:
                _check_element(census, self.name, name, element)
        # Drop what is counted: all but the last child of each element down the last path.
        node = self.root
        while node is not None and len(node):
            if len(node) > 1:
                del node[:-1]
            node = node[-1]


def _check_element(census: _Census, part: str, name: str, element: Element) -> None:
    """The rarer elements: a sheet's declared size, and the references openpyxl follows."""
    if name == "dimension":
        cells = (element.get("ref") or "").split(":")
        if max(_column_of(cell, 0) for cell in cells) > census.max_columns:
            raise TooManyColumns(census.max_columns)
    elif name == "Relationship":
        kind = (element.get("Type") or "").rpartition("/")[2]
        if kind in READ_ONCE and element.get("TargetMode") != "External":
            _read_once(census.targets, (kind, _target(part, element)))
    else:  # <sheet r:id> in the workbook, <c:chart r:id> in a drawing
        _read_once(census.references, (part, name, _r_id(element)))


def _column_of(reference: str | None, previous: int) -> int:
    """The column of a cell reference ("AB12" → 28); the next one after `previous` without one."""
    if not reference:
        return previous + 1
    match = CELL_REFERENCE.fullmatch(reference)
    if match is None:
        raise NotAWorkbook
    letters = match.group(1).upper()
    if len(letters) > 3:  # past ZZZ (Excel stops at XFD)
        return 26**3 + 1
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _row_of(number: str | None, previous: int) -> int:
    """A row's number as openpyxl reads it ("12", or "12.0"); the next one without one."""
    if number is None:
        return previous + 1
    try:
        return int(number)
    except ValueError:
        value = float(number)  # ValueError: not a workbook
        if not value.is_integer():
            raise NotAWorkbook from None
        return int(value)


def _r_id(element: Element) -> str:
    """The relationship id (r:id) an element refers by, or ""."""
    return next((value for key, value in element.attrib.items() if key.endswith("}id")), "")


def _target(rels_part: str, element: Element) -> str:
    """The part a relationship points to, resolved as openpyxl resolves it."""
    target = element.get("Target") or ""
    if target.startswith("/"):
        return target[1:]
    folder = posixpath.dirname(posixpath.dirname(rels_part))  # "xl/_rels/x.rels" → "xl"
    return posixpath.normpath(posixpath.join(folder, target))


def _read_once(seen: set[Any], key: tuple[str, ...]) -> None:
    """Two sheets (charts) on one relationship, or two relationships to one sheet (drawing, chart),
    would have openpyxl read the same part again for each: no program writes that."""
    if key[-1]:
        if key in seen:
            raise NotAWorkbook
        seen.add(key)
