"""What the team and global dashboards show. Reads only: the charts are drawn from these in
charts.py, the CSV and Excel files written in exports.py.

Who sees what is decided in the queries, never row by row, with the rule of
scorecard.permissions.can_view_assessment: a team's members see all its assessments; UN Women
reviewers see their regions' work once it has reached UN Women (scorecard.states.REVIEWER_VISIBLE);
administrators see everything. The global charts count only work submitted to UN Women or later,
for everyone.

Each function costs a fixed number of queries, whatever the number of teams, years, PIs or action
points (tests/dashboards/test_dashboards.py pins it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import CountryTeam, Region
from core.permissions import (
    ALL_REGIONS,
    AnyUser,
    can_view_global,
    can_view_team,
    is_admin,
    reviewer_regions,
)
from scorecard.models import SHORT_LABELS, Assessment, IndicatorAssessment, Rating
from scorecard.states import REVIEWER_VISIBLE

Status = Assessment.Status
# The global charts count work that has reached UN Women at least once, whoever looks.
COUNTED = REVIEWER_VISIBLE
NOT_RATED = "not_rated"
NO_ASSESSMENT = "none"
# The report's level colours (static/css/app.css), as SVG presentation attributes.
RATING_COLOURS = {
    Rating.MISSING: "#c0392b",
    Rating.APPROACHES: "#e67e22",
    Rating.MEETS: "#1f6fa5",
    Rating.EXCEEDS: "#1e8449",
    NOT_RATED: "#6c757d",
}
LEVELS = [*Rating.ordered(), NOT_RATED]  # left to right in the stacked bars

IMPROVED, SAME, REGRESSED, NOT_COMPARABLE = "improved", "same", "regressed", "not_comparable"


def level_label(level: str) -> str:
    return str(SHORT_LABELS[Rating(level)]) if level in Rating.values else _("NOT RATED")


# --- Team dashboard -------------------------------------------------------------------------


def team_assessments(user: AnyUser, team: CountryTeam) -> QuerySet[Assessment]:
    """The team's assessments the user may see: all for members, submitted work for reviewers.

    The caller has let the user in with core.permissions.get_country_team_for_user (a member,
    an administrator or a reviewer of the team's region); the status filter is in the query.
    """
    assessments = Assessment.objects.filter(country_team=team)
    if not can_view_team(user, team.pk):
        assessments = assessments.filter(status__in=REVIEWER_VISIBLE)
    return assessments


@dataclass(frozen=True)
class RatingPoint:
    """One PI's rating in one year."""

    code: str
    title: str
    year: int
    kind: str
    rating: str
    reassessed: bool
    carried_from_year: int | None

    @property
    def carried(self) -> bool:
        """Carried over from an earlier year, not reassessed (IndicatorAssessment.is_carried)."""
        return not self.reassessed and self.kind == Assessment.Kind.ANNUAL


@dataclass(frozen=True)
class YearColumn:
    year: int
    kind: str
    kind_label: str
    status: str
    status_label: str


@dataclass(frozen=True)
class PIHistory:
    code: str
    title: str
    cells: dict[int, RatingPoint]  # year → rating


@dataclass(frozen=True)
class TeamHistory:
    years: list[YearColumn]  # oldest first
    rows: list[PIHistory]  # PIs in framework order


def team_history(assessments: QuerySet[Assessment]) -> TeamHistory:
    """Every PI's rating per year of the given assessments: two queries."""
    columns = [
        YearColumn(
            year=a.year,
            kind=a.kind,
            kind_label=str(Assessment.Kind(a.kind).label),
            status=a.status,
            status_label=str(Status(a.status).label),
        )
        for a in assessments.order_by("year").only("year", "kind", "status")
    ]
    kinds = {c.year: c.kind for c in columns}
    rows: dict[str, PIHistory] = {}
    points = (
        IndicatorAssessment.objects.filter(assessment__in=assessments)
        .order_by("indicator__order", "assessment__year")
        .values_list(
            "indicator__code",
            "indicator__short_title",
            "assessment__year",
            "rating",
            "reassessed",
            "carried_from_year",
        )
    )
    for code, title, year, rating, reassessed, carried_from in points:
        row = rows.setdefault(code, PIHistory(code, title, {}))
        row.cells[year] = RatingPoint(
            code, title, year, kinds[year], rating, reassessed, carried_from
        )
    return TeamHistory(years=columns, rows=list(rows.values()))


@dataclass(frozen=True)
class ProgressRow:
    code: str
    title: str
    baseline: str  # rating in the comprehensive assessment ("" when not rated)
    latest: str
    change: str  # IMPROVED, SAME, REGRESSED or NOT_COMPARABLE


@dataclass(frozen=True)
class Progress:
    baseline_year: int
    latest_year: int
    rows: list[ProgressRow]
    counts: dict[str, int]


def compare(baseline: str, latest: str) -> str:
    """improved / same / regressed by the rank of the rating; not comparable if one is unrated."""
    if baseline not in Rating.values or latest not in Rating.values:
        return NOT_COMPARABLE
    before, after = Rating(baseline).rank, Rating(latest).rank
    return IMPROVED if after > before else REGRESSED if after < before else SAME


def progress_since_comprehensive(history: TeamHistory) -> Progress | None:
    """Each PI's latest rating against the latest comprehensive assessment's.

    None when there is no comprehensive assessment, or nothing after it yet.
    """
    comprehensive = [c.year for c in history.years if c.kind == Assessment.Kind.COMPREHENSIVE]
    if not comprehensive or history.years[-1].year <= max(comprehensive):
        return None
    baseline_year, latest_year = max(comprehensive), history.years[-1].year
    rows = []
    for pi in history.rows:
        before, after = pi.cells.get(baseline_year), pi.cells.get(latest_year)
        baseline = before.rating if before else ""
        latest = after.rating if after else ""
        rows.append(ProgressRow(pi.code, pi.title, baseline, latest, compare(baseline, latest)))
    counts = dict.fromkeys((IMPROVED, SAME, REGRESSED, NOT_COMPARABLE), 0)
    for row in rows:
        counts[row.change] += 1
    return Progress(baseline_year, latest_year, rows, counts)


# --- Global dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class GlobalScope:
    """What a cross-team viewer covers: regions (None: all) and whether drafts are shown."""

    region_ids: frozenset[int] | None
    sees_unsubmitted: bool  # administrators see drafts and reports awaiting endorsement

    def teams(self) -> QuerySet[CountryTeam]:
        teams = CountryTeam.objects.select_related("region")
        if self.region_ids is not None:
            teams = teams.filter(region_id__in=sorted(self.region_ids))
        return teams

    def regions(self) -> QuerySet[Region]:
        regions = Region.objects.order_by("name")
        if self.region_ids is not None:
            regions = regions.filter(pk__in=sorted(self.region_ids))
        return regions

    def assessments(self) -> QuerySet[Assessment]:
        """Assessments the viewer may see in the status table."""
        assessments = Assessment.objects.all()
        if self.region_ids is not None:
            assessments = assessments.filter(country_team__region_id__in=sorted(self.region_ids))
        if not self.sees_unsubmitted:
            assessments = assessments.filter(status__in=REVIEWER_VISIBLE)
        return assessments


def global_scope(user: AnyUser) -> GlobalScope:
    """The viewer's scope, or PermissionDenied for anyone but reviewers and administrators."""
    if not can_view_global(user):
        raise PermissionDenied
    if is_admin(user):
        return GlobalScope(region_ids=None, sees_unsubmitted=True)
    regions = reviewer_regions(user)
    return GlobalScope(
        region_ids=None if regions == ALL_REGIONS else frozenset(regions),
        sees_unsubmitted=False,
    )


def available_years(scope: GlobalScope) -> list[int]:
    """Years with an assessment the viewer may see, newest first."""
    return list(scope.assessments().order_by("-year").values_list("year", flat=True).distinct())


def default_year(scope: GlobalScope, years: list[int]) -> int | None:
    """The year the global dashboard opens on: the latest with work submitted to UN Women or
    approved, which is what its charts count (an administrator also sees drafts, and a year of
    drafts only opens on empty charts); else the current year, when the viewer may choose it;
    else the latest year of `years` (newest first)."""
    counted = (
        scope.assessments().filter(status__in=COUNTED).order_by("-year").values_list("year").first()
    )
    if counted is not None:
        return counted[0]
    this_year = timezone.localdate().year
    if this_year in years:
        return this_year
    return years[0] if years else None


@dataclass(frozen=True)
class GlobalFilter:
    region: Region | None
    year: int | None


def filtered_teams(scope: GlobalScope, selected: GlobalFilter) -> QuerySet[CountryTeam]:
    teams = scope.teams()
    if selected.region is not None:
        teams = teams.filter(region=selected.region)
    return teams.order_by("region__name", "name")


def counted_assessments(
    scope: GlobalScope, selected: GlobalFilter, *, every_year: bool = False
) -> QuerySet[Assessment]:
    """The assessments the charts and the exports count: submitted to UN Women or later."""
    assessments = scope.assessments().filter(status__in=COUNTED)
    if selected.region is not None:
        assessments = assessments.filter(country_team__region=selected.region)
    if not every_year:
        assessments = assessments.filter(year=selected.year)
    return assessments


@dataclass(frozen=True)
class PIShare:
    """How many counted teams are at each level for one PI in one year."""

    code: str
    title: str
    year: int
    counts: dict[str, int]  # level (LEVELS) → number of teams

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, level: str) -> float:
        return self.counts.get(level, 0) / self.total if self.total else 0.0


