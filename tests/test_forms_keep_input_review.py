"""A review of every form of the server-rendered pages, sent as its user would with one thing wrong (a field left
empty, a date in the past, a text too long, a page opened before someone else changed the record): what was typed
must come back on the page, with a Chinese reason, and nothing may change. The forms of the proposal page's panel,
the unit's work page, the supervision review, the adjust and hand-over pages, the management pages, the users' and
the calendar's pages, bulk work and the account pages were sent so; those below still lose what was typed, or change
something, and each test failed on the code reviewed for the reason its docstring gives (since mended, in the
twenty-second session)."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.test_bulk import registered
from tests.test_lifecycle_services import build
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.handling import services as handling
from tian.handling.models import Assignment
from tian.organisations.models import LeadOfficial
from tian.proposals import services
from tian.proposals.models import Event, Proposal
from tian.supervision.models import SupervisionActivity, SupervisionReview


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _hidden_inputs(html: str, form_id: str) -> dict:
    """The hidden inputs of the form ``form_id`` as the page gave them (what a browser sends back with it)."""
    at = html.index(f'id="{form_id}"')
    form = html[html.rfind("<form", 0, at):html.index("</form>", at)]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_a_draft_saved_from_a_page_opened_before_a_colleagues_save_does_not_overwrite_it(world, client_for):
    """Two people of 民盟朝天区支部 (a collective proposer has several accounts; the office's clerk who entered a paper
    proposal and its member are two authors too) work on one draft. 王敏 saves the figures she gathered (the edit page,
    or its autosave every few seconds); her colleague, whose edit page was opened before, then saves his paragraph:
    王敏's text is gone, silently, with "草稿已保存" (pages/proposals/author.py:112 ``_draft_page`` and :229
    ``proposal_autosave`` save whatever the page sends; ``proposals.services.proposal_update_draft`` (services.py:145)
    takes no ``seen`` revision, and the page carries none). A reply draft has had this guard since the sixteenth
    session (``handling.services.draft_revision``); a proposal draft should too: the later save refused as a conflict,
    the text typed shown to copy, the colleague's saved text kept."""
    other = account_services.user_create(username="民盟朝天区支部2", full_name="王敏", password=PASSWORD,
                                         roles=[Role.COLLECTIVE], collective=world.collective_org, validate=False)
    draft = services.proposal_create_draft(by=world.collective, committee=world.committee,
                                           collective=world.collective_org, title="关于养老服务体系建设的建议",
                                           body="初稿。")
    edit = reverse("proposals:edit", args=[draft.pk])
    first, second = client_for(world.collective), client_for(other)
    opened = _hidden_inputs(first.get(edit).content.decode(), "proposal-form")  # the page, opened before her save
    hers = "王敏补充：全区60岁以上老人3.2万人，其中独居1860人，建议每个乡镇建一所区域养老服务中心。"
    second.post(edit, {"title": draft.title, "body": hers, "save": "1"})
    assert Proposal.objects.get(pk=draft.pk).body == hers
    his = "建议推进医养结合，由区卫健局牵头，每季度到敬老院巡诊一次。"
    response = first.post(edit, {**opened, "title": draft.title, "body": his, "save": "1"}, follow=True)
    assert Proposal.objects.get(pk=draft.pk).body == hers  # today: his text replaced hers
    assert his in response.content.decode()


def test_a_bulk_assignment_whose_input_is_refused_comes_back_with_its_form_when_one_proposal_moved_on(world,
                                                                                                    client_for):
    """The clerk ticks three proposals on the review queue, chooses 区民政局 and 区教科局 and types a reply deadline
    past the committee's cap; meanwhile a colleague assigned one of the three. Every proposal is refused (two for the
    deadline, one as already assigned) and the clerk lands on the result page "0 件已完成，3 件未执行", with the units,
    the dates and the selection gone: the form comes back only when every refusal is the same input fault
    (pages/proposals/bulk.py:138 ``BulkResult.refused_input``: ``all(o.input_refused …)``). Nothing was done and the
    input was at fault for every proposal still to assign: the form should come back filled in, with the deadline's
    reason, and the selection (the one assigned meanwhile may be dropped from it, or named)."""
    ready = [registered(world, f"关于养老服务第{i}项的建议") for i in range(3)]
    handling.proposal_assign(proposal=ready[0], by=world.staff, lead_units=[world.units["区财政局"]])
    lead, assisting = world.units["区民政局"], world.units["区教科局"]
    today = timezone.localdate()
    late = today + datetime.timedelta(days=3000)
    response = client_for(world.staff).post(reverse("proposals:bulk"), {
        "action": "assign", "step": "run", "ids": [p.pk for p in ready], "lead_unit": lead.pk,
        "assisting_units": [assisting.pk], "assigned_on": today.isoformat(), "reply_deadline": late.isoformat()},
        follow=True)
    html = response.content.decode()
    assert not Assignment.objects.filter(proposal__in=ready[1:]).exists()
    assert "答复期限不能晚于" in html
    assert f'value="{late.isoformat()}"' in html  # today: the result page, the form gone
    assert f'value="{lead.pk}" selected' in html
    kept = {int(v) for v in re.findall(r'name="ids" value="(\d+)"', html)}
    assert {ready[1].pk, ready[2].pk} <= kept


