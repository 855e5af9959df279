"""The scorecard: the framework as versioned data, and the assessments made against it.

The framework (dimensions, PIs, lettered criteria, a rule per level) is data, loaded from
fixtures/framework_2018.json, so the official text can be replaced without a code change.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, MaxLengthEach, text_limit
from core.models import CountryTeam, UNEntity


class Rating(models.TextChoices):
    """The four ordered levels. Missing is what a PI gets when no higher rule holds."""

    MISSING = "missing", _("Missing requirements")
    APPROACHES = "approaches", _("Approaches minimum requirements")
    MEETS = "meets", _("Meets minimum requirements")
    EXCEEDS = "exceeds", _("Exceeds minimum requirements")

    @classmethod
    def ordered(cls) -> list["Rating"]:
        return [cls.MISSING, cls.APPROACHES, cls.MEETS, cls.EXCEEDS]

    @property
    def rank(self) -> int:
        return Rating.ordered().index(self)

    @property
    def short_label(self) -> str:
        """How the published reports print a level: MISSING / APPROACHING / MEETS / EXCEEDS."""
        return str(SHORT_LABELS[self])


SHORT_LABELS = {
    Rating.MISSING: _("MISSING"),
    Rating.APPROACHES: _("APPROACHING"),
    Rating.MEETS: _("MEETS"),
    Rating.EXCEEDS: _("EXCEEDS"),
}


class TextStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    TO_VERIFY = "to_verify", _("To verify")


class Framework(models.Model):
    version = models.CharField(_("version"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, **text_limit(LONG_TEXT))
    is_current = models.BooleanField(
        _("current"), default=False, help_text=_("New assessments use the current framework.")
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    # Language code → "official" or "unofficial": whose text the framework carries in that
    # language (the team's own translation until UN Women's published text is imported).
    translation_status = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name


class EvidenceCategory(models.Model):
    """A kind of supporting document. `name` is the English name, the key that files, imports and
    the API use; `label` is what a person reads, in each language (scorecard/translation.py)."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="evidence_categories"
    )
    name = models.CharField(_("name"), max_length=100)
    label = models.CharField(_("text"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("evidence category")
        verbose_name_plural = _("evidence categories")
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="evidencecategory_unique")
        ]

    def __str__(self) -> str:
        # The reader's language, else English (modeltranslation), else the key.
        return self.label or self.name


