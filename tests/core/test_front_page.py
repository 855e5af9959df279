"""Issue 15: an anonymous visitor at / gets a front page (what the product is, the public
commitments dashboard, the way in), in each of the six languages; a logged-in user keeps the home
page."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings


def test_anonymous_visitor_gets_the_front_page(client, db):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="front-page"' in html
    assert "UNCT-SWAP Gender Equality Scorecard measures" in html
    assert 'href="/commitments/" data-testid="front-commitments"' in html
    assert 'href="/accounts/login/" data-testid="front-login"' in html
    assert 'data-testid="front-sso"' not in html  # single sign-on is off
    assert 'data-testid="language-switcher"' in html
    assert 'name="password"' not in html  # not the bare log-in form any more


def test_the_front_page_links_are_open_to_a_visitor(client, db):
    assert client.get("/commitments/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200


def test_the_front_page_offers_single_sign_on_when_configured(client, db, settings):
    settings.OIDC_ISSUER_URL = "https://id.example.org"
    settings.OIDC_CLIENT_ID = "unct-swap"
    settings.OIDC_CLIENT_SECRET = "secret"  # noqa: S105 -- a test value
    settings.OIDC_PROVIDER_NAME = "UN ID"

    html = client.get("/").content.decode()

    assert 'href="/oidc/authenticate/" data-testid="front-sso">Sign in with UN ID</a>' in html
    assert 'data-testid="front-login"' in html


@pytest.mark.parametrize("language", [code for code, _name in django_settings.LANGUAGES])
def test_the_front_page_in_each_language(client, db, language):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert 'data-testid="front-commitments"' in html
    assert 'data-testid="front-login"' in html


def test_a_logged_in_user_keeps_the_home_page(client, iat):
    client.force_login(iat)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="front-page"' not in html
    assert "Kazakhstan" in html  # their country team
