"""Reads of the committee and its organisations."""

from django.conf import settings

from tian.core.compiled import fetch_objects
from tian.organisations.models import Committee, Member, Session

YEAR_STAND_IN = 1_987_654_321  # a session's year is 1949 to 2200 (its validators); the column takes any positive int


def current_committee() -> Committee | None:
    """The committee this installation serves (``TIAN_COMMITTEE_ID`` picks one where several are stored)."""
    committee_id = getattr(settings, "TIAN_COMMITTEE_ID", None)
    if committee_id:
        found = fetch_objects("organisations.committee", lambda pk: Committee.objects.filter(id=pk), int(committee_id))
    else:
        found = fetch_objects("organisations.first_committee", lambda _: Committee.objects.order_by("id")[:1])
    return found[0] if found else None


def member_of(user):
    """The member an account belongs to (``user.member``), read by a query compiled once and kept on the user."""
    field = type(user)._meta.get_field("member")
    if not field.is_cached(user):
        found = fetch_objects("organisations.member", lambda pk: Member.objects.filter(pk=pk), user.member_id) \
            if user.member_id is not None else []
        field.set_cached_value(user, found[0] if found else None)
    return user.member


def session_for_date(committee: Committee, day) -> Session | None:
    """The session a proposal written on ``day`` belongs to: the session of that year; where the
    committee has not set that year's session up yet, the latest session before it."""
    def sessions():
        return Session.objects.filter(term__committee=committee).select_related("term")

    of_year = fetch_objects(("organisations.session_of_year", committee.pk),
                            lambda year: sessions().filter(year=year).order_by("-number")[:1], day.year,
                            stand_in=YEAR_STAND_IN)
    return of_year[0] if of_year else sessions().filter(plenary_start__lte=day).order_by("-plenary_start").first()
