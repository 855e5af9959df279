"""After AXES_FAILURE_LIMIT wrong passwords, django-axes pauses log-in for that username from
that address: the answer is a page in the site's layout, in the user's language, saying for how
long (AXES_COOLOFF_HOURS), with a way to reset the password."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.25  # hours


def fail(client, username: str, times: int):
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong-password"})
    return response


def test_the_fifth_wrong_password_gets_the_lock_out_page_saying_for_how_long(client, iat):
    assert fail(client, iat.username, 4).status_code == 200  # the form again, with its error

    response = fail(client, iat.username, 1)

    assert response.status_code == 429
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page
    assert "<nav" in page  # the site's layout, not axes' bare text
    assert "There were 5 failed log-ins in a row for this username" in page
    assert "logging in is paused for 15\xa0minutes" in page
    assert 'href="/accounts/password_reset/"' in page


def test_even_the_right_password_waits_until_the_pause_ends(client, iat):
    fail(client, iat.username, 5)

    response = client.post(LOGIN, {"username": iat.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_out_page_speaks_the_visitors_language(client, iat):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = fail(client, iat.username, 5)

    assert response.status_code == 429
    page = response.content.decode()
    assert 'lang="fr"' in page
    assert "15\xa0minutes" in page
    assert "failed log-ins" not in page


def test_an_hour_and_a_half_reads_as_such(client, iat, settings):
    settings.AXES_COOLOFF_TIME = 1.5

    page = fail(client, iat.username, 5).content.decode()

    assert "paused for 1\xa0hour, 30\xa0minutes" in page
