from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import countries


class Region(models.Model):
    """A UN regional grouping; reviewers are scoped to regions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class CountryTeam(models.Model):
    """A UN Country Team (UNCT): the unit that reports on the scorecard every year."""

    code = models.CharField(
        _("ISO code"), max_length=3, unique=True, help_text=_("ISO 3166-1 alpha-3, e.g. KAZ.")
    )
    name = models.CharField(_("name"), max_length=150)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="country_teams"
    )
    cf_name = models.CharField(
        _("Cooperation Framework"),
        max_length=100,
        blank=True,
        help_text=_("e.g. UNSDCF 2021-2025"),
    )
    cf_start_year = models.PositiveSmallIntegerField(_("CF first year"), null=True, blank=True)
    cf_end_year = models.PositiveSmallIntegerField(_("CF last year"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country team")
        verbose_name_plural = _("country teams")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cf_end_year__gte=models.F("cf_start_year"))
                | models.Q(cf_end_year__isnull=True)
                | models.Q(cf_start_year__isnull=True),
                name="countryteam_cf_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The country's UN name in the reader's language ("Казахстан" on a Russian page); the
        name typed by the administrator for a code outside ISO 3166."""
        return countries.name(self.code) or self.name

    @property
    def cf_period(self) -> str:
        if self.cf_start_year and self.cf_end_year:
            return f"{self.cf_start_year}–{self.cf_end_year}"
        return ""


class UNEntity(models.Model):
    """A UN entity (agency, fund, programme, office) that takes part in country teams."""

    acronym = models.CharField(_("acronym"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("UN entity")
        verbose_name_plural = _("UN entities")

    def __str__(self) -> str:
        return self.acronym


class Membership(models.Model):
    """A user's role in one country team. Every scorecard permission starts here."""

    class Role(models.TextChoices):
        IAT_MEMBER = "iat_member", _("IAT member")
        IAT_COORDINATOR = "iat_coordinator", _("IAT coordinator")
        RESIDENT_COORDINATOR = "resident_coordinator", _("Resident Coordinator")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    country_team = models.ForeignKey(
        CountryTeam,
        verbose_name=_("country team"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    entity = models.ForeignKey(
        UNEntity,
        verbose_name=_("UN entity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The entity the person works for, if any."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country_team"], name="membership_one_role_per_team"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.country_team} · {self.get_role_display()}"


class ReviewerScope(models.Model):
    """A UN Women reviewer: quality-assures submitted reports in some regions, or in all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reviewer_scope",
    )
    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True)
    is_global = models.BooleanField(
        _("all regions"), default=False, help_text=_("Reviews reports from every region.")
    )

    class Meta:
        verbose_name = _("UN Women reviewer")
        verbose_name_plural = _("UN Women reviewers")

    def __str__(self) -> str:
        return str(self.user)


class Profile(models.Model):
    """What a person chose for themselves: the language of their pages, e-mails and reports."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class Invitation(models.Model):
    """An e-mailed link that lets a person create their account with a role in one team.

    The link carries a random token; only its SHA-256 is stored, so the table gives nobody a
    working link. It works once (accepted_at), until expires_at, unless revoked."""

    email = models.EmailField(_("e-mail address"))
    country_team = models.ForeignKey(
        CountryTeam,
        verbose_name=_("country team"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(_("role"), max_length=30, choices=Membership.Role.choices)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the invitation e-mail and of the new account."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # Inviting the same address again replaces the open invitation (core.services).
            models.UniqueConstraint(
                fields=["email", "country_team"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.country_team} · {self.get_role_display()}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        """Neither accepted nor revoked, and not expired: the link still works."""
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class Notification(models.Model):
    """Something that happened which one person should know about, shown in their notification
    list (core/views.py) and counted in the navbar.

    Stored language-neutral: `message` is the English msgid (marked with gettext_noop where it
    is written) and `params` its placeholders, so the text is translated when it is shown, in
    the reader's language of that moment. A placeholder that needs translating itself is stored
    as {"msgid": …} or, for a country team's name, {"country": code, "name": fallback}
    (core/selectors.notification_text)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("message"), max_length=255)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # A path on this site (never another host): opening the notification goes there.
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The navbar's unread count on every page, and the list, newest first.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.message[:60]}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
