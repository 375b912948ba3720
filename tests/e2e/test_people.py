"""Phones, keyboard only, large text and zoom; a declined proposal and a dissatisfied one that is rehandled."""

import datetime

import pytest

from tests.e2e.conftest import shot
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.proposals import services
from tian.proposals.models import Proposal, State, TopicCategory
from tian.supervision import services as supervision

pytestmark = pytest.mark.django_db(transaction=True)


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_member_pages_fit_a_phone(world, open_as):
    page = open_as(world.member, width=390, height=844, mobile=True)
    for path in ("/home/member/", "/proposals/mine/", "/proposals/new/", "/notifications/", "/search/"):
        page.goto(page.base + path)
        assert no_horizontal_scroll(page), path
    shot(page, "member-home-phone")


def test_a_proposal_can_be_drafted_and_submitted_with_the_keyboard_only(world, open_as):
    page = open_as(world.member)
    page.goto(page.base + "/proposals/new/")
    page.focus("#id_title")
    page.keyboard.type("关于键盘操作的建议")
    page.keyboard.press("Tab")  # category
    page.keyboard.press("ArrowDown")
    page.focus("#id_body")
    page.keyboard.type("建议改进。")
    page.focus("button[name=save]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_selector("text=草稿已保存")
    page.focus("button[name=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=提案已提交提案委")
    assert Proposal.objects.get(title="关于键盘操作的建议").state == State.SUBMITTED


def test_large_text_mode_and_200_percent_zoom(world, open_as):
    page = open_as(world.member, width=640, height=900)  # a 1280-pixel screen at 200% zoom
    page.goto(page.base + "/home/member/")
    page.click("a.header-button:has-text('大字模式')")  # one tap, in the header of every page
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert no_horizontal_scroll(page)


def _submitted(world, title):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=category)
    return services.proposal_submit(proposal=p, by=world.member)


def test_a_declined_proposal(world, open_as):
    proposal = _submitted(world, "关于个人事务的建议")
    staff = open_as(world.staff)
    staff.goto(f"{staff.base}/proposals/{proposal.pk}/")
    staff.click("summary:has-text('不予立案')")
    staff.select_option("#id_ground", index=7)
    staff.click("form button:has-text('不予立案')")
    staff.wait_for_selector("text=已作不予立案处理")
    member = open_as(world.member)
    member.goto(f"{member.base}/proposals/{proposal.pk}/")
    assert "不予立案" in member.inner_text("main")


def test_dissatisfied_then_rehandled(world, open_as):
    proposal = _submitted(world, "关于改善农村饮水的建议")
    proposal = services.proposal_register(proposal=proposal, by=world.staff)
    proposal = handling.proposal_assign(proposal=proposal, by=world.staff, lead_units=[world.units["区民政局"]],
                                        supervising_offices=[world.offices["区政府办公室"]])
    handling.assignment_sign_for(assignment=proposal.assignments.get(), by=world.lead_handler)
    reply = handling.reply_save(assignment=proposal.assignments.get(), by=world.lead_handler, body="第一次答复。",
                                outcome="C", contact_name="贺威", contact_phone="0839-1",
                                reply_date=datetime.date.today())
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    member = open_as(world.member)
    member.goto(f"{member.base}/proposals/{proposal.pk}/")
    member.check("input[name=result][value=dissatisfied]")
    member.fill("#id_feedback", "答复笼统")
    member.click("text=提交评价")
    member.wait_for_selector("text=谢谢，您的评价已记录。")
    assert Proposal.objects.get(pk=proposal.pk).state == State.REHANDLING
    lead = open_as(world.lead_handler)
    lead.goto(f"{lead.base}/unit/proposals/{proposal.pk}/")
    assert "撰写重新办理后的答复" in lead.inner_text("main")
    lead.fill("#id_body", "第二次答复，补充了具体措施。")
    lead.select_option("#id_outcome", "B")
    lead.fill("#id_contact_name", "贺威")
    lead.fill("#id_contact_phone", "0839-8620000")
    lead.click("button[name=submit]")
    lead.wait_for_selector("text=答复已提交")
    assert Reply.objects.filter(proposal=proposal).count() == 2
    shot(lead, "unit-rehandling")
