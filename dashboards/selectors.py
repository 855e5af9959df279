"""Dashboards and exports: what the team and global dashboards show and what their CSV and Excel
files hold. Reads only; the chart geometry for the SVG templates (templates/dashboards/) is at
the end and uses no database.

Who sees what is decided in the queries, never row by row, with the rule of
permissions.can_view_assessment: a team's members see all its assessments; UN Women reviewers see
their regions' work once it has reached UN Women (workflow.REVIEWER_VISIBLE); administrators see
everything. The global charts count only work submitted to UN Women or later, for everyone.

Each function costs a fixed number of queries, whatever the number of teams, years, PIs or action
points (tests/scorecard/test_dashboards.py pins it).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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

from .models import SHORT_LABELS, ActionPoint, Assessment, IndicatorAssessment, Rating
from .workflow import REVIEWER_VISIBLE

Status = Assessment.Status
# The global charts count work that has reached UN Women at least once, whoever looks.
COUNTED = REVIEWER_VISIBLE
NOT_RATED = "not_rated"
NO_ASSESSMENT = "none"
# The report's level colours (static/css/app.css), as SVG presentation attributes.
RATING_COLOURS = {
    Rating.MISSING: "#c0392b",
    Rating.APPROACHES: "#e67e22",
    Rating.MEETS: "#2e86c1",
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


# --- Exports --------------------------------------------------------------------------------

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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets an apostrophe in front (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text in chunks of lines, for a StreamingHttpResponse; opens with a BOM for Excel."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(["" if v is None else safe_cell(v) for v in row]))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """A one-sheet workbook, written in openpyxl's write-only mode (constant memory per row)."""
    from openpyxl import Workbook  # noqa: PLC0415 -- only the export pays for the import

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Chart geometry (no database) -----------------------------------------------------------
# Plain SVG numbers for the templates: presentation attributes only, no style attribute, no
# script (CSP-safe), as parity/charts.py and commitments/charts.py do.


