from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Country teams and people")

    def ready(self) -> None:
        # receivers: the user's language at log-in.
        # tasks: registered in every process, since core.mail sends the mail task by name.
        # observability: the Celery signals that log each task (in the worker too).
        from . import observability, receivers, tasks  # noqa: F401
