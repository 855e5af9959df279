"""A Redis of the test's own, which the test may stop and start again: for the outage tests.

`redis_server` starts `redis-server` (the machine's, as CI has it) on a free loopback port, with
nothing kept on disk. `stop()` kills it (the port then refuses connections, as a dead Redis does)
and `start()` brings it back on the same port, empty. `use()` points the cache and Celery's
broker at it with the CACHES that config/settings.py makes from REDIS_URL (it runs that code,
it does not copy it).

Without the redis-server binary the tests are skipped; with REQUIRE_WORKER=1 (CI) that is a
failure instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings

SETTINGS_FILE = Path(django_settings.BASE_DIR) / "config" / "settings.py"
READY_TIMEOUT = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_for(redis_url: str) -> Any:
    """config/settings.py as a deployment with this REDIS_URL loads it."""
    spec = importlib.util.spec_from_file_location("_settings_with_redis", SETTINGS_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, {"REDIS_URL": redis_url}):
        spec.loader.exec_module(module)
    return module


@dataclass
class RedisServer:
    binary: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 -- the machine's redis-server, fixed arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    reason = "no redis-server on this machine"
    if os.environ.get("REQUIRE_WORKER") == "1":
        pytest.fail(f"REQUIRE_WORKER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(_binary())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def on_private_redis(redis_server, settings) -> Iterator[RedisServer]:
    """The cache and Celery's broker on `redis_server`, as production has them; tasks go to the
    broker (not run in the test), so a report request meets the broker as a deployment does."""
    from django.core.cache import caches  # noqa: PLC0415

    from config.celery import app  # noqa: PLC0415

    # Before Django's settings change: app.conf reads CELERY_* from them when not set on itself.
    old = app.conf.broker_url, app.conf.task_always_eager
    production = settings_for(redis_server.url)
    settings.CACHES = production.CACHES  # Django resets its cache handlers on this change
    settings.SESSION_ENGINE = production.SESSION_ENGINE
    settings.CELERY_BROKER_URL = production.CELERY_BROKER_URL  # what /health/ reads
    settings.CELERY_TASK_ALWAYS_EAGER = production.CELERY_TASK_ALWAYS_EAGER
    app.conf.broker_url = redis_server.url
    app.conf.task_always_eager = False
    _fresh_connections(app)
    try:
        yield redis_server
    finally:
        caches["default"].close()
        app.conf.broker_url, app.conf.task_always_eager = old
        _fresh_connections(app)


def _fresh_connections(app: Any) -> None:
    """Celery keeps a pool of broker connections made for the broker_url it first saw: drop it,
    so the next message goes where broker_url now says."""
    from kombu import pools  # noqa: PLC0415

    pools.reset()  # closes and forgets every pool kombu keeps, keyed by connection
    app._pool = None
    app.amqp._producer_pool = None
