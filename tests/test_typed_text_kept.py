"""A form never loses what the user typed (a clerk processing hundreds of replies a week, an elderly member on a
phone): sent after its record moved on (another clerk decided, the draft was submitted from another tab, the unit was
taken off the proposal), what was written is shown on the page the user lands on, to copy (``core/unsaved.py``); a
bulk action whose input the service refuses comes back with its form and selection. Each test was found failing by
a review of every form of the sixteenth session."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.test_bulk import registered
from tests.test_lifecycle_services import build
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.deadlines import services as deadlines
from tian.deadlines.models import ExtensionRequest
from tian.handling import services as handling
from tian.handling.models import (
    Assignment,
    AssistingOpinion,
    Evaluation,
    ReassignmentRequest,
    Reply,
)
from tian.proposals import services
from tian.proposals.models import Proposal, State
from tian.supervision import services as supervision


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _second_handler(world, unit_name, username):
    """Another handler of the same unit: units have several, each with the unit's work page open."""
    return account_services.user_create(username=username, full_name=username, password=PASSWORD,
                                        roles=[Role.UNIT_HANDLER], unit=world.units[unit_name], validate=False)


# --- Text typed into a form whose record moved on meanwhile is lost unseen -------------------------------------


def test_a_members_evaluation_sent_after_the_proposal_moved_on_keeps_the_feedback_typed(world, client_for):
    """The co-signer writes her feedback on the reply; meanwhile the lead proposer rated it 不满意 and the proposal
    went to rehandling. Her page answers "已被他人处理，请刷新页面。" and the feedback she typed is gone
    (pages/proposals/office.py: proposal_action's ``seen_state`` check redirects with a message only)."""
    case = build(world, "replied")
    handling.evaluation_submit(proposal=case.proposal, by=world.member, result="dissatisfied", feedback="不满意")
    feedback = "答复只讲了已经做过的工作，对我们提出的关爱站建设没有具体安排，希望明确时间表。"
    response = client_for(world.cosigner).post(
        reverse("proposals:action", args=[case.proposal.pk, "evaluate"]),
        {"state": State.REPLIED, "result": "basic", "feedback": feedback}, follow=True)
    assert response.status_code in (200, 422)
    assert not Evaluation.objects.filter(proposal=case.proposal, member=world.cosigner.member).exists()
    assert feedback in response.content.decode()


def test_a_return_note_sent_after_another_clerk_registered_the_proposal_is_shown_to_copy(world, client_for):
    """Two clerks review the plenary's proposals; one registers a proposal while the other writes what the proposer
    should revise. The second gets "已被他人处理" and the note is gone (office.proposal_action)."""
    case = build(world, "submitted")
    services.proposal_register(proposal=case.proposal, by=world.staff)
    note = "建议部分只有原则性表述，请补充具体可操作的措施，并将“一是”“二是”各条写明责任单位。"
    response = client_for(world.staff).post(reverse("proposals:action", args=[case.proposal.pk, "return"]),
                                            {"state": State.SUBMITTED, "note": note}, follow=True)
    assert Proposal.objects.get(pk=case.proposal.pk).state == State.REGISTERED
    assert note in response.content.decode()


def test_a_refusal_reason_sent_after_another_clerk_decided_the_request_is_shown_to_copy(world, client_for):
    """A unit's reassignment request decided by one clerk while another typed the reason for refusing it: the second
    reason is lost (office._decide redirects on every refusal but ``invalid_input``)."""
    case = build(world, "handling", request="pending")
    handling.reassignment_refuse(request=case.request, by=world.staff, note="属于本单位职责")
    note = "该提案涉及的教育经费保障属于区教科局职责，且退办申请已超过规定期限，不予同意。"
    response = client_for(world.staff).post(reverse("proposals:reassignment_decide", args=[case.request.pk]),
                                            {"decision": "refuse", "note": note}, follow=True)
    assert ReassignmentRequest.objects.get(pk=case.request.pk).decision_note == "属于本单位职责"
    assert note in response.content.decode()


def test_a_draft_saved_from_a_second_tab_after_it_was_submitted_keeps_the_text_typed(world, client_for):
    """The member submitted on one device and goes on typing on the other: 保存 answers with the submitted proposal and
    "不能再修改", and what was typed is gone (pages/proposals/author.py: _where_it_stands)."""
    case = build(world, "submitted")
    body = "补充：据区民政局统计，全区农村留守儿童共1286名，其中独居的43名，建议优先为他们建立关爱档案。"
    member = client_for(world.member)
    response = member.post(reverse("proposals:edit", args=[case.proposal.pk]), {
        "title": case.proposal.title, "body": body, "save": "1"}, follow=True)
    assert Proposal.objects.get(pk=case.proposal.pk).body != body
    assert body in response.content.decode()
    again = member.get(case.proposal.get_absolute_url())
    assert body not in again.content.decode()  # shown once, on the page landed on


