"""The base's tables: the staff's corrections of the working-day calendar (``core/calendar.py`` reads them) and the
versions that kept content carries in its cache keys (``core/versions.py``)."""

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


class Version(models.Model):
    """A number that moves whenever something a committee's kept pages show changes (``core/versions.py``): its
    names (``names``), any of its proposals (``proposals``), its disclosed proposals (``public``). Kept content
    carries the numbers it depends on in its cache key."""

    kind = models.CharField(max_length=20)
    scope = models.PositiveBigIntegerField()  # the committee's id
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "scope"], name="version_unique_kind_scope")]

    def __str__(self):
        return f"{self.kind}:{self.scope}={self.value}"
