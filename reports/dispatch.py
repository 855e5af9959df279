"""Handing report jobs to the broker (Celery), and handing them again when it missed them.

A job is sent only after the transaction that made it commits. When the broker is down the job
stays queued with a note (the page tells the user) and is sent again by the next request, the
status poll, a worker starting, or the beat task (`dispatch_pending`); nothing is lost.

The render task is sent by its registered name: the tasks module calls `dispatch_pending`, so
importing it here would make a circle. ReportsConfig.ready() imports the tasks, so every process
that runs Django has them registered.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app
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
        render_report.apply_async(args=[job_pk])  # embedded mode: runs here and now
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
