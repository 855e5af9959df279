"""With DEBUG off, no server starts without SECRET_KEY (config/secret_key.py): the WSGI and ASGI
applications (gunicorn, runserver) and the Celery worker and beat stop with a message saying what
to set. Each case runs in a fresh interpreter, as a deployment would start it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

TIMEOUT = 60


def run(command: list[str], tmp_path, **environment: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",  # production's, not the test runner's
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",  # Celery's in-memory broker: nothing to reach
        "DEBUG": "false",
        "SECRET_KEY": "",  # set but empty wins over a developer's .env (environ never overrides)
        **environment,
    }
    return subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_the_web_application_refuses_to_start_without_a_key(module, tmp_path):
    done = run(["-c", f"import {module}"], tmp_path)

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY is not set and DEBUG is off" in done.stderr
    assert "secrets.token_urlsafe(50)" in done.stderr  # says how to make one


@pytest.mark.parametrize(
    "environment",
    [{"SECRET_KEY": "a-real-deployment-key-" + "k" * 40}, {"DEBUG": "true"}],
    ids=["key set", "debug on"],
)
def test_the_web_application_starts_with_a_key_or_in_debug(environment, tmp_path):
    done = run(["-c", "import config.wsgi; print('started')"], tmp_path, **environment)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "started"


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_refuses_to_start_without_a_key(service, tmp_path):
    extra = ["--pool=solo"] if service == "worker" else ["--schedule", str(tmp_path / "beat")]
    done = run(["-m", "celery", "-A", "config", service, *extra], tmp_path)

    assert done.returncode != 0
    assert "SECRET_KEY is not set and DEBUG is off" in done.stderr


def test_tools_that_serve_no_one_still_run_without_a_key(tmp_path):
    """migrate, collectstatic, compile_translations: make install and the Docker build run them
    before any key exists."""
    done = run(["manage.py", "migrate", "--no-input", "-v", "0"], tmp_path)

    assert done.returncode == 0, done.stderr
