import os
from logging.config import dictConfig
from typing import Any

from celery import Celery
from celery.signals import beat_init, setup_logging, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("unct_swap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _django_logging(**kwargs: Any) -> None:
    """The worker and beat log like the web (settings.LOGGING: JSON lines, LOG_LEVEL), not in
    Celery's own format; `--loglevel` is then ignored."""
    from django.conf import settings

    dictConfig(settings.LOGGING)


@worker_init.connect
@beat_init.connect
def _refuse_without_secret_key(**kwargs: Any) -> None:
    """The worker sends the password-reset and invitation mails, whose links are signed: with
    DEBUG off it does not start without SECRET_KEY (config/secret_key.py). SystemExit, because
    Celery logs and swallows an ordinary exception raised by a signal handler."""
    from django.core.exceptions import ImproperlyConfigured

    from config.secret_key import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from error
