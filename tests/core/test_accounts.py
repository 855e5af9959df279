"""Accounts: password reset (the same answer for any address, throttled, its link on SITE_URL,
sent after the commit in the user's language), password change, the account page, and
deactivation (no log-in, no API token, the history kept with the person's name)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from core import throttle
from core.models import Membership, Profile
from scorecard import services as scorecard_services
from scorecard import workflow
from scorecard.models import Evidence
from tests.factories import PASSWORD

RESET = "/accounts/password_reset/"
NEW_PASSWORD = "a-brand-new-passphrase-77"
LINK = re.compile(r"https?://\S+/accounts/reset/\S+/")


@pytest.fixture(autouse=True)
def _fresh_counters_and_fast_hashing(settings):
    """Throttle counters live in the cache: each test starts with none. MD5 keeps log-ins fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def ask_reset(client, email, capture, **extra):
    with capture(execute=True):  # the mail is queued after the commit
        return client.post(RESET, {"email": email}, **extra)


def log_in(client, username, password):
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


# --- Password reset --------------------------------------------------------------------------


def test_reset_by_mail_end_to_end(client, iat, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://scorecard.example.org"
    response = ask_reset(client, iat.email, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"

    [message] = mail.outbox
    assert message.to == [iat.email]
    assert message.subject == "UNCT-SWAP: choose a new password"
    link = LINK.search(message.body).group(0)
    assert link.startswith("https://scorecard.example.org/accounts/reset/")
    assert link in message.alternatives[0][0]  # the HTML part carries it too

    path = link.removeprefix("https://scorecard.example.org")
    form_page = client.get(path, follow=True)  # Django swaps the token for a session key
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done.url == "/accounts/reset/done/"
    assert "Your new password is set" in client.get(done.url).content.decode()

    assert log_in(client, "iat", NEW_PASSWORD)
    client.logout()
    assert client.get(path, follow=True).context["validlink"] is False  # used once


def test_reset_answers_the_same_for_an_unknown_address_and_sends_nothing(
    client, iat, django_capture_on_commit_callbacks
):
    known = ask_reset(client, iat.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    unknown = ask_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    page = client.get(unknown.url).content.decode()
    assert "If an account uses this address" in page


def test_a_deactivated_account_gets_no_reset_mail(client, iat, django_capture_on_commit_callbacks):
    iat.is_active = False
    iat.save()
    response = ask_reset(client, iat.email, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_mail_is_written_in_the_users_language(
    client, iat, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=iat, language="fr")
    ask_reset(client, iat.email, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert '<html lang="fr" dir="ltr">' in message.alternatives[0][0]


def test_reset_is_throttled_per_address_with_a_429(
    client, iat, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_EMAIL_LIMIT = 5
    answers = [
        ask_reset(client, iat.email, django_capture_on_commit_callbacks).status_code
        for _ in range(6)
    ]
    assert answers == [302] * 5 + [429]
    assert len(mail.outbox) == 5
    page = ask_reset(client, iat.email.upper(), django_capture_on_commit_callbacks)
    assert page.status_code == 429  # the same address, however it is typed
    assert "Too many requests" in page.content.decode()
    assert "Try again in an hour" in page.content.decode()
    # Another address from the same client is still served.
    assert (
        ask_reset(client, "other@example.org", django_capture_on_commit_callbacks).status_code
        == 302
    )


def test_reset_is_throttled_per_client_ip_known_address_or_not(
    db, client, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_IP_LIMIT = 3
    answers = [
        ask_reset(client, f"person{n}@example.org", django_capture_on_commit_callbacks).status_code
        for n in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    other_client = ask_reset(
        client, "person9@example.org", django_capture_on_commit_callbacks, REMOTE_ADDR="10.1.2.3"
    )
    assert other_client.status_code == 302


def test_throttle_counts_per_window_and_forgets_after_it(monkeypatch):
    assert [throttle.hit("t", "a@example.org", limit=2, window=60) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert throttle.hit("t", "b@example.org", limit=2, window=60)  # its own counter
    assert throttle.hit("other", "a@example.org", limit=2, window=60)  # its own scope
    throttle.reset("t", "A@example.org ")  # the key ignores case and spaces
    assert throttle.hit("t", "a@example.org", limit=2, window=60)


def test_reset_link_is_on_site_url_whatever_host_the_request_names(
    client, iat, django_capture_on_commit_callbacks, settings
):
    settings.ALLOWED_HOSTS = ["*"]  # even where the host is not checked
    settings.SITE_URL = "https://scorecard.example.org/"
    ask_reset(client, iat.email, django_capture_on_commit_callbacks, HTTP_HOST="evil.example")
    [message] = mail.outbox
    assert "evil.example" not in message.body
    assert (
        LINK.search(message.body)
        .group(0)
        .startswith("https://scorecard.example.org/accounts/reset/")
    )


def test_reset_pages_are_in_the_site_layout_and_language(client):
    client.cookies["django_language"] = "fr"
    page = client.get(RESET)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fr"' in html
    assert 'aria-label="Main menu"' not in html  # the menu's label is French too
    assert 'name="email"' in html
    login = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in login


def test_a_bad_address_is_listed_at_the_top_and_kept(client):
    page = client.post(RESET, {"email": "not-an-address"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="error-summary"' in html
    assert 'value="not-an-address"' in html


# --- Password change and the account page ---------------------------------------------------


def test_change_password(client, iat):
    client.force_login(iat)
    assert client.get("/accounts/password_change/").status_code == 200
    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert 'data-testid="error-summary"' in wrong.content.decode()

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == "/accounts/password_change/done/"
    iat.refresh_from_db()
    assert iat.check_password(NEW_PASSWORD)
    assert client.get("/accounts/profile/").status_code == 200  # still logged in


def test_change_password_needs_a_log_in(client):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_account_page_shows_name_email_language_and_roles(client, coordinator, team, other_team):
    Membership.objects.create(user=coordinator, country_team=other_team, role="viewer")
    client.force_login(coordinator)
    Profile.objects.create(user=coordinator, language="es")  # after: the page stays in English
    html = client.get("/accounts/profile/").content.decode()
    assert coordinator.get_full_name() in html
    assert coordinator.email in html
    assert '<dd class="col-sm-8">Español</dd>' in html
    assert "IAT coordinator" in html
    assert "Viewer" in html
    assert 'href="/accounts/password_change/"' in html
    # People and invitations: for the team they coordinate only.
    assert 'href="/teams/KAZ/people/"' in html
    assert 'href="/teams/XDL/people/"' not in html
    home = client.get("/").content.decode()
    assert 'href="/accounts/profile/"' in home  # the name in the menu leads here


def test_account_page_needs_a_log_in(client):
    assert client.get("/accounts/profile/").status_code == 302


# --- Deactivation ----------------------------------------------------------------------------


def test_a_deactivated_user_cannot_log_in_and_their_session_ends(client, iat):
    other = client.__class__()
    other.force_login(iat)
    iat.is_active = False
    iat.save()
    assert not log_in(client, "iat", PASSWORD)
    # Their session no longer counts: "/" shows the front page for visitors, and a page that
    # needs an account sends them to log in.
    response = other.get("/")
    assert response.status_code == 200
    assert b'data-testid="current-user"' not in response.content
    response = other.get("/accounts/profile/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_deactivated_users_api_token_is_refused(client, iat):
    token = Token.objects.create(user=iat)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/country-teams/", **auth).status_code == 200
    iat.is_active = False
    iat.save()
    assert client.get("/api/v1/country-teams/", **auth).status_code == 401


def test_deactivation_keeps_the_history_with_the_persons_name(
    client, kaz_2022, iat, coordinator, admin_user
):
    row = kaz_2022.indicator_assessments.get(indicator__code="2.2")
    scorecard_services.add_evidence(
        row=row, by=iat, title="Campaign report", category=None, url="https://example.org/r"
    )
    workflow.transition(assessment=kaz_2022, action="send_for_endorsement", by=coordinator)
    for person in (iat, coordinator):
        person.is_active = False
        person.save()

    client.force_login(admin_user)
    history = client.get("/teams/KAZ/2022/pi/2.2/open/history/").content.decode()
    assert iat.get_full_name() in history
    assert "Campaign report" in history
    overview = client.get("/teams/KAZ/2022/").content.decode()
    assert coordinator.get_full_name() in overview  # the workflow step, by name
    assert Evidence.history.filter(history_user=iat).exists()


def test_a_deactivated_user_is_marked_on_the_teams_people_page(client, coordinator, iat):
    iat.is_active = False
    iat.save()
    client.force_login(coordinator)
    html = client.get("/teams/KAZ/people/").content.decode()
    assert iat.get_full_name() in html
    assert "deactivated" in html


def test_the_navbars_log_in_link_returns_to_the_page_but_not_to_the_log_in_page(client, db):
    """On the log-in page itself, next= would send a successful log-in back to the form."""
    on_login = client.get("/accounts/login/").content.decode()
    on_reset = client.get("/accounts/password_reset/").content.decode()

    assert 'href="/accounts/login/" data-testid="navbar-login"' in on_login
    assert (
        'href="/accounts/login/?next=/accounts/password_reset/" data-testid="navbar-login"'
        in on_reset
    )
