"""Changes of what a committee's pages show by name or by its settings, without an event: its units, supervising
offices, lead officials, members, collective proposers, sectors, parties, terms, sessions, topic categories,
decline grounds, outcome classes, users, and the committee itself.

Every such change passes here (the management pages, the Excel import, the admin site, the user services) and
moves the committee's names version (``core/versions.py``) in the same transaction: readers see the new name and
the new version together, and a rolled-back change moves nothing. Every kept page that shows a name or a setting
carries that version in its key, so the next request anywhere shows the change.
"""

from django.db import transaction

from tian.core import versions
from tian.organisations.models import Committee, Session


def names_changed(*, committee_id: int) -> None:
    """Something the committee's pages show by name or by its settings changed."""
    versions.bump(committee_id, versions.NAMES)


def names_changed_everywhere() -> None:
    """Something every committee's pages may show changed (a user's name: shown wherever they worked)."""
    for committee_id in Committee.objects.values_list("pk", flat=True):
        names_changed(committee_id=committee_id)


def committee_of(obj) -> int | None:
    """The committee a row of the managed lists belongs to (None: the calendar, shared by all, which has its own
    version)."""
    if isinstance(obj, Committee):
        return obj.pk
    if isinstance(obj, Session):
        return obj.term.committee_id
    return getattr(obj, "committee_id", None)


@transaction.atomic
def named_save(obj, *, save_related=None):
    """Save a row that pages show by name or read as a setting; ``save_related``: what else the caller saves with it
    (a form's many-to-many fields)."""
    obj.save()
    if save_related is not None:
        save_related()
    committee_id = committee_of(obj)
    if committee_id is not None:
        names_changed(committee_id=committee_id)
    return obj


@transaction.atomic
def named_delete(obj) -> None:
    committee_id = committee_of(obj)
    obj.delete()
    if committee_id is not None:
        names_changed(committee_id=committee_id)
