"""Versions of what kept pages show, and keeping them in Django's cache under keys that carry those versions.

A page part that is costly to render and changes only when something happens (a proposal's page, the office's
list, the unit inbox, the portal's list, the statistics) is kept in Django's cache, the one ``CACHE_URL`` names
and every process shares, under a key made of everything it shows ("key-based expiration"): the versions of the
data, the viewer where it depends on them, the language and the day. A change moves a version, the next request
asks for a new key, and an entry nobody asks for any more expires after ``TIMEOUT``. Nothing is ever invalidated,
so no invalidation can be forgotten.

The versions, each read from the database with the page's first queries:
- a proposal's ``revision``: moved by ``proposals/events.py`` after the commit of every change of the proposal;
- a committee's ``NAMES``: moved in the transaction that renames or removes anything pages show by name (a unit,
  a member, a category, a user …: ``organisations/services.py``, ``accounts/services.py``);
- a committee's ``PROPOSALS``: moved by ``proposals/events.py`` after the commit of any change of any of its
  proposals, and ``PUBLIC``, the same for its disclosed proposals only (the portal keeps its list through a
  burst of submissions);
- a committee's ``SEARCH``: moved by ``search/index.py`` when it writes a proposal's search document, after the
  change that the event already announced (the index follows in a task): the signed-in search's results carry it,
  and the portal's search ``PUBLIC``, which indexing a disclosed proposal's document moves again;
- the calendar's (``core/calendar.corrections_version``), for every deadline.
"""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from tian.core.models import Version

NAMES, PROPOSALS, PUBLIC, SEARCH = "names", "proposals", "public", "search"
KINDS = (NAMES, PROPOSALS, PUBLIC, SEARCH)
TIMEOUT = 24 * 3600  # an entry nobody asked for in a day goes; a current one is never stale


def bump(committee_id: int, *kinds: str) -> None:
    """Move the committee's versions ``kinds`` (in the caller's transaction, if there is one)."""
    moved = Version.objects.filter(scope=committee_id, kind__in=kinds).update(value=F("value") + 1)
    if moved < len(kinds):  # the committee's first change of that kind: its row starts at 1 (0 before it)
        for kind in kinds:
            Version.objects.get_or_create(kind=kind, scope=committee_id, defaults={"value": 1})


def read(committee_id: int | None, *kinds: str) -> tuple[int, ...]:
    """The committee's versions ``kinds``, in one query."""
    found = dict(Version.objects.filter(scope=committee_id or 0, kind__in=kinds).values_list("kind", "value"))
    return tuple(found.get(kind, 0) for kind in kinds)


def of_committee(kind: str):
    """The version ``kind`` of the committee a query's rows belong to, as an expression to annotate them with."""
    return Coalesce(Subquery(Version.objects.filter(kind=kind, scope=OuterRef("committee_id")).values("value")[:1]),
                    0)


def _stable(value):
    """``value`` written the same way in every process (string hashes, and so the order of sets, differ)."""
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_stable(v) for v in value), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(_stable(v) for v in value)
    return value


def cache_key(key: tuple) -> str:
    return "kept:" + hashlib.sha256(repr(_stable(key)).encode()).hexdigest()


def cached(key: tuple, compute, *, still_good=None):
    """``compute()``, kept in Django's cache under ``key``, which must name everything the value depends on.
    ``still_good(value)``, where given, says whether a kept value still holds for what no version counts (the
    clock: an invitation that lapses). Not inside a transaction: what is read there, versions included, may yet be
    rolled back."""
    if connection.in_atomic_block:
        return compute()
    name = cache_key(key)
    value = cache.get(name)
    if value is None or (still_good is not None and not still_good(value)):
        value = compute()
        cache.set(name, value, TIMEOUT)
    return value
