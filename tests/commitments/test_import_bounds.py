"""Hostile commitment files: refused before openpyxl or csv reads them all, with a clear reason,
in little time and memory, on the import page and in the service (which the command calls), with
nothing saved; a normal file of 5,000 rows still reads. (The inspector itself:
tests/core/test_tabular_bounds.py.)"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from commitments import services, tabular
from commitments.models import Commitment, CommitmentMaker
from tests import spreadsheet_bombs as bombs
from tests.commitments.test_import import HEADER, csv_bytes, row
from tests.spreadsheet_bombs import MB, Bounded

TOO_LARGE = "The workbook is too large once unpacked."
TOO_MANY_ROWS = "The file has more than 5000 rows: split it."


def saved() -> tuple[int, int]:
    return CommitmentMaker.objects.count(), Commitment.objects.count()


def refusal(content: bytes, name: str = "commitments.xlsx") -> tuple[list[str], Bounded]:
    before = saved()
    with Bounded() as cost, pytest.raises(services.ImportFileError) as raised:
        services.import_commitments(file_name=name, content=content, by=None)
    assert saved() == before
    return raised.value.messages, cost


def test_102_mb_of_shared_strings_are_refused_in_no_time(reference):
    """(5) of the adversarial run: 250 KB that unpack to 102 MB of shared strings cost openpyxl
    33 to 78 seconds and 600 MB."""
    data = bombs.string_bomb(102, HEADER)
    assert len(data) < 400 * 1024

    messages, cost = refusal(data)

    assert messages == [TOO_LARGE]
    assert cost.seconds < 1.0
    assert cost.peak < 30 * MB


def test_a_million_empty_rows_are_refused_at_the_first_row_too_many(reference):
    """(5) again: 2.4 MB of <row r="N"/>, read one by one for 8 to 30 seconds."""
    messages, cost = refusal(bombs.empty_rows(1_000_000, HEADER))

    assert messages == [TOO_MANY_ROWS]
    assert cost.seconds < 1.0
    assert cost.peak < 30 * MB


def test_rows_as_wide_as_the_sheet_are_refused(reference):
    messages, cost = refusal(bombs.far_cell(HEADER, rows=5000))

    assert messages == ["The file has more than 50 columns."]
    assert cost.seconds < 1.0
    assert cost.peak < 30 * MB


def test_a_csv_file_over_5_mb_is_refused_before_it_is_decoded(reference):
    content = csv_bytes([row()]) + b"\n" * (5 * MB)

    messages, cost = refusal(content, name="commitments.csv")

    assert messages == ["The file is larger than 5 MB."]
    assert cost.seconds < 0.5
    assert cost.peak < 5 * MB  # not a copy of the file's text


def test_a_csv_file_of_blank_lines_stops_at_the_row_limit(reference):
    """Blank lines are skipped, not free: a file of millions of them stops at MAX_LINES."""
    content = csv_bytes([row()]) + b"\r\n" * (2 * MB)

    messages, cost = refusal(content, name="commitments.csv")

    assert messages == [TOO_MANY_ROWS]
    assert cost.seconds < 1.0


def test_a_csv_field_too_long_for_csv_is_a_message_not_a_crash(reference):
    content = csv_bytes([row(description="x" * 200_000)])

    messages, _cost = refusal(content, name="commitments.csv")

    assert messages == ["The CSV file cannot be read: field larger than field limit (131072)"]


def test_the_import_page_shows_the_refusal(client, reference, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("gef.xlsx", bombs.string_bomb(102, HEADER))

    with Bounded(memory=False) as cost:
        response = client.post("/commitments/import/", {"file": upload})

    assert response.status_code == 400
    assert TOO_LARGE in response.content.decode()
    assert saved() == (0, 0)
    assert cost.seconds < 2.0


def test_a_file_of_5000_commitments_still_reads():
    columns = HEADER[:5]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Commitments")
    sheet.append(columns)
    for number in range(5000):
        sheet.append([row(title=f"Commitment {number}")[key] for key in columns])
    out = io.BytesIO()
    workbook.save(out)

    header, rows = tabular.read_table("gef.xlsx", out.getvalue())

    assert header == columns
    assert len(rows) == 5000
    last = row(title="Commitment 4999")
    assert rows[-1] == (5001, {key: last[key] for key in columns})


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_the_csv_separator_is_the_headers_whatever_the_text_holds(separator):
    """Descriptions full of semicolons do not make a comma-separated file split on them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    writer.writerow(["maker", "title", "description"])
    for _ in range(2):
        writer.writerow(["UN Women", "Parity; and more", "a; b; c; d; e; f; g; h; i; j"])

    columns, rows = tabular.read_table("commitments.csv", out.getvalue().encode())

    assert columns == ["maker", "title", "description"]
    assert rows[0] == (
        2,
        {
            "maker": "UN Women",
            "title": "Parity; and more",
            "description": "a; b; c; d; e; f; g; h; i; j",
        },
    )
