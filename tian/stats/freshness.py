"""Keeping computed figures until the data behind them changes.

The figures of a scope are derived from proposals, assignments, replies and evaluations, which change only
through the transitions, and every transition writes an ``Event`` row in the same transaction. So the events
tell when figures may have changed: the cache key carries the newest event's id and a fingerprint of the most
recent events (a transaction that commits after a later-numbered one still changes the fingerprint). Names
shown in the tables (units, categories, sectors, parties, members) and the scopes themselves (sessions, terms)
change without events; saving or deleting one bumps ``FiguresVersion`` after commit. "Overdue now" depends on
the date, so the date is part of the key too; and no entry lives longer than ``TIMEOUT`` whatever happens.

One query per request reads all of this, whatever the size of the data.
"""

import hashlib
import threading

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

TIMEOUT = 10 * 60
RECENT = 1000  # how many of the newest event ids the fingerprint covers


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
    # Only quoted table names are put into the text; the one value is a parameter.
    newest = f"(SELECT COALESCE(MAX(id), 0) FROM {events})"  # noqa: S608
    sql = f"SELECT {newest}, COUNT(*), SUM(proposal_id), MAX(at), (SELECT value FROM {versions} WHERE id = 1) FROM {events} WHERE id > {newest} - %s"  # noqa: E501, S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [RECENT])
        return tuple(cursor.fetchone())


def cached(key: tuple, compute):
    """``compute()``, or its result for ``key`` while the data and the date are unchanged."""
    stamp = (*data_version(), timezone.localdate())
    digest = hashlib.sha256(repr((key, stamp)).encode()).hexdigest()
    name = f"tian.stats:{digest}"
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, TIMEOUT)
    return value


def bump() -> None:
    from tian.stats.models import FiguresVersion

    if not FiguresVersion.objects.filter(pk=1).update(value=F("value") + 1):
        FiguresVersion.objects.get_or_create(pk=1)


def _changed(sender, **kwargs):
    # Once per transaction is enough: an import saving a thousand members bumps once.
    pending = getattr(connection, "run_on_commit", [])
    if not any(callback[1] is bump for callback in pending):
        transaction.on_commit(bump)


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
