from django.core.management.base import BaseCommand, CommandError

from tian.organisations.models import Session
from tian.proposals.models import OUT_OF_WORK, Proposal, State
from tian.search.query import similar_proposals


class Command(BaseCommand):
    help = "List clusters of near-duplicate proposals within a session (candidates for 并案)."

    def add_arguments(self, parser):
        parser.add_argument("--session", type=int, required=True, help="session id")
        parser.add_argument("--threshold", type=float, default=0.45, help="similarity from 0 to 1")

    def handle(self, *args, session, threshold, **options):
        if not Session.objects.filter(pk=session).exists():
            raise CommandError(f"no session with id {session}")
        proposals = Proposal.objects.filter(session_id=session).exclude(
            state__in=OUT_OF_WORK | {State.MERGED})
        parent = {p.pk: p.pk for p in proposals}

        def root(pk):
            while parent[pk] != pk:
                parent[pk] = parent[parent[pk]]
                pk = parent[pk]
            return pk

        titles = {}
        for proposal in proposals:
            titles[proposal.pk] = f"{proposal.number_year or proposal.pk} {proposal.title}"
            for match in similar_proposals(proposals, proposal.title, proposal.full_body, exclude_pk=proposal.pk,
                                           threshold=threshold, limit=10):
                parent[root(match.proposal.pk)] = root(proposal.pk)
        clusters = {}
        for pk in parent:
            clusters.setdefault(root(pk), []).append(pk)
        found = [sorted(members) for members in clusters.values() if len(members) > 1]
        for number, members in enumerate(sorted(found), start=1):
            self.stdout.write(f"cluster {number}:")
            for pk in members:
                self.stdout.write(f"  {titles[pk]}")
        self.stdout.write(f"{len(found)} clusters")
