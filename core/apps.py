from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Country teams and people")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 -- the user's language at log-in
