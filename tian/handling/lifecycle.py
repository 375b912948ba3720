"""The lifecycles of an assignment (交办), a reply (答复) and a reassignment request (退办), declared once.

Named ``lifecycle``, not ``workflow``: the services that read it also import ``tian.proposals.workflow``, and
the two answer different questions. The proposal workflow says who may act on which proposal now (the
permission and the relation to the proposal); this module says which step an assignment or a reply may take
from the status it is in, the status it reaches, and which unit role takes it. A service asks both, in that
order, so that the wrong person hears "not allowed" before anything about statuses:
``ASSIGNMENT.authorise(by, proposal, "sign_for")`` (the proposal workflow's transition named in
``authorised_by``), then ``assignment.status = ASSIGNMENT.check(assignment, "sign_for").target``.

An assignment: ``assigned → signed → (reassignment_requested → removed | back)``, or ``removed`` from either of the
first two when the office moves the unit's part on its own (``adjust``). Contact records, assisting opinions and the
reply are steps the unit takes while signed for; they do not change the assignment's status (what the unit has done
is read from its contact records, opinions and reply).

A reply: ``draft → cosigning → supervision → released``; supervision can return it (``returned``), and the
unit submits it again. Steps with no unit role and no ``authorised_by`` follow another step in the same
service call: a reply nobody has to co-sign goes through ``cosigning`` at once; one no office supervises is
released when co-signed.

A reassignment request: ``pending → approved | refused``, by the office; a request already decided was decided
by someone else meanwhile (``conflict``). Each decision moves the assignment too (the assignment's
``approve_reassignment`` and ``refuse_reassignment``).

How a lifecycle is declared, and the co-signature's: ``tian/proposals/lifecycle.py``; the extension request's:
``tian/deadlines/lifecycle.py``. The named groups of statuses (``Assignment.ACTIVE``, ``Reply.EDITABLE`` …) sit
on the models, beside the statuses, like the proposal's in ``tian/proposals/models.py``.
"""

from django.utils.translation import gettext_lazy as _

from tian.handling.models import REPLYING_ROLES, Assignment, ReassignmentRequest, Reply, UnitRole
from tian.proposals.lifecycle import Lifecycle, step
from tian.proposals.workflow import CONFLICT, MSG_CONFLICT

A = Assignment.Status
R = Reply.Status
EVERY_ROLE = frozenset(UnitRole)
REPLYING = REPLYING_ROLES
ASSISTING = frozenset({UnitRole.ASSISTING})


MSG_SIGN_FOR_FIRST = _("Please sign for the proposal first.")


def _signed(assignment: Assignment) -> bool:
    return assignment.signed_at is not None

ASSIGNMENT = Lifecycle([
    step("sign_for", _("Sign for"), {A.ASSIGNED}, A.SIGNED, EVERY_ROLE, "sign_for",
       _("This assignment has already been signed for.")),
    step("request_reassignment", _("Request reassignment"), {A.ASSIGNED, A.SIGNED}, A.REASSIGNMENT_REQUESTED,
       EVERY_ROLE, "request_reassignment", _("A reassignment request is already pending.")),
    # The office decides; a new assignment of the same role goes to another unit.
    step("approve_reassignment", _("Approve the reassignment request"), {A.REASSIGNMENT_REQUESTED}, A.REMOVED,
       (), "decide_reassignment"),
    # Back where it was: ``status_after_refusal``.
    step("refuse_reassignment", _("Refuse the reassignment request"), {A.REASSIGNMENT_REQUESTED}, None,
       (), "decide_reassignment"),
    # 调整承办单位: the office moves the unit's part on its own, as an approved request would, before the unit has
    # replied (``handling.services.assignment_adjust``). A unit that asked to leave has its request decided instead.
    step("adjust", _("Change the handling unit"), {A.ASSIGNED, A.SIGNED}, A.REMOVED, (), "adjust_assignment",
       _("This unit has asked for reassignment: decide its request instead.")),
    # While a request to leave waits, a unit that had signed for the proposal goes on with its work; one that asked
    # before signing has nothing to go on with (``_signed``).
    step("record_contact", _("Record contact with the proposer"), {A.SIGNED, A.REASSIGNMENT_REQUESTED}, None,
       EVERY_ROLE, "record_contact", MSG_SIGN_FOR_FIRST, when=_signed),
    step("send_opinion", _("Send assisting opinion"), {A.SIGNED, A.REASSIGNMENT_REQUESTED}, None, ASSISTING,
       "send_opinion", MSG_SIGN_FOR_FIRST,
       _("Only assisting units send opinions; lead units write the reply."), when=_signed),
    step("write_reply", _("Write the reply"), {A.SIGNED}, None, REPLYING, "write_reply", MSG_SIGN_FOR_FIRST,
       _("Assisting units do not reply directly; they send an opinion.")),
    # The lead unit's reply, co-signed by an assisting unit that signed for the proposal (``REPLY``'s ``cosign``).
    step("cosign_reply", _("Co-sign the reply"), {A.SIGNED, A.REASSIGNMENT_REQUESTED}, None, ASSISTING,
       "cosign_reply", MSG_SIGN_FOR_FIRST, when=_signed),
], invalid_state=_("This cannot be done while the assignment is “%(status)s”."), role_of=lambda a: a.role)


def status_after_refusal(assignment: Assignment) -> str:
    """A refused reassignment request puts the assignment back: signed for if it had been."""
    return A.SIGNED if assignment.signed_at else A.ASSIGNED


MSG_NOT_FOR_SUPERVISION = _("This reply is not waiting for supervision review.")

REPLY = Lifecycle([
    # A new reply starts as a draft (the model's default).
    step("save", _("Save draft"), Reply.EDITABLE, None, REPLYING, "write_reply",
       _("The reply has been submitted and can no longer be changed.")),
    step("submit", _("Submit the reply"), Reply.EDITABLE, R.COSIGNING, REPLYING, "write_reply",
       _("The reply has already been submitted.")),
    step("cosign", _("Co-sign the reply"), {R.COSIGNING}, None, ASSISTING, "cosign_reply",
       _("This reply is not waiting for co-signatures.")),
    # The last co-signature is in (or nobody had to sign) …
    step("send_to_supervision", _("Send to supervision review"), {R.COSIGNING}, R.SUPERVISION),  # … offices review
    step("release", _("Release the reply"), {R.COSIGNING}, R.RELEASED),  # … no office supervises the proposal
    step("approve", _("Approve and release"), {R.SUPERVISION}, R.RELEASED, (), "review_reply",
       MSG_NOT_FOR_SUPERVISION),
    step("return", _("Return the reply"), {R.SUPERVISION}, R.RETURNED, (), "review_reply", MSG_NOT_FOR_SUPERVISION),
], invalid_state=_("This cannot be done while the reply is “%(status)s”."))


Q = ReassignmentRequest.Status

REASSIGNMENT_REQUEST = Lifecycle([
    step("approve", _("Approve the reassignment request"), {Q.PENDING}, Q.APPROVED,
         authorised_by="decide_reassignment"),
    step("refuse", _("Refuse the reassignment request"), {Q.PENDING}, Q.REFUSED, authorised_by="decide_reassignment"),
], invalid_state=MSG_CONFLICT, invalid_code=CONFLICT)
