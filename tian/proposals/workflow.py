"""The proposal lifecycle, declared once.

Each transition names the proposal states it starts from, the state it leads to, the permissions that
may perform it and the relation the user must have to the proposal (its proposer, a unit assigned to
it, one of its supervising offices …). Service functions call :func:`check` before changing anything;
pages call :func:`available` to decide which buttons to show; the API reads the same table.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tian.accounts.roles import Perm, has_permission
from tian.proposals.models import (
    ANSWERED,
    BEFORE_REGISTRATION,
    FIRST_HANDLING,
    IN_HANDLING,
    Kind,
    Proposal,
    State,
)
from tian.proposals.selectors import merged_in_collective_ids, proposer_members
from tian.proposals.unit_parts import REPLYING_ROLES, AssignmentStatus, UnitRole


class WorkflowError(Exception):
    """A transition refused: ``code`` is stable for machines, ``message`` is for people."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


NOT_ALLOWED = "not_allowed"
INVALID_STATE = "invalid_state"
INVALID_INPUT = "invalid_input"
CONFLICT = "conflict"

MSG_NOT_ALLOWED = _("You are not allowed to do this.")
MSG_INVALID_STATE = _("This cannot be done while the proposal is “%(state)s”.")
MSG_CONFLICT = _("Someone else has already handled this. Please reload the page.")


# Relations between a user and a proposal.
def is_proposer(user, proposal: Proposal) -> bool:
    if proposal.kind == Kind.COLLECTIVE:
        return bool(user.acting_collective_id) and user.acting_collective_id == proposal.collective_id
    return bool(user.acting_member_id) and user.acting_member_id == proposal.lead_member_id


def is_author(user, proposal: Proposal) -> bool:
    """The proposer, or the office staff member who entered a paper proposal on the proposer's behalf."""
    if is_proposer(user, proposal):
        return True
    return has_permission(user, Perm.ENTER_ON_BEHALF) and proposal.created_by_id == user.pk


def is_office(user, proposal: Proposal) -> bool:
    return True  # the permission is the whole check: office staff act on every proposal of the committee


def _unit_roles(user, proposal: Proposal) -> set[str]:
    if not user.unit_id:
        return set()
    return {a.role for a in proposal.assignments.all() if a.unit_id == user.unit_id and a.is_active}


def is_assigned_unit(user, proposal: Proposal) -> bool:
    return bool(_unit_roles(user, proposal))


def is_replying_unit(user, proposal: Proposal) -> bool:
    return bool(_unit_roles(user, proposal) & REPLYING_ROLES)


def is_assisting_unit(user, proposal: Proposal) -> bool:
    return UnitRole.ASSISTING in _unit_roles(user, proposal)


def is_supervising_office(user, proposal: Proposal) -> bool:
    office = getattr(user, "acting_office_id", None)
    return bool(office) and any(o.pk == office for o in proposal.supervising_offices.all())


def is_lead_official(user, proposal: Proposal) -> bool:
    official = getattr(user, "acting_lead_official_id", None)
    return bool(official) and any(o.pk == official for o in proposal.lead_officials.all())


def follows_key_proposal(user, proposal: Proposal) -> bool:
    return proposal.is_key and (is_lead_official(user, proposal) or is_supervising_office(user, proposal))


def chases_units(user, proposal: Proposal) -> bool:
    """催办: the proposal office chases any unit; a supervising office the units of its proposals."""
    return has_permission(user, Perm.ASSIGN) or is_supervising_office(user, proposal)


@dataclass(frozen=True)
class Credit:
    """How a user is credited on a proposal as one of its proposers (并案: every proposer keeps credit): for a
    member (``member_id``) or a collective proposer (``collective_id``), as its lead proposer or not. Whose rating
    the user gives, what the disclosure policy lets them read, whether they rate at all: all ask ``credit``."""

    lead: bool
    member_id: int | None = None
    collective_id: int | None = None


def credit(user, proposal: Proposal) -> Credit | None:
    """The user's credit on ``proposal``, the lead's first: the collective proposal's own organisation or the lead
    member (``is_proposer``); then a collective proposer whose proposal was merged into it
    (``merged_in_collective_ids``); then a member credited on it (``proposer_members``: the co-signers who agreed and
    the proposers of the proposals merged into it). None: not a proposer of it."""
    collective_id, member_id = user.acting_collective_id, user.acting_member_id
    if is_proposer(user, proposal):
        return Credit(True, collective_id=collective_id) if proposal.kind == Kind.COLLECTIVE else \
            Credit(True, member_id=member_id)
    if collective_id and collective_id in merged_in_collective_ids(proposal):
        return Credit(False, collective_id=collective_id)
    if member_id and any(m.pk == member_id for m in proposer_members(proposal)):
        return Credit(False, member_id=member_id)
    return None


