"""Single sign-on with OpenID Connect, through mozilla-django-oidc.

On when OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set; otherwise the
`oidc/` pages answer 404, the log-in page shows no button and the backend is not listed
(config/settings.py), so the site is exactly the password one.

- The provider's endpoints come from `<issuer>/.well-known/openid-configuration`, read on the
  first sign-in attempt (never at start-up: a provider that is down must not stop the site) and
  kept for an hour.
- A person is matched by a verified e-mail address to one active user, or else to a pending
  invitation (which then creates their account). Nobody else gets an account: they are sent
  back to the log-in page with the reason.
- Every failure (a stale or forged state, the provider's refusal, an expired code, an answer
  that does not verify, a provider that is down) ends on the log-in page with a message, never
  in a server error.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import languages
from .models import Profile

logger = logging.getLogger(__name__)

DISCOVERY_TTL = 3600  # seconds a provider's discovery document is kept
REQUIRED_METADATA = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
)

UNREACHABLE = gettext_lazy(
    "The sign-in service is not answering just now. Try again in a few minutes, or log in with "
    "your username and password."
)
STALE = gettext_lazy(
    "This sign-in attempt has expired or was not started from this site. Please try again."
)
DENIED = gettext_lazy(
    "The sign-in service did not sign you in. Try again, or log in with your username and password."
)
CODE_REFUSED = gettext_lazy(
    "The sign-in service refused to complete the sign-in; it may have taken too long. "
    "Please try again."
)
UNVERIFIED_ANSWER = gettext_lazy(
    "The answer of the sign-in service could not be verified, so you were not signed in. "
    "Please try again."
)


def enabled() -> bool:
    """Whether single sign-on is configured: issuer, client id and client secret all set."""
    return bool(
        getattr(settings, "OIDC_ISSUER_URL", "")
        and getattr(settings, "OIDC_CLIENT_ID", "")
        and getattr(settings, "OIDC_CLIENT_SECRET", "")
    )


def provider_name() -> str:
    """The name on the log-in button ("Microsoft Entra ID"); empty for the generic wording."""
    return getattr(settings, "OIDC_PROVIDER_NAME", "")


# --- Discovery ---------------------------------------------------------------------------------


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read: down, slow, or not a provider."""


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def issuer_url() -> str:
    return settings.OIDC_ISSUER_URL.rstrip("/")


def discover() -> dict[str, Any]:
    """The provider's metadata (endpoints, issuer), fetched with a timeout and kept an hour.

    Raises ProviderUnavailable when it cannot be read or lacks an endpoint we need; a failure
    is not kept, so the next attempt asks again."""
    issuer = issuer_url()
    cached = _discovered.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("OIDC discovery failed at %s: %s", url, error)
        raise ProviderUnavailable(url) from error
    missing = [
        key for key in REQUIRED_METADATA if not isinstance(metadata, dict) or not metadata.get(key)
    ]
    if missing:
        logger.warning("OIDC discovery at %s lacks %s", url, ", ".join(missing))
        raise ProviderUnavailable(url)
    with _discovery_lock:
        _discovered[issuer] = (time.monotonic() + DISCOVERY_TTL, metadata)
    return metadata


def forget_discovery() -> None:
    """Drop the kept metadata (tests; a provider that moved its endpoints)."""
    with _discovery_lock:
        _discovered.clear()


