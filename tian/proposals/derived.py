"""Numbers derived from many proposals (filter choices, facet counts, totals), kept per process.

They change only when something happens to a proposal, and everything that happens writes an ``Event``, so the
newest event's id (one index lookup) tells whether a kept value is still current. A kept value is recomputed
after a minute all the same: an event committed out of id order would otherwise go unnoticed. Inside a
transaction nothing is kept, since what was read there may yet be rolled back.
"""

import time

from django.db import connection

from tian.proposals.models import Event

TTL_SECONDS = 60
_kept: dict = {}


def latest_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def derived(key, compute, *, marker: int):
    """``compute()``, or the value kept under ``key`` while ``marker`` (``latest_event_id()``) is unchanged."""
    if connection.in_atomic_block:
        return compute()
    now = time.monotonic()
    kept = _kept.get(key)
    if kept is not None and kept[0] == marker and now - kept[1] < TTL_SECONDS:
        return kept[2]
    value = compute()
    _kept[key] = (marker, now, value)
    return value


def forget(**kwargs) -> None:
    _kept.clear()
