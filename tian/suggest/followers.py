"""Whether an assignment took the suggestion is recorded after the "assigned" event. Proposals sit below suggest
and never import it: the event's task runs this follower (tian/proposals/tasks.py). Registered once the apps are
ready (``SuggestConfig.ready``)."""

from tian.proposals import tasks
from tian.proposals.models import Proposal
from tian.suggest.selectors import suggest_units
from tian.suggest.services import suggestion_outcome_record

ASSIGNED = "proposal.assigned"


def record_outcome(event_id: int, proposal_id: int) -> None:
    proposal = Proposal.objects.filter(pk=proposal_id).select_related("committee").first()
    if proposal is not None:
        suggestion_outcome_record(proposal=proposal, suggestions=suggest_units(proposal))


tasks.follow("suggest", wants=lambda action, state: action == ASSIGNED, run=record_outcome)
