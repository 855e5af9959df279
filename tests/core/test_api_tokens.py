"""Personal API tokens on the account page: made and revoked by their owner only (POST forms with
CSRF), the key shown once, then only its start; a token works against /api/v1/ until revoked,
replaced, or its user deactivated."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.authtoken.models import Token

from core import services

ACCOUNT = "/accounts/profile/"
CREATE = "/accounts/profile/api-token/"
REVOKE = "/accounts/profile/api-token/revoke/"
API = "/api/v1/country-teams/"


def api_status(key: str) -> int:
    """The status of an API call with this token alone (no session)."""
    return Client().get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code


@pytest.fixture
def logged_in(client, iat):
    client.force_login(iat)
    return client


def make_token(client) -> str:
    response = client.post(CREATE)
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT + "#api-token"
    return Token.objects.get().key


def test_a_new_token_is_shown_once_then_only_its_start(logged_in, iat):
    key = make_token(logged_in)

    response = logged_in.get(ACCOUNT)
    first = response.content.decode()
    again = logged_in.get(ACCOUNT).content.decode()

    assert "no-store" in response["Cache-Control"]

    assert Token.objects.get().user == iat
    assert 'data-testid="new-api-token"' in first
    assert key in first
    assert key not in again
    assert f"<code>{key[:6]}</code>" in again


def test_the_token_works_against_the_api(logged_in, team):
    key = make_token(logged_in)

    response = Client().get(API, HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert [t["code"] for t in response.json()["results"]] == ["KAZ"]


def test_a_revoked_token_is_refused(logged_in):
    key = make_token(logged_in)
    assert api_status(key) == 200

    response = logged_in.post(REVOKE)

    assert response.status_code == 302
    assert not Token.objects.exists()
    assert api_status(key) == 401
    assert "You have no API token." in logged_in.get(ACCOUNT).content.decode()


def test_a_new_token_replaces_the_old_one(logged_in):
    old = make_token(logged_in)

    new = make_token(logged_in)

    assert new != old
    assert (api_status(old), api_status(new)) == (401, 200)


def test_nobody_else_can_revoke_my_token(logged_in, client, outsider):
    key = make_token(logged_in)
    other = Client()
    other.force_login(outsider)

    other.post(REVOKE)

    assert api_status(key) == 200
    assert not Token.objects.filter(user=outsider).exists()


def test_an_inactive_users_token_is_refused(logged_in, iat):
    key = make_token(logged_in)
    iat.is_active = False
    iat.save()

    assert api_status(key) == 401
    with pytest.raises(PermissionDenied):
        services.create_api_token(user=iat)


def test_the_forms_need_a_log_in_post_and_a_csrf_token(client, iat):
    assert client.post(CREATE)["Location"].startswith("/accounts/login/")
    client.force_login(iat)
    assert client.get(CREATE).status_code == 405
    assert client.get(REVOKE).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(iat)
    assert strict.post(CREATE).status_code == 403
    assert not Token.objects.exists()


def test_the_account_page_offers_a_token_in_french(logged_in):
    body = logged_in.get(ACCOUNT, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert f'action="{CREATE}"' in body
    assert 'href="/api/docs/"' in body
