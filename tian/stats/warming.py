"""Figures computed again after a change, by the task worker, for the scopes people looked at lately.

Key-based expiration (``freshness``) makes the first request after a change compute a scope's figures: half a
second for a session of 100,000 proposals, paid by whoever comes first. So the statistics page notes which
scopes it showed (query string and language, per committee, for half an hour), and after every event of the
committee the task worker computes those scopes' figures for the new versions, once per burst: a computation is
queued only when none is waiting, to start ``WARM_DELAY`` seconds after the change that queued it, and it reads the
versions when it starts, so the last change of those seconds is in the figures. Without the delay a steady stream
of changes (a plenary's submissions, a week of replies) had the worker compute the figures back to back, half a
second of the database's time each at 100,000 proposals, taken from the people's requests (make bench: 28.3
submissions/s at 1,000 proposals, 17.3 at 100,000). A request that comes first still computes them itself (or,
while the worker does, shows the previous ones with their time), so nothing waits for the worker and nothing shown
is ever older than that.

Registered as a follower of the events (``tian/proposals/tasks.py``) by ``StatsConfig.ready``.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.http import QueryDict
from django.utils import timezone, translation

from tian.core.tasks import task
from tian.organisations.models import Committee
from tian.proposals import tasks
from tian.proposals.models import Proposal, State
from tian.stats import freshness, page

logger = logging.getLogger("tian.stats")

VIEWED_TIMEOUT = 1800  # a scope nobody looked at for half an hour is no longer computed ahead
VIEWED_MAX = 8  # the scopes looked at last, per committee: the worker's time after each change is bounded
QUEUED_TIMEOUT = 600  # a queued computation the worker never started no longer holds the next one back
WARM_DELAY = 30  # seconds from the change that queues a computation to its start: at most one per burst of changes


def _viewed_key(committee_id: int) -> str:
    return f"stats:viewed:{committee_id}"


def _queued_key(committee_id: int) -> str:
    return f"stats:warm-queued:{committee_id}"


def viewed(committee_id: int | None, query: str, language: str) -> None:
    """Note that the page showed the scope of ``query`` in ``language`` (one cache read; a write when new)."""
    if committee_id is None:
        return
    seen = cache.get(_viewed_key(committee_id)) or []
    entry = [query, language]
    if entry not in seen:
        cache.set(_viewed_key(committee_id), [entry, *seen][:VIEWED_MAX], VIEWED_TIMEOUT)


def viewed_scopes(committee_id: int) -> list[tuple[str, str]]:
    """(query string, language) of the scopes looked at lately, the latest first."""
    return [(query, language) for query, language in cache.get(_viewed_key(committee_id)) or []]


def after_event(event_id: int, proposal_id: int) -> None:
    """Queue the computation of the committee's looked-at scopes, unless one is already waiting."""
    committee_id = Proposal.objects.filter(pk=proposal_id).values_list("committee_id", flat=True).first()
    if committee_id is None or not viewed_scopes(committee_id):
        return
    if cache.add(_queued_key(committee_id), 1, QUEUED_TIMEOUT):
        try:
            later = compute_viewed
            if later.get_backend().supports_defer:  # the database queue; a backend that runs tasks at once cannot wait
                later = later.using(run_after=timezone.now() + timedelta(seconds=WARM_DELAY))
            later.enqueue(committee_id)
        except Exception:
            cache.delete(_queued_key(committee_id))
            raise


@task()
def compute_viewed(committee_id: int) -> int:
    """Compute the figures of the committee's looked-at scopes for its current versions; how many scopes."""
    cache.delete(_queued_key(committee_id))  # an event from now on queues the next computation
    committee = Committee.objects.filter(pk=committee_id).first()
    if committee is None:
        return 0
    scopes = viewed_scopes(committee_id)
    for query, language in scopes:
        with translation.override(language):
            scope, _form = page.scope_for(committee, QueryDict(query))
            try:
                page.figures(scope, query, language)
            except freshness.BeingComputed:  # a request computes them now
                pass
    return len(scopes)


# Drafts count in no figure.
tasks.follow("stats", wants=lambda action, state: state != State.DRAFT, run=after_event)
