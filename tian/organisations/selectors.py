"""Reads of the committee and its organisations."""

from django.conf import settings

from tian.organisations.models import Committee, Member, Session


def current_committee() -> Committee | None:
    """The committee this installation serves (``TIAN_COMMITTEE_ID`` picks one where several are stored)."""
    committee_id = getattr(settings, "TIAN_COMMITTEE_ID", None)
    if committee_id:
        return Committee.objects.filter(id=int(committee_id)).first()
    return Committee.objects.order_by("id").first()


def member_of(user) -> Member | None:
    """The member an account belongs to (``user.member``: read once, then kept on the user)."""
    return user.member


def session_for_date(committee: Committee, day) -> Session | None:
    """The session a proposal written on ``day`` belongs to: the session of that year; where the
    committee has not set that year's session up yet, the latest session before it."""
    sessions = Session.objects.filter(term__committee=committee).select_related("term")
    return (sessions.filter(year=day.year).order_by("-number").first()
            or sessions.filter(plenary_start__lte=day).order_by("-plenary_start").first())