def is_evaluator(user, proposal: Proposal) -> bool:
    """A proposer credited on ``proposal`` (``credit``), who rates its reply."""
    return credit(user, proposal) is not None


def is_cosign_invitee(user, proposal: Proposal) -> bool:
    """A member who was invited. Whether the invitation is still open depends on the moment the answer is
    given, so the service checks that (``cosign_respond``); pages show the buttons for open ones only."""
    return bool(user.acting_member_id) and any(c.member_id == user.acting_member_id
                                               for c in proposal.cosignatures.all())


def entered_on_paper(user, proposal: Proposal) -> bool:
    return has_permission(user, Perm.ENTER_ON_BEHALF) and proposal.created_by_id == user.pk


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: State | None  # None: the state does not change (or is worked out by the service)
    perms: tuple[Perm, ...]
    relation: Callable
    confirm: str = ""
    # What refuses the step whatever the user may do, read from the proposal's own data: (code, message), or None.
    refusal: Callable | None = None

    def held_by(self, user) -> bool:
        """Whether ``user`` holds a permission that takes this step (on some proposal; ``permits`` asks of one)."""
        return any(has_permission(user, p) for p in self.perms)

    def permits(self, user, proposal) -> bool:
        return self.held_by(user) and self.relation(user, proposal)

    def refused(self, proposal) -> tuple[str, str] | None:
        return self.refusal(proposal) if self.refusal is not None else None


def _t(name, label, sources, target, perms, relation, confirm="", refusal=None):
    return Transition(name, label, frozenset(sources), target, tuple(perms), relation, confirm, refusal)


def _rehandled_once(proposal: Proposal) -> tuple[str, str] | None:
    """A proposal is rehandled once: its rehandling deadline says it was (``handling.services._start_rehandling``)."""
    if proposal.rehandling_deadline is not None:
        return INVALID_STATE, _("This proposal has already been rehandled once.")
    return None


def _others_merged_in(proposal: Proposal) -> tuple[str, str] | None:
    """A proposal others were merged into carries their proposers' credit and is handled for them all: its own
    proposer can no longer withdraw it (the merged ones would be left merged into nothing)."""
    # A draft was never a merge target (a returned one may have been). The proposal page prefetches the merged ones;
    # an action's answer reads whether there are any with the row (``selectors.get_proposal_row_for``).
    if proposal.state == State.DRAFT:
        return None
    merged_in = proposal.__dict__.get("others_merged_in")
    if merged_in if merged_in is not None else proposal.merged_proposals.all():
        return INVALID_STATE, _("Other proposals were merged into this one, so it can no longer be withdrawn. "
                                "Please contact the proposal office.")
    return None


def _not_disclosable(proposal: Proposal) -> tuple[str, str] | None:
    """Disclosure needs the proposer's consent, and happens once."""
    if not proposal.disclosure_consent:
        return INVALID_INPUT, _("The proposer did not agree to disclosure.")
    if proposal.is_public:
        return INVALID_STATE, _("This proposal is already public.")
    return None


def _answered_with_nothing_pending(pending: Callable) -> Callable:
    """A unit's request (reassignment, extension) is asked while the units handle the proposal and decided by the
    office, often later: one still pending when the replies went out (an assisting unit that asked to leave co-signs
    meanwhile, as it may) is decided then, or it would wait in the office's queue for ever. Once the proposal is
    answered the decision is offered only while such a request waits (``pending(proposal)``)."""
    def refusal(proposal: Proposal) -> tuple[str, str] | None:
        if proposal.state in ANSWERED and not pending(proposal):
            return INVALID_STATE, MSG_INVALID_STATE % {"state": proposal.get_state_display()}
        return None
    return refusal


def _reassignment_pending(proposal: Proposal) -> bool:
    # A pending request holds its assignment in "reassignment requested" (``handling/lifecycle.py``).
    return any(a.status == AssignmentStatus.REASSIGNMENT_REQUESTED for a in proposal.assignments.all())


