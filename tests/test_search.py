"""Chinese full-text search: segmentation-aware matching, ranking, highlights, scope, index freshness."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.proposals.selectors import visible_proposals
from tian.search import backends, text
from tian.search.index import index_proposal
from tian.search.query import search_proposals, similar_proposals

TZ = ZoneInfo("Asia/Shanghai")
SEED_TITLE = "关于加强全区未成年人关爱保护工作的建议"
SEED_BODY = ("未成年人是祖国的未来、民族的希望。要尽快发展普惠托育服务,建设普惠托育机构,推进托育一体化建设,"
             "多渠道提供托育服务,完善0一3周岁以下婴幼儿照护财政补贴政策。")


def submitted(world, title, body, *, by=None, when=datetime.datetime(2023, 2, 15, 10, tzinfo=TZ)):
    by = by or world.member
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=by, committee=world.committee, lead_member=by.member, title=title,
                                       body=body, category=category, at=when)
    return services.proposal_submit(proposal=p, by=by, at=when)


@pytest.fixture
def indexed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed = submitted(world, SEED_TITLE, SEED_BODY)
        other = submitted(world, "关于改善农村饮水安全的建议", "部分乡镇饮水工程老化,建议加大投入,保障群众饮水安全。")
        roads = submitted(world, "关于加快农村公路建设的建议", "建议加快通村公路硬化,完善农村客运网络。",
                          by=world.cosigner)
    return seed, other, roads


def test_segmentation_finds_words_inside_longer_words():
    assert "托育" in text.index_text("普惠托育服务").split()
    assert "托育" in text.index_text("建设普惠性托育中心").split()


def test_a_two_character_word_finds_the_seed_proposal(world, indexed):
    seed, _other, _roads = indexed
    page = search_proposals(Proposal.objects.all(), "托育")
    assert [hit.proposal.pk for hit in page.hits] == [seed.pk]
    assert "<mark>托育</mark>" in page.hits[0].snippet_html


def test_every_term_must_match_and_title_matches_rank_first(world, indexed):
    _seed, water, _roads = indexed
    assert search_proposals(Proposal.objects.all(), "饮水 托育").total == 0
    page = search_proposals(Proposal.objects.all(), "农村")
    assert {h.proposal.pk for h in page.hits} >= {water.pk}


def test_highlight_escapes_html(world):
    html = text.highlight("<script>alert(1)</script>托育服务", ["托育"])
    assert "<script>" not in html and "<mark>托育</mark>" in html


def test_search_is_scoped_to_what_the_user_may_see(world, indexed):
    _seed, _water, roads = indexed
    page = search_proposals(visible_proposals(world.member), "公路")
    assert page.total == 0  # 徐丽娟's proposal is not 刘安泽's to see
    assert search_proposals(visible_proposals(world.cosigner), "公路").hits[0].proposal.pk == roads.pk
    assert search_proposals(visible_proposals(world.staff), "公路").total == 1
    assert search_proposals(Proposal.objects.filter(is_public=True), "公路").total == 0


def test_the_index_follows_each_change_after_commit(world, indexed, django_capture_on_commit_callbacks):
    seed, _water, _roads = indexed
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_return(proposal=seed, by=world.staff, note="请修改")
    Proposal.objects.filter(pk=seed.pk).update(title="关于发展养老服务的建议", body="建设社区养老服务中心。")
    assert search_proposals(Proposal.objects.all(), "养老").total == 0  # not re-indexed yet: no event
    seed.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=seed, by=world.member)
    assert search_proposals(Proposal.objects.all(), "养老").total == 1
    assert search_proposals(Proposal.objects.all(), "托育").total == 0


def test_drafts_are_not_indexed(world):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于托育的草稿", body="托育",
                                           category=category)
    assert index_proposal(draft.pk) is False
    assert search_proposals(Proposal.objects.all(), "托育").total == 0


def test_rebuild_command(world, indexed):
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert search_proposals(Proposal.objects.all(), "托育").total == 1


def test_similar_proposals_find_the_same_matter_written_differently(world, indexed):
    seed, water, _roads = indexed
    found = similar_proposals(Proposal.objects.all(), "关于发展普惠托育服务的建议",
                              "建议多渠道发展托育服务,建设普惠托育机构,对婴幼儿照护给予财政补贴。")
    assert found and found[0].proposal.pk == seed.pk
    assert all(s.proposal.pk != water.pk for s in found)
    assert 0 < found[0].score <= 1


def test_search_page_is_scoped_and_filters(world, client_for, indexed):
    from django.urls import reverse

    page = client_for(world.member).get(reverse("search:search") + "?q=公路").content.decode()
    assert "农村公路" not in page
    page = client_for(world.staff).get(reverse("search:search") + "?q=公路").content.decode()
    assert "农村<mark>公路</mark>" in page
    page = client_for(world.staff).get(reverse("search:search") + "?q=公路&state=registered").content.decode()
    assert "农村<mark>公路</mark>" not in page


def test_similar_panel_while_writing(world, client_for, indexed):
    from django.urls import reverse

    response = client_for(world.member).post(reverse("search:similar"), {
        "title": "关于发展普惠托育服务的建议", "body": "建议建设普惠托育机构,完善婴幼儿照护补贴。"})
    assert SEED_TITLE in response.content.decode()
    assert client_for(world.lead_handler).post(reverse("search:similar"), {"title": "托育"}).status_code == 403


def test_staff_see_merge_candidates_at_review(world, client_for, indexed):
    seed, _water, _roads = indexed
    twin = submitted(world, "关于发展普惠托育服务的建议", "建议建设普惠托育机构,多渠道提供托育服务,完善婴幼儿照护补贴。",
                     by=world.cosigner)
    index_proposal(twin.pk)
    page = client_for(world.staff).get(twin.get_absolute_url()).content.decode()
    assert "并案候选" in page and SEED_TITLE in page


def test_clusters_command_lists_near_duplicates(world, indexed):
    import io

    twin = submitted(world, "关于发展普惠托育服务的建议", "建议建设普惠托育机构,多渠道提供托育服务,完善婴幼儿照护补贴。",
                     by=world.cosigner)
    index_proposal(twin.pk)
    out = io.StringIO()
    call_command("similar_clusters", session=world.session.pk, stdout=out)
    text_out = out.getvalue()
    assert "1 clusters" in text_out and SEED_TITLE in text_out and "普惠托育服务" in text_out


def test_a_capped_count_says_more_and_stays_within_scope(world, client_for, indexed, monkeypatch):
    from django.urls import reverse
    from django.utils.translation import gettext

    from tian.search import query

    _seed, water, roads = indexed
    monkeypatch.setattr(query, "RANKED_MATCHES", 1)
    staff_page = search_proposals(visible_proposals(world.staff), "农村")  # 农村饮水 and 农村公路
    assert (staff_page.total, staff_page.more, len(staff_page.hits)) == (1, True, 1)
    assert staff_page.hits[0].proposal.pk == roads.pk  # the newest match
    own = search_proposals(visible_proposals(world.member), "农村")  # 徐丽娟's 农村公路 is not counted
    assert (own.total, own.more, [h.proposal.pk for h in own.hits]) == (1, False, [water.pk])
    assert search_proposals(Proposal.objects.filter(is_public=True), "农村").total == 0

    more = gettext("More than %(n)s proposals found: the newest %(n)s are listed, most relevant first. Add words "
                   "or filters to narrow the search.") % {"n": 1}
    assert more in client_for(world.staff).get(reverse("search:search") + "?q=农村").content.decode()
    member_page = client_for(world.member).get(reverse("search:search") + "?q=农村").content.decode()
    assert more not in member_page and "农村<mark>公路</mark>" not in member_page


def test_similar_proposals_stay_within_scope(world, indexed):
    _seed, _water, roads = indexed
    title, body = "关于加快农村公路建设的建议", "建议加快通村公路硬化,完善农村客运网络。"
    assert [s.proposal.pk for s in similar_proposals(visible_proposals(world.cosigner), title, body)] == [roads.pk]
    assert all(s.proposal.pk != roads.pk for s in similar_proposals(visible_proposals(world.member), title, body))


def test_similar_proposals_are_found_from_the_keyword_table(world, indexed):
    from tian.search.models import SearchKeyword

    seed, _water, _roads = indexed
    rows = dict(SearchKeyword.objects.filter(document_id=seed.pk).values_list("term", "weight"))
    assert "托育" in rows and all(len(term) > 1 for term in rows)
    assert abs(sum(w * w for w in rows.values()) - 1) < 1e-6  # unit length: sums of products are cosines
    SearchKeyword.objects.filter(document_id=seed.pk).delete()  # without its rows, a document is never found
    assert similar_proposals(Proposal.objects.all(), "关于发展普惠托育服务的建议",
                             "建议多渠道发展托育服务,建设普惠托育机构,对婴幼儿照护给予财政补贴。") == []


def test_a_scope_holding_few_of_the_newest_matches_is_still_searched_whole(world, indexed, monkeypatch):
    from tian.search.backends import SQLiteFTS

    _seed, water, roads = indexed
    # SQLite looks the newest matches up in the scope one by one, at most WALKED of them, then selects the
    # scope instead; here the newest match of 农村 (徐丽娟's 农村公路) is not 刘安泽's to see.
    monkeypatch.setattr(SQLiteFTS, "WALKED", 1)
    page = search_proposals(visible_proposals(world.member), "农村")
    assert ([h.proposal.pk for h in page.hits], page.total, page.more) == ([water.pk], 1, False)
    assert {h.proposal.pk for h in search_proposals(visible_proposals(world.staff), "农村").hits} == {water.pk, roads.pk}


def test_every_way_of_finding_the_matches_gives_the_same_page(world, indexed, monkeypatch):
    """PostgreSQL finds the newest matches by walking the documents, the GIN index, (a scope of the proposal table
    alone) the scope's newest proposals, or (the public's) the disclosed documents, walked or from their own GIN
    index, the walk given up when it finds too few: for every scope, and with the count capped, the page is the
    same."""
    from django.db import connection

    from tian.search import query

    _seed, water, roads = indexed
    Proposal.objects.filter(pk__in=[water.pk, roads.pk]).update(is_public=True)
    for proposal in (water, roads):
        index_proposal(proposal.pk)  # as the disclosure's event does
    public = Proposal.objects.filter(committee=world.committee, is_public=True)
    assert backends._one_row_per_proposal(public)
    assert backends._one_row_per_proposal(visible_proposals(world.member))  # its joins are in a subquery
    assert not backends._one_row_per_proposal(Proposal.objects.filter(assignments__unit=world.units["区民政局"]))
    if connection.vendor != "postgresql":
        pytest.skip("the ways of finding the matches are PostgreSQL's")
    scopes = [(public, True), (public, False), (visible_proposals(world.member), False),
              (visible_proposals(world.staff), False)]

    def pages():
        found = []
        for scope, disclosed in scopes:
            for words in ("农村", "建议", "农村 饮水", "托育"):
                page = search_proposals(scope, words, disclosed=disclosed)
                found.append([(h.proposal.pk, round(h.score, 6)) for h in page.hits] + [page.total, page.more])
        return found

    # The planner's expectations, forced: every document matches, or none does; of a few documents (a walk of
    # them all is complete) or of very many (a walk stops early and, finding too few, gives way to the index); or
    # a rare word of very many documents, too many matches to rank each where it is read.
    results = {}
    for ranked in (1000, 1):
        expected = {"walk or key": (1.0, 2002), "walk given up": (1.0, 10**9), "index": (0.0, 2002),
                    "index, kept ranked": (1e-4 if ranked == 1000 else 1e-6, 10**8)}
        monkeypatch.setattr(query, "RANKED_MATCHES", ranked)
        for way, share in expected.items():
            for alone in (True, False):
                monkeypatch.setattr(backends.PostgresFTS, "_share", lambda self, cursor, terms, disclosed, s=share: s)
                monkeypatch.setattr(backends, "_one_row_per_proposal", lambda scope, a=alone: a)
                results[(ranked, way, alone)] = pages()
        assert len({repr(v) for k, v in results.items() if k[0] == ranked}) == 1, results
    assert results[(1000, "index", True)] != results[(1, "index", True)]  # the cap is in force
    assert any(hits[:-2] for hits in results[(1000, "index", True)])


def test_the_public_search_finds_a_proposal_once_it_is_disclosed_and_only_then(world, indexed):
    """The public search looks among the documents of disclosed proposals (``SearchDocument.disclosed``), which
    the disclosure's event brings up to date; a flag not yet up to date never shows an undisclosed proposal."""
    from tian.search.models import SearchDocument

    _seed, water, _roads = indexed
    public = Proposal.objects.filter(committee=world.committee, is_public=True)
    assert search_proposals(public, "饮水", disclosed=True).total == 0
    SearchDocument.objects.filter(pk=water.pk).update(disclosed=True)  # ahead of the proposal: still not shown
    assert search_proposals(public, "饮水", disclosed=True).total == 0
    Proposal.objects.filter(pk=water.pk).update(is_public=True)
    index_proposal(water.pk)
    assert SearchDocument.objects.get(pk=water.pk).disclosed
    assert [h.proposal.pk for h in search_proposals(public, "饮水", disclosed=True).hits] == [water.pk]
    call_command("rebuild_search_index", stdout=None)
    assert list(SearchDocument.objects.filter(disclosed=True).values_list("pk", flat=True)) == [water.pk]


def test_the_api_lists_offer_exactly_the_shared_filters():
    """One definition (tian/search/filters.py): the API's list parameters are its filters, its text box and paging."""
    from tian.api.proposals import ProposalFilters
    from tian.search.filters import API

    assert set(ProposalFilters.model_fields) == {*API, "q", "page", "page_size"}


def test_a_query_words_parts_do_not_make_it_look_rarer_than_it_is():
    # 群众反映 is segmented with its parts, which every document holding it holds too: its share is its own, not
    # the product of the three (the planner's estimate, taking them as independent).
    assert backends._independent(["群众反映", "群众", "反映", "通过"]) == ["群众反映", "通过"]
    assert backends._independent(["老年人", "老年", "养老"]) == ["老年人", "养老"]
