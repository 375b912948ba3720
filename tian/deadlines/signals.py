"""Cache invalidation only: a change to the calendar table drops the cached corrections."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tian.core.calendar import forget_corrections
from tian.deadlines.models import CalendarDay


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_changed(**kwargs):
    forget_corrections()
