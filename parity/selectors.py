"""Reads: parity figures for the team page, the global view, PI 4.3, the CLI and the downloads.

Each function sums in the database (one GROUP BY per page, not one query per entity or grade) and
leaves the arithmetic to parity/figures.py, so a page's query count does not grow with its data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import CountryTeam, Region, UNEntity
from core.tabular import Column, Columns, Sheet, csv_text, xlsx_bytes

from . import figures
from .figures import CATEGORY, GRADE, OVERALL, Group, Level, Tally, add_up, make_level
from .models import (
    GRADES,
    Category,
    EntityWorkforceShare,
    ParityRecommendation,
    RecommendationUpdate,
    StaffingCount,
    StaffingSnapshot,
)
from .tables import TEMPLATE_COLUMNS

STATUS_FORMAT = "unct-swap-parity-status/1"
STAFF = "overall_staff"
ALL = "overall_all"
OVERALL_LABELS = {STAFF: gettext_lazy("All staff"), ALL: gettext_lazy("Staff and non-staff")}
CATEGORY_GRADES: dict[str, list[str]] = {
    category.value: [info.code for info in GRADES.values() if info.category == category]
    for category in Category
}
STAFF_CATEGORIES = [c.value for c in Category if c != Category.NON_STAFF]
# How country teams report (domain.md 3.2): international and national staff, then non-staff.
INTERNATIONAL = frozenset(
    {
        Category.SENIOR_LEADERSHIP,
        Category.DIRECTORS,
        Category.PROFESSIONAL,
        Category.FIELD_SERVICE,
    }
)
NATIONAL = frozenset({Category.NATIONAL_OFFICERS, Category.GENERAL_SERVICE})
# The keys of the import format, for scripts that write a file (any header language is read).
TEMPLATE_HEADER = list(TEMPLATE_COLUMNS.keys)
# The sheets of choices beside the template ("name" as the entity's field says it: a person's name
# is another word in some languages).
GRADE_COLUMNS = Columns(
    Column("grade", gettext_lazy("Grade")),
    Column("label", UNEntity._meta.get_field("name").verbose_name),
    Column("category", gettext_lazy("Category")),
)
ENTITY_COLUMNS = Columns(
    Column("acronym", UNEntity._meta.get_field("acronym").verbose_name),
    Column("name", UNEntity._meta.get_field("name").verbose_name),
)


def aggregate(by_grade: Mapping[str, Tally]) -> dict[str, Tally]:
    """grade → tally, plus one entry per category and the two overall figures."""
    out = dict(by_grade)
    for category in Category:
        out[category.value] = add_up(by_grade.get(g, Tally()) for g in CATEGORY_GRADES[category])
    out[STAFF] = add_up(out[c] for c in STAFF_CATEGORIES)
    out[ALL] = out[STAFF] + out[Category.NON_STAFF]
    return out


def _row_groups(row: Any) -> list[Group]:
    """The totals a row of categories publishes: all staff, and staff with non-staff."""
    return [
        Group((row, STAFF), [(row, c) for c in STAFF_CATEGORIES]),
        Group((row, ALL), [(row, STAFF), (row, Category.NON_STAFF.value)]),
    ]


def _team_hidden(tallies: Mapping[str, Tally]) -> set[str]:
    groups = [Group((0, c.value), [(0, g) for g in CATEGORY_GRADES[c]]) for c in Category]
    sizes = {(0, key): tally.total for key, tally in tallies.items()}
    return {key for _row, key in figures.cells_to_hide(sizes, groups + _row_groups(0))}


# --- One team -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryBlock:
    summary: Level
    grades: list[Level]


@dataclass(frozen=True)
class TrendPoint:
    year: int
    staff: Decimal | None
    all: Decimal | None
    has_non_staff: bool


@dataclass(frozen=True)
class ParityStatus:
    """A snapshot's parity figures: per grade, per category and overall, with the trend."""

    country_team: CountryTeam
    year: int
    as_of: date
    source: str
    include_non_staff: bool
    protect_small_cells: bool
    entities: int
    previous_year: int | None
    first_year: int | None
    categories: list[CategoryBlock]
    overall_staff: Level
    overall_all: Level
    trend: list[TrendPoint]
    # year → how many entities reported that year: a change "since 2022" may compare 5 entities
    # with 12, and the reader is told so (previous_entities, first_entities).
    entities_by_year: dict[int, int] = field(default_factory=dict)

    @property
    def previous_entities(self) -> int | None:
        return self.entities_by_year.get(self.previous_year) if self.previous_year else None

    @property
    def first_entities(self) -> int | None:
        return self.entities_by_year.get(self.first_year) if self.first_year else None

    @property
    def change_entities(self) -> list[tuple[int, int]]:
        """(year, entities) for each year a change is computed from whose number of entities
        differs from this year's: the status table's caption says it."""
        years = [self.previous_year]
        if self.shows_change_since_first:
            years.append(self.first_year)
        counts = [(y, self.entities_by_year.get(y, 0)) for y in years if y is not None]
        return [(y, n) for y, n in counts if n != self.entities]

    @property
    def headline(self) -> Level:
        """The figure the team reports (and PI 4.3 uses): with non-staff when the team chose so."""
        return self.overall_all if self.include_non_staff else self.overall_staff

    @property
    def has_non_staff(self) -> bool:
        return any(block.summary.key == Category.NON_STAFF for block in self.categories)

    @property
    def grades(self) -> list[Level]:
        return [grade for block in self.categories for grade in block.grades]

    @property
    def shows_change_since_first(self) -> bool:
        """A separate 'since the first year' column only when it is not the previous year."""
        return self.first_year is not None and self.first_year != self.previous_year

    @property
    def figure_columns(self) -> int:
        """How many figure columns the status table has (a hidden level spans them)."""
        return 6 + (self.previous_year is not None) + self.shows_change_since_first

    @property
    def category_levels(self) -> list[Level]:
        return [block.summary for block in self.categories]


