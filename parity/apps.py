from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParityConfig(AppConfig):
    name = "parity"
    verbose_name = _("Gender parity")
