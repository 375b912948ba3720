"""Correcting the working-day calendar many days at a time: a range or a list of dates, or a year's statutory
holidays, previewed and then saved in one change.

``calendar_days_set`` is the one way the pages change many corrections, and ``calendar_day_save`` one: atomic, each
saves the rows (each with its ``changed_at``, so the calendar's version, ``calendar.corrections_version``, moves and
every deadline on every page follows at the next request) and sends ``calendar_corrected`` once, which the audit log
writes down (the base imports nothing above it: ``tian.audit`` listens).
"""

import datetime
from dataclasses import dataclass

import chinese_calendar
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from tian.core.calendar import forget_corrections, is_workday
from tian.core.models import CalendarDay, Version

# Sent inside the transaction of a change, once: by (the user), changed (how many days), first, last (ISO dates),
# source ("range", "list", "statutory", or "day": one correction edited in the list of corrections).
calendar_corrected = Signal()

MAX_DAYS = 366  # one change at most a year of days: a slip of the year does not rewrite a decade

HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                 "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日"}


@dataclass(frozen=True)
class DayChange:
    """What saving one day would do: its working status now and after, and the correction's note."""

    date: datetime.date
    was_workday: bool
    is_workday: bool
    note: str
    corrected: bool  # the day already has a correction (it is replaced)

    @property
    def changes(self) -> bool:
        return self.was_workday != self.is_workday


def calendar_days_preview(days: dict[datetime.date, tuple[bool, str]]) -> list[DayChange]:
    """What ``calendar_days_set`` would do with ``days`` (date → (working day?, note)), by date. Changes nothing."""
    corrected = set(CalendarDay.objects.filter(date__in=list(days)).values_list("date", flat=True))
    return [DayChange(day, is_workday(day), workday, note, day in corrected)
            for day, (workday, note) in sorted(days.items())]


CALENDAR = "calendar"  # the kind of ``core.Version`` whose row each change of the calendar takes


def _one_change_at_a_time() -> None:
    """Wait for any other change of the calendar to commit before this one stamps its rows. The version reads the
    newest change: two changes stamped at once, the earlier committed last, would leave it where the later one put
    it, and every process would keep the calendar without the earlier one (PostgreSQL; SQLite writes one at a time
    anyway). The calendar's row of ``core.Version``, updated, is the lock until the commit, and counts the changes."""
    if not Version.objects.filter(kind=CALENDAR, scope=0).update(value=F("value") + 1):
        Version.objects.get_or_create(kind=CALENDAR, scope=0, defaults={"value": 1})


@transaction.atomic
def calendar_day_save(row: CalendarDay, *, by) -> CalendarDay:
    """Save one correction as the list of corrections edited it (its date, whether it is a working day, its note),
    with one audit entry. A date that another correction has is refused by the form (the date is unique)."""
    _one_change_at_a_time()
    row.save()  # its changed_at moves: the calendar's version with it
    calendar_corrected.send(sender=CalendarDay, by=by, changed=1, first=row.date.isoformat(),
                            last=row.date.isoformat(), source="day")
    return row


@transaction.atomic
def calendar_days_set(*, days: dict[datetime.date, tuple[bool, str]], by, source: str) -> int:
    """Save ``days`` (date → (working day?, note)) as corrections, replacing any of those dates, in one change with
    one audit entry. Returns how many days were saved."""
    if not days or len(days) > MAX_DAYS:
        raise ValueError(f"between 1 and {MAX_DAYS} days, not {len(days)}")
    _one_change_at_a_time()
    now = timezone.now()
    existing = {row.date: row for row in CalendarDay.objects.select_for_update().filter(date__in=list(days))}
    new, changed = [], []
    for day, (workday, note) in sorted(days.items()):
        row = existing.get(day)
        if row is None:
            new.append(CalendarDay(date=day, is_workday=workday, note=note[:60], changed_at=now))
        else:
            row.is_workday, row.note, row.changed_at = workday, note[:60], now
            changed.append(row)
    CalendarDay.objects.bulk_create(new)
    CalendarDay.objects.bulk_update(changed, ["is_workday", "note", "changed_at"])
    first, last = min(days), max(days)
    # Bulk saves send no post_save: this process reads the new version at once (the receivers of the signal below
    # count with it), the others at their next request.
    forget_corrections()
    transaction.on_commit(forget_corrections)
    calendar_corrected.send(sender=CalendarDay, by=by, changed=len(days), first=first.isoformat(),
                            last=last.isoformat(), source=source)
    return len(days)


class UnknownYear(Exception):
    """The chinesecalendar package does not know this year's statutory holidays yet."""


def years_to_enter(today: datetime.date, *, ahead_days: int = 42) -> list[int]:
    """The years whose holidays nobody has told the calendar: neither the chinesecalendar package knows them nor has
    staff entered a holiday of theirs. This year, and next year once it is ``ahead_days`` away (a deadline counted in
    working days then reaches into it). Until they are entered, their working days are the plain weekdays: a
    deadline across the Spring Festival would fall inside the holiday."""
    years = [today.year]
    if (datetime.date(today.year + 1, 1, 1) - today).days <= ahead_days:
        years.append(today.year + 1)
    missing = []
    for year in years:
        try:
            chinese_calendar.is_workday(datetime.date(year, 6, 1))
        except NotImplementedError:
            if not CalendarDay.objects.filter(date__year=year, is_workday=False).exists():
                missing.append(year)
    return missing


def statutory_days(year: int) -> dict[datetime.date, tuple[bool, str]]:
    """The year's statutory holidays that fall on weekdays and make-up workdays (调休) that fall on weekends, as the
    chinesecalendar package knows them: the days that differ from a plain week. Raises ``UnknownYear``."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError as e:
        raise UnknownYear(year) from e
    days = {}
    day = datetime.date(year, 1, 1)
    while day.year == year:
        holiday, name = chinese_calendar.get_holiday_detail(day)
        weekend = day.weekday() >= 5
        if holiday and not weekend and name:
            days[day] = (False, HOLIDAY_NAMES.get(name, name))
        elif not holiday and weekend:
            days[day] = (True, f"{HOLIDAY_NAMES.get(name, name)}调休上班" if name else "调休上班")
        day += datetime.timedelta(days=1)
    return days
