"""Scorecard writes (scorecard/services.py): assessments, PI ratings, completion, action plan.

Expected values are written out from the seed report (fixtures/demo/kaz-2022.json) and the 2018
rule table, never read back from the code under test.
"""

import copy
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import CountryTeam
from scorecard import services, workflow
from scorecard.models import (
    ActionPoint,
    Assessment,
    Framework,
    IATMember,
    Indicator,
    IndicatorAssessment,
)
from tests.conftest import PI_CODES, load_json
from tests.factories import UNEntityFactory

# The PIs Kazakhstan reassessed in its 2022 annual progress assessment.
REASSESSED_2022 = ["2.2", "3.2", "5.2", "6.1", "7.1"]


def rating_input(**overrides) -> services.RatingInput:
    values = {
        "rating": "",
        "criteria_met": [],
        "numeric_value": None,
        "findings": {},
        "explanation": "",
        "override_justification": "",
        "means_of_verification": "",
    }
    values.update(overrides)
    return services.RatingInput(**values)


def get_row(assessment: Assessment, code: str) -> IndicatorAssessment:
    return IndicatorAssessment.objects.select_related("indicator", "assessment").get(
        assessment=assessment, indicator__code=code
    )


def row_state(row: IndicatorAssessment) -> dict:
    """Every column of the row as stored, to prove a refused save changed nothing."""
    return IndicatorAssessment.objects.filter(pk=row.pk).values().get()


def counts() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "rows": IndicatorAssessment.objects.count(),
        "iat": IATMember.objects.count(),
        "action_points": ActionPoint.objects.count(),
    }


@pytest.fixture
def kaz_2023(kaz_2022, team, coordinator):
    return services.create_annual_assessment(country_team=team, year=2023, by=coordinator)


@pytest.fixture
def other_framework(framework) -> Framework:
    document = copy.deepcopy(load_json("framework_2018.json"))
    document["version"] = "2018-test"
    return services.import_framework(document=document, make_current=False)


# --- create_comprehensive_assessment --------------------------------------------------------


def test_create_comprehensive_assessment_has_15_rows_all_reassessed_none_rated(assessment):
    rows = list(assessment.indicator_assessments.order_by("indicator__order"))

    assert assessment.kind == Assessment.Kind.COMPREHENSIVE
    assert assessment.year == 2022
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.framework.version == "2018"
    assert [row.indicator.code for row in rows] == PI_CODES
    assert [row.reassessed for row in rows] == [True] * 15
    assert [row.rating for row in rows] == [""] * 15
    assert [row.carried_from_year for row in rows] == [None] * 15
    assert [row.version for row in rows] == [1] * 15


def test_create_comprehensive_assessment_same_team_and_year_refused(assessment, team, coordinator):
    before = counts()

    with pytest.raises(ValidationError) as excinfo:
        services.create_comprehensive_assessment(country_team=team, year=2022, by=coordinator)

    assert excinfo.value.messages == ["Kazakhstan already has an assessment for 2022."]
    assert counts() == before
    assert counts()["assessments"] == 1
    assert counts()["rows"] == 15


# --- create_annual_assessment ---------------------------------------------------------------


def test_create_annual_assessment_has_15_rows_none_reassessed(kaz_2023):
    rows = list(kaz_2023.indicator_assessments.order_by("indicator__order"))

    assert kaz_2023.kind == Assessment.Kind.ANNUAL
    assert kaz_2023.year == 2023
    assert kaz_2023.status == Assessment.Status.DRAFT
    assert [row.indicator.code for row in rows] == PI_CODES
    assert [row.reassessed for row in rows] == [False] * 15


def test_create_annual_assessment_copies_every_rating_and_text(kaz_2022, kaz_2023):
    fields = (
        "rating",
        "criteria_met",
        "numeric_value",
        "findings",
        "explanation",
        "means_of_verification",
    )
    for code in PI_CODES:
        before, after = get_row(kaz_2022, code), get_row(kaz_2023, code)
        for name in fields:
            assert getattr(after, name) == getattr(before, name), f"PI {code} {name} not carried"
        assert after.indicator_id == before.indicator_id


def test_create_annual_assessment_carries_seed_values(kaz_2023):
    ratings = {code: get_row(kaz_2023, code).rating for code in PI_CODES}

    assert ratings == {
        "1.1": "approaches",
        "1.2": "exceeds",
        "1.3": "meets",
        "2.1": "meets",
        "2.2": "exceeds",
        "2.3": "approaches",
        "3.1": "exceeds",
        "3.2": "meets",
        "4.1": "meets",
        "4.2": "meets",
        "4.3": "approaches",
        "5.1": "missing",
        "5.2": "approaches",
        "6.1": "approaches",
        "7.1": "approaches",
    }
    assert get_row(kaz_2023, "2.2").criteria_met == ["b", "c", "d"]
    assert get_row(kaz_2023, "1.3").numeric_value == Decimal("49.00")
    assert get_row(kaz_2023, "6.1").numeric_value == Decimal("26.00")
    assert sorted(get_row(kaz_2023, "1.1").findings) == ["a_majority", "b_some"]


