"""What a user may do now on a proposal: the proposal's workflow (``workflow.available``, which knows the proposal
only) narrowed by the record each action is taken on, as the services check it. The proposal page's panel, the unit's
work page and the API's ``actions`` and ``links`` all read it, so that nothing is offered that the service then refuses
and nothing the service takes is left unoffered. It lives here, in the highest of the lifecycle's apps, because the
last records an action is taken on (follow-ups, extension requests) are this app's."""

from tian.deadlines.models import ExtensionRequest, FollowUp
from tian.deadlines.services import awaited_follow_ups, may_request_extension
from tian.handling.lifecycle import ASSIGNMENT, REPLY
from tian.handling.models import Reply, ReplyCoSignature
from tian.handling.services import (
    UNIT_STEPS,
    adjustable_parts,
    anyone_left_to_rate,
    assisting_assignment,
    evaluated_now,
    unit_steps,
)
from tian.proposals import workflow
from tian.proposals.models import Proposal

UNIT_ACTIONS = frozenset({*UNIT_STEPS, "request_extension"})


def may_cosign(user, proposal: Proposal, reply: Reply, signatures: list[ReplyCoSignature]) -> bool:
    """Whether ``user``'s unit may co-sign ``reply`` now: asked and not signed yet, the reply waiting for it, and the
    unit signed for the proposal first (as ``reply_cosign`` asks)."""
    unit_id = getattr(user, "unit_id", None)
    return (any(s.unit_id == unit_id and not s.signed_at for s in signatures)
            and REPLY.permits(user, proposal, reply, "cosign")
            and (own := assisting_assignment(proposal, unit_id)) is not None
            and "cosign_reply" in unit_steps(user, proposal, own))


def performable(user, p: Proposal, available=None, replies=None) -> set[str]:
    """The actions ``user`` may perform on ``p`` now: the workflow's (``workflow.available``, which knows the
    proposal only), narrowed by the record each is taken on, as the services check it and that record's links name
    it: a unit's steps by its own assignment (``unit_steps``, ``may_request_extension``), co-signing and supervision
    review by a reply waiting for them (``REPLY.permits``), answering an invitation by one still open, a rating by
    whether the caller rated this round, a paper rating by
    whether anyone is left to rate, a decision by a request waiting for it, a follow-up by one not reported, a
    change of a handling unit by a unit whose part may be moved.
    ``replies``: the proposal's, with their co-signatures, where the caller read them already."""
    names = set(workflow.available(user, p) if available is None else available)
    unit_id = getattr(user, "unit_id", None)
    own = [a for a in p.assignments.all() if a.unit_id == unit_id and a.is_active] \
        if unit_id and names & {*UNIT_ACTIONS, "report_follow_up"} else []
    if names & UNIT_ACTIONS:
        steps = set().union(*(unit_steps(user, p, a) for a in own))
        if any(may_request_extension(user, p, a) for a in own):
            steps.add("request_extension")
        names -= UNIT_ACTIONS - steps
    if names & {"cosign_reply", "review_reply"}:
        replies = list(p.replies.prefetch_related("cosignatures")) if replies is None else replies
        if not any(may_cosign(user, p, r, list(r.cosignatures.all())) for r in replies):
            names.discard("cosign_reply")
        if not any(REPLY.permits(user, p, r, "approve") for r in replies):
            names.discard("review_reply")
    member_id = getattr(user, "acting_member_id", None)
    if "respond_cosign" in names and not any(member_id and c.member_id == member_id and c.is_open_invitation
                                             for c in p.cosignatures.all()):
        names.discard("respond_cosign")
    if "record_paper_evaluation" in names and not anyone_left_to_rate(p):
        names.discard("record_paper_evaluation")  # every proposer rated this round: a second rating is refused
    if "evaluate" in names and evaluated_now(user, p):  # rated this round already: a second rating is refused
        names.discard("evaluate")
    if "decide_reassignment" in names and not any(ASSIGNMENT.allowed(a, "approve_reassignment")
                                                  for a in p.assignments.all()):
        names.discard("decide_reassignment")
    if "adjust_assignment" in names and all(why is not None for _a, why in adjustable_parts(p)):
        names.discard("adjust_assignment")  # no unit's part may be moved now (``assignment_adjust`` would refuse it)
    if "decide_extension" in names and not _extension_pending(p):
        names.discard("decide_extension")
    if "report_follow_up" in names and not FollowUp.objects.awaited().filter(reply__assignment__in=own).exists():
        names.discard("report_follow_up")
    if "record_paper_follow_up" in names and not awaited_follow_ups(p).exists():
        names.discard("record_paper_follow_up")
    return names


def _extension_pending(p: Proposal) -> bool:
    """Whether a unit's extension request on ``p`` waits for a decision: from the assignments where they were read
    with ``has_pending_extension`` (the proposal page), else asked."""
    assignments = list(p.assignments.all())
    if all(hasattr(a, "has_pending_extension") for a in assignments):
        return any(a.has_pending_extension for a in assignments)
    return ExtensionRequest.objects.filter(assignment__proposal=p, status=ExtensionRequest.Status.PENDING).exists()
