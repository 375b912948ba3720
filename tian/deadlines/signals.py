"""The process that changes the calendar reads its version again at once (inside a command or a test there is
no next request to start afresh); every other process reads it at its next request (``core/calendar.py``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tian.core.calendar import forget_corrections
from tian.deadlines.models import CalendarDay


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_changed(**kwargs):
    forget_corrections()