def _tallies_by_year(country_team: CountryTeam) -> dict[int, dict[str, Tally]]:
    """year → grade → summed counts over entities, for every snapshot of the team (one query)."""
    rows = (
        StaffingCount.objects.filter(snapshot__country_team=country_team)
        .values_list("snapshot__year", "grade")
        .annotate(Sum("women"), Sum("men"), Sum("not_disclosed"))
        .order_by()
    )
    by_year: dict[int, dict[str, Tally]] = defaultdict(dict)
    for year, grade, women, men, not_disclosed in rows:
        by_year[year][grade] = Tally(women, men, not_disclosed)
    return by_year


def _entities_by_year(country_team: CountryTeam) -> dict[int, int]:
    """year → how many entities reported figures that year (one query)."""
    rows = (
        StaffingCount.objects.filter(snapshot__country_team=country_team)
        .values_list("snapshot__year")
        .annotate(Count("entity", distinct=True))
        .order_by()
    )
    return dict(rows)


def parity_status(
    snapshot: StaffingSnapshot,
    *,
    include_non_staff: bool | None = None,
    protect_small_cells: bool = False,
) -> ParityStatus:
    """The snapshot's figures, changes since the team's previous and first snapshots, and trend.

    `include_non_staff` chooses the headline (None: the snapshot's own choice); both overall
    figures are always computed. With `protect_small_cells`, levels of fewer than 5 people are
    hidden (figures.cells_to_hide), as wherever figures leave the team.
    """
    by_year = _tallies_by_year(snapshot.country_team)
    entities_by_year = _entities_by_year(snapshot.country_team)
    current = aggregate(by_year.get(snapshot.year, {}))
    earlier = sorted(year for year in by_year if year < snapshot.year)
    previous = aggregate(by_year[earlier[-1]]) if earlier else {}
    first = aggregate(by_year[earlier[0]]) if earlier else {}
    hidden = _team_hidden(current) if protect_small_cells else set()

    def level(key: str, label: Any, kind: str) -> Level:
        return make_level(
            key=key,
            label=label,
            kind=kind,
            tally=current.get(key, Tally()),
            previous=previous.get(key),
            first=first.get(key),
            suppressed=key in hidden,
            protect=protect_small_cells,
            is_non_staff=key in {Category.NON_STAFF, ALL} or key in CATEGORY_GRADES["non_staff"],
        )

    categories = [
        CategoryBlock(
            summary=level(category.value, category.label, CATEGORY),
            grades=[
                level(code, GRADES[code].label, GRADE)
                for code in CATEGORY_GRADES[category]
                if current.get(code, Tally()).total > 0
            ],
        )
        for category in Category
        if current[category.value].total > 0
    ]
    trend = []
    for year in sorted(by_year):
        tallies = aggregate(by_year[year])
        staff, everyone = tallies[STAFF], tallies[ALL]
        small = protect_small_cells and staff.total < figures.SMALL_CELL
        trend.append(
            TrendPoint(
                year=year,
                staff=None if small else figures.pct_women(staff.women, staff.men),
                all=None if small else figures.pct_women(everyone.women, everyone.men),
                has_non_staff=tallies[Category.NON_STAFF.value].total > 0,
            )
        )
    return ParityStatus(
        country_team=snapshot.country_team,
        year=snapshot.year,
        as_of=snapshot.as_of,
        source=snapshot.source,
        include_non_staff=(
            snapshot.include_non_staff if include_non_staff is None else include_non_staff
        ),
        protect_small_cells=protect_small_cells,
        entities=entities_by_year.get(snapshot.year, 0),
        entities_by_year=entities_by_year,
        previous_year=earlier[-1] if earlier else None,
        first_year=earlier[0] if earlier else None,
        categories=categories,
        overall_staff=level(STAFF, OVERALL_LABELS[STAFF], OVERALL),
        overall_all=level(ALL, OVERALL_LABELS[ALL], OVERALL),
        trend=trend,
    )


