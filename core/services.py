"""Writes for country teams, entities, memberships and people's preferences; invitations and
the mails about accounts (password reset, invitation, access given); personal API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from . import languages, selectors
from .mail import send_in_their_languages
from .models import (
    CountryTeam,
    Invitation,
    Membership,
    Notification,
    Profile,
    Region,
    UNEntity,
)
from .permissions import can_invite, can_remove_member


@transaction.atomic
def load_reference_data(*, document: Mapping[str, Any]) -> tuple[int, int]:
    """Create or update regions and UN entities from fixtures/reference.json; safe to re-run."""
    for region in document.get("regions", []):
        Region.objects.update_or_create(code=region["code"], defaults={"name": region["name"]})
    for entity in document.get("entities", []):
        UNEntity.objects.update_or_create(
            acronym=entity["acronym"], defaults={"name": entity["name"]}
        )
    return len(document.get("regions", [])), len(document.get("entities", []))


def set_membership(
    *, user: User, country_team: CountryTeam, role: str, entity: UNEntity | None = None
) -> Membership:
    """Give a user their (single) role in a country team, replacing any earlier one."""
    membership, _created = Membership.objects.update_or_create(
        user=user, country_team=country_team, defaults={"role": role, "entity": entity}
    )
    return membership


def set_language(*, user: User, language: str) -> Profile:
    """Keep the user's language on their profile: their pages, e-mails and reports follow it."""
    if not languages.is_supported(language):
        raise ValidationError(
            {
                "language": _("“%(code)s” is not one of the platform's languages.")
                % {"code": language}
            }
        )
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile


# --- Accounts: password reset mail ---------------------------------------------------------


def _site_link(path: str) -> str:
    """An absolute link for an e-mail, always on SITE_URL: never the Host header a request
    brought (a forged one would send people's reset links elsewhere)."""
    return settings.SITE_URL.rstrip("/") + path


def _name(user: User | None) -> str:
    if user is None:
        return _("An administrator")
    return user.get_full_name() or user.get_username()


def send_password_reset(*, user: User, uidb64: str, token: str) -> int:
    """Mail the user a one-time link to choose a new password, in their language, after the
    commit (core.mail). The link's address comes from SITE_URL."""
    link = _site_link(reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)

    def compose() -> tuple[str, str]:
        subject = _("UNCT-SWAP: choose a new password")
        text = "\n\n".join(
            [
                _("Someone, probably you, asked for a new password for the account %(username)s.")
                % {"username": user.get_username()},
                ngettext(
                    "To choose one, open this link. It works once, within %(days)s day:",
                    "To choose one, open this link. It works once, within %(days)s days:",
                    days,
                )
                % {"days": days},
                link,
                _("If you did not ask for it, ignore this message: your password stays as it is."),
            ]
        )
        return subject, text

    return send_in_their_languages([(user.email, languages.language_of(user))], compose)


# --- Invitations ---------------------------------------------------------------------------


def _normalized_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from error
    return email


@transaction.atomic
def invite(
    *, by: User, email: str, country_team: CountryTeam, role: str, language: str = ""
) -> Invitation | Membership:
    """Invite a person to the team with a role (administrators: any team and role; the team's
    IAT coordinator: IAT members and viewers).

    A person who already has an active account with this address gets the role at once and an
    e-mail saying so (the Membership is returned). Anyone else gets an invitation link by e-mail,
    valid INVITATION_DAYS days, in `language` (the Invitation is returned, its one-time token on
    its `token` attribute; only the token's hash is stored). Inviting the same address to the
    same team again replaces the open invitation: a new link and a new expiry date."""
    if not can_invite(by, country_team.pk, role):
        raise PermissionDenied
    email = _normalized_email(email)
    accounts = list(User.objects.filter(email__iexact=email).order_by("-is_active", "pk"))
    if accounts and accounts[0].is_active:
        user = accounts[0]
        current = Membership.objects.filter(user=user, country_team=country_team).first()
        if current is not None:
            raise ValidationError(
                {
                    "email": _("%(email)s is already a member of this team, as %(role)s.")
                    % {"email": email, "role": current.get_role_display()}
                }
            )
        membership = Membership.objects.create(user=user, country_team=country_team, role=role)
        _mail_access_given(membership, by)
        return membership
    if accounts:
        raise ValidationError(
            {
                "email": _(
                    "The account of %(email)s is deactivated: only an administrator can "
                    "reactivate it."
                )
                % {"email": email}
            }
        )
    now = timezone.now()
    Invitation.objects.filter(
        email=email, country_team=country_team, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now, revoked_by=by)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        country_team=country_team,
        role=role,
        language=language if languages.is_supported(language) else "",
        token_hash=selectors.token_hash(token),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )
    invitation.token = token  # type: ignore[attr-defined] -- for the caller; never stored
    _mail_invitation(invitation, token)
    return invitation


def _mail_invitation(invitation: Invitation, token: str) -> int:
    link = _site_link(reverse("core:invitation", kwargs={"token": token}))
    team = invitation.country_team

    def compose() -> tuple[str, str]:
        subject = _("UNCT-SWAP: an invitation to join %(team)s") % {"team": team.display_name}
        expires = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
        text = "\n\n".join(
            [
                _(
                    "%(name)s invites you to the UNCT-SWAP Gender Equality Scorecard, "
                    "as %(role)s of %(team)s."
                )
                % {
                    "name": _name(invitation.invited_by),
                    "role": invitation.get_role_display(),
                    "team": team.display_name,
                },
                _(
                    "To accept, open this link and choose a username and a password. "
                    "It works once, until %(date)s:"
                )
                % {"date": expires},
                link,
                _("If you did not expect this invitation, you can ignore this message."),
            ]
        )
        return subject, text

    return send_in_their_languages([(invitation.email, invitation.language)], compose)


