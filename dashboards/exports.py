"""The dashboards' exports: one row per PI rating or per action point of the assessments the
user may see, streamed as CSV or written as a one-sheet workbook. One query per file, read in
chunks, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet

from scorecard.models import ActionPoint, Assessment, IndicatorAssessment

RATING_COLUMNS = [
    "team",
    "team_name",
    "region",
    "year",
    "kind",
    "status",
    "pi",
    "pi_title",
    "rating",
    "reassessed",
    "carried_from_year",
]
ACTION_PLAN_COLUMNS = [
    "team",
    "team_name",
    "region",
    "year",
    "pi",
    "action",
    "responsible_entity",
    "responsible",
    "timeline",
    "status",
    "activities_year_1",
    "activities_year_2",
    "activities_year_3",
    "activities_year_4",
]
CHUNK = 2000


def rating_rows(assessments: QuerySet[Assessment]) -> Iterator[list[Any]]:
    """One row per PI rating of the given assessments, by team name, year and PI: one query."""
    rows = (
        IndicatorAssessment.objects.filter(assessment__in=assessments)
        .order_by("assessment__country_team__name", "assessment__year", "indicator__order")
        .values_list(
            "assessment__country_team__code",
            "assessment__country_team__name",
            "assessment__country_team__region__name",
            "assessment__year",
            "assessment__kind",
            "assessment__status",
            "indicator__code",
            "indicator__short_title",
            "rating",
            "reassessed",
            "carried_from_year",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield [*row[:9], "yes" if row[9] else "no", row[10]]


def action_plan_rows(assessments: QuerySet[Assessment]) -> Iterator[list[Any]]:
    """One row per action point in force of the given assessments, in action-plan order."""
    rows = (
        ActionPoint.objects.filter(assessment__in=assessments, withdrawn_at__isnull=True)
        .order_by(
            "assessment__country_team__name", "assessment__year", "indicator__order", "order", "pk"
        )
        .values_list(
            "assessment__country_team__code",
            "assessment__country_team__name",
            "assessment__country_team__region__name",
            "assessment__year",
            "indicator__code",
            "text",
            "responsible_entity__acronym",
            "responsible",
            "timeline",
            "status",
            "activities_year_1",
            "activities_year_2",
            "activities_year_3",
            "activities_year_4",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        timeline = row[8]
        yield [*row[:8], timeline.isoformat() if timeline else None, *row[9:]]


EXPORTS: dict[str, tuple[list[str], Callable[[QuerySet[Assessment]], Iterator[list[Any]]]]] = {
    "ratings": (RATING_COLUMNS, rating_rows),
    "action-plans": (ACTION_PLAN_COLUMNS, action_plan_rows),
}