def test_create_annual_assessment_sets_carried_from_year(kaz_2023):
    carried = {code: get_row(kaz_2023, code).carried_from_year for code in PI_CODES}

    assert carried == {
        "1.1": None,
        "1.2": None,
        "1.3": None,
        "2.1": None,
        "2.2": 2022,
        "2.3": None,
        "3.1": None,
        "3.2": 2022,
        "4.1": None,
        "4.2": None,
        "4.3": None,
        "5.1": None,
        "5.2": 2022,
        "6.1": 2022,
        "7.1": 2022,
    }


def test_create_annual_assessment_copies_action_points_with_activities(kaz_2023):
    document = load_json("demo/kaz-2022.json")
    expected = [
        (
            p["indicator"],
            p["text"],
            p["responsible"],
            p["timeline"],
            p["resources"],
            p["status"],
            p["activities"],
        )
        for p in document["action_points"]
    ]
    points = kaz_2023.action_points.select_related("indicator").order_by(
        "indicator__order", "order", "pk"
    )

    copied = [
        (
            p.indicator.code,
            p.text,
            p.responsible,
            p.timeline,
            p.resources,
            p.status,
            [p.activities_year_1, p.activities_year_2, p.activities_year_3, p.activities_year_4],
        )
        for p in points
    ]

    assert len(copied) == 15
    assert copied == expected
    assert ActionPoint.objects.count() == 30


def test_create_annual_assessment_copies_iat_members(kaz_2023):
    document = load_json("demo/kaz-2022.json")
    expected = [
        (m["name"], m["title"], m["entity"], m["coordinator"]) for m in document["iat_members"]
    ]

    members = [
        (m.name, m.title, m.entity.acronym if m.entity else None, m.is_coordinator)
        for m in kaz_2023.iat_members.select_related("entity")
    ]

    assert len(members) == 8
    assert members == expected


def test_create_annual_assessment_next_year_keeps_or_renews_carried_year(
    kaz_2023, team, coordinator
):
    row = get_row(kaz_2023, "2.2")
    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(rating="meets", criteria_met=["b", "c"]),
        expected_version=row.version,
    )

    kaz_2024 = services.create_annual_assessment(country_team=team, year=2024, by=coordinator)

    assert get_row(kaz_2024, "2.2").carried_from_year == 2023
    assert get_row(kaz_2024, "2.2").rating == "meets"
    assert get_row(kaz_2024, "3.2").carried_from_year == 2022
    assert get_row(kaz_2024, "3.2").rating == "meets"
    assert get_row(kaz_2024, "1.1").carried_from_year is None
    assert [r.reassessed for r in kaz_2024.indicator_assessments.all()] == [False] * 15


def test_create_annual_assessment_without_earlier_assessment_refused(framework, team, coordinator):
    before = counts()

    with pytest.raises(ValidationError) as excinfo:
        services.create_annual_assessment(country_team=team, year=2023, by=coordinator)

    assert excinfo.value.messages == [
        "An annual assessment continues an earlier one; start with a comprehensive one."
    ]
    assert counts() == before
    assert counts()["assessments"] == 0


def test_create_annual_assessment_before_the_only_assessment_refused(kaz_2022, team, coordinator):
    before = counts()

    with pytest.raises(ValidationError):
        services.create_annual_assessment(country_team=team, year=2021, by=coordinator)

    assert counts() == before


def test_create_annual_assessment_same_year_refused(kaz_2022, team, coordinator):
    before = counts()

    with pytest.raises(ValidationError) as excinfo:
        services.create_annual_assessment(country_team=team, year=2022, by=coordinator)

    assert excinfo.value.messages == ["Kazakhstan already has an assessment for 2022."]
    assert counts() == before


# --- save_indicator_assessment --------------------------------------------------------------


def test_save_indicator_assessment_stores_suggestion(assessment, coordinator):
    row = get_row(assessment, "2.2")

    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(rating="meets", criteria_met=["c", "b"], explanation="Two campaigns."),
        expected_version=1,
    )

    stored = get_row(assessment, "2.2")
    assert stored.rating == "meets"
    assert stored.suggested_rating == "meets"
    assert stored.criteria_met == ["b", "c"]
    assert stored.explanation == "Two campaigns."
    assert stored.override_justification == ""
    assert stored.updated_by == coordinator


