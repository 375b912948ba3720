"""Proposals found by how their units' deadlines stand (the staff list's and search's 办理期限 filter)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tian.deadlines.status import due_soon_before
from tian.handling.models import REPLYING_ROLES, Assignment, Reply
from tian.proposals.models import FIRST_HANDLING, State


def deadline_filter(committee, level: str):
    """Proposals with a unit whose reply is overdue, or due within the committee's "due soon" window."""
    today = timezone.localdate()
    if level == "overdue":
        handling_late = Q(deadline__lt=today)
        rehandling_late = Q(proposal__rehandling_deadline__lt=today)
    else:
        limit = due_soon_before(today, committee.due_soon_days)  # as the badges say "due soon"
        handling_late = Q(deadline__gte=today, deadline__lt=limit)
        rehandling_late = Q(proposal__rehandling_deadline__gte=today, proposal__rehandling_deadline__lt=limit)
    active = Assignment.objects.active().filter(
        role__in=REPLYING_ROLES)
    # A proposal handled again is late by its own rehandling deadline, the others in handling by their units'; a
    # unit whose reply of the round is out owes nothing (deadlines.status.unit_due, as the pages show it).
    released = Reply.objects.filter(assignment=OuterRef("pk"), status=Reply.Status.RELEASED)
    return active.filter(
        (Q(proposal__state__in=FIRST_HANDLING) & handling_late & ~Exists(released.filter(round=1)))
        | (Q(proposal__state=State.REHANDLING) & rehandling_late & ~Exists(released.filter(round=2)))
    ).values("proposal_id")
