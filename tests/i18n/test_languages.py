"""The six UN languages: the switcher on every page, a visitor's choice in a cookie, a user's on
their profile (and back at their next log-in), the browser's language on a first visit, right to
left for Arabic, and clear answers to a language that does not exist."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.models import Profile
from tests.factories import PASSWORD

CODES = [code for code, _name in settings.LANGUAGES]


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def translated(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/commitments/"])
def test_switcher_is_on_the_login_page_and_public_pages_with_every_language(client, path):
    page = client.get(path).content.decode()
    switcher = page[page.index('data-testid="language-switcher"') :]
    offered = re.findall(r'name="language" value="([\w-]+)" lang="\1"', switcher)
    assert offered == CODES == ["ar", "zh-hans", "en", "fr", "ru", "es"]
    for _code, name in settings.LANGUAGES:
        assert f">{name}</button>" in switcher


@pytest.mark.django_db
def test_a_visitors_choice_is_kept_in_a_cookie_and_pages_follow_it(client):
    response = client.post("/i18n/language/", {"language": "fr", "next": "/commitments/"})
    assert response.status_code == 302
    assert response["Location"] == "/commitments/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"

    page = client.get("/commitments/")
    assert 'lang="fr"' in html_tag(page)
    assert translated("Gender parity", "fr") != "Gender parity"
    assert translated("Gender parity", "fr") in page.content.decode()


@pytest.mark.django_db
def test_a_first_visit_follows_the_browser(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5")
    assert 'lang="ru"' in html_tag(page)
    assert translated("Gender parity", "ru") != "Gender parity"
    assert translated("Gender parity", "ru") in page.content.decode()


@pytest.mark.django_db
def test_a_users_choice_is_kept_on_their_profile_and_follows_them_to_their_next_login(iat):
    first = Client()
    first.force_login(iat)
    first.post("/i18n/language/", {"language": "es", "next": "/"})
    assert Profile.objects.get(user=iat).language == "es"
    assert 'lang="es"' in html_tag(first.get("/"))

    # Another browser, no cookie, an English Accept-Language: the profile wins after log-in.
    second = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in html_tag(second.get("/accounts/login/"))
    second.post("/accounts/login/", {"username": iat.username, "password": PASSWORD})
    assert 'lang="es"' in html_tag(second.get("/"))


@pytest.mark.django_db
def test_the_users_language_costs_no_query_per_page(iat):
    client = Client()
    client.force_login(iat)
    client.get("/")  # warm caches
    with CaptureQueriesContext(connection) as english:
        client.get("/")
    client.post("/i18n/language/", {"language": "ar", "next": "/"})
    with CaptureQueriesContext(connection) as arabic:
        page = client.get("/")
    assert 'lang="ar"' in html_tag(page)
    assert len(arabic) == len(english)


@pytest.mark.django_db
def test_arabic_pages_are_right_to_left_with_bootstraps_rtl_stylesheet(client):
    client.post("/i18n/language/", {"language": "ar", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "bootstrap.rtl.min.css" in page.content.decode()

    client.post("/i18n/language/", {"language": "zh-hans", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert html_tag(page) == '<html lang="zh-hans" dir="ltr">'
    assert "bootstrap.rtl.min.css" not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["xx", "", "en-GB'><script>", "zh"])
def test_an_unknown_language_gets_a_clear_message_and_changes_nothing(client, code):
    response = client.post(
        "/i18n/language/", {"language": code, "next": "/commitments/"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain == [("/commitments/", 302)]
    assert "That language is not available: choose one from the list." in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert 'lang="en"' in html_tag(response)


@pytest.mark.django_db
def test_the_switcher_only_goes_back_to_this_site_and_only_by_post(client):
    response = client.post(
        "/i18n/language/", {"language": "fr", "next": "https://evil.example/phish"}
    )
    assert response["Location"] == "/"
    assert client.get("/i18n/language/").status_code == 405
