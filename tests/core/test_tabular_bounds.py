"""The upload inspector (core.tabular, "Reading"): a workbook or CSV file that would cost more
work than the largest table an importer accepts is refused before openpyxl or csv reads it, with
a reason for people, after a few chunks at most, and in little memory. A normal table passes."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook

from core import tabular
from core.tabular import (
    NotAWorkbook,
    SpreadsheetRefused,
    TooLarge,
    TooManyColumns,
    TooManyRows,
    check_size,
    check_xlsx,
    csv_rows,
)
from tests import spreadsheet_bombs as bombs
from tests.spreadsheet_bombs import MB, Bounded

# A refusal is cheap: generous margins, measured with tracemalloc on (which slows Python down).
CPU_SECONDS = 2.0
PEAK_BYTES = 30 * MB


def table(rows: int, columns: int, text: str = "") -> bytes:
    """A workbook as openpyxl writes it: a header and `rows` rows of `columns` cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Staffing")
    sheet.append([f"column {n}" for n in range(columns)])
    for number in range(rows):
        sheet.append([f"{text}{number}-{n}" if text else number * n for n in range(columns)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refused(data: bytes, **limits) -> tuple[SpreadsheetRefused, Bounded]:
    with Bounded() as cost, pytest.raises(SpreadsheetRefused) as raised:
        check_xlsx(data, **limits)
    assert cost.seconds < CPU_SECONDS
    assert cost.peak < PEAK_BYTES
    return raised.value, cost


# --- Normal tables pass ---------------------------------------------------------------------------


def test_a_normal_table_passes():
    check_xlsx(table(5000, 5), max_rows=5001)


def test_the_largest_table_with_longish_text_passes():
    """5,000 rows x 20 columns of ~100-character texts: a 15 MB sheet, 1.6 MB packed."""
    data = table(5000, 20, text="A commitment to gender equality in the public service " * 2)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert max(info.file_size for info in archive.infolist()) > 10 * MB
    check_xlsx(data, max_rows=5001)


def test_a_table_exactly_at_the_limits_passes():
    check_xlsx(table(99, 10), max_rows=100, max_columns=10)


# --- The zip's directory ------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"entity,grade\n", b"PK\x03\x04broken"])
def test_a_file_that_is_no_zip_is_not_a_workbook(data):
    error, _cost = refused(data, max_rows=10)

    assert isinstance(error, NotAWorkbook)
    assert str(error) == "The file is not a valid .xlsx workbook."


def test_shared_strings_declaring_39_mb_are_refused_unread():
    """(1) of the adversarial run: 100 KB on the wire, 39 MB of shared strings once unpacked."""
    data = bombs.string_bomb(39)
    assert len(data) < 200 * 1024

    error, cost = refused(data, max_rows=5001)

    assert isinstance(error, TooLarge)
    assert str(error) == "The workbook is too large once unpacked."
    assert cost.seconds < 0.5


def test_a_part_packed_hundreds_of_times_is_refused_below_the_size_budget():
    data = bombs.string_bomb(5)  # 5 MB: within the budget, but packed ~400 times

    error, _cost = refused(data, max_rows=5001)

    assert isinstance(error, TooLarge)


def test_too_many_parts_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(tabular.XLSX_MAX_PARTS + 1):
            archive.writestr(f"xl/media/image{number}.png", b"")

    error, _cost = refused(out.getvalue(), max_rows=10)

    assert isinstance(error, TooLarge)


def test_a_size_that_lies_in_the_directory_does_not_let_more_through():
    """zipfile unpacks no more than the directory says; the rest fails its checksum."""
    data = bombs.lying_size(bombs.string_bomb(20), "xl/sharedStrings.xml", 100_000)

    error, _cost = refused(data, max_rows=5001)

    assert isinstance(error, NotAWorkbook)


# --- Streamed parts -----------------------------------------------------------------------------


def test_a_million_empty_rows_stop_at_the_first_row_too_many():
    data = bombs.empty_rows(1_000_000)

    error, cost = refused(data, max_rows=5001)

    assert isinstance(error, TooManyRows)
    assert error.limit == 5001
    assert str(error) == "The file has more than 5001 rows."
    assert cost.seconds < 0.5


def test_a_row_numbered_past_the_limit_is_refused():
    """openpyxl hands back every row up to the one named: a single <row r="1000000"/> is a
    million rows."""
    data = bombs.workbook(
        bombs.sheet_xml([bombs.header_row(["entity"]), b'<row r="1000000"/>']),
        bombs.strings_xml([]),
    )

    error, _cost = refused(data, max_rows=5001)

    assert isinstance(error, TooManyRows)


def test_more_distinct_strings_than_cells_are_refused_while_streaming():
    """The part is modest (no declared size or ratio gives it away): the count does."""
    data = bombs.many_strings(1001)

    error, _cost = refused(data, max_rows=100, max_columns=10)

    assert isinstance(error, TooLarge)
    check_xlsx(bombs.many_strings(1000), max_rows=100, max_columns=10)


def test_three_hundred_thousand_strings_stop_at_the_default_budget():
    """5,001 x 50 cells allow 250,050 distinct strings; the stream stops at the next one."""
    data = bombs.many_strings(300_000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        strings = archive.getinfo("xl/sharedStrings.xml")
    assert strings.file_size < 8 * MB
    assert strings.file_size < tabular.XLSX_MAX_RATIO * strings.compress_size

    with Bounded(memory=False) as cost, pytest.raises(TooLarge):
        check_xlsx(data, max_rows=5001)

    assert cost.seconds < CPU_SECONDS


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bombs.far_cell(rows=3), id="a cell in column XFD"),
        pytest.param(bombs.wide_dimension(rows=3), id="a dimension of A1:XFD4"),
        pytest.param(
            bombs.workbook(
                bombs.sheet_xml([b"<row>" + b"<c><v>1</v></c>" * 51 + b"</row>"]),
                bombs.strings_xml([]),
            ),
            id="51 cells without references",
        ),
    ],
)
def test_cells_past_the_last_column_are_refused(data):
    """openpyxl makes each row as wide as its last cell, or the sheet's declared size."""
    error, _cost = refused(data, max_rows=5001)

    assert isinstance(error, TooManyColumns)
    assert str(error) == "The file has more than 50 columns."


