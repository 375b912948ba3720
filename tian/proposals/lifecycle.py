"""How a lifecycle of a record with a ``status`` is declared, and the co-signature's (联名), declared here.

The proposal's own states are ``workflow.py``'s: who may act on which proposal now. The records around a
proposal have statuses of their own, each declared once as a ``Lifecycle``: the co-signature's here, the
assignment's, the reply's and the reassignment request's in ``tian/handling/lifecycle.py``, the extension
request's in ``tian/deadlines/lifecycle.py``. A lifecycle says which step a record may take from the status it
is in, the status it reaches, and which unit role takes it; a service asks the proposal workflow first (the
transition named in ``authorised_by``), then the lifecycle, so that the wrong person hears "not allowed" before
anything about statuses: ``COSIGNATURE.authorise(by, proposal, "withdraw")``, then
``cosignature.status = COSIGNATURE.check(cosignature, "withdraw").target``. Steps with no ``authorised_by``
follow another step (or the clock) in the same service call and are never offered as buttons.

A co-signature: ``invited → accepted | declined | withdrawn | expired``; one declined, withdrawn or lapsed
can be invited again, and a paper form's co-signers are recorded as accepted from any status but accepted.
An invitation is open while it is ``invited`` and its window has not passed (``CoSignature.is_open_at``): a
lapse is the clock's, so the services check the window beside the status, and the lapse is stored by the step
that meets it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tian.proposals import workflow
from tian.proposals.models import CoSignature
from tian.proposals.workflow import INVALID_STATE, MSG_NOT_ALLOWED, NOT_ALLOWED, WorkflowError


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
    # What the record must also hold, beyond its status (refused, where not, with ``refusal``); None: nothing.
    when: Callable | None = None


def step(name, label, sources, target, roles=(), authorised_by="", refusal="", role_refusal="", when=None):
    return Transition(name, label, frozenset(sources), target, frozenset(roles), authorised_by, refusal,
                      role_refusal, when)


class Lifecycle:
    """The transitions of one kind of record with a ``status``.

    ``role_of`` gives the role of the unit acting on a record, where the record says it (an assignment is
    the acting unit's own); a reply's steps are taken by units other than its writer (co-signing) or by
    supervising offices, so the reply's ``roles`` are read by pages and tests, and the proposal workflow
    checks the person. ``invalid_code`` is the error code of a step refused for the record's status: a request
    already decided was decided by someone else meanwhile (``conflict``)."""

    def __init__(self, transitions, *, invalid_state, role_of=None, invalid_code=INVALID_STATE):
        self.transitions: dict[str, Transition] = {t.name: t for t in transitions}
        self.invalid_state = invalid_state
        self.invalid_code = invalid_code
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
        if record.status not in transition.sources or (transition.when is not None and not transition.when(record)):
            message = transition.refusal or self.invalid_state % {"status": record.get_status_display()}
            return WorkflowError(self.invalid_code, message)
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


C = CoSignature.Status
MSG_NOT_OPEN = _("This invitation is no longer open.")

COSIGNATURE = Lifecycle([
    # A member not yet asked gets a new co-signature; one who declined, was withdrawn or let it lapse is asked again.
    step("invite", _("Invite co-signers"), {C.DECLINED, C.EXPIRED, C.WITHDRAWN}, C.INVITED,
         authorised_by="invite_cosigners"),
    step("record_on_paper", _("Record co-signers of the paper form"),
         {C.INVITED, C.DECLINED, C.EXPIRED, C.WITHDRAWN}, C.ACCEPTED, authorised_by="record_paper_cosigners"),
    step("withdraw", _("Withdraw the invitation"), {C.INVITED}, C.WITHDRAWN, authorised_by="invite_cosigners",
         refusal=_("Only an open invitation can be withdrawn.")),
    step("accept", _("Agree to co-sign"), {C.INVITED}, C.ACCEPTED, authorised_by="respond_cosign",
         refusal=MSG_NOT_OPEN),
    step("decline", _("Decline"), {C.INVITED}, C.DECLINED, authorised_by="respond_cosign", refusal=MSG_NOT_OPEN),
    # The clock's: an answer after the window, or the end of the office's review (the list of co-signers is final).
    step("lapse", _("Expired"), {C.INVITED}, C.EXPIRED),
    # Follows the proposal's withdrawal: nobody is asked any more.
    step("withdraw_with_proposal", _("Invitation withdrawn"), {C.INVITED}, C.WITHDRAWN),
], invalid_state=_("This cannot be done while the co-signature is “%(status)s”."))
