from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tian.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Django's place for wiring that needs the models loaded: importing the module registers its hooks.
        from tian.notifications import hooks  # noqa: F401