def test_save_indicator_assessment_above_suggestion_needs_justification(assessment, coordinator):
    row = get_row(assessment, "2.2")
    before = row_state(row)

    with pytest.raises(ValidationError) as excinfo:
        services.save_indicator_assessment(
            row=row,
            by=coordinator,
            data=rating_input(rating="exceeds", criteria_met=["b", "c"]),
            expected_version=1,
        )

    assert list(excinfo.value.error_dict) == ["override_justification"]
    assert excinfo.value.message_dict["override_justification"] == [
        "The rating differs from the suggested rating (Meets minimum requirements): explain why."
    ]
    assert row_state(row) == before


def test_save_indicator_assessment_above_suggestion_with_justification_saves(
    assessment, coordinator
):
    row = get_row(assessment, "2.2")

    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(
            rating="exceeds",
            criteria_met=["b", "c"],
            override_justification="The 2022 campaign reached every agency.",
        ),
        expected_version=1,
    )

    stored = get_row(assessment, "2.2")
    assert stored.rating == "exceeds"
    assert stored.suggested_rating == "meets"
    assert stored.override_justification == "The 2022 campaign reached every agency."


def test_save_indicator_assessment_keeps_justification_when_rating_equals_suggestion(
    assessment, coordinator
):
    """What the user wrote is never dropped silently, even when the rating no longer needs it."""
    row = get_row(assessment, "2.2")

    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(
            rating="meets", criteria_met=["b", "c"], override_justification="Not needed."
        ),
        expected_version=1,
    )

    assert get_row(assessment, "2.2").override_justification == "Not needed."


def test_save_indicator_assessment_keeps_justification_when_not_rated_yet(assessment, coordinator):
    row = get_row(assessment, "2.2")

    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(
            rating="", criteria_met=["b"], override_justification="Waiting for the 2023 survey."
        ),
        expected_version=1,
    )

    stored = get_row(assessment, "2.2")
    assert stored.rating == ""
    assert stored.override_justification == "Waiting for the 2023 survey."


def test_save_indicator_assessment_unknown_criterion_refused(assessment, coordinator):
    row = get_row(assessment, "2.2")
    before = row_state(row)

    with pytest.raises(ValidationError) as excinfo:
        services.save_indicator_assessment(
            row=row,
            by=coordinator,
            data=rating_input(rating="meets", criteria_met=["b", "c", "zz"]),
            expected_version=1,
        )

    assert list(excinfo.value.error_dict) == ["criteria_met"]
    assert excinfo.value.message_dict["criteria_met"] == ["Unknown criteria: zz"]
    assert row_state(row) == before


@pytest.mark.parametrize("value", [Decimal("101"), Decimal("-1")])
def test_save_indicator_assessment_numeric_out_of_range_refused(assessment, coordinator, value):
    row = get_row(assessment, "1.3")
    before = row_state(row)

    with pytest.raises(ValidationError) as excinfo:
        services.save_indicator_assessment(
            row=row, by=coordinator, data=rating_input(numeric_value=value), expected_version=1
        )

    assert list(excinfo.value.error_dict) == ["numeric_value"]
    assert excinfo.value.message_dict["numeric_value"] == ["Enter a percentage between 0 and 100."]
    assert row_state(row) == before


def test_save_indicator_assessment_numeric_100_accepted(assessment, coordinator):
    row = get_row(assessment, "1.3")

    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(rating="exceeds", numeric_value=Decimal("100")),
        expected_version=1,
    )

    stored = get_row(assessment, "1.3")
    assert stored.numeric_value == Decimal("100.00")
    assert stored.suggested_rating == "exceeds"


def test_save_indicator_assessment_stale_version_refused(assessment, iat, coordinator):
    mine = get_row(assessment, "2.2")
    theirs = get_row(assessment, "2.2")
    services.save_indicator_assessment(
        row=theirs,
        by=iat,
        data=rating_input(rating="approaches", criteria_met=["a"]),
        expected_version=1,
    )
    before = row_state(mine)

    with pytest.raises(services.ConcurrentEditError) as excinfo:
        services.save_indicator_assessment(
            row=mine,
            by=coordinator,
            data=rating_input(rating="meets", criteria_met=["b", "c"]),
            expected_version=1,
        )

    current = excinfo.value.current
    assert current.pk == mine.pk
    assert current.version == 2
    assert current.rating == "approaches"
    assert current.criteria_met == ["a"]
    assert current.updated_by_id == iat.pk
    assert row_state(mine) == before


