"""Changes of what a committee's pages show by name or by its settings, without an event: its units, supervising
offices, lead officials, members, collective proposers, sectors, parties, terms, sessions, topic categories,
decline grounds, outcome classes, users, and the committee itself.

Every such change passes here (the management pages, the Excel import, the admin site, the user services) and
moves the committee's names version (``core/versions.py``) in the same transaction: readers see the new name and
the new version together, and a rolled-back change moves nothing. Every kept page that shows a name or a setting
carries that version in its key, so the next request anywhere shows the change.
"""

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from tian.audit.log import audit, entry
from tian.audit.models import AuditEntry, Kind
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


def _row_entry(obj, pk, by, *, change: str) -> dict:
    """The audit entry's fields for the row ``obj`` (its id ``pk``: a deleted row has none any more) saved or
    deleted (``change``: added, changed or deleted) by ``by`` (None: the system, an import)."""
    return {"user": by, "username": "" if by is not None else "system", "kind": Kind.ROW_CHANGED,
            "object_type": obj._meta.model_name, "object_id": pk,
            "detail": f"{obj._meta.label_lower} “{obj}” {change}",
            "data": {"model": obj._meta.label_lower, "name": str(obj)[:200], "change": change}}


@transaction.atomic
def named_save(obj, *, save_related=None, by=None):
    """Save a row that pages show by name or read as a setting, with its audit entry; ``save_related``: what else the
    caller saves with it (a form's many-to-many fields); ``by``: who (None: the system, an import)."""
    change = "added" if obj._state.adding else "changed"
    obj.save()
    if save_related is not None:
        save_related()
    committee_id = committee_of(obj)
    if committee_id is not None:
        names_changed(committee_id=committee_id)
    audit(AuditEntry.Action.CHANGE, **_row_entry(obj, obj.pk, by, change=change))
    return obj


@transaction.atomic
def named_save_all(objs, *, by=None) -> None:
    """``named_save`` for the rows of a file imported: each row saved, the names version of each committee moved
    once, and the rows' audit entries written together, so that a roster of thousands costs a query a row. The
    entries are written in the import's transaction, not apart as ``audit`` writes one: a file whose entries cannot
    be written is not imported."""
    changes = []
    for obj in objs:
        changes.append("added" if obj._state.adding else "changed")
        obj.save()
    for committee_id in {committee_of(obj) for obj in objs} - {None}:
        names_changed(committee_id=committee_id)
    entries = [entry(AuditEntry.Action.CHANGE, **_row_entry(obj, obj.pk, by, change=change))
               for obj, change in zip(objs, changes, strict=True)]
    AuditEntry.objects.bulk_create(entries)


STILL_NAMED = _("“%(name)s” cannot be deleted while %(what)s refer to it; mark it inactive instead.")


def delete_refusal(obj) -> str | None:
    """Why the row ``obj`` may not be deleted, or None. Where another row refers to it by a reference that deleting
    would drop without a word (a proposal's lead officials or supervising offices, an account bound to a lead
    official or a member), the delete is refused: the proposal would lose its lead official with no event and the
    account would act for nothing. References that protect themselves (``PROTECT``) and the rows it owns (its
    sessions, deleted with a term) are left to the database."""
    referring = []
    for relation in obj._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue  # not a reverse relation
        if relation.related_model._meta.auto_created:
            continue  # the link table of a many-to-many field: the field itself is asked below
        if not (relation.many_to_many or getattr(relation, "on_delete", None) is models.SET_NULL):
            continue
        accessor = relation.related_model._base_manager.filter(**{relation.field.name: obj})
        if accessor.exists():
            referring.append(str(relation.related_model._meta.verbose_name_plural))
    if not referring:
        return None
    return str(STILL_NAMED % {"name": obj, "what": "、".join(dict.fromkeys(referring))})


@transaction.atomic
def named_delete(obj, *, by=None) -> None:
    """Delete a row of the managed lists, with its audit entry; refused (``ProtectedError``) while rows that would
    silently lose it refer to it (``delete_refusal``)."""
    refusal = delete_refusal(obj)
    if refusal:
        raise ProtectedError(refusal, set())
    committee_id = committee_of(obj)
    pk = obj.pk
    obj.delete()
    if committee_id is not None:
        names_changed(committee_id=committee_id)
    audit(AuditEntry.Action.CHANGE, **_row_entry(obj, pk, by, change="deleted"))
