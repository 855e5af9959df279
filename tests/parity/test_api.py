"""Gender parity through the API: the team page's gate (404 for a team the user may not know,
403 for a read-only role), its small-cell rule (raw counts for the team's members only), the
grid's and the import's services (every problem reported, nothing written), the strategy tracker
(read-only), JSON errors, and lists that cost the same whatever their length.

Personas: `iat` and `coordinator` write KAZ's figures, `viewer` and `rc` read them, `reviewer`
reads KAZ's region from outside the team, `outsider` (Demoland) and `far_reviewer` must not know
KAZ's figures exist.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from parity import services
from parity.models import ParityRecommendation, StaffingCount, StaffingSnapshot
from tests.parity.conftest import TWELVE_ENTITIES, csv_upload, import_rows

API = "/api/v1/parity"
STRATEGY = Path(settings.BASE_DIR) / "fixtures" / "parity" / "strategy-un-women-2020.json"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def counts_of(snapshot: StaffingSnapshot) -> list[tuple]:
    return list(
        StaffingCount.objects.filter(snapshot=snapshot)
        .order_by("entity__acronym", "grade")
        .values_list("entity__acronym", "grade", "women", "men", "not_disclosed")
    )


def grid(**changes) -> dict:
    payload = {
        "country_team": "KAZ",
        "year": 2022,
        "entity": "UNDP",
        "as_of": "2022-12-31",
        "source": "HR focal points",
        "cells": {"P-4": {"women": 3, "men": 2}, "G-5": {"women": 9, "men": 2}},
    }
    return {**payload, **changes}


@pytest.fixture
def strategy(entities):
    services.load_strategy_document(document=json.loads(STRATEGY.read_text("utf-8")))


# --- Anonymous ----------------------------------------------------------------------------------


def test_anonymous_callers_get_401(twelve, strategy):
    before = counts_of(twelve)
    anonymous = APIClient()
    responses = [
        anonymous.get(f"{API}/snapshots/"),
        anonymous.get(f"{API}/snapshots/{twelve.pk}/"),
        anonymous.get(f"{API}/snapshots/{twelve.pk}/status/"),
        anonymous.put(f"{API}/snapshots/grid/", grid(), format="json"),
        anonymous.get(f"{API}/recommendations/"),
        anonymous.get(f"{API}/strategy/UN Women/"),
    ]

    assert [r.status_code for r in responses] == [401] * 6
    assert all("detail" in r.json() for r in responses)
    assert counts_of(twelve) == before


# --- Reading: who sees what ---------------------------------------------------------------------


def test_members_see_the_counts(viewer, twelve):
    client = client_for(viewer)

    listed = client.get(f"{API}/snapshots/").json()["results"]
    detail = client.get(f"{API}/snapshots/{twelve.pk}/").json()

    assert [(s["country_team"], s["year"]) for s in listed] == [("KAZ", 2022)]
    assert detail["small_cells_protected"] is False
    assert len(detail["counts"]) == len(TWELVE_ENTITIES)
    assert {"entity": "UNDP", "grade": "D-1", "women": 0, "men": 1, "not_disclosed": 0} in (
        detail["counts"]
    )


def test_a_reviewer_reads_the_figures_without_small_cells(reviewer, twelve):
    client = client_for(reviewer)

    detail = client.get(f"{API}/snapshots/{twelve.pk}/").json()
    listed = client.get(f"{API}/snapshots/").json()["results"]
    status = client.get(f"{API}/snapshots/{twelve.pk}/status/").json()

    assert (detail["counts"], detail["small_cells_protected"]) == (None, True)
    assert [s["counts"] for s in listed] == [None]
    assert status["small_cells_protected"] is True
    categories = {c["key"]: c for c in status["categories"]}
    # Directors are 1 person: hidden, and professional with them (it would give them away).
    assert categories["directors"]["suppressed"] is True
    assert categories["directors"]["women"] is None
    assert categories["professional"]["suppressed"] is True
    assert status["overall_all"]["pct_women"] == "56.7"


def test_the_status_document_for_members_shows_every_level(iat, twelve):
    response = client_for(iat).get(f"{API}/snapshots/{twelve.pk}/status/")

    assert response.status_code == 200
    status = response.json()
    assert (status["format"], status["country_team"], status["year"]) == (
        "unct-swap-parity-status/1",
        "KAZ",
        2022,
    )
    assert status["small_cells_protected"] is False
    directors = next(c for c in status["categories"] if c["key"] == "directors")
    assert (directors["women"], directors["men"], directors["suppressed"]) == (0, 1, False)
    assert (status["overall_all"]["women"], status["overall_all"]["men"]) == (72, 55)
    assert status["headline"] == "overall_all"


@pytest.mark.parametrize("persona", ["outsider", "far_reviewer"])
def test_outsiders_do_not_learn_the_snapshot_exists(request, persona, twelve):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(f"{API}/snapshots/{twelve.pk}/").status_code == 404
    assert client.get(f"{API}/snapshots/{twelve.pk}/status/").status_code == 404
    assert client.get(f"{API}/snapshots/").json()["results"] == []
    assert client.get(f"{API}/snapshots/", {"country_team__code": "KAZ"}).json()["results"] == []


def test_list_filters_by_team_and_year(iat, team, entities, twelve):
    import_rows(team, 2021, [["UNDP", "P-4", 2, 2]])
    client = client_for(iat)

    by_year = client.get(f"{API}/snapshots/", {"year": 2021}).json()["results"]
    by_team = client.get(f"{API}/snapshots/", {"country_team__code": "KAZ"}).json()["results"]

    assert [s["year"] for s in by_year] == [2021]
    assert [s["year"] for s in by_team] == [2022, 2021]
    bad = client.get(f"{API}/snapshots/", {"year": "last"})
    assert bad.status_code == 400
    assert "year" in bad.json()


def test_snapshot_list_costs_the_same_for_1_and_30_snapshots(
    coordinator, team, entities, django_assert_max_num_queries
):
    rows = [["UNDP", "P-4", 2, 2], ["UNICEF", "G-5", 3, 1], ["IOM", "SC", 1, 1]]
    client = client_for(coordinator)
    import_rows(team, 1990, rows)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{API}/snapshots/").json()["results"]) == 1
    for year in range(1991, 2020):
        import_rows(team, year, rows)

    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(f"{API}/snapshots/").json()
    assert len(body["results"]) == 30
    assert all(len(s["counts"]) == 3 for s in body["results"])


# --- Writing: the grid ---------------------------------------------------------------------------


def test_the_grid_replaces_one_entitys_figures(coordinator, twelve):
    response = client_for(coordinator).put(f"{API}/snapshots/grid/", grid(), format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["updated_by_name"]) == (
        twelve.pk,
        coordinator.get_full_name() or coordinator.username,
    )
    undp = [c for c in counts_of(twelve) if c[0] == "UNDP"]
    assert undp == [("UNDP", "G-5", 9, 2, 0), ("UNDP", "P-4", 3, 2, 0)]
    assert len(counts_of(twelve)) == len(TWELVE_ENTITIES) - 5 + 2  # other entities untouched
    assert {"entity": "UNDP", "grade": "G-5", "women": 9, "men": 2, "not_disclosed": 0} in (
        body["counts"]
    )


def test_the_grid_creates_the_years_snapshot(iat, team, entities):
    response = client_for(iat).put(
        f"{API}/snapshots/grid/", grid(year=2023, include_non_staff=False), format="json"
    )

    assert response.status_code == 200
    snapshot = StaffingSnapshot.objects.get(country_team=team, year=2023)
    assert (snapshot.as_of, snapshot.include_non_staff) == (date(2022, 12, 31), False)
    assert counts_of(snapshot) == [("UNDP", "G-5", 9, 2, 0), ("UNDP", "P-4", 3, 2, 0)]


@pytest.mark.parametrize("persona", ["viewer", "rc", "reviewer"])
def test_read_only_roles_cannot_write_the_grid(request, persona, twelve):
    before = counts_of(twelve)

    response = client_for(request.getfixturevalue(persona)).put(
        f"{API}/snapshots/grid/", grid(), format="json"
    )

    assert response.status_code == 403
    assert "detail" in response.json()
    assert counts_of(twelve) == before


def test_an_outsider_writing_the_grid_gets_404(outsider, twelve):
    before = counts_of(twelve)

    response = client_for(outsider).put(f"{API}/snapshots/grid/", grid(), format="json")

    assert response.status_code == 404
    assert counts_of(twelve) == before


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"cells": {"P-4": {"women": -1}, "P-9": {"women": 1}}},
            {"cells": {"P-4": {"women": ["Ensure this value is greater than or equal to 0."]}}},
        ),
        (
            {"cells": {"P-9": {"women": 1}, "G-5": {"men": 2}}},
            {"cells": {"P-9": ["P-9: unknown grade 'P-9'"]}},
        ),
        ({"entity": "UNDPP"}, {"entity": ["Unknown UN entity."]}),
        ({"source": "", "as_of": "31/12/2022"}, None),
    ],
)
def test_an_invalid_grid_is_400_and_writes_nothing(coordinator, twelve, changes, errors):
    before = counts_of(twelve)

    response = client_for(coordinator).put(f"{API}/snapshots/grid/", grid(**changes), format="json")

    assert response.status_code == 400
    body = response.json()
    if errors is None:
        assert {"source", "as_of"} <= set(body)
    else:
        for field, messages in errors.items():
            assert body[field] == messages
    assert counts_of(twelve) == before


# --- Writing: the file import ---------------------------------------------------------------------


def test_a_member_imports_a_file(iat, team, entities):
    response = client_for(iat).post(
        f"{API}/snapshots/import/",
        {
            "country_team": "KAZ",
            "year": 2022,
            "as_of": "2022-12-31",
            "source": "HR focal points",
            "file": csv_upload(TWELVE_ENTITIES),
        },
        format="multipart",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["rows"], body["entities"]) == (len(TWELVE_ENTITIES), 12)
    snapshot = StaffingSnapshot.objects.get(country_team=team, year=2022)
    assert body["snapshot"]["id"] == snapshot.pk
    assert len(counts_of(snapshot)) == len(TWELVE_ENTITIES)


def test_a_bad_file_is_400_with_every_problem_and_nothing_changes(coordinator, twelve):
    before = counts_of(twelve)
    rows = [["UNDP", "P-6", 1, 1], ["UNDPP", "P-4", 1, 1], ["UNDP", "P-4", "two", 1]]

    response = client_for(coordinator).post(
        f"{API}/snapshots/import/",
        {
            "country_team": "KAZ",
            "year": 2022,
            "as_of": "2022-12-31",
            "source": "HR",
            "file": csv_upload(rows),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["file"] == [
        "Row 2: unknown grade 'P-6'",
        "Row 3: unknown entity 'UNDPP'",
        "Row 4: women must be a whole number ≥ 0",
    ]
    assert counts_of(twelve) == before


def test_a_viewer_cannot_import(viewer, twelve):
    before = counts_of(twelve)

    response = client_for(viewer).post(
        f"{API}/snapshots/import/",
        {
            "country_team": "KAZ",
            "year": 2022,
            "as_of": "2022-12-31",
            "source": "HR",
            "file": csv_upload([["UNDP", "P-4", 9, 9]]),
        },
        format="multipart",
    )

    assert response.status_code == 403
    assert counts_of(twelve) == before


# --- The parity strategy tracker ------------------------------------------------------------------


def test_every_logged_in_user_reads_the_strategy(outsider, strategy):
    client = client_for(outsider)

    listed = client.get(f"{API}/recommendations/", {"entity__acronym": "UN Women"}).json()
    first = ParityRecommendation.objects.get(number=1)
    detail = client.get(f"{API}/recommendations/{first.pk}/").json()
    tracker = client.get(f"{API}/strategy/UN Women/").json()
    entities = client.get(f"{API}/strategy/").json()["results"]

    assert [r["number"] for r in listed["results"]] == [1, 2, 3, 4, 5, 6]
    assert detail["updates"][0]["year"] == 2020
    assert detail["updates"][0]["status"] == "completed_ongoing"
    assert len(tracker["recommendations"]) == 6
    assert tracker["workforce"][0]["women_percent"] == "74.00"
    assert entities == [{"acronym": "UN Women", "name": "Entity UN Women", "recommendations": 6}]
    assert client.get(f"{API}/strategy/UNDP/").status_code == 200  # an entity without any
    assert client.get(f"{API}/strategy/NOPE/").status_code == 404
    assert client.get(f"{API}/recommendations/{first.pk + 100}/").status_code == 404


def test_the_strategy_is_read_only_here(admin_user, strategy):
    """Administrators write the tracker in the Django admin; the API offers no write."""
    first = ParityRecommendation.objects.get(number=1)
    client = client_for(admin_user)

    put = client.put(f"{API}/recommendations/{first.pk}/", {"title": "x"}, format="json")
    post = client.post(f"{API}/recommendations/", {"title": "x"}, format="json")

    assert (put.status_code, post.status_code) == (405, 405)
    first.refresh_from_db()
    assert first.title != "x"


def test_recommendation_list_costs_the_same_for_1_and_30(
    viewer, entities, django_assert_max_num_queries
):
    def load(numbers: range) -> None:
        services.load_strategy_document(
            document={
                "entity": "UNDP",
                "recommendations": [
                    {
                        "number": n,
                        "text": f"Recommendation {n}",
                        "updates": [{"year": 2020, "status": "in_progress"}],
                    }
                    for n in numbers
                ],
            }
        )

    client = client_for(viewer)
    load(range(1, 2))
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{API}/recommendations/").json()["results"]) == 1
    load(range(1, 31))

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{API}/recommendations/").json()["results"]) == 30
