from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tian.audit"
    verbose_name = _("Audit log")

    def ready(self):
        # Django's place for wiring that needs the models loaded: importing the module connects the receivers.
        from tian.audit import signals  # noqa: F401
