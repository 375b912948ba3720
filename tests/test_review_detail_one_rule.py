"""审查结果 and what is said beside it (the decline ground and what the text was forwarded as, or the proposal it was
merged into), one rule (``proposals.timeline.review_detail``) read by every output: the proposal page, the portal,
the API and the proposal form (Word/PDF). Whether the reader sees the detail is the disclosure policy's to say
(``Disclosure.shows_review_detail``): anyone signed in who may open the proposal, never the public."""

import io
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from docx import Document as WordDocument

from tian.accounts.services import token_create
from tian.disclosure.policy import disclosure_for, public_disclosure
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.proposals.timeline import review_detail

FORWARDED_AS_OPINION = "转为意见建议"


def _submitted(world, *, by, title):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=by, committee=world.committee, lead_member=by.member, title=title,
                                       body="建议。", category=category)
    return services.proposal_submit(proposal=p, by=by)


@pytest.fixture
def declined(world):
    p = _submitted(world, by=world.member, title="关于规范城区占道经营的建议")
    ground = world.committee.decline_grounds.filter(is_active=True).first()
    services.proposal_decline(proposal=p, by=world.staff, ground=ground, forward="opinion", note="内部意见")
    return Proposal.objects.get(pk=p.pk)


@pytest.fixture
def merged(world):
    """刘安泽's proposal merged into 徐丽娟's, which is registered (so it has its year's number)."""
    target = services.proposal_register(
        proposal=_submitted(world, by=world.cosigner, title="关于整治城区占道经营秩序的建议"), by=world.staff)
    p = _submitted(world, by=world.member, title="关于规范城区占道经营的建议")
    services.proposal_merge(proposal=p, into=target, by=world.staff)
    return Proposal.objects.get(pk=p.pk)


@pytest.fixture
def registered(world):
    return services.proposal_register(proposal=_submitted(world, by=world.member, title="关于加强关爱保护的建议"),
                                      by=world.staff)


def published(proposal) -> Proposal:
    """The proposal marked disclosed, as an import may bring one in: the services disclose only answered proposals,
    but what the public may read must not hang on that."""
    Proposal.objects.filter(pk=proposal.pk).update(is_public=True)
    return Proposal.objects.get(pk=proposal.pk)


