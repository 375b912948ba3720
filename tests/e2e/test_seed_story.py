"""The seed story clicked through by every role in a real browser."""


import pytest
from django.utils import timezone

from tests.e2e.conftest import shot
from tian.proposals.models import Proposal

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "关于加强全区未成年人关爱保护工作的建议"


def test_the_seed_story_by_every_role(world, open_as):
    for name in ("区司法局",):
        world.handler_for(name)
    # The member drafts, invites a co-signer and submits.
    member = open_as(world.member)
    member.click("text=撰写新提案")
    member.fill("#id_title", TITLE)
    member.select_option("#id_category", label="社会建设")
    member.fill("#id_body", "未成年人是祖国的未来。\n一是要在提高认识上着力。")
    member.check("#id_disclosure_consent")
    member.click("button[name=save]")
    member.wait_for_selector("text=草稿已保存")
    member.locator("#id_members label", has_text="徐丽娟").locator("input").check()  # a list of boxes to tick
    member.click("text=发送邀请")
    member.wait_for_selector("text=联名邀请已发送")
    shot(member, "member-edit")
    proposal = Proposal.objects.get(title=TITLE)
    # The co-signer accepts on her home page.
    cosigner = open_as(world.cosigner)
    cosigner.click("button:has-text('同意联名')")
    cosigner.wait_for_selector("text=您已同意联名该提案")
    member.goto(f"{member.base}/proposals/{proposal.pk}/edit/")
    member.click("button[name=submit]")
    member.wait_for_selector("text=提案已提交提案委")
    # The office registers and assigns.
    staff = open_as(world.staff)
    staff.goto(f"{staff.base}/proposals/review/")
    staff.click(f"text={TITLE}")
    staff.click("button:has-text('立案')")
    staff.wait_for_selector("text=提案已立案")
    staff.select_option("#id_lead_unit", label="区民政局")
    staff.locator("#id_assisting_units label", has_text="区教科局").locator("input").check()
    staff.fill("#id_assigned_on", timezone.localdate().isoformat())  # the day it was submitted
    staff.check("#id_supervising_offices_0")
    staff.click("button:has-text('交办'):not(:has-text('交办承办'))")
    staff.wait_for_selector("text=提案已交办")
    shot(staff, "staff-proposal")
    # The units sign for it; the assisting unit sends its opinion; the lead unit contacts and replies.
    lead = open_as(world.lead_handler)
    lead.goto(f"{lead.base}/unit/proposals/{proposal.pk}/")
    lead.click("text=签收该提案")
    lead.wait_for_selector("text=已签收")
    assisting = open_as(world.assisting_handler)
    assisting.goto(f"{assisting.base}/unit/proposals/{proposal.pk}/")
    assisting.click("text=签收该提案")
    assisting.fill("#id_body", "同意主办单位的办理意见。")
    assisting.click("text=发送会办意见给主办单位")
    assisting.wait_for_selector("text=会办意见已发送主办单位")
    lead.reload()
    lead.select_option("#id_method", "phone")
    lead.fill("#id_summary", "电话沟通办理思路")
    lead.click("text=记录办前沟通")
    lead.wait_for_selector("text=办前沟通已记录")
    lead.fill("#id_body", "首先感谢您的关注和支持。\n现将有关办理情况答复如下。")
    lead.select_option("#id_outcome", "A")
    lead.fill("#id_contact_name", "贺威")
    lead.fill("#id_contact_phone", "13795952836")
    lead.click("button[name=submit]")
    lead.wait_for_selector("text=答复已提交")
    shot(lead, "unit-work")
    assisting.reload()
    assisting.click("button:has-text('会签')")
    assisting.wait_for_selector("text=本单位已会签答复")
    # The supervising office approves.
    supervisor = open_as(world.supervisor)
    supervisor.goto(f"{supervisor.base}/supervision/")
    supervisor.click(f"text={TITLE}")
    supervisor.click("text=审核通过并发布")
    supervisor.wait_for_selector("text=答复已审核通过并发送提案人")
    # The member evaluates; the office closes and discloses; the public reads it.
    member.goto(f"{member.base}/proposals/{proposal.pk}/")
    member.check("#my-evaluation input[name=result][value=satisfied]")
    member.fill("#id_feedback", "非常满意")
    member.click("text=提交评价")
    member.wait_for_selector("text=谢谢，您的评价已记录。")
    staff.goto(f"{staff.base}/proposals/{proposal.pk}/")
    staff.click("button:has-text('办结')")
    staff.wait_for_selector("text=提案已办结")
    staff.click("button:has-text('向社会公开')")
    staff.wait_for_selector("text=提案已向社会公开")
    public = open_as(None)
    public.goto(f"{public.base}/public/")
    public.click(f"text={TITLE}")
    text = public.inner_text("main")
    for fact in ("第〔1〕号", "刘安泽", "徐丽娟", "区民政局", "区教科局", "尊敬的刘安泽、徐丽娟委员:", "137****2836",
                 "全部或主要问题已解决(A)", "满意"):
        assert fact in text, fact
    # The public reads the lead proposer's rating, not the feedback (the disclosure policy).
    assert "13795952836" not in public.content() and "非常满意" not in text
    shot(public, "public-proposal")
