"""The unit handler's pages through the test client: the inbox by task, the work page of one proposal and
every action posted from it. 区民政局 leads, 区教科局 assists, 区政府办公室 supervises; 区财政局 has nothing."""

import datetime
import re

import pytest
from django.urls import reverse

from tian.handling import services as handling
from tian.handling.models import Assignment, AssistingOpinion, ContactRecord, Reply, ReplyCoSignature
from tian.proposals import services as proposals
from tian.proposals.models import Event, State, TopicCategory
from tian.supervision import services as supervision

TODAY = datetime.date.today()
REPLY = {"body": "首先感谢您对民政工作的关心。\n现答复如下。", "outcome": "A", "document_number": "朝民函〔2023〕5号",
         "signer": "王强", "contact_name": "贺威", "contact_phone": "13795952836",
         "reply_date": TODAY.isoformat()}


def assigned_proposal(world, title="关于加强全区未成年人关爱保护工作的建议", *, at=None, separate=None):
    """A registered proposal of 刘安泽, assigned through the services: 区民政局 leads, 区教科局 assists,
    区政府办公室 supervises (or, with ``separate``, those units reply on their own)."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = proposals.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                        title=title, body="建议加强关爱保护。", category=category, at=at)
    p = proposals.proposal_submit(proposal=p, by=world.member, at=at)
    p = proposals.proposal_register(proposal=p, by=world.staff, at=at)
    units = ({"separate_units": [world.units[name] for name in separate]} if separate else
             {"lead_units": [world.units["区民政局"]], "assisting_units": [world.units["区教科局"]]})
    return handling.proposal_assign(proposal=p, by=world.staff, supervising_offices=[world.offices["区政府办公室"]],
                                    at=at, **units)


def signed(world, proposal):
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    proposal.refresh_from_db()
    return proposal


def submitted_reply(world, proposal, **fields) -> Reply:
    lead = proposal.assignments.get(role="lead")
    values = {**REPLY, "reply_date": TODAY, **fields}
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, **values)
    return handling.reply_submit(reply=reply, by=world.lead_handler)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def actions(proposal) -> list[str]:
    return list(Event.objects.filter(proposal=proposal).values_list("action", flat=True))


def section(page: str, heading: str) -> str:
    """The text of one inbox group, from its heading up to the next group."""
    start = page.index(heading)
    rest = page[start + len(heading):]
    ends = [rest.index(h) for h in INBOX_HEADINGS if h in rest]
    return page[start:start + len(heading) + min(ends, default=len(rest))]


INBOX_HEADINGS = ["待签收", "待办前沟通", "待提交会办意见", "待会签", "待答复", "被退回的答复", "重新办理", "已申请退办"]


@pytest.fixture
def proposal(world):
    return assigned_proposal(world)


# --- the inbox ----------------------------------------------------------------------------------------------


def test_inbox_requires_the_handle_permission(world, client_for):
    assert client_for(world.member).get(reverse("handling:inbox")).status_code == 403
    assert client_for(world.supervisor).get(reverse("handling:inbox")).status_code == 403


def test_empty_inbox_says_what_comes_next(world, client_for):
    page = text(client_for(world.other_handler).get(reverse("handling:inbox")))
    assert "本单位暂无待办事项" in page and "等待签收" in page


def test_inbox_lists_new_assignments_to_sign_for_only_for_their_units(world, client_for, proposal):
    page = text(client_for(world.lead_handler).get(reverse("handling:inbox")))
    assert proposal.title in section(page, "待签收")
    assert proposal.number_year in page
    assert proposal.title in text(client_for(world.assisting_handler).get(reverse("handling:inbox")))
    assert proposal.title not in text(client_for(world.other_handler).get(reverse("handling:inbox")))


def test_inbox_groups_put_the_earliest_deadline_first(world, client_for):
    older = assigned_proposal(world, "关于完善社区养老服务的建议", at=datetime.datetime(2023, 3, 1, 10, tzinfo=datetime.UTC))
    newer = assigned_proposal(world, "关于加强农村留守儿童关爱的建议")
    page = section(text(client_for(world.lead_handler).get(reverse("handling:inbox"))), "待签收")
    assert page.index(older.title) < page.index(newer.title)


def test_inbox_shows_the_deadline_with_a_text_label(world, client_for):
    overdue = assigned_proposal(world, "关于完善社区养老服务的建议", at=datetime.datetime(2023, 3, 1, 10, tzinfo=datetime.UTC))
    page = text(client_for(world.lead_handler).get(reverse("handling:inbox")))
    assert "已逾期" in page and overdue.assignments.get(role="lead").deadline.isoformat() in page
    html = client_for(world.lead_handler).get(reverse("handling:inbox")).content.decode()
    assert "badge--danger" in html


def test_after_signing_the_lead_unit_must_contact_and_the_assisting_unit_give_its_opinion(world, client_for,
                                                                                          proposal):
    signed(world, proposal)
    lead_page = text(client_for(world.lead_handler).get(reverse("handling:inbox")))
    assert proposal.title in section(lead_page, "待办前沟通")
    assert proposal.title in section(lead_page, "待答复")
    assert "待签收" not in lead_page
    assisting_page = text(client_for(world.assisting_handler).get(reverse("handling:inbox")))
    assert proposal.title in section(assisting_page, "待提交会办意见")
    assert "待答复" not in assisting_page and "待办前沟通" not in assisting_page


def test_a_reply_awaiting_cosignature_is_in_the_assisting_units_inbox(world, client_for, proposal):
    submitted_reply(world, signed(world, proposal))
    page = text(client_for(world.assisting_handler).get(reverse("handling:inbox")))
    assert proposal.title in section(page, "待会签")
    # the reply must be out by the lead unit's deadline
    assert proposal.assignments.get(role="lead").deadline.isoformat() in section(page, "待会签")
    # the lead unit has submitted: nothing left to reply to
    assert "待答复" not in text(client_for(world.lead_handler).get(reverse("handling:inbox")))


def test_a_returned_reply_is_in_the_lead_units_inbox(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    supervision.reply_return(reply=reply, by=world.supervisor, comments="请补充具体数据")
    page = text(client_for(world.lead_handler).get(reverse("handling:inbox")))
    assert proposal.title in section(page, "被退回的答复")


def test_a_returned_reply_is_listed_once(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    supervision.reply_return(reply=reply, by=world.supervisor, comments="请补充具体数据")
    assert "待答复" not in text(client_for(world.lead_handler).get(reverse("handling:inbox")))


def test_rehandling_is_in_the_lead_units_inbox_until_the_second_reply_is_submitted(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    supervision.reply_approve(reply=reply, by=world.supervisor)
    proposal.refresh_from_db()
    handling.evaluation_submit(proposal=proposal, by=world.member, result="dissatisfied", feedback="未解决")
    page = text(client_for(world.lead_handler).get(reverse("handling:inbox")))
    assert proposal.title in section(page, "重新办理")
    submitted_reply(world, proposal, body="再次答复。")
    assert "重新办理" not in text(client_for(world.lead_handler).get(reverse("handling:inbox")))


def test_a_pending_reassignment_request_is_in_the_inbox(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    handling.reassignment_request(assignment=lead, by=world.lead_handler, reason="不属于本单位职责")
    page = text(client_for(world.lead_handler).get(reverse("handling:inbox")))
    assert proposal.title in section(page, "已申请退办")
    assert "待签收" not in page


# --- the work page ------------------------------------------------------------------------------------------


def test_work_page_is_for_the_assigned_units_only(world, client_for, proposal):
    url = reverse("handling:work", args=[proposal.pk])
    page = text(client_for(world.lead_handler).get(url))
    assert proposal.title in page and proposal.number_year in page and "刘安泽" in page and "主办单位" in page
    assert client_for(world.assisting_handler).get(url).status_code == 200
    assert client_for(world.other_handler).get(url).status_code == 404
    assert client_for(world.member).get(url).status_code == 403


def test_work_page_links_to_the_whole_proposal(world, client_for, proposal):
    html = client_for(world.lead_handler).get(reverse("handling:work", args=[proposal.pk])).content.decode()
    assert reverse("proposals:detail", args=[proposal.pk]) in html


def test_before_signing_only_signing_and_reassignment_are_offered(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    html = client_for(world.lead_handler).get(reverse("handling:work", args=[proposal.pk])).content.decode()
    assert reverse("handling:sign", args=[lead.pk]) in html
    assert reverse("handling:reassign", args=[lead.pk]) in html
    assert reverse("handling:reply", args=[lead.pk]) not in html
    assert reverse("handling:contact", args=[lead.pk]) not in html


def test_after_signing_the_lead_unit_gets_the_contact_and_reply_forms(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).get(reverse("handling:work", args=[proposal.pk]))
    html = response.content.decode()
    assert reverse("handling:sign", args=[lead.pk]) not in html
    assert reverse("handling:contact", args=[lead.pk]) in html
    assert reverse("handling:reply", args=[lead.pk]) in html
    assert reverse("handling:opinion", args=[lead.pk]) not in html
    page = text(response)
    assert "全部或主要问题已解决(A)" in page
    assert "保存草稿" in page and "提交答复" in page


def test_the_assisting_unit_gets_the_opinion_form_and_no_reply_form(world, client_for, proposal):
    signed(world, proposal)
    assisting = proposal.assignments.get(role="assisting")
    html = client_for(world.assisting_handler).get(reverse("handling:work", args=[proposal.pk])).content.decode()
    assert reverse("handling:opinion", args=[assisting.pk]) in html
    assert reverse("handling:reply", args=[assisting.pk]) not in html


# --- signing for --------------------------------------------------------------------------------------------


def test_signing_for_moves_the_proposal_into_handling(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:sign", args=[lead.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("handling:work", args=[proposal.pk])
    assert "已签收" in text(response)
    lead.refresh_from_db()
    proposal.refresh_from_db()
    assert lead.status == Assignment.Status.SIGNED and lead.signed_by == world.lead_handler
    assert proposal.state == State.HANDLING
    assert "assignment.signed" in actions(proposal)


def test_signing_twice_is_refused_with_a_message(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    client.post(reverse("handling:sign", args=[lead.pk]))
    before = actions(proposal)
    response = client.post(reverse("handling:sign", args=[lead.pk]), follow=True)
    assert "该提案已签收。" in text(response)
    assert actions(proposal) == before


def test_another_unit_cannot_sign_for(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    assert client_for(world.other_handler).post(reverse("handling:sign", args=[lead.pk])).status_code == 404
    assert client_for(world.assisting_handler).post(reverse("handling:sign", args=[lead.pk])).status_code == 404
    assert client_for(world.member).post(reverse("handling:sign", args=[lead.pk])).status_code == 403
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.ASSIGNED
    assert "assignment.signed" not in actions(proposal)


def test_actions_need_a_post(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    assert client_for(world.lead_handler).get(reverse("handling:sign", args=[lead.pk])).status_code == 405


# --- reassignment -------------------------------------------------------------------------------------------


def test_requesting_reassignment_with_a_reason(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:reassign", args=[lead.pk]), {
        "reason": "该事项属于区财政局职责", "suggested_unit": "区财政局"}, follow=True)
    assert "退办申请已提交提案委。" in text(response)
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.REASSIGNMENT_REQUESTED
    request = lead.reassignment_requests.get()
    assert request.reason == "该事项属于区财政局职责" and request.suggested_unit == "区财政局"
    assert "reassignment.requested" in actions(proposal)


def test_reassignment_without_a_reason_changes_nothing(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:reassign", args=[lead.pk]), {"reason": ""},
                                                  follow=True)
    assert "这个字段是必填项。" in text(response)
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.ASSIGNED
    assert "reassignment.requested" not in actions(proposal)


def test_reassignment_after_the_window_is_refused_and_not_offered(world, client_for):
    old = assigned_proposal(world, "关于完善社区养老服务的建议", at=datetime.datetime(2023, 3, 1, 10, tzinfo=datetime.UTC))
    lead = old.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    html = client.get(reverse("handling:work", args=[old.pk])).content.decode()
    assert reverse("handling:reassign", args=[lead.pk]) not in html
    response = client.post(reverse("handling:reassign", args=[lead.pk]), {"reason": "不属于本单位职责"}, follow=True)
    assert "申请退办的期限已于" in text(response)
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.ASSIGNED
    assert "reassignment.requested" not in actions(old)


def test_another_unit_cannot_request_reassignment(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.other_handler).post(reverse("handling:reassign", args=[lead.pk]),
                                                    {"reason": "不属于本单位职责"})
    assert response.status_code == 404
    assert not lead.reassignment_requests.exists()


# --- contact with the proposer ------------------------------------------------------------------------------


def test_recording_a_contact(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    response = client.post(reverse("handling:contact", args=[lead.pk]), {
        "method": "phone", "contacted_on": TODAY.isoformat(), "summary": "电话沟通了办理思路"}, follow=True)
    assert "办前沟通已记录。" in text(response) and "电话沟通了办理思路" in text(response)
    record = ContactRecord.objects.get()
    assert record.assignment == lead and record.method == "phone"
    assert "contact.recorded" in actions(proposal)
    page = text(client.get(reverse("handling:inbox")))
    assert "待办前沟通" not in page and proposal.title in section(page, "待答复")


def test_a_contact_in_the_future_is_refused(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:contact", args=[lead.pk]), {
        "method": "phone", "contacted_on": (TODAY + datetime.timedelta(days=3)).isoformat(), "summary": "电话"},
        follow=True)
    assert "沟通日期不能晚于今天。" in text(response)
    assert not ContactRecord.objects.exists()
    assert "contact.recorded" not in actions(proposal)


def test_another_unit_cannot_record_a_contact(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.other_handler).post(reverse("handling:contact", args=[lead.pk]), {
        "method": "phone", "contacted_on": TODAY.isoformat(), "summary": "电话"})
    assert response.status_code == 404
    assert not ContactRecord.objects.exists()


# --- assisting opinion --------------------------------------------------------------------------------------


def test_the_assisting_unit_sends_an_opinion_the_lead_unit_reads(world, client_for, proposal):
    signed(world, proposal)
    assisting = proposal.assignments.get(role="assisting")
    response = client_for(world.assisting_handler).post(reverse("handling:opinion", args=[assisting.pk]),
                                                        {"body": "建议在学校设立心理辅导室。"}, follow=True)
    assert "会办意见已发送主办单位。" in text(response)
    assert AssistingOpinion.objects.get().assignment == assisting
    assert "opinion.sent" in actions(proposal)
    page = text(client_for(world.lead_handler).get(reverse("handling:work", args=[proposal.pk])))
    assert "建议在学校设立心理辅导室。" in page and "区教科局" in page


def test_an_opinion_before_signing_for_is_refused(world, client_for, proposal):
    assisting = proposal.assignments.get(role="assisting")
    response = client_for(world.assisting_handler).post(reverse("handling:opinion", args=[assisting.pk]),
                                                        {"body": "同意。"}, follow=True)
    assert "请先签收" in text(response)
    assert not AssistingOpinion.objects.exists()
    assert "opinion.sent" not in actions(proposal)


def test_the_lead_unit_cannot_send_an_assisting_opinion(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:opinion", args=[lead.pk]), {"body": "同意。"},
                                                   follow=True)
    assert "您无权执行此操作。" in text(response)
    assert not AssistingOpinion.objects.exists()


def test_another_unit_cannot_send_an_opinion(world, client_for, proposal):
    signed(world, proposal)
    assisting = proposal.assignments.get(role="assisting")
    response = client_for(world.other_handler).post(reverse("handling:opinion", args=[assisting.pk]),
                                                    {"body": "同意。"})
    assert response.status_code == 404
    assert not AssistingOpinion.objects.exists()


# --- the reply ----------------------------------------------------------------------------------------------


def test_saving_a_draft_then_submitting_it(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    assert "答复草稿已保存。" in text(client.post(reverse("handling:reply", args=[lead.pk]), {**REPLY, "save": "1"},
                                                follow=True))
    reply = Reply.objects.get()
    assert reply.status == Reply.Status.DRAFT and reply.document_number == "朝民函〔2023〕5号"
    assert "reply.submitted" not in actions(proposal)
    response = client.post(reverse("handling:reply", args=[lead.pk]), {**REPLY, "submit": "1"}, follow=True)
    assert "答复已提交" in text(response)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.COSIGNING and reply.round == 1
    assert "reply.submitted" in actions(proposal)
    # the letter is shown around the body with the co-signature still pending
    page = text(response)
    assert "首先感谢您对民政工作的关心。" in page and "协办未会签" in page


def test_the_signer_defaults_to_the_units_leader(world, client_for, proposal):
    unit = world.units["区民政局"]
    unit.leader = "王强"
    unit.save()
    signed(world, proposal)
    html = client_for(world.lead_handler).get(reverse("handling:work", args=[proposal.pk])).content.decode()
    assert 'value="王强"' in html


def test_submitting_an_incomplete_reply_names_what_is_missing(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:reply", args=[lead.pk]), {
        **REPLY, "contact_phone": "", "submit": "1"}, follow=True)
    # The error stands beside the field, under its own label, and everything typed is still there.
    html = response.content.decode()
    field = html[html.index('for="id_contact_phone"'):]
    assert "联系电话" in field[:80] and "这个字段是必填项。" in field[:field.index("</div>")]
    assert REPLY["body"].splitlines()[0] in html and f'value="{REPLY["contact_name"]}"' in html
    assert not Reply.objects.filter(status__in=Reply.SUBMITTED).exists()
    assert "reply.submitted" not in actions(proposal)


def test_a_submitted_reply_cannot_be_changed(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:reply", args=[lead.pk]), {
        **REPLY, "body": "改写的答复", "save": "1"}, follow=True)
    assert "答复已提交，不能再修改。" in text(response)
    reply.refresh_from_db()
    assert reply.body == REPLY["body"]


def test_the_assisting_unit_cannot_write_the_reply(world, client_for, proposal):
    signed(world, proposal)
    assisting = proposal.assignments.get(role="assisting")
    response = client_for(world.assisting_handler).post(reverse("handling:reply", args=[assisting.pk]),
                                                        {**REPLY, "submit": "1"}, follow=True)
    assert "您无权执行此操作。" in text(response)
    assert not Reply.objects.exists()


def test_another_unit_cannot_write_the_reply(world, client_for, proposal):
    signed(world, proposal)
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.other_handler).post(reverse("handling:reply", args=[lead.pk]),
                                                    {**REPLY, "submit": "1"})
    assert response.status_code == 404
    assert client_for(world.member).post(reverse("handling:reply", args=[lead.pk]), REPLY).status_code == 403
    assert not Reply.objects.exists()


def test_a_reply_before_signing_for_is_refused(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:reply", args=[lead.pk]),
                                                   {**REPLY, "submit": "1"}, follow=True)
    assert "提案处于“已交办”状态，不能执行此操作。" in text(response)
    assert not Reply.objects.exists()


def test_a_separate_unit_replies_on_its_own(world, client_for):
    p = signed(world, assigned_proposal(world, separate=["区民政局", "区司法局"]))
    mine = p.assignments.get(unit=world.units["区民政局"])
    client_for(world.lead_handler).post(reverse("handling:reply", args=[mine.pk]), {**REPLY, "submit": "1"})
    reply = Reply.objects.get()
    assert reply.status == Reply.Status.SUPERVISION and not reply.cosignatures.exists()


# --- co-signing ---------------------------------------------------------------------------------------------


def test_the_assisting_unit_reads_the_letter_and_cosigns(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    signature = ReplyCoSignature.objects.get(reply=reply)
    client = client_for(world.assisting_handler)
    page = client.get(reverse("handling:work", args=[proposal.pk]))
    assert reverse("handling:cosign", args=[signature.pk]) in page.content.decode()
    assert "首先感谢您对民政工作的关心。" in text(page)
    response = client.post(reverse("handling:cosign", args=[signature.pk]), follow=True)
    assert "本单位已会签答复。" in text(response)
    reply.refresh_from_db()
    signature.refresh_from_db()
    assert signature.signed_by == world.assisting_handler
    assert reply.status == Reply.Status.SUPERVISION
    assert "reply.cosigned" in actions(proposal)


def test_cosigning_twice_is_refused(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    signature = ReplyCoSignature.objects.get(reply=reply)
    client = client_for(world.assisting_handler)
    client.post(reverse("handling:cosign", args=[signature.pk]))
    response = client.post(reverse("handling:cosign", args=[signature.pk]), follow=True)
    assert "该答复不在会签阶段。" in text(response)
    assert actions(proposal).count("reply.cosigned") == 1


def test_only_the_assisting_unit_cosigns(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    signature = ReplyCoSignature.objects.get(reply=reply)
    for user in (world.lead_handler, world.other_handler):
        assert client_for(user).post(reverse("handling:cosign", args=[signature.pk])).status_code == 404
    assert client_for(world.member).post(reverse("handling:cosign", args=[signature.pk])).status_code == 403
    signature.refresh_from_db()
    assert signature.signed_at is None
    assert "reply.cosigned" not in actions(proposal)


# --- returned replies and rehandling ------------------------------------------------------------------------


def test_a_returned_reply_shows_the_comments_and_is_resubmitted(world, client_for, proposal):
    reply = submitted_reply(world, signed(world, proposal))
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    supervision.reply_return(reply=reply, by=world.supervisor, comments="请补充具体数据")
    lead = proposal.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    page = client.get(reverse("handling:work", args=[proposal.pk]))
    assert "请补充具体数据" in text(page) and "区政府办公室" in text(page)
    assert reverse("handling:reply", args=[lead.pk]) in page.content.decode()
    client.post(reverse("handling:reply", args=[lead.pk]), {**REPLY, "body": "补充了具体数据。", "submit": "1"})
    reply.refresh_from_db()
    assert reply.status == Reply.Status.COSIGNING and reply.body == "补充了具体数据。"
    assert actions(proposal).count("reply.submitted") == 2


def test_rehandling_writes_a_second_reply_and_keeps_the_first(world, client_for, proposal):
    first = submitted_reply(world, signed(world, proposal))
    handling.reply_cosign(reply=first, by=world.assisting_handler)
    supervision.reply_approve(reply=first, by=world.supervisor)
    proposal.refresh_from_db()
    handling.evaluation_submit(proposal=proposal, by=world.member, result="dissatisfied", feedback="未解决")
    lead = proposal.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    page = text(client.get(reverse("handling:work", args=[proposal.pk])))
    assert "撰写重新办理后的答复" in page
    client.post(reverse("handling:reply", args=[lead.pk]), {**REPLY, "body": "经再次研究,答复如下。", "submit": "1"})
    second = Reply.objects.get(round=2)
    assert second.status == Reply.Status.COSIGNING
    first.refresh_from_db()
    assert first.status == Reply.Status.RELEASED and first.body == REPLY["body"]
    page = text(client.get(reverse("handling:work", args=[proposal.pk])))
    assert "首先感谢您对民政工作的关心。" in page and "经再次研究,答复如下。" in page


# --- home tiles ---------------------------------------------------------------------------------------------


def test_unit_tiles_count_the_inbox_groups(world, proposal):
    from tian.dashboard.home import unit_tiles

    tiles = {t["label"]: t for t in unit_tiles(world.lead_handler, world.committee)}
    assert tiles["待签收"]["count"] == 1 and tiles["待签收"]["urgent"]
    assert tiles["待签收"]["url"].startswith(reverse("handling:inbox"))
    assert tiles["待答复"]["count"] == 0
    assert all(t["count"] == 0 for t in unit_tiles(world.other_handler, world.committee))


def test_the_unit_a_proposal_is_rerouted_to_works_on_it(world, client_for, proposal):
    lead = proposal.assignments.get(role="lead")
    request = handling.reassignment_request(assignment=lead, by=world.lead_handler, reason="属于区司法局职责")
    proposal.refresh_from_db()
    handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"])
    new_handler = world.handler_for("区司法局")
    assert proposal.title in section(text(client_for(new_handler).get(reverse("handling:inbox"))), "待签收")
    assert client_for(new_handler).get(reverse("handling:work", args=[proposal.pk])).status_code == 200
    # the unit that left no longer works on it, and the assisting unit still does
    assert client_for(world.lead_handler).get(reverse("handling:work", args=[proposal.pk])).status_code == 404
    assert client_for(world.assisting_handler).get(reverse("handling:work", args=[proposal.pk])).status_code == 200
