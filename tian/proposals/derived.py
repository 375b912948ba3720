"""Numbers and rendered fragments derived from many proposals (filter choices, facet counts, totals, the rows
of a list, a proposal's page), kept in Django's cache under a key that carries what they depend on.

They change only when something happens to a proposal, and everything that happens writes an ``Event``, so the
events tell which version of a value is current (``events_marker``): the newest event's id, and the count and
sum of the newest ``RECENT_EVENTS`` ids, so that an event committed out of id order (its transaction took its
id before a faster one took the next, and committed after it) changes the marker too. Inside a transaction
nothing is kept, since what was read there may yet be rolled back.

What a rendered list shows also changes without an event: a member edits a returned proposal (drafts are
private and write none), staff rename a unit or a category. ``change_marker()`` covers those too: the newest
proposal edit (``updated_at``, an index lookup) and the names' version that the statistics keep
(``FiguresVersion``, bumped whenever a unit, category, member … is saved).

The marker is part of the cache key ("key-based expiration"): a value is never invalidated, a new marker simply
names a new entry, and entries nobody asks for any more expire after ``TIMEOUT_SECONDS``. The cache is the one
``CACHE_URL`` names, shared by every process (Redis, or files on one machine), so a value computed by one
process serves them all, and a change seen by one is seen by all.
"""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from tian.proposals.models import Event, Proposal

TIMEOUT_SECONDS = 24 * 3600  # an entry nobody asked for in a day goes; a current one is never stale
RECENT_EVENTS = 100  # far more than can commit while one transaction commits


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


def _stable(value):
    """``value`` written the same way in every process (sets in order: string hashes differ between processes)."""
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_stable(v) for v in value), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(_stable(v) for v in value)
    return value


def cache_key(key, marker) -> str:
    """The cache key of ``key``'s value while ``marker`` holds."""
    return "derived:" + hashlib.sha256(repr((_stable(key), _stable(marker))).encode()).hexdigest()


def derived(key, compute, *, marker):
    """``compute()``, or the value kept in the cache under ``key`` and ``marker`` (``events_marker()``,
    ``change_marker()`` or the versions the value depends on)."""
    if connection.in_atomic_block:
        return compute()
    return cache.get_or_set(cache_key(key, marker), compute, TIMEOUT_SECONDS)


# Kept fragments are shared by every browser of a user, and each browser has its own CSRF secret: a fragment is
# rendered with this stand-in for the token, and each response puts its own token in (``with_csrf_token``).
# Derived from SECRET_KEY, so that every process sharing the cache uses the same one and no text a user types
# can be taken for it.
CSRF_STAND_IN = "csrf" + salted_hmac("tian.proposals.derived.csrf", "stand-in").hexdigest()[:32]


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
    """Tests: every kept value goes (the cache is cleared)."""
    cache.clear()
