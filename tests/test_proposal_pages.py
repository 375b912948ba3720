"""The proposal pages driven through the test client as each role would use them."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import submitted_on
from tian.handling import services as handling
from tian.handling.models import Assignment, Reply
from tian.proposals.models import CoSignature, Event, Proposal, State, TopicCategory
from tian.supervision import services as supervision

TITLE = "关于加强全区未成年人关爱保护工作的建议"
BODY = "未成年人是祖国的未来、民族的希望。\n一是要在提高认识上着力。\n二是要在加大保障上着力。"


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def draft_via_page(world, client_for):
    member = client_for(world.member)
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    response = member.post(reverse("proposals:new"), {"title": TITLE, "body": BODY, "category": category.pk,
                                                      "disclosure_consent": "on", "contact_phone": "13700000001"})
    assert response.status_code == 302
    return Proposal.objects.get(title=TITLE), member


def test_member_drafts_invites_and_submits(world, client_for):
    proposal, member = draft_via_page(world, client_for)
    assert proposal.state == State.DRAFT and proposal.lead_member == world.member.member
    response = member.post(reverse("proposals:invite", args=[proposal.pk]), {"members": [world.cosigner.member.pk]})
    assert response.status_code == 302
    invitation = CoSignature.objects.get(proposal=proposal)
    home = client_for(world.cosigner).get(reverse("dashboard:home_member"))
    assert TITLE in home.content.decode()
    # An answer never given (a crafted form, a lost field) is not a refusal: nothing changes.
    for data in ({}, {"answer": "maybe"}):
        response = client_for(world.cosigner).post(reverse("proposals:cosign_respond", args=[invitation.pk]), data,
                                                   follow=True)
        assert "请选择同意或谢绝" in _text(response)
        invitation.refresh_from_db()
        assert invitation.status == CoSignature.Status.INVITED
    response = client_for(world.cosigner).post(reverse("proposals:cosign_respond", args=[invitation.pk]),
                                               {"answer": "accept"})
    invitation.refresh_from_db()
    assert invitation.status == CoSignature.Status.ACCEPTED
    response = member.post(reverse("proposals:edit", args=[proposal.pk]), {
        "title": TITLE, "body": BODY, "category": proposal.category_id, "disclosure_consent": "on", "submit": "1"})
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    assert Event.objects.filter(proposal=proposal, action="proposal.submitted", actor=world.member).exists()


def test_autosave_keeps_the_draft(world, client_for):
    proposal, member = draft_via_page(world, client_for)
    response = member.post(reverse("proposals:autosave", args=[proposal.pk]), {
        "title": TITLE + "(修改)", "body": BODY, "category": proposal.category_id, "disclosure_consent": "on"})
    assert response.status_code == 200
    assert "自动保存" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.title.endswith("(修改)")


def test_submitting_without_a_category_is_refused_and_changes_nothing(world, client_for):
    proposal, member = draft_via_page(world, client_for)
    response = member.post(reverse("proposals:edit", args=[proposal.pk]), {
        "title": TITLE, "body": BODY, "category": "", "disclosure_consent": "on", "submit": "1"}, follow=True)
    assert "请选择提案类别" in _text(response)
    proposal.refresh_from_db()
    assert proposal.state == State.DRAFT
    assert not Event.objects.filter(proposal=proposal, action="proposal.submitted").exists()


def test_overlong_body_is_refused_next_to_the_field(world, client_for):
    proposal, member = draft_via_page(world, client_for)
    response = member.post(reverse("proposals:edit", args=[proposal.pk]), {
        "title": TITLE, "body": "字" * 3000, "category": proposal.category_id, "disclosure_consent": "on"})
    assert response.status_code == 200
    assert "上限为 2500" in _text(response)
    proposal.refresh_from_db()
    assert proposal.body == BODY


def test_a_stranger_cannot_see_or_edit_a_draft(world, client_for):
    proposal, _member = draft_via_page(world, client_for)
    stranger = client_for(world.stranger)
    assert stranger.get(proposal.get_absolute_url()).status_code == 404
    assert stranger.get(reverse("proposals:edit", args=[proposal.pk])).status_code == 404
    assert client_for(world.staff).get(proposal.get_absolute_url()).status_code == 404  # drafts are private


def _submitted(world, client_for):
    proposal, member = draft_via_page(world, client_for)
    member.post(reverse("proposals:action", args=[proposal.pk, "submit"]))
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    return proposal


def test_member_cannot_register_and_nothing_changes(world, client_for):
    proposal = _submitted(world, client_for)
    response = client_for(world.member).post(reverse("proposals:action", args=[proposal.pk, "register"]),
                                             follow=True)
    assert "您无权执行此操作" in _text(response)
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED and proposal.number is None


def test_staff_return_needs_a_note(world, client_for):
    proposal = _submitted(world, client_for)
    staff = client_for(world.staff)
    staff.post(reverse("proposals:action", args=[proposal.pk, "return"]), {"note": ""})
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    staff.post(reverse("proposals:action", args=[proposal.pk, "return"]), {"note": "请补充具体建议"})
    proposal.refresh_from_db()
    assert proposal.state == State.RETURNED
    page = _text(client_for(world.member).get(reverse("proposals:edit", args=[proposal.pk])))
    assert "请补充具体建议" in page


def test_staff_decline_with_a_ground(world, client_for):
    proposal = _submitted(world, client_for)
    ground = world.committee.decline_grounds.first()
    client_for(world.staff).post(reverse("proposals:action", args=[proposal.pk, "decline"]),
                                 {"ground": ground.pk, "forward": "opinion", "note": ""})
    proposal.refresh_from_db()
    assert proposal.state == State.DECLINED and proposal.decline_ground == ground
    assert "不予立案" in _text(client_for(world.member).get(proposal.get_absolute_url()))


def test_review_queue_lists_submitted_proposals_oldest_first(world, client_for):
    first = _submitted(world, client_for)
    Proposal.objects.filter(pk=first.pk).update(title="较早的提案",
                                                submitted_at=timezone.now() - datetime.timedelta(days=2))
    _submitted(world, client_for)
    page = client_for(world.staff).get(reverse("proposals:review_queue")).content.decode()
    assert page.index("较早的提案") < page.index(TITLE)
    assert client_for(world.member).get(reverse("proposals:review_queue")).status_code == 403


def run_seed_story_through_pages(world, client_for):
    """The seed page's history, each step by its role: pages where they exist, services for unit steps."""
    proposal, member = draft_via_page(world, client_for)
    member.post(reverse("proposals:invite", args=[proposal.pk]), {"members": [world.cosigner.member.pk]})
    client_for(world.cosigner).post(reverse("proposals:cosign_respond",
                                            args=[proposal.cosignatures.get().pk]), {"answer": "accept"})
    member.post(reverse("proposals:action", args=[proposal.pk, "submit"]))
    staff = client_for(world.staff)
    staff.post(reverse("proposals:action", args=[proposal.pk, "register"]), {"note": ""})
    units = world.units
    for name in ("区司法局", "区公安分局", "区妇联"):
        world.handler_for(name)
    submitted_on(proposal, datetime.date(2023, 2, 15))  # the seed's day: its story is dated in 2023
    response = staff.post(reverse("proposals:action", args=[proposal.pk, "assign"]), {
        "lead_unit": units["区民政局"].pk,
        "assisting_units": [units[n].pk for n in ("区教科局", "区司法局", "区公安分局", "区妇联")],
        "assigned_on": "2023-03-16", "supervising_offices": [o.pk for o in world.offices.values()],
        "lead_officials": [world.lead_official.pk]})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == State.ASSIGNED, _messages(response)
    for assignment in proposal.assignments.select_related("unit"):
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name))
    lead = proposal.assignments.get(unit=units["区民政局"])
    handling.contact_record(assignment=lead, by=world.lead_handler, method="phone",
                            contacted_on=datetime.date(2023, 9, 1), summary="电话沟通办理思路")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="首先感谢您的关注和支持。\n现答复如下。",
                                outcome="A", contact_name="贺威", contact_phone="13795952836",
                                reply_date=datetime.date(2023, 10, 11))
    handling.reply_submit(reply=reply, by=world.lead_handler)
    page = _text(staff.get(proposal.get_absolute_url()))
    assert "协办未会签" in page
    for assignment in proposal.assignments.filter(role="assisting").select_related("unit"):
        handling.reply_cosign(reply=reply, by=world.handler_for(assignment.unit.name))
    assert "督办未审核" in _text(staff.get(proposal.get_absolute_url()))
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    proposal.refresh_from_db()
    assert proposal.state == State.REPLIED
    assert "委员未评价" in (page := _text(member.get(proposal.get_absolute_url()))) and "评价截止" in page
    assert member.get(f"/api/v1/proposals/{proposal.pk}").json()["evaluation_open_until"] is not None
    member.post(reverse("proposals:action", args=[proposal.pk, "evaluate"]),
                {"result": "satisfied", "feedback": "非常满意"})
    client_for(world.cosigner).post(reverse("proposals:action", args=[proposal.pk, "evaluate"]),
                                    {"result": "satisfied"})
    staff.post(reverse("proposals:action", args=[proposal.pk, "close"]))
    staff.post(reverse("proposals:action", args=[proposal.pk, "disclose"]))
    proposal.refresh_from_db()
    return proposal


