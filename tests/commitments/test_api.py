"""Generation Equality commitments through the API: public reading for every logged-in user
(the API as a whole needs a login), the scorecard link shown only to who may see the country
team, writes for the maker's editors and administrators only (403 for anyone else), the services'
rules as field errors with nothing written, and lists that cost the same whatever their length.

Personas: `gov_editor` edits the Government of Kazakhstan's commitments, `gov_viewer` has a
viewer role there, `other_editor` edits another maker's, `stranger` has no role; `iat` is a
member of the KAZ country team, `outsider` of Demoland.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from commitments import services
from commitments.models import Commitment, MakerMembership, ProgressReport
from scorecard.models import IndicatorAssessment
from tests.commitments.factories import CommitmentFactory, CommitmentMakerFactory
from tests.factories import UserFactory

API = "/api/v1/commitments"
THIS_YEAR = timezone.now().year


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(**changes) -> dict:
    data = {
        "title": "Economic empowerment of rural women",
        "description": "Grants and training.",
        "coalitions": ["ejr"],
        "types": ["financial"],
        "start_year": THIS_YEAR,
        "end_year": THIS_YEAR + 1,
        "amount": "250000",
        "currency": "KZT",
        "geography": "Kazakhstan",
        "status": "in_progress",
        "impact": True,
        "smart": True,
    }
    return {**data, **changes}


@pytest.fixture
def commitment(kazakhstan, reference):
    return CommitmentFactory(
        maker=kazakhstan,
        title="End violence against women",
        start_year=THIS_YEAR - 1,
        end_year=THIS_YEAR + 1,
        coalitions=[reference["gbv"]],
    )


@pytest.fixture
def report(commitment):
    return ProgressReport.objects.create(
        commitment=commitment,
        year=THIS_YEAR - 1,
        progress_status=ProgressReport.ProgressStatus.IN_PROGRESS,
        narrative="Shelters opened.",
        reported_at=timezone.now(),
    )


def state(commitment: Commitment) -> tuple:
    commitment.refresh_from_db()
    return (
        commitment.title,
        commitment.status,
        commitment.end_year,
        commitment.updated_at,
        sorted(c.code for c in commitment.coalitions.all()),
    )


# --- Anonymous ----------------------------------------------------------------------------------


def test_anonymous_callers_get_401(commitment, report, kazakhstan):
    anonymous = APIClient()
    before = state(commitment)

    responses = [
        anonymous.get(f"{API}/"),
        anonymous.get(f"{API}/{commitment.pk}/"),
        anonymous.get(f"{API}/makers/"),
        anonymous.get(f"{API}/makers/{kazakhstan.pk}/"),
        anonymous.get(f"{API}/progress-reports/"),
        anonymous.post(f"{API}/", {"maker": kazakhstan.pk, **payload()}, format="json"),
        anonymous.put(f"{API}/{commitment.pk}/", payload(), format="json"),
        anonymous.post(
            f"{API}/progress-reports/",
            {"commitment": commitment.pk, "year": THIS_YEAR, "progress_status": "completed"},
            format="json",
        ),
    ]

    assert [r.status_code for r in responses] == [401] * 8
    assert all("detail" in r.json() for r in responses)
    assert state(commitment) == before
    assert (Commitment.objects.count(), ProgressReport.objects.count()) == (1, 1)


# --- Reading ------------------------------------------------------------------------------------


def test_every_logged_in_user_reads_commitments_makers_and_reports(
    stranger, commitment, report, kazakhstan, other_maker
):
    client = client_for(stranger)

    commitments = client.get(f"{API}/").json()["results"]
    detail = client.get(f"{API}/{commitment.pk}/").json()
    makers = client.get(f"{API}/makers/").json()["results"]
    reports = client.get(f"{API}/progress-reports/", {"commitment": commitment.pk}).json()

    assert [c["title"] for c in commitments] == ["End violence against women"]
    assert (detail["maker_name"], detail["coalitions"], detail["can_edit"]) == (
        "Government of Kazakhstan",
        ["gbv"],
        False,
    )
    assert [m["name"] for m in makers] == ["Aurora Telecom", "Government of Kazakhstan"]
    assert [(r["year"], r["narrative"]) for r in reports["results"]] == [
        (THIS_YEAR - 1, "Shelters opened.")
    ]
    assert client.get(f"{API}/{commitment.pk + 100}/").status_code == 404
    assert client.get(f"{API}/makers/{kazakhstan.pk + 100}/").status_code == 404
    assert client.get(f"{API}/progress-reports/{report.pk + 100}/").status_code == 404


def test_the_list_takes_the_dashboards_filters(stranger, commitment, other_maker, reference):
    CommitmentFactory(maker=other_maker, title="Connectivity for girls", types=["programmatic"])
    client = client_for(stranger)

    def titles(**params) -> list[str]:
        return [c["title"] for c in client.get(f"{API}/", params).json()["results"]]

    assert titles(coalition="gbv") == ["End violence against women"]
    assert titles(type="programmatic") == ["Connectivity for girls"]
    assert titles(maker=other_maker.pk) == ["Connectivity for girls"]
    assert titles(q="girls") == ["Connectivity for girls"]
    bad = client.get(f"{API}/", {"status": "dreaming"})
    assert bad.status_code == 400
    assert "status" in bad.json()


def test_the_scorecard_link_is_shown_only_to_who_may_see_the_team(
    iat, outsider, stranger, assessment, commitment, team
):
    row = IndicatorAssessment.objects.get(assessment=assessment, indicator__code="7.1")
    Commitment.objects.filter(pk=commitment.pk).update(country_team=team, indicator_assessment=row)

    def link(user) -> tuple:
        body = client_for(user).get(f"{API}/{commitment.pk}/").json()
        return body["country_team"], body["indicator_assessment"]

    assert link(iat) == ("KAZ", row.pk)
    assert link(outsider) == ("KAZ", None)
    assert link(stranger) == ("KAZ", None)
    listed = client_for(outsider).get(f"{API}/").json()["results"]
    assert [c["indicator_assessment"] for c in listed] == [None]


# --- Writing commitments --------------------------------------------------------------------------


def test_an_editor_files_a_commitment(gov_editor, kazakhstan):
    response = client_for(gov_editor).post(
        f"{API}/", {"maker": kazakhstan.pk, **payload()}, format="json"
    )

    assert response.status_code == 201
    commitment = Commitment.objects.get()
    assert response.json()["id"] == commitment.pk
    assert response.json()["can_edit"] is True
    assert (commitment.maker, commitment.amount, commitment.currency, commitment.types) == (
        kazakhstan,
        Decimal("250000.00"),
        "KZT",
        ["financial"],
    )
    assert (commitment.impact, commitment.smart, commitment.created_by) == (True, True, gov_editor)
    assert [c.code for c in commitment.coalitions.all()] == ["ejr"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("gov_viewer", 403), ("stranger", 403), ("other_editor", 403), ("iat", 403)],
)
def test_who_may_not_file_for_the_maker_gets_403(request, persona, status, kazakhstan):
    user = request.getfixturevalue(persona)

    response = client_for(user).post(
        f"{API}/", {"maker": kazakhstan.pk, **payload()}, format="json"
    )

    assert response.status_code == status
    assert "detail" in response.json()
    assert Commitment.objects.count() == 0


def test_an_unknown_maker_is_404(gov_editor, kazakhstan):
    response = client_for(gov_editor).post(
        f"{API}/", {"maker": kazakhstan.pk + 100, **payload()}, format="json"
    )

    assert response.status_code == 404
    assert Commitment.objects.count() == 0


def test_the_rules_come_back_as_field_errors_and_nothing_is_written(gov_editor, kazakhstan):
    response = client_for(gov_editor).post(
        f"{API}/",
        {
            "maker": kazakhstan.pk,
            **payload(coalitions=[], amount=None, end_year=THIS_YEAR + 7, currency="XYZ"),
        },
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["coalitions"] == ["Choose at least one Action Coalition or WPS-HA Compact area."]
    assert body["amount"] == ["A financial commitment needs an amount and a currency."]
    assert body["end_year"] == [
        f"A commitment runs for at least 1 and at most 5 years: the end year can be "
        f"{THIS_YEAR + 4} at the latest."
    ]
    assert body["currency"] == ["XYZ is not an ISO 4217 currency code such as USD, EUR or KZT."]
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"coalitions": ["ejr", "moon"]}, "coalitions"),
        ({"compact_areas": ["Z"]}, "compact_areas"),
        ({"types": ["charity"]}, "types"),
        ({"start_year": "soon"}, "start_year"),
        ({"title": ""}, "title"),
        ({"country_team": "KAZ"}, "country_team"),  # gov_editor is no member of KAZ
    ],
)
def test_unknown_values_are_field_errors(gov_editor, kazakhstan, team, changes, field):
    response = client_for(gov_editor).post(
        f"{API}/", {"maker": kazakhstan.pk, **payload(**changes)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()[field]  # a list of messages (by position for a list field)
    assert Commitment.objects.count() == 0


def test_a_team_member_who_edits_the_maker_links_a_pi_rating(assessment, iat, kazakhstan):
    MakerMembership.objects.create(user=iat, maker=kazakhstan, role=MakerMembership.Role.EDITOR)
    row = IndicatorAssessment.objects.get(assessment=assessment, indicator__code="7.1")

    response = client_for(iat).post(
        f"{API}/",
        {"maker": kazakhstan.pk, **payload(country_team="KAZ", indicator_assessment=row.pk)},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["indicator_assessment"] == row.pk
    assert Commitment.objects.get().indicator_assessment == row


def test_an_editor_updates_a_commitment(gov_editor, commitment):
    response = client_for(gov_editor).put(
        f"{API}/{commitment.pk}/",
        payload(title="End violence, scaled up", coalitions=["gbv", "ejr"], status="completed"),
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["title"] == "End violence, scaled up"
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status, commitment.updated_by) == (
        "End violence, scaled up",
        "completed",
        gov_editor,
    )
    assert sorted(c.code for c in commitment.coalitions.all()) == ["ejr", "gbv"]


@pytest.mark.parametrize("persona", ["gov_viewer", "other_editor", "stranger"])
def test_who_may_not_edit_gets_403_and_nothing_changes(request, persona, commitment):
    before = state(commitment)

    response = client_for(request.getfixturevalue(persona)).put(
        f"{API}/{commitment.pk}/", payload(title="Hijacked"), format="json"
    )

    assert response.status_code == 403
    assert state(commitment) == before


def test_an_invalid_update_is_400_and_nothing_changes(gov_editor, commitment):
    before = state(commitment)

    response = client_for(gov_editor).put(
        f"{API}/{commitment.pk}/",
        payload(types=["policy"], amount="10", currency="USD"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["amount"] == [
        "Only a financial commitment has an amount: tick Financial, or leave the amount and "
        "the currency empty."
    ]
    assert state(commitment) == before


def test_an_administrator_may_edit_any_commitment(admin_user, commitment):
    response = client_for(admin_user).put(
        f"{API}/{commitment.pk}/", payload(title="Checked by the secretariat"), format="json"
    )

    assert response.status_code == 200
    commitment.refresh_from_db()
    assert commitment.title == "Checked by the secretariat"


# --- Progress reports ---------------------------------------------------------------------------


def test_an_editor_files_and_updates_a_progress_report(gov_editor, commitment):
    client = client_for(gov_editor)

    filed = client.post(
        f"{API}/progress-reports/",
        {
            "commitment": commitment.pk,
            "year": THIS_YEAR,
            "progress_status": "in_progress",
            "narrative": "Two more shelters.",
        },
        format="json",
    )
    assert filed.status_code == 201
    report = ProgressReport.objects.get(pk=filed.json()["id"])
    assert (report.year, report.narrative, report.reported_by) == (
        THIS_YEAR,
        "Two more shelters.",
        gov_editor,
    )

    updated = client.put(
        f"{API}/progress-reports/{report.pk}/",
        {"year": THIS_YEAR, "progress_status": "completed", "narrative": "Done."},
        format="json",
    )

    assert updated.status_code == 200
    report.refresh_from_db()
    assert (report.progress_status, report.narrative) == ("completed", "Done.")


def test_a_second_report_for_the_same_year_is_refused(gov_editor, commitment, report):
    response = client_for(gov_editor).post(
        f"{API}/progress-reports/",
        {"commitment": commitment.pk, "year": report.year, "progress_status": "completed"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["year"] == [
        f"A progress report for {report.year} exists already: edit it instead."
    ]
    assert ProgressReport.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"year": THIS_YEAR + 1}, "year"),  # not started yet
        ({"amount_disbursed": "100", "currency": "USD"}, "amount_disbursed"),  # not financial
        ({"progress_status": "stalled"}, "progress_status"),
    ],
)
def test_an_invalid_progress_report_is_400(gov_editor, commitment, changes, field):
    response = client_for(gov_editor).post(
        f"{API}/progress-reports/",
        {"commitment": commitment.pk, "year": THIS_YEAR, "progress_status": "completed", **changes},
        format="json",
    )

    assert response.status_code == 400
    assert isinstance(response.json()[field], list)
    assert ProgressReport.objects.count() == 0


@pytest.mark.parametrize("persona", ["gov_viewer", "other_editor", "stranger"])
def test_who_may_not_report_gets_403_and_nothing_changes(request, persona, commitment, report):
    client = client_for(request.getfixturevalue(persona))

    filed = client.post(
        f"{API}/progress-reports/",
        {"commitment": commitment.pk, "year": THIS_YEAR, "progress_status": "completed"},
        format="json",
    )
    updated = client.put(
        f"{API}/progress-reports/{report.pk}/",
        {"year": report.year, "progress_status": "completed", "narrative": "Hijacked"},
        format="json",
    )

    assert (filed.status_code, updated.status_code) == (403, 403)
    report.refresh_from_db()
    assert (ProgressReport.objects.count(), report.narrative) == (1, "Shelters opened.")


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/makers/", "/progress-reports/"])
def test_lists_cost_the_same_for_1_and_30_items(path, reference, django_assert_max_num_queries):
    editor = UserFactory(username="bulk-editor")

    def grow(first: int, count: int) -> None:
        for n in range(first, first + count):
            maker = CommitmentMakerFactory(name=f"Maker {n}", leads=[reference["gbv"]])
            services.set_maker_membership(user=editor, maker=maker, role="editor")
            commitment = CommitmentFactory(
                maker=maker,
                start_year=THIS_YEAR - 1,
                end_year=THIS_YEAR,
                coalitions=[reference["gbv"], reference["ejr"]],
                compact_areas=[reference["A"]],
            )
            ProgressReport.objects.create(
                commitment=commitment,
                year=THIS_YEAR - 1,
                progress_status="in_progress",
                reported_at=timezone.now(),
            )

    client = client_for(editor)
    grow(0, 1)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{API}{path}").json()["results"]) == 1
    grow(1, 29)

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{API}{path}").json()["results"]) == 30


def test_the_schema_leaves_the_dashboards_country_filter_alone(client, stranger, commitment):
    """The API's filter builds on the dashboard's; generating the schema once must not freeze
    the dashboard's country choices (they are the makers' countries, read per request)."""
    client.force_login(stranger)
    assert client.get("/api/schema/").status_code == 200

    dashboard = client.get("/commitments/", {"country": "KAZ"})
    api = client_for(stranger).get(f"{API}/", {"country": "KAZ"})

    assert dashboard.status_code == 200
    assert dashboard.context["filter"].is_valid()
    assert [c["title"] for c in api.json()["results"]] == ["End violence against women"]


# --- Languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ar", "ru"])
def test_api_errors_come_in_the_callers_language(gov_editor, kazakhstan, language):
    """Accept-Language picks the language of every message: our rules', DRF's own and the JSON
    404's; the field names and codes stay as they are."""
    client = client_for(gov_editor)

    def post(**changes):
        body = {"maker": kazakhstan.pk, **payload(**changes)}
        return client.post(f"{API}/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)

    ours, drf = post(currency="XYZ"), post(title="")
    anonymous = APIClient().get(f"{API}/", HTTP_ACCEPT_LANGUAGE=language)
    nowhere = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE=language)

    english_rule = "%(code)s is not an ISO 4217 currency code such as USD, EUR or KZT."
    with translation.override(language):
        rule = translation.gettext(english_rule)
        blank = translation.gettext("This field may not be blank.")
        no_login = translation.gettext("Authentication credentials were not provided.")
        not_found = translation.gettext("Not found.")
    assert rule != english_rule
    assert blank != "This field may not be blank."  # DRF ships its own catalogs for the six
    assert (ours.status_code, ours.json()["currency"]) == (400, [rule % {"code": "XYZ"}])
    assert (drf.status_code, drf.json()["title"]) == (400, [blank])
    assert (anonymous.status_code, anonymous.json()["detail"]) == (401, no_login)
    assert (nowhere.status_code, nowhere.json()["detail"]) == (404, not_found)
    assert Commitment.objects.count() == 0
