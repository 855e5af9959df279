"""The rules of a commitment (commitments/services.py), each with the exact message the user sees.

Messages are written out here, not imported, so a change of wording is a visible test change.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from commitments import services
from commitments.models import Commitment, CommitmentType
from commitments.services import CommitmentInput
from scorecard import services as scorecard_services
from scorecard.models import IndicatorAssessment

LEADER_MESSAGE = (
    "Northwind Foundation leads the Gender-Based Violence Action Coalition: a leader's "
    "commitment to the coalition it leads runs 5 years, so the end year must be %s."
)
MAX_MESSAGE = (
    "A commitment runs for at least 1 and at most 5 years: the end year can be %s at the latest."
)
ORDER_MESSAGE = "The end year cannot be before the start year."
FINANCIAL_MESSAGE = "A financial commitment needs an amount and a currency."
POSITIVE_MESSAGE = "The amount must be greater than zero."
NOT_FINANCIAL_MESSAGE = (
    "Only a financial commitment has an amount: tick Financial, or leave the amount and the "
    "currency empty."
)
COALITION_MESSAGE = "Choose at least one Action Coalition or WPS-HA Compact area."
TEAM_MESSAGE = "Choose the country team whose PI rating or action point this commitment supports."
MEMBER_MESSAGE = "You can only link to a country team you are a member of."


def data(reference, **overrides) -> CommitmentInput:
    values = {
        "title": "Shelters in every region",
        "start_year": 2024,
        "end_year": 2025,
        "coalitions": [reference["ejr"]],
        "types": [CommitmentType.POLICY],
    }
    values.update(overrides)
    return CommitmentInput(**values)


def errors_of(maker, payload: CommitmentInput, by=None) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        services.create_commitment(maker=maker, data=payload, by=by)
    assert Commitment.objects.count() == 0  # nothing written
    return raised.value.message_dict


# --- Duration -------------------------------------------------------------------------------


@pytest.mark.parametrize("end_year", [2022, 2024, 2027])
def test_leader_commitment_to_the_coalition_it_leads_must_run_5_years(reference, leader, end_year):
    payload = data(reference, coalitions=[reference["gbv"]], start_year=2022, end_year=end_year)
    assert errors_of(leader, payload) == {"end_year": [LEADER_MESSAGE % 2026]}


def test_leader_commitment_of_5_years_is_accepted(reference, leader):
    payload = data(reference, coalitions=[reference["gbv"]], start_year=2022, end_year=2026)
    commitment = services.create_commitment(maker=leader, data=payload, by=None)
    assert commitment.duration_years == 5


def test_leader_commitment_to_another_coalition_may_be_shorter(reference, leader):
    payload = data(reference, coalitions=[reference["ejr"]], start_year=2024, end_year=2024)
    assert services.create_commitment(maker=leader, data=payload, by=None).duration_years == 1


def test_leader_commitment_to_another_coalition_runs_at_most_5_years(reference, leader):
    payload = data(reference, coalitions=[reference["ejr"]], start_year=2024, end_year=2029)
    assert errors_of(leader, payload) == {"end_year": [MAX_MESSAGE % 2028]}


def test_leader_commitment_to_led_and_other_coalitions_runs_5_years(reference, leader):
    payload = data(
        reference,
        coalitions=[reference["ejr"], reference["gbv"]],
        start_year=2023,
        end_year=2024,
    )
    assert errors_of(leader, payload) == {"end_year": [LEADER_MESSAGE % 2027]}


@pytest.mark.parametrize(("start", "end"), [(2024, 2024), (2024, 2026), (2024, 2028)])
def test_other_commitments_run_1_to_5_years(reference, kazakhstan, start, end):
    payload = data(reference, start_year=start, end_year=end)
    commitment = services.create_commitment(maker=kazakhstan, data=payload, by=None)
    assert commitment.duration_years == end - start + 1


def test_other_commitments_run_at_most_5_years(reference, kazakhstan):
    payload = data(reference, start_year=2021, end_year=2026)
    assert errors_of(kazakhstan, payload) == {"end_year": [MAX_MESSAGE % 2025]}


def test_end_year_cannot_be_before_start_year(reference, kazakhstan):
    payload = data(reference, start_year=2025, end_year=2024)
    assert errors_of(kazakhstan, payload) == {"end_year": [ORDER_MESSAGE]}


def test_years_are_required_and_plausible(reference, kazakhstan):
    payload = data(reference, start_year=None, end_year=1999)
    assert errors_of(kazakhstan, payload) == {
        "start_year": ["Enter the year the commitment starts."],
        "end_year": ["Enter a year between 2000 and 2100."],
    }
    payload = data(reference, start_year=2024, end_year=None)
    assert errors_of(kazakhstan, payload) == {"end_year": ["Enter the year the commitment ends."]}


# --- Money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(None, ""), (Decimal("1000"), ""), (None, "USD")],
    ids=["neither", "no currency", "no amount"],
)
def test_financial_commitment_needs_amount_and_currency(reference, kazakhstan, amount, currency):
    payload = data(reference, types=["financial"], amount=amount, currency=currency)
    assert errors_of(kazakhstan, payload) == {"amount": [FINANCIAL_MESSAGE]}


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_financial_amount_must_be_positive(reference, kazakhstan, amount):
    payload = data(reference, types=["financial"], amount=amount, currency="USD")
    assert errors_of(kazakhstan, payload) == {"amount": [POSITIVE_MESSAGE]}


def test_financial_commitment_with_amount_and_currency_is_accepted(reference, kazakhstan):
    payload = data(
        reference, types=["financial", "policy"], amount=Decimal("250000"), currency="kzt"
    )
    commitment = services.create_commitment(maker=kazakhstan, data=payload, by=None)
    commitment.refresh_from_db()
    assert (commitment.amount, commitment.currency) == (Decimal("250000.00"), "KZT")
    assert commitment.types == ["financial", "policy"]


def test_only_a_financial_commitment_has_an_amount(reference, kazakhstan):
    payload = data(reference, types=["policy"], amount=Decimal("10"), currency="USD")
    assert errors_of(kazakhstan, payload) == {"amount": [NOT_FINANCIAL_MESSAGE]}


def test_currency_must_be_iso_4217(reference, kazakhstan):
    payload = data(reference, types=["financial"], amount=Decimal("10"), currency="XYZ")
    assert errors_of(kazakhstan, payload) == {
        "currency": ["XYZ is not an ISO 4217 currency code such as USD, EUR or KZT."]
    }


def test_amount_has_at_most_two_decimals(reference, kazakhstan):
    payload = data(reference, types=["financial"], amount=Decimal("10.125"), currency="USD")
    assert errors_of(kazakhstan, payload) == {
        "amount": ["Give the amount with at most 2 decimals."]
    }


# --- Coalitions and areas -------------------------------------------------------------------


def test_at_least_one_coalition_or_compact_area(reference, kazakhstan):
    payload = data(reference, coalitions=[], compact_areas=[])
    assert errors_of(kazakhstan, payload) == {"coalitions": [COALITION_MESSAGE]}


def test_a_compact_area_alone_is_enough(reference, kazakhstan):
    payload = data(reference, coalitions=[], compact_areas=[reference["B"], reference["E"]])
    commitment = services.create_commitment(maker=kazakhstan, data=payload, by=None)
    assert [a.letter for a in commitment.compact_areas.all()] == ["B", "E"]


def test_title_is_required(reference, kazakhstan):
    assert errors_of(kazakhstan, data(reference, title="  ")) == {
        "title": ["Give the commitment a title."]
    }


def test_every_problem_is_reported_at_once(reference, leader):
    payload = data(
        reference,
        title="",
        coalitions=[],
        types=["advocacy"],
        start_year=2020,
        end_year=2026,
        amount=Decimal("5"),
        currency="ABC",
    )
    assert errors_of(leader, payload) == {
        "title": ["Give the commitment a title."],
        "coalitions": [COALITION_MESSAGE],
        "end_year": [MAX_MESSAGE % 2024],
        "amount": [NOT_FINANCIAL_MESSAGE],
        "currency": ["ABC is not an ISO 4217 currency code such as USD, EUR or KZT."],
    }


# --- Strong commitment ----------------------------------------------------------------------


def test_strong_only_when_all_five_criteria_hold(reference, kazakhstan):
    criteria = {"impact": True, "funding": True, "endorsement": True, "collective": True}
    weak = services.create_commitment(
        maker=kazakhstan, data=data(reference, title="Four of five", **criteria), by=None
    )
    strong = services.create_commitment(
        maker=kazakhstan, data=data(reference, title="All five", smart=True, **criteria), by=None
    )
    assert (weak.is_strong, strong.is_strong) == (False, True)
    assert [holds for _name, _label, holds in weak.criteria] == [True, True, True, True, False]


# --- Links to the scorecard -----------------------------------------------------------------


@pytest.fixture
def kaz_row(kaz_2022) -> IndicatorAssessment:
    return kaz_2022.indicator_assessments.get(indicator__code="7.1")


@pytest.fixture
def xdl_assessment(framework, other_team, admin_user):
    return scorecard_services.create_comprehensive_assessment(
        country_team=other_team, year=2022, by=admin_user
    )


def test_link_to_pi_rating_needs_a_country_team(reference, kazakhstan, kaz_row):
    payload = data(reference, indicator_assessment=kaz_row)
    assert errors_of(kazakhstan, payload) == {"country_team": [TEAM_MESSAGE]}


def test_link_to_action_point_needs_a_country_team(reference, kazakhstan, kaz_2022):
    point = kaz_2022.action_points.first()
    assert errors_of(kazakhstan, data(reference, action_point=point)) == {
        "country_team": [TEAM_MESSAGE]
    }


def test_pi_rating_and_action_point_must_belong_to_the_team(
    reference, kazakhstan, kaz_row, kaz_2022, other_team, xdl_assessment
):
    payload = data(
        reference,
        country_team=other_team,
        indicator_assessment=kaz_row,
        action_point=kaz_2022.action_points.first(),
    )
    assert errors_of(kazakhstan, payload) == {
        "indicator_assessment": [
            "This PI rating belongs to another country team's assessment, not Demoland's."
        ],
        "action_point": [
            "This action point belongs to another country team's action plan, not Demoland's."
        ],
    }


def test_link_to_pi_7_1_by_a_team_member_is_saved(reference, kazakhstan, kaz_row, team, iat):
    payload = data(reference, country_team=team, indicator_assessment=kaz_row)
    commitment = services.create_commitment(maker=kazakhstan, data=payload, by=iat)
    assert commitment.indicator_assessment == kaz_row


def test_a_user_links_only_to_teams_they_belong_to(reference, kazakhstan, kaz_row, team, outsider):
    payload = data(reference, country_team=team, indicator_assessment=kaz_row)
    assert errors_of(kazakhstan, payload, by=outsider) == {
        "country_team": [MEMBER_MESSAGE],
        "indicator_assessment": [MEMBER_MESSAGE],
    }


def test_an_editor_keeps_a_link_made_by_someone_else(
    reference, kazakhstan, kaz_row, team, gov_editor
):
    linked = services.create_commitment(
        maker=kazakhstan,
        data=data(reference, country_team=team, indicator_assessment=kaz_row),
        by=None,
    )
    payload = data(
        reference, title="Renamed", country_team=team, indicator_assessment=kaz_row, end_year=2026
    )
    services.update_commitment(commitment=linked, data=payload, by=gov_editor)
    linked.refresh_from_db()
    assert (linked.title, linked.end_year, linked.indicator_assessment) == (
        "Renamed",
        2026,
        kaz_row,
    )
    assert linked.updated_by == gov_editor


def test_update_applies_the_same_rules(reference, kazakhstan, gov_editor):
    commitment = services.create_commitment(maker=kazakhstan, data=data(reference), by=None)
    with pytest.raises(ValidationError) as raised:
        services.update_commitment(
            commitment=commitment, data=data(reference, types=["financial"]), by=gov_editor
        )
    assert raised.value.message_dict == {"amount": [FINANCIAL_MESSAGE]}
    commitment.refresh_from_db()
    assert commitment.types == ["policy"]


# --- Makers ---------------------------------------------------------------------------------


def test_create_maker_rules(reference, kazakhstan):
    with pytest.raises(ValidationError) as raised:
        services.create_maker(name="government of  KAZAKHSTAN", category="club", country_code="ZZZ")
    assert raised.value.message_dict == {
        "name": ["A commitment maker called government of KAZAKHSTAN exists already."],
        "category": ["Choose a category from the list."],
        "country_code": ["Unknown country “ZZZ”: use an ISO 3166-1 alpha-3 code such as KAZ."],
    }
    maker = services.create_maker(
        name="Ministry of Finance of Uzbekistan",
        category="member_state",
        country_code="uzb",
        leads=[reference["ejr"]],
    )
    assert (maker.country_code, maker.country_name) == ("UZB", "Uzbekistan")
    assert [c.code for c in maker.leads.all()] == ["ejr"]
