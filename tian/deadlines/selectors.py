"""Queues in order of urgency, in the database: overdue first (most overdue first), then the nearest deadline.

The orders here sort by the same deadlines ``status.py`` shows (``status.reply_deadline_expression`` …), so a list
reads from the top down in the order its badges say."""

from django.db.models import F, OuterRef, Subquery

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
