"""The Knowledge Hub: evidence and good practices a country team chose to share.

An item starts inside its team (proposed), is agreed by the team's IAT coordinator, and is
published by a UN Women reviewer of the team's region or an administrator. Only published
items ever leave the team (hub/permissions.py, hub/selectors.py). Files are copies
(PracticeFile): the team's evidence and the hub's item change independently.

Search: `search_text` holds the text that is searched on every database (icontains on SQLite);
on PostgreSQL `search_vector` holds its tsvector, computed by the service with the item's
language configuration, and migration 0001 adds GIN indexes (the vector, and trigrams on the
title) on PostgreSQL only (see docs/knowledge-hub.md).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, text_limit
from core.models import CountryTeam
from scorecard.models import Dimension, Evidence, Indicator, Rating


class Practice(models.Model):
    """One item of the hub: a team's evidence item or a good practice it wrote."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed by the team")
        PUBLISHED = "published", _("Published")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RETIRED = "retired", _("Retired")

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("Evidence")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    country_team = models.ForeignKey(
        CountryTeam,
        verbose_name=_("country team"),
        on_delete=models.PROTECT,
        related_name="hub_practices",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as text as well so the record survives the user.
    author_name = models.CharField(_("author"), max_length=150, blank=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), **text_limit(MEDIUM_TEXT))
    what_done = models.TextField(_("what was done"), blank=True, **text_limit(LONG_TEXT))
    result = models.TextField(_("the result"), blank=True, **text_limit(LONG_TEXT))
    indicators = models.ManyToManyField(
        Indicator,
        through="PracticeIndicator",
        verbose_name=_("performance indicators"),
        related_name="+",
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("dimension"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # One of the six UN languages: it decides how the item's text is stemmed for search.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    anonymous = models.BooleanField(
        _("publish without the team's name"),
        default=False,
        help_text=_("The team, its region and its rating are not shown."),
    )
    featured = models.BooleanField(_("featured"), default=False)
    # For reference only: the hub keeps its own copy, and the evidence may be withdrawn.
    source_evidence = models.ForeignKey(
        Evidence, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    search_text = models.TextField(blank=True, editable=False)
    # PostgreSQL only in use: filled by hub.services, NULL on SQLite (where the column has the
    # type name "tsvector", which SQLite accepts and never reads).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("hub item")
        verbose_name_plural = _("hub items")
        indexes = [models.Index(fields=["status", "-published_at"], name="hub_status_pub")]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_team(self) -> CountryTeam | None:
        """The team as others may see it: nobody for an item published anonymously (its region
        and ratings are hidden with it)."""
        return None if self.anonymous else self.country_team


class PracticeIndicator(models.Model):
    """A PI the item serves, with the team's rating for it when the item was proposed."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "indicator"], name="hub_practice_pi_once")
        ]

    def __str__(self) -> str:
        return f"{self.practice_id}: {self.indicator_id}"


class PracticeFile(models.Model):
    """The hub's own copy of a file: it outlives the team's evidence, and the other way round."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="hub/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    # The file's text (PDF, Office, plain text), read once when the file is stored
    # (hub/text.py, bounded to text.MAX_CHARS): searched with the item's own text.
    text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class PracticeLink(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("link"), max_length=1000)
    title = models.CharField(_("title"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title or self.url


class PracticeEvent(models.Model):
    """Every step of an item, for its history."""

    class Action(models.TextChoices):
        PROPOSE = "propose", _("Proposed")
        AGREE = "agree", _("Agreed by the team")
        REFUSE_TEAM = "refuse_team", _("Refused by the team")
        PUBLISH = "publish", _("Published")
        REFUSE_REVIEW = "refuse_review", _("Refused by UN Women")
        WITHDRAW = "withdraw", _("Withdrawn")
        FEATURE = "feature", _("Featured")
        UNFEATURE = "unfeature", _("No longer featured")
        RETIRE = "retire", _("Retired")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Practice.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Practice.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_name = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True, **text_limit(SHORT_TEXT))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"
