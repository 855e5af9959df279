"""Celery tasks: a thin wrapper around core.mail.deliver (core.mail queues it by name), and the
worker's heartbeat that `/health/` reads (core/health.py).

A mail server that is down or refuses for a while (SMTP errors, refused or timed-out connections)
is tried again with exponential backoff and jitter, about 15 minutes in all (30 s, 1, 2, 4, 8 min,
each jittered). After the last try the message is given up and logged as an error, not raised:
in embedded mode (eager tasks) the task runs inside the user's request, which must not fail for it.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import Task, shared_task
from celery.result import EagerResult

from . import health, mail

logger = logging.getLogger(__name__)

RETRIED = (smtplib.SMTPException, OSError)  # OSError: refused, reset, timed out, DNS


class EagerSafeTask(Task):
    """Run eagerly (no broker: inside the user's request) without ever raising into it.

    Celery runs an eager task's retries by applying it again with the global
    CELERY_TASK_EAGER_PROPAGATES (on here, so that other tasks' errors show), and that raises the
    second retry out of the caller instead of running it. throw=False keeps every try in place.
    """

    def apply(self, *args: Any, **kwargs: Any) -> EagerResult:
        kwargs["throw"] = False
        return super().apply(*args, **kwargs)


@shared_task(
    base=EagerSafeTask,
    bind=True,
    autoretry_for=RETRIED,
    retry_backoff=30,  # seconds before the first retry, doubled each time
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_message(self: Task, subject: str, text: str, html: str, recipients: list[str]) -> int:
    """Send one message; returns 1 once sent, 0 when given up after the last retry."""
    try:
        return mail.deliver(subject, text, html, recipients)
    except RETRIED as error:
        if self.request.retries < self.max_retries:
            raise  # autoretry_for schedules the next try
        logger.error(
            "Mail %r to %d recipient(s) not sent after %d attempts: %s",
            subject,
            len(recipients),
            self.request.retries + 1,
            error,
        )
        return 0


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every minute (CELERY_BEAT_SCHEDULE): `/health/` reports the worker down
    when no worker has run it for HEALTH_WORKER_MAX_AGE seconds (core/health.py)."""
    health.record_heartbeat()