def test_the_seed_story_ends_with_every_fact_on_the_page(world, client_for):
    proposal = run_seed_story_through_pages(world, client_for)
    assert proposal.state == State.CLOSED and proposal.is_public
    page = _text(client_for(world.member).get(proposal.get_absolute_url()))
    expected_in_order = [
        "编号", "第〔1〕号", "所属类别", "委员提案", "提案人", "刘安泽", "联名人", "徐丽娟", TITLE,
        "未成年人是祖国的未来", "审查结果", "已立案", "信息公开", "是", "交办时间", "2023年3月16日", "是否重点", "否",
        "督办单位", "区政府办公室", "区委目标绩效办", "牵头领导", "杨金军", "主办单位", "区民政局", "协办单位", "区教科局",
        "区司法局", "区公安分局", "区妇联", "( A )类", f"关于政协广元市朝天区{proposal.session.name}第1号委员提案的回复",
        "尊敬的刘安泽、徐丽娟委员:", "首先感谢您的关注和支持。", "此复。", "广元市朝天区民政局", "2023年10月11日",
        "(联系人:贺威 联系电话:137****2836)", "广元市朝天区教育和科学技术局", "广元市公安局朝天区分局",
        "广元市朝天区妇女联合会", "落实情况", "全部或主要问题已解决(A)", "督办审核", "已通过", "满意评价", "满意",
        "反馈意见", "非常满意", "提案编号", f"{proposal.year}年度第1号", "领衔委员", "刘安泽", "附议委员", "徐丽娟",
    ]
    position = 0
    for text in expected_in_order:
        found = page.find(text, position)
        assert found >= 0, f"{text!r} missing after position {position}: {page[position:position + 700]}"
        position = found
    # Staff see the handler's phone unmasked; the timeline lists every step.
    staff_page = _text(client_for(world.staff).get(proposal.get_absolute_url()))
    assert "13795952836" in staff_page
    for label in ("已提交", "已立案", "已交办", "答复已发布", "已办结"):
        assert label in staff_page, label


