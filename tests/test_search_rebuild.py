"""rebuild_search_index builds in bulk, in worker processes, exactly the index that index_proposal builds one
proposal at a time."""

import datetime

import pytest
from django.db import connection

from tian.demo.synthetic import generate
from tian.handling.models import Reply
from tian.proposals.models import Proposal, State
from tian.search import text
from tian.search.index import index_proposal, rebuild
from tian.search.models import SearchDocument, SearchKeyword


def index_contents() -> dict:
    documents = {pk: (title, body, keywords) for pk, title, body, keywords in
                 SearchDocument.objects.values_list("pk", "title_tokens", "body_tokens", "keywords")}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT rowid, title, body FROM search_fts")
        else:
            cursor.execute("SELECT proposal_id, vector::text FROM search_searchdocument")
        engine_rows = {row[0]: row[1:] for row in cursor.fetchall()}
    keywords = set(SearchKeyword.objects.values_list("document_id", "term", "weight"))
    return {"documents": documents, "engine": engine_rows, "keywords": keywords}


def test_the_bulk_rebuild_writes_what_index_proposal_writes(db):
    generate(proposals=300, seed=3, today=datetime.date(2026, 11, 28))
    assert Reply.objects.filter(status=Reply.Status.RELEASED).exists()
    drafts = set(Proposal.objects.filter(state=State.DRAFT).values_list("pk", flat=True))
    assert drafts
    for pk in Proposal.objects.values_list("pk", flat=True):
        index_proposal(pk)
    one_by_one = index_contents()
    assert len(one_by_one["documents"]) == Proposal.objects.count() - len(drafts)

    assert rebuild(batch=40, processes=2) == len(one_by_one["documents"])

    rebuilt = index_contents()
    assert rebuilt["documents"] == one_by_one["documents"]
    assert rebuilt["engine"] == one_by_one["engine"]
    assert rebuilt["keywords"] == one_by_one["keywords"]
    assert {pk for pk, _term, _weight in rebuilt["keywords"]} == set(rebuilt["documents"])
    assert not drafts & set(rebuilt["engine"])


def test_segmenting_once_gives_what_the_three_segmentations_give():
    title = "关于发展普惠托育服务的建议"
    body = "建议多渠道发展托育服务,建设普惠托育机构。\r\n二是完善0-3岁婴幼儿照护补贴 (A&B 100%)。"
    replies = ["区卫健委:已将托育机构纳入民生实事。", "", "联系人:张三"]
    assert text.analyse(title, body, replies) == (
        text.index_text(title), text.index_text("\n".join([body, *replies])), text.keywords(title, body))


def test_only_the_newest_matches_are_ranked_and_counted(db, monkeypatch):
    from tian.search import query

    generate(proposals=120, seed=4, today=datetime.date(2026, 11, 28))
    rebuild(processes=1)
    scope = Proposal.objects.all()
    everything = query.ranked_page(scope, ["建议"], limit=1000)
    assert everything.total == len(everything.hits) > 30 and not everything.more

    monkeypatch.setattr(query, "RANKED_MATCHES", 25)
    pages = [query.ranked_page(scope, ["建议"], limit=10, offset=offset) for offset in range(0, 40, 10)]
    seen = [hit.proposal.pk for page in pages for hit in page.hits]
    assert all(page.total == 25 and page.more for page in pages)
    newest = sorted((hit.proposal.pk for hit in everything.hits), reverse=True)[:25]
    assert sorted(seen) == sorted(newest)  # the newest 25, each once, ranked
    assert [len(page.hits) for page in pages] == [10, 10, 5, 0]

    exactly = Proposal.objects.filter(pk__in=newest)
    assert (query.ranked_page(exactly, ["建议"]).total, query.ranked_page(exactly, ["建议"]).more) == (25, False)
    beyond = query.ranked_page(exactly, ["建议"], limit=10, offset=30)  # a page past the last still counts
    assert (beyond.hits, beyond.total, beyond.more) == ([], 25, False)


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction
def test_a_rebuild_leaves_the_tables_vacuumed_and_the_vectors_in_the_rows():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's storage and statistics")
    generate(proposals=60, seed=5, today=datetime.date(2026, 11, 28))
    rebuild(processes=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                       "WHERE relname IN ('search_searchdocument', 'search_searchkeyword') ORDER BY relname")
        assert cursor.fetchall() == [("search_searchdocument", True, True), ("search_searchkeyword", True, True)]
        cursor.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'search_searchdocument'::regclass "
                       "AND attname = 'vector'")
        assert cursor.fetchone()[0] == "m"  # MAIN: kept in the row
