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
    _year_tables.clear()


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


# Per year, the running count of working days (index i: days 1..i of the year), built once per set of
# corrections: a list of deadlines counts working days between dates up to years apart, and counting them one
# day at a time cost most of such a page's time.
_year_tables: dict[int, tuple[dict, list[int]]] = {}


def _year_table(year: int) -> list[int]:
    corrections = _corrections()
    cached = _year_tables.get(year)
    if cached is not None and cached[0] is corrections:
        return cached[1]
    running = [0]
    day = datetime.date(year, 1, 1)
    while day.year == year:
        running.append(running[-1] + is_workday(day))
        day += datetime.timedelta(days=1)
    _year_tables[year] = (corrections, running)
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
