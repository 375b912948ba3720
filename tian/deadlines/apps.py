from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "tian.deadlines"
    verbose_name = _("Deadlines")

    def ready(self):
        # Django's place for wiring that needs the models loaded: importing the module connects the receivers.
        from tian.deadlines import receivers  # noqa: F401
