"""Writing the event row that every change of a proposal leaves behind, and queueing what follows it
(``tasks.py``: whatever the apps above registered, such as the search index and notifications).

Every change passes here, so this is also where the versions that kept pages carry in their keys move
(``core/versions.py``): the proposal's ``revision`` (its page), and its committee's ``PROPOSALS`` (the lists, the
inbox, the statistics) and, for a disclosed proposal, ``PUBLIC`` (the portal). They move after the commit (never for
a rollback), so that no save of the proposal later in the same transaction can write an older revision back, and
so that the committee's row is locked for one short statement rather than for every writing transaction (50
submissions a second would queue on it); a reader may meanwhile see the new rows under the old versions for an
instant, never the old rows under the new ones. A change the pages show that writes no event (a reply draft saved
again) calls ``touch``."""

import logging
import threading
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tian.audit.log import audit_event
from tian.core import versions
from tian.proposals.models import Event, Proposal
from tian.proposals.tasks import after_event, follow_up, wanted

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
    audit_event(event)
    # A new draft has no page kept yet, but its author's home counts it: the committee's versions move, not its
    # revision (the API's answer to its creation names that revision in its ETag).
    _moved(proposal.pk, proposal.committee_id, public=proposal.is_public, revision=action != "proposal.drafted")
    mode = getattr(_mode, "value", None) or {"notify": True, "index": True}
    if kinds := wanted(action, event.to_state, **mode):
        transaction.on_commit(lambda: _after_commit(event.pk, proposal.pk, kinds))
    return event


def touch(proposal_id: int) -> None:
    """Move the proposal's revision and its committee's versions once the current transaction has committed (at
    once outside one), for a change the pages show that writes no event."""
    committee_id, public = Proposal.objects.values_list("committee_id", "is_public").get(pk=proposal_id)
    _moved(proposal_id, committee_id, public=public)


def _moved(proposal_id: int, committee_id: int, *, public: bool, revision: bool = True) -> None:
    def bump():
        if revision:
            Proposal.objects.filter(pk=proposal_id).update(revision=F("revision") + 1)
        versions.bump(committee_id, versions.PROPOSALS, *([versions.PUBLIC] if public else []))

    transaction.on_commit(bump, robust=True)


def _after_commit(event_id: int, proposal_id: int, kinds: list[str]) -> None:
    """Side effects happen after the commit, and their failure never undoes it. They are queued for the task
    worker (one task per event, running the followers that want it); if the queue cannot be reached they are done
    at once."""
    try:
        after_event.enqueue(event_id, proposal_id, kinds=kinds)
    except Exception:
        logger.exception("could not queue what follows event %s; doing it now", event_id)
        follow_up(event_id, proposal_id, kinds)
