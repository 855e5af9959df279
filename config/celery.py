import os
from logging.config import dictConfig
from typing import Any

from celery import Celery
from celery.signals import setup_logging

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
