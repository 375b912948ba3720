"""Writing the event row that every change of a proposal leaves behind."""

import logging
import threading
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from tian.proposals.models import Event, Proposal

logger = logging.getLogger("tian.events")
_mode = threading.local()


@contextmanager
def quiet(*, index: bool = True):
    """Write history without telling anyone: the demo data and imports of old pages record events dated
    in the past, which must not ring bells or send SMS. ``index=False`` also leaves the search index to
    the caller (who re-indexes once at the end instead of after every event)."""
    previous = getattr(_mode, "value", None)
    _mode.value = {"notify": False, "index": index}
    try:
        yield
    finally:
        _mode.value = previous


def record(proposal: Proposal, actor, action: str, *, from_state: str = "", to_state: str = "", note: str = "",
           at=None, **data) -> Event:
    event = Event.objects.create(
        proposal=proposal, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_state=from_state, to_state=to_state or from_state, note=note, at=at or timezone.now(), data=data,
    )
    from tian.audit.log import audit_event

    audit_event(event)
    mode = getattr(_mode, "value", None) or {"notify": True, "index": True}
    if _follows(action, event.to_state, **mode):
        transaction.on_commit(lambda: _after_commit(event.pk, proposal.pk, **mode))
    return event


def _follows(action: str, state: str, *, notify: bool, index: bool) -> bool:
    """Whether anything follows the event: a notification rule for its action, or the search index (which holds
    no drafts, and a proposal never goes back to being a draft). Starting a draft queues nothing."""
    from tian.notifications.rules import RULES
    from tian.proposals.models import State

    return (notify and action in RULES) or (index and state != State.DRAFT)


def _after_commit(event_id: int, proposal_id: int, *, notify: bool = True, index: bool = True) -> None:
    """Side effects happen after the commit, and their failure never undoes it. They are queued for the task
    worker (one task per event); if the queue cannot be reached they are done at once."""
    from tian.proposals.tasks import after_event

    try:
        after_event.enqueue(event_id, proposal_id, notify, index)
    except Exception:
        logger.exception("could not queue what follows event %s; doing it now", event_id)
        follow_up(event_id, proposal_id, notify=notify, index=index)


def follow_up(event_id: int, proposal_id: int, *, notify: bool = True, index: bool = True) -> None:
    """The search index brought up to date and the people concerned notified; a failure of one does not
    stop the other."""
    from tian.notifications.services import dispatch_event
    from tian.search.index import index_after_commit

    if index:
        index_after_commit(proposal_id)  # never raises: a search index problem is logged
    if notify:
        try:
            dispatch_event(event_id)
        except Exception:
            logger.exception("notifications for event %s failed", event_id)