def snapshot_for(country_team: CountryTeam, year: int) -> StaffingSnapshot | None:
    return (
        StaffingSnapshot.objects.select_related("country_team__region", "updated_by")
        .filter(country_team=country_team, year=year)
        .first()
    )


def parity_status_for(country_team: CountryTeam, year: int, **options: Any) -> ParityStatus | None:
    snapshot = snapshot_for(country_team, year)
    return None if snapshot is None else parity_status(snapshot, **options)


def status_document(status: ParityStatus) -> dict[str, Any]:
    """The status as plain JSON data (`parity_status --json`); decimals are strings."""
    return {
        "format": STATUS_FORMAT,
        "country_team": status.country_team.code,
        "year": status.year,
        "as_of": status.as_of.isoformat(),
        "source": status.source,
        "include_non_staff": status.include_non_staff,
        "small_cells_protected": status.protect_small_cells,
        "band": {"min": str(figures.BAND_LOW), "max": str(figures.BAND_HIGH)},
        "entities": status.entities,
        "previous_year": status.previous_year,
        "first_year": status.first_year,
        "headline": status.headline.key,
        "overall_staff": status.overall_staff.as_dict(),
        "overall_all": status.overall_all.as_dict(),
        "categories": [
            {**block.summary.as_dict(), "grades": [g.as_dict() for g in block.grades]}
            for block in status.categories
        ],
        "trend": [
            {
                "year": point.year,
                "pct_women_staff": None if point.staff is None else str(point.staff),
                "pct_women_all": None if point.all is None else str(point.all),
            }
            for point in status.trend
        ],
    }


@dataclass(frozen=True)
class EntityRow:
    label: str
    international: Level
    national: Level
    non_staff: Level
    total: Level

    @property
    def groups(self) -> list[Level]:
        return [self.international, self.national, self.non_staff]


@dataclass(frozen=True)
class EntityTable:
    rows: list[EntityRow]
    total: EntityRow | None


def _group_of(grade: str) -> str:
    category = GRADES[grade].category
    if category in INTERNATIONAL:
        return "international"
    return "national" if category in NATIONAL else "non_staff"


def entity_table(snapshot: StaffingSnapshot) -> EntityTable:
    """One row per entity (international, national, non-staff, total) and a total row, as teams
    lay out their parity table. For the team's own members: no small-cell protection."""
    by_entity: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    totals: dict[str, Tally] = defaultdict(Tally)
    rows = snapshot.counts.values_list("entity__acronym", "grade", "women", "men", "not_disclosed")
    for acronym, grade, women, men, not_disclosed in rows:
        tally = Tally(women, men, not_disclosed)
        by_entity[acronym][_group_of(grade)] += tally
        totals[_group_of(grade)] += tally

    def row(label: str, groups: Mapping[str, Tally]) -> EntityRow:
        staff = groups["international"] + groups["national"]
        total = staff + groups["non_staff"] if snapshot.include_non_staff else staff
        return EntityRow(
            label=label,
            international=make_level(
                key="international", label="", kind=CATEGORY, tally=groups["international"]
            ),
            national=make_level(key="national", label="", kind=CATEGORY, tally=groups["national"]),
            non_staff=make_level(
                key="non_staff", label="", kind=CATEGORY, tally=groups["non_staff"]
            ),
            total=make_level(key="total", label="", kind=OVERALL, tally=total),
        )

    return EntityTable(
        rows=[row(acronym, by_entity[acronym]) for acronym in sorted(by_entity, key=str.upper)],
        total=row(_("Total"), totals) if by_entity else None,
    )


