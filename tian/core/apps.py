from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tian.core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from tian.core.calendar import forget_corrections
        from tian.core.models import CalendarDay

        # The process that corrects the calendar reads its version again at once (a command or a test has no
        # next request to start afresh); every other process reads it at its next request (core/calendar.py).
        post_save.connect(forget_corrections, sender=CalendarDay, dispatch_uid="tian.core.calendar_saved")
        post_delete.connect(forget_corrections, sender=CalendarDay, dispatch_uid="tian.core.calendar_deleted")