class Dimension(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=150)

    class Meta:
        ordering = ["framework", "number"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="dimension_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Indicator(models.Model):
    """A performance indicator (PI) such as 2.2 Communication & Advocacy."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField(default=0)
    short_title = models.CharField(_("short title"), max_length=150)
    statement = models.CharField(_("indicator statement"), max_length=300)
    aliases = models.JSONField(_("other titles"), default=list, blank=True)
    mov_hint = models.TextField(
        _("means of verification hint"), blank=True, **text_limit(MEDIUM_TEXT)
    )
    numeric_label = models.CharField(
        _("numeric input"),
        max_length=200,
        blank=True,
        help_text=_("Label of the percentage the team enters, if the PI's rules use one."),
    )
    evidence_categories = models.ManyToManyField(EvidenceCategory, blank=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("performance indicator")
        verbose_name_plural = _("performance indicators")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_unique_code")
        ]

    def __str__(self) -> str:
        return f"PI {self.code} {self.short_title}"


class Criterion(models.Model):
    """A lettered criterion of a PI.

    A "check" criterion is ticked by the team; a "band" criterion holds when the PI's numeric
    input lies within [min_value, max_value] (e.g. PI 4.3 (b): 47-53 % women).
    """

    class Kind(models.TextChoices):
        CHECK = "check", _("Ticked by the team")
        BAND = "band", _("Numeric band")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    letter = models.CharField(_("letter"), max_length=3)
    level = models.CharField(
        _("introduced at level"),
        max_length=20,
        choices=[c for c in Rating.choices if c[0] != Rating.MISSING],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CHECK)
    text = models.TextField(_("text"), **text_limit(MEDIUM_TEXT))
    text_status = models.CharField(
        _("text status"), max_length=20, choices=TextStatus.choices, default=TextStatus.TO_VERIFY
    )
    min_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["indicator", "order"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "code"], name="criterion_unique_code")
        ]

    def __str__(self) -> str:
        return f"({self.letter}) {self.text[:60]}"


class LevelRule(models.Model):
    """The rule that earns a PI one level, and the criteria text printed for that level."""

    class Kind(models.TextChoices):
        ALL = "all", _("All of the criteria")
        AT_LEAST_N = "at_least_n", _("At least N of the criteria")
        BAND = "band", _("Numeric input within a band")
        MEETS_PLUS = "meets_plus", _("Meets minimum requirements and the criteria")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rules")
    level = models.CharField(
        _("level"), max_length=20, choices=[c for c in Rating.choices if c[0] != Rating.MISSING]
    )
    kind = models.CharField(_("rule"), max_length=20, choices=Kind.choices)
    criteria = models.JSONField(_("criteria codes"), default=list, blank=True)
    n = models.PositiveSmallIntegerField(_("N"), null=True, blank=True)
    min_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    min_inclusive = models.BooleanField(default=True)
    max_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    max_inclusive = models.BooleanField(default=True)
    text = models.TextField(_("criteria text for this level"), **text_limit(MEDIUM_TEXT))
    text_status = models.CharField(
        _("text status"), max_length=20, choices=TextStatus.choices, default=TextStatus.TO_VERIFY
    )

    class Meta:
        verbose_name = _("level rule")
        verbose_name_plural = _("level rules")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="levelrule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.level}: {self.kind}"


class Assessment(models.Model):
    """One country team's scorecard for one year."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("Comprehensive assessment")
        ANNUAL = "annual", _("Annual progress assessment")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_ENDORSEMENT = "awaiting_endorsement", _("Awaiting UNCT endorsement")
        SUBMITTED = "submitted", _("Submitted to UN Women")
        IN_REVIEW = "in_review", _("In quality review")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")

    country_team = models.ForeignKey(
        CountryTeam,
        verbose_name=_("country team"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Seed section 5, "The UNCT-SWAP process in <country>".
    process_description = models.TextField(
        _("process"),
        blank=True,
        **text_limit(LONG_TEXT),
        help_text=_(
            "The process undertaken, the rationale for the PIs selected for reassessment, the "
            "role of the Inter-Agency Assessment Team and coordinator(s), and UNCT engagement."
        ),
    )
    participation = models.TextField(
        _("coordinators and participating entities"),
        blank=True,
        **text_limit(MEDIUM_TEXT),
        help_text=_("The coordinator(s) and the UN entities that took part in the IAT."),
    )
    additional_comments = models.TextField(
        _("additional comments"),
        blank=True,
        help_text=_("Including on country context."),
        **text_limit(LONG_TEXT),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["country_team", "-year"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["country_team", "year"], name="assessment_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.country_team} {self.year} ({self.get_kind_display()})"

    @property
    def min_reassessed(self) -> int:
        """How many PIs must be (re)assessed before the assessment can be marked complete."""
        return 15 if self.kind == self.Kind.COMPREHENSIVE else 5


class IATMember(models.Model):
    """A member of the Interagency Assessment Team, as printed in the report."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="iat_members")
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=250, blank=True)
    entity = models.ForeignKey(
        UNEntity, verbose_name=_("UN entity"), on_delete=models.PROTECT, null=True, blank=True
    )
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "order", "pk"]
        verbose_name = _("IAT member")
        verbose_name_plural = _("IAT members")

    def __str__(self) -> str:
        return self.name


# Each text of IndicatorAssessment.findings (criterion code → text): a PI has up to 5 criteria.
FINDING_MAX_LENGTH = MEDIUM_TEXT


class IndicatorAssessment(models.Model):
    """One PI's rating in one assessment: the row the team works on."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="indicator_assessments"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    suggested_rating = models.CharField(
        _("suggested rating"), max_length=20, choices=Rating.choices, default=Rating.MISSING
    )
    criteria_met = models.JSONField(_("criteria met"), default=list, blank=True)
    numeric_value = models.DecimalField(
        _("numeric input"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    findings = models.JSONField(
        _("findings per criterion"),
        default=dict,
        blank=True,
        help_text=_("criterion code → text"),
        validators=[MaxLengthEach(FINDING_MAX_LENGTH)],
    )
    explanation = models.TextField(
        _("findings and explanation"), blank=True, **text_limit(LONG_TEXT)
    )
    override_justification = models.TextField(
        _("why the rating differs from the suggestion"), blank=True, **text_limit(MEDIUM_TEXT)
    )
    means_of_verification = models.TextField(
        _("means of verification"), blank=True, **text_limit(LONG_TEXT)
    )
    reassessed = models.BooleanField(_("reassessed this year"), default=False)
    carried_from_year = models.PositiveSmallIntegerField(
        _("carried from year"),
        null=True,
        blank=True,
        help_text=_("When not reassessed: the year in which this rating was last assessed."),
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["assessment", "indicator__order"]
        verbose_name = _("PI rating")
        verbose_name_plural = _("PI ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="indicatorassessment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · PI {self.indicator.code}"

    @property
    def differs_from_suggestion(self) -> bool:
        return bool(self.rating) and self.rating != self.suggested_rating

    @property
    def is_carried(self) -> bool:
        return not self.reassessed and self.assessment.kind == Assessment.Kind.ANNUAL


class Evidence(models.Model):
    """A document (uploaded file or link) that supports a PI rating."""

    indicator_assessment = models.ForeignKey(
        IndicatorAssessment, on_delete=models.CASCADE, related_name="evidence"
    )
    category = models.ForeignKey(
        EvidenceCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    entity = models.ForeignKey(
        UNEntity,
        verbose_name=_("from UN entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text as well so the record survives the user and travels in exports.
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    order = models.PositiveIntegerField(default=0)
    # Users never delete evidence: they withdraw it, and the record stays in the history.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(
        _("why it was withdrawn"), blank=True, **text_limit(SHORT_TEXT)
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_assessment", "order", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title


class ActionPoint(models.Model):
    """An action in the UNCT-SWAP action plan, placed under its primary PI."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="action_points"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("primary PI"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("action point"), **text_limit(SHORT_TEXT))
    responsible_entity = models.ForeignKey(
        UNEntity,
        verbose_name=_("responsible entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    responsible = models.CharField(_("responsible person or group"), max_length=200, blank=True)
    timeline = models.DateField(_("timeline (due date)"), null=True, blank=True)
    resources = models.TextField(_("resources required"), blank=True, **text_limit(SHORT_TEXT))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    activities_year_1 = models.TextField(
        _("activities undertaken in year 1"), blank=True, **text_limit(SHORT_TEXT)
    )
    activities_year_2 = models.TextField(
        _("activities undertaken in year 2"), blank=True, **text_limit(SHORT_TEXT)
    )
    activities_year_3 = models.TextField(
        _("activities undertaken in year 3"), blank=True, **text_limit(SHORT_TEXT)
    )
    activities_year_4 = models.TextField(
        _("activities undertaken in year 4"), blank=True, **text_limit(SHORT_TEXT)
    )
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Users never delete action points: they withdraw them, and the record stays in the history.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(
        _("why it was withdrawn"), blank=True, **text_limit(SHORT_TEXT)
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["assessment", "indicator__order", "order", "pk"]
        verbose_name = _("action point")
        verbose_name_plural = _("action points")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def activities(self) -> list[str]:
        return [
            self.activities_year_1,
            self.activities_year_2,
            self.activities_year_3,
            self.activities_year_4,
        ]

    def clean(self) -> None:
        same_framework = (
            not self.indicator_id
            or not self.assessment_id
            or self.indicator.framework_id == self.assessment.framework_id
        )
        if not same_framework:
            raise ValidationError({"indicator": _("This PI belongs to another framework version.")})


# The workflow's steps as done (the history's words); the buttons say them as commands.
WORKFLOW_ACTION_LABELS = {
    "send_for_endorsement": _("Sent to the UNCT for endorsement"),
    "send_back_to_team": _("Sent back to the assessment team"),
    "endorse_and_submit": _("Endorsed for the UNCT and submitted to UN Women"),
    "start_review": _("Quality review started"),
    "return_for_revision": _("Returned to the team for revision"),
    "approve": _("Approved"),
    "reopen": _("Reopened"),
}


class WorkflowEvent(models.Model):
    """One step of an assessment's review workflow: who moved it, when, from where to where, why."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="workflow_events"
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(max_length=30, choices=Assessment.Status.choices)
    to_status = models.CharField(max_length=30, choices=Assessment.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True, **text_limit(MEDIUM_TEXT))
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("PIs concerned")
    )

    class Meta:
        ordering = ["assessment", "at", "pk"]
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")

    def __str__(self) -> str:
        return f"{self.assessment} {self.from_status} → {self.to_status}"

    @property
    def action_label(self) -> str:
        """What was done, in the reader's language; an action this version does not know (an
        imported record) is shown as stored rather than hidden."""
        return str(WORKFLOW_ACTION_LABELS.get(self.action, self.action))


class Comment(models.Model):
    """A review comment on one PI; replies point at their parent; a thread can be resolved."""

    indicator_assessment = models.ForeignKey(
        IndicatorAssessment, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(_("author"), max_length=150)
    body = models.TextField(_("comment"), **text_limit(MEDIUM_TEXT))
    proposed_rating = models.CharField(
        _("proposed rating"), max_length=20, choices=Rating.choices, blank=True
    )
    created_at = models.DateTimeField(_("written at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["indicator_assessment", "created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class ReopenRequest(models.Model):
    """A team's request to reopen an approved assessment, and the reviewer's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="reopen_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150)
    reason = models.TextField(_("reason"), **text_limit(SHORT_TEXT))
    requested_at = models.DateTimeField()
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True, **text_limit(SHORT_TEXT))

    class Meta:
        ordering = ["assessment", "-requested_at"]
        verbose_name = _("reopen request")
        verbose_name_plural = _("reopen requests")

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_decision_display()}"
