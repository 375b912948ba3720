from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "tian.search"
    verbose_name = _("Search")

    def ready(self):
        # Proposals sit below search and never import it: every event's task brings the index up to date through
        # this follower (tian/proposals/tasks.py). The index holds no drafts, and a proposal never goes back to
        # being one, so starting a draft queues nothing.
        from tian.proposals import tasks
        from tian.proposals.models import State
        from tian.search.index import index_after_commit

        tasks.follow("index", wants=lambda action, state: state != State.DRAFT,
                     run=lambda event_id, proposal_id: index_after_commit(proposal_id))
