from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # receivers: freezes the PDF when the workflow announces a submission or an approval.
        # tasks: registered in every process, since dispatch sends the render task by name.
        from . import receivers, tasks  # noqa: F401
