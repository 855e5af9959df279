"""The parity pages through Django's test client: who may see and change what, and what they show.

Personas: `coordinator` and `iat` edit Kazakhstan (KAZ), `rc` and `viewer` read it, `outsider` is
a member of Demoland and must not learn KAZ exists, `reviewer` reviews KAZ's region from outside
the team, `admin_user` administers the platform.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from parity.models import StaffingCount, StaffingSnapshot
from parity.tables import TEMPLATE_COLUMNS
from tests.parity.conftest import TWELVE_ENTITIES, csv_upload, import_rows

URL = "/parity/teams/KAZ/2022/"
# The template's header for an English user; the import reads it in any language, or the keys.
ENGLISH_HEADER = ["Entity", "Grade", "Women", "Men", "Not disclosed"]
GRID_URL = "/parity/teams/KAZ/2022/grid/?entity=UNDP"


def upload_data(upload, **extra):
    return {
        "file": upload,
        "as_of": "2022-12-31",
        "source": "HR focal points of 12 agencies",
        "include_non_staff": "on",
        **extra,
    }


def test_team_page_requires_login(client, team):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_team_page_outsider_gets_404_for_reading_and_writing(client, outsider, twelve):
    client.force_login(outsider)

    assert client.get(URL).status_code == 404
    assert client.post(URL, upload_data(csv_upload(TWELVE_ENTITIES))).status_code == 404
    assert client.get(GRID_URL).status_code == 404
    assert client.get(URL + "template.csv").status_code == 404


@pytest.mark.parametrize("persona", ["viewer", "rc"])
def test_team_page_readers_see_it_and_get_403_on_upload(client, request, twelve, persona):
    client.force_login(request.getfixturevalue(persona))
    counts_before = StaffingCount.objects.count()

    page = client.get(URL)
    upload = client.post(URL, upload_data(csv_upload([["UNDP", "P-4", 9, 9]])))
    grid = client.get(GRID_URL)

    assert page.status_code == 200
    assert b'data-testid="parity-status-table"' in page.content
    assert b'data-testid="upload-form"' not in page.content
    assert (upload.status_code, grid.status_code) == (403, 403)
    assert StaffingCount.objects.count() == counts_before


@pytest.mark.parametrize("persona", ["coordinator", "iat"])
def test_team_page_editors_upload_the_twelve_entities(client, request, team, entities, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(URL, upload_data(csv_upload(TWELVE_ENTITIES)), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Imported 28 rows for 12 entities." in response.content.decode()
    snapshot = StaffingSnapshot.objects.get(country_team=team, year=2022)
    assert (snapshot.source, snapshot.include_non_staff) == ("HR focal points of 12 agencies", True)
    assert snapshot.updated_by == request.getfixturevalue(persona)
    html = response.content.decode()
    assert 'data-testid="headline-pct">56.7 %</span>' in html
    assert html.count('data-testid="parity-bar"') == 7 + 13  # categories chart + grades chart


def test_team_page_bad_upload_lists_every_error_and_keeps_the_figures(client, coordinator, twelve):
    client.force_login(coordinator)
    bad = csv_upload([["UNDP", "P-4", 9, 9], ["UNDP", "P-6", 1, 1], ["UNDPP", "G-5", -1, 1]])

    response = client.post(URL, upload_data(bad))

    assert response.status_code == 400
    html = response.content.decode()
    assert "The file has 3 problems; nothing was saved." in html
    assert "<li>Row 3: unknown grade &#x27;P-6&#x27;</li>" in html
    assert "<li>Row 4: unknown entity &#x27;UNDPP&#x27;</li>" in html
    assert "<li>Row 4: women must be a whole number ≥ 0</li>" in html
    assert StaffingCount.objects.filter(snapshot=twelve).count() == 28
    assert 'data-testid="headline-pct">56.7 %</span>' in html  # the saved figures still show


def test_team_page_upload_without_a_file_is_a_form_error(client, coordinator, twelve):
    client.force_login(coordinator)

    response = client.post(URL, upload_data(""))

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_team_page_without_figures_offers_the_upload(client, coordinator, team):
    client.force_login(coordinator)

    html = client.get("/parity/teams/KAZ/2023/").content.decode()

    assert "No staffing figures for 2023 yet." in html
    assert 'data-testid="upload-form"' in html
    assert 'value="2023-12-31"' in html  # as-of date offered


def test_team_page_absurd_year_is_404(client, coordinator, team):
    client.force_login(coordinator)

    assert client.get("/parity/teams/KAZ/1066/").status_code == 404


def test_team_page_members_see_small_cells_outsiders_do_not(client, viewer, reviewer, twelve):
    client.force_login(viewer)
    member_html = client.get(URL).content.decode()
    client.force_login(reviewer)
    reviewer_response = client.get(URL)
    reviewer_html = reviewer_response.content.decode()

    assert 'data-testid="small-cell"' not in member_html
    assert 'data-testid="parity-entity-table"' in member_html
    assert reviewer_response.status_code == 200
    assert reviewer_html.count('data-testid="small-cell"') == 9
    assert reviewer_html.count("Fewer than 5 people: not shown</td>") == 6
    assert (
        reviewer_html.count("Not shown: it would reveal a level of fewer than 5 people</td>") == 3
    )
    assert 'data-testid="small-cells-note"' in reviewer_html
    assert 'data-testid="parity-entity-table"' not in reviewer_html
    assert 'data-testid="upload-form"' not in reviewer_html


def test_team_page_reviewer_and_admin_cannot_see_template_figures(
    client, reviewer, coordinator, admin_user, twelve
):
    def rows(user):
        client.force_login(user)
        response = client.get(URL + "template.csv")
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert len(rows(coordinator)) == 1 + 28
    assert rows(reviewer) == [ENGLISH_HEADER]
    assert rows(admin_user) == [ENGLISH_HEADER]


def test_team_page_reviewer_cannot_upload(client, reviewer, twelve):
    client.force_login(reviewer)

    assert client.post(URL, upload_data(csv_upload([["UNDP", "P-4", 9, 9]]))).status_code == 403


def test_template_xlsx_reimports_to_the_same_figures(client, coordinator, team, twelve):
    client.force_login(coordinator)

    response = client.get(URL + "template.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="parity-KAZ-2022.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Staffing", "Grades", "Entities", "How to"]
    rows = list(workbook["Staffing"].iter_rows(values_only=True))
    assert list(rows[0]) == ENGLISH_HEADER
    assert rows[1] == ("FAO", "NO-A", 1, 1, 0)
    assert len(rows) == 29
    assert workbook["Grades"]["A2"].value == "USG"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_downloaded_in_french_reimports_for_an_english_user(
    client, coordinator, team, twelve, fmt
):
    client.force_login(coordinator)
    response = client.get(URL + f"template.{fmt}", HTTP_ACCEPT_LANGUAGE="fr")
    if fmt == "csv":
        assert response.content.startswith("\ufeff".encode())  # for Excel: the header is French
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        workbook = load_workbook(io.BytesIO(response.content))
        header = [cell.value for cell in workbook["Staffing"][1]]
        assert [cell.value for cell in workbook["Entities"][1]] == ["Sigle", "Nom"]
    with translation.override("fr"):
        assert header == TEMPLATE_COLUMNS.header()
    assert header[:2] == ["Entité", "Classe"]  # French already: not the English header
    before = sorted(StaffingCount.objects.values_list("entity__acronym", "grade", "women", "men"))
    StaffingCount.objects.all().delete()

    upload = SimpleUploadedFile(f"staffing.{fmt}", response.content)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    saved = client.post(URL, upload_data(upload))

    assert saved.status_code == 302
    after = sorted(StaffingCount.objects.values_list("entity__acronym", "grade", "women", "men"))
    assert after == before


def test_template_unknown_format_is_404(client, coordinator, twelve):
    client.force_login(coordinator)

    assert client.get(URL + "template.pdf").status_code == 404


def test_grid_coordinator_saves_an_entity(client, coordinator, team, entities):
    client.force_login(coordinator)
    data = {
        "as_of": "2022-12-31",
        "source": "UNDP HR",
        "include_non_staff": "on",
        "women_p4": "2",
        "men_p4": "1",
        "women_sc": "10",
        "men_sc": "",
    }

    response = client.post(GRID_URL, data)

    assert response.status_code == 302
    assert response["Location"] == URL
    stored = sorted(StaffingCount.objects.values_list("entity__acronym", "grade", "women", "men"))
    assert stored == [("UNDP", "P-4", 2, 1), ("UNDP", "SC", 10, 0)]


def test_grid_bad_cells_are_marked_and_nothing_saved(client, coordinator, twelve):
    client.force_login(coordinator)
    data = {"as_of": "2022-12-31", "source": "UNDP HR", "women_p4": "-2", "men_g5": "two"}

    response = client.post(GRID_URL, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("is-invalid") == 2
    assert "P-4: women must be a whole number ≥ 0" in html
    assert "G-5: men must be a whole number ≥ 0" in html
    undp = StaffingCount.objects.filter(snapshot=twelve, entity__acronym="UNDP")
    assert sorted(undp.values_list("grade", "women", "men")) == [
        ("D-1", 0, 1),
        ("G-5", 8, 2),
        ("NO-B", 6, 4),
        ("P-4", 2, 2),
        ("SC", 10, 10),
    ]


def test_grid_shows_the_entity_figures(client, coordinator, twelve):
    client.force_login(coordinator)

    html = client.get(GRID_URL).content.decode()

    assert 'name="women_nob" id="id_women_nob" value="6"' in html
    assert 'name="men_d1" id="id_men_d1" value="1"' in html
    assert 'name="women_d1" id="id_women_d1" value=""' in html


def test_grid_unknown_entity_is_404(client, coordinator, team):
    client.force_login(coordinator)

    assert client.get("/parity/teams/KAZ/2022/grid/?entity=NOPE").status_code == 404


def test_global_view_is_for_administrators_and_reviewers(
    client, viewer, coordinator, reviewer, admin_user, twelve
):
    def status(user):
        client.force_login(user)
        return client.get("/parity/global/").status_code

    assert (status(viewer), status(coordinator)) == (403, 403)
    assert (status(reviewer), status(admin_user)) == (200, 200)


def test_index_lists_the_users_teams_and_years(client, viewer, twelve):
    client.force_login(viewer)

    html = client.get("/parity/").content.decode()

    assert 'href="/parity/teams/KAZ/2022/"' in html
    assert 'data-testid="global-link"' not in html


def test_index_open_year_goes_to_the_team_page(client, coordinator, team):
    client.force_login(coordinator)

    response = client.get("/parity/?team=KAZ&year=2024")

    assert response.status_code == 302
    assert response["Location"] == "/parity/teams/KAZ/2024/"


def test_import_rows_helper_creates_what_the_page_shows(client, viewer, team, entities):
    """The page reads what the service wrote, including a year without non-staff."""
    import_rows(team, 2021, [["UNDP", "G-5", 3, 7]], include_non_staff=False)
    client.force_login(viewer)

    html = client.get("/parity/teams/KAZ/2021/").content.decode()

    assert 'data-testid="headline-pct">30.0 %</span>' in html
    assert 'data-status="women_under"' in html
