from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tian.core import checks  # noqa: F401 - registers the checks of the settings (no model is read)


class CoreConfig(AppConfig):
    name = "tian.core"
    verbose_name = _("Core")

    def ready(self):
        # Django's place for wiring that needs the models loaded: importing the module connects the calendar's
        # receivers (a correction is read again at once by the process that made it).
        from tian.core import calendar  # noqa: F401
