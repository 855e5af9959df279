"""Hostile staffing files: refused before openpyxl reads them, with a clear reason, in little time
and memory, on the team page, through the API and in the service, with nothing saved; a normal
table of 5,000 rows still reads. (The inspector itself: tests/core/test_tabular_bounds.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from parity import services, tables
from parity.models import StaffingCount, StaffingSnapshot
from tests import spreadsheet_bombs as bombs
from tests.parity.conftest import HEADER, xlsx_bytes
from tests.spreadsheet_bombs import MB, Bounded

URL = "/parity/teams/KAZ/2022/"  # the team page, with its upload form
API = "/api/v1/parity/snapshots/import/"
DETAILS = {"as_of": "2022-12-31", "source": "HR focal points"}
TOO_LARGE = "The workbook is too large once unpacked."
TOO_WIDE = "The file has more than 50 columns."


def saved() -> tuple[int, int]:
    return StaffingSnapshot.objects.count(), StaffingCount.objects.count()


def refusal(team, data: bytes, name: str = "staffing.xlsx") -> tuple[list[str], Bounded]:
    with Bounded() as cost, pytest.raises(services.StaffingImportError) as raised:
        services.import_staffing(
            country_team=team,
            year=2022,
            file=SimpleUploadedFile(name, data),
            as_of=date(2022, 12, 31),
            source="HR",
            by=None,
        )
    return raised.value.messages, cost


def test_39_mb_of_shared_strings_are_refused_in_no_time(twelve):
    """(1) of the adversarial run: ~100 KB that unpack to 39 MB of shared strings (under the
    former 40 MB cap) cost openpyxl 13 to 28 seconds and 200 MB per request."""
    data = bombs.string_bomb(39, HEADER)
    assert len(data) < 200 * 1024
    before = saved()

    messages, cost = refusal(twelve.country_team, data)

    assert messages == [TOO_LARGE]
    assert saved() == before
    assert cost.seconds < 1.0
    assert cost.peak < 30 * MB


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: bombs.far_cell(HEADER, rows=5000), id="a cell in column XFD"),
        pytest.param(lambda: bombs.wide_dimension(HEADER, rows=5000), id="dimension A1:XFD"),
    ],
)
def test_rows_as_wide_as_the_sheet_are_refused(twelve, build):
    """26 KB whose 5,000 rows openpyxl would hand back 16,384 cells wide: 600 MB of lists."""
    before = saved()

    messages, cost = refusal(twelve.country_team, build())

    assert messages == [TOO_WIDE]
    assert saved() == before
    assert cost.seconds < 1.0
    assert cost.peak < 30 * MB


def test_the_team_page_shows_the_refusal_and_keeps_the_figures(client, coordinator, twelve):
    client.force_login(coordinator)
    before = saved()
    upload = SimpleUploadedFile("staffing.xlsx", bombs.string_bomb(39, HEADER))

    with Bounded(memory=False) as cost:
        response = client.post(URL, {"file": upload, **DETAILS})

    assert response.status_code == 400
    assert TOO_LARGE in response.content.decode()
    assert saved() == before
    assert cost.seconds < 2.0


def test_the_api_import_answers_400_with_the_refusal(coordinator, twelve):
    before = saved()
    upload = SimpleUploadedFile("staffing.xlsx", bombs.far_cell(HEADER, rows=5000))

    client = APIClient()
    client.force_authenticate(coordinator)

    with Bounded(memory=False) as cost:
        response = client.post(
            API,
            {"country_team": "KAZ", "year": 2022, "file": upload, **DETAILS},
            format="multipart",
        )

    assert response.status_code == 400
    assert response.json()["file"] == [TOO_WIDE]
    assert saved() == before
    assert cost.seconds < 2.0


def test_a_table_of_5000_rows_still_reads():
    rows = [[f"E{number % 40}", "P-4", number % 7, number % 5, 0] for number in range(5000)]

    read = tables.read_rows(xlsx_bytes(rows), "staffing.xlsx")

    assert len(read) == 5001
    assert read[0] == (1, HEADER)
    assert read[-1] == (5001, ["E39", "P-4", 4999 % 7, 4999 % 5, 0])
