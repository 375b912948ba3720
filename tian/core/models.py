"""The base's one table: the staff's corrections of the working-day calendar (``core/calendar.py`` reads them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day whose working status differs from the statutory calendar, or a year the package does not know
    (e.g. a new year's holidays before the package is updated)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=60, blank=True, help_text=_("e.g. 国庆节 or 调休上班"))
    # When the row was last saved: with the count and the ids, the version of the calendar every process reads.
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar correction")
        verbose_name_plural = _("calendar corrections")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {self.note}"