def _setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, answered from ours: the endpoints from discovery, the
    client from OIDC_CLIENT_*, and the choices this site makes for everyone."""
    fixed = {
        "OIDC_RP_CLIENT_ID": lambda: settings.OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": lambda: settings.OIDC_CLIENT_SECRET,
        "OIDC_RP_SCOPES": lambda: settings.OIDC_SCOPES,
        "OIDC_RP_SIGN_ALGO": lambda: "RS256",
        "OIDC_USE_NONCE": lambda: True,
        "OIDC_USE_PKCE": lambda: True,
        "OIDC_CREATE_USER": lambda: False,
        "OIDC_STORE_ACCESS_TOKEN": lambda: False,
        "OIDC_STORE_ID_TOKEN": lambda: False,
        "OIDC_TIMEOUT": lambda: settings.OIDC_TIMEOUT,
        "LOGIN_REDIRECT_URL_FAILURE": lambda: reverse("login"),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": lambda: discover()["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": lambda: discover()["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": lambda: discover()["userinfo_endpoint"],
        "OIDC_OP_JWKS_ENDPOINT": lambda: discover()["jwks_uri"],
    }
    if attr in fixed:
        return fixed[attr]()
    return import_from_settings(attr, *default)


# --- Who may sign in ---------------------------------------------------------------------------


class TokenRefused(Exception):
    """The token endpoint turned the code down (invalid_grant: expired, used, or not ours)."""


class Refused(PermissionDenied):
    """The provider signed the person in, but this site has no place for them. Django's
    authenticate() stops at a PermissionDenied and reports a failed log-in (which django-axes
    leaves uncounted here: is_sso_callback); the message is left on the request for the callback
    view to show."""


def _refuse(request: HttpRequest, message: str) -> Refused:
    request.oidc_refusal = message  # type: ignore[attr-defined]
    return Refused(message)


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _free_username(email: str) -> str:
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:140] or "user"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _from_invitation(email: str, claims: dict[str, Any]):
    """The account made for the pending invitations to this address (one account, a role in
    each inviting team), or None when there is none.

    The invitation code belongs to the accounts side of core (selectors and services); it is
    imported here, at call time, so that this module stays independent of it at import."""
    from core.selectors import pending_invitations_for_email
    from core.services import accept_invitation_for_user

    invitations = pending_invitations_for_email(email)
    if not invitations:
        return None
    newest = invitations[0]
    User = get_user_model()
    accepted: list[int] = []
    with transaction.atomic():
        user = User(
            username=_free_username(newest.email),
            email=newest.email,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()  # they sign in through the provider
        user.save()
        if languages.is_supported(newest.language):
            Profile.objects.create(user=user, language=newest.language)
        for invitation in invitations:
            try:
                with transaction.atomic():
                    accept_invitation_for_user(invitation=invitation, user=user)
            except ValidationError as error:  # used or withdrawn in the meantime
                logger.info("OIDC sign-in could not accept invitation %s: %s", invitation.pk, error)
            else:
                accepted.append(invitation.pk)
        if not accepted:  # none usable after all: no account either
            transaction.set_rollback(True)
            return None
    logger.info("OIDC sign-in accepted invitation(s) %s for %s", accepted, email)
    return user


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people to accounts instead of creating them."""

    get_settings = staticmethod(_setting)
    # Django's own: a deactivated user's session ends (mozilla's get_user would keep it).
    get_user = ModelBackend.get_user

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not mozilla's __init__: it reads the endpoints, and Django builds every backend for
        # every password log-in too; discovery waits for a real sign-in (the properties below).
        self.UserModel = get_user_model()

    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_CLIENT_SECRET)
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: discover()["token_endpoint"])
    OIDC_OP_USER_ENDPOINT = property(lambda self: discover()["userinfo_endpoint"])
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: discover()["jwks_uri"])

    def authenticate(self, request: HttpRequest | None, **kwargs: Any):
        # Only the callback view's call (nonce, code_verifier), never a password log-in that
        # happens to carry ?code=&state= in its address.
        if request is None or not enabled() or "nonce" not in kwargs:
            return None
        if set(kwargs) - {"nonce", "code_verifier"}:
            return None
        return super().authenticate(request, **kwargs)

    def raise_token_response_error(self, response: requests.Response) -> None:
        if 400 <= response.status_code < 500:
            logger.warning("OIDC token endpoint refused the code: %s", response.text[:300])
            raise TokenRefused(response.status_code)
        super().raise_token_response_error(response)

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """mozilla's lookup by the token's key id; a token without one is allowed by OpenID
        Connect (Core §10.1) only when the provider has a single signing key: that key."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig" and key.get("alg", self.OIDC_RP_SIGN_ALGO) == "RS256"
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("ID token without kid, and not exactly one signing key")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """mozilla's checks (signature, nonce), plus the two it leaves out for the ID token: it
        was issued by our issuer, for our client."""
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if settings.OIDC_CLIENT_ID not in audiences:
                raise SuspiciousOperation("ID token for another client")
            if payload.get("iss") != discover()["issuer"]:
                raise SuspiciousOperation("ID token from another issuer")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """An e-mail address the provider vouches for (email_verified), or one it is trusted
        to send only when verified (OIDC_TRUST_EMAIL, e.g. Entra ID, which omits the claim)."""
        if not claims.get("email"):
            return False
        return settings.OIDC_TRUST_EMAIL or _is_true(claims.get("email_verified"))

    def filter_users_by_claims(self, claims: dict[str, Any]):
        return self.UserModel.objects.filter(email__iexact=claims["email"], is_active=True)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):  # OpenID Connect Core §5.3.2
            logger.warning("OIDC sign-in refused: userinfo is about another subject")
            raise _refuse(self.request, str(UNVERIFIED_ANSWER))
        email = claims.get("email") or ""
        if not email:
            raise _refuse(
                self.request,
                _(
                    "The sign-in service did not give your e-mail address, so you cannot be "
                    "matched to an account on this site."
                ),
            )
        if not self.verify_claims(claims):
            logger.info("OIDC sign-in refused: %s is not verified by the provider", email)
            raise _refuse(
                self.request,
                _(
                    "The sign-in service did not confirm that %(email)s is your address, so it "
                    "cannot be used to log in here."
                )
                % {"email": email},
            )
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) > 1:
            logger.warning("OIDC sign-in refused: several active users use %s", email)
            raise _refuse(
                self.request,
                _(
                    "Several accounts on this site use %(email)s, so single sign-on cannot "
                    "choose one. Log in with your username and password, or ask an "
                    "administrator to fix the accounts."
                )
                % {"email": email},
            )
        if users:
            return users[0]
        user = _from_invitation(email, claims)
        if user is not None:
            return user
        return self.create_user(claims)

    def create_user(self, claims: dict[str, Any]):
        """Never: an unknown person gets no account, only the way to ask for one."""
        logger.info("OIDC sign-in refused: no account or invitation for %s", claims.get("email"))
        raise _refuse(
            self.request,
            _(
                "No account on this site uses %(email)s. Ask your country team's coordinator "
                "for an invitation."
            )
            % {"email": claims.get("email")},
        )


def is_sso_callback(request: HttpRequest | None, credentials: dict | None = None) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: the provider's answer is not a password guess. It
    carries a code only the provider issues and a state bound to this browser's session, and the
    provider throttles its own log-ins; counting refusals (people not invited yet) per address
    would lock out single sign-on for a whole office behind one address."""
    return request is not None and getattr(request, "path", "") == reverse(
        "oidc_authentication_callback"
    )