def level_shares(scope: GlobalScope, selected: GlobalFilter) -> dict[int, list[PIShare]]:
    """year → per PI (framework order), the number of counted teams at each level: one query.

    Every year of the filter's region, so that the page can show the trend; the selected year's
    bars are one entry of it.
    """
    rows = (
        IndicatorAssessment.objects.filter(
            assessment__in=counted_assessments(scope, selected, every_year=True)
        )
        .values_list(
            "assessment__year",
            "indicator__order",
            "indicator__code",
            "indicator__short_title",
            "rating",
        )
        .annotate(n=Count("id"))
        .order_by("assessment__year", "indicator__order", "rating")
    )
    by_year: dict[int, dict[str, PIShare]] = defaultdict(dict)
    for year, _order, code, title, rating, n in rows:
        share = by_year[year].get(code)
        if share is None:
            share = by_year[year][code] = PIShare(code, title, year, dict.fromkeys(LEVELS, 0))
        share.counts[rating or NOT_RATED] += n
    return {year: list(shares.values()) for year, shares in sorted(by_year.items())}


@dataclass(frozen=True)
class TeamStatus:
    team: CountryTeam
    status: str  # an Assessment.Status value, or NO_ASSESSMENT
    kind: str  # "" when there is no assessment
    year: int | None


