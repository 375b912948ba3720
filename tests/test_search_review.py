"""Review of search as the office clerk uses it in the plenary week, and of the similar-proposals panel and merge
candidates: what a clerk types (a number, a name, traditional or full-width text) and what each role may be shown.
Each test not marked "holds" failed on the code it was written against (since mended)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.search.index import index_proposal
from tian.search.views import merge_candidates

TZ = ZoneInfo("Asia/Shanghai")
WHEN = datetime.datetime(2023, 2, 15, 10, tzinfo=TZ)
ELDER_TITLE = "关于发展农村互助养老服务的建议"
ELDER_BODY = "我区农村老年人口多,子女外出务工,建议建设农村互助养老幸福院,发展居家养老服务,培育养老护理员队伍。"


def submitted(world, title, body, *, by=None, when=WHEN):
    by = by or world.member
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=by, committee=world.committee, lead_member=by.member, title=title,
                                       body=body, category=category, at=when)
    return services.proposal_submit(proposal=p, by=by, at=when)


def search(client, **params):
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def elder(world, django_capture_on_commit_callbacks):
    """A registered proposal on 养老 by 刘安泽 (2023年度第1号), beside one on roads by 徐丽娟, both indexed."""
    with django_capture_on_commit_callbacks(execute=True):
        p = submitted(world, ELDER_TITLE, ELDER_BODY)
        p = services.proposal_register(proposal=p, by=world.staff)
        submitted(world, "关于加快农村公路建设的建议", "建议加快通村公路硬化,完善农村客运网络。", by=world.cosigner)
    return p


# --- defects -----------------------------------------------------------------------------------------------------


def test_a_registration_number_typed_as_printed_finds_the_proposal(world, client_for, elder):
    """The clerk types 2023年度第1号, the number printed on the proposal and every letter, into the search box and
    is told nothing was found: the index holds only title and body, and the query is cut into 2023/年度/第/1/号."""
    assert elder.number_year == "2023年度第1号"
    staff = client_for(world.staff)
    assert "<mark>养老</mark>" in search(staff, q="养老")  # the proposal is there, found by a word
    assert "互助养老" in search(staff, q=elder.number_year)


def test_a_proposers_name_in_the_search_box_finds_their_proposals(world, client_for, elder):
    """The clerk types a member's name, 刘安泽, into the one search box and is told nothing was found, although the
    office's list box finds proposals by a proposer's name (``filters.text_matches``): the name is not indexed and
    the search box never looks at proposers."""
    page = search(client_for(world.staff), q="刘安泽")
    assert "互助养老" in page
    assert "公路建设" not in page  # 徐丽娟's


def test_traditional_characters_find_the_same_words(world, client_for, elder):
    """A leader's secretary types 養老 (traditional, as from a Hong Kong or Taiwan input method or a pasted text)
    and finds none of the proposals on 养老: neither the index nor the query is folded to simplified characters."""
    # (the words found are marked: 互助<mark>养老</mark>)
    assert "互助养老" in re.sub(r"<[^>]+>", "", search(client_for(world.staff), q="農村養老"))


def test_full_width_letters_and_digits_match_their_half_width_form(world, client_for, django_capture_on_commit_callbacks):
    """A proposal written with a Chinese input method says ５Ｇ基站 (full-width); the clerk types 5G基站 and finds
    nothing: text is lowercased but never NFKC-normalised, so ５ｇ and 5g are different tokens."""
    with django_capture_on_commit_callbacks(execute=True):
        submitted(world, "关于加快山区５Ｇ基站建设的建议", "我区山区村组５Ｇ基站覆盖不足,手机信号差。")
    staff = client_for(world.staff)
    assert "山区" in search(staff, q="5G基站")
    assert "山区" in search(staff, q="５Ｇ基站")


def test_merge_candidates_are_not_offered_to_someone_who_cannot_merge(world, client_for, elder,
                                                                     django_capture_on_commit_callbacks):
    """The proposer himself opens /search/candidates/<his proposal>/ and is shown "Merge into this one" buttons for
    another proposal: the view only checks that he may see the proposal, not that merging is an action open to him
    (the proposal page shows candidates only with the merge form)."""
    with django_capture_on_commit_callbacks(execute=True):
        twin = submitted(world, "关于推进农村互助养老服务的建议",
                         "农村老年人口多,子女外出务工,建议建设农村互助养老幸福院,发展居家养老服务,培育养老护理员。")
    staff_page = client_for(world.staff).get(reverse("search:candidates", args=[twin.pk])).content.decode()
    assert "互助养老服务的建议" in staff_page  # the office, reviewing the twin, is offered the first one
    response = client_for(world.member).get(reverse("search:candidates", args=[twin.pk]))
    assert response.status_code in (403, 404) or 'name="into"' not in response.content.decode()


# --- holds -------------------------------------------------------------------------------------------------------


def test_holds_merge_candidates_leave_out_withdrawn_closed_itself_and_other_years(world, elder,
                                                                                 django_capture_on_commit_callbacks):
    """Holds: a twin withdrawn, one of another year and the proposal itself are never offered to merge into."""
    with django_capture_on_commit_callbacks(execute=True):
        review = submitted(world, "关于推进农村互助养老服务的建议",
                           "农村老年人口多,子女外出务工,建议建设农村互助养老幸福院,发展居家养老服务,培育养老护理员。")
        withdrawn = submitted(world, "关于建设农村互助养老幸福院的建议", ELDER_BODY, by=world.cosigner)
        services.proposal_withdraw(proposal=withdrawn, by=world.cosigner)
    found = [s.proposal.pk for s in merge_candidates(world.staff, review)]
    assert elder.pk in found
    assert review.pk not in found and withdrawn.pk not in found


def test_holds_hostile_queries_answer_in_chinese_without_error(world, client_for, elder):
    """Holds: FTS operators, quotes, punctuation only, NUL and an over-long query give a page, never a 500."""
    staff = client_for(world.staff)
    for q in ['"', "养老 OR 托育", "NEAR(养老 托育)", "养老*", "-养老", "title:养老", "！？。", "养\x00老", "'; DROP TABLE x;--"]:
        search(staff, q=q)
    page = search(staff, q="养" * 250)
    assert "Ensure this value" not in page


def test_holds_a_snippet_masks_a_mobile_for_a_reader_not_tied(world, client_for, django_capture_on_commit_callbacks):
    """Holds: another member searching a disclosed proposal sees the proposer's mobile masked in the snippet."""
    with django_capture_on_commit_callbacks(execute=True):
        p = submitted(world, "关于发展农村互助养老服务的建议", "联系人刘安泽,手机１３７９５９５２８３６,建议发展互助养老。")
    Proposal.objects.filter(pk=p.pk).update(is_public=True)
    index_proposal(p.pk)
    page = search(client_for(world.stranger), q="互助养老")
    assert "<mark>养老</mark>" in page and "137****2836" in page
    assert "9595" not in page and "９５９５" not in page