def entity_counts(snapshot: StaffingSnapshot | None, entity: UNEntity) -> dict[str, StaffingCount]:
    """grade → the entity's count, for the grid."""
    if snapshot is None:
        return {}
    return {c.grade: c for c in snapshot.counts.filter(entity=entity)}


def team_snapshot_years(country_team: CountryTeam) -> list[int]:
    return list(
        StaffingSnapshot.objects.filter(country_team=country_team)
        .order_by("-year")
        .values_list("year", flat=True)
    )


def snapshots_by_team(teams: Iterable[CountryTeam]) -> dict[int, list[int]]:
    """team id → its snapshot years, newest first (one query)."""
    years: dict[int, list[int]] = defaultdict(list)
    rows = (
        StaffingSnapshot.objects.filter(country_team__in=list(teams))
        .order_by("-year")
        .values_list("country_team_id", "year")
    )
    for team_id, year in rows:
        years[team_id].append(year)
    return years


# --- PI 4.3 -------------------------------------------------------------------------------------


def pi43_summary(country_team: CountryTeam, year: int) -> dict[str, Any] | None:
    """What the PI 4.3 page shows from the team's staffing data for the year, or None.

    `suggested_numeric` is the value for the PI's "Share of women in UNCT staffing (%)": the
    headline share of women, i.e. staff only unless the snapshot counts non-staff (service
    contracts, UNV, other) in its headline, as the team chose when it entered the figures.
    """
    status = parity_status_for(country_team, year)
    if status is None or status.headline.pct_women is None:
        return None
    headline = status.headline
    return {
        "year": status.year,
        "as_of": status.as_of,
        "source": status.source,
        "entities": status.entities,
        "includes_non_staff": status.include_non_staff and status.has_non_staff,
        "women": headline.women,
        "men": headline.men,
        "pct_women": headline.pct_women,
        "pct_men": headline.pct_men,
        "status": headline.status,
        "status_label": headline.status_label,
        "in_band": headline.status == figures.PARITY,
        "distance_pp": headline.distance_pp,
        "previous_year": status.previous_year,
        "previous_entities": status.previous_entities,
        "change_since_previous_pp": headline.change_since_previous_pp,
        "suggested_numeric": headline.pct_women,
        "url": reverse("parity:team", kwargs={"code": country_team.code, "year": year}),
    }


def pi43_numeric(country_team: CountryTeam, year: int) -> Decimal | None:
    """The suggested value for PI 4.3's numeric input (see pi43_summary), or None without data."""
    summary = pi43_summary(country_team, year)
    return None if summary is None else summary["suggested_numeric"]


# --- Across teams -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GlobalRow:
    label: str
    cells: list[Level]
    team: CountryTeam | None = None
    include_non_staff: bool | None = None


@dataclass(frozen=True)
class RegionBlock:
    region: Region
    summary: GlobalRow
    teams: list[GlobalRow]


@dataclass(frozen=True)
class GlobalParity:
    year: int | None
    years: list[int]
    columns: list[tuple[str, Any]]
    regions: list[RegionBlock]
    total: GlobalRow | None
    teams_count: int = 0
    chart_levels: list[Level] = field(default_factory=list)


GLOBAL_COLUMNS = [*(c.value for c in Category), STAFF, ALL]


def _chart_levels(cells: list[Level]) -> list[Level]:
    """Categories with people, all staff, and staff with non-staff when there are non-staff."""
    by_key = {cell.key: cell for cell in cells}
    has_non_staff = by_key[Category.NON_STAFF.value].total != 0
    return [cell for cell in cells if cell.total != 0 and (cell.key != ALL or has_non_staff)]


