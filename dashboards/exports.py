"""The dashboards' exports: one row per PI rating or per action point of the assessments the
user may see, streamed as CSV or written as a one-sheet workbook. One query per file, read in
chunks, whatever the number of rows.

Headers and labels come in the user's language; the codes a program filters on (team, PI,
rating, kind, status) stay in their own columns, beside the labels. Labels are looked up in
dicts built once per file, not per row and never with a query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, get_language

from core import countries
from core.tabular import Column, Columns, yes_no
from scorecard.models import ActionPoint, Assessment, IndicatorAssessment, Rating

RATING_COLUMNS = Columns(
    Column("team", _("Country team"), code=True),
    Column("team_name", _("Country team")),
    Column("region", _("Region")),
    Column("year", _("Year")),
    Column("kind", _("Kind"), code=True),
    Column("kind_label", _("Kind")),
    Column("status", _("Status"), code=True),
    Column("status_label", _("Status")),
    Column("pi", _("PI")),
    Column("pi_title", _("Short title")),  # in the user's language, else English
    Column("rating", _("Rating"), code=True),
    Column("rating_label", _("Rating")),
    Column("reassessed", _("Reassessed")),  # yes/no in the user's language
    Column(
        "carried_from_year", IndicatorAssessment._meta.get_field("carried_from_year").verbose_name
    ),
)
ACTION_PLAN_COLUMNS = Columns(
    Column("team", _("Country team"), code=True),
    Column("team_name", _("Country team")),
    Column("region", _("Region")),
    Column("year", _("Year")),
    Column("pi", _("PI")),
    Column("action", _("Action point")),
    Column("responsible_entity", ActionPoint._meta.get_field("responsible_entity").verbose_name),
    Column("responsible", _("Responsible")),
    Column("timeline", _("Timeline")),
    Column("status", _("Status"), code=True),
    Column("status_label", _("Status")),
    Column("activities_year_1", _("Activities undertaken in year 1")),
    Column("activities_year_2", _("Activities undertaken in year 2")),
    Column("activities_year_3", _("Activities undertaken in year 3")),
    Column("activities_year_4", _("Activities undertaken in year 4")),
)
CHUNK = 2000


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """code → label in the active language, once per file (a blank code has a blank label)."""
    return {value: str(label) for value, label in choices}


def _title_fields() -> list[str]:
    """The PI title columns to read: the active language's, then English. modeltranslation's
    fallback does not apply to values_list, so the rows pick the first non-empty one."""
    fields = [build_localized_fieldname("indicator__short_title", get_language())]
    english = build_localized_fieldname("indicator__short_title", "en")
    return fields if english in fields else [*fields, english]


def rating_rows(assessments: QuerySet[Assessment]) -> Iterator[list[Any]]:
    """One row per PI rating of the given assessments, by team name, year and PI: one query.

    Not a generator itself: the labels and the title column are taken now, in the request's
    language, not when a streamed response is sent."""
    kinds = _labels(Assessment.Kind.choices)
    statuses = _labels(Assessment.Status.choices)
    ratings = _labels(Rating.choices)
    titles = _title_fields()
    language = get_language()
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
            "rating",
            "reassessed",
            "carried_from_year",
            *titles,
        )
    )
    yes, no = yes_no(True), yes_no(False)

    def generate() -> Iterator[list[Any]]:
        for row in rows.iterator(chunk_size=CHUNK):
            team, name, region, year, kind, status, pi, rating, reassessed, carried = row[:10]
            title = next((text for text in row[10:] if text), "")
            yield [
                team, countries.name(team, language) or name, region, year,
                kind, kinds.get(kind, kind),
                status, statuses.get(status, status),
                pi, title,
                rating, ratings.get(rating, ""),
                yes if reassessed else no,
                carried,
            ]  # fmt: skip

    return generate()


def action_plan_rows(assessments: QuerySet[Assessment]) -> Iterator[list[Any]]:
    """One row per action point in force of the given assessments, in action-plan order."""
    statuses = _labels(ActionPoint.Status.choices)  # now, in the request's language
    language = get_language()
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

    def generate() -> Iterator[list[Any]]:
        for row in rows.iterator(chunk_size=CHUNK):
            timeline, status = row[8], row[9]
            team = row[0]
            yield [
                team,
                countries.name(team, language) or row[1],  # the UN name in the reader's language
                *row[2:8],
                timeline.isoformat() if timeline else None,
                status,
                statuses.get(status, status),
                *row[10:],
            ]

    return generate()


EXPORTS: dict[str, tuple[Columns, Callable[[QuerySet[Assessment]], Iterator[list[Any]]]]] = {
    "ratings": (RATING_COLUMNS, rating_rows),
    "action-plans": (ACTION_PLAN_COLUMNS, action_plan_rows),
}