def test_the_elements_of_the_sheets_have_a_budget():
    """Within the rows and columns, XML nested in a cell still costs: 5 elements a cell at most."""
    cell = b"<c><is>" + b"<t>x</t>" * 100 + b"</is></c>"
    data = bombs.workbook(bombs.sheet_xml([b"<row>" + cell * 2 + b"</row>"]), [])

    error, _cost = refused(data, max_rows=10, max_columns=2)

    assert isinstance(error, TooLarge)


def test_the_elements_of_the_other_parts_have_a_budget():
    """openpyxl reads the styles whole; 100,001 elements there cost it seconds."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/styles.xml",
            b'<styleSheet xmlns="%s"><cellXfs>' % bombs.MAIN.encode()
            + b"<xf/>" * tabular.XLSX_OTHER_ELEMENTS
            + b"</cellXfs></styleSheet>",
        )

    error, _cost = refused(data.getvalue(), max_rows=5001)

    assert isinstance(error, TooLarge)


def test_two_sheets_on_one_part_are_not_a_workbook():
    """openpyxl would read the part again for each: a way to multiply the work."""
    workbook = (
        b'<workbook xmlns="%s" xmlns:r="%s"><sheets>' % (bombs.MAIN.encode(), bombs.REL.encode())
        + b'<sheet name="A" sheetId="1" r:id="rId1"/><sheet name="B" sheetId="2" r:id="rId1"/>'
        + b"</sheets></workbook>"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/workbook.xml", workbook)

    error, _cost = refused(data.getvalue(), max_rows=10)

    assert isinstance(error, NotAWorkbook)


def test_two_relationships_to_one_sheet_are_not_a_workbook():
    rels = (
        b'<Relationships xmlns="%s">' % bombs.PACKAGE_REL.encode()
        + b'<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
        % bombs.REL.encode()
        + b'<Relationship Id="rId2" Type="%s/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
        % bombs.REL.encode()
        + b"</Relationships>"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/_rels/workbook.xml.rels", rels)

    error, _cost = refused(data.getvalue(), max_rows=10)

    assert isinstance(error, NotAWorkbook)


def test_parts_that_are_not_xml_are_left_to_openpyxl():
    """Pictures are not parsed here, nor by openpyxl in read-only mode."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100)

    check_xlsx(data.getvalue(), max_rows=10)


# --- CSV ----------------------------------------------------------------------------------------


def test_check_size_refuses_before_decoding():
    check_size(b"x" * MB, max_bytes=MB)
    with pytest.raises(TooLarge, match=r"^The file is larger than 1 MB\.$"):
        check_size(b"x" * (MB + 1), max_bytes=MB)


def test_csv_rows_stop_at_the_first_row_too_many_blank_ones_included():
    read = []

    def lines():
        for number in range(1_000_000):
            read.append(number)
            yield ""

    rows = csv_rows(csv.reader(lines()), max_rows=100)

    with pytest.raises(TooManyRows, match=r"more than 100 rows"):
        for _row in rows:
            pass
    assert len(read) == 101


def test_csv_rows_report_what_csv_cannot_read():
    huge_field = '"' + "x" * (csv.field_size_limit() + 1) + '"\n'

    with pytest.raises(SpreadsheetRefused, match=r"^The CSV file cannot be read: field larger"):
        list(csv_rows(csv.reader(io.StringIO(huge_field)), max_rows=10))
