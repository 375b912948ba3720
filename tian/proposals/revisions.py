"""Every proposal's ``revision``: up by one after each committed change to it or to anything its page shows.

The proposal page is rendered once and kept per viewer while the revision is unchanged (views/detail.py). So
the revision must move whenever any of those rows is saved or deleted, by whatever code path (services, the
admin site, imports), which is why this listens to the models' signals rather than trusting each service.

Changes are collected per transaction and written in one ``UPDATE`` after the commit: a reader can then see
the new rows under the old revision for an instant (it keeps the new page, which the bump then replaces), but
never the old rows under the new revision. Rolled-back changes bump nothing. A counter rather than a time:
two changes in the same microsecond, or committed out of order, still give two different values.
"""

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save


class _Bump:
    """The pending bump of one transaction: the proposals it changed, directly or through a unit's
    assignment or a reply."""

    def __init__(self):
        self.proposals, self.assignments, self.replies = set(), set(), set()
        self.created = set()  # proposals inserted by the transaction: no page of them can have been kept

    def __call__(self):
        from tian.proposals.models import Proposal

        proposals = self.proposals - self.created
        if not (proposals or self.assignments or self.replies):
            return
        where = Q(pk__in=proposals)
        if self.assignments:
            where |= Q(pk__in=_proposals_of("handling", "Assignment", self.assignments))
        if self.replies:
            where |= Q(pk__in=_proposals_of("handling", "Reply", self.replies))
        Proposal.objects.filter(where).update(revision=F("revision") + 1)


def _proposals_of(app: str, model: str, ids: set):
    from django.apps import apps

    return apps.get_model(app, model).objects.filter(pk__in=ids).values("proposal_id")


def _pending() -> _Bump:
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Bump):
            return callback
    bump = _Bump()
    # robust: the change is committed whatever happens here; a failed bump is logged, not raised at the user.
    transaction.on_commit(bump, robust=True)
    return bump


def touch(*, proposal=None, assignment=None, reply=None) -> None:
    """Bump the revision of the proposal (given by id, or by an assignment's or a reply's id) after commit."""
    if not connection.in_atomic_block:
        bump = _Bump()
        _add(bump, proposal, assignment, reply)
        bump()
        return
    _add(_pending(), proposal, assignment, reply)


def _add(bump: _Bump, proposal, assignment, reply) -> None:
    for ids, value in ((bump.proposals, proposal), (bump.assignments, assignment), (bump.replies, reply)):
        if value is not None:
            ids.add(value)


# What each watched model points through to its proposal.
WATCHED = {
    ("proposals", "Proposal"): "pk",
    ("proposals", "Event"): "proposal_id",
    ("proposals", "CoSignature"): "proposal_id",
    ("proposals", "Attachment"): "proposal_id",
    ("handling", "Assignment"): "proposal_id",
    ("handling", "Reply"): "proposal_id",
    ("handling", "Evaluation"): "proposal_id",
    ("supervision", "SupervisionActivity"): "proposal_id",
    ("handling", "ReassignmentRequest"): "assignment_id",
    ("handling", "ContactRecord"): "assignment_id",
    ("handling", "AssistingOpinion"): "assignment_id",
    ("deadlines", "ExtensionRequest"): "assignment_id",
    ("deadlines", "Reminder"): "assignment_id",
    ("handling", "ReplyCoSignature"): "reply_id",
    ("supervision", "SupervisionReview"): "reply_id",
    ("deadlines", "FollowUp"): "reply_id",
}


def _changed(sender, instance, **kwargs):
    if kwargs.get("created") and sender._meta.label == "proposals.Proposal":
        # A new proposal: nothing of it was kept, and the rest of its transaction (its first event) bumps nothing.
        if connection.in_atomic_block:
            _pending().created.add(instance.pk)
        return
    attribute = WATCHED_BY_MODEL[sender]
    value = getattr(instance, attribute, None)
    if value is None:
        return
    if attribute in ("pk", "proposal_id"):
        touch(proposal=value)
    elif attribute == "assignment_id":
        touch(assignment=value)
    else:
        touch(reply=value)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    from tian.proposals.models import Proposal

    if not action.startswith("post_"):
        return
    if isinstance(instance, Proposal):
        touch(proposal=instance.pk)
    else:  # changed from the other side (a unit's, an office's proposals)
        for pk in pk_set or ():
            touch(proposal=pk)


WATCHED_BY_MODEL: dict = {}


def connect() -> None:
    from django.apps import apps

    from tian.proposals.models import Proposal

    for (app, name), attribute in WATCHED.items():
        model = apps.get_model(app, name)
        WATCHED_BY_MODEL[model] = attribute
        post_save.connect(_changed, sender=model, dispatch_uid=f"tian.revisions.{name}.saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"tian.revisions.{name}.deleted")
    for field in ("suggested_units", "lead_officials", "supervising_offices"):
        through = getattr(Proposal, field).through
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"tian.revisions.{field}")
