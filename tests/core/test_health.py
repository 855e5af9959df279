"""`/health/` (core/health.py): 200 when the database, the cache, the broker, the storage and a
worker all answer; 503 naming each one that does not. Every failure here is real: a closed port,
a database file that cannot be opened, a storage root that is a file, a heartbeat too old.
`/healthz` stays the liveness probe that checks nothing."""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
import types
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection, connections

from config.celery import app as celery_app
from core import health
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db
CHECKS = ["database", "cache", "broker", "storage", "worker"]
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url() -> str:
    """Redis db 5 of the machine's server (REDIS_URL's host when set): kept apart from the
    other tests' db 0. Skipped when no Redis answers; with REQUIRE_WORKER=1 (CI), failed."""
    server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    host, port = server.hostname or "127.0.0.1", server.port or 6379
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        if os.environ.get("REQUIRE_WORKER") == "1":
            pytest.fail(f"REQUIRE_WORKER=1 but no Redis answers at {host}:{port}")
        pytest.skip(f"no Redis at {host}:{port}")
    return f"redis://{host}:{port}/5"


@pytest.fixture
def embedded(settings, tmp_path):
    """`make run`'s configuration: no broker (tasks eager), cache in memory, files on disk."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = LOCMEM
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    cache.clear()  # no heartbeat left by another test
    return settings


@pytest.fixture
def with_worker(embedded):
    """A broker (kombu's in-memory transport: the broker check really connects to it) and
    tasks run by a worker, so the worker's heartbeat counts."""
    embedded.CELERY_TASK_ALWAYS_EAGER = False
    embedded.CELERY_BROKER_URL = "memory://"
    return embedded


def get_health(client):
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response, response.json()


def test_all_well_in_embedded_mode(client, embedded):
    response, body = get_health(client)

    assert response.status_code == 200
    assert body == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "broker": "embedded",
            "storage": "ok",
            "worker": "embedded",
        },
    }
    assert list(Path(embedded.MEDIA_ROOT).iterdir()) == []  # the probe file deleted, no folder


def test_all_well_with_redis_as_cache_and_broker_and_a_live_worker(client, embedded):
    url = redis_url()
    embedded.CELERY_TASK_ALWAYS_EAGER = False
    embedded.CELERY_BROKER_URL = url
    embedded.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    heartbeat()  # what the worker runs every minute, writing to Redis

    response, body = get_health(client)

    assert response.status_code == 200, body
    assert body["checks"] == dict.fromkeys(CHECKS, "ok")


@pytest.fixture
def unreachable_database(monkeypatch, tmp_path):
    """New connections (the check opens its own) go where no database answers: a SQLite file in
    a folder that does not exist, or PostgreSQL on a closed port. The test's own connection,
    already open, is untouched."""
    broken = copy.deepcopy(connections.settings["default"])
    if connection.vendor == "sqlite":
        broken["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        broken.update(HOST="127.0.0.1", PORT=str(closed_port()))
    monkeypatch.setitem(connections.settings, "default", broken)


def test_database_down(client, embedded, unreachable_database):
    response, body = get_health(client)

    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "unavailable"
    assert body["checks"]["cache"] == "ok"


def test_cache_down(client, embedded):
    embedded.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/5",
        }
    }

    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failed"] == ["cache"]


def test_broker_down(client, with_worker):
    with_worker.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/5"
    heartbeat()  # a worker was alive a moment ago

    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failed"] == ["broker"]
    assert body["checks"]["worker"] == "ok"


def test_broker_up(client, with_worker):
    with_worker.CELERY_BROKER_URL = redis_url()
    heartbeat()

    response, body = get_health(client)

    assert response.status_code == 200, body
    assert body["checks"]["broker"] == "ok"


def test_storage_down_on_disk(client, embedded, tmp_path):
    blocker = tmp_path / "media-is-a-file"
    blocker.write_text("not a folder")
    embedded.MEDIA_ROOT = blocker

    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failed"] == ["storage"]


@pytest.mark.s3
def test_storage_in_a_real_bucket_then_unreachable(client, embedded, s3):
    response, body = get_health(client)
    assert response.status_code == 200, body
    assert body["checks"]["storage"] == "ok"
    assert s3.keys() == []  # the probe file is deleted

    s3.unreachable()
    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failed"] == ["storage"]


def test_worker_heartbeat_fresh(client, with_worker):
    heartbeat.apply()  # the task as Celery runs it

    response, body = get_health(client)

    assert response.status_code == 200, body
    assert body["checks"]["worker"] == "ok"


def test_worker_heartbeat_stale(client, with_worker, monkeypatch):
    heartbeat.apply()
    six_minutes_later = time.time() + 6 * 60
    monkeypatch.setattr(health, "time", types.SimpleNamespace(time=lambda: six_minutes_later))

    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failed"] == ["worker"]


def test_worker_never_seen(client, with_worker):
    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failed"] == ["worker"]


def test_several_failures_are_all_named(client, with_worker, unreachable_database):
    with_worker.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/5"

    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failed"] == ["database", "broker", "worker"]


def test_the_heartbeat_is_scheduled_every_minute(settings):
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "core.tasks.heartbeat"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"] <= 60
    assert 3 * entries[0]["schedule"] <= settings.HEALTH_WORKER_MAX_AGE  # a miss is no outage
    assert "core.tasks.heartbeat" in celery_app.tasks


def test_healthz_checks_nothing(client, embedded, unreachable_database):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_probes_are_not_redirected_to_https(client, embedded, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/health/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


PROBE = Path(django_settings.BASE_DIR) / "config" / "healthcheck.py"


def run_probe(url: str) -> subprocess.CompletedProcess:
    """The Dockerfile's HEALTHCHECK command, as Docker runs it in the web container."""
    return subprocess.run(  # noqa: S603 -- our interpreter and script
        [sys.executable, str(PROBE), url],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "ALLOWED_HOSTS": "*.example.org,localhost"},
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_docker_probe_passes_when_healthy_and_fails_naming_the_check(live_server, with_worker):
    heartbeat()
    healthy = run_probe(f"{live_server.url}/health/")
    assert healthy.returncode == 0, healthy.stdout
    assert '"status": "ok"' in healthy.stdout

    cache.clear()  # the heartbeat is gone: no worker
    unhealthy = run_probe(f"{live_server.url}/health/")

    assert unhealthy.returncode == 1
    assert unhealthy.stdout.startswith("503")
    assert '"failed": ["worker"]' in unhealthy.stdout


def test_the_docker_probe_fails_when_nothing_answers():
    probe = run_probe(f"http://127.0.0.1:{closed_port()}/health/")

    assert probe.returncode == 1
    assert "refused" in probe.stdout.lower()
