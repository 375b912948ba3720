"""The lifecycles of an assignment (交办) and of a reply (答复), declared once, beside the proposal's.

Named ``lifecycle``, not ``workflow``: the services that read it also import ``tian.proposals.workflow``, and
the two answer different questions. The proposal workflow says who may act on which proposal now (the
permission and the relation to the proposal); this module says which step an assignment or a reply may take
from the status it is in, the status it reaches, and which unit role takes it. A service asks both, in that
order, so that the wrong person hears "not allowed" before anything about statuses:
``ASSIGNMENT.authorise(by, proposal, "sign_for")`` (the proposal workflow's transition named in
``authorised_by``), then ``assignment.status = ASSIGNMENT.check(assignment, "sign_for").target``.

An assignment: ``assigned → signed → (reassignment_requested → removed | back)``. Contact records, assisting
opinions and the reply are steps the unit takes while signed for; they do not change the assignment's
status (what the unit has done is read from its contact records, opinions and reply).

A reply: ``draft → cosigning → supervision → released``; supervision can return it (``returned``), and the
unit submits it again. Steps with no unit role and no ``authorised_by`` follow another step in the same
service call: a reply nobody has to co-sign goes through ``cosigning`` at once; one no office supervises is
released when co-signed.

The named groups of statuses (``Assignment.ACTIVE``, ``Reply.EDITABLE`` …) sit on the models, beside the
statuses, like the proposal's in ``tian/proposals/models.py``.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tian.handling.models import REPLYING_ROLES, Assignment, Reply, UnitRole
from tian.proposals import workflow
from tian.proposals.workflow import INVALID_STATE, MSG_NOT_ALLOWED, NOT_ALLOWED, WorkflowError

A = Assignment.Status
R = Reply.Status
EVERY_ROLE = frozenset(UnitRole)
REPLYING = REPLYING_ROLES
ASSISTING = frozenset({UnitRole.ASSISTING})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str | None  # None: the status does not change (or the service works it out, as said beside it)
    roles: frozenset = frozenset()  # the unit roles that take this step; empty: not a unit's step
    authorised_by: str = ""  # the proposal workflow's transition saying who may; "": follows another step
    refusal: str = ""  # why it is refused in another status; "": the lifecycle's general message
    role_refusal: str = ""  # why a unit of another role is refused; "": "You are not allowed to do this."


def _t(name, label, sources, target, roles=(), authorised_by="", refusal="", role_refusal=""):
    return Transition(name, label, frozenset(sources), target, frozenset(roles), authorised_by, refusal,
                      role_refusal)


class Lifecycle:
    """The transitions of one kind of record with a ``status``.

    ``role_of`` gives the role of the unit acting on a record, where the record says it (an assignment is
    the acting unit's own); a reply's steps are taken by units other than its writer (co-signing) or by
    supervising offices, so the reply's ``roles`` are read by pages and tests, and the proposal workflow
    checks the person."""

    def __init__(self, transitions, *, invalid_state, role_of=None):
        self.transitions: dict[str, Transition] = {t.name: t for t in transitions}
        self.invalid_state = invalid_state
        self.role_of = role_of

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def authorise(self, user, proposal, name: str) -> None:
        """Raise WorkflowError unless the proposal workflow lets ``user`` take step ``name`` on ``proposal``."""
        workflow.check(user, proposal, self.transitions[name].authorised_by)

    def _refusal(self, record, name: str) -> WorkflowError | None:
        transition = self.transitions[name]
        if self.role_of and transition.roles and self.role_of(record) not in transition.roles:
            return WorkflowError(NOT_ALLOWED, transition.role_refusal or MSG_NOT_ALLOWED)
        if record.status not in transition.sources:
            message = transition.refusal or self.invalid_state % {"status": record.get_status_display()}
            return WorkflowError(INVALID_STATE, message)
        return None

    def check(self, record, name: str) -> Transition:
        """Raise WorkflowError (``not_allowed`` for a unit of another role, then ``invalid_state``) unless
        ``record`` may take step ``name`` now; return the step, whose ``target`` is the status it reaches."""
        refusal = self._refusal(record, name)
        if refusal is not None:
            raise refusal
        return self.transitions[name]

    def allowed(self, record, name: str) -> bool:
        """Whether ``record`` may take step ``name`` now, as far as its status and its unit's role go."""
        return self._refusal(record, name) is None

    def permits(self, user, proposal, record, name: str) -> bool:
        """Whether a page offers ``user`` the button of step ``name`` on ``record`` of ``proposal``: the
        proposal workflow lets them and the record may take it. ``record`` is the one the user acts on (their
        unit's own assignment or reply, a reply waiting for their unit's co-signature or their review); the
        page chooses it. Steps that follow another one are never offered."""
        transition = self.transitions[name]
        return bool(transition.authorised_by) and self.allowed(record, name) and workflow.allowed(
            user, proposal, transition.authorised_by)


MSG_SIGN_FOR_FIRST = _("Please sign for the proposal first.")

ASSIGNMENT = Lifecycle([
    _t("sign_for", _("Sign for"), {A.ASSIGNED}, A.SIGNED, EVERY_ROLE, "sign_for",
       _("This assignment has already been signed for.")),
    _t("request_reassignment", _("Request reassignment"), {A.ASSIGNED, A.SIGNED}, A.REASSIGNMENT_REQUESTED,
       EVERY_ROLE, "request_reassignment", _("A reassignment request is already pending.")),
    # The office decides; a new assignment of the same role goes to another unit.
    _t("approve_reassignment", _("Approve the reassignment request"), {A.REASSIGNMENT_REQUESTED}, A.REMOVED,
       (), "decide_reassignment"),
    # Back where it was: ``status_after_refusal``.
    _t("refuse_reassignment", _("Refuse the reassignment request"), {A.REASSIGNMENT_REQUESTED}, None,
       (), "decide_reassignment"),
    _t("record_contact", _("Record contact with the proposer"), {A.SIGNED, A.REASSIGNMENT_REQUESTED}, None,
       EVERY_ROLE, "record_contact", MSG_SIGN_FOR_FIRST),
    _t("send_opinion", _("Send assisting opinion"), {A.SIGNED, A.REASSIGNMENT_REQUESTED}, None, ASSISTING,
       "send_opinion", MSG_SIGN_FOR_FIRST,
       _("Only assisting units send opinions; lead units write the reply.")),
    _t("write_reply", _("Write the reply"), {A.SIGNED}, None, REPLYING, "write_reply", MSG_SIGN_FOR_FIRST,
       _("Assisting units do not reply directly; they send an opinion.")),
], invalid_state=_("This cannot be done while the assignment is “%(status)s”."), role_of=lambda a: a.role)


def status_after_refusal(assignment: Assignment) -> str:
    """A refused reassignment request puts the assignment back: signed for if it had been."""
    return A.SIGNED if assignment.signed_at else A.ASSIGNED


MSG_NOT_FOR_SUPERVISION = _("This reply is not waiting for supervision review.")

REPLY = Lifecycle([
    # A new reply starts as a draft (the model's default).
    _t("save", _("Save draft"), Reply.EDITABLE, None, REPLYING, "write_reply",
       _("The reply has been submitted and can no longer be changed.")),
    _t("submit", _("Submit the reply"), Reply.EDITABLE, R.COSIGNING, REPLYING, "write_reply",
       _("The reply has already been submitted.")),
    _t("cosign", _("Co-sign the reply"), {R.COSIGNING}, None, ASSISTING, "cosign_reply",
       _("This reply is not waiting for co-signatures.")),
    # The last co-signature is in (or nobody had to sign) …
    _t("send_to_supervision", _("Send to supervision review"), {R.COSIGNING}, R.SUPERVISION),  # … offices review
    _t("release", _("Release the reply"), {R.COSIGNING}, R.RELEASED),  # … no office supervises the proposal
    _t("approve", _("Approve and release"), {R.SUPERVISION}, R.RELEASED, (), "review_reply",
       MSG_NOT_FOR_SUPERVISION),
    _t("return", _("Return the reply"), {R.SUPERVISION}, R.RETURNED, (), "review_reply", MSG_NOT_FOR_SUPERVISION),
], invalid_state=_("This cannot be done while the reply is “%(status)s”."))
