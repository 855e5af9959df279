"""The pages through Django's test client: filing and editing a commitment, reporting progress,
the messages the user sees for every rule, and the links to the scorecard."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from commitments import selectors, services
from commitments.forms import CommitmentForm
from commitments.models import Commitment, ProgressReport
from core.models import Membership
from tests.commitments.factories import CommitmentFactory
from tests.factories import MembershipFactory

THIS_YEAR = timezone.now().year


def form_data(**overrides) -> dict:
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
        "impact": "on",
        "smart": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_editor_files_a_commitment(client, gov_editor, kazakhstan):
    client.force_login(gov_editor)
    page = client.get("/commitments/new/").content.decode()
    assert f'<option value="{kazakhstan.pk}" selected>Government of Kazakhstan</option>' in page
    response = client.post("/commitments/new/", {"maker": kazakhstan.pk, **form_data()})
    commitment = Commitment.objects.get()
    assert response["Location"] == f"/commitments/{commitment.pk}/"
    assert (commitment.maker, commitment.amount, commitment.currency, commitment.types) == (
        kazakhstan,
        Decimal("250000.00"),
        "KZT",
        ["financial"],
    )
    assert (commitment.impact, commitment.smart, commitment.funding) == (True, True, False)
    assert commitment.created_by == gov_editor
    page = client.get(response["Location"]).content.decode()
    assert "Commitment filed." in page
    assert "KZT 250,000.00" in page


RULE_CASES = [
    (
        {"amount": None, "currency": None},
        "A financial commitment needs an amount and a currency.",
    ),
    (
        {"types": ["advocacy"]},
        "Only a financial commitment has an amount: tick Financial, or leave the amount and the "
        "currency empty.",
    ),
    ({"amount": "0"}, "The amount must be greater than zero."),
    ({"coalitions": None}, "Choose at least one Action Coalition or WPS-HA Compact area."),
    (
        {"start_year": 2021, "end_year": 2026},
        "A commitment runs for at least 1 and at most 5 years: the end year can be 2025 at the "
        "latest.",
    ),
    ({"start_year": 2025, "end_year": 2024}, "The end year cannot be before the start year."),
]


@pytest.mark.parametrize(("overrides", "message"), RULE_CASES)
def test_the_form_shows_each_rule_message(client, gov_editor, kazakhstan, overrides, message):
    client.force_login(gov_editor)
    response = client.post("/commitments/new/", {"maker": kazakhstan.pk, **form_data(**overrides)})
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert Commitment.objects.count() == 0


def test_the_form_shows_the_leader_rule(client, leader, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/commitments/new/",
        {"maker": leader.pk, **form_data(coalitions=["gbv"], end_year=THIS_YEAR + 2)},
    )
    assert response.status_code == 400
    assert (
        escape(
            "Northwind Foundation leads the Gender-Based Violence Action Coalition: a leader's "
            f"commitment to the coalition it leads runs 5 years, so the end year must be "
            f"{THIS_YEAR + 4}."
        )
        in response.content.decode()
    )


def test_the_form_shows_parse_and_rule_errors_together(client, gov_editor, kazakhstan):
    client.force_login(gov_editor)
    response = client.post(
        "/commitments/new/", {"maker": kazakhstan.pk, **form_data(title="", coalitions=None)}
    )
    html = response.content.decode()
    assert "This field is required." in html
    assert "Choose at least one Action Coalition or WPS-HA Compact area." in html


def test_editor_edits_a_commitment(client, gov_editor, kazakhstan, reference):
    commitment = CommitmentFactory(maker=kazakhstan, coalitions=[reference["gbv"]])
    client.force_login(gov_editor)
    page = client.get(f"/commitments/{commitment.pk}/edit/").content.decode()
    assert re.search(r'name="coalitions" value="gbv"\s+id="id_coalitions_0" checked>', page)
    response = client.post(
        f"/commitments/{commitment.pk}/edit/",
        form_data(title="Renamed", coalitions=["gbv", "ejr"], status="completed"),
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status, commitment.updated_by) == (
        "Renamed",
        "completed",
        gov_editor,
    )
    assert sorted(c.code for c in commitment.coalitions.all()) == ["ejr", "gbv"]


def test_editor_files_and_edits_a_progress_report(client, gov_editor, kazakhstan, reference):
    commitment = CommitmentFactory(
        maker=kazakhstan,
        coalitions=[reference["ejr"]],
        types=["financial"],
        amount=Decimal("100"),
        currency="USD",
        start_year=THIS_YEAR - 1,
        end_year=THIS_YEAR,
    )
    client.force_login(gov_editor)
    page = client.get(f"/commitments/{commitment.pk}/progress/").content.decode()
    assert f'name="year" value="{THIS_YEAR}"' in page
    assert '<option value="USD" selected>' in page
    response = client.post(
        f"/commitments/{commitment.pk}/progress/",
        {"year": THIS_YEAR, "progress_status": "in_progress", "narrative": "Half done.",
         "amount_disbursed": "40", "currency": "USD"},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert f"Progress report for {THIS_YEAR} filed." in html
    assert "Half done." in html
    report = ProgressReport.objects.get()
    assert (report.amount_disbursed, report.reported_by) == (Decimal("40.00"), gov_editor)

    response = client.post(
        f"/commitments/{commitment.pk}/progress/",
        {"year": THIS_YEAR, "progress_status": "completed"},
    )
    assert response.status_code == 400
    assert (
        f"A progress report for {THIS_YEAR} exists already: edit it instead."
        in response.content.decode()
    )
    response = client.post(
        f"/commitments/progress/{report.pk}/edit/",
        {"year": THIS_YEAR, "progress_status": "completed", "narrative": "Done."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.progress_status, report.narrative, report.amount_disbursed) == (
        "completed",
        "Done.",
        None,
    )


def test_detail_page_says_a_report_is_missing_to_editors_only(
    client, gov_editor, kazakhstan, reference
):
    commitment = CommitmentFactory(
        maker=kazakhstan, coalitions=[reference["ejr"]], start_year=THIS_YEAR, end_year=THIS_YEAR
    )
    assert (
        'data-testid="report-due"'
        not in client.get(f"/commitments/{commitment.pk}/").content.decode()
    )
    client.force_login(gov_editor)
    html = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert f"The progress report for {THIS_YEAR} is missing." in html


def test_my_commitments_lists_missing_reports(client, gov_editor, kazakhstan, reference):
    CommitmentFactory(
        maker=kazakhstan,
        title="Due",
        coalitions=[reference["ejr"]],
        start_year=THIS_YEAR - 1,
        end_year=THIS_YEAR,
    )
    client.force_login(gov_editor)
    html = client.get("/commitments/mine/").content.decode()
    assert f"1 commitment has no progress report for {THIS_YEAR - 1} yet:" in html
    assert f"1 commitment has no progress report for {THIS_YEAR} yet:" in html


# --- Links to the scorecard -----------------------------------------------------------------


@pytest.fixture
def linked(kaz_2022, team, kazakhstan, reference):
    row = kaz_2022.indicator_assessments.get(indicator__code="7.1")
    return services.create_commitment(
        maker=kazakhstan,
        data=services.CommitmentInput(
            title="GBV commitments",
            start_year=2021,
            end_year=2025,
            coalitions=[reference["gbv"]],
            country_team=team,
            indicator_assessment=row,
        ),
        by=None,
    )


def test_pi_link_is_shown_to_the_country_team_only(client, linked, iat, gov_editor, outsider):
    link = "Evidence for PI 7.1 GEWE Results (2022)"
    assert link not in client.get(f"/commitments/{linked.pk}/").content.decode()
    for user, shown in ((iat, True), (gov_editor, False), (outsider, False)):
        client.force_login(user)
        html = client.get(f"/commitments/{linked.pk}/").content.decode()
        assert (link in html) is shown, user
        assert "/teams/KAZ/2022/pi/7.1/" in html if shown else "/teams/KAZ/" not in html


def test_form_offers_only_pi_ratings_the_user_can_see(kaz_2022, kazakhstan, iat, other_team):
    from scorecard import services as scorecard_services

    scorecard_services.create_comprehensive_assessment(country_team=other_team, year=2022, by=iat)
    form = CommitmentForm(user=iat)
    teams = {
        row.assessment.country_team.code for row in form.fields["indicator_assessment"].queryset
    }
    assert teams == {"KAZ"}
    assert [t.code for t in form.fields["country_team"].queryset] == ["KAZ"]
    labels = [label for _value, label in form.fields["indicator_assessment"].choices]
    assert "Kazakhstan 2022 · PI 7.1 GEWE Results" in labels


def test_a_kaz_member_editor_links_a_commitment_to_pi_7_1(client, kaz_2022, team, kazakhstan, iat):
    from commitments.models import MakerMembership
    from tests.commitments.factories import MakerMembershipFactory

    MakerMembershipFactory(user=iat, maker=kazakhstan, role=MakerMembership.Role.EDITOR)
    row = kaz_2022.indicator_assessments.get(indicator__code="7.1")
    client.force_login(iat)
    response = client.post(
        "/commitments/new/",
        {"maker": kazakhstan.pk, **form_data(country_team=team.pk, indicator_assessment=row.pk)},
    )
    assert response.status_code == 302
    assert Commitment.objects.get().indicator_assessment == row


def test_pi_panel_lists_commitments_linked_to_the_rating_or_its_action_points(
    linked, kaz_2022, team, kazakhstan, reference, django_assert_num_queries
):
    row = kaz_2022.indicator_assessments.get(indicator__code="7.1")
    point = kaz_2022.action_points.filter(indicator__code="7.1").first()
    via_point = CommitmentFactory(
        maker=kazakhstan, title="Via the action point", country_team=team, action_point=point,
        coalitions=[reference["ejr"]],
    )  # fmt: skip
    CommitmentFactory(maker=kazakhstan, title="Not linked", coalitions=[reference["ejr"]])
    other_row = kaz_2022.indicator_assessments.get(indicator__code="2.2")
    CommitmentFactory(maker=kazakhstan, title="Other PI", indicator_assessment=other_row)
    with django_assert_num_queries(3):
        found = selectors.commitments_for_indicator_assessment(row)
    assert [c.title for c in found] == ["GBV commitments", via_point.title]
    html = render_to_string("commitments/_pi_panel.html", {"linked_commitments": found})
    assert "GBV commitments" in html
    assert "Via the action point" in html
    assert "Gender-Based Violence" in html
    empty = render_to_string("commitments/_pi_panel.html", {"linked_commitments": []})
    assert "No Generation Equality commitment is linked to this PI rating." in empty


def test_membership_roles_from_core_do_not_grant_commitment_editing(client, team, kazakhstan):
    from tests.factories import UserFactory

    coordinator = UserFactory(username="kaz-coordinator-2")
    MembershipFactory(user=coordinator, country_team=team, role=Membership.Role.IAT_COORDINATOR)
    client.force_login(coordinator)
    assert client.get("/commitments/new/").status_code == 403
