"""Single sign-on with OpenID Connect against a real provider process (oidc-provider-mock): the
log-in page's button, who gets in (a verified e-mail of one active user, or of a pending
invitation), who does not (and gets no account), and every failure ending on the log-in page with
a message, never a server error."""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from core import oidc
from core.models import Invitation, Membership
from tests.factories import PASSWORD, UserFactory
from tests.oidc_provider import free_port, path_of, running_provider, use_provider

LOGIN = "/accounts/login/"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with running_provider(tmp_path_factory.mktemp("oidc")) as running:
        yield running


@pytest.fixture
def sso(settings, provider, db):
    use_provider(settings, provider.url)
    yield provider
    oidc.forget_discovery()


def start(client, next_url: str = "") -> str:
    """The log-in button: our start view sends the browser to the provider."""
    response = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, provider, sub: str, next_url: str = ""):
    """The whole journey: button, the provider's page (type the subject, Authorize), back to
    our callback; the redirects after it followed."""
    callback = provider.authorize(start(client, next_url), sub)
    return client.get(path_of(callback), follow=True)


def shown(response) -> list[str]:
    """The messages the final page shows, each checked to be in its HTML."""
    texts = [str(message) for message in response.context["messages"]]
    for text in texts:
        assert escape(text) in response.content.decode()
    return texts


def ends_on_login_page(response) -> None:
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == LOGIN
    assert "_auth_user_id" not in response.client.session


# --- Off unless configured --------------------------------------------------------------------


def test_without_settings_there_is_no_button_no_route_and_no_backend(client, settings, db):
    assert not oidc.enabled()
    assert "core.oidc.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert "Sign in with" not in page.content.decode()
    assert 'data-testid="sso"' not in page.content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_the_log_in_page_offers_the_provider_beside_the_password_form(client, sso):
    page = client.get(LOGIN + "?next=/parity/").content.decode()
    assert "Sign in with Test ID" in page
    assert 'href="/oidc/authenticate/?next=/parity/"' in page
    assert 'name="password"' in page  # the password form stays


def test_without_a_provider_name_the_button_says_single_sign_on(client, sso, settings):
    settings.OIDC_PROVIDER_NAME = ""
    assert "Sign in with single sign-on" in client.get(LOGIN).content.decode()