def test_save_indicator_assessment_increments_version_by_one(assessment, coordinator):
    row = get_row(assessment, "2.2")

    services.save_indicator_assessment(
        row=row, by=coordinator, data=rating_input(rating="missing"), expected_version=1
    )
    assert get_row(assessment, "2.2").version == 2

    services.save_indicator_assessment(
        row=get_row(assessment, "2.2"),
        by=coordinator,
        data=rating_input(rating="approaches", criteria_met=["a"]),
        expected_version=2,
    )
    assert get_row(assessment, "2.2").version == 3


def test_save_indicator_assessment_carried_row_becomes_reassessed(kaz_2023, coordinator):
    row = get_row(kaz_2023, "2.2")
    assert (row.reassessed, row.carried_from_year) == (False, 2022)

    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(rating="meets", criteria_met=["b", "c"]),
        expected_version=row.version,
    )

    stored = get_row(kaz_2023, "2.2")
    assert stored.reassessed is True
    assert stored.carried_from_year is None
    assert stored.rating == "meets"


def test_save_indicator_assessment_empty_findings_not_stored(assessment, coordinator):
    row = get_row(assessment, "2.2")

    services.save_indicator_assessment(
        row=row,
        by=coordinator,
        data=rating_input(
            rating="meets",
            criteria_met=["b", "c"],
            findings={"a": "", "b": "Campaign on 16 days of activism.", "c": "   \n"},
        ),
        expected_version=1,
    )

    assert get_row(assessment, "2.2").findings == {"b": "Campaign on 16 days of activism."}


# --- start_reassessment ---------------------------------------------------------------------


def test_start_reassessment_unlocks_carried_row(kaz_2023, coordinator):
    row = get_row(kaz_2023, "6.1")
    assert (row.reassessed, row.carried_from_year, row.version) == (False, 2022, 1)

    services.start_reassessment(row=row, by=coordinator)

    stored = get_row(kaz_2023, "6.1")
    assert stored.reassessed is True
    assert stored.carried_from_year is None
    assert stored.version == 2
    assert stored.updated_by == coordinator
    # The carried text is the starting point of the reassessment.
    assert stored.rating == "approaches"
    assert stored.criteria_met == ["a"]
    assert stored.numeric_value == Decimal("26.00")


# --- Sending for endorsement (the quality checks that block) -----------------------------------


def send_for_endorsement(assessment, by):
    return workflow.transition(assessment=assessment, action="send_for_endorsement", by=by)


def test_send_for_endorsement_annual_with_5_reassessed_and_rated(kaz_2022, coordinator):
    send_for_endorsement(kaz_2022, coordinator)

    kaz_2022.refresh_from_db()
    assert kaz_2022.status == Assessment.Status.AWAITING_ENDORSEMENT


def test_send_for_endorsement_annual_with_4_reassessed_refused(kaz_2023, coordinator):
    for code in ["2.2", "3.2", "5.2", "6.1"]:
        services.start_reassessment(row=get_row(kaz_2023, code), by=coordinator)

    with pytest.raises(ValidationError) as excinfo:
        send_for_endorsement(kaz_2023, coordinator)

    assert excinfo.value.messages == ["At least 5 PIs must be reassessed; 4 are."]
    kaz_2023.refresh_from_db()
    assert kaz_2023.status == Assessment.Status.DRAFT


def test_send_for_endorsement_comprehensive_with_14_rated_refused(assessment, coordinator):
    for code in PI_CODES[:-1]:
        services.save_indicator_assessment(
            row=get_row(assessment, code),
            by=coordinator,
            data=rating_input(rating="missing"),
            expected_version=1,
        )

    with pytest.raises(ValidationError) as excinfo:
        send_for_endorsement(assessment, coordinator)

    assert excinfo.value.messages == ["PI 7.1 is reassessed but not rated."]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_send_for_endorsement_comprehensive_with_15_rated(assessment, coordinator):
    for code in PI_CODES:
        services.save_indicator_assessment(
            row=get_row(assessment, code),
            by=coordinator,
            data=rating_input(rating="missing"),
            expected_version=1,
        )

    send_for_endorsement(assessment, coordinator)

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.AWAITING_ENDORSEMENT


# --- Action plan ----------------------------------------------------------------------------


