"""The error pages: 400, 403 (and a failed CSRF check), 404 and 500 in the site's layout, in the
reader's language, with nothing from the exception or a traceback; under /api/ the same errors
are JSON. DEBUG is off here, as in production (pytest-django's default, made explicit)."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client, RequestFactory

from core import api
from tests.core.error_urls import SECRET

pytestmark = pytest.mark.urls("tests.core.error_urls")

# (status, English heading, French heading)
PAGES = [
    (400, "Malformed request.", "Requête mal formée."),
    (403, "Forbidden", "Accès interdit"),
    (404, "Page not found", "Page introuvable"),
    (500, "Server error", "Erreur du serveur"),
]
DEBUG_TEXT = ["Traceback", SECRET, "DEBUG", "Django", "RuntimeError", "Request Method"]


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def browser():
    """A client that gets the 500 page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def heading(body: str) -> str:
    start = body.index("<h1")
    return body[body.index(">", start) + 1 : body.index("</h1>", start)]


def assert_site_page(body: str, language: str) -> None:
    assert f'<html lang="{language}"' in body
    assert "/static/css/app.css" in body
    assert "navbar" in body
    assert 'data-testid="error-page"' in body
    for text in DEBUG_TEXT:
        assert text not in body


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "english", "french"), PAGES, ids=[str(p[0]) for p in PAGES])
def test_error_page_in_the_layout_in_english_and_french(browser, status, english, french):
    response = browser.get(f"/errors/{status}/")

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert heading(response.content.decode()) == english
    assert_site_page(response.content.decode(), "en")

    response = browser.get(f"/errors/{status}/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == status
    assert heading(response.content.decode()) == french
    assert_site_page(response.content.decode(), "fr")


@pytest.mark.django_db
def test_an_unknown_page_is_the_404_page(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 404
    assert heading(response.content.decode()) == "Page introuvable"


@pytest.mark.django_db
def test_a_host_not_allowed_is_the_400_page(client):
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert heading(response.content.decode()) == "Malformed request."
    assert "attacker.example" not in response.content.decode()


@pytest.mark.django_db
def test_the_pages_show_the_logged_in_user_menu(client, iat):
    client.force_login(iat)

    body = client.get("/errors/403/").content.decode()

    assert 'data-testid="current-user"' in body
    assert heading(body) == "Forbidden"


@pytest.mark.django_db
def test_a_failed_csrf_check_is_the_403_page_without_its_reason(iat):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(iat)

    response = strict.post("/accounts/profile/api-token/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 403
    body = response.content.decode()
    assert heading(body) == "Accès interdit"
    assert "CSRF cookie not set" not in body  # the reason, for the logs only
    assert_site_page(body, "fr")


def test_the_500_page_renders_without_a_request_or_the_database():
    """Django's server_error renders 500.html with no request and no context processors; this
    test has no database access either (no `db` fixture: a query would fail it)."""
    body = loader.get_template("500.html").render()

    assert heading(body) == "Server error"
    assert_site_page(body, "en")

    response = api.server_error(RequestFactory().get("/somewhere/"))

    assert response.status_code == 500
    assert heading(response.content.decode()) == "Server error"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_api_paths_keep_json_errors(browser, status):
    response = browser.get(f"/api/v1/errors/{status}/")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert detail
    assert SECRET not in detail


@pytest.mark.django_db
def test_an_unknown_api_url_is_json_in_the_callers_language(client):
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable."}