def _extension_pending(proposal: Proposal) -> bool:
    # The proposal page's assignments say it (``pages.proposals.detail.page_assignments``); otherwise one query of
    # the extension requests (``deadlines.ExtensionRequest``, above this layer: reached by its relation's name).
    known = [getattr(a, "has_pending_extension", None) for a in proposal.assignments.all()]
    if None not in known:
        return any(known)
    return proposal.assignments.filter(extensions__status="pending").exists()


EDITABLE = {State.DRAFT, State.RETURNED}
# Signed for by a unit (the first reply, or the second in rehandling): replies are written, co-signed and reviewed.
SIGNED_FOR = frozenset({State.HANDLING, State.REHANDLING})
AUTHOR_PERMS = (Perm.SUBMIT_PROPOSALS, Perm.ENTER_ON_BEHALF)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("edit", _("Edit"), EDITABLE, None, AUTHOR_PERMS, is_author),
        _t("submit", _("Submit"), EDITABLE, State.SUBMITTED, AUTHOR_PERMS, is_author,
           _("Submit this proposal to the proposal office?")),
        _t("withdraw", _("Withdraw"), BEFORE_REGISTRATION, State.WITHDRAWN, AUTHOR_PERMS, is_author,
           _("Withdraw this proposal? This cannot be undone."), _others_merged_in),
        _t("invite_cosigners", _("Invite co-signers"), BEFORE_REGISTRATION, None, (Perm.SUBMIT_PROPOSALS,),
           is_proposer),
        _t("record_paper_cosigners", _("Record co-signers of the paper form"), BEFORE_REGISTRATION, None,
           (Perm.ENTER_ON_BEHALF,), entered_on_paper),
        _t("respond_cosign", _("Answer the co-sign invitation"), BEFORE_REGISTRATION, None, (Perm.COSIGN,),
           is_cosign_invitee),
        _t("register", _("Register"), {State.SUBMITTED}, State.REGISTERED, (Perm.REVIEW,), is_office),
        _t("decline", _("Do not register"), {State.SUBMITTED}, State.DECLINED, (Perm.REVIEW,), is_office),
        _t("merge", _("Merge into another proposal"), {State.SUBMITTED}, State.MERGED, (Perm.REVIEW,), is_office),
        _t("return", _("Return for revision"), {State.SUBMITTED}, State.RETURNED, (Perm.REVIEW,), is_office),
        _t("assign", _("Assign"), {State.REGISTERED}, State.ASSIGNED, (Perm.ASSIGN,), is_office),
        _t("set_key", _("Key proposal and supervision"), IN_HANDLING | {State.REPLIED}, None, (Perm.ASSIGN,), is_office),
        _t("decide_reassignment", _("Decide on reassignment"), IN_HANDLING | ANSWERED, None, (Perm.ASSIGN,),
           is_office, refusal=_answered_with_nothing_pending(_reassignment_pending)),
        # 调整承办单位: the office moves a unit's part to another unit on its own (units merged or abolished at the new
        # year, a wrong choice noticed after the assignment), as an approved reassignment re-routes it
        # (``handling.services.assignment_adjust``); the proposal stays where it is, or is assigned again if no unit is
        # signed for any more.
        _t("adjust_assignment", _("Change the handling unit"), IN_HANDLING, None, (Perm.ASSIGN,), is_office),
        _t("sign_for", _("Sign for"), IN_HANDLING, State.HANDLING, (Perm.HANDLE,), is_assigned_unit),
        _t("request_reassignment", _("Request reassignment"), IN_HANDLING, None, (Perm.HANDLE,),
           is_assigned_unit),
        _t("record_contact", _("Record contact with the proposer"), IN_HANDLING, None, (Perm.HANDLE,),
           is_assigned_unit),
        _t("send_opinion", _("Send assisting opinion"), IN_HANDLING, None, (Perm.HANDLE,), is_assisting_unit),
        _t("write_reply", _("Write the reply"), SIGNED_FOR, None, (Perm.HANDLE,),
           is_replying_unit),
        _t("cosign_reply", _("Co-sign the reply"), SIGNED_FOR, None, (Perm.HANDLE,),
           is_assisting_unit),
        _t("review_reply", _("Supervision review"), SIGNED_FOR, None, (Perm.SUPERVISE,),
           is_supervising_office),
        # A step that follows another, never offered (no permission takes it): the last reply of the round released
        # (``handling.services.release``) moves the proposal on.
        _t("replied", _("Every reply released"), IN_HANDLING, State.REPLIED, (), lambda user, proposal: False),
        _t("evaluate", _("Evaluate the reply"), {State.REPLIED}, None, (Perm.EVALUATE,), is_evaluator),
        _t("record_paper_evaluation", _("Record a paper evaluation"), {State.REPLIED}, None,
           (Perm.ENTER_ON_BEHALF,), is_office),
        _t("rehandle", _("Send back for rehandling"), {State.REPLIED}, State.REHANDLING, (Perm.REVIEW,),
           is_office, _("Send this proposal back to the units for rehandling?"), _rehandled_once),
        _t("close", _("Close"), {State.REPLIED}, State.CLOSED, (Perm.REVIEW,), is_office,
           _("Close this proposal (办结)?")),
        # An extension moves a unit's own reply deadline (at most the committee's cap from its assignment); in
        # rehandling every unit works to the deadline the office set when it sent the proposal back.
        _t("request_extension", _("Request an extension"), FIRST_HANDLING, None, (Perm.HANDLE,), is_replying_unit),
        # Asked while the reply was owed, an extension may be granted after it went out (``deadlines.services.
        # extension_approve``).
        _t("decide_extension", _("Decide on an extension"), IN_HANDLING | ANSWERED, None, (Perm.ASSIGN,), is_office,
           refusal=_answered_with_nothing_pending(_extension_pending)),
        _t("remind", _("Send a reminder"), IN_HANDLING, None, (Perm.ASSIGN, Perm.SUPERVISE), chases_units),
        _t("record_supervision_activity", _("Record a supervision activity"),
           IN_HANDLING | ANSWERED, None, (Perm.FOLLOW_KEY_PROPOSALS,), follows_key_proposal),
        _t("report_follow_up", _("Report the follow-up"), ANSWERED, None, (Perm.HANDLE,),
           is_replying_unit),
        # The unit's report sent on paper (or by the successor of a unit abolished at a reform), entered by the office.
        _t("record_paper_follow_up", _("Record a follow-up report received on paper"), ANSWERED, None,
           (Perm.ENTER_ON_BEHALF,), is_office),
        _t("disclose", _("Disclose to the public"), ANSWERED, None, (Perm.PUBLISH,),
           is_office, _("Publish this proposal and its replies on the public portal?"), _not_disclosable),
    ]
}


