"""Pages cost the same number of queries whatever the number of commitments they show.

Each test loads a page with one commitment, then with 30 more (each with coalitions, Compact
areas, makers and progress reports), and asserts the count did not grow. Each page also has a
ceiling: the count measured when these tests were written plus a small margin.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import ProgressReport
from tests.commitments.factories import CommitmentFactory, CommitmentMakerFactory

MORE = 30
# Guards (measured + a margin of 2), in queries per page load. A logged-in user costs 4 more on
# the dashboard (session, user, maker roles, "may file" check).
DASHBOARD_CEILING = 19
EXPORT_CEILING = 6
DETAIL_CEILING = 10
MAKER_CEILING = 11
MINE_CEILING = 7


def add(reference, maker, count: int, start: int = 0) -> None:
    """Commitments that every filter of the tests below selects, half of them of new makers."""
    coalitions = [reference[c] for c in ("ejr", "gbv", "srhr")]
    for n in range(start, start + count):
        commitment = CommitmentFactory(
            maker=maker if n % 2 else CommitmentMakerFactory(),
            coalitions=coalitions[: 1 + n % 3],
            compact_areas=[reference["A"], reference["C"]][: 1 + n % 2],
            types=["financial", "policy"],
            amount=Decimal(1000 + n),
            currency=("USD", "EUR", "KZT")[n % 3],
            start_year=2024,
            end_year=2026,
        )
        ProgressReport.objects.create(
            commitment=commitment,
            year=2024,
            progress_status="in_progress",
            reported_at="2025-01-10T10:00Z",
        )


def queries_for(client, url: str) -> int:
    client.get(url)  # warm-up: one-time lookups (sessions, content types) are not counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/commitments/",
        "/commitments/?coalition=ejr&type=financial&category=member_state",
        "/commitments/?compact_area=A&country=KAZ&status=in_progress&q=Commitment",
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_dashboard(
    client, reference, kazakhstan, gov_editor, url, who, django_assert_max_num_queries
):
    if who == "editor":
        client.force_login(gov_editor)
    add(reference, kazakhstan, 1)
    few = queries_for(client, url)
    add(reference, kazakhstan, MORE, start=1)
    with django_assert_max_num_queries(few):
        client.get(url)
    assert few <= DASHBOARD_CEILING


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export(client, reference, kazakhstan, fmt, django_assert_max_num_queries):
    url = f"/commitments/export.{fmt}?type=financial"
    add(reference, kazakhstan, 1)
    few = queries_for(client, url)
    add(reference, kazakhstan, MORE, start=1)
    with django_assert_max_num_queries(few):
        client.get(url)
    assert few <= EXPORT_CEILING


def test_detail_and_maker_pages(
    client, reference, kazakhstan, gov_editor, django_assert_max_num_queries
):
    client.force_login(gov_editor)
    commitment = CommitmentFactory(
        maker=kazakhstan, coalitions=[reference["gbv"]], start_year=2022, end_year=2026
    )
    ProgressReport.objects.create(
        commitment=commitment,
        year=2022,
        progress_status="in_progress",
        reported_at="2023-01-01T00:00Z",
    )
    add(reference, kazakhstan, 1)
    detail = queries_for(client, f"/commitments/{commitment.pk}/")
    maker = queries_for(client, f"/commitments/makers/{kazakhstan.pk}/")
    mine = queries_for(client, "/commitments/mine/")
    for year in (2023, 2024, 2025):
        ProgressReport.objects.create(
            commitment=commitment,
            year=year,
            progress_status="delayed",
            reported_at="2025-06-01T00:00Z",
        )
    add(reference, kazakhstan, MORE, start=1)
    with django_assert_max_num_queries(detail):
        client.get(f"/commitments/{commitment.pk}/")
    with django_assert_max_num_queries(maker):
        client.get(f"/commitments/makers/{kazakhstan.pk}/")
    with django_assert_max_num_queries(mine):
        client.get("/commitments/mine/")
    assert detail <= DETAIL_CEILING
    assert maker <= MAKER_CEILING
    assert mine <= MINE_CEILING
