"""Deadline status as every list shows it: due, due soon (yellow) or overdue (red), in working days."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tian.core.calendar import working_days_between

DUE, DUE_SOON, OVERDUE, DONE = "due", "due_soon", "overdue", "done"
LABELS = {DUE: _("On schedule"), DUE_SOON: _("Due soon"), OVERDUE: _("Overdue"), DONE: _("Done")}


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