def test_create_action_point_stores_fields_and_orders_per_pi(assessment, coordinator):
    undp = UNEntityFactory(acronym="UNDP")
    pi_22 = Indicator.objects.get(framework=assessment.framework, code="2.2")
    pi_31 = Indicator.objects.get(framework=assessment.framework, code="3.1")

    first = services.create_action_point(
        assessment=assessment,
        by=coordinator,
        indicator=pi_22,
        text="Run a joint campaign for the 16 days of activism.",
        responsible_entity=undp,
        responsible="Gender Theme Group",
        timeline=date(2023, 12, 10),
        resources="USD 5,000",
        status=ActionPoint.Status.IN_PROGRESS,
        activities_year_1="Campaign planned.",
    )
    second = services.create_action_point(
        assessment=assessment, by=coordinator, indicator=pi_22, text="Train spokespersons."
    )
    third = services.create_action_point(
        assessment=assessment, by=coordinator, indicator=pi_31, text="Meet the ministry."
    )

    first.refresh_from_db()
    assert first.text == "Run a joint campaign for the 16 days of activism."
    assert first.responsible_entity.acronym == "UNDP"
    assert first.responsible == "Gender Theme Group"
    assert first.timeline == date(2023, 12, 10)
    assert first.resources == "USD 5,000"
    assert first.status == "in_progress"
    assert first.activities == ["Campaign planned.", "", "", ""]
    assert (first.order, second.order, third.order) == (0, 1, 0)
    assert ActionPoint.objects.filter(assessment=assessment).count() == 3


def test_create_action_point_without_text_refused(assessment, coordinator):
    pi_22 = Indicator.objects.get(framework=assessment.framework, code="2.2")

    with pytest.raises(ValidationError) as excinfo:
        services.create_action_point(
            assessment=assessment, by=coordinator, indicator=pi_22, text=""
        )

    assert list(excinfo.value.error_dict) == ["text"]
    assert ActionPoint.objects.count() == 0


def test_update_action_point_changes_fields(assessment, coordinator):
    pi_22 = Indicator.objects.get(framework=assessment.framework, code="2.2")
    pi_52 = Indicator.objects.get(framework=assessment.framework, code="5.2")
    point = services.create_action_point(
        assessment=assessment, by=coordinator, indicator=pi_22, text="Run a campaign."
    )

    services.update_action_point(
        action_point=point,
        by=coordinator,
        indicator=pi_52,
        status=ActionPoint.Status.COMPLETED,
        activities_year_2="Campaign held in November.",
    )

    stored = ActionPoint.objects.get(pk=point.pk)
    assert stored.indicator.code == "5.2"
    assert stored.status == "completed"
    assert stored.activities == ["", "Campaign held in November.", "", ""]
    assert stored.text == "Run a campaign."


def test_update_action_point_unknown_field_refused(assessment, coordinator):
    pi_22 = Indicator.objects.get(framework=assessment.framework, code="2.2")
    point = services.create_action_point(
        assessment=assessment, by=coordinator, indicator=pi_22, text="Run a campaign."
    )
    other = services.create_comprehensive_assessment(
        country_team=CountryTeam.objects.get(code="KAZ"), year=2023, by=coordinator
    )

    with pytest.raises(TypeError):
        services.update_action_point(action_point=point, by=coordinator, assessment=other)

    assert ActionPoint.objects.get(pk=point.pk).assessment_id == assessment.pk


def test_action_point_full_clean_refuses_indicator_of_other_framework(assessment, other_framework):
    foreign = Indicator.objects.get(framework=other_framework, code="2.2")
    point = ActionPoint(assessment=assessment, indicator=foreign, text="Run a campaign.")

    with pytest.raises(ValidationError) as excinfo:
        point.full_clean()

    assert excinfo.value.message_dict == {
        "indicator": ["This PI belongs to another framework version."]
    }
    assert other_framework.is_current is False
    assert Framework.objects.get(is_current=True).version == "2018"


def test_create_action_point_indicator_of_other_framework_refused(
    assessment, other_framework, coordinator
):
    foreign = Indicator.objects.get(framework=other_framework, code="2.2")

    with pytest.raises(ValidationError) as excinfo:
        services.create_action_point(
            assessment=assessment, by=coordinator, indicator=foreign, text="Run a campaign."
        )

    assert list(excinfo.value.error_dict) == ["indicator"]
    assert ActionPoint.objects.count() == 0


def test_update_action_point_indicator_of_other_framework_refused(
    assessment, other_framework, coordinator
):
    pi_22 = Indicator.objects.get(framework=assessment.framework, code="2.2")
    foreign = Indicator.objects.get(framework=other_framework, code="2.2")
    point = services.create_action_point(
        assessment=assessment, by=coordinator, indicator=pi_22, text="Run a campaign."
    )

    with pytest.raises(ValidationError):
        services.update_action_point(action_point=point, by=coordinator, indicator=foreign)

    assert ActionPoint.objects.get(pk=point.pk).indicator_id == pi_22.pk
