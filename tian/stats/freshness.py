"""Keeping computed figures until the data behind them changes, once for every server process.

The figures of a scope are derived from the committee's proposals, assignments, replies and evaluations, which
change only through the services, and every change moves the committee's ``PROPOSALS`` version after its commit;
the names in the tables (units, categories, sectors, parties, members) and the scopes themselves (sessions, terms)
move its ``NAMES`` version (``core/versions.py``). "Overdue now" depends on the date and on the working-day
calendar. So the key of a scope's figures carries those two versions, the date and the calendar's version, and a
change anywhere names a new key on the very next request of every process.

Computed values are kept in Django's cache (the one ``CACHE_URL`` names, shared by every process), so nothing is
ever invalidated. A new version of a scope's figures is computed by one process only: the one whose ``cache.add``
of the version's lock succeeds. Meanwhile the page shows the scope's previous figures with the time they were
computed or, when there are none, that they are being computed (it refreshes itself a few seconds later); a download
asks to be tried again shortly (``BeingComputed``). Nobody computes them twice, and nobody waits in a loop. (The
embedded default, the file cache, adds by a check and a write: two processes asking at the very same moment may
both compute; Redis, as in production, adds atomically.)
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from tian.core import versions
from tian.core.calendar import corrections_version

TIMEOUT = 10 * 60
LOCK_TIMEOUT = 120  # seconds after which a computation nobody finished no longer holds the others up
PREVIOUS_TIMEOUT = 24 * 3600  # a scope's previous figures are shown while new ones are computed, up to a day


def stamp(committee_id: int | None) -> tuple:
    """Everything a committee's figures depend on besides their scope."""
    return (*versions.read(committee_id, versions.PROPOSALS, versions.NAMES), timezone.localdate(),
            corrections_version())


@dataclass(frozen=True)
class Kept:
    value: object
    as_of: datetime.datetime  # when the value was computed
    current: bool  # False: the previous version, shown while another process computes the current one

    @property
    def being_computed(self) -> bool:
        """No value yet: another process computes the first one now."""
        return not self.current and self.as_of is None


class BeingComputed(Exception):
    """Another process is computing this value now and there is no earlier one to give: the caller says so (the
    page shows that the figures are being computed and refreshes itself; a download asks to try again shortly)."""


def cached(key: tuple, compute, *, committee_id: int | None):
    """``compute()``, or its result for ``key`` while the committee's data and the date are unchanged; while another
    process computes it, the previous value, or ``BeingComputed`` if there is none (see ``kept``)."""
    found = kept(key, compute, committee_id=committee_id, previous_ok=True)
    if found.being_computed:
        raise BeingComputed(key)
    return found.value


def kept(key: tuple, compute, *, committee_id: int | None, previous_ok: bool = False) -> Kept:
    """``compute()`` for ``key`` and the committee's current versions, computed once, by the process whose
    ``cache.add`` of the key's lock succeeds, and shared by all. Any other process asking meanwhile neither computes
    it again nor waits: with ``previous_ok`` it gets the scope's previous value (``current`` False) if there is one,
    else no value (``being_computed``). Values must be JSON: lists, dicts with string keys, numbers, text."""
    scope = _digest((committee_id, key))
    name = f"stats:{_digest((committee_id, key, stamp(committee_id)))}"
    found = cache.get(name)
    if found is not None:
        return Kept(*found, current=True)
    lock = f"{name}:lock"
    if not cache.add(lock, 1, LOCK_TIMEOUT):
        previous = cache.get(f"stats:previous:{scope}") if previous_ok else None
        return Kept(*previous, current=False) if previous is not None else Kept(None, None, current=False)
    try:  # only the lock's holder computes, and only it lets the lock go
        # Through JSON, so that a value reads the same computed here or by another process (keys become text).
        value, as_of = json.loads(json.dumps(compute(), ensure_ascii=False)), timezone.now()
        cache.set(name, (value, as_of), TIMEOUT)
        cache.set(f"stats:previous:{scope}", (value, as_of), PREVIOUS_TIMEOUT)
    finally:
        cache.delete(lock)
    return Kept(value, as_of, current=True)


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()
