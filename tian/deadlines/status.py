"""Deadlines as every page shows them: which deadline a piece of work has, whether the work is finished, and how
it stands (due, due soon (yellow), overdue (red), in working days; or done).

The one place that says which deadline applies: a unit's (``unit_due``), a reply's (``reply_deadline`` and the same
rule for SQL ordering, ``reply_deadline_expression``), a proposal's (``proposal_due``) and the office's disclosure
(``disclosure_due``). Pages, lists and the badge (``{% deadline_badge %}``) read them, so the same deadline reads the
same everywhere, and finished work never shows as running or overdue.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, F, When
from django.utils.translation import gettext_lazy as _

from tian.core.calendar import add_working_days, working_days_between
from tian.handling.models import Reply, UnitRole
from tian.proposals.models import IN_HANDLING, State

DUE, DUE_SOON, OVERDUE, DONE = "due", "due_soon", "overdue", "done"
LABELS = {DUE: _("On schedule"), DUE_SOON: _("Due soon"), OVERDUE: _("Overdue"), DONE: _("Done")}

# What a deadline is for: the badge names it where one list mixes them, and a finished one says what was done.
REPLY, OPINION, COSIGN, FOLLOW_UP, DISCLOSURE = "reply", "opinion", "cosign", "follow_up", "disclosure"
TASK_LABELS = {REPLY: _("Reply"), OPINION: _("Assisting opinion"), COSIGN: _("Co-signing the reply"),
               FOLLOW_UP: _("Follow-up report"), DISCLOSURE: _("Disclosure")}


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

    @property
    def urgency(self) -> tuple:
        """Sort key of urgency: overdue first (most overdue first), then the nearest deadline; finished work and
        work without a deadline last."""
        if self.level == DONE or self.deadline is None:
            return (1, datetime.date.max)
        return (0, self.deadline)


def due_soon_before(today: datetime.date, due_soon_days: int) -> datetime.date:
    """The first deadline that is not due soon today: a deadline is due soon while at most ``due_soon_days``
    working days are left until it (``deadline_status``), which holds exactly for the days before the working day
    after those, days off included (a deadline falling on the Saturday after them is still due soon). For the
    filters that ask the database (``deadlines.filters``)."""
    return add_working_days(today, due_soon_days + 1)


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


@dataclass(frozen=True)
class Due:
    """A deadline, what it is for, and whether that work is finished (then it is never shown as running)."""

    day: datetime.date | None
    task: str = REPLY
    done: bool = False

    @property
    def task_label(self) -> str:
        return str(TASK_LABELS[self.task])

    @property
    def is_cosigning(self) -> bool:
        """An assisting unit's part that is left: co-signing the lead unit's reply."""
        return self.task == COSIGN

    def status(self, today: datetime.date, due_soon_days: int = 5) -> DeadlineStatus:
        return deadline_status(self.day, today, due_soon_days=due_soon_days, done=self.done)


def reply_deadline(reply: Reply) -> datetime.date | None:
    """A reply's deadline: the replying unit's (extensions included), or the rehandling deadline for a second
    reply."""
    if reply.round > 1:
        return reply.proposal.rehandling_deadline
    return reply.assignment.deadline


def reply_deadline_expression(prefix: str = ""):
    """``reply_deadline`` for ordering in the database; ``prefix`` is the path to the reply (``"reply__"``)."""
    return Case(When(**{f"{prefix}round__gt": 1}, then=F(f"{prefix}proposal__rehandling_deadline")),
                default=F(f"{prefix}assignment__deadline"))


def _pending_cosignature(assignment, replies):
    """The reply in co-signing that waits for this (assisting) unit's signature, if any, of the proposal's
    ``replies`` (with their ``cosignatures`` prefetched)."""
    for reply in replies:
        if reply.status == Reply.Status.COSIGNING and any(
                s.unit_id == assignment.unit_id and s.signed_at is None for s in reply.cosignatures.all()):
            return reply
    return None


def unit_due(assignment, proposal=None, replies=None) -> Due:
    """The deadline a unit works to on a proposal, and whether its part is finished.

    A lead or separate unit: its reply deadline (the rehandling deadline in rehandling), finished when its reply of
    the round is released. An assisting unit: its opinion deadline until it sends its opinion; then, while a reply
    waits for its co-signature, that reply's deadline; finished when it has neither left. Work on a proposal that is
    no longer being handled (replied, closed …), or of a unit no longer assigned, is finished.

    Reads the assignment's ``opinions`` and ``replies`` and the proposal's ``replies`` with their ``cosignatures``:
    prefetch them in lists (``UNIT_DUE_PREFETCH`` from the proposal), or pass the proposal's ``replies`` (with their
    co-signatures) where the caller has them. Nothing is read for finished work."""
    proposal = proposal or assignment.proposal
    active = assignment.is_active and proposal.state in IN_HANDLING
    if assignment.role == UnitRole.ASSISTING:
        if not active:
            return Due(assignment.deadline, OPINION, done=True)
        opinion_sent = bool(assignment.opinions.all())
        pending = _pending_cosignature(assignment, proposal.replies.all() if replies is None else replies)
        if pending is not None and opinion_sent:
            return Due(reply_deadline(pending), COSIGN)
        return Due(assignment.deadline, OPINION, done=opinion_sent and pending is None)
    rehandling = proposal.state == State.REHANDLING
    day = proposal.rehandling_deadline if rehandling else assignment.deadline
    if not active:
        return Due(day, REPLY, done=True)
    round_ = 2 if rehandling else 1
    own = assignment.replies.all() if replies is None else [r for r in replies if r.assignment_id == assignment.pk]
    return Due(day, REPLY, done=any(r.round == round_ and r.is_released for r in own))


# What ``unit_due`` and ``proposal_due`` read, as prefetches from a proposal.
UNIT_DUE_PREFETCH = ("assignments__opinions", "assignments__replies", "replies__cosignatures")
# What ``proposal_due`` alone reads (a list's deadline column, the template tag ``proposal_due_of``).
PROPOSAL_DUE_PREFETCH = ("assignments__replies",)


def proposal_due(proposal) -> Due:
    """The proposal's reply deadline that matters now: the earliest of its replying units' whose reply is not out
    yet (the rehandling deadline in rehandling); finished once every reply is out or the proposal is no longer
    being handled. Reads ``assignments`` with their ``replies`` (prefetch them in lists)."""
    if proposal.state not in IN_HANDLING:
        return Due(None, REPLY, done=True)
    dues = [unit_due(a, proposal) for a in proposal.assignments.all() if a.replies_directly and a.is_active]
    open_ = [d.day for d in dues if not d.done and d.day is not None]
    if open_:
        return Due(min(open_), REPLY)
    return Due(max((d.day for d in dues if d.day), default=None), REPLY, done=True)


def disclosure_due(day: datetime.date | None) -> Due | None:
    """The office's disclosure deadline of a replied or closed proposal (``services.disclosure_deadline``): the
    handling is finished, so the badge names the disclosure rather than reading like a late reply."""
    return Due(day, DISCLOSURE) if day else None


def by_urgency(items, status_of):
    """``items`` sorted by urgency (``DeadlineStatus.urgency``), keeping their order among equals."""
    return sorted(items, key=lambda item: status_of(item).urgency)
