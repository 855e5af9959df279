"""The report job through a real Celery worker on Redis, against PostgreSQL.

Each test starts `celery -A config worker --pool=prefork --concurrency=1` as a subprocess in its
own process group, pointed at pytest-django's test database and this test's MEDIA_ROOT, and
watches the job in the database. Without REDIS_URL and PostgreSQL the tests are skipped; with
REQUIRE_WORKER=1 (CI) that is a failure instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from reports import dispatch, document
from reports import services as report_services
from reports.models import ReportJob
from reports.tasks import render_report

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = ReportJob.Status
READY_TIMEOUT = 60
JOB_TIMEOUT = 120


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_WORKER") == "1":
        pytest.fail(f"REQUIRE_WORKER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def worker_env(settings) -> dict[str, str]:
    """The environment a worker needs to share this test's database, broker and files."""
    if not os.environ.get("REDIS_URL"):
        _unavailable("the worker tests need REDIS_URL (a Redis broker)")
    if connection.vendor != "postgresql":
        _unavailable(
            "the worker tests need PostgreSQL (DATABASE_URL): SQLite's test database is in memory"
        )
    parts = urlsplit(os.environ["DATABASE_URL"])
    test_db = urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))
    return {
        **os.environ,
        "DATABASE_URL": test_db,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def start_worker(worker_env, tmp_path):
    """start_worker(delay=0) -> the worker's Popen, once it is ready to take tasks."""
    celery_app.control.purge()
    started: list[subprocess.Popen] = []

    def start(*, delay: float = 0) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"report-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR,
            env={**worker_env, "REPORT_TEST_DELAY_SECONDS": str(delay)},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to kill it whole
        )
        process.log = log  # type: ignore[attr-defined]
        started.append(process)
        deadline = time.monotonic() + READY_TIMEOUT
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    celery_app.control.purge()
    # Messages the killed worker had reserved sit in Redis' unacked set: do not leave them to
    # a later worker (they would find their job gone).
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index", "unacked_mutex")


def wait_for(job: ReportJob, statuses: set[str], worker, *, timeout: float = JOB_TIMEOUT) -> list:
    """Poll the job until it reaches one of `statuses`; the statuses seen on the way."""
    seen = [job.status]
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.status != seen[-1]:
            seen.append(job.status)
        if job.status in statuses:
            return seen
        if time.monotonic() > deadline:
            log = worker.log.read_text(errors="replace")
            pytest.fail(f"job {job.pk} stuck at {seen} after {timeout} s; worker log:\n{log}")
        time.sleep(0.1)


def stored(pattern: str = "KAZ-2022-*.pdf") -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "reports").glob(pattern))


def test_job_goes_queued_running_done_through_a_real_worker(kaz_2022, viewer, start_worker):
    worker = start_worker(delay=1.5)  # slow enough to be seen rendering
    job = report_services.request_report(assessment=kaz_2022, by=viewer)  # sent when it commits

    assert wait_for(job, {Status.DONE, Status.FAILED}, worker) == [
        Status.QUEUED,
        Status.RUNNING,
        Status.DONE,
    ]
    assert job.error == ""
    assert job.attempts == 1
    [path] = stored()
    assert path.read_bytes().startswith(b"%PDF")
    assert job.file.name == f"reports/{path.name}"
    assert job.pages >= 20


def test_worker_killed_mid_render_still_yields_exactly_one_report(kaz_2022, viewer, start_worker):
    doomed = start_worker(delay=60)
    job = report_services.request_report(assessment=kaz_2022, by=viewer)
    wait_for(job, {Status.RUNNING}, doomed)

    os.killpg(doomed.pid, signal.SIGKILL)  # the whole worker, pool child included
    doomed.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert stored() == []

    # A new worker takes over what the dead one left running.
    survivor = start_worker(delay=0)
    wait_for(job, {Status.DONE, Status.FAILED}, survivor)
    assert (job.status, job.attempts, job.error) == (Status.DONE, 2, "")
    assert [p.name for p in stored()] == [Path(job.file.name).name]

    # The killed delivery comes back one day (acks_late): it finds the job done.
    render_report.apply_async(args=[job.pk])
    deadline = time.monotonic() + JOB_TIMEOUT
    while "'skipped'" not in survivor.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, survivor.log.read_text(errors="replace")
        time.sleep(0.2)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.DONE, 2)
    assert len(stored()) == 1
    assert stored("*.part") == []


def test_failure_in_the_worker_shows_a_readable_reason(kaz_2022, viewer, start_worker):
    worker = start_worker()
    data = document.report_input(kaz_2022)
    job = ReportJob.objects.create(
        assessment=None,  # its assessment was deleted after the request
        requested_by=viewer,
        requested_at=timezone.now(),
        content_hash=document.content_hash(data),
        framework_version="2018",
        report_input=data,
    )
    assert dispatch.dispatch(job.pk) is True

    wait_for(job, {Status.DONE, Status.FAILED}, worker)
    assert job.status == Status.FAILED
    assert job.error == "The assessment was deleted before its report could be made."
    assert stored() == []
