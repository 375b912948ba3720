"""Writing the event row that every change of a proposal leaves behind."""

import logging

from django.db import transaction
from django.utils import timezone

from tian.proposals.models import Event, Proposal

logger = logging.getLogger("tian.events")


def record(proposal: Proposal, actor, action: str, *, from_state: str = "", to_state: str = "", note: str = "",
           at=None, **data) -> Event:
    event = Event.objects.create(
        proposal=proposal, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_state=from_state, to_state=to_state or from_state, note=note, at=at or timezone.now(), data=data,
    )
    transaction.on_commit(lambda: _notify(event.pk))
    return event


def _notify(event_id: int) -> None:
    """Notifications are a side effect: they happen after the commit, and their failure never undoes it."""
    from tian.notifications.services import dispatch_event

    try:
        dispatch_event(event_id)
    except Exception:
        logger.exception("notifications for event %s failed", event_id)
