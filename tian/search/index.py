"""Keeping the index current: after every change of a proposal (``events.record`` schedules it after
commit) and in bulk by ``manage.py rebuild_search_index``.

Only what may be searched is indexed: drafts are left out, and of the replies only released ones, so
that text still under review can never be found by matching it."""

import logging

from django.db import connection, transaction
from django.utils import timezone

from tian.handling.models import Reply
from tian.proposals.models import Proposal, State
from tian.search import text
from tian.search.backends import engine
from tian.search.models import SearchDocument

logger = logging.getLogger("tian.search")


def document_text(proposal: Proposal, released_bodies: list[str]) -> tuple[str, str]:
    title = proposal.title
    body = "\n".join([proposal.full_body, *released_bodies])
    return title, body


@transaction.atomic
def index_proposal(proposal_id: int) -> bool:
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    with connection.cursor() as cursor:
        if proposal is None or proposal.state == State.DRAFT:
            SearchDocument.objects.filter(proposal_id=proposal_id).delete()
            engine().delete(cursor, proposal_id)
            return False
        replies = list(Reply.objects.filter(proposal_id=proposal_id, status=Reply.Status.RELEASED)
                       .values_list("body", flat=True))
        title, body = document_text(proposal, replies)
        title_tokens, body_tokens = text.index_text(title), text.index_text(body)
        SearchDocument.objects.update_or_create(
            proposal_id=proposal_id,
            defaults={"title_tokens": title_tokens, "body_tokens": body_tokens,
                      "keywords": text.keywords(title, proposal.full_body), "updated_at": timezone.now()})
        engine().upsert(cursor, proposal_id, title_tokens, body_tokens)
    return True


def index_after_commit(proposal_id: int) -> None:
    try:
        index_proposal(proposal_id)
    except Exception:  # a search index problem must never break the change that triggered it
        logger.exception("indexing proposal %s failed", proposal_id)


def index_later(proposal_id: int) -> None:
    """Queue the proposal for re-indexing; index at once if the queue cannot be reached."""
    from tian.search.tasks import reindex

    try:
        reindex.enqueue(proposal_id)
    except Exception:
        logger.exception("could not queue indexing of proposal %s; indexing now", proposal_id)
        index_after_commit(proposal_id)


def rebuild(batch: int = 500, stdout=None) -> int:
    """Re-index every proposal (after an import, a restore or a change of the segmentation)."""
    ids = list(Proposal.objects.exclude(state=State.DRAFT).order_by("pk").values_list("pk", flat=True))
    SearchDocument.objects.all().delete()
    with connection.cursor() as cursor:
        engine().clear(cursor)
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for pk in ids[start:start + batch]:
                index_proposal(pk)
        if stdout is not None:
            stdout.write(f"{min(start + batch, len(ids))}/{len(ids)}")
    return len(ids)