def test_review_comments_sent_after_the_reply_was_returned_by_someone_else_are_shown_to_copy(world, client_for):
    """Approved meanwhile, the comments are shown to copy (includes/unsaved.html); returned meanwhile, the supervisor
    is sent to the queue and the comments are gone (pages/supervision/views.py: review, ``ReplyReturned``)."""
    case = build(world, "supervision")
    colleague = account_services.user_create(username="区政府办2", full_name="区政府办2", password=PASSWORD,
                                             roles=[Role.SUPERVISOR], office=world.offices["区政府办公室"],
                                             validate=False)
    supervision.reply_return(reply=case.reply, by=colleague, comments="请补充资金来源")
    comments = "答复中关爱服务站建设的进度表述清楚，同意按A类办结，请承办单位抓好后续落实。"
    response = client_for(world.supervisor).post(reverse("supervision:review", args=[case.reply.pk]),
                                                 {"decision": "approve", "outcome": "", "comments": comments},
                                                 follow=True)
    assert Reply.objects.get(pk=case.reply.pk).status == Reply.Status.RETURNED
    assert comments in response.content.decode()


def test_an_extension_reason_refused_because_one_is_already_pending_is_shown_to_copy(world, client_for):
    """Two handlers of 区民政局: one asked for an extension while the other wrote the reason for another. The work page
    comes back with "已有待处理的延期申请" but without the form (``can_extend`` is false now), so the reason is lost
    (pages/handling/views.py: _work_page shows ``unsaved`` for the reply's body only)."""
    case = build(world, "handling")
    other = _second_handler(world, "区民政局", "区民政局2")
    asked_on = datetime.datetime.combine(case.lead.deadline - datetime.timedelta(days=10), datetime.time(10),
                                         tzinfo=datetime.UTC)  # in time, while the reply was owed
    deadlines.extension_request(assignment=case.lead, by=world.lead_handler, at=asked_on,
                                requested_deadline=case.lead.deadline + datetime.timedelta(days=30), reason="调研")
    reason = "该提案涉及跨部门资金统筹，需待区财政局年度预算调整后方能明确答复内容，特申请延期一个月。"
    response = client_for(other).post(reverse("handling:extension", args=[case.lead.pk]), {
        "requested_deadline": (case.lead.deadline + datetime.timedelta(days=40)).isoformat(), "reason": reason})
    assert ExtensionRequest.objects.count() == 1
    assert reason in response.content.decode()


def test_an_opinion_sent_after_the_unit_was_removed_gets_a_message_and_its_text_not_a_bare_404(world, client_for,
                                                                                                 assigned):
    """An assisting unit that asked for reassignment may still send its opinion (``send_opinion`` from
    ``reassignment_requested``). The office approves the request while the handler writes: the opinion is answered
    with the bare "页面不存在" page and is lost (handling views ``_assignment_for`` → ``get_proposal_row_for``: 404
    before the service can say "本单位已不再承办该提案")."""
    mine = assigned.assignments.get(role="assisting")
    handling.assignment_sign_for(assignment=mine, by=world.assisting_handler)
    request = handling.reassignment_request(assignment=mine, by=world.assisting_handler, reason="不属于本单位职责")
    handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"])
    body = "我局意见：建议将未成年人保护纳入学校德育考核，由各校配备专职心理教师，经费从义务教育经费中列支。"
    response = client_for(world.assisting_handler).post(reverse("handling:opinion", args=[mine.pk]), {"body": body},
                                                        follow=True)
    assert not AssistingOpinion.objects.exists()
    assert response.status_code == 200
    assert body in response.content.decode()


# --- The office's bulk work -----------------------------------------------------------------------------------


def test_a_bulk_assignment_with_an_input_error_comes_back_with_the_form_and_the_selection(world, client_for):
    """The same unit as lead and assisting, or a reply deadline past the cap: the form passes, every proposal is then
    refused by the service with the same input error, and the clerk lands on a result page of "0 件已完成" with the
    form and the selection gone (pages/proposals/bulk.py: bulk runs before the service has checked the input once;
    the proposal page keeps its form on ``invalid_input``)."""
    ready = [registered(world, f"关于交办{i}的建议") for i in range(3)]
    today = timezone.localdate()
    lead = world.units["区民政局"]
    response = client_for(world.staff).post(reverse("proposals:bulk"), {
        "action": "assign", "step": "run", "ids": [p.pk for p in ready], "lead_unit": lead.pk,
        "assisting_units": [lead.pk], "assigned_on": today.isoformat(),
        "reply_deadline": (today + datetime.timedelta(days=60)).isoformat()}, follow=True)
    html = response.content.decode()
    assert not Assignment.objects.exists()
    assert "区民政局被重复选择" in html
    assert f'value="{lead.pk}" selected' in html
    assert sorted(int(v) for v in re.findall(r'name="ids" value="(\d+)"', html)) == sorted(p.pk for p in ready)


