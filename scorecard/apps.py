from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = _("Scorecard")

    def ready(self) -> None:
        from . import framework_cache  # noqa: F401 -- connects its signal handlers
