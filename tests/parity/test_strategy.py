"""The parity strategy tracker: seed 000's annex for UN Women as data, its page and its export."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook

from parity import selectors, services
from tests.factories import UNEntityFactory

DOCUMENT = Path(settings.BASE_DIR) / "fixtures" / "parity" / "strategy-un-women-2020.json"


def load(db_entity=True):
    if db_entity:
        UNEntityFactory(acronym="UN Women", name="UN Women")
    return services.load_strategy_document(document=json.loads(DOCUMENT.read_text("utf-8")))


def test_strategy_document_loads_the_six_recommendations_twice_without_duplicates(db):
    assert load() == (6, 6, 1)
    assert load(db_entity=False) == (6, 6, 1)

    tracker = selectors.strategy_tracker(UNEntityFactory(acronym="UN Women"))
    assert [row.recommendation.number for row in tracker.recommendations] == [1, 2, 3, 4, 5, 6]
    assert [row.latest.get_status_display() for row in tracker.recommendations] == [
        "Completed and implementation ongoing",
        "In progress",
        "Completed and implementation ongoing",
        "Completed and implementation ongoing",
        "Completed and implementation ongoing",
        "Completed / implementation efforts ongoing",
    ]
    assert tracker.status_counts == [
        ("Completed and implementation ongoing", 4),
        ("In progress", 1),
        ("Completed / implementation efforts ongoing", 1),
    ]
    assert tracker.recommendations[1].latest.notes.startswith(
        "A Call for Proposal for civil society organizations (CSOs) was published in 2020."
    )
    share = tracker.latest_workforce
    assert (share.year, str(share.women_percent), str(share.men_percent)) == (
        2020,
        "74.00",
        "26.00",
    )


def test_strategy_page_any_logged_in_user_reads_it(client, viewer, outsider):
    load()
    for user in (viewer, outsider):
        client.force_login(user)
        response = client.get("/parity/strategy/UN Women/")
        assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="recommendation-status"') == 6
    assert '<span class="fs-4">74 %</span>' in html
    assert "Edit in the administration" not in html  # only administrators write


def test_strategy_page_administrators_get_the_edit_link(client, admin_user):
    load()
    client.force_login(admin_user)

    html = client.get("/parity/strategy/un women/").content.decode()

    assert "Edit in the administration" in html


def test_strategy_page_needs_login_and_a_known_entity(client, viewer):
    load()
    assert client.get("/parity/strategy/UN Women/").status_code == 302
    client.force_login(viewer)
    assert client.get("/parity/strategy/NOPE/").status_code == 404


def test_strategy_export_is_a_workbook_with_every_recommendation(client, viewer):
    load()
    client.force_login(viewer)

    response = client.get("/parity/strategy/UN Women/export.xlsx")

    assert response["Content-Disposition"] == 'attachment; filename="parity-strategy-UN-Women.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Recommendations"].iter_rows(values_only=True))
    assert rows[0] == (
        "No.",
        "Short title",
        "Recommendation",
        "Year",
        "Status",
        "Notes",
        "Future plans",
    )
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [
        (1, 2020, "Completed and implementation ongoing"),
        (2, 2020, "In progress"),
        (3, 2020, "Completed and implementation ongoing"),
        (4, 2020, "Completed and implementation ongoing"),
        (5, 2020, "Completed and implementation ongoing"),
        (6, 2020, "Completed / implementation efforts ongoing"),
    ]
    workforce = list(workbook["Workforce"].iter_rows(values_only=True))
    assert workforce[1][:3] == (2020, 74, 26)