def test_units_outside_the_assignment_get_404(world, client_for):
    proposal = run_seed_story_through_pages(world, client_for)
    assert client_for(world.other_handler).get(proposal.get_absolute_url()).status_code == 200  # it is public now
    Proposal.objects.filter(pk=proposal.pk).update(is_public=False)
    assert client_for(world.other_handler).get(proposal.get_absolute_url()).status_code == 404
    assert client_for(world.lead_handler).get(proposal.get_absolute_url()).status_code == 200
    assert Assignment.objects.filter(proposal=proposal).count() == 5


@pytest.mark.parametrize("url_name", ["proposals:list", "proposals:review_queue"])
def test_office_lists_are_for_staff(world, client_for, url_name):
    assert client_for(world.staff).get(reverse(url_name)).status_code == 200
    assert client_for(world.member).get(reverse(url_name)).status_code == 403
    assert client_for(world.lead_handler).get(reverse(url_name)).status_code == 403


def test_staff_enter_a_paper_proposal_on_a_members_behalf(world, client_for):
    staff = client_for(world.staff)
    category = TopicCategory.objects.get(committee=world.committee, name="经济建设")
    response = staff.post(reverse("proposals:new"), {
        "lead_member": world.cosigner.member.pk, "title": "关于发展特色农业的建议", "body": "建议如下。",
        "category": category.pk, "disclosure_consent": "on"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="关于发展特色农业的建议")
    assert proposal.lead_member == world.cosigner.member and proposal.created_by == world.staff
    staff.post(reverse("proposals:action", args=[proposal.pk, "submit"]))
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    # the member sees it as their own
    assert proposal.title in client_for(world.cosigner).get(reverse("proposals:mine")).content.decode()


def test_staff_must_name_the_proposer_of_a_paper_proposal(world, client_for):
    response = client_for(world.staff).post(reverse("proposals:new"), {"title": "无提案人的提案"})
    assert response.status_code == 200
    assert "请选择领衔委员或集体提案单位" in _text(response)
    assert not Proposal.objects.filter(title="无提案人的提案").exists()


def test_collective_proposer_submits_in_its_own_name(world, client_for):
    client = client_for(world.collective)
    category = TopicCategory.objects.get(committee=world.committee, name="其他")
    client.post(reverse("proposals:new"), {"title": "关于加强统一战线工作的建议", "body": "建议。",
                                           "category": category.pk, "disclosure_consent": "on"})
    proposal = Proposal.objects.get(title="关于加强统一战线工作的建议")
    assert proposal.kind == "collective" and proposal.collective == world.collective_org
    client.post(reverse("proposals:action", args=[proposal.pk, "submit"]))
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    assert "集体提案" in _text(client.get(proposal.get_absolute_url()))


def test_withdrawn_before_registration_and_not_after(world, client_for):
    proposal = _submitted(world, client_for)
    client_for(world.staff).post(reverse("proposals:action", args=[proposal.pk, "register"]))
    response = client_for(world.member).post(reverse("proposals:action", args=[proposal.pk, "withdraw"]),
                                             follow=True)
    proposal.refresh_from_db()
    assert proposal.state == State.REGISTERED
    assert "不能执行此操作" in _text(response) or "无权" in _text(response)


def test_two_staff_at_once_the_second_is_told_it_was_handled(world, client_for):
    proposal = _submitted(world, client_for)
    first, second = client_for(world.staff), client_for(world.admin)
    first.post(reverse("proposals:action", args=[proposal.pk, "register"]), {"state": "submitted"})
    # a second office worker who still sees the "submitted" page clicks "return"
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role

    accounts.user_update(user=world.admin, roles=[Role.ADMIN, Role.STAFF])
    response = second.post(reverse("proposals:action", args=[proposal.pk, "return"]),
                           {"state": "submitted", "note": "请修改"}, follow=True)
    assert "已被他人处理" in _text(response)
    proposal.refresh_from_db()
    assert proposal.state == State.REGISTERED


def test_staff_record_the_cosigners_of_a_paper_form(world, client_for):
    staff = client_for(world.staff)
    category = TopicCategory.objects.get(committee=world.committee, name="经济建设")
    staff.post(reverse("proposals:new"), {"lead_member": world.member.member.pk, "title": "关于纸质提案的建议",
                                          "body": "建议。", "category": category.pk, "disclosure_consent": "on"})
    proposal = Proposal.objects.get(title="关于纸质提案的建议")
    staff.post(reverse("proposals:invite", args=[proposal.pk]), {"members": [world.cosigner.member.pk]})
    signature = proposal.cosignatures.get()
    assert signature.status == CoSignature.Status.ACCEPTED
    assert Event.objects.filter(proposal=proposal, action="cosign.recorded_on_paper").exists()


def test_uploads_are_checked_by_content_and_served_only_to_those_who_may_see(world, client_for, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tian.proposals.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    proposal, member = draft_via_page(world, client_for)
    url = reverse("proposals:upload", args=[proposal.pk])
    fake = SimpleUploadedFile("说明.pdf", b"<html><script>alert(1)</script></html>")
    response = member.post(url, {"file": fake}, follow=True)
    assert "文件内容与文件名不符" in _text(response)
    member.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ...")})
    assert not Attachment.objects.exists()
    member.post(url, {"file": SimpleUploadedFile("说明.pdf", b"%PDF-1.4 real enough")})
    attachment = Attachment.objects.get()
    response = member.get(reverse("proposals:attachment", args=[attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment") and "sandbox" in response["Content-Security-Policy"]
    assert client_for(world.stranger).get(reverse("proposals:attachment", args=[attachment.pk])).status_code == 404
    assert str(tmp_path) in attachment.file.path and "static" not in attachment.file.path


def test_visitors_not_signed_in_go_to_the_public_page_or_to_sign_in(world, client_for):
    from django.test import Client

    proposal = run_seed_story_through_pages(world, client_for)
    response = Client().get(proposal.get_absolute_url())
    assert response.status_code == 302 and response.url == reverse("portal:detail", args=[proposal.pk])
    Proposal.objects.filter(pk=proposal.pk).update(is_public=False)
    response = Client().get(proposal.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_office_list_remembers_its_filters(world, client_for):
    staff = client_for(world.staff)
    staff.get(reverse("proposals:list") + "?state=submitted&page=1")
    response = staff.get(reverse("proposals:list"))
    assert response.status_code == 302 and "state=submitted" in response.url
    staff.get(reverse("proposals:list") + "?reset=1")
    assert staff.get(reverse("proposals:list")).status_code == 200



# The office's forms on the proposal page keep what was entered after an error (issue #22 point 1).

def _registered(world, title="关于完善社区养老服务的建议"):
    from tian.proposals import services

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=category,
                                       suggested_units=[world.units["区财政局"]])
    return services.proposal_register(proposal=services.proposal_submit(proposal=p, by=world.member), by=world.staff)


def _field(html: str, name: str, form: str = "") -> str:
    """The block (label, input, errors, help) of the field named ``name``, in the form after ``form`` (an id)."""
    if form:
        html = html.split(f'id="{form}"', 1)[1]
    for chunk in html.split('<div class="field')[1:]:
        if f'name="{name}"' in chunk:
            return chunk.split("</form>")[0]
    raise AssertionError(name)


def test_the_assign_form_offers_today_and_explains_separate_units(world, client_for):
    proposal = _registered(world)
    html = client_for(world.staff).get(proposal.get_absolute_url()).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in _field(html, "assigned_on")
    assert "各自独立办理、分别答复" in _field(html, "separate_units")


def test_a_wrong_deadline_on_the_assign_form_keeps_every_input_and_names_the_field(world, client_for):
    proposal = _registered(world)
    units = world.units
    response = client_for(world.staff).post(reverse("proposals:action", args=[proposal.pk, "assign"]), {
        "state": proposal.state, "lead_unit": units["区民政局"].pk,
        "assisting_units": [units["区教科局"].pk, units["区司法局"].pk], "assigned_on": "2024-05-10",
        "reply_deadline": "2024-05-01", "is_key": "on", "lead_officials": [world.lead_official.pk],
        "supervising_offices": [world.offices["区政府办公室"].pk]})
    assert response.status_code == 422
    html = response.content.decode()
    deadline = _field(html, "reply_deadline")
    assert "答复期限必须晚于交办日期" in deadline and "field--error" in deadline and "办理期限" not in deadline
    assert 'value="2024-05-01"' in deadline and 'value="2024-05-10"' in _field(html, "assigned_on")
    assert f'value="{units["区民政局"].pk}" selected' in html
    for unit in ("区教科局", "区司法局"):
        assert re.search(rf'name="assisting_units" value="{units[unit].pk}"[^>]*checked', html)
    assert re.search(r'name="is_key"[^>]*checked', html)
    assert re.search(rf'name="lead_officials" value="{world.lead_official.pk}"[^>]*checked', html)
    proposal.refresh_from_db()
    assert proposal.state == State.REGISTERED and not proposal.assignments.exists()


def test_a_refusal_of_the_assignment_service_keeps_the_form_too(world, client_for):
    proposal = _registered(world)
    response = client_for(world.staff).post(reverse("proposals:action", args=[proposal.pk, "assign"]), {
        "state": proposal.state, "assisting_units": [world.units["区教科局"].pk],
        "assigned_on": timezone.localdate().isoformat()})
    assert response.status_code == 422
    html = response.content.decode()
    form = html.split('id="do-assign"')[1].split("</form>")[0]
    assert "请至少选择一个主办单位或分办单位" in form  # the service's reason above the form's fields
    assert re.search(rf'name="assisting_units" value="{world.units["区教科局"].pk}"[^>]*checked', html)
    assert not proposal.assignments.exists()


def test_a_decline_without_a_ground_keeps_the_note(world, client_for):
    proposal = _submitted(world, client_for)
    response = client_for(world.staff).post(reverse("proposals:action", args=[proposal.pk, "decline"]),
                                            {"state": proposal.state, "forward": "opinion", "note": "一事多案"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "一事多案" in _field(html, "note", "do-decline") and "field--error" in _field(html, "ground", "do-decline")
    assert re.search(r'<details id="do-decline" open', html)
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


def test_refusing_an_extension_without_a_reason_keeps_the_form_beside_that_request(world, client_for, assigned):
    from tian.deadlines import services as deadlines

    lead = assigned.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    item = deadlines.extension_request(assignment=lead, by=world.lead_handler,
                                       requested_deadline=lead.deadline + datetime.timedelta(days=30), reason="需调研")
    response = client_for(world.staff).post(reverse("proposals:extension_decide", args=[item.pk]),
                                            {"decision": "refuse", "deadline": "", "note": ""})
    assert response.status_code == 422
    html = response.content.decode()
    block = html.split(f'id="extension-{item.pk}"')[1].split("</form>")[0]
    assert "请填写不同意的理由" in block and 'value="refuse" selected' in block
    item.refresh_from_db()
    assert item.status == item.Status.PENDING


# The member's evaluation stands below the reply and, once given, shows as given (issue #22 point 4).

def _replied(world):
    proposal = handling.proposal_assign(proposal=_registered(world), by=world.staff,
                                        lead_units=[world.units["区民政局"]])
    lead = proposal.assignments.get()
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="关于养老服务的答复正文。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000")
    handling.reply_submit(reply=reply, by=world.lead_handler)
    proposal.refresh_from_db()
    assert proposal.state == State.REPLIED
    return proposal


def test_the_member_reads_the_reply_before_the_evaluation_form(world, client_for):
    proposal = _replied(world)
    html = client_for(world.member).get(proposal.get_absolute_url()).content.decode()
    assert html.index("关于养老服务的答复正文") < html.index('name="result"')
    assert 'id="my-evaluation"' in html


def test_a_saved_evaluation_shows_as_saved_not_as_an_empty_form(world, client_for):
    proposal = _replied(world)
    member = client_for(world.member)
    response = member.post(reverse("proposals:action", args=[proposal.pk, "evaluate"]),
                           {"state": proposal.state, "result": "basically_satisfied", "attitude": "satisfied",
                            "contacted": "yes", "feedback": "希望加快落实"})
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url() + "#main"
    page = member.get(proposal.get_absolute_url())
    html, text = page.content.decode(), _text(page)
    assert 'name="result"' not in html
    section = _text_of(html.split('id="my-evaluation"')[1].split("</section>")[0])
    assert f"已评价 · {timezone.localdate().isoformat()}" in section
    assert "基本满意" in section and "满意" in section and "希望加快落实" in section and "是" in section
    assert "不能在本页修改" in section and "0839-8622541" in section
    assert "您的评价" in text


def test_an_evaluation_without_a_rating_keeps_the_feedback(world, client_for):
    proposal = _replied(world)
    response = client_for(world.member).post(reverse("proposals:action", args=[proposal.pk, "evaluate"]),
                                             {"state": proposal.state, "feedback": "写了很长的意见"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "写了很长的意见" in _field(html, "feedback") and "field--error" in _field(html, "result")
    assert not proposal.evaluations.exists()


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_several_requests_on_one_page_each_have_their_own_form_ids(world, client_for, assigned):
    """The lead unit asks for an extension and the assisting unit for reassignment: each decision form's fields have
    ids of their own, so that each label names its own field, and a form's errors stay beside its own request."""
    from tian.deadlines import services as deadlines

    lead, assisting = assigned.assignments.get(role="lead"), assigned.assignments.get(role="assisting")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    extension = deadlines.extension_request(assignment=lead, by=world.lead_handler, reason="需调研",
                                            requested_deadline=lead.deadline + datetime.timedelta(days=20))
    reassignment = handling.reassignment_request(assignment=assisting, by=world.assisting_handler,
                                                 reason="不属于本单位职责")
    html = client_for(world.staff).get(assigned.get_absolute_url()).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for name, item in (("extension", extension), ("reassignment", reassignment)):
        block = html.split(f'id="{name}-{item.pk}"')[1].split("</form>")[0]
        assert f'for="id_{name}{item.pk}_note"' in block and f'id="id_{name}{item.pk}_note"' in block
    response = client_for(world.staff).post(reverse("proposals:extension_decide", args=[extension.pk]),
                                            {"decision": "refuse", "deadline": "", "note": ""})
    html = response.content.decode()
    assert response.status_code == 422
    assert "请填写不同意的理由" in html.split(f'id="extension-{extension.pk}"')[1].split("</form>")[0]
    assert "请填写不同意的理由" not in html.split(f'id="reassignment-{reassignment.pk}"')[1].split("</form>")[0]
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_office_queue_is_the_same_on_its_page_the_home_page_and_the_api(world, client_for):
    # One declaration (pages/proposals/queue.py): every group the page lists is counted on the staff's home page and
    # named in the API's inbox, pending extension requests and proposals waiting to be disclosed included.
    from tests.test_lifecycle_services import at, build
    from tian.accounts.services import token_create
    from tian.deadlines import services as deadlines
    from tian.pages.proposals.queue import OFFICE_QUEUE

    closed = build(world, "closed").proposal  # the proposer agreed to disclosure; not public yet
    handled = build(world, "handling")
    deadlines.extension_request(assignment=handled.lead, by=world.lead_handler, requested_deadline=datetime.date(
        2023, 9, 16), reason="需要调研", at=at(5, 1))
    staff = client_for(world.staff)
    page = staff.get(reverse("proposals:review_queue")).content.decode()
    queue = reverse("proposals:review_queue")
    tiles = {t["url"].rsplit("#", 1)[1]: t for t in staff.get(reverse("dashboard:home_staff")).context["tiles"]
             if t["url"].startswith(queue + "#")}
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.staff, name='t')[1]}")
    kinds = [task["kind"] for task in api.get("/api/v1/inbox").json()]
    for group in OFFICE_QUEUE:
        count = group.rows(world.committee).count()
        assert f'id="{group.anchor}"' in page and tiles[group.anchor]["count"] == count == kinds.count(group.key), (
            group.key)
    assert kinds.count("disclose") == 1 and kinds.count("extension_decision") == 1
    assert closed.title in page and handled.proposal.title in page


@pytest.mark.parametrize("field, day", [("assisting_deadline", "9999-12-31"), ("assisting_deadline", "3026-01-01"),
                                        ("assigned_on", "9999-12-31"), ("assigned_on", "2206-03-16"),
                                        ("assigned_on", "0001-01-01")])
def test_an_impossible_date_is_refused_beside_its_field_and_changes_nothing(world, client_for, field, day):
    """A typed 2206 for 2026, or 9999, was kept: every deadline counted from it ran for centuries, and the proposal's
    pages then took seconds to count the working days up to it, or failed."""
    from tests.test_lifecycle_services import build

    p = build(world, "registered").proposal
    events = Event.objects.count()
    data = {"state": p.state, "lead_unit": str(world.units["区民政局"].pk), "assigned_on": "2023-03-16",
            "assisting_units": [str(world.units["区教科局"].pk)], field: day}
    response = client_for(world.staff).post(reverse("proposals:action", args=[p.pk, "assign"]), data)
    assert response.status_code == 422
    assert "请检查年份" in _text(response) or "不能晚于" in _text(response) or "有效日期" in _text(response)
    assert day in response.content.decode() or field == "assigned_on" and day == "0001-01-01"  # what was typed stays
    assert Proposal.objects.get(pk=p.pk).state == State.REGISTERED and Event.objects.count() == events
    assert not Assignment.objects.filter(proposal=p).exists()


def test_a_rehandling_deadline_past_the_cap_is_refused(world, client_for):
    from tests.test_supervision_pages import assigned_proposal, reply_awaiting_review

    p = assigned_proposal(world)
    supervision.reply_approve(reply=reply_awaiting_review(world, p), by=world.supervisor)
    response = client_for(world.staff).post(reverse("proposals:action", args=[p.pk, "rehandle"]),
                                            {"state": "replied", "deadline": "9999-12-31"})
    assert response.status_code == 422 and "不能晚于" in _text(response)
    assert Proposal.objects.get(pk=p.pk).state == State.REPLIED


def test_a_paper_evaluation_without_its_member_is_refused_beside_the_field_and_keeps_what_was_typed(world,
                                                                                                     client_for):
    """The rating of a member's proposal is always a member's: left empty, the clerk was told "not allowed" and
    lost the typed feedback."""
    from tests.test_portal import BODY, REPLY_BODY, replied
    from tian.handling.models import Evaluation

    p = replied(world, title="关于完善农村饮水安全保障的建议", body=BODY, lead="区民政局", assisting=[],
                reply_body=REPLY_BODY, phone="0839-8622541")
    response = client_for(world.staff).post(reverse("proposals:action", args=[p.pk, "record_paper_evaluation"]),
                                            {"state": p.state, "result": "satisfied", "feedback": "纸质测评表的意见"})
    assert response.status_code == 422
    assert "请选择这份评价是哪位委员的" in _text(response) and "纸质测评表的意见" in response.content.decode()
    assert not Evaluation.objects.filter(proposal=p).exists()


def test_a_second_click_on_submit_shows_the_submitted_proposal(world, client_for):
    """The draft page's second POST (a double click, another tab) found the draft submitted and answered "your role
    may not open this page"; autosave went on saying "saved" while nothing was. Now the author is shown the
    proposal where it stands, and autosave says it is no longer kept."""
    member = client_for(world.member)
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    data = {"title": "关于加强校园周边交通安全的建议", "body": "建议。", "category": category.pk,
            "disclosure_consent": "on", "submit": "1"}
    first = member.post(reverse("proposals:new"), data)
    proposal = Proposal.objects.get(title="关于加强校园周边交通安全的建议")
    assert proposal.state == State.SUBMITTED, first
    again = member.post(reverse("proposals:edit", args=[proposal.pk]), data, follow=True)
    assert again.status_code == 200 and "不能再修改" in _text(again) and proposal.title in _text(again)
    saved = member.post(reverse("proposals:autosave", args=[proposal.pk]), data, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "不能再修改" in saved.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == State.SUBMITTED
    assert client_for(world.stranger).post(reverse("proposals:edit", args=[proposal.pk]), data).status_code in (403, 404)
