"""Celery tasks: thin wrappers around worker.py (render a job) and dispatch.py (send the jobs
the broker missed).

The report task must be neither lost nor run twice. It is acknowledged only after it ran
(acks_late), put back in the queue when its worker process dies (reject_on_worker_lost), retried
a bounded number of times with backoff on transient errors, stopped by a soft then a hard time
limit, and idempotent (worker.run_job guards every step). Workers are recycled after 50 tasks or
400 MB (docker-compose.yml: --max-tasks-per-child=50 --max-memory-per-child=400000).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import connections

from . import dispatch, worker

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(worker.TransientError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
    time_limit=120,
    soft_time_limit=90,
)
def render_report(self, job_id: int) -> str:
    """Render one ReportJob (by id only: the job holds its input)."""
    try:
        return worker.run_job(job_id, last_try=self.request.retries >= self.max_retries)
    except worker.StillRunning as busy:
        if self.request.retries >= self.max_retries:
            # Left to the attempt that holds it; if that one died, dispatch_pending resends.
            logger.info("Report job %s: %s; leaving it to that attempt.", job_id, busy)
            return "held"
        raise self.retry(countdown=busy.seconds) from busy


@shared_task
def dispatch_queued_reports() -> int:
    """Beat (every minute): send the jobs the broker missed and those whose worker died."""
    return dispatch.dispatch_pending()


@worker_ready.connect
def _resume_reports(**kwargs: object) -> None:
    """A worker that starts picks up what a dead one left running, and what the broker missed."""
    try:
        sent = dispatch.dispatch_pending(older_than=0)
        if sent:
            logger.info("Resent %d report job(s) at worker start.", sent)
    except Exception:
        logger.exception("Could not resend report jobs at worker start")
    finally:
        connections.close_all()  # the pool forks children from this process later
