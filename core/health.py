"""`/health/`: is every service the site needs answering? For load balancers, Docker and uptime
monitors (JSON, English, no translation: it is read by machines).

django-health-check runs the checks side by side, each within a few seconds:

- database: `SELECT 1` on a fresh connection;
- cache: a key written and read back (Redis in production: sessions, throttling, the heartbeat);
- broker: a connection to Celery's broker (REDIS_URL);
- storage: a file written, read and deleted in the default storage (MEDIA_ROOT or the bucket);
- worker: a Celery worker ran the heartbeat task (`core.tasks.heartbeat`, sent by beat every
  minute) in the last HEALTH_WORKER_MAX_AGE seconds; so beat, the broker and a worker all work.

200 `{"status": "ok", "checks": {"database": "ok", …}}` when all is well; 503 with
`"status": "unavailable"` and `"failed"` naming the checks that failed. Without a broker
(embedded mode: no REDIS_URL, tasks run in the web process) broker and worker say "embedded" and
count as well. What went wrong is logged (logger `health_check`), not shown: the answer is public
and a driver's message may name internal hosts.

`/healthz` stays the liveness probe: the process answers, nothing else is checked, so a database
outage never gets the web containers restarted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import time
import uuid
from typing import Any, ClassVar

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection

HEARTBEAT_KEY = "health:worker-heartbeat"
HEARTBEAT_KEEP_SECONDS = 24 * 3600
EMBEDDED = "embedded"


def record_heartbeat() -> None:
    """What the heartbeat task does in the worker: note the time in the shared cache."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=HEARTBEAT_KEEP_SECONDS)


def embedded() -> bool:
    """No broker: Celery runs tasks eagerly in the web process (config/settings.py)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


class Named:
    """A check's name in the JSON; `status` is set by a check that is not applicable here."""

    name: ClassVar[str]
    status: str | None = None


@dataclasses.dataclass
class Database(Named, checks.Database):
    name = "database"


@dataclasses.dataclass
class Cache(Named, checks.Cache):
    name = "cache"


@dataclasses.dataclass
class Storage(Named, checks.Storage):
    name = "storage"

    def get_file_name(self) -> str:
        # At the top: a folder on disk would stay behind, empty, after each probe.
        return f"health-check-{uuid.uuid4()}.txt"

    def run(self) -> None:
        # Disk or bucket errors are an unavailable storage, not django-health-check's "unknown".
        try:
            super().run()
        except (BotoCoreError, ClientError, OSError) as error:
            raise ServiceUnavailable(type(error).__name__) from error


@dataclasses.dataclass
class Broker(Named, HealthCheck):
    name = "broker"
    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        if embedded():
            self.status = EMBEDDED
            return
        connection = Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=self.timeout.total_seconds(),
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        )
        try:
            with connection:
                connection.ensure_connection(
                    max_retries=1, interval_start=0, timeout=self.timeout.total_seconds()
                )
        except Exception as error:  # kombu's OperationalError, or the transport's own
            raise ServiceUnavailable(
                f"Cannot connect to the broker ({type(error).__name__})"
            ) from error


@dataclasses.dataclass
class Worker(Named, HealthCheck):
    name = "worker"

    def run(self) -> None:
        if embedded():
            self.status = EMBEDDED
            return
        try:
            beat = cache.get(HEARTBEAT_KEY)
        except Exception as error:  # the cache's own check names the cause
            raise ServiceUnavailable("Cannot read the heartbeat from the cache") from error
        if beat is None:
            raise ServiceUnavailable("No worker has run the heartbeat task")
        age = time.time() - float(beat)
        if age > settings.HEALTH_WORKER_MAX_AGE:
            raise ServiceUnavailable(f"No worker heartbeat for {age:.0f} s")


class HealthView(HealthCheckView):
    checks = (Database, Cache, Broker, Storage, Worker)

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        report = {
            result.check.name: "unavailable" if result.error else (result.check.status or "ok")
            for result in results
        }
        failed = [result.check.name for result in results if result.error]
        if failed:
            body = {"status": "unavailable", "failed": failed, "checks": report}
            return JsonResponse(body, status=503)
        return JsonResponse({"status": "ok", "checks": report})
