"""Supervisors' and lead officials' pages through the test client: the review queue, reviewing a reply
(approve, possibly adjusting the class, or return with comments) and the key proposals they follow."""

import datetime
import re

import pytest
from django.urls import reverse

from tian.accounts import services as accounts
from tian.accounts.roles import Role
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.proposals import services as proposals
from tian.proposals.models import Event, State, TopicCategory
from tian.supervision.models import SupervisionReview

TODAY = datetime.date.today()


def assigned_proposal(world, title="关于加强全区未成年人关爱保护工作的建议", *, office="区政府办公室", key=False):
    """A registered proposal of 刘安泽, assigned through the services: 区民政局 leads, 区教科局 assists,
    ``office`` supervises; ``key`` makes it a key proposal followed by lead official 杨金军."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = proposals.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                        title=title, body="建议加强关爱保护。", category=category)
    p = proposals.proposal_submit(proposal=p, by=world.member)
    p = proposals.proposal_register(proposal=p, by=world.staff)
    return handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                    assisting_units=[world.units["区教科局"]],
                                    supervising_offices=[world.offices[office]], is_key=key,
                                    lead_officials=[world.lead_official] if key else [])


def reply_awaiting_review(world, proposal) -> Reply:
    """Both units sign for, 区民政局 submits its reply (class A) and 区教科局 co-signs it."""
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    lead = proposal.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="首先感谢您的关心。\n现答复如下。",
                                outcome="A", contact_name="贺威", contact_phone="13795952836", reply_date=TODAY)
    handling.reply_submit(reply=reply, by=world.lead_handler)
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION
    return reply


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def actions(proposal) -> list[str]:
    return list(Event.objects.filter(proposal=proposal).values_list("action", flat=True))


@pytest.fixture
def proposal(world):
    return assigned_proposal(world)


@pytest.fixture
def reply(world, proposal):
    return reply_awaiting_review(world, proposal)


@pytest.fixture
def other_office(world):
    return accounts.user_create(username="区委目标绩效办", full_name="绩效办", password=None,
                                roles=[Role.SUPERVISOR], office=world.offices["区委目标绩效办"])


# --- the queue ----------------------------------------------------------------------------------------------


def test_queue_requires_the_supervise_permission(world, client_for):
    for user in (world.member, world.lead_handler, world.official):
        assert client_for(user).get(reverse("supervision:queue")).status_code == 403


def test_empty_queue_says_so(world, client_for):
    page = text(client_for(world.supervisor).get(reverse("supervision:queue")))
    assert "没有待您审核的答复。" in page


def test_queue_lists_replies_awaiting_review_for_its_own_office_only(world, client_for, proposal, reply,
                                                                     other_office):
    page = text(client_for(world.supervisor).get(reverse("supervision:queue")))
    assert proposal.title in page and proposal.number_year in page and "区民政局" in page
    assert proposal.title not in text(client_for(other_office).get(reverse("supervision:queue")))


def test_queue_leaves_out_replies_still_being_cosigned(world, client_for, proposal):
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    lead = proposal.assignments.get(role="lead")
    draft = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="13795952836", reply_date=TODAY)
    handling.reply_submit(reply=draft, by=world.lead_handler)
    assert proposal.title not in text(client_for(world.supervisor).get(reverse("supervision:queue")))


def test_queue_is_oldest_first(world, client_for):
    first = assigned_proposal(world, "关于完善社区养老服务的建议")
    second = assigned_proposal(world, "关于加强农村留守儿童关爱的建议")
    reply_awaiting_review(world, first)
    reply_awaiting_review(world, second)
    page = text(client_for(world.supervisor).get(reverse("supervision:queue")))
    assert page.index(first.title) < page.index(second.title)


# --- the review page ----------------------------------------------------------------------------------------


def test_review_page_shows_the_letter_and_the_proposal(world, client_for, proposal, reply):
    page = text(client_for(world.supervisor).get(reverse("supervision:review", args=[reply.pk])))
    assert proposal.number_year in page and proposal.title in page and "刘安泽" in page
    assert "尊敬的刘安泽委员" in page and "首先感谢您的关心。" in page and "现答复如下。" in page
    assert "联系人:贺威" in page and "全部或主要问题已解决(A)" in page
    assert "审核通过并发布" in page


def test_review_page_is_for_the_supervising_office_only(world, client_for, reply, other_office):
    url = reverse("supervision:review", args=[reply.pk])
    assert client_for(other_office).get(url).status_code == 404
    assert client_for(world.lead_handler).get(url).status_code == 403
    assert client_for(world.member).get(url).status_code == 403


def test_approving_releases_the_reply(world, client_for, proposal, reply):
    response = client_for(world.supervisor).post(reverse("supervision:review", args=[reply.pk]),
                                                 {"decision": "approve", "outcome": "", "comments": "同意"},
                                                 follow=True)
    assert response.redirect_chain[-1][0] == reverse("supervision:queue")
    assert "答复已审核通过并发送提案人。" in text(response)
    reply.refresh_from_db()
    proposal.refresh_from_db()
    assert reply.status == Reply.Status.RELEASED and reply.outcome == "A"
    assert proposal.state == State.REPLIED
    review = SupervisionReview.objects.get()
    assert review.decision == "approved" and review.reviewer == world.supervisor and review.comments == "同意"
    assert {"supervision.approved", "reply.released", "proposal.replied"} <= set(actions(proposal))
    assert proposal.title not in text(client_for(world.supervisor).get(reverse("supervision:queue")))


def test_approving_may_adjust_the_outcome_class(world, client_for, proposal, reply):
    client_for(world.supervisor).post(reverse("supervision:review", args=[reply.pk]),
                                      {"decision": "approve", "outcome": "B", "comments": ""})
    reply.refresh_from_db()
    assert reply.status == Reply.Status.RELEASED and reply.outcome == "B"
    review = SupervisionReview.objects.get()
    assert (review.outcome_before, review.outcome_after) == ("A", "B")


def test_an_unknown_outcome_class_changes_nothing(world, client_for, proposal, reply):
    client_for(world.supervisor).post(reverse("supervision:review", args=[reply.pk]),
                                      {"decision": "approve", "outcome": "Z", "comments": ""})
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION and reply.outcome == "A"
    assert "supervision.approved" not in actions(proposal)


def test_returning_needs_comments(world, client_for, proposal, reply):
    response = client_for(world.supervisor).post(reverse("supervision:review", args=[reply.pk]),
                                                 {"decision": "return", "comments": ""}, follow=True)
    assert "这个字段是必填项。" in text(response)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION
    assert "supervision.returned" not in actions(proposal)


def test_returning_with_comments_sends_the_reply_back_to_the_unit(world, client_for, proposal, reply):
    response = client_for(world.supervisor).post(reverse("supervision:review", args=[reply.pk]),
                                                 {"decision": "return", "comments": "请补充具体数据"}, follow=True)
    assert "答复已退回承办单位。" in text(response)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.RETURNED
    review = SupervisionReview.objects.get()
    assert review.decision == "returned" and review.comments == "请补充具体数据"
    assert "supervision.returned" in actions(proposal)
    assert "请补充具体数据" in text(client_for(world.lead_handler).get(reverse("handling:work", args=[proposal.pk])))


def test_a_reply_already_reviewed_cannot_be_reviewed_again(world, client_for, proposal, reply):
    client = client_for(world.supervisor)
    client.post(reverse("supervision:review", args=[reply.pk]), {"decision": "approve", "outcome": ""})
    page = text(client.get(reverse("supervision:review", args=[reply.pk])))
    assert "审核通过并发布" not in page
    response = client.post(reverse("supervision:review", args=[reply.pk]),
                           {"decision": "return", "comments": "请补充"}, follow=True)
    assert "提案处于“已答复”状态，不能执行此操作。" in text(response)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.RELEASED
    assert "supervision.returned" not in actions(proposal)


def test_a_returned_reply_cannot_be_approved_until_resubmitted(world, client_for, proposal, reply):
    client = client_for(world.supervisor)
    client.post(reverse("supervision:review", args=[reply.pk]), {"decision": "return", "comments": "请补充"})
    response = client.post(reverse("supervision:review", args=[reply.pk]), {"decision": "approve", "outcome": ""},
                           follow=True)
    # Returned, the reply is the unit's to redraft (the disclosure policy): the office is told, and reads it again
    # once it is sent again.
    assert "该答复已退回承办单位，承办单位重新报送后再审核。" in text(response)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.RETURNED
    assert "supervision.approved" not in actions(proposal)


def test_a_post_without_a_decision_changes_nothing(world, client_for, proposal, reply):
    client_for(world.supervisor).post(reverse("supervision:review", args=[reply.pk]), {"comments": "请补充"})
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION


def test_another_office_cannot_approve_or_return(world, client_for, proposal, reply, other_office):
    client = client_for(other_office)
    for data in ({"decision": "approve", "outcome": ""}, {"decision": "return", "comments": "请补充"}):
        assert client.post(reverse("supervision:review", args=[reply.pk]), data).status_code == 404
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION
    assert not SupervisionReview.objects.exists()


# --- key proposals ------------------------------------------------------------------------------------------


def test_lead_official_follows_only_own_key_proposals(world, client_for):
    mine = assigned_proposal(world, "关于完善社区养老服务的建议", key=True)
    not_key = assigned_proposal(world, "关于加强农村留守儿童关爱的建议")
    page = text(client_for(world.official).get(reverse("supervision:key_proposals")))
    assert mine.title in page and not_key.title not in page


def test_key_proposals_show_each_units_progress(world, client_for):
    p = assigned_proposal(world, "关于完善社区养老服务的建议", key=True)
    lead = p.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    handling.contact_record(assignment=lead, by=world.lead_handler, method="phone", contacted_on=TODAY,
                            summary="电话沟通")
    page = text(client_for(world.official).get(reverse("supervision:key_proposals")))
    assert "区民政局" in page and "主办单位" in page and "区教科局" in page and "协办单位" in page
    assert "办理中" in page  # the proposal's state


def test_key_proposals_show_the_evaluation_once_given(world, client_for):
    p = assigned_proposal(world, "关于完善社区养老服务的建议", key=True)
    reply = reply_awaiting_review(world, p)
    from tian.supervision import services as supervision

    supervision.reply_approve(reply=reply, by=world.supervisor)
    p.refresh_from_db()
    handling.evaluation_submit(proposal=p, by=world.member, result="satisfied")
    page = text(client_for(world.official).get(reverse("supervision:key_proposals")))
    assert "满意" in page and "已发布" in page


def test_supervisors_follow_the_key_proposals_of_their_office(world, client_for, other_office):
    p = assigned_proposal(world, "关于完善社区养老服务的建议", key=True)
    assert p.title in text(client_for(world.supervisor).get(reverse("supervision:key_proposals")))
    assert p.title not in text(client_for(other_office).get(reverse("supervision:key_proposals")))


def test_key_proposals_require_the_follow_permission(world, client_for):
    for user in (world.lead_handler, world.member, world.staff):
        assert client_for(user).get(reverse("supervision:key_proposals")).status_code == 403


# --- home tiles ---------------------------------------------------------------------------------------------


def test_supervisor_tiles_count_the_queue_and_key_proposals(world, proposal, reply):
    from tian.dashboard.home import supervisor_tiles

    tiles = supervisor_tiles(world.supervisor, world.committee)
    queue = next(t for t in tiles if t["url"] == reverse("supervision:queue"))
    assert queue["count"] == 1 and queue["label"] == "待督办审核的答复"
    key = next(t for t in tiles if t["url"] == reverse("supervision:key_proposals"))
    assert key["count"] == 0


def test_lead_official_tiles_count_own_key_proposals(world):
    from tian.dashboard.home import lead_official_tiles

    assigned_proposal(world, "关于完善社区养老服务的建议", key=True)
    assigned_proposal(world, "关于加强农村留守儿童关爱的建议")
    (tile,) = lead_official_tiles(world.official, world.committee)
    assert tile["count"] == 1 and tile["url"] == reverse("supervision:key_proposals")


def test_the_key_proposals_tile_counts_what_its_page_lists(world, client_for):
    """A supervisor who is also a lead official follows every proposal they lead (supervision.selectors.
    followed_proposals): the supervisor's tile counted the key ones alone."""
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role

    both = world.official
    both.office = world.offices["区政府办公室"]
    both.save(update_fields=["office"])
    accounts.user_roles_set(user=both, roles=[Role.SUPERVISOR, Role.LEAD_OFFICIAL], by=world.admin)
    assigned_proposal(world, key=True)
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = proposals.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                        title="关于完善社区养老服务的建议", body="建议。", category=category)
    p = proposals.proposal_register(proposal=proposals.proposal_submit(proposal=p, by=world.member), by=world.staff)
    handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                             lead_officials=[world.lead_official])
    client = client_for(both)
    rows = client.get(reverse("supervision:key_proposals")).context["rows"]
    tiles = client.get(reverse("dashboard:home_supervisor")).context["tiles"]
    [tile] = [t for t in tiles if t["url"] == reverse("supervision:key_proposals") and t["label"] == "重点提案"]
    assert len(rows) == 2 and tile["count"] == 2


def test_comments_typed_after_someone_else_reviewed_the_reply_are_shown_to_copy(world, client_for, proposal, reply):
    from tian.supervision import services as supervision_services

    supervision_services.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    response = client_for(world.supervisor).post(reverse("supervision:review", args=[reply.pk]),
                                                 {"decision": "return", "comments": "请补充资金落实情况"})
    page = text(response)
    assert response.status_code == 200 and "您填写的内容没有保存" in page and "请补充资金落实情况" in page
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.RELEASED
