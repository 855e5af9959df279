"""Handing report jobs to the broker (Celery), and handing them again when it missed them.

A job is sent only after the transaction that made it commits. When the broker is down the job
stays queued with a note (the page tells the user) and is sent again by the next request, the
status poll, a worker starting, or the beat task (`dispatch_pending`); nothing is lost.

The render task is sent by its registered name: the tasks module calls `dispatch_pending`, so
importing it here would make a circle. ReportsConfig.ready() imports the tasks, so every process
that runs Django has them registered.

Embedded mode (no REDIS_URL: CELERY_TASK_ALWAYS_EAGER) has no worker, but behaves like one: the
task runs in a daemon thread of the web process, started after the commit, so the request that
asked answers at once and the page polls the job as it would with a worker (a render takes
3-15 s). One render at a time per process, each thread with its own database connection, closed
when it ends. A process that stops mid-render leaves the job running under its dead pid, and
dispatch_pending sends it again. REPORT_EMBEDDED_INLINE (unit tests only: their data lives in a
transaction that another thread cannot see) runs the task in the caller instead;
`wait_for_embedded_jobs` lets a test wait for the threads rather than sleep.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from .models import ReportJob
from .worker import attempt_is_dead, knob, lease_seconds

logger = logging.getLogger(__name__)

RENDER_TASK = "reports.tasks.render_report"
Status = ReportJob.Status
# A code in ReportJob.note, worded by templates/reports/_report_status.html.
BROKER_DOWN_NOTE = "broker_down"


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError  # noqa: PLC0415

    errors: list[type[BaseException]] = [KombuOperationalError, ConnectionError, TimeoutError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: PLC0415
        from redis.exceptions import TimeoutError as RedisTimeoutError  # noqa: PLC0415
    except ImportError:  # pragma: no cover -- celery[redis] brings it
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


def dispatch(job_pk: int) -> bool:
    """Hand the job to the broker. When the broker is down the job stays queued with a note
    (the page tells the user) and is sent again later; nothing is lost."""
    render_report = current_app.tasks[RENDER_TASK]
    now = timezone.now()
    jobs = ReportJob.objects.filter(pk=job_pk, status__in=[Status.QUEUED, Status.RUNNING])
    if not jobs.update(dispatch_attempted_at=now, dispatched_at=now, note=""):
        return True  # finished or failed meanwhile: nothing to send
    if render_report.app.conf.task_always_eager:
        _run_embedded(job_pk)
        return True
    try:
        # One try, through kombu's retry wrapper with no retries: it gives up at once when the
        # broker refuses. (retry=False hands the error to redis-py, which retries 10 times with
        # backoff: 6 s of a web request spent on a Redis that is down.)
        render_report.apply_async(args=[job_pk], retry=True, retry_policy={"max_retries": 0})
    except _broker_errors() as error:
        logger.warning("Report job %s kept queued: the broker is unavailable (%s)", job_pk, error)
        jobs.filter(status=Status.QUEUED).update(dispatched_at=None, note=BROKER_DOWN_NOTE)
        return False
    return True


# Embedded mode's render threads: one render at a time (as one worker process would), and the
# live threads, for wait_for_embedded_jobs.
_render_lock = threading.Lock()
_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def _render_in_thread(job_pk: int) -> None:
    try:
        with _render_lock:
            current_app.tasks[RENDER_TASK].apply_async(args=[job_pk])  # eager: runs here
    except Exception:
        # run_job records what a person should read on the job; this is for the operator.
        logger.exception("Report job %s: the embedded render thread failed", job_pk)
    finally:
        connections.close_all()  # this thread's own connections (they are per thread)
        with _threads_lock:
            _threads.discard(threading.current_thread())


def _run_embedded(job_pk: int) -> None:
    """Embedded mode: render the job after the response, in a daemon thread (see the module's
    docstring); in the caller when REPORT_EMBEDDED_INLINE is set (unit tests)."""
    if getattr(settings, "REPORT_EMBEDDED_INLINE", False):
        current_app.tasks[RENDER_TASK].apply_async(args=[job_pk])
        return
    thread = threading.Thread(
        target=_render_in_thread, args=(job_pk,), name=f"report-job-{job_pk}", daemon=True
    )
    with _threads_lock:
        _threads.add(thread)
    thread.start()


def wait_for_embedded_jobs(timeout: float = 120) -> bool:
    """Wait until embedded mode's render threads have ended (tests, instead of sleeping).
    False when some are still running after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with _threads_lock:
            running = [t for t in _threads if t.is_alive()]
        if not running:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        running[0].join(left)


def ensure_dispatched(job: ReportJob) -> None:
    """Send a queued job again when the broker refused it earlier (at most every 10 s)."""
    if job.status != Status.QUEUED or job.dispatched_at is not None:
        return
    retry_after = knob("REPORT_REDISPATCH_SECONDS", 10)
    last = job.dispatch_attempted_at
    if last is None or last + timedelta(seconds=retry_after) <= timezone.now():
        dispatch(job.pk)
        job.refresh_from_db()


def dispatch_pending(*, older_than: float | None = None) -> int:
    """Send every job that needs it: queued ones the broker never got (or got so long ago that
    the message may be lost) and running ones whose attempt died. Stops at the first broker
    error. Called by requests, the status poll, a worker starting, and the beat task."""
    now = timezone.now()
    wait = knob("REPORT_REDISPATCH_SECONDS", 10) if older_than is None else older_than
    quiet = now - timedelta(seconds=wait)
    lost = now - timedelta(seconds=lease_seconds())
    queued = ReportJob.objects.filter(status=Status.QUEUED).filter(
        Q(dispatched_at__isnull=True)
        & (Q(dispatch_attempted_at__isnull=True) | Q(dispatch_attempted_at__lte=quiet))
        | Q(dispatched_at__lte=lost)
    )
    running = ReportJob.objects.filter(status=Status.RUNNING).only(
        "pk", "status", "started_at", "worker"
    )
    pks = list(queued.values_list("pk", flat=True)) + [
        job.pk for job in running if attempt_is_dead(job)
    ]
    sent = 0
    for pk in pks:
        if not dispatch(pk):
            break
        sent += 1
    return sent