def _num(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class LegendItem:
    x: int
    text_x: int
    y: int  # text baseline
    box_y: int
    colour: str
    label: str
    carried: bool = False


LEGEND_LINE = 18


def _legend(
    x0: int, y0: int, width: int, items: Sequence[tuple[str, str]], *, carried: str = ""
) -> list[LegendItem]:
    """Legend entries from (x0, y0), wrapped to a new line before they pass `width`."""
    entries = [(colour, label, False) for colour, label in items]
    if carried:
        entries.append(("#6c757d", carried, True))
    legend, x, y = [], x0, y0
    for colour, label, is_carried in entries:
        room = 16 + round(len(label) * 7) + 14  # about 7 px per capital at 11 px
        if x > x0 and x + room > width:
            x, y = x0, y + LEGEND_LINE
        legend.append(LegendItem(x, x + 16, y, y - 10, colour, label, carried=is_carried))
        x += room
    return legend


def _level_legend() -> list[tuple[str, str]]:
    return [(RATING_COLOURS[level], level_label(level)) for level in LEVELS]


@dataclass(frozen=True)
class HeatCell:
    code: str
    year: int
    rating: str
    carried: str  # "true" or "false", for the data attribute and the template's test
    x: str
    y: str
    text_x: str
    text_y: str
    colour: str
    text: str
    text_colour: str
    tooltip: str
    href: str

    def markup(self, width: int, height: int) -> SafeString:
        """The cell as SVG. Built here rather than in the template: a heatmap has 120 cells of
        13 values each, and the template language took ~10 ms to fill them in."""
        carried = (
            format_html(
                ' fill-opacity="0.35" stroke="{}" stroke-width="1.5" stroke-dasharray="4 2"',
                self.colour,
            )
            if self.carried == "true"
            else ""
        )
        return format_html(
            '<a href="{}" class="text-decoration-none" data-testid="heat-cell" data-pi="{}" '
            'data-year="{}" data-rating="{}" data-carried="{}">'
            '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"{}><title>{}</title></rect>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="10" font-weight="bold" '
            'fill="{}">{}</text></a>\n',
            self.href,
            self.code,
            self.year,
            self.rating,
            self.carried,
            self.x,
            self.y,
            width,
            height,
            self.colour,
            carried,
            self.tooltip,
            self.text_x,
            self.text_y,
            self.text_colour,
            self.text,
        )


@dataclass(frozen=True)
class HeatHeader:
    year: int
    x: str
    kind_label: str
    comprehensive: bool


@dataclass(frozen=True)
class HeatLabel:
    code: str
    label: str
    y: str
    href: str


@dataclass(frozen=True)
class Heatmap:
    id: str
    title: str
    description: str
    width: int
    height: int
    cell_width: int
    cell_height: int
    label_x: int
    headers: list[HeatHeader]
    labels: list[HeatLabel]
    cells: list[HeatCell]
    legend: list[LegendItem]

    def cells_markup(self) -> SafeString:
        return mark_safe(  # noqa: S308 -- joined from format_html() results only
            "".join(c.markup(self.cell_width, self.cell_height) for c in self.cells)
        )


HEAT_LABEL_WIDTH, HEAT_CELL_W, HEAT_CELL_H, HEAT_TOP = 250, 92, 24, 42


def heatmap(
    history: TeamHistory,
    *,
    chart_id: str,
    title: str,
    href_for: Callable[[int, str], str],
) -> Heatmap:
    """PIs (rows) × years (columns), each cell coloured by its rating; carried cells hatched."""
    x_of = {c.year: HEAT_LABEL_WIDTH + i * HEAT_CELL_W for i, c in enumerate(history.years)}
    cells, labels, spoken = [], [], []
    words = _chart_words()
    carried_from, carried_over = _("carried from %(year)s"), _("carried over")
    for index, pi in enumerate(history.rows):
        top = HEAT_TOP + index * HEAT_CELL_H
        labels.append(
            HeatLabel(
                pi.code,
                f"{pi.code} {pi.title}"[:40],
                _num(top + HEAT_CELL_H / 2 + 4),
                href_for(history.years[-1].year, pi.code) if history.years else "",
            )
        )
        said = []
        for year, point in sorted(pi.cells.items()):
            rating = point.rating or NOT_RATED
            label = words[rating]
            if point.carried:
                note = (
                    carried_from % {"year": point.carried_from_year}
                    if point.carried_from_year
                    else carried_over
                )
                tooltip = f"PI {pi.code}, {year}: {label} ({note})"
            else:
                tooltip = f"PI {pi.code}, {year}: {label}"
            said.append(f"{year} {label}{' *' if point.carried else ''}")
            x = x_of[year]
            cells.append(
                HeatCell(
                    code=pi.code,
                    year=year,
                    rating=point.rating,
                    carried="true" if point.carried else "false",
                    x=str(x + 1),
                    y=str(top + 1),
                    text_x=_num(x + HEAT_CELL_W / 2),
                    text_y=_num(top + HEAT_CELL_H / 2 + 4),
                    colour=RATING_COLOURS[rating],
                    text=label,
                    text_colour="#212529" if point.carried else "#ffffff",
                    tooltip=tooltip,
                    href=href_for(year, pi.code),
                )
            )
        spoken.append(f"PI {pi.code}: " + ", ".join(said))
    height = HEAT_TOP + HEAT_CELL_H * len(history.rows)
    width = HEAT_LABEL_WIDTH + HEAT_CELL_W * max(len(history.years), 2) + 8
    legend = _legend(
        8,
        height + 26,
        width,
        _level_legend(),
        carried=_("carried over from an earlier year, not reassessed"),
    )
    description = _("Ratings per PI and year; * marks a rating carried over, not reassessed. ")
    return Heatmap(
        id=chart_id,
        title=title,
        description=description + "; ".join(spoken),
        width=width,
        height=legend[-1].y + 12,
        cell_width=HEAT_CELL_W - 2,
        cell_height=HEAT_CELL_H - 2,
        label_x=HEAT_LABEL_WIDTH - 10,
        headers=[
            HeatHeader(
                c.year,
                _num(x_of[c.year] + HEAT_CELL_W / 2),
                c.kind_label.split()[0],
                c.kind == Assessment.Kind.COMPREHENSIVE,
            )
            for c in history.years
        ],
        labels=labels,
        cells=cells,
        legend=legend,
    )


@dataclass(frozen=True)
class Segment:
    level: str
    label: str
    colour: str
    pos: str  # x of a horizontal bar's segment, y of a column's
    size: str  # its width, or its height
    count: int
    total: int
    pct: str  # exact share, one decimal, for data attributes
    text: str  # shown inside the segment when it is wide enough
    text_x: str
    text_colour: str
    tooltip: str


@dataclass(frozen=True)
class ShareBar:
    code: str
    label: str
    y: str
    text_y: str
    segments: list[Segment]
    total: int

    def segments_markup(self) -> SafeString:
        """The bar's segments as SVG, built here for the same reason as HeatCell.markup."""
        parts = []
        for s in self.segments:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="18" fill="{}" data-testid="share-bar" '
                    'data-pi="{}" data-level="{}" data-count="{}" data-total="{}" data-pct="{}">'
                    "<title>{}</title></rect>",
                    s.pos,
                    self.y,
                    s.size,
                    s.colour,
                    self.code,
                    s.level,
                    s.count,
                    s.total,
                    s.pct,
                    s.tooltip,
                )
            )
            if s.text:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{}">{}'
                        "</text>",
                        s.text_x,
                        self.text_y,
                        s.text_colour,
                        s.text,
                    )
                )
        return mark_safe("\n".join(parts))  # noqa: S308 -- format_html() results only


