"""Numbers and rendered fragments derived from many proposals (filter choices, facet counts, totals, the rows
of a list), kept per process.

They change only when something happens to a proposal, and everything that happens writes an ``Event``, so the
events tell whether a kept value is still current (``events_marker``): the newest event's id, and the count and
sum of the newest ``RECENT_EVENTS`` ids, so that an event committed out of id order (its transaction took its
id before a faster one took the next, and committed after it) changes the marker too. A kept value is
computed anew after ``TTL_SECONDS`` all the same, the safety net for a transaction that committed later still.
Inside a transaction nothing is kept, since what was read there may yet be rolled back.

What a rendered list shows also changes without an event: a member edits a returned proposal (drafts are
private and write none), staff rename a unit or a category. ``change_marker()`` covers those too: the newest
proposal edit (``updated_at``, an index lookup) and the names' version that the statistics keep
(``FiguresVersion``, bumped whenever a unit, category, member … is saved).

A value past ``TTL_SECONDS`` while its marker is unchanged is still served to the request that finds it, and
computed anew once that request's response has gone (``tian.core.after_response``): that is only a safety net, and
computing a large value (the portal's filter counts at 100,000 proposals: ~0.5 s) in a request would make that
one visitor wait for all. Outside a request (commands, the task worker) it is computed at once.

The store is bounded: the least recently used values go first, so keys that carry a user and a query string
cannot grow a worker's memory without end.
"""

import secrets
import time
from collections import OrderedDict

from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from tian.core import after_response
from tian.proposals.models import Event, Proposal

TTL_SECONDS = 600  # ten minutes, as the statistics (tian.stats.freshness.TIMEOUT)
RECENT_EVENTS = 100  # far more than can commit while one transaction commits
MAX_KEPT = 2000
_kept: OrderedDict = OrderedDict()


def _events_fingerprint() -> str:
    events = connection.ops.quote_name(Event._meta.db_table)
    # A backward walk of the primary key's newest entries. Only a quoted table name and a constant are put in.
    return (f"SELECT MAX(id) AS newest, COUNT(*) AS n, SUM(id) AS total FROM (SELECT id FROM {events} "  # noqa: S608
            f"ORDER BY id DESC LIMIT {int(RECENT_EVENTS)}) recent")


def events_marker() -> tuple:
    """The newest event's id, and the count and sum of the newest ``RECENT_EVENTS`` ids."""
    with connection.cursor() as cursor:
        cursor.execute(_events_fingerprint())
        return tuple(cursor.fetchone())


def change_marker() -> tuple:
    """The events' marker, the newest proposal edit and the names' version, in one query."""
    from tian.stats.models import FiguresVersion

    quote = connection.ops.quote_name
    proposals, versions = quote(Proposal._meta.db_table), quote(FiguresVersion._meta.db_table)
    # Only quoted table names are put into the text, and there is no value.
    sql = (f"SELECT recent.*, (SELECT MAX(updated_at) FROM {proposals}), "  # noqa: S608
           f"(SELECT MAX(value) FROM {versions}) FROM ({_events_fingerprint()}) recent")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def derived(key, compute, *, marker):
    """``compute()``, or the value kept under ``key`` while ``marker`` (``events_marker()`` or
    ``change_marker()``) is unchanged."""
    if connection.in_atomic_block:
        return compute()
    kept = _kept.get(key)
    if kept is not None and kept[0] == marker:
        _kept.move_to_end(key)
        if time.monotonic() - kept[1] < TTL_SECONDS:
            return kept[2]
        # Answering a request: this one gets the kept value, the next a new one.
        if after_response.later(("derived", key), lambda: _store(key, compute(), marker)):
            return kept[2]
    return _store(key, compute(), marker)


def _store(key, value, marker):
    _kept[key] = (marker, time.monotonic(), value)
    _kept.move_to_end(key)
    while len(_kept) > MAX_KEPT:
        _kept.popitem(last=False)
    return value


# Kept fragments are shared by every browser of a user, and each browser has its own CSRF secret: a fragment is
# rendered with this stand-in for the token, and each response puts its own token in (``with_csrf_token``).
# Random per process, so that no text a user types can be taken for it.
CSRF_STAND_IN = f"csrf{secrets.token_hex(16)}"


def render_fragment(template_name: str, context: dict, request) -> str:
    """A page's content, rendered to be kept: without the context processors, which the layout around it runs
    once per request anyway (the unread-notification count, the navigation), but with what the content
    itself may use: the request, the user and the CSRF token (a stand-in, see ``with_csrf_token``)."""
    return get_template(template_name).render(
        {**context, "request": request, "user": request.user, "csrf_token": CSRF_STAND_IN})


def with_csrf_token(fragment: str, request) -> str:
    """A kept fragment with this request's CSRF token in its forms."""
    if CSRF_STAND_IN not in fragment:
        return fragment
    return mark_safe(fragment.replace(CSRF_STAND_IN, get_token(request)))  # noqa: S308 - rendered by a template


def forget(**kwargs) -> None:
    _kept.clear()
