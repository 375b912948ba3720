"""Date arithmetic for deadlines: calendar months and Chinese working days.

Working days follow the statutory holidays and make-up workdays (调休) known to the chinesecalendar
package, corrected by the days staff enter (``core.models.CalendarDay``); for a year the package does not
know and nobody entered, weekends are the only days off.
"""

import calendar
import datetime
from functools import lru_cache

import chinese_calendar
from asgiref.local import Local
from django.core.signals import request_started
from django.db.models import Count, Max, Sum
from django.db.models.signals import post_delete, post_save
from django_tasks.signals import task_started

from tian.core.models import CalendarDay

# The staff corrections are read anew for each request and each task, by their version: a small aggregate of the
# table (``corrections_version``) read once, and the corrections of that version computed once per process. A
# correction saved by any process is therefore seen by the very next request everywhere, and no page can mix
# two versions of the calendar.
_current = Local()


def corrections_version() -> tuple:
    """How many corrections there are, the newest change and the sum of their ids: any save or delete of a
    correction changes it (a row changed in place moves the newest change; a row removed and another added
    changes the sum of ids)."""
    version = getattr(_current, "version", None)
    if version is None:
        row = CalendarDay.objects.aggregate(n=Count("id"), newest=Max("changed_at"), ids=Sum("id"))
        version = (row["n"], row["newest"].isoformat() if row["newest"] else None, row["ids"])
        _current.version = version
    return version


@lru_cache(maxsize=4)
def _corrections_of(version: tuple) -> dict[datetime.date, bool]:
    return dict(CalendarDay.objects.values_list("date", "is_workday"))


def _corrections() -> dict[datetime.date, bool]:
    return _corrections_of(corrections_version())


def forget_corrections(**kwargs) -> None:
    """Read the corrections' version again at the next lookup: each request and each task starts afresh."""
    _current.version = None


request_started.connect(forget_corrections, dispatch_uid="calendar_request")
task_started.connect(forget_corrections, dispatch_uid="calendar_task")
# The process that corrects the calendar reads its version again at once (a command or a test has no next request
# to start afresh); every other process reads it at its next request. ``CoreConfig.ready`` imports this module.
post_save.connect(forget_corrections, sender=CalendarDay, dispatch_uid="tian.core.calendar_saved")
post_delete.connect(forget_corrections, sender=CalendarDay, dispatch_uid="tian.core.calendar_deleted")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later; the 31st becomes the month's last day where the month is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_later(day: datetime.date, months: int) -> datetime.date:
    """The last day of a period of ``months`` from ``day`` (a deadline, a cap): the same day ``months`` later, or
    the first working day after it when that is a day off. A period whose last day is a statutory holiday ends on
    the day after the holiday (民法典 第二百零三条), and a weekend counts the same: nobody replies on a day off."""
    return next_workday(add_months(day, months))


def next_workday(day: datetime.date) -> datetime.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    return day


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


# Per year, the running count of working days (index i: days 1..i of the year), built once per version of the
# corrections: a list of deadlines counts working days between dates up to years apart, and counting them one
# day at a time cost most of such a page's time.


def _year_table(year: int) -> list[int]:
    return _year_table_of(year, corrections_version())


@lru_cache(maxsize=64)
def _year_table_of(year: int, version: tuple) -> list[int]:
    running = [0]
    first = datetime.date(year, 1, 1)
    for offset in range(366 if calendar.isleap(year) else 365):  # not past the year's end: 9999-12-31 has no next day
        running.append(running[-1] + is_workday(first + datetime.timedelta(days=offset)))
    return running


def _workdays_through(day: datetime.date) -> int:
    """Working days from 1 January of ``day``'s year up to and including ``day``."""
    return _year_table(day.year)[day.timetuple().tm_yday]


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    days = _workdays_through(high) - _workdays_through(low)
    for year in range(low.year, high.year):
        days += _year_table(year)[-1]
    return sign * days


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``day`` (``day`` itself does not count)."""
    current = day
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current