NOTES = ("3月28日随杨副区长到中子镇、曾家镇查看留守儿童关爱服务站：中子镇站已配专职社工2名，曾家镇站仍只挂牌未运行，"
         "区民政局承诺4月底前落实人员和经费。")


def test_supervision_activity_notes_sent_after_the_lead_official_changed_are_not_lost_to_a_bare_404(world,
                                                                                                   client_for,
                                                                                                   assigned):
    """Lead official 杨金军 writes up a site visit on his key-proposals page; meanwhile the office gives the proposal
    to another lead official (重点提案与督办). His notes are answered with the bare "页面不存在，或您无权查看。" and
    are lost (pages/supervision/views.py:165 ``record_activity``: ``get_object_or_404(followed_proposals(…))`` before
    anything can say why). As for a unit taken off a proposal (``handling`` views' ``_unit_form``), the page he lands
    on should say that the proposal is no longer his to follow and show the notes to copy; nothing is recorded."""
    other = LeadOfficial.objects.create(committee=world.committee, name="王建华", title="副区长")
    official = client_for(world.official)
    official.raise_request_exception = False
    official.get(reverse("supervision:key_proposals"))
    handling.proposal_set_key(proposal=assigned, by=world.staff, is_key=True, lead_officials=[other],
                              supervising_offices=[world.offices["区政府办公室"]])
    events = Event.objects.filter(proposal=assigned).count()
    prefix = f"p{assigned.pk}-"
    response = official.post(reverse("supervision:record_activity", args=[assigned.pk]), {
        f"{prefix}kind": "inspection", f"{prefix}held_on": timezone.localdate().isoformat(),
        f"{prefix}participants": "杨金军、区民政局局长", f"{prefix}notes": NOTES}, follow=True)
    assert not SupervisionActivity.objects.exists()
    assert Event.objects.filter(proposal=assigned).count() == events
    assert response.status_code == 200  # today: 404
    assert NOTES in response.content.decode()


COMMENTS = ("答复对关爱服务站的运行经费只写“积极争取”，未明确资金来源和到位时间；请补充区财政局的意见，"
            "并写明曾家镇站配备社工的时间表后重新报送。")


def test_review_comments_sent_after_the_supervision_moved_to_another_office_are_not_lost_to_a_bare_404(world,
                                                                                                      client_for):
    """区政府办公室's supervisor writes why the reply goes back to its unit; meanwhile the office moves the proposal's
    supervision to 区委目标绩效办 (allowed while a reply waits: one office is kept). The comments are answered with the
    bare "页面不存在，或您无权查看。" and are lost (pages/supervision/views.py:45 ``_reply_for``:
    ``get_object_or_404(…, proposal__supervising_offices=…)``; only a reply *returned* meanwhile is answered with why
    and the comments kept, ``ReplyReturned``). The supervisor should land on the review queue with the reason (the
    reply is no longer this office's to review) and the comments to copy; nothing is decided."""
    case = build(world, "supervision")
    supervisor = client_for(world.supervisor)
    supervisor.raise_request_exception = False
    handling.proposal_set_key(proposal=case.proposal, by=world.staff, is_key=case.proposal.is_key,
                              lead_officials=[world.lead_official],
                              supervising_offices=[world.offices["区委目标绩效办"]])
    events = Event.objects.filter(proposal=case.proposal).count()
    response = supervisor.post(reverse("supervision:review", args=[case.reply.pk]), {
        "decision": "return", "comments": COMMENTS, "submitted": case.reply.submitted_at.isoformat()}, follow=True)
    assert not SupervisionReview.objects.filter(reply=case.reply).exists()
    assert Event.objects.filter(proposal=case.proposal).count() == events
    assert response.status_code == 200  # today: 404
    assert COMMENTS in response.content.decode()