def check(user, proposal: Proposal, name: str) -> Transition:
    """Raise WorkflowError unless ``user`` may perform transition ``name`` on ``proposal`` now."""
    transition = TRANSITIONS[name]
    if not transition.permits(user, proposal):
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    if proposal.state not in transition.sources:
        raise WorkflowError(INVALID_STATE, MSG_INVALID_STATE % {"state": proposal.get_state_display()})
    refused = transition.refused(proposal)
    if refused:
        raise WorkflowError(*refused)
    return transition


# Steps that follow another, taken by a service, never by a person (no permission takes them).
FOLLOW_ON = frozenset({"replied"})


def follow(proposal: Proposal, name: str) -> Transition:
    """A step that follows another (``FOLLOW_ON``): the transition, once the proposal is in one of its sources."""
    assert name in FOLLOW_ON, name  # noqa: S101 - a step a person takes goes through ``check``
    transition = TRANSITIONS[name]
    if proposal.state not in transition.sources:
        raise WorkflowError(INVALID_STATE, MSG_INVALID_STATE % {"state": proposal.get_state_display()})
    return transition


def on_paper_cosigners(user, proposal: Proposal) -> bool:
    """Whether co-signers ``user`` names for ``proposal`` are recorded from a paper form (the office's) rather than
    invited (the lead proposer's): who they are, whatever the proposal's state, so that a form sent after registration
    is refused for the registration (``cosign_record_on_paper``), not as someone else's step."""
    return TRANSITIONS["record_paper_cosigners"].permits(user, proposal)


def allowed(user, proposal: Proposal, name: str) -> bool:
    transition = TRANSITIONS[name]
    return (proposal.state in transition.sources and transition.permits(user, proposal)
            and not transition.refused(proposal))


def available(user, proposal: Proposal) -> dict[str, Transition]:
    """The transitions this user may perform on this proposal now, by name (drives the page's buttons)."""
    return {name: t for name, t in TRANSITIONS.items() if allowed(user, proposal, name)}
