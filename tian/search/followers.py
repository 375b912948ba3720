"""The search index follows the events. Proposals sit below search and never import it: every event's task brings
the index up to date through this follower (tian/proposals/tasks.py). The index holds no drafts, and a proposal
never goes back to being one, so starting a draft queues nothing. Registered once the apps are ready
(``SearchConfig.ready``)."""

from tian.proposals import tasks
from tian.proposals.models import State
from tian.search.index import index_after_commit

tasks.follow("index", wants=lambda action, state: state != State.DRAFT,
             run=lambda event_id, proposal_id: index_after_commit(proposal_id))
