"""What the deadlines do when the working-day calendar is corrected (the base sends ``calendar_corrected``; it imports
nothing above it)."""

import datetime

from django.dispatch import receiver

from tian.core.calendar_days import calendar_corrected
from tian.deadlines.services import move_deadlines_off_days_off


@receiver(calendar_corrected, dispatch_uid="tian.deadlines.calendar_corrected")
def calendar_changed(sender, by, first, last, **kwargs):
    move_deadlines_off_days_off(first=datetime.date.fromisoformat(first), last=datetime.date.fromisoformat(last),
                                by=by)
