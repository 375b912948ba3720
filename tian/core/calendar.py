"""Date arithmetic for deadlines: calendar months and Chinese working days.

Working days follow the statutory holidays and make-up workdays (调休) known to the chinesecalendar
package, corrected by the days staff enter (``deadlines.CalendarDay``); for a year the package does not
know and nobody entered, weekends are the only days off.
"""

import calendar
import datetime
import threading
import time
from functools import lru_cache

import chinese_calendar

# Staff corrections, cached per process and re-read at least every minute so that every worker sees a change.
_overrides: dict[datetime.date, bool] | None = None
_loaded_at = 0.0
_lock = threading.Lock()
TTL_SECONDS = 60


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later; the 31st becomes the month's last day where the month is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _corrections() -> dict[datetime.date, bool]:
    global _overrides, _loaded_at
    if _overrides is None or time.monotonic() - _loaded_at > TTL_SECONDS:
        from tian.deadlines.models import CalendarDay

        with _lock:
            _overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
            _loaded_at = time.monotonic()
    return _overrides


def forget_corrections() -> None:
    """Called when staff change the calendar: the next lookup reads the table again."""
    global _overrides
    _overrides = None


@lru_cache(maxsize=20000)
def _statutory_workday(day: datetime.date) -> bool:
    """The package's answer, cached: it scans its whole holiday table on every call (~15 µs), and a list of
    deadlines asks for thousands of days."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: datetime.date) -> bool:
    corrected = _corrections().get(day)
    if corrected is not None:
        return corrected
    return _statutory_workday(day)


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``day`` (``day`` itself does not count)."""
    current = day
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current
