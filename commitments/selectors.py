"""Reads that the public dashboard, exports, the maker pages and the scorecard PI page share.

Each function does its own select_related/prefetch_related, so a page costs the same number of
queries whatever the number of commitments (tests/commitments/test_query_counts.py pins it).
Totals and charts are computed in the database over the filtered set (by primary key, so joins for
the filters can never count a commitment twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy

from core import countries
from core.models import CountryTeam
from core.permissions import country_teams_visible_to
from core.tabular import Column, Columns, yes_no
from scorecard.models import ActionPoint, IndicatorAssessment

from .models import (
    STRONG_CRITERIA,
    ActionCoalition,
    Commitment,
    CommitmentMaker,
    CommitmentType,
    CompactArea,
    MakerMembership,
    ProgressReport,
)

# The columns of the import template and of the exports, in this order; exports add EXTRA_COLUMNS
# (which the import ignores), so an export can be imported again. Headers are written in the
# user's language and read back in any language or as the keys (core.tabular.Columns.key_for).
# The maker category, Action Coalitions, types and status are written as people read them (labels
# in the user's language, coalition names); the import reads them back in any language, or as
# the codes a script writes. Country, Compact area letters and currency are codes people use.
IMPORT_COLUMNS = Columns(
    Column("maker", gettext_lazy("Commitment maker")),
    Column("maker_category", gettext_lazy("Maker category")),
    Column("country", gettext_lazy("Country")),
    Column("title", gettext_lazy("Title")),
    Column("description", gettext_lazy("Description")),
    Column("coalitions", gettext_lazy("Action Coalitions")),
    Column("compact_areas", gettext_lazy("WPS-HA Compact areas")),
    Column("types", gettext_lazy("Types")),
    Column("start_year", gettext_lazy("Start year")),
    Column("end_year", gettext_lazy("End year")),
    Column("amount", gettext_lazy("Amount")),
    Column("currency", gettext_lazy("Currency")),
    Column("geography", gettext_lazy("Geography")),
    Column("status", gettext_lazy("Status")),
    # The five criteria: yes/no in the user's language.
    *(Column(name, label) for name, label, _help in STRONG_CRITERIA),
)
EXTRA = Columns(
    Column("id", gettext_lazy("ID")),
    Column("country_name", gettext_lazy("Country name")),
    Column("strong_commitment", gettext_lazy("Strong commitment")),
    Column("country_team", gettext_lazy("Country team")),
    Column("latest_report_year", gettext_lazy("Latest report")),
)
EXPORT_COLUMNS = IMPORT_COLUMNS + EXTRA
COLUMNS = IMPORT_COLUMNS.keys
EXTRA_COLUMNS = EXTRA.keys
LIST_SEPARATOR = ";"


def coalitions() -> list[ActionCoalition]:
    return list(ActionCoalition.objects.all())


def compact_areas() -> list[CompactArea]:
    return list(CompactArea.objects.all())


# --- Filtering ------------------------------------------------------------------------------


def with_types_text(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """The JSON list of types as text, to filter on it the same way on SQLite and PostgreSQL."""
    return queryset.annotate(types_text=Cast("types", output_field=TextField()))


def has_type_q(value: str) -> Q:
    """Commitments of one type; the services store only known slugs, so "slug" matches exactly."""
    return Q(types_text__contains=f'"{value}"')


def public_commitments() -> QuerySet[Commitment]:
    """Every commitment, as the public dashboard lists them (filters apply on top)."""
    return with_types_text(Commitment.objects.all())


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of the makers' countries, for the dashboard's country filter: UN names in the
    active language, the stored name for a country team's own code outside ISO 3166."""
    pairs = (
        CommitmentMaker.objects.exclude(country_code="")
        .values_list("country_code", "country_name")
        .distinct()
    )
    named = {(code, countries.name(code) or stored) for code, stored in pairs}
    return sorted(named, key=lambda pair: pair[1].casefold())


# --- Dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    commitments: int
    makers: int
    strong: int
    # (currency, total amount, number of commitments) per currency, never summed across them.
    amounts: list[tuple[str, Decimal, int]] = field(default_factory=list)