def test_settings_turn_the_backend_on_only_with_issuer_client_and_secret(monkeypatch):
    """config/settings.py read again from a given environment."""
    import importlib

    import config.settings as module

    try:
        for name in ("OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
            monkeypatch.setenv(name, "x")
        monkeypatch.delenv("OIDC_CLIENT_SECRET")
        assert "core.oidc.OIDCBackend" not in importlib.reload(module).AUTHENTICATION_BACKENDS
        monkeypatch.setenv("OIDC_CLIENT_SECRET", "x")
        backends = importlib.reload(module).AUTHENTICATION_BACKENDS
        assert backends[0] == "axes.backends.AxesStandaloneBackend"
        assert backends[-1] == "core.oidc.OIDCBackend"
    finally:
        monkeypatch.undo()
        importlib.reload(module)


# --- Who gets in ------------------------------------------------------------------------------


def test_an_existing_user_signs_in_by_verified_email_whatever_its_case(client, sso, iat):
    sso.set_user("gaukhar", email="IAT@Example.ORG", email_verified=True)

    response = sign_in(client, sso, "gaukhar")

    assert response.redirect_chain[-1][0] == "/"
    assert client.session["_auth_user_id"] == str(iat.pk)
    assert client.session["_auth_user_backend"] == "core.oidc.OIDCBackend"
    assert shown(response) == []
    assert client.get("/").status_code == 200  # the session holds


def test_sign_in_returns_to_the_page_asked_for(client, sso, iat):
    sso.set_user("gaukhar", email=iat.email, email_verified=True)

    response = sign_in(client, sso, "gaukhar", next_url="/parity/")

    assert response.redirect_chain[-1][0] == "/parity/"


def test_a_pending_invitation_becomes_an_account_with_its_role(client, sso, team):
    now = timezone.now()
    invitation = Invitation.objects.create(
        email="new.person@example.org",
        country_team=team,
        role=Membership.Role.VIEWER,
        language="fr",
        token_hash="0" * 64,
        created_at=now,
        expires_at=now + timedelta(days=7),
    )
    sso.set_user(
        "new-person",
        email="New.Person@example.org",
        email_verified=True,
        given_name="Aigerim",
        family_name="Sadykova",
    )

    response = sign_in(client, sso, "new-person")

    assert response.redirect_chain[-1][0] == "/"
    user = User.objects.get(email="new.person@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.username, user.first_name, user.last_name) == (
        "new.person",
        "Aigerim",
        "Sadykova",
    )
    assert not user.has_usable_password()
    assert user.profile.language == "fr"
    assert Membership.objects.get(user=user).role == Membership.Role.VIEWER
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_invitations_from_two_teams_become_one_account_with_both_roles(
    client, sso, team, other_team
):
    now = timezone.now()
    for number, (country_team, role) in enumerate(
        [(team, Membership.Role.VIEWER), (other_team, Membership.Role.IAT_MEMBER)]
    ):
        Invitation.objects.create(
            email="two.teams@example.org",
            country_team=country_team,
            role=role,
            language="en",
            token_hash=str(number) * 64,
            created_at=now,
            expires_at=now + timedelta(days=7),
        )
    sso.set_user("two-teams", email="two.teams@example.org", email_verified=True)

    sign_in(client, sso, "two-teams")

    user = User.objects.get(email="two.teams@example.org")
    roles = {(m.country_team_id, m.role) for m in Membership.objects.filter(user=user)}
    assert roles == {(team.pk, Membership.Role.VIEWER), (other_team.pk, Membership.Role.IAT_MEMBER)}
    assert not Invitation.objects.filter(accepted_by__isnull=True).exists()


# --- Who does not, and gets no account --------------------------------------------------------


def test_an_unknown_person_is_refused_and_no_account_is_made(client, sso, iat):
    sso.set_user("stranger", email="stranger@example.org", email_verified=True)
    users = User.objects.count()

    response = sign_in(client, sso, "stranger")

    ends_on_login_page(response)
    assert shown(response) == [
        "No account on this site uses stranger@example.org. Ask your country team's "
        "coordinator for an invitation."
    ]
    assert User.objects.count() == users


def test_an_unverified_email_is_refused_even_for_an_existing_user(client, sso, iat):
    sso.set_user("unverified", email=iat.email, email_verified=False)

    response = sign_in(client, sso, "unverified")

    ends_on_login_page(response)
    assert shown(response) == [
        "The sign-in service did not confirm that iat@example.org is your address, so it cannot "
        "be used to log in here."
    ]


def test_an_email_without_email_verified_is_refused_unless_the_provider_is_trusted(
    client, sso, iat, settings
):
    sso.set_user("entra-like", email=iat.email)  # no email_verified claim, as Entra ID
    ends_on_login_page(sign_in(client, sso, "entra-like"))

    settings.OIDC_TRUST_EMAIL = True
    response = sign_in(client, sso, "entra-like")

    assert client.session["_auth_user_id"] == str(iat.pk)
    assert response.redirect_chain[-1][0] == "/"


def test_no_email_at_all_is_refused(client, sso, iat):
    sso.set_user("no-mail", name="Nobody")

    response = sign_in(client, sso, "no-mail")

    ends_on_login_page(response)
    assert shown(response) == [
        "The sign-in service did not give your e-mail address, so you cannot be matched to an "
        "account on this site."
    ]


def test_an_address_used_by_several_accounts_is_refused(client, sso, iat):
    UserFactory(username="iat-twin", email="iat@example.org")
    sso.set_user("twin", email="iat@example.org", email_verified=True)

    response = sign_in(client, sso, "twin")

    ends_on_login_page(response)
    assert shown(response)[0].startswith("Several accounts on this site use iat@example.org")


def test_a_deactivated_account_does_not_sign_in(client, sso, iat):
    iat.is_active = False
    iat.save()
    sso.set_user("gone", email=iat.email, email_verified=True)

    response = sign_in(client, sso, "gone")

    ends_on_login_page(response)
    assert shown(response)[0].startswith("No account on this site uses iat@example.org.")


# --- Faults: a message on the log-in page, never a 500 ----------------------------------------


def test_a_forged_state_is_refused(client, sso, iat):
    sso.set_user("gaukhar", email=iat.email, email_verified=True)
    callback = path_of(sso.authorize(start(client), "gaukhar"))
    forged = callback.replace("state=", "state=forged")

    response = client.get(forged, follow=True)

    ends_on_login_page(response)
    assert shown(response) == [
        "This sign-in attempt has expired or was not started from this site. Please try again."
    ]


def test_a_callback_without_state_or_from_another_browser_is_refused(client, sso, iat):
    sso.set_user("gaukhar", email=iat.email, email_verified=True)
    callback = path_of(sso.authorize(start(client), "gaukhar"))

    response = client.get("/oidc/callback/?code=abc", follow=True)
    ends_on_login_page(response)
    assert len(shown(response)) == 1

    client.logout()  # another browser: no state in its session
    response = client.get(callback, follow=True)
    ends_on_login_page(response)
    assert shown(response)[0].startswith("This sign-in attempt has expired")


def test_a_state_is_used_once(client, sso, iat):
    sso.set_user("gaukhar", email=iat.email, email_verified=True)
    callback = path_of(sso.authorize(start(client), "gaukhar"))
    assert client.get(callback).status_code == 302
    client.logout()

    response = client.get(callback, follow=True)

    ends_on_login_page(response)


def test_the_provider_refusing_or_the_person_cancelling_is_told(client, sso):
    callback = sso.deny(start(client))
    assert "error=access_denied" in callback

    response = client.get(path_of(callback), follow=True)

    ends_on_login_page(response)
    assert shown(response) == [
        "The sign-in service did not sign you in. Try again, or log in with your username and "
        "password."
    ]


def test_an_expired_or_unknown_code_is_told(client, sso, iat):
    sso.set_user("gaukhar", email=iat.email, email_verified=True)
    callback = path_of(sso.authorize(start(client), "gaukhar"))
    code = callback.split("code=")[1].split("&")[0]

    response = client.get(callback.replace(code, "expired-code"), follow=True)

    ends_on_login_page(response)
    assert shown(response) == [
        "The sign-in service refused to complete the sign-in; it may have taken too long. "
        "Please try again."
    ]


def test_an_issuer_that_is_down_is_told_on_the_log_in_page(client, settings, db):
    use_provider(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert "Sign in with Test ID" in client.get(LOGIN).content.decode()  # no discovery to show it

    response = client.get("/oidc/authenticate/", follow=True)

    ends_on_login_page(response)
    assert shown(response) == [
        "The sign-in service is not answering just now. Try again in a few minutes, or log in "
        "with your username and password."
    ]


def test_an_issuer_that_goes_down_during_the_sign_in_is_told(client, settings, iat, tmp_path):
    with running_provider(tmp_path) as provider:
        use_provider(settings, provider.url)
        provider.set_user("gaukhar", email=iat.email, email_verified=True)
        callback = path_of(provider.authorize(start(client), "gaukhar"))
    # The provider has stopped: its token endpoint no longer answers.

    response = client.get(callback, follow=True)

    ends_on_login_page(response)
    assert shown(response)[0].startswith("The sign-in service is not answering just now.")


def test_password_log_in_works_while_the_issuer_is_down(client, settings, iat):
    use_provider(settings, f"http://127.0.0.1:{free_port()}")

    response = client.post(
        LOGIN + "?code=x&state=y", {"username": "iat", "password": PASSWORD}, follow=True
    )

    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert response.redirect_chain[-1][0] == "/"


def test_discovery_is_read_once_and_a_failure_is_not_kept(sso, settings):
    first = oidc.discover()
    assert first["issuer"] == sso.url
    assert oidc.discover() is first

    settings.OIDC_ISSUER_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(oidc.ProviderUnavailable):
        oidc.discover()
    settings.OIDC_ISSUER_URL = sso.url + "/"  # a trailing slash names the same issuer
    assert oidc.discover() is first


def test_refused_sign_ins_do_not_lock_out_the_office(client, sso, iat):
    """Colleagues behind one address who are refused (no account yet) are not password guesses:
    django-axes does not count them, and the next person still signs in."""
    sso.set_user("stranger", email="stranger@example.org", email_verified=True)
    for _ in range(6):
        ends_on_login_page(sign_in(client, sso, "stranger"))
    sso.set_user("gaukhar", email=iat.email, email_verified=True)

    response = sign_in(client, sso, "gaukhar")

    assert client.session["_auth_user_id"] == str(iat.pk)
    assert response.redirect_chain[-1][0] == "/"


def test_an_id_token_from_another_issuer_is_not_trusted(client, sso, iat):
    sso.set_user("gaukhar", email=iat.email, email_verified=True)
    callback = path_of(sso.authorize(start(client), "gaukhar"))
    oidc.discover()["issuer"] = "https://elsewhere.example"  # what the site expects, now

    response = client.get(callback, follow=True)

    ends_on_login_page(response)
    assert shown(response) == [
        "The answer of the sign-in service could not be verified, so you were not signed in. "
        "Please try again."
    ]


def test_userinfo_about_another_subject_is_not_trusted(client, sso, iat, monkeypatch):
    sso.set_user("gaukhar", email="someone@example.org", email_verified=True)
    monkeypatch.setattr(
        oidc.OIDCBackend,
        "get_userinfo",
        lambda self, *args: {"sub": "mallory", "email": iat.email, "email_verified": True},
    )

    response = sign_in(client, sso, "gaukhar")

    ends_on_login_page(response)
    assert shown(response)[0].startswith("The answer of the sign-in service could not be verified")
