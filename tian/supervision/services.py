"""督办审核: a supervising office approves a reply (possibly adjusting its class) or returns it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tian.handling.lifecycle import REPLY
from tian.handling.models import OutcomeClass, Reply
from tian.handling.services import release
from tian.proposals.events import record
from tian.proposals.services import lock
from tian.proposals.workflow import INVALID_INPUT, WorkflowError
from tian.supervision.models import SupervisionReview


def _lock_reply(reply: Reply, by, step: str):
    """The reply, locked, once the workflow lets ``by`` review it and its lifecycle allows ``step``."""
    reply = Reply.objects.select_for_update().select_related("unit").get(pk=reply.pk)
    proposal = lock(reply.proposal)
    REPLY.authorise(by, proposal, step)
    REPLY.check(reply, step)
    return reply, proposal


@transaction.atomic
def reply_approve(*, reply: Reply, by, outcome: str | None = None, comments: str = "", at=None) -> Reply:
    reply, proposal = _lock_reply(reply, by, "approve")
    before = reply.outcome
    if outcome and outcome != before:
        if not OutcomeClass.objects.filter(committee_id=proposal.committee_id, code=outcome).exists():
            raise WorkflowError(INVALID_INPUT, _("Please choose the outcome class."))
        reply.outcome = outcome
    at = at or timezone.now()
    SupervisionReview.objects.create(reply=reply, office=by.office, reviewer=by,
                                     decision=SupervisionReview.Decision.APPROVED,
                                     comments=comments, outcome_before=before, outcome_after=reply.outcome, at=at)
    record(proposal, by, "supervision.approved", from_state=proposal.state, note=comments, at=at,
           unit=reply.unit.name, office=by.office.name, outcome_before=before, outcome_after=reply.outcome)
    release(reply, proposal, by, at, step="approve")
    return reply


@transaction.atomic
def reply_return(*, reply: Reply, by, comments: str, at=None) -> Reply:
    reply, proposal = _lock_reply(reply, by, "return")
    if not comments.strip():
        raise WorkflowError(INVALID_INPUT, _("Please say why the reply is returned."))
    at = at or timezone.now()
    SupervisionReview.objects.create(reply=reply, office=by.office, reviewer=by,
                                     decision=SupervisionReview.Decision.RETURNED,
                                     comments=comments, outcome_before=reply.outcome, outcome_after=reply.outcome,
                                     at=at)
    reply.status = REPLY["return"].target
    reply.save()
    record(proposal, by, "supervision.returned", from_state=proposal.state, note=comments, at=at,
           unit=reply.unit.name, office=by.office.name)
    return reply