@dataclass(frozen=True)
class Tick:
    x: str
    label: str


@dataclass(frozen=True)
class ShareChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    label_x: int
    plot_x: int
    plot_right: int
    total_x: int
    plot_top: int
    axis_y: int
    tick_y: int
    bars: list[ShareBar]
    ticks: list[Tick]
    legend: list[LegendItem]


def _segments(
    share: PIShare, start: float, length: float, *, horizontal: bool, words: dict[str, str]
) -> list[Segment]:
    """The levels of a 100 % bar: left to right from `start`, or bottom to top up from it.

    `words` holds the translated level labels and tooltip pattern (_chart_words), looked up once
    per chart rather than once per segment.
    """
    segments, offset = [], 0.0
    for level in LEVELS:
        count = share.counts.get(level, 0)
        if not count:
            continue
        size = length * count / share.total
        pct = f"{count * 100 / share.total:.1f}"
        # The trend charts title each level's path rather than each segment.
        tooltip = (
            words["tooltip"]
            % {
                "pi": share.code,
                "year": share.year,
                "level": words[level],
                "count": count,
                "total": share.total,
                "pct": pct,
            }
            if horizontal
            else ""
        )
        segments.append(
            Segment(
                level=level,
                label=words[level],
                colour=RATING_COLOURS[level],
                pos=_num(start + offset if horizontal else start - offset - size),
                size=_num(size),
                count=count,
                total=share.total,
                pct=pct,
                text=f"{count * 100 / share.total:.0f} %" if horizontal and size >= 34 else "",
                text_x=_num(start + offset + size / 2),
                text_colour="#ffffff",
                tooltip=tooltip,
            )
        )
        offset += size
    return segments


def _chart_words() -> dict[str, str]:
    words = {level: level_label(level) for level in LEVELS}
    words["tooltip"] = _("PI %(pi)s, %(year)s · %(level)s: %(count)s of %(total)s (%(pct)s %%)")
    return words


def share_chart(shares: Sequence[PIShare], *, chart_id: str, title: str) -> ShareChart:
    """Per PI, one bar of 100 %, split by the share of counted teams at each level."""
    label_x, plot_x, plot_width, plot_top, row_height, bar_height = 252, 260, 460, 8, 26, 18
    bars, spoken, words = [], [], _chart_words()
    for index, share in enumerate(shares):
        top = plot_top + index * row_height
        bars.append(
            ShareBar(
                code=share.code,
                label=f"{share.code} {share.title}"[:40],
                y=_num(top + (row_height - bar_height) / 2),
                text_y=_num(top + row_height / 2 + 4),
                segments=_segments(share, plot_x, plot_width, horizontal=True, words=words),
                total=share.total,
            )
        )
        parts = ", ".join(
            f"{words[level]} {share.counts[level]}" for level in LEVELS if share.counts[level]
        )
        spoken.append(f"PI {share.code}: {parts}")
    axis_y = plot_top + row_height * max(len(shares), 1)
    legend = _legend(plot_x, axis_y + 38, plot_x + plot_width + 70, _level_legend())
    return ShareChart(
        id=chart_id,
        title=title,
        description=_("Number of country teams at each level, per PI. ") + "; ".join(spoken),
        width=plot_x + plot_width + 70,
        height=legend[-1].y + 10,
        label_x=label_x,
        plot_x=plot_x,
        plot_right=plot_x + plot_width,
        total_x=plot_x + plot_width + 8,
        plot_top=plot_top,
        axis_y=axis_y,
        tick_y=axis_y + 14,
        bars=bars,
        ticks=[Tick(_num(plot_x + plot_width * t / 100), f"{t} %") for t in (0, 25, 50, 75, 100)],
        legend=legend,
    )


