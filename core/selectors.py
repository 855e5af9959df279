"""Reads about people: a team's members and open invitations, a user's own account (its API
token too), and the invitation behind a link or an e-mail address (also used by sign-in that
verifies e-mail)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from . import countries
from .models import CountryTeam, Invitation, Membership, Notification


def token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link points at, whatever its state (None when there is none)."""
    if not token:
        return None
    return (
        Invitation.objects.select_related("country_team", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_problem(invitation: Invitation | None) -> str:
    """Why the invitation's link cannot be used (unknown, used, withdrawn, expired), else an
    empty string."""
    if invitation is None:
        return _(
            "This invitation link is not valid. Check that you copied all of it, or ask for a "
            "new invitation."
        )
    if invitation.accepted_at is not None:
        return _(
            "This invitation has already been used. Log in with the account it created, or "
            "ask for a new invitation."
        )
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn. Ask your team's coordinator for a new one.")
    if invitation.is_expired:
        expired = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
        return _(
            "This invitation expired on %(date)s. Ask your team's coordinator for a new one."
        ) % {"date": expired}
    return ""


def _pending() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("country_team", "invited_by").filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def pending_invitations_for_email(email: str) -> list[Invitation]:
    """Every invitation still usable for this address (any team), newest first: a sign-in that
    verified the person's e-mail (OpenID Connect) accepts them (accept_invitation_for_user)."""
    if not email:
        return []
    return list(_pending().filter(email__iexact=email.strip()).order_by("-created_at", "-pk"))


def team_members(team: CountryTeam) -> list[Membership]:
    """The team's members, by name."""
    return list(
        Membership.objects.filter(country_team=team)
        .select_related("user", "entity")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def open_invitations(team: CountryTeam) -> list[Invitation]:
    """The team's invitations neither accepted nor revoked (expired ones too, marked so), newest
    first."""
    return list(
        Invitation.objects.filter(
            country_team=team, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def memberships_of(user: User) -> list[Membership]:
    """The user's roles, one per country team, by team name."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("country_team", "entity")
        .order_by("country_team__name")
    )


def api_token_of(user: User) -> Token | None:
    """The user's API token, if they have one."""
    return Token.objects.filter(user=user).first()


# --- Notifications ---------------------------------------------------------------------------


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another's)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread: one COUNT (the navbar's badge)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_count_for_request(request: Any) -> int:
    """unread_count for the request's user, counted once per request (the navbar's link and
    the notification page share it)."""
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = unread_count(request.user)
        request._unread_notifications = cached
    return cached


def _param(value: Any) -> Any:
    if isinstance(value, dict):
        if "msgid" in value:
            return gettext(str(value["msgid"])) if value["msgid"] else ""
        if "country" in value:
            return countries.name(str(value["country"])) or value.get("name") or value["country"]
    return value


def notification_text(notification: Notification) -> str:
    """The notification in the active language: its msgid translated, its placeholders filled
    (those that need it translated too). A translation whose placeholders do not fit falls
    back to the English text rather than failing the page."""
    if not notification.message:
        return ""
    params = {key: _param(value) for key, value in (notification.params or {}).items()}
    for text in (gettext(notification.message), notification.message):
        try:
            return text % params
        except (KeyError, ValueError, TypeError):
            continue
    return notification.message
