"""Keeping computed figures until the data behind them changes, once for every server process.

The figures of a scope are derived from proposals, assignments, replies and evaluations, which change only
through the transitions, and every transition writes an ``Event`` row in the same transaction. So the events
tell when figures may have changed: the key carries the newest event's id and a fingerprint of the most
recent events (a transaction that commits after a later-numbered one still changes the fingerprint). Names
shown in the tables (units, categories, sectors, parties, members) and the scopes themselves (sessions, terms)
change without events; saving or deleting one bumps ``FiguresVersion`` after commit. "Overdue now" depends on
the date, so the date is part of the key too; and no value is used longer than ``TIMEOUT`` whatever happens.
One query per request reads all of this, whatever the size of the data.

Computed values are kept in Django's cache (the one ``CACHE_URL`` names, shared by every process) under a key
that carries the scope and that version, so nothing is ever invalidated. A new version of a scope's figures is
computed by one process only: the one whose ``cache.add`` of the version's lock succeeds. Meanwhile the page
shows the scope's previous figures with the time they were computed, and anything else that asks computes
them too rather than wait; nobody polls.
"""

import datetime
import hashlib
import json
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tian.core.calendar import corrections_version

TIMEOUT = 10 * 60
RECENT = 1000  # how many of the newest event ids the fingerprint covers
LOCK_TIMEOUT = 120  # seconds after which a computation nobody finished no longer holds the others up
PREVIOUS_TIMEOUT = 24 * 3600  # a scope's previous figures are shown while new ones are computed, up to a day


_request = threading.local()  # within one request the data version is read once


def data_version() -> tuple:
    if getattr(_request, "active", False):
        if getattr(_request, "version", None) is None:
            _request.version = _read_version()
        return _request.version
    return _read_version()


def _read_version() -> tuple:
    from tian.proposals.models import Event
    from tian.stats.models import FiguresVersion

    quote = connection.ops.quote_name
    events, versions = quote(Event._meta.db_table), quote(FiguresVersion._meta.db_table)
    # The newest events, taken with ORDER BY … LIMIT (a backward walk of the primary key): a range such as
    # "id > newest - 1000" leaves the planner guessing its size, and PostgreSQL then starts parallel workers for
    # what are a thousand rows (13 ms instead of 1 at 100,000 proposals).
    # Only quoted table names are put into the text; the one value is a parameter.
    recent = f"SELECT id, proposal_id, at FROM {events} ORDER BY id DESC LIMIT %s"  # noqa: S608
    sql = (f"SELECT COALESCE(MAX(id), 0), COUNT(*), SUM(proposal_id), MAX(at), "  # noqa: S608
           f"(SELECT value FROM {versions} WHERE id = 1) FROM ({recent}) recent")
    with connection.cursor() as cursor:
        cursor.execute(sql, [RECENT])
        return tuple(cursor.fetchone())


@dataclass(frozen=True)
class Kept:
    value: object
    as_of: datetime.datetime  # when the value was computed
    current: bool  # False: the previous version, shown while another process computes the current one


def cached(key: tuple, compute):
    """``compute()``, or its result for ``key`` while the data and the date are unchanged."""
    return kept(key, compute).value


def kept(key: tuple, compute, *, previous_ok: bool = False) -> Kept:
    """``compute()`` for ``key`` and the current data version, computed by one process and shared by all.
    While another process computes it, ``previous_ok`` returns the scope's previous value (``current`` False)
    instead of computing it again, if there is one. Values must be JSON: lists, dicts with string keys, numbers,
    text."""
    # "Overdue now" depends on the date and on the working-day calendar.
    stamp = (*data_version(), timezone.localdate(), corrections_version())
    scope = _digest(key)
    name = f"stats:{_digest((key, stamp))}"
    found = cache.get(name)
    if found is not None:
        return Kept(*found, current=True)
    if not cache.add(f"{name}:lock", 1, LOCK_TIMEOUT) and previous_ok:
        previous = cache.get(f"stats:previous:{scope}")
        if previous is not None:
            return Kept(*previous, current=False)
    try:
        # Through JSON, so that a value reads the same computed here or by another process (keys become text).
        value, as_of = json.loads(json.dumps(compute(), ensure_ascii=False)), timezone.now()
        cache.set(name, (value, as_of), TIMEOUT)
        cache.set(f"stats:previous:{scope}", (value, as_of), PREVIOUS_TIMEOUT)
    finally:
        cache.delete(f"{name}:lock")
    return Kept(value, as_of, current=True)


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def bump() -> None:
    from tian.stats.models import FiguresVersion

    if not FiguresVersion.objects.filter(pk=1).update(value=F("value") + 1):
        FiguresVersion.objects.get_or_create(pk=1)


def _changed(sender, **kwargs):
    # In the transaction that renames: readers see the new names and the new version together, and a rolled-back
    # rename moves nothing. (An import saving a thousand members moves it a thousand times: it only has to change.)
    bump()


def _request_started(**kwargs):
    _request.active, _request.version = True, None


def _request_finished(**kwargs):
    _request.active, _request.version = False, None


def connect() -> None:
    """Names and scopes change without an event: bump the version when one is saved or deleted."""
    from tian.organisations.models import Member, Party, Sector, Session, Term, Unit
    from tian.proposals.models import TopicCategory

    request_started.connect(_request_started, dispatch_uid="tian.stats.request_started")
    request_finished.connect(_request_finished, dispatch_uid="tian.stats.request_finished")
    for model in (Member, Party, Sector, Session, Term, Unit, TopicCategory):
        post_save.connect(_changed, sender=model, dispatch_uid=f"tian.stats.{model.__name__}.saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"tian.stats.{model.__name__}.deleted")
