"""Logs and error reports, set up from the environment by config/settings.py.

- `logging_config`: every line goes to standard error, one JSON object a line in production
  (python-json-logger: `time`, `level`, `logger`, `message`, `request_id` and the line's own
  fields), or plain text for a person (`make run`, DEBUG). core/observability.py writes one line
  per request and one per task.
- `init_sentry`: unhandled errors of requests and tasks, and ERROR log lines, go to Sentry when
  a DSN is given; without one nothing is imported or sent.

Imported by the settings module, so nothing here may need Django's settings at import time.
"""

from __future__ import annotations

from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

LOG_FORMATS = ("json", "text")
# Extras never written out: Celery's `data` (a task's arguments: e-mail addresses and texts) and
# Django's `request` (its repr has the query string). The message says what happened.
NOT_LOGGED = ("data", "request")


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """Django's LOGGING: the root logger at `level`, its lines as `fmt` ("json" or "text")."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            # The request's id (django-guid's context variable) on every line, null outside one.
            "request_id": {
                "()": "django_guid.log_filters.CorrelationId",
                "correlation_id_field": "request_id",
            },
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",  # ISO 8601, UTC
                "reserved_attrs": [*RESERVED_ATTRS, *NOT_LOGGED],
            },
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {
            # django-axes reports every successful login at INFO; keep its lockouts (WARNING) only.
            "axes": {"level": "WARNING"},
            "weasyprint": {"level": "WARNING"},
            # django-guid says at INFO, for every request, whether the id was sent or made.
            "django_guid": {"level": "WARNING"},
            # Celery's "Task … received" for every task: our line once it has run says more
            # (core/observability.py). Its "succeeded in …: <result>" and failures stay.
            "celery.worker.strategy": {"level": "WARNING"},
        },
    }


def init_sentry(
    dsn: str, *, environment: str = "production", traces_sample_rate: float = 0.0
) -> bool:
    """Send errors to Sentry when `dsn` is set; return whether it was set up.

    No personal data: no user's IP, cookies or name (send_default_pii=False) and no request body
    (a form may hold a password or a rating's comments); Sentry's scrubber removes values named
    like passwords or tokens from the rest. Only errors unless `traces_sample_rate` > 0."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=tag_request_id,
    )
    return True


def tag_request_id(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """The request's id (X-Request-ID) as a tag of the error: from Sentry to the log lines."""
    from django_guid import get_guid

    request_id = get_guid()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event