def global_parity(*, teams: QuerySet[CountryTeam], year: int | None = None) -> GlobalParity:
    """Parity by category for every team in `teams` with a snapshot for the year (default: the
    latest year with data), with region and overall totals. Small cells are always protected:
    this view leaves the teams. Three queries whatever the number of teams."""
    years = sorted(
        set(StaffingSnapshot.objects.filter(country_team__in=teams).values_list("year", flat=True)),
        reverse=True,
    )
    columns = [(c.value, c.label) for c in Category] + [
        (STAFF, OVERALL_LABELS[STAFF]),
        (ALL, OVERALL_LABELS[ALL]),
    ]
    if year not in years:
        year = years[0] if years else None
    if year is None:
        return GlobalParity(year=None, years=years, columns=columns, regions=[], total=None)
    snapshots = list(
        StaffingSnapshot.objects.filter(country_team__in=teams, year=year)
        .select_related("country_team__region")
        .order_by("country_team__region__name", "country_team__name")
    )
    by_team: dict[int, dict[str, Tally]] = defaultdict(dict)
    rows = (
        StaffingCount.objects.filter(snapshot__in=[s.pk for s in snapshots])
        .values_list("snapshot__country_team_id", "grade")
        .annotate(Sum("women"), Sum("men"), Sum("not_disclosed"))
        .order_by()
    )
    for team_id, grade, women, men, not_disclosed in rows:
        by_team[team_id][grade] = Tally(women, men, not_disclosed)

    regions: dict[int, list[StaffingSnapshot]] = defaultdict(list)
    for snapshot in snapshots:
        regions[snapshot.country_team.region_id].append(snapshot)
    tallies: dict[Any, dict[str, Tally]] = {}
    groups: list[Group] = []
    for region_id, members in regions.items():
        for snapshot in members:
            tallies[("team", snapshot.country_team_id)] = aggregate(
                by_team.get(snapshot.country_team_id, {})
            )
        region_key = ("region", region_id)
        tallies[region_key] = {
            key: add_up(tallies[("team", s.country_team_id)][key] for s in members)
            for key in GLOBAL_COLUMNS
        }
        groups += [
            Group((region_key, key), [(("team", s.country_team_id), key) for s in members])
            for key in GLOBAL_COLUMNS
        ]
    tallies[("all",)] = {
        key: add_up(tallies[("region", r)][key] for r in regions) for key in GLOBAL_COLUMNS
    }
    groups += [
        Group((("all",), key), [(("region", r), key) for r in regions]) for key in GLOBAL_COLUMNS
    ]
    for row in tallies:
        groups += _row_groups(row)
    sizes = {(row, key): tallies[row][key].total for row in tallies for key in GLOBAL_COLUMNS}
    hidden = figures.cells_to_hide(sizes, groups)

    def cells(row: Any) -> list[Level]:
        return [
            make_level(
                key=key,
                label=label,
                kind=OVERALL if key in {STAFF, ALL} else CATEGORY,
                tally=tallies[row][key],
                suppressed=(row, key) in hidden,
                is_non_staff=key in {Category.NON_STAFF, ALL},
            )
            for key, label in columns
        ]

    blocks = []
    for members in regions.values():
        region = members[0].country_team.region
        blocks.append(
            RegionBlock(
                region=region,
                summary=GlobalRow(label=region.name, cells=cells(("region", region.pk))),
                teams=[
                    GlobalRow(
                        label=s.country_team.display_name,
                        cells=cells(("team", s.country_team_id)),
                        team=s.country_team,
                        include_non_staff=s.include_non_staff,
                    )
                    for s in members
                ],
            )
        )
    total = GlobalRow(label=_("All country teams"), cells=cells(("all",)))
    return GlobalParity(
        year=year,
        years=years,
        columns=columns,
        regions=blocks,
        total=total,
        teams_count=len(snapshots),
        chart_levels=_chart_levels(total.cells),
    )


# --- Downloads ----------------------------------------------------------------------------------


def template_rows(snapshot: StaffingSnapshot | None) -> list[list[Any]]:
    """The snapshot's counts in the import format, so a download can be edited and re-imported."""
    if snapshot is None:
        return []
    counts = snapshot.counts.values_list(
        "entity__acronym", "grade", "women", "men", "not_disclosed"
    )
    return [list(row) for row in sorted(counts, key=lambda r: (r[0].upper(), GRADES[r[1]].order))]


def staffing_template_csv(snapshot: StaffingSnapshot | None) -> str:
    """With a byte order mark: the header is in the user's language (Entité, 女性…), which Excel
    reads right only so; the import skips the mark."""
    return csv_text(TEMPLATE_COLUMNS.header(), template_rows(snapshot))