# --- Views -------------------------------------------------------------------------------------


class OIDCStartView(OIDCAuthenticationRequestView):
    """The log-in button's target: off to the provider, with state, nonce and PKCE kept in the
    session. A provider that cannot be reached sends the person back with a message."""

    get_settings = staticmethod(_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # not mozilla's: it reads the endpoint at once

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discover()["authorization_endpoint"]
        except ProviderUnavailable:
            messages.error(request, UNREACHABLE)
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        return super().get(request)

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        # The provider's pages in the language of ours, where it can.
        return {"ui_locales": get_language() or settings.LANGUAGE_CODE}


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back: logged in and home, or back to the log-in page
    with the reason."""

    get_settings = staticmethod(_setting)

    @property
    def failure_url(self) -> str:
        return reverse("login")

    told = False  # whether this answer already carries a message

    def tell(self, message: str) -> None:
        messages.error(self.request, message)
        self.told = True

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        if request.GET.get("error"):
            # The person cancelled, or the provider would not sign them in. Its text is not shown:
            # anyone can put words in this address.
            logger.info(
                "OIDC provider answered %s: %s",
                request.GET.get("error")[:100],
                request.GET.get("error_description", "")[:300],
            )
            self.tell(DENIED)
            return super().get(request)
        state = request.GET.get("state")
        if (
            not request.GET.get("code")
            or not state
            or state not in request.session.get("oidc_states", {})
        ):
            self.tell(STALE)
            return self.login_failure()
        try:
            return super().get(request)
        except ProviderUnavailable:
            self.tell(UNREACHABLE)
        except TokenRefused:
            self.tell(CODE_REFUSED)
        except requests.RequestException as error:
            logger.warning("OIDC sign-in failed, provider unreachable: %s", error)
            self.tell(UNREACHABLE)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError) as error:
            logger.warning("OIDC sign-in failed, answer not verified: %r", error)
            self.tell(UNVERIFIED_ANSWER)
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        # The backend's reason for refusing the person, else a failure nobody explained yet.
        refusal = getattr(self.request, "oidc_refusal", None)
        if refusal or not self.told:
            self.tell(refusal or UNVERIFIED_ANSWER)
        return super().login_failure()


urlpatterns = [
    path("authenticate/", OIDCStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
]
