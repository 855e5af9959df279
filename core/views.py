import logging
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import languages, selectors, services, throttle
from .forms import AcceptInvitationForm, InviteForm, PasswordResetForm
from .models import Membership
from .permissions import (
    can_invite,
    can_remove_member,
    get_invitation_for_user,
    get_membership_for_user,
    get_notification_for_user,
    get_team_people_for_user,
    invitable_roles,
)

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Nothing else is checked, on purpose: a database or broker
    outage must not get the web process restarted. Readiness, with every dependency: /health/
    (core/health.py)."""
    return HttpResponse("ok", content_type="text/plain")


def _back(request: HttpRequest) -> str:
    """Where the switch came from, if it is on this site; else the home page."""
    target = request.POST.get("next") or request.headers.get("referer") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: a visitor's choice goes in a cookie, a user's on their profile too
    (and into the session, which the locale middleware reads first)."""
    code = request.POST.get("language", "")
    response = HttpResponseRedirect(_back(request))
    if not languages.is_supported(code):
        messages.error(request, _("That language is not available: choose one from the list."))
        return response
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=code)
        request.session[languages.SESSION_KEY] = code
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- Accounts ------------------------------------------------------------------------------

RESET_WINDOW = 3600  # seconds: the password reset limits count requests per hour


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, throttled: per client IP (as django-axes sees it) and per e-mail address,
    counted whether or not the address has an account, so the 429 tells nothing either."""

    form_class = PasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        address = form.cleaned_data["email"]
        client = get_client_ip_address(self.request) or "unknown"
        by_client = throttle.hit(
            "password-reset-ip", client, limit=settings.PASSWORD_RESET_IP_LIMIT, window=RESET_WINDOW
        )
        by_address = throttle.hit(
            "password-reset-email",
            address,
            limit=settings.PASSWORD_RESET_EMAIL_LIMIT,
            window=RESET_WINDOW,
        )
        if not (by_client and by_address):
            logger.warning("Password reset throttled (%s)", "IP" if not by_client else "address")
            return render(self.request, "registration/password_reset_throttled.html", status=429)
        return super().form_valid(form)


# A new API token's key, kept in the session from the POST that made it to the page that shows
# it, once: after that the page shows only its first characters.
NEW_API_TOKEN = "new_api_token"  # noqa: S105 -- the name of a session key, not a secret


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: name, e-mail, language, roles; where to change the password;
    their API token."""
    user = request.user
    memberships = selectors.memberships_of(user)
    code = languages.language_of(user)
    token = selectors.api_token_of(user)
    new_key = request.session.pop(NEW_API_TOKEN, None)
    shown = new_key if token is not None and new_key == token.key else None
    response = render(
        request,
        "core/account.html",
        {
            "language_name": dict(settings.LANGUAGES).get(code or ""),
            "memberships": [(m, can_invite(user, m.country_team_id)) for m in memberships],
            "api_token": token,
            "new_api_token": shown,
        },
    )
    if shown:
        add_never_cache_headers(response)  # the key stays out of the browser's cache
    return response


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Make the user a new API token (any earlier one stops working); its key is shown once."""
    token = services.create_api_token(user=request.user)
    request.session[NEW_API_TOKEN] = token.key
    logger.info("API token made by user %s", request.user.pk)
    return redirect(reverse("core:account") + "#api-token")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    """Delete the user's own API token (never anyone else's: there is no id to name one)."""
    if services.revoke_api_token(user=request.user):
        logger.info("API token revoked by user %s", request.user.pk)
        messages.success(request, _("Your API token was revoked: it no longer works."))
    request.session.pop(NEW_API_TOKEN, None)
    return redirect(reverse("core:account") + "#api-token")


def _form_errors_from(form: Form, error: ValidationError, renamed: dict[str, str]) -> None:
    """A service's ValidationError onto the form: its fields (some named otherwise in the
    form), the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            name = renamed.get(field, field)
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


@login_required
def team_people(request: HttpRequest, code: str) -> HttpResponse:
    """A team's members and open invitations, and the invitation form: for the team's IAT
    coordinator and administrators."""
    team = get_team_people_for_user(request.user, code)
    roles = invitable_roles(request.user, team.pk)
    form = InviteForm(
        request.POST or None,
        roles=roles,
        initial={"role": Membership.Role.IAT_MEMBER, "language": translation.get_language()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.invite(by=request.user, country_team=team, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error, {})
        else:
            if isinstance(result, Membership):
                messages.success(
                    request,
                    _(
                        "%(email)s already had an account: they are now %(role)s of this team "
                        "and were told by e-mail."
                    )
                    % {"email": result.user.email, "role": result.get_role_display()},
                )
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": result.email},
                )
            return redirect("core:team_people", code=team.code)
    return render(
        request,
        "core/team_people.html",
        {
            "team": team,
            "form": form,
            "members": [
                (m, can_remove_member(request.user, m)) for m in selectors.team_members(team)
            ],
            "invitations": selectors.open_invitations(team),
        },
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    invitation = get_invitation_for_user(request.user, code, pk)
    try:
        services.revoke_invitation(by=request.user, invitation=invitation)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("core:team_people", code=invitation.country_team.code)


@login_required
@require_POST
def membership_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, code, pk)
    name = membership.user.get_full_name() or membership.user.get_username()
    services.remove_member(by=request.user, membership=membership)
    messages.success(
        request,
        _("%(name)s no longer has a role in this team. Their account and history stay.")
        % {"name": name},
    )
    return redirect("core:team_people", code=membership.country_team.code)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: choose a username and password (or, when logged in, join
    with the current account), then land on the team, logged in."""
    invitation = selectors.invitation_for_token(token)
    problem = selectors.invitation_problem(invitation)
    if invitation is None or problem:
        status = 404 if invitation is None else 410
        return render(request, "core/invitation.html", {"problem": problem}, status=status)
    team = invitation.country_team
    context: dict[str, Any] = {"invitation": invitation, "team": team}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.accept_invitation_for_user(invitation=invitation, user=request.user)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("core:invitation", token=token)
            return _welcome(request, invitation)
        return render(request, "core/invitation.html", context)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            _form_errors_from(form, error, {"password": "password1"})
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _welcome(request, invitation)
    return render(request, "core/invitation.html", {**context, "form": form})


def _welcome(request: HttpRequest, invitation: Any) -> HttpResponse:
    messages.success(
        request,
        _("Welcome: you are a member of %(team)s.")
        % {"team": invitation.country_team.display_name},
    )
    return redirect("scorecard:team", code=invitation.country_team.code)


# --- Notifications ---------------------------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 25


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, a page at a time; unread ones marked."""
    page = Paginator(selectors.notifications_of(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = [(n, selectors.notification_text(n)) for n in page.object_list]
    return render(
        request,
        "core/notifications.html",
        {"page": page, "items": items, "unread": selectors.unread_count_for_request(request)},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read, then goes where it points (a path on this site
    only; otherwise back to the list)."""
    notification = get_notification_for_user(request.user, pk)
    services.mark_notification_read(notification=notification)
    url = notification.url
    if url and services.is_local_path(url) and url_has_allowed_host_and_scheme(url, None):
        return HttpResponseRedirect(url)
    return redirect("core:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_notifications_read(user=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("core:notifications")