def staffing_template_xlsx(snapshot: StaffingSnapshot | None) -> bytes:
    """The import template: the Staffing sheet (with the snapshot's rows, if any), drop-down lists
    of grades and entities, and a short how-to."""
    entities = list(UNEntity.objects.order_by("acronym").values_list("acronym", "name"))
    grades = [
        [info.code, str(info.label), str(Category(info.category).label)] for info in GRADES.values()
    ]
    how_to = [
        [_("One row per UN entity and grade; the header row stays as it is.")],
        [_("entity: the acronym, as on the Entities sheet.")],
        [_("grade: a code from the Grades sheet (P-3, NO-B, G-5, SC for service contracts...).")],
        [_("women, men, not_disclosed: whole numbers; a blank cell counts as 0.")],
        [_("Importing the file replaces all the figures of the year.")],
    ]
    return xlsx_bytes(
        [
            Sheet(
                "Staffing",
                TEMPLATE_COLUMNS.header(),
                template_rows(snapshot),
                widths=[16, 10, 10, 10, 14],
                choices={
                    "A": f"=Entities!$A$2:$A${len(entities) + 1}",
                    "B": f"=Grades!$A$2:$A${len(grades) + 1}",
                },
            ),
            # The sheets keep their English names: the how-to and the drop-down lists name them.
            Sheet("Grades", GRADE_COLUMNS.header(), grades, widths=[10, 30, 22]),
            Sheet("Entities", ENTITY_COLUMNS.header(), entities, widths=[16, 70]),
            Sheet("How to", [_("How to fill in the Staffing sheet")], how_to, widths=[90]),
        ]
    )


# --- The parity strategy tracker ----------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationRow:
    recommendation: ParityRecommendation
    updates: list[RecommendationUpdate]  # newest first

    @property
    def latest(self) -> RecommendationUpdate | None:
        return self.updates[0] if self.updates else None


@dataclass(frozen=True)
class StrategyTracker:
    entity: UNEntity
    recommendations: list[RecommendationRow]
    workforce: list[EntityWorkforceShare]  # newest first
    status_counts: list[tuple[str, int]]  # latest status → how many recommendations

    @property
    def latest_workforce(self) -> EntityWorkforceShare | None:
        return self.workforce[0] if self.workforce else None


def strategy_entities() -> QuerySet[UNEntity]:
    """Entities with parity strategy recommendations, with their number."""
    return (
        UNEntity.objects.annotate(recommendations=Count("parity_recommendations"))
        .filter(recommendations__gt=0)
        .order_by("acronym")
    )


def strategy_tracker(entity: UNEntity) -> StrategyTracker:
    """The entity's recommendations with every yearly update, and its workforce shares
    (three queries)."""
    recommendations = list(
        ParityRecommendation.objects.filter(entity=entity).prefetch_related(
            Prefetch("updates", queryset=RecommendationUpdate.objects.order_by("-year"))
        )
    )
    rows = [RecommendationRow(r, list(r.updates.all())) for r in recommendations]
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.latest:
            counts[row.latest.get_status_display()] += 1
    return StrategyTracker(
        entity=entity,
        recommendations=rows,
        workforce=list(EntityWorkforceShare.objects.filter(entity=entity).order_by("-year")),
        status_counts=sorted(counts.items(), key=lambda item: -item[1]),
    )


def strategy_workbook(tracker: StrategyTracker) -> bytes:
    """The tracker as .xlsx: one row per recommendation and year, then the workforce shares."""
    rows: list[Sequence[Any]] = []
    for row in tracker.recommendations:
        r = row.recommendation
        for update in row.updates or [None]:
            rows.append(
                [
                    r.number,
                    r.title,
                    r.text,
                    update.year if update else "",
                    update.get_status_display() if update else "",
                    update.notes if update else "",
                    update.future_plans if update else "",
                ]
            )
    workforce = [
        [share.year, share.women_percent, share.men_percent, share.scope, share.source]
        for share in tracker.workforce
    ]
    return xlsx_bytes(
        [
            Sheet(
                _("Recommendations"),
                [
                    _("No."),
                    _("Short title"),
                    _("Recommendation"),
                    _("Year"),
                    _("Status"),
                    _("Notes"),
                    _("Future plans"),
                ],
                rows,
                widths=[6, 30, 60, 8, 28, 60, 60],
                wrap=True,
            ),
            Sheet(
                _("Workforce"),
                [_("Year"), _("Women (%)"), _("Men (%)"), _("Who is counted"), _("Source")],
                workforce,
                widths=[8, 12, 12, 50, 50],
                wrap=True,
            ),
        ]
    )
