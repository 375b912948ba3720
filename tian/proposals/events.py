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
    transaction.on_commit(lambda: _after_commit(event.pk, proposal.pk))
    return event


def _after_commit(event_id: int, proposal_id: int) -> None:
    """Side effects happen after the commit, and their failure never undoes it: the search index is
    brought up to date and the people concerned are notified."""
    from tian.notifications.services import dispatch_event
    from tian.search.index import index_later

    index_later(proposal_id)
    try:
        dispatch_event(event_id)
    except Exception:
        logger.exception("notifications for event %s failed", event_id)
