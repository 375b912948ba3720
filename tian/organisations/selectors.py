"""Reads of the committee and its organisations."""

import functools

from asgiref.local import Local
from django.conf import settings
from django.core.signals import got_request_exception, request_finished, request_started
from django.db.models import Q
from django.db.models.signals import post_save

from tian.organisations.models import Committee, Member, Session

# The committee a request works in, read once by its first ``current_committee()`` (the view, the layout and the
# home tiles all ask) and forgotten when the request ends or the committee is saved. Outside a request (a task, a
# command, a test's own code) every call reads it.
_request = Local()
_OUTSIDE, _UNREAD = object(), object()


def current_committee() -> Committee | None:
    """The committee this installation serves (``TIAN_COMMITTEE_ID`` picks one where several are stored)."""
    kept = getattr(_request, "committee", _OUTSIDE)
    if kept is _OUTSIDE:
        return _read_committee()
    if kept is _UNREAD:
        kept = _request.committee = _read_committee()
    return kept


def _request_begins(**kwargs) -> None:
    _request.committee = _UNREAD


def _request_ends(**kwargs) -> None:
    _request.committee = _OUTSIDE


def _committee_saved(**kwargs) -> None:
    if getattr(_request, "committee", _OUTSIDE) is not _OUTSIDE:
        _request.committee = _UNREAD


request_started.connect(_request_begins, dispatch_uid="tian.organisations.committee_request")
request_finished.connect(_request_ends, dispatch_uid="tian.organisations.committee_request")
got_request_exception.connect(_request_ends, dispatch_uid="tian.organisations.committee_request")
post_save.connect(_committee_saved, sender=Committee, dispatch_uid="tian.organisations.committee_saved")


def _read_committee() -> Committee | None:
    committee_id = getattr(settings, "TIAN_COMMITTEE_ID", None)
    if committee_id:
        return Committee.objects.filter(id=int(committee_id)).first()
    return Committee.objects.order_by("id").first()


def member_of(user) -> Member | None:
    """The member an account belongs to (``user.member``: read once, then kept on the user)."""
    return user.member


def session_for_date(committee: Committee, day) -> Session | None:
    """The session a proposal written on ``day`` belongs to.

    The session whose submission window (``submissions_open_on`` to ``plenary_deadline``) holds the day: a plenary
    proposal of that session, also where submissions opened in December for a January plenary. Otherwise the session
    of that year whose plenary began last on or before the day (a recess proposal; at a change of term a year holds
    two sessions, and the first session of the new term takes what follows its plenary), or before any plenary of
    the year, the year's first session. Where the committee has not set that year's session up yet, the latest
    session before the day."""
    # One query: the sessions open by the day and those of its year (a committee holds a few a term).
    candidates = list(Session.objects.filter(Q(submissions_open_on__lte=day) | Q(year=day.year),
                                             term__committee=committee).select_related("term"))
    by_start = functools.partial(max, key=lambda session: session.plenary_start, default=None)
    of_year = [session for session in candidates if session.year == day.year]
    return (by_start(session for session in candidates if session.is_plenary_date(day))
            or by_start(session for session in of_year if session.plenary_start <= day)
            or min(of_year, key=lambda session: session.plenary_start, default=None)
            or by_start(session for session in candidates if session.plenary_start <= day))


def page_holding(qs, pk: int | None, per_page: int) -> int | None:
    """The number of the page of ``qs`` (in its order, ``per_page`` rows a page) that holds the row ``pk``; None if
    ``qs`` does not hold it. The management lists open there after a save, so the saved row is in sight."""
    if pk is None:
        return None
    for position, row_pk in enumerate(qs.values_list("pk", flat=True).iterator(chunk_size=2000)):
        if row_pk == pk:
            return position // per_page + 1
    return None
