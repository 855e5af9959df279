"""seed_synthetic, the benchmark data set, on a tiny size: exact counts, shape, reproducibility."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from core.models import CountryTeam, Membership, Region, ReviewerScope
from scorecard.management.commands.seed_synthetic import synthetic_codes
from scorecard.models import (
    ActionPoint,
    Assessment,
    Evidence,
    IATMember,
    IndicatorAssessment,
    WorkflowEvent,
)
from tests.factories import CountryTeamFactory

Status = Assessment.Status


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> dict[str, str]:
    out = io.StringIO()
    call_command("seed_synthetic", "--teams", "3", "--years", "2", *args, stdout=out)
    return dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)


def synthetic_rows():
    return IndicatorAssessment.objects.filter(assessment__country_team__name__startswith="Synth")


def test_tiny_seed_has_the_exact_shape(framework, team, other_team):
    printed = seed()

    teams = CountryTeam.objects.filter(name__startswith="Synthetic team ")
    assert sorted(teams.values_list("code", flat=True)) == ["QMA", "QMB", "QMC"]
    assert sorted(teams.values_list("region__code", flat=True)) == [
        "africa",
        "arab-states",
        "asia-pacific",
    ]
    assert Region.objects.count() == 5
    assessments = Assessment.objects.filter(country_team__in=teams)
    assert assessments.count() == 6
    assert set(assessments.values_list("year", "kind")) == {
        (2024, "comprehensive"),
        (2025, "annual"),
    }
    assert set(assessments.filter(year=2024).values_list("status", flat=True)) == {Status.APPROVED}
    rows = synthetic_rows()
    assert rows.count() == 90  # 6 assessments × 15 PIs
    assert rows.filter(assessment__year=2024, reassessed=True).count() == 45
    for a in assessments.filter(year=2025):
        reassessed = a.indicator_assessments.filter(reassessed=True).count()
        assert 5 <= reassessed <= 8
        carried = a.indicator_assessments.filter(reassessed=False)
        assert set(carried.values_list("carried_from_year", flat=True)) == {2024}
        previous = {
            r.indicator_id: r.rating for r in rows.filter(assessment__country_team=a.country_team)
        }
        assert all(r.rating == previous[r.indicator_id] for r in carried)
    assert not rows.filter(rating="").exists()
    # Overrides are justified, as the services require.
    assert not rows.exclude(rating=F("suggested_rating")).filter(override_justification="").exists()

    reassessed = rows.filter(reassessed=True).count()
    evidence = Evidence.objects.filter(indicator_assessment__in=rows)
    assert 2 * reassessed <= evidence.count() <= 4 * reassessed
    assert not evidence.filter(indicator_assessment__reassessed=False).exists()
    assert not evidence.exclude(url__startswith="https://example.org/").exists()
    points = ActionPoint.objects.filter(assessment__in=assessments)
    for a in assessments:
        assert 13 <= a.action_points.count() <= 17
    assert IATMember.objects.filter(assessment__in=assessments).count() == 24
    history = IndicatorAssessment.history.filter(assessment__in=assessments)
    assert history.count() == 90 + reassessed  # created, then saved when reassessed

    memberships = Membership.objects.filter(user__username="bench-iat")
    assert memberships.count() == 3
    assert set(memberships.values_list("role", flat=True)) == {Membership.Role.IAT_MEMBER}
    scope = ReviewerScope.objects.get(user__username="bench-reviewer")
    assert scope.regions.count() == 5

    assert printed["teams"] == "3"
    assert printed["assessments"] == "6"
    assert printed["pi_ratings"] == "90"
    assert printed["memberships"] == "3"
    assert printed["evidence"] == str(evidence.count())
    assert printed["action_points"] == str(points.count())
    assert printed["pi_rating_history"] == str(history.count())
    events = WorkflowEvent.objects.filter(assessment__in=assessments)
    assert printed["workflow_events"] == str(events.count())
    assert events.filter(assessment__year=2024).count() == 3 * 4  # four steps to approved
    assert float(printed["seconds"]) >= 0


def test_second_run_refuses_and_reset_reseeds_the_same_data(framework):
    seed()
    ratings = list(
        synthetic_rows()
        .order_by("assessment__country_team__code", "assessment__year", "indicator__order")
        .values_list("assessment__country_team__code", "rating", "reassessed")
    )
    evidence = Evidence.objects.count()

    with pytest.raises(CommandError, match="--reset"):
        seed()

    printed = seed("--reset")
    assert printed["teams"] == "3"
    assert CountryTeam.objects.filter(name__startswith="Synthetic").count() == 3
    assert Evidence.objects.count() == evidence
    again = list(
        synthetic_rows()
        .order_by("assessment__country_team__code", "assessment__year", "indicator__order")
        .values_list("assessment__country_team__code", "rating", "reassessed")
    )
    assert again == ratings  # same seed, same data
    assert IndicatorAssessment.history.count() == int(printed["pi_rating_history"])


def test_another_seed_gives_other_ratings(framework):
    seed("--seed", "1")
    first = list(synthetic_rows().order_by("pk").values_list("rating", flat=True))
    seed("--seed", "2", "--reset")
    second = list(synthetic_rows().order_by("pk").values_list("rating", flat=True))
    assert first != second


def test_codes_skip_those_in_use(framework):
    CountryTeamFactory(code="QMA", name="A real team in the user-assigned range")
    seed()
    codes = sorted(
        CountryTeam.objects.filter(name__startswith="Synthetic").values_list("code", flat=True)
    )
    assert codes == ["QMB", "QMC", "QMD"]
    assert CountryTeam.objects.get(code="QMA").name.startswith("A real team")


def test_code_ranges_never_give_the_demo_codes():
    codes = list(synthetic_codes({"XDL"}))
    assert len(codes) == 14 * 26 + 26 * 26 - 1
    assert "KAZ" not in codes
    assert "XDL" not in codes
    assert codes[:2] == ["QMA", "QMB"]