def page_review(client, url) -> str:
    """The 审查结果 of a page (the proposal page's or the portal's), as HTML."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return re.search(r"<dt>审查结果</dt><dd>(.*?)</dd>", response.content.decode(), flags=re.S).group(1)


def api_detail(user, path) -> dict:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='t')[1]}") if user else Client()
    response = client.get(f"/api/v1{path}")
    assert response.status_code == 200, response.content
    return response.json()


def form_review_line(client, proposal) -> str:
    response = client.get(reverse("documents:proposal_form", args=[proposal.pk, "docx"]))
    assert response.status_code == 200, response.status_code
    lines = [p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs]
    return next(line for line in lines if line.startswith("审查结果:"))


# --- the proposal page ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reader", ["member", "staff"])
def test_the_page_says_on_what_ground_a_proposal_was_not_registered_and_where_it_went(world, client_for, declined,
                                                                                    reader):
    said = page_review(client_for(getattr(world, reader)), declined.get_absolute_url())
    assert said == f"不予立案:{declined.decline_ground.text}({FORWARDED_AS_OPINION})"


def test_the_page_links_a_merged_proposal_to_the_one_it_joined(world, client_for, merged):
    target = merged.merged_into
    said = page_review(client_for(world.member), merged.get_absolute_url())
    assert said == f'已并案:<a href="{target.get_absolute_url()}">{target.number_year} {target.title}</a>'


def test_the_page_says_registered_and_nothing_beside_it(world, client_for, registered):
    assert page_review(client_for(world.member), registered.get_absolute_url()) == "已立案"


def test_a_signed_in_reader_with_no_tie_sees_the_ground_of_a_disclosed_proposal(world, client_for, declined):
    p = published(declined)
    said = page_review(client_for(world.stranger), p.get_absolute_url())
    assert said == f"不予立案:{p.decline_ground.text}({FORWARDED_AS_OPINION})"


# --- the portal ------------------------------------------------------------------------------------------------------

def test_the_portal_says_the_result_alone(world, declined, merged):
    for p in (published(declined), published(merged)):
        said = page_review(Client(), reverse("portal:detail", args=[p.pk]))
        assert said == {"declined": "不予立案", "merged": "已并案"}[p.state]


# --- the API ---------------------------------------------------------------------------------------------------------

def test_the_api_tells_a_signed_in_caller_the_ground_and_where_the_text_went(world, declined):
    answer = api_detail(world.member, f"/proposals/{declined.pk}")
    assert (answer["review_result"], answer["decline_ground"], answer["decline_forward"], answer["merged_into"]) == (
        "不予立案", declined.decline_ground.text, "opinion", None)


def test_the_api_tells_a_signed_in_caller_what_a_proposal_was_merged_into(world, merged):
    answer = api_detail(world.staff, f"/proposals/{merged.pk}")
    assert (answer["review_result"], answer["decline_ground"], answer["decline_forward"], answer["merged_into"]) == (
        "已并案", None, None, merged.merged_into_id)


def test_the_api_says_registered_and_nothing_beside_it(world, registered):
    answer = api_detail(world.member, f"/proposals/{registered.pk}")
    assert (answer["review_result"], answer["decline_ground"], answer["decline_forward"], answer["merged_into"]) == (
        "已立案", None, None, None)


def test_the_public_api_gives_the_result_without_ground_or_merge_target(world, declined, merged):
    for p in (published(declined), published(merged)):
        answer = api_detail(None, f"/public/proposals/{p.pk}")
        assert answer["review_result"] == {"declined": "不予立案", "merged": "已并案"}[p.state]
        assert (answer["decline_ground"], answer["decline_forward"], answer["merged_into"]) == (None, None, None)
        assert p.decline_ground is None or p.decline_ground.text not in str(answer)


# --- the proposal form (Word) ----------------------------------------------------------------------------------------

def test_the_proposal_form_says_the_ground_and_where_the_text_went(world, client_for, declined):
    line = form_review_line(client_for(world.staff), declined)
    assert line.startswith(f"审查结果:不予立案:{declined.decline_ground.text}({FORWARDED_AS_OPINION})"), line


def test_the_proposal_form_names_the_proposal_it_was_merged_into(world, client_for, merged):
    target = merged.merged_into
    line = form_review_line(client_for(world.member), merged)
    assert line.startswith(f"审查结果:已并案:{target.number_year}《{target.title}》"), line


def test_the_proposal_form_says_registered_and_nothing_beside_it(world, client_for, registered):
    line = form_review_line(client_for(world.member), registered)
    assert line.startswith("审查结果:已立案 "), line


# --- the rule and the policy -----------------------------------------------------------------------------------------

def test_the_policy_shows_the_detail_to_the_signed_in_and_not_to_the_public(world, declined):
    assert disclosure_for(world.stranger, declined).shows_review_detail
    assert disclosure_for(world.member, declined).shows_review_detail
    assert not disclosure_for(AnonymousUser(), declined).shows_review_detail
    assert not public_disclosure(declined).shows_review_detail


def test_the_rule_gives_the_public_the_result_alone(world, declined, merged):
    for p in (declined, merged):
        public = review_detail(p, public_disclosure(p))
        assert (public.ground, public.forward, public.merged_into) == (None, None, None)
        assert public.result == review_detail(p, disclosure_for(world.staff, p)).result
    said = review_detail(declined, disclosure_for(world.member, declined))
    assert (said.ground, said.forward, str(said.forward_label)) == (
        declined.decline_ground.text, "opinion", FORWARDED_AS_OPINION)
    assert review_detail(merged, disclosure_for(world.member, merged)).merged_into == merged.merged_into
