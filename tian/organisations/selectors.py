"""Reads of the committee and its organisations."""

from django.conf import settings

from tian.organisations.models import Committee, Session


def current_committee() -> Committee | None:
    """The committee this installation serves (``TIAN_COMMITTEE_ID`` picks one where several are stored)."""
    committee_id = getattr(settings, "TIAN_COMMITTEE_ID", None)
    qs = Committee.objects.order_by("id")
    if committee_id:
        qs = qs.filter(id=committee_id)
    return qs.first()


def session_for_date(committee: Committee, day) -> Session | None:
    """The session a proposal written on ``day`` belongs to: the session of that year; where the
    committee has not set that year's session up yet, the latest session before it."""
    sessions = Session.objects.filter(term__committee=committee).select_related("term")
    return (
        sessions.filter(year=day.year).order_by("-number").first()
        or sessions.filter(plenary_start__lte=day).order_by("-plenary_start").first()
    )