@dataclass(frozen=True)
class YearTick:
    year: int
    label: str
    x: str


@dataclass(frozen=True)
class Layer:
    """One level across the years of a trend chart: one SVG path of a rectangle per year."""

    level: str
    colour: str
    d: str
    tooltip: str


@dataclass(frozen=True)
class TrendChart:
    id: str
    code: str
    title: str
    description: str
    width: int
    height: int
    plot_x: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    mid_y: str
    label_y: int
    years: list[YearTick]
    layers: list[Layer]


def trend_charts(shares_by_year: dict[int, list[PIShare]], *, prefix: str) -> list[TrendChart]:
    """One small chart per PI: a column of 100 % per year, split by level (oldest year left).

    Each level is drawn as one path of rectangles (one per year) rather than a rectangle per
    segment: fifteen charts of eight years would otherwise be some 500 template iterations.
    """
    years = sorted(shares_by_year)
    per_pi: dict[str, dict[int, PIShare]] = {}
    titles: dict[str, str] = {}
    for year in years:
        for share in shares_by_year[year]:
            per_pi.setdefault(share.code, {})[year] = share
            titles[share.code] = share.title
    width, plot_x, plot_top, plot_bottom = 300, 34, 6, 106
    plot_right = width - 6
    slot = (plot_right - plot_x) / max(len(years), 1)
    column_width = min(slot * 0.7, 28)
    x_of = {year: plot_x + slot * i + (slot - column_width) / 2 for i, year in enumerate(years)}
    ticks = [
        YearTick(
            year, str(year) if len(years) <= 8 else f"’{year % 100:02d}", _num(x + column_width / 2)
        )
        for year, x in x_of.items()
    ]
    charts, words = [], _chart_words()
    w = _num(column_width)
    for code, by_year in per_pi.items():
        paths: dict[str, list[str]] = {level: [] for level in LEVELS}
        counts: dict[str, list[str]] = {level: [] for level in LEVELS}
        spoken = []
        for year in years:
            share = by_year.get(year)
            if share is None:
                continue
            # Stacked up from the axis: the first level (missing) lowest.
            segments = _segments(
                share, plot_bottom, plot_bottom - plot_top, horizontal=False, words=words
            )
            for s in segments:
                paths[s.level].append(f"M{_num(x_of[year])} {s.pos}h{w}v{s.size}h-{w}z")
                counts[s.level].append(f"{year} {s.count}/{s.total}")
            spoken.append(
                f"{year}: " + ", ".join(f"{s.label} {s.count}/{s.total}" for s in segments)
            )
        layers = [
            Layer(
                level,
                RATING_COLOURS[level],
                "".join(paths[level]),
                f"PI {code} · {words[level]}: " + ", ".join(counts[level]),
            )
            for level in LEVELS
            if paths[level]
        ]
        charts.append(
            TrendChart(
                id=f"{prefix}-{code.replace('.', '-')}",
                code=code,
                title=f"{code} {titles[code]}",
                description="; ".join(spoken),
                width=width,
                height=plot_bottom + 18,
                plot_x=plot_x,
                plot_right=plot_right,
                plot_top=plot_top,
                plot_bottom=plot_bottom,
                mid_y=_num((plot_top + plot_bottom) / 2),
                label_y=plot_bottom + 13,
                years=ticks,
                layers=layers,
            )
        )
    return charts