def _mail_access_given(membership: Membership, by: User) -> int:
    user = membership.user
    team = membership.country_team
    link = _site_link(reverse("scorecard:team", kwargs={"code": team.code}))

    def compose() -> tuple[str, str]:
        subject = _("UNCT-SWAP: you now have access to %(team)s") % {"team": team.display_name}
        text = "\n\n".join(
            [
                _("%(name)s gave you the role %(role)s in %(team)s.")
                % {
                    "name": _name(by),
                    "role": membership.get_role_display(),
                    "team": team.display_name,
                },
                _("Log in as %(username)s to see the team:") % {"username": user.get_username()},
                link,
            ]
        )
        return subject, text

    return send_in_their_languages([(user.email, languages.language_of(user))], compose)


def revoke_invitation(*, by: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation not yet accepted: its link stops working."""
    if not can_invite(by, invitation.country_team_id):
        raise PermissionDenied
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            raise ValidationError(_("This invitation was already accepted or withdrawn."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


@transaction.atomic
def accept_invitation_for_user(*, invitation: Invitation, user: User) -> Membership:
    """Give an existing user the invitation's role and use the invitation up (also for a sign-in
    that verified the person's e-mail). A role the user already has in the team is kept."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = selectors.invitation_problem(locked)
    if problem:
        raise ValidationError(problem)
    membership, _created = Membership.objects.get_or_create(
        user=user, country_team_id=locked.country_team_id, defaults={"role": locked.role}
    )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    invitation.accepted_at, invitation.accepted_by = locked.accepted_at, user
    return membership


@transaction.atomic
def accept_invitation(
    *, token: str, username: str, password: str, first_name: str, last_name: str = ""
) -> User:
    """Create the invited person's account (their e-mail is the invitation's) with the role,
    in one transaction. Refused (ValidationError) when the link is unknown, expired, withdrawn
    or used, when the username is taken, or when a password validator refuses the password."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_hash=selectors.token_hash(token))
        .first()
    )
    problem = selectors.invitation_problem(invitation)
    if invitation is None or problem:
        raise ValidationError(problem)
    user = User(
        username=username.strip(),
        email=invitation.email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = [_("A user with that username already exists.")]
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    if languages.is_supported(invitation.language):
        Profile.objects.create(user=user, language=invitation.language)
    accept_invitation_for_user(invitation=invitation, user=user)
    return user


def remove_member(*, by: User, membership: Membership) -> None:
    """Take a person's role in a team away. Their account and everything they did (history,
    workflow steps, comments) stay; only administrators deactivate accounts."""
    if not can_remove_member(by, membership):
        raise PermissionDenied
    membership.delete()


# --- Personal API tokens ---------------------------------------------------------------------
# DRF's tokens (rest_framework.authtoken: one per user, sent as `Authorization: Token <key>`).
# Each person makes and revokes their own on the account page; administrators can see and
# delete them in the admin. A token is worth nothing once its user is deactivated.


@transaction.atomic
def create_api_token(*, user: User) -> Token:
    """A new API token for the user, in place of the one they had (which stops working)."""
    if not user.is_active:
        raise PermissionDenied
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def revoke_api_token(*, user: User) -> bool:
    """Delete the user's own API token; False when they had none."""
    deleted, _details = Token.objects.filter(user=user).delete()
    return bool(deleted)


# --- Notifications ---------------------------------------------------------------------------
# The domain apps call notify() when something happens that people should know about (core
# imports no domain app: they pass the text, its placeholders and the link). Called inside the
# action's own transaction, a notification exists exactly when the action does.

# User text (a reason, a comment) is quoted in a notification up to this many characters: the
# whole text is one click away, on the page the notification opens.
QUOTE_LENGTH = 200


def quote(text: str) -> str:
    """User text shortened for a notification's placeholder."""
    text = " ".join((text or "").split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"


def is_local_path(url: str) -> bool:
    """A path on this site: one slash first, no scheme, no host, no backslash trick."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(ord(c) < 32 for c in url)
    )


def notify(
    recipients: Iterable[User | int],
    *,
    message: str,
    params: Mapping[str, Any] | None = None,
    url: str = "",
    exclude: User | int | None = None,
) -> int:
    """One notification per recipient (each once; `exclude`, usually whoever acted, gets none).

    `message` is an English msgid marked with gettext_noop, translated when shown; `params` its
    placeholders, JSON only: plain values, {"msgid": …} for a text to translate, {"country":
    code, "name": …} for a team's name. `url` must be a path on this site (ValueError
    otherwise): opening the notification goes there. Returns how many were made."""
    if url and not is_local_path(url):
        raise ValueError(f"A notification links to a path on this site, not {url!r}.")
    excluded = exclude.pk if isinstance(exclude, User) else exclude
    ids = {r.pk if isinstance(r, User) else int(r) for r in recipients} - {excluded, None}
    if not ids:
        return 0
    active = User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    now = timezone.now()
    made = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                message=message,
                params=dict(params or {}),
                url=url,
                created_at=now,
            )
            for pk in sorted(active)
        ]
    )
    return len(made)


def mark_notification_read(*, notification: Notification) -> Notification:
    """Mark one notification read (the gate, core.permissions, has checked it is the user's)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_notifications_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
