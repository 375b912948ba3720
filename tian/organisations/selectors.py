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
    """The session whose year a date falls in (the latest session of that year)."""
    return (
        Session.objects.filter(term__committee=committee, year=day.year)
        .select_related("term")
        .order_by("-number")
        .first()
    )
