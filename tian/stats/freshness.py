"""Keeping computed figures until the data behind them changes, once for every server process.

The figures of a scope are derived from proposals, assignments, replies and evaluations, which change only
through the transitions, and every transition writes an ``Event`` row in the same transaction. So the events
tell when figures may have changed: the key carries the newest event's id and a fingerprint of the most
recent events (a transaction that commits after a later-numbered one still changes the fingerprint). Names
shown in the tables (units, categories, sectors, parties, members) and the scopes themselves (sessions, terms)
change without events; saving or deleting one bumps ``FiguresVersion`` after commit. "Overdue now" depends on
the date, so the date is part of the key too; and no value is used longer than ``TIMEOUT`` whatever happens.
One query per request reads all of this, whatever the size of the data.

Computed values are stored in the database (``KeptFigures``), where every process sees them, and kept in the
process's own cache in front of it. A new version of a scope's figures is computed by one process only: it
claims the row first (its primary key is the scope and version digest, so only one insert succeeds); the
others wait for the value, or, for the page, show the scope's previous figures with the time they were
computed. A claim older than ``CLAIM_TIMEOUT`` is taken over, so a process that died while computing holds
up nobody for long.

The process that claims a new version of the page does not make its own visitor wait either when the scope's
previous version took ``SLOW_SECONDS`` or more to compute (a term of 30,000 proposals: 2–3 s): that visitor is
shown the previous figures with their time, like everyone else, and the new ones are computed once the
response has gone (``tian.core.after_response``). Quick figures (a district's) are computed at once, as before.
"""

import datetime
import hashlib
import json
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tian.core import after_response

TIMEOUT = 10 * 60
RECENT = 1000  # how many of the newest event ids the fingerprint covers
CLAIM_TIMEOUT = 60  # seconds after which another process takes over an unfinished computation
POLL = 0.05  # seconds between looks at a value another process is computing
PRUNE_AFTER = datetime.timedelta(days=1)  # rows of versions nobody asked for since are deleted
SLOW_SECONDS = 0.3  # a page whose previous version took this long is computed after the response
_WRAPPED = "tian.kept"  # stored values carry how long they took: {"tian.kept": 1, "value": …, "seconds": …}


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
    instead of waiting, if there is one. Values must be JSON: lists, dicts with string keys, numbers, text."""
    from tian.stats.models import KeptFigures

    stamp = (*data_version(), timezone.localdate())
    scope = _digest(key)
    digest = _digest((key, stamp))
    name = f"tian.stats:{digest}"
    local = cache.get(name)
    if local is not None:
        return Kept(*local, current=True)
    waited_since = time.monotonic()
    while True:
        row = KeptFigures.objects.filter(key=digest).values_list("value", "computed_at", "claimed_at").first()
        now = timezone.now()
        if row is not None and row[1] is not None and row[1] > now - datetime.timedelta(seconds=TIMEOUT):
            value, _seconds = _loads(row[0])
            _keep_locally(name, value, row[1], now)
            return Kept(value, row[1], current=True)
        if _claim(digest, scope, row, now):
            previous = _previous(scope) if previous_ok else None
            if (previous is not None and previous[2] >= SLOW_SECONDS
                    and after_response.later(("figures", digest), lambda: _compute(name, digest, scope, compute))):
                return Kept(previous[0], previous[1], current=False)
            return _compute(name, digest, scope, compute)
        if previous_ok:
            previous = _previous(scope)
            if previous is not None:
                return Kept(previous[0], previous[1], current=False)
        if time.monotonic() - waited_since > CLAIM_TIMEOUT:  # never wait forever, whatever the others do
            return _compute(name, digest, scope, compute, claimed=False)
        time.sleep(POLL)


def _previous(scope: str):
    """The scope's newest computed value, when it was computed, and how long it took; or None."""
    from tian.stats.models import KeptFigures

    row = (KeptFigures.objects.filter(scope=scope, computed_at__isnull=False).order_by("-computed_at")
           .values_list("value", "computed_at").first())
    if row is None:
        return None
    value, seconds = _loads(row[0])
    return value, row[1], seconds


def _loads(text: str) -> tuple[object, float]:
    """A stored value and the seconds it took (0 for values stored before they carried it)."""
    stored = json.loads(text)
    if isinstance(stored, dict) and stored.get(_WRAPPED) == 1:
        return stored["value"], stored["seconds"]
    return stored, 0.0


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _keep_locally(name: str, value, as_of: datetime.datetime, now: datetime.datetime) -> None:
    remaining = TIMEOUT - (now - as_of).total_seconds()
    if remaining > 1:
        cache.set(name, (value, as_of), remaining)


def _claim(digest: str, scope: str, row, now: datetime.datetime) -> bool:
    """Whether this process now computes the value: it inserted the claim, or took over an expired value or a
    claim nobody finished (a conditional update on what it read: only one process succeeds)."""
    from tian.stats.models import KeptFigures

    if row is None:
        try:
            with transaction.atomic():
                KeptFigures.objects.create(key=digest, scope=scope, claimed_at=now)
            return True
        except IntegrityError:
            return False
    value, _computed_at, claimed_at = row
    if claimed_at is not None and claimed_at > now - datetime.timedelta(seconds=CLAIM_TIMEOUT):
        return False  # being computed
    unchanged = {"claimed_at": claimed_at} if claimed_at is not None else {"claimed_at__isnull": True}
    return KeptFigures.objects.filter(key=digest, **unchanged).update(claimed_at=now) == 1


def _compute(name: str, digest: str, scope: str, compute, *, claimed: bool = True) -> Kept:
    from tian.stats.models import KeptFigures

    started = time.monotonic()
    try:
        value = compute()
    except BaseException:
        if claimed:  # give the claim back: the next request tries again
            KeptFigures.objects.filter(key=digest, computed_at__isnull=True).delete()
            KeptFigures.objects.filter(key=digest).update(claimed_at=None)
        raise
    now = timezone.now()
    text = json.dumps({_WRAPPED: 1, "value": value, "seconds": round(time.monotonic() - started, 3)},
                      ensure_ascii=False)
    if claimed:
        KeptFigures.objects.filter(key=digest).update(value=text, computed_at=now, claimed_at=None)
        # Older versions of the scope are no longer needed once this one is there; nor, after a day, anything.
        KeptFigures.objects.filter(Q(scope=scope, computed_at__lt=now) | Q(computed_at__lt=now - PRUNE_AFTER)
                                   | Q(computed_at__isnull=True, claimed_at__lt=now - PRUNE_AFTER)).delete()
    value = _loads(text)[0]  # the same value whether computed here or read from the table
    _keep_locally(name, value, now, now)
    return Kept(value, now, current=True)


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
