"""Thin Celery wrappers around the services (scheduled by CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def remind_missing_reports(year: int | None = None) -> int:
    """Remind makers about last year's missing progress reports (or `year`'s); returns e-mails."""
    from . import services

    result = services.send_missing_report_reminders(year=year or timezone.now().year - 1)
    return result.emails