def _by_pk(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return with_types_text(Commitment.objects.filter(pk__in=queryset.values("pk")))


def totals(queryset: QuerySet[Commitment]) -> Totals:
    base = _by_pk(queryset)
    all_criteria = Q(**{name: True for name, _label, _help in STRONG_CRITERIA})
    counts = base.aggregate(
        n=Count("pk"),
        makers=Count("maker", distinct=True),
        strong=Count("pk", filter=all_criteria),
    )
    amounts = (
        base.exclude(amount__isnull=True)
        .values("currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("currency")
    )
    return Totals(
        commitments=counts["n"],
        makers=counts["makers"],
        strong=counts["strong"],
        amounts=[(row["currency"], row["total"], row["n"]) for row in amounts],
    )


def count_by_coalition(queryset: QuerySet[Commitment]) -> list[tuple[ActionCoalition, int]]:
    """Every coalition (in order) with how many of the given commitments are under it."""
    ids = queryset.values("pk")
    # Explicit order: Meta.ordering does not apply to aggregating queries.
    rows = ActionCoalition.objects.annotate(
        n=Count("commitments", filter=Q(commitments__in=ids), distinct=True)
    ).order_by("order", "name")
    return [(coalition, coalition.n) for coalition in rows]


def count_by_compact_area(queryset: QuerySet[Commitment]) -> list[tuple[CompactArea, int]]:
    ids = queryset.values("pk")
    rows = CompactArea.objects.annotate(
        n=Count("commitments", filter=Q(commitments__in=ids), distinct=True)
    ).order_by("letter")
    return [(area, area.n) for area in rows]


def count_by_type(queryset: QuerySet[Commitment]) -> list[tuple[CommitmentType, int]]:
    counts = _by_pk(queryset).aggregate(
        **{t.value: Count("pk", filter=has_type_q(t.value)) for t in CommitmentType}
    )
    return [(t, counts[t.value]) for t in CommitmentType]


def listed(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """What a list or an export shows of each commitment, in two extra queries in all."""
    return queryset.select_related("maker", "country_team").prefetch_related(
        "coalitions", "compact_areas"
    )


# --- Export ---------------------------------------------------------------------------------


def export_rows(queryset: QuerySet[Commitment]) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per commitment, in the active language; the first columns are the
    import template's."""
    commitments = listed(_by_pk(queryset)).annotate(latest_report=Max("progress_reports__year"))
    header = EXPORT_COLUMNS.header()
    rows = []
    for c in commitments:
        rows.append(
            [
                c.maker.name,
                c.maker.get_category_display(),
                c.maker.country_code,
                c.title,
                c.description,
                LIST_SEPARATOR.join(x.name for x in c.coalitions.all()),
                LIST_SEPARATOR.join(a.letter for a in c.compact_areas.all()),
                LIST_SEPARATOR.join(c.type_labels),
                c.start_year,
                c.end_year,
                c.amount,
                c.currency,
                c.geography,
                c.get_status_display(),
                *[yes_no(getattr(c, name)) for name, _label, _help in STRONG_CRITERIA],
                c.pk,
                c.maker.country,  # the UN name in the reader's language
                yes_no(c.is_strong),
                c.country_team.code if c.country_team else "",
                c.latest_report or "",
            ]
        )
    return header, rows


# --- Pages ----------------------------------------------------------------------------------


def progress_reports_for(commitment: Commitment) -> list[ProgressReport]:
    return list(commitment.progress_reports.order_by("-year"))


def commitments_of_maker(maker: CommitmentMaker) -> list[Commitment]:
    return list(
        listed(Commitment.objects.filter(maker=maker)).prefetch_related(
            Prefetch("progress_reports", queryset=ProgressReport.objects.order_by("-year"))
        )
    )


@dataclass(frozen=True)
class MakerDesk:
    """One maker on a user's "My commitments" page: its commitments and the reports missing."""

    maker: CommitmentMaker
    role: str
    commitments: list[Commitment]
    # (year, commitments without a progress report for that year), for the years asked about.
    missing: list[tuple[int, list[Commitment]]]


def makers_of_user(user: User | AnonymousUser, *, years: Iterable[int]) -> list[MakerDesk]:
    """The makers the user has a role for, each with its commitments and missing reports."""
    if not user.is_authenticated:
        return []
    memberships = (
        MakerMembership.objects.filter(user=user)
        .select_related("maker")
        .prefetch_related(
            Prefetch(
                "maker__commitments",
                queryset=Commitment.objects.prefetch_related(
                    Prefetch("progress_reports", queryset=ProgressReport.objects.order_by("-year")),
                ).order_by("-start_year", "title"),
            )
        )
        .order_by("maker__name")
    )
    desks = []
    for membership in memberships:
        commitments = list(membership.maker.commitments.all())
        missing = [(year, [c for c in commitments if _report_due(c, year)]) for year in years]
        desks.append(
            MakerDesk(
                maker=membership.maker,
                role=membership.role,
                commitments=commitments,
                missing=[(year, due) for year, due in missing if due],
            )
        )
    return desks


def _report_due(commitment: Commitment, year: int) -> bool:
    """Due: the year is within the commitment's period, it is not discontinued, no report yet."""
    return (
        commitment.start_year <= year <= commitment.end_year
        and commitment.status != Commitment.Status.DISCONTINUED
        and all(r.year != year for r in commitment.progress_reports.all())
    )


@dataclass(frozen=True)
class MissingReports:
    maker: CommitmentMaker
    commitments: list[Commitment]


def makers_missing_report(year: int) -> list[MissingReports]:
    """Makers with at least one commitment running in `year` (not discontinued) that has no
    progress report for `year`, with those commitments; ordered by maker name."""
    missing = (
        Commitment.objects.filter(start_year__lte=year, end_year__gte=year)
        .exclude(status=Commitment.Status.DISCONTINUED)
        .exclude(progress_reports__year=year)
        .select_related("maker")
        .order_by("maker__name", "title")
    )
    grouped: dict[int, MissingReports] = {}
    for commitment in missing:
        entry = grouped.setdefault(
            commitment.maker_id, MissingReports(maker=commitment.maker, commitments=[])
        )
        entry.commitments.append(commitment)
    return list(grouped.values())


def commitments_for_indicator_assessment(row: IndicatorAssessment) -> list[Commitment]:
    """Commitments cited for a PI rating: linked to the rating itself, or to an action point of
    the same assessment placed under the same PI. For the scorecard's PI page."""
    return list(
        Commitment.objects.filter(
            Q(indicator_assessment=row)
            | Q(
                action_point__assessment_id=row.assessment_id,
                action_point__indicator_id=row.indicator_id,
            )
        )
        .select_related("maker")
        .prefetch_related("coalitions", "compact_areas")
        .order_by("maker__name", "title")
    )


# --- Choices for the commitment form ------------------------------------------------------


def linkable_indicator_assessments(
    user: User | AnonymousUser, *, include: Iterable[int] = ()
) -> QuerySet[IndicatorAssessment]:
    """PI ratings of the country teams the user may see (plus `include`, the current link)."""
    teams = country_teams_visible_to(user).values("pk")
    return (
        IndicatorAssessment.objects.filter(
            Q(assessment__country_team__in=teams) | Q(pk__in=list(include))
        )
        .select_related("assessment__country_team", "indicator")
        .order_by("assessment__country_team__name", "-assessment__year", "indicator__order")
    )


def linkable_action_points(
    user: User | AnonymousUser, *, include: Iterable[int] = ()
) -> QuerySet[ActionPoint]:
    teams = country_teams_visible_to(user).values("pk")
    return (
        ActionPoint.objects.filter(Q(assessment__country_team__in=teams) | Q(pk__in=list(include)))
        .select_related("assessment__country_team", "indicator")
        .order_by(
            "assessment__country_team__name", "-assessment__year", "indicator__order", "order"
        )
    )


def linkable_country_teams(
    user: User | AnonymousUser, *, include: Iterable[int] = ()
) -> QuerySet[CountryTeam]:
    visible = country_teams_visible_to(user).values("pk")
    return CountryTeam.objects.filter(Q(pk__in=visible) | Q(pk__in=list(include))).order_by("name")
