"""Keeping the index current: after every change of a proposal (``events.record`` schedules it after
commit) and in bulk by ``manage.py rebuild_search_index``.

Only what may be searched is indexed: drafts are left out, and of the replies only released ones, so
that text still under review can never be found by matching it."""

import logging
import multiprocessing
import os
from collections import deque

from django.db import connection, transaction
from django.utils import timezone

from tian.core import versions
from tian.handling.models import Reply
from tian.organisations.models import Committee
from tian.proposals.models import Proposal, State
from tian.search import text
from tian.search.backends import engine
from tian.search.models import SearchDocument, SearchKeyword

logger = logging.getLogger("tian.search")


@transaction.atomic
def index_proposal(proposal_id: int) -> bool:
    """Write the proposal's search document (or remove it: a draft, a proposal gone), and move the versions of the
    searches' kept results (``core/versions.py``): a search asked between the change and this task was answered
    from the previous document."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    was_disclosed = SearchDocument.objects.filter(proposal_id=proposal_id, disclosed=True).exists()
    if proposal is not None:  # after the writes (the segmentation first): the versions' rows are held to the commit
        transaction.on_commit(lambda: versions.bump(
            proposal.committee_id, versions.SEARCH, *([versions.PUBLIC] if was_disclosed or proposal.is_public else [])))
    with connection.cursor() as cursor:
        if proposal is None or proposal.state == State.DRAFT:
            SearchDocument.objects.filter(proposal_id=proposal_id).delete()
            engine().delete(cursor, proposal_id)
            return False
        replies = list(Reply.objects.filter(proposal_id=proposal_id, status=Reply.Status.RELEASED)
                       .values_list("body", flat=True))
        title_tokens, body_tokens, keywords = text.analyse(proposal.title, proposal.full_body, replies)
        SearchDocument.objects.update_or_create(
            proposal_id=proposal_id,
            defaults={"title_tokens": title_tokens, "body_tokens": body_tokens, "keywords": keywords,
                      "disclosed": proposal.is_public, "updated_at": timezone.now()})
        SearchKeyword.objects.filter(document_id=proposal_id).delete()
        _write_keywords([(proposal_id, keywords)])
        engine().upsert(cursor, proposal_id, title_tokens, body_tokens)
    return True


def index_after_commit(proposal_id: int) -> None:
    try:
        index_proposal(proposal_id)
    except Exception:  # a search index problem must never break the change that triggered it
        logger.exception("indexing proposal %s failed", proposal_id)


def rebuild(*, batch: int = 1000, processes: int | None = None, stdout=None) -> int:
    """Re-index every proposal (after an import, a restore or a change of the segmentation).

    The same documents as ``index_proposal`` writes, built in bulk: proposals and their released replies
    are read a batch at a time, segmented by a pool of worker processes (jieba is pure Python, so one
    process per core) while this process reads the next batch and writes the previous one, and the
    documents and the engine's rows are written a batch at a time. Each batch commits on its own, as
    ``index_proposal`` does for one proposal."""
    processes = processes or os.cpu_count() or 1
    ids = list(Proposal.objects.exclude(state=State.DRAFT).order_by("pk").values_list("pk", flat=True))
    chunks = [ids[start:start + batch] for start in range(0, len(ids), batch)]
    with transaction.atomic():
        SearchKeyword.objects.all().delete()
        SearchDocument.objects.all().delete()
        with connection.cursor() as cursor:
            engine().clear(cursor)
    text.analyse("", "", [])  # load jieba once, before the workers are forked from this process
    done = 0
    if processes == 1 or len(chunks) <= 1:
        for chunk in chunks:
            done += _write(_analyse_batch(_load(chunk)))
            _progress(stdout, done, len(ids))
    else:
        # fork: the workers inherit the loaded dictionary and never touch the database connection.
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pending = deque()
            for chunk in chunks:
                pending.append(pool.apply_async(_analyse_batch, (_load(chunk),)))
                if len(pending) > processes:
                    done += _write(pending.popleft().get())
                    _progress(stdout, done, len(ids))
            while pending:
                done += _write(pending.popleft().get())
                _progress(stdout, done, len(ids))
    _settle()
    for committee_id in Committee.objects.values_list("pk", flat=True):
        versions.bump(committee_id, versions.SEARCH, versions.PUBLIC)
    return done


def _settle() -> None:
    """PostgreSQL: vacuum and analyse the tables just rewritten. Until autovacuum gets to them, the keyword
    table's index cannot be read alone (its pages are not yet marked all-visible), and similar proposals took
    125 ms instead of 19 at 100,000 proposals. Inside a transaction (a test, an import) only ANALYZE can run."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in (SearchDocument, SearchKeyword):
            cursor.execute(f"{command} {model._meta.db_table}")


def _load(ids: list[int]) -> list[tuple[int, str, str, list[str], bool]]:
    """(id, title, body, released reply bodies, disclosed) of the proposals of ``ids`` still not drafts."""
    replies: dict[int, list[str]] = {}
    # Reply's default order (round, id), as index_proposal reads them.
    for proposal_id, body in Reply.objects.filter(proposal_id__in=ids, status=Reply.Status.RELEASED).values_list(
            "proposal_id", "body"):
        replies.setdefault(proposal_id, []).append(body)
    proposals = Proposal.objects.filter(pk__in=ids).exclude(state=State.DRAFT).only(
        "title", "body", "background", "analysis", "suggestions", "is_public").order_by("pk")
    return [(p.pk, p.title, p.full_body, replies.get(p.pk, []), p.is_public) for p in proposals]


def _analyse_batch(rows: list[tuple[int, str, str, list[str], bool]]) -> list[tuple[int, str, str, dict, bool]]:
    return [(pk, *text.analyse(title, body, replies), public) for pk, title, body, replies, public in rows]


def _write(documents: list[tuple[int, str, str, dict, bool]]) -> int:
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        SearchDocument.objects.bulk_create(
            [SearchDocument(proposal_id=pk, title_tokens=title_tokens, body_tokens=body_tokens, keywords=keywords,
                            disclosed=public, updated_at=now)
             for pk, title_tokens, body_tokens, keywords, public in documents],
            batch_size=500)
        _write_keywords([(pk, keywords) for pk, _t, _b, keywords, _p in documents])
        engine().insert_many(cursor, [(pk, title_tokens, body_tokens) for pk, title_tokens, body_tokens, _k, _p
                                      in documents])
    return len(documents)


def _write_keywords(documents: list[tuple[int, dict[str, float]]]) -> None:
    """The rows of ``SearchKeyword`` of each (proposal id, keywords): its words, with unit-length weights."""
    rows = [(pk, term, weight) for pk, keywords in documents for term, weight in text.word_vector(keywords).items()]
    if rows:
        with connection.cursor() as cursor:
            engine().insert_keywords(cursor, SearchKeyword._meta.db_table, rows)


def _progress(stdout, done: int, total: int) -> None:
    if stdout is not None:
        stdout.write(f"{done}/{total}")
