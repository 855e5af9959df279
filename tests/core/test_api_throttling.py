"""API throttling: past the rate, a 429 with Retry-After and a readable JSON `detail`; counted per
user for logged-in calls, per client IP for anonymous ones, in the cache. The rates come from
API_THROTTLE_ANON and API_THROTTLE_USER (tests/conftest.py turns them off for the other tests)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from core.throttle import AnonRateThrottle, UserRateThrottle

API = "/api/v1/country-teams/"


@pytest.fixture(autouse=True)
def _no_earlier_counts():
    cache.clear()
    yield
    cache.clear()


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["detail"]


def test_a_user_past_the_rate_gets_429_with_retry_after(settings, iat, outsider):
    settings.API_THROTTLE_USER = "3/min"
    mine, theirs = token_client(iat), token_client(outsider)

    assert [mine.get(API).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(mine.get(API))
    assert theirs.get(API).status_code == 200  # counted per user


def test_session_and_token_calls_of_one_user_share_the_count(settings, client, iat):
    settings.API_THROTTLE_USER = "2/min"
    client.force_login(iat)

    assert client.get(API).status_code == 200
    assert token_client(iat).get(API).status_code == 200
    assert_throttled(client.get(API))


@pytest.mark.django_db
def test_anonymous_calls_are_counted_per_client_ip(settings):
    settings.API_THROTTLE_ANON = "2/min"
    here, elsewhere = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")

    assert [here.get("/api/docs/").status_code for _ in range(2)] == [200, 200]
    response = here.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert_throttled(response)
    assert response.json()["detail"]
    assert elsewhere.get("/api/docs/").status_code == 200
    # A forged X-Forwarded-For does not make a new client (API_NUM_PROXIES is 0).
    assert here.get("/api/docs/", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429


def test_no_rate_no_limit(settings, iat):
    settings.API_THROTTLE_USER = None
    mine = token_client(iat)

    assert {mine.get(API).status_code for _ in range(5)} == {200}


def test_the_rates_are_read_from_the_settings_at_each_request(settings):
    settings.API_THROTTLE_ANON, settings.API_THROTTLE_USER = "7/hour", "9/day"

    assert (AnonRateThrottle().num_requests, AnonRateThrottle().duration) == (7, 3600)
    assert (UserRateThrottle().num_requests, UserRateThrottle().duration) == (9, 86400)


def test_the_schema_documents_the_429(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "429" in schema["paths"]["/api/v1/country-teams/"]["get"]["responses"]