def status_keys(scope: GlobalScope) -> list[str]:
    """The status columns the viewer sees, in workflow order."""
    hidden = set() if scope.sees_unsubmitted else set(Status.values) - REVIEWER_VISIBLE
    return [NO_ASSESSMENT, *(s for s in Status.values if s not in hidden)]


def status_label(scope: GlobalScope, key: str) -> str:
    if key != NO_ASSESSMENT:
        return str(Status(key).label)
    return _("No assessment") if scope.sees_unsubmitted else _("Not submitted yet")


def team_statuses(scope: GlobalScope, selected: GlobalFilter) -> list[TeamStatus]:
    """Every team of the filter with its assessment's status in the selected year: two queries.

    Reviewers see a team whose assessment has not reached UN Women as "not submitted yet".
    """
    assessments = scope.assessments().filter(year=selected.year)
    if selected.region is not None:
        assessments = assessments.filter(country_team__region=selected.region)
    found = {
        team_id: (status, kind)
        for team_id, status, kind in assessments.values_list("country_team_id", "status", "kind")
    }
    return [
        TeamStatus(team, *found.get(team.pk, (NO_ASSESSMENT, "")), selected.year)
        for team in filtered_teams(scope, selected)
    ]


@dataclass
class RegionSummary:
    region: Region | None  # None: the total row
    teams: int
    counts: dict[str, int]  # status key → number of teams


def region_summaries(
    statuses: Sequence[TeamStatus], keys: Sequence[str]
) -> tuple[list[RegionSummary], RegionSummary]:
    """Teams by region with the number at each status, and the total over the regions."""
    by_region: dict[int, RegionSummary] = {}
    total = RegionSummary(None, 0, dict.fromkeys(keys, 0))
    for item in statuses:
        region = item.team.region
        summary = by_region.setdefault(region.pk, RegionSummary(region, 0, dict.fromkeys(keys, 0)))
        for target in (summary, total):
            target.teams += 1
            target.counts[item.status] = target.counts.get(item.status, 0) + 1
    return sorted(by_region.values(), key=lambda s: s.region.name), total
