"""Request bodies are size-checked before they are read (core/bodies.py,
core.middleware.BodySizeLimitMiddleware): a body larger than its view takes gets 413 and a
message saying the cap, and not a byte of it is read, whatever the view. Upload views take their
file's cap plus the form around it; every other view MAX_BODY_BYTES."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from core import bodies
from scorecard.models import Evidence

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
HUGE = 300 * MB


class Unread(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def declared(client: Client, path: str, length: int, **extra):
    """POST a body whose declared length is `length` (the bytes are never there: nothing may
    read them)."""
    return client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": Unread()},
        **extra,
    )


def test_a_huge_import_to_the_api_is_refused_unread(iat, team):
    client = APIClient()
    client.force_authenticate(iat)

    response = declared(client, "/api/v1/parity/snapshots/import/", HUGE)

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is too large: this endpoint takes at most 2.2\xa0MB."
    }


def test_a_huge_evidence_upload_gets_the_sites_page_with_the_cap(client, iat, assessment):
    client.force_login(iat)

    response = declared(
        client,
        "/teams/KAZ/2022/pi/2.2/evidence/",
        HUGE,
        HTTP_REFERER="http://testserver/teams/KAZ/2022/pi/2.2/",
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert 'data-testid="error-page"' in page  # the site's layout
    assert "Too large to send" in page
    assert "at most 20.2\xa0MB. Nothing was saved." in page
    assert 'href="http://testserver/teams/KAZ/2022/pi/2.2/"' in page  # back to the form
    assert not response.has_header("Connection")  # hop-by-hop: the WSGI server's to set


def test_the_413_page_speaks_the_users_language(client, iat, assessment):
    client.force_login(iat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    response = declared(client, "/teams/KAZ/2022/pi/2.2/evidence/", HUGE)

    assert response.status_code == 413
    page = response.content.decode()
    assert 'dir="rtl"' in page
    assert "Too large to send" not in page


def test_ordinary_pages_take_max_body_bytes(client, iat, assessment, settings):
    settings.MAX_BODY_BYTES = 1 * MB
    client.force_login(iat)

    refused = declared(client, "/teams/KAZ/2022/pi/2.2/", 1 * MB + 1)
    assert refused.status_code == 413

    response = client.post(
        "/teams/KAZ/2022/pi/2.2/",
        {"criteria_met": ["b"], "rating": "approaches", "version": "1"},
    )
    assert response.status_code == 302  # a normal save is untouched


def test_an_anonymous_huge_post_to_the_login_page_is_refused_unread(client):
    response = declared(client, "/accounts/login/", HUGE)
    assert response.status_code == 413


def test_a_body_within_the_cap_reaches_the_view(client, iat, assessment):
    """A real 3 MB evidence file (over MAX_BODY_BYTES' share for forms, under the upload cap)."""
    client.force_login(iat)
    data = b"%PDF-1.4\n" + b"0" * (3 * MB) + b"\n%%EOF\n"

    response = client.post(
        "/teams/KAZ/2022/pi/2.2/evidence/",
        {"title": "Big but allowed", "file": SimpleUploadedFile("big.pdf", data)},
    )
    assert response.status_code in (200, 302)
    assert Evidence.objects.filter(title="Big but allowed").exists()


@pytest.mark.parametrize(
    ("path", "method", "expected"),
    [
        ("/teams/KAZ/2022/pi/2.2/evidence/", "POST", lambda: settings.EVIDENCE_MAX_BYTES),
        ("/api/v1/evidence/", "POST", lambda: settings.EVIDENCE_MAX_BYTES),
        ("/api/v1/parity/snapshots/import/", "POST", lambda: 2 * MB),
        ("/parity/teams/KAZ/2022/", "POST", lambda: 2 * MB),
        ("/commitments/import/", "POST", lambda: 5 * MB),
    ],
)
def test_upload_views_take_their_file_cap_and_the_form_around_it(path, method, expected):
    view = resolve(path).func
    assert bodies.limit_for(view, method) == expected() + bodies.FORM_ALLOWANCE


@pytest.mark.parametrize("path", ["/teams/KAZ/2022/pi/2.2/", "/api/v1/pi-ratings/1/", "/"])
def test_every_other_view_takes_max_body_bytes(path, settings):
    settings.MAX_BODY_BYTES = 12345
    assert bodies.limit_for(resolve(path).func, "POST") == 12345
