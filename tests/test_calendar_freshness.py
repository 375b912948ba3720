"""A calendar correction shows at once on every page with a deadline, whoever saved it.

The corrections are written here with ``bulk_create`` and ``update`` (no model signals), as another server
process or a second machine would have written them: nothing in this process is told, and the very next request
must still count the new day off. (Kept pages used to serve the old count until the server restarted.)"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tian.core.calendar import is_workday
from tian.core.models import CalendarDay

pytestmark = pytest.mark.django_db(transaction=True)  # the pages keep what they show between requests, as on a server


def _days_left(client, url) -> list[int]:
    return [int(n) for n in re.findall(r"剩余 (\d+) 个工作日", client.get(url).content.decode())]


def _next_workdays(count: int) -> list[datetime.date]:
    days, day = [], timezone.localdate()
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            days.append(day)
    return days


def test_a_correction_saved_elsewhere_moves_every_deadline_on_the_next_request(world, assigned, client_for):
    unit = client_for(world.lead_handler)
    staff = client_for(world.staff)
    pages = [(unit, reverse("handling:inbox")), (unit, assigned.get_absolute_url()),
             (staff, assigned.get_absolute_url()), (staff, reverse("proposals:list"))]
    before = [_days_left(client, url) for client, url in pages]
    assert all(before), before
    # Two working days become days off, as another process would save them.
    first, second = _next_workdays(2)
    CalendarDay.objects.bulk_create([CalendarDay(date=first, is_workday=False, note="临时调整"),
                                     CalendarDay(date=second, is_workday=False, note="临时调整")])
    after = [_days_left(client, url) for client, url in pages]
    assert after == [[n - 2 for n in counts] for counts in before]
    # Changed in place (a day off made a working day again): seen at once too.
    CalendarDay.objects.filter(date=first).update(is_workday=True, changed_at=timezone.now())
    assert [_days_left(client, url) for client, url in pages] == [[n - 1 for n in counts] for counts in before]


@pytest.mark.django_db(transaction=True)
def test_two_calendar_changes_at_once_are_stamped_in_the_order_they_commit(world):
    """The calendar's version reads the newest change: a change stamped first and committed last would leave it where
    the other put it. A second change therefore waits for the first to commit before it stamps its rows
    (PostgreSQL; SQLite writes one at a time anyway)."""
    import threading

    from django.db import connection, transaction

    from tian.core.calendar import corrections_version, forget_corrections
    from tian.core.calendar_days import calendar_day_save, calendar_days_set

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    first = CalendarDay.objects.create(date=datetime.date(2027, 1, 4), is_workday=False, note="甲")
    CalendarDay.objects.create(date=datetime.date(2027, 1, 5), is_workday=False, note="乙")
    stamped, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_change():
        try:
            with transaction.atomic():
                first.note = "甲改"
                calendar_day_save(first, by=world.staff)
                stamped.set()
                release.wait(10)
        finally:
            connection.close()

    def quick_change():
        try:
            calendar_days_set(days={datetime.date(2027, 1, 5): (True, "乙改")}, by=world.staff, source="list")
            done.set()
        finally:
            connection.close()

    slow = threading.Thread(target=slow_change)
    slow.start()
    assert stamped.wait(10)
    quick = threading.Thread(target=quick_change)
    quick.start()
    waited = not done.wait(1)  # the second change waits for the first one's commit
    release.set()
    slow.join(10)
    quick.join(10)
    assert waited and done.is_set()
    forget_corrections()
    rows = {row.note: row.changed_at for row in CalendarDay.objects.all()}
    assert rows["乙改"] > rows["甲改"]  # stamped in the order they committed: the version moved with the last
    assert corrections_version()[1] == rows["乙改"].isoformat()
