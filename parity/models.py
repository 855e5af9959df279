"""Gender parity: staffing counts by UN entity, grade and sex, and the parity strategy tracker.

Grades are a fixed vocabulary of the UN common system (domain.md 3.1), so they are choices with a
small lookup table here rather than a database table: every team and every year uses the same
codes, and the parity arithmetic (parity/figures.py) needs them without a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.limits import MEDIUM_TEXT, text_limit
from core.models import CountryTeam, UNEntity


class Category(models.TextChoices):
    SENIOR_LEADERSHIP = "senior_leadership", _("Senior leadership")
    DIRECTORS = "directors", _("Directors")
    PROFESSIONAL = "professional", _("Professional")
    NATIONAL_OFFICERS = "national_officers", _("National officers")
    GENERAL_SERVICE = "general_service", _("General service")
    FIELD_SERVICE = "field_service", _("Field service")
    NON_STAFF = "non_staff", _("Non-staff")


class Grade(models.TextChoices):
    """Codes as written in UN staffing tables, most senior first."""

    USG = "USG", _("Under-Secretary-General")
    ASG = "ASG", _("Assistant Secretary-General")
    D2 = "D-2", "D-2"
    D1 = "D-1", "D-1"
    P5 = "P-5", "P-5"
    P4 = "P-4", "P-4"
    P3 = "P-3", "P-3"
    P2 = "P-2", "P-2"
    P1 = "P-1", "P-1"
    NOE = "NO-E", "NO-E"
    NOD = "NO-D", "NO-D"
    NOC = "NO-C", "NO-C"
    NOB = "NO-B", "NO-B"
    NOA = "NO-A", "NO-A"
    G7 = "G-7", "G-7"
    G6 = "G-6", "G-6"
    G5 = "G-5", "G-5"
    G4 = "G-4", "G-4"
    G3 = "G-3", "G-3"
    G2 = "G-2", "G-2"
    G1 = "G-1", "G-1"
    FS7 = "FS-7", "FS-7"
    FS6 = "FS-6", "FS-6"
    FS5 = "FS-5", "FS-5"
    FS4 = "FS-4", "FS-4"
    FS3 = "FS-3", "FS-3"
    FS2 = "FS-2", "FS-2"
    FS1 = "FS-1", "FS-1"
    SC = "SC", _("Service contract")
    UNV = "UNV", _("UN Volunteer")
    OTHER = "OTHER", _("Other non-staff")


@dataclass(frozen=True)
class GradeInfo:
    code: str
    label: Any  # a lazy translation: evaluated when shown, in the user's language
    category: str
    order: int

    @property
    def is_non_staff(self) -> bool:
        return self.category == Category.NON_STAFF


def _category_of(code: str) -> str:
    if code in {"USG", "ASG"}:
        return Category.SENIOR_LEADERSHIP
    if code.startswith("D-"):
        return Category.DIRECTORS
    if code.startswith("P-"):
        return Category.PROFESSIONAL
    if code.startswith("NO-"):
        return Category.NATIONAL_OFFICERS
    if code.startswith("G-"):
        return Category.GENERAL_SERVICE
    if code.startswith("FS-"):
        return Category.FIELD_SERVICE
    return Category.NON_STAFF


# code → its label, category and position; the order is Grade's (most senior first).
GRADES: dict[str, GradeInfo] = {
    grade.value: GradeInfo(
        code=grade.value, label=grade.label, category=_category_of(grade.value), order=n
    )
    for n, grade in enumerate(Grade)
}


MIN_YEAR, MAX_YEAR = 1990, 2100  # years a snapshot may have; others are typing mistakes


class StaffingSnapshot(models.Model):
    """A country team's staffing by entity, grade and sex for one year, as of a date."""

    country_team = models.ForeignKey(
        CountryTeam,
        verbose_name=_("country team"),
        on_delete=models.PROTECT,
        related_name="staffing_snapshots",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the figures come from, e.g. 'HR focal points of 12 agencies'."),
    )
    include_non_staff = models.BooleanField(
        _("non-staff in the headline figure"),
        default=True,
        help_text=_(
            "Count service contract holders, UN Volunteers and other non-staff in the overall "
            "share of women (and in PI 4.3)."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["country_team", "-year"]
        verbose_name = _("staffing snapshot")
        verbose_name_plural = _("staffing snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["country_team", "year"], name="staffingsnapshot_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_team} {self.year}"


class StaffingCount(models.Model):
    """How many women and men (and people who did not disclose) one entity has at one grade."""

    snapshot = models.ForeignKey(StaffingSnapshot, on_delete=models.CASCADE, related_name="counts")
    entity = models.ForeignKey(
        UNEntity, verbose_name=_("UN entity"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    women = models.IntegerField(_("women"), default=0)
    men = models.IntegerField(_("men"), default=0)
    not_disclosed = models.IntegerField(_("not disclosed"), default=0)

    class Meta:
        ordering = ["snapshot", "entity__acronym", "grade"]
        verbose_name = _("staffing count")
        verbose_name_plural = _("staffing counts")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "entity", "grade"], name="staffingcount_one_per_entity_grade"
            ),
            models.CheckConstraint(
                condition=models.Q(women__gte=0, men__gte=0, not_disclosed__gte=0),
                name="staffingcount_counts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} · {self.entity} · {self.grade}"


# --- The parity strategy tracker ----------------------------------------------------------------


class ParityRecommendation(models.Model):
    """A recommendation of the SG's System-wide Strategy on Gender Parity addressed to an entity."""

    entity = models.ForeignKey(
        UNEntity,
        verbose_name=_("UN entity"),
        on_delete=models.PROTECT,
        related_name="parity_recommendations",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("short title"), max_length=200, blank=True)
    text = models.TextField(_("recommendation"), **text_limit(MEDIUM_TEXT))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["entity__acronym", "order", "number"]
        verbose_name = _("parity strategy recommendation")
        verbose_name_plural = _("parity strategy recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], name="parityrecommendation_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} #{self.number} {self.title}".strip()


class RecommendationUpdate(models.Model):
    """Where a recommendation stood in one year, as the entity reported it."""

    class Status(models.TextChoices):
        COMPLETED_ONGOING = "completed_ongoing", _("Completed and implementation ongoing")
        COMPLETED_EFFORTS_ONGOING = (
            "completed_efforts_ongoing",
            _("Completed / implementation efforts ongoing"),
        )
        IN_PROGRESS = "in_progress", _("In progress")
        NOT_STARTED = "not_started", _("Not started")

    recommendation = models.ForeignKey(
        ParityRecommendation, on_delete=models.CASCADE, related_name="updates"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    notes = models.TextField(_("notes"), blank=True, **text_limit(MEDIUM_TEXT))
    future_plans = models.TextField(_("future plans"), blank=True, **text_limit(MEDIUM_TEXT))

    class Meta:
        ordering = ["recommendation", "-year"]
        verbose_name = _("recommendation update")
        verbose_name_plural = _("recommendation updates")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "year"], name="recommendationupdate_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} · {self.year}"


class EntityWorkforceShare(models.Model):
    """An entity's own workforce by sex in one year, as it reported it (seed 000: 74 % / 26 %)."""

    entity = models.ForeignKey(
        UNEntity,
        verbose_name=_("UN entity"),
        on_delete=models.PROTECT,
        related_name="workforce_shares",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    women_percent = models.DecimalField(_("women (%)"), max_digits=5, decimal_places=2)
    men_percent = models.DecimalField(_("men (%)"), max_digits=5, decimal_places=2)
    scope = models.CharField(
        _("who is counted"),
        max_length=300,
        blank=True,
        help_text=_("e.g. staff, consultants, contractors, UN Volunteers, interns"),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["entity__acronym", "-year"]
        verbose_name = _("entity workforce share")
        verbose_name_plural = _("entity workforce shares")
        constraints = [
            models.UniqueConstraint(fields=["entity", "year"], name="workforceshare_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(
                    women_percent__gte=0,
                    men_percent__gte=0,
                    women_percent__lte=100,
                    men_percent__lte=100,
                ),
                name="workforceshare_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.year}: {self.women_percent} % women"
