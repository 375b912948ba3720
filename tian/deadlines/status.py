"""Deadline status as every list shows it: due, due soon (yellow) or overdue (red), in working days."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tian.core.calendar import is_workday

DUE, DUE_SOON, OVERDUE, DONE = "due", "due_soon", "overdue", "done"
LABELS = {DUE: _("On schedule"), DUE_SOON: _("Due soon"), OVERDUE: _("Overdue"), DONE: _("Done")}


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    days = sum(1 for n in range(1, (high - low).days + 1) if is_workday(low + datetime.timedelta(days=n)))
    return sign * days


@dataclass(frozen=True)
class DeadlineStatus:
    level: str
    deadline: datetime.date | None
    working_days_left: int

    @property
    def label(self) -> str:
        return str(LABELS[self.level])

    @property
    def css(self) -> str:
        return {DUE: "badge--ok", DUE_SOON: "badge--warn", OVERDUE: "badge--danger", DONE: ""}[self.level]


def deadline_status(deadline: datetime.date | None, today: datetime.date, *, due_soon_days: int = 5,
                    done: bool = False) -> DeadlineStatus:
    if done or deadline is None:
        return DeadlineStatus(DONE, deadline, 0)
    left = working_days_between(today, deadline)
    if deadline < today:
        return DeadlineStatus(OVERDUE, deadline, left)
    if left <= due_soon_days:
        return DeadlineStatus(DUE_SOON, deadline, left)
    return DeadlineStatus(DUE, deadline, left)
