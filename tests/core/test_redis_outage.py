"""Redis away (the cache and Celery's broker): the site goes on.

Each test runs on a Redis of its own (tests/redis_server.py), configured as config/settings.py
configures production from REDIS_URL, and kills it mid-test: the port then refuses connections,
as a stopped Redis does. Pages, log-in and saving keep working (sessions are in the database,
django-redis drops the cache's calls); a report request is kept and reaches the broker once Redis
is back; /health/ names what failed.
"""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache

from core import throttle
from reports import dispatch
from reports.models import ReportJob
from scorecard.models import IndicatorAssessment
from tests.factories import PASSWORD

pytestmark = [pytest.mark.worker, pytest.mark.django_db]

OVERVIEW = "/teams/KAZ/2022/"
PI_URL = "/teams/KAZ/2022/pi/2.2/"
KEPT = "The report service is unavailable: your request is kept"


def log_in(client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_log_in_pages_and_saving_work_with_redis_stopped(client, iat, assessment, on_private_redis):
    log_in(client, iat)
    assert client.get(OVERVIEW).status_code == 200
    assert cache.set("probe", 1) is not None or cache.get("probe") == 1  # Redis really answers

    on_private_redis.stop()

    assert client.get(OVERVIEW).status_code == 200  # the session, read from the database
    assert client.get(PI_URL).status_code == 200
    response = client.post(
        PI_URL,
        {
            "criteria_met": ["b", "c"],
            "rating": "meets",
            "finding_b": "Saved with Redis down.",
            "version": "1",
        },
    )
    assert response.status_code == 302
    row = IndicatorAssessment.objects.get(assessment=assessment, indicator__code="2.2")
    assert (row.rating, row.findings) == ("meets", {"b": "Saved with Redis down."})

    client.logout()
    assert client.get("/accounts/login/").status_code == 200  # the log-in page itself
    log_in(client, iat)  # and logging in again
    assert client.get(OVERVIEW).status_code == 200


def test_a_log_out_during_the_outage_stays_a_log_out_when_redis_returns(
    client, iat, assessment, on_private_redis
):
    """A session cached in Redis and ended while Redis was away must not come back with it."""
    log_in(client, iat)
    assert client.get(OVERVIEW).status_code == 200
    cookie = client.cookies["sessionid"].value

    on_private_redis.stop()
    client.post("/accounts/logout/")
    on_private_redis.start()

    client.cookies["sessionid"] = cookie  # the old cookie, kept by someone
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_report_request_is_kept_and_reaches_the_broker_when_redis_returns(
    client, iat, assessment, on_private_redis, django_capture_on_commit_callbacks
):
    log_in(client, iat)
    on_private_redis.stop()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{OVERVIEW}report/request/", {"language": "en"}, follow=True)
    assert response.status_code == 200
    job = ReportJob.objects.get()
    assert (job.status, job.note) == (ReportJob.Status.QUEUED, dispatch.BROKER_DOWN_NOTE)
    assert KEPT in client.get(f"/reports/{job.pk}/").content.decode()

    on_private_redis.start()
    assert dispatch.dispatch_pending(older_than=0) == 1
    job.refresh_from_db()
    assert (job.note, job.dispatched_at is not None) == ("", True)
    queued = redis.Redis.from_url(on_private_redis.url).llen("celery")
    assert queued == 1  # the render task's message, waiting for a worker


def test_rate_limited_forms_still_answer_with_redis_stopped(db, on_private_redis):
    on_private_redis.stop()
    assert throttle.hit("password-reset", "someone@example.org", limit=5, window=60) is True


def test_health_names_cache_broker_and_worker_with_redis_stopped(client, on_private_redis):
    on_private_redis.stop()

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert {"cache", "broker", "worker"} <= set(body["failed"])
    assert body["checks"]["database"] == "ok"
