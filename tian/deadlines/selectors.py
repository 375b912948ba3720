"""Queues in order of urgency, in the database: overdue first (most overdue first), then the nearest deadline.

The orders here sort by the same deadlines ``status.py`` shows (``status.reply_deadline_expression`` …), so a list
reads from the top down in the order its badges say."""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from tian.deadlines.models import FollowUp
from tian.deadlines.status import reply_deadline_expression
from tian.proposals.models import Event


def disclosure_urgency() -> list:
    """The office's 待公开 list: its disclosure deadline is a fixed number of working days after the replies were
    released (``services.disclosure_deadline``), so the earliest release is the most urgent."""
    released = Subquery(Event.objects.filter(proposal=OuterRef("pk"), action="proposal.replied")
                        .order_by("-at").values("at")[:1])
    return [released.asc(nulls_last=True), F("pk").asc()]


def replies_by_urgency(replies):
    """Replies (the supervisor's queue) by their deadline (``status.reply_deadline``), the earliest, so the most
    overdue, first; then the longest waiting."""
    return replies.order_by(reply_deadline_expression().asc(nulls_last=True), "submitted_at", "pk")


# How a follow-up (回头看) stands: its report awaited and its day not past, awaited past its day (the day the scan
# chases it, ``services.chase_overdue_follow_ups``, and the badge turns red), reported, or no longer awaited (the
# proposal handled again since it was asked: ``FollowUp.objects.awaited``).
FOLLOW_UP_PENDING, FOLLOW_UP_OVERDUE, FOLLOW_UP_REPORTED, FOLLOW_UP_VOID = "pending", "overdue", "reported", "void"


def _awaited() -> Q:
    return Q(pk__in=FollowUp.objects.awaited().values("pk"))


def follow_up_condition(status: str, today: datetime.date) -> Q:
    """The follow-ups of ``status`` today, as a query's condition (``follow_up_status`` of each row)."""
    return {FOLLOW_UP_PENDING: _awaited() & Q(due_on__gte=today),
            FOLLOW_UP_OVERDUE: _awaited() & Q(due_on__lt=today),
            FOLLOW_UP_REPORTED: Q(reported_at__isnull=False),
            FOLLOW_UP_VOID: Q(reported_at__isnull=True) & ~_awaited()}[status]


def follow_up_status(follow_up: FollowUp, today: datetime.date) -> str:
    """The status of a row of ``committee_follow_ups`` (which says whether its report is ``awaited``)."""
    if follow_up.reported_at is not None:
        return FOLLOW_UP_REPORTED
    if not follow_up.awaited:
        return FOLLOW_UP_VOID
    return FOLLOW_UP_OVERDUE if follow_up.due_on < today else FOLLOW_UP_PENDING


def committee_follow_ups(committee) -> QuerySet:
    """The committee's follow-ups, for the office's list: those not reported first, by their day (so the overdue,
    the most overdue first, then the nearest); then the reported ones, the latest report first. Each says whether its
    report is awaited (``awaited``)."""
    return FollowUp.objects.filter(reply__proposal__committee=committee).annotate(
        awaited=Exists(FollowUp.objects.awaited().filter(pk=OuterRef("pk")))).order_by(
        F("reported_at").desc(nulls_first=True), "due_on", "pk")


def follow_up_counts(committee, today: datetime.date) -> dict:
    """How many of the committee's follow-ups wait for their report (``pending``, the overdue ones included) and how
    many of those are past their day (``overdue``), in one query: the office's home tile."""
    return FollowUp.objects.awaited().filter(reply__proposal__committee=committee).aggregate(
        pending=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
