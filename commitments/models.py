"""Generation Equality commitments: who committed what to which Action Coalition or Compact area,
and what they report each year (seed 002, the Action Coalitions FAQ; domain reference section 4).

The rules a commitment must follow (duration, financial amount, at least one coalition or area,
links to the scorecard) live in services.py, where every write goes through them.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core import countries
from core.limits import LONG_TEXT, MEDIUM_TEXT, text_limit
from core.models import CountryTeam
from scorecard.models import ActionPoint, IndicatorAssessment

MAX_YEARS = 5  # FAQ Q9, Q12, Q16: leaders commit for 5 years; makers for 1 to 5 years.


class ActionCoalition(models.Model):
    """One of the six Generation Equality Action Coalitions (reference data)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("Action Coalition")
        verbose_name_plural = _("Action Coalitions")

    def __str__(self) -> str:
        return self.name


class CompactArea(models.Model):
    """A thematic area (A–E) of the Women, Peace & Security and Humanitarian Action Compact."""

    letter = models.CharField(_("letter"), max_length=1, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["letter"]
        verbose_name = _("WPS-HA Compact area")
        verbose_name_plural = _("WPS-HA Compact areas")

    def __str__(self) -> str:
        return f"{self.letter}. {self.name}"


class MakerCategory(models.TextChoices):
    """FAQ Q17: who can make commitments."""

    MEMBER_STATE = "member_state", _("Member State or other government entity")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    PHILANTHROPY = "philanthropy", _("Philanthropic organisation")
    INTERNATIONAL = "international", _("UN or other international/regional organisation")
    CIVIL_SOCIETY = "civil_society", _("Women's and feminist organisation or civil society")
    YOUTH = "youth", _("Youth-led organisation")
    OTHER = "other", _("Other institution")


class CommitmentMaker(models.Model):
    """A government, organisation or company that makes commitments; possibly a coalition leader."""

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=MakerCategory.choices)
    # Both kept as text: makers from countries without a country team are the common case. Empty
    # for global makers (an international organisation, a global fund).
    country_code = models.CharField(
        _("country code"), max_length=3, blank=True, help_text=_("ISO 3166-1 alpha-3, e.g. KAZ.")
    )
    country_name = models.CharField(_("country"), max_length=100, blank=True)
    leads = models.ManyToManyField(
        ActionCoalition,
        verbose_name=_("leads the Action Coalitions"),
        blank=True,
        related_name="leaders",
    )
    country_team = models.ForeignKey(
        CountryTeam,
        verbose_name=_("country team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitment_makers",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commitment maker")
        verbose_name_plural = _("commitment makers")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="commitmentmaker_unique_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def country(self) -> str:
        """The country's UN name in the reader's language; the stored name for a country team's
        own code outside ISO 3166 (the demo's fictional country)."""
        return countries.name(self.country_code) or self.country_name


class MakerMembership(models.Model):
    """A user's role for one commitment maker: editors file and update its commitments."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="maker_memberships",
    )
    maker = models.ForeignKey(
        CommitmentMaker,
        verbose_name=_("commitment maker"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("maker membership")
        verbose_name_plural = _("maker memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "maker"], name="makermembership_one_per_maker")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.maker} · {self.get_role_display()}"


class CommitmentType(models.TextChoices):
    """FAQ Q6. Stored as a JSON list on the commitment: the four types are fixed by the Forum."""

    FINANCIAL = "financial", _("Financial")
    ADVOCACY = "advocacy", _("Advocacy")
    POLICY = "policy", _("Policy")
    PROGRAMMATIC = "programmatic", _("Programmatic")


# FAQ Q7: the five criteria of a strong commitment, in the FAQ's order (field name, label, help).
STRONG_CRITERIA = (
    (
        "impact",
        _("Potential for impact"),
        _("Aims at significant, transformative change in women's and girls' lives."),
    ),
    (
        "funding",
        _("Funding"),
        _("Resourced by new and scaled funds, clearly expressed and integrated into budgets."),
    ),
    (
        "endorsement",
        _("Level of endorsement"),
        _("Endorsed at the highest level (e.g. Head of State or Government)."),
    ),
    (
        "collective",
        _("Collective nature"),
        _("Designed collectively by several stakeholders."),
    ),
    (
        "smart",
        _("SMART"),
        _("Specific, measurable, attainable, relevant and time-bound."),
    ),
)


class Commitment(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        DISCONTINUED = "discontinued", _("Discontinued")

    maker = models.ForeignKey(
        CommitmentMaker,
        verbose_name=_("commitment maker"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, **text_limit(MEDIUM_TEXT))
    coalitions = models.ManyToManyField(
        ActionCoalition, verbose_name=_("Action Coalitions"), blank=True, related_name="commitments"
    )
    compact_areas = models.ManyToManyField(
        CompactArea, verbose_name=_("WPS-HA Compact areas"), blank=True, related_name="commitments"
    )
    types = models.JSONField(_("types"), default=list, blank=True)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    amount = models.DecimalField(
        _("financial amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO 4217, e.g. USD.")
    )
    geography = models.CharField(
        _("geography"),
        max_length=300,
        blank=True,
        help_text=_("Where the commitment is implemented: a country, a region, or global."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    impact = models.BooleanField(_("potential for impact"), default=False)
    funding = models.BooleanField(_("funding"), default=False)
    endorsement = models.BooleanField(_("level of endorsement"), default=False)
    collective = models.BooleanField(_("collective nature"), default=False)
    smart = models.BooleanField(_("SMART"), default=False)
    country_team = models.ForeignKey(
        CountryTeam,
        verbose_name=_("country team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    indicator_assessment = models.ForeignKey(
        IndicatorAssessment,
        verbose_name=_("PI rating"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-start_year", "maker__name", "title"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="commitment_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) | models.Q(amount__isnull=True),
                name="commitment_amount_positive",
            ),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["start_year"])]

    def __str__(self) -> str:
        return self.title

    @property
    def criteria(self) -> list[tuple[str, str, bool]]:
        """(field, label, holds) for each of the five strong-commitment criteria."""
        return [(name, str(label), getattr(self, name)) for name, label, _help in STRONG_CRITERIA]

    @property
    def is_strong(self) -> bool:
        """All five criteria of FAQ Q7 hold."""
        return all(getattr(self, name) for name, _label, _help in STRONG_CRITERIA)

    @property
    def duration_years(self) -> int:
        return self.end_year - self.start_year + 1

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def type_labels(self) -> list[str]:
        return [str(CommitmentType(t).label) for t in self.types if t in CommitmentType.values]

    @property
    def is_financial(self) -> bool:
        return CommitmentType.FINANCIAL in self.types


class ProgressReport(models.Model):
    """What a maker reports on one commitment for one year (the annual reporting of FAQ Q15)."""

    class ProgressStatus(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DELAYED = "delayed", _("Delayed")
        COMPLETED = "completed", _("Completed")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress_reports"
    )
    year = models.PositiveSmallIntegerField(_("year reported on"))
    progress_status = models.CharField(
        _("progress status"), max_length=20, choices=ProgressStatus.choices
    )
    narrative = models.TextField(_("narrative"), blank=True, **text_limit(LONG_TEXT))
    amount_disbursed = models.DecimalField(
        _("amount disbursed"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text as well so the record survives the user (as Evidence.uploaded_by_name does).
    reported_by_name = models.CharField(_("reported by"), max_length=150, blank=True)
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        ordering = ["commitment", "-year"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "year"], name="progressreport_one_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_disbursed__gte=0)
                | models.Q(amount_disbursed__isnull=True),
                name="progressreport_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} · {self.year}"


class ReportReminder(models.Model):
    """A reminder e-mailed to a maker's editors about a missing report; one per maker and year."""

    maker = models.ForeignKey(
        CommitmentMaker, on_delete=models.CASCADE, related_name="report_reminders"
    )
    year = models.PositiveSmallIntegerField(_("year reported on"))
    recipients = models.JSONField(_("sent to"), default=list)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-year", "maker__name"]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(fields=["maker", "year"], name="reportreminder_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.maker} · {self.year}"
