"""A member's year through the pages (review): writing, co-signing, submitting, being returned, withdrawing, following
handling, reading the reply and evaluating, with the notifications and the home page along the way.

Each test failed on the code it was written against because of a defect, since mended; its comment quotes domain.md
where it applies and says what TiAn did. Set-ups go through the public services; what is under review is done through the pages.
"""

import re

from django.urls import reverse
from django.utils import timezone

from tests.test_domain_rules_review import merged_into_another
from tests.test_lifecycle_services import build, fresh
from tian.notifications.models import Notification
from tian.proposals import services
from tian.proposals.models import CoSignature, Proposal, State, TopicCategory


def _text(response) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _category(world):
    return TopicCategory.objects.get(committee=world.committee, name="社会建设")


def _fields(world, **extra):
    return {"title": "关于完善社区养老服务设施的建议", "body": "社区养老服务设施不足。建议加大投入。",
            "category": _category(world).pk, "disclosure_consent": "on", **extra}


# --- Steps offered that are refused, steps allowed that are not offered -------------------------------------------


def test_the_edit_page_offers_no_withdrawal_the_workflow_refuses(world, client_for):
    # domain.md: "merged into another proposal (并案; every proposer keeps credit)"; TiAn refuses to withdraw a proposal
    # others were merged into, and its proposal page no longer offers 撤案. The office merged 徐丽娟's proposal into
    # 刘安泽's and returned his for revision: his edit page still shows 撤回提案, and pressing it is refused.
    _merged, survivor = merged_into_another(world)
    services.proposal_return(proposal=fresh(survivor), by=world.staff, note="请补充具体建议。")
    member = client_for(world.member)
    withdraw_url = reverse("proposals:action", args=[survivor.pk, "withdraw"])
    assert withdraw_url not in member.get(survivor.get_absolute_url()).content.decode()  # the proposal page agrees
    edit_page = member.get(reverse("proposals:edit", args=[survivor.pk]))
    assert edit_page.status_code == 200
    offered = withdraw_url in edit_page.content.decode()
    member.post(withdraw_url, {})
    assert fresh(survivor).state == State.RETURNED  # the step is refused ...
    assert not offered, "the edit page offers 撤回提案, which the workflow refuses for a proposal others joined"


def test_after_submitting_the_lead_can_still_withdraw_an_open_invitation_from_a_page(world, client_for):
    # domain.md, Co-signing: "invitations expire after a committee-set window ... and can be withdrawn. Only accepted
    # signatures count; the list is frozen at registration." The workflow lets the lead invite and withdraw until
    # registration (``invite_cosigners`` from draft, submitted or returned), and the one-action URLs
    # (proposals:invite, proposals:cosign_withdraw) exist "for the proposal page" (docs/decisions.md). But once the
    # proposal is submitted, the edit page is refused and the proposal page offers neither: a member who invited
    # someone and submitted while the invitation was open has no page to withdraw it (nor to invite another).
    member = client_for(world.member)
    member.post(reverse("proposals:new"), _fields(world, members=[world.cosigner.member.pk], invite="1"))
    proposal = Proposal.objects.get()
    member.post(reverse("proposals:edit", args=[proposal.pk]), _fields(world, submit="1"))
    assert fresh(proposal).state == State.SUBMITTED
    invitation = CoSignature.objects.get(proposal=proposal)
    assert invitation.is_open_invitation
    page = member.get(proposal.get_absolute_url()).content.decode()
    withdraw_url = reverse("proposals:cosign_withdraw", args=[invitation.pk])
    offered = withdraw_url in page
    # The step itself is allowed: the same URL withdraws it.
    member.post(withdraw_url, {})
    invitation.refresh_from_db()
    assert invitation.status == CoSignature.Status.WITHDRAWN
    assert offered, "the submitted proposal's page offers no way to withdraw the open invitation"
    assert reverse("proposals:invite", args=[proposal.pk]) in page, "nor to invite another co-signer"


# --- Bad input: a clear message, nothing lost silently --------------------------------------------------------------


def test_a_body_written_beside_the_three_parts_does_not_silently_drop_the_parts(world, client_for):
    # domain.md, The proposal: "body (free text, or three parts 背景情况 / 问题分析 / 具体建议 ...)". The form takes both a
    # body and the three parts without a word, counts all four against the cap, keeps them on the edit page, and then
    # shows only the body (``Proposal.full_body``): the member's 具体建议 never reach the office or the units.
    member = client_for(world.member)
    response = member.post(reverse("proposals:new"), _fields(
        world, body="总的看法。", background="背景情况甲", analysis="问题分析乙", suggestions="具体建议丙", submit="1"),
        follow=True)
    # Refused at submission, saying why, with everything typed kept as a draft (a draft may hold both while the
    # member moves the text); nothing is submitted.
    assert not Proposal.objects.filter(state=State.SUBMITTED).exists(), \
        "the three parts the member wrote were accepted and are shown to nobody"
    page = _text(response)
    assert "不要同时填写" in page and "具体建议丙" in page and "总的看法。" in page


def test_a_contact_phone_that_is_not_a_phone_is_refused_beside_the_field(world, client_for):
    # domain.md, The proposal: "... consent to disclosure ..., contact details"; units use them to contact the proposer
    # before replying (办前沟通). The member's own mobile and a reply's contact phone are checked, the proposal's
    # 联系电话 is not: "下午找我" is saved and submitted, and shown to the units as the number to call.
    member = client_for(world.member)
    response = member.post(reverse("proposals:new"), _fields(world, contact_name="刘安泽", contact_phone="下午找我",
                                                             submit="1"))
    saved = Proposal.objects.filter(contact_phone="下午找我", state=State.SUBMITTED).exists()
    assert not saved, ("a contact phone with no digit in it was accepted and submitted", response.status_code)


# --- Following handling -------------------------------------------------------------------------------------------


def test_the_member_following_handling_sees_the_reply_deadline_on_the_proposal_page(world, client_for):
    # domain.md, Deadlines: "Reply within 3 months of assignment"; the member follows handling: who handles it, and by
    # when. "My proposals" shows the deadline (2023-06-16), but the proposal page shows it nowhere to a proposer: the
    # units' table is for staff and units, and the history's 已交办 row drops what the event recorded (its data says
    # ``units`` and ``reply_deadline``; the timeline reads ``unit`` and ``deadline``).
    case = build(world, "handling")
    member = client_for(world.member)
    assert "2023-06-16" in _text(member.get(reverse("proposals:mine")))
    page = _text(member.get(case.proposal.get_absolute_url()))
    assert "2023-06-16" in page or "2023年6月16日" in page, "the proposal page does not say when the reply is due"


# --- Notifications: each step that concerns the member ------------------------------------------------------------


def test_the_invitation_message_says_until_when_it_can_be_answered(world, django_capture_on_commit_callbacks):
    # domain.md, Co-signing: "invitations expire after a committee-set window (e.g. 3 hours during the plenary, 1 day
    # otherwise)". The message (also the SMS a member reads on the phone) says "请在截止时间前答复" and names no time:
    # the invitee cannot tell a 3-hour window from a day's.
    proposal = services.proposal_create_draft(by=world.member, committee=world.committee,
                                              lead_member=world.member.member, title="关于发展普惠托育服务的建议",
                                              body="建议如下。", category=_category(world))
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = services.cosign_invite(proposal=proposal, by=world.member, members=[world.cosigner.member])
    message = Notification.objects.get(user=world.cosigner, kind="cosign.invited").message
    expires = timezone.localtime(invitation.expires_at)
    assert f"{expires:%H:%M}" in message, message


def test_the_lead_hears_that_an_invitee_declined(world, client_for, django_capture_on_commit_callbacks):
    # domain.md, Co-signing: "each accepts (同意联名) or declines; invitations expire after a committee-set window (e.g.
    # 3 hours during the plenary)". Within that window the lead must know whom to ask instead; the decline writes an
    # event, and no rule tells the lead of it (nor of an acceptance).
    member = client_for(world.member)
    member.post(reverse("proposals:new"), _fields(world, members=[world.cosigner.member.pk], invite="1"))
    invitation = CoSignature.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.cosigner).post(reverse("proposals:cosign_respond", args=[invitation.pk]),
                                        {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == CoSignature.Status.DECLINED
    assert Notification.objects.filter(user=world.member, proposal=invitation.proposal).exists(), \
        "the lead proposer is not told that 徐丽娟 declined"


def test_co_signers_hear_that_the_lead_withdrew_the_proposal(world, client_for, django_capture_on_commit_callbacks):
    # domain.md: "withdrawn (撤案, by the proposer, before registration)"; co-signers are told of every other end of
    # review (立案, 不予立案, 并案: "co-signers hear of 不予立案 and 并案 as of registration", docs/decisions.md). When the
    # lead withdraws the proposal 徐丽娟 signed, she is told nothing, and it leaves her record silently.
    case = build(world, "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.member).post(reverse("proposals:action", args=[case.proposal.pk, "withdraw"]),
                                      {"state": "submitted"})
    assert fresh(case.proposal).state == State.WITHDRAWN
    told = Notification.objects.filter(user=world.cosigner, kind="proposal.withdrawn")
    assert told.exists(), "the co-signer is not told that the proposal she signed was withdrawn"


def test_proposers_hear_that_their_proposal_was_assigned_and_to_whom(world, django_capture_on_commit_callbacks):
    # domain.md: "registered (立案, numbered) ─assign─▶ assigned ─▶ handling"; the member "talks with units" and the
    # lead unit contacts the proposer before replying (办前沟通). The proposers hear of registration, but not of
    # assignment: which unit will call them, and when the reply is due, they learn only by opening the page.
    with django_capture_on_commit_callbacks(execute=True):
        case = build(world, "assigned")
    for user in (world.member, world.cosigner):
        told = Notification.objects.filter(user=user, proposal=case.proposal, kind="proposal.assigned").first()
        assert told is not None, f"{user} is not told that the proposal was assigned"
        assert "区民政局" in told.message and told.url == case.proposal.get_absolute_url()


def test_a_co_signer_asked_to_evaluate_hears_that_the_proposal_went_to_rehandling(world, client_for,
                                                                                  django_capture_on_commit_callbacks):
    # domain.md, Evaluation: "the proposer and every co-signer rate the reply ... If the lead proposer is dissatisfied,
    # the proposal goes to rehandling with a new deadline". 徐丽娟 was told "请对办理结果进行评价"; the lead's 不满意
    # then sends the proposal back, her evaluation is no longer offered (nor on her home page), and nothing tells her
    # why, nor the new deadline: the rehandling rule tells only the units and the office.
    with django_capture_on_commit_callbacks(execute=True):
        case = build(world, "replied")
    assert Notification.objects.filter(user=world.cosigner, kind="proposal.replied").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.member).post(reverse("proposals:action", args=[case.proposal.pk, "evaluate"]),
                                      {"state": "replied", "result": "dissatisfied", "feedback": "没有解决"})
    assert fresh(case.proposal).state == State.REHANDLING
    home = client_for(world.cosigner).get(reverse("dashboard:home_member"))
    assert home.context["to_evaluate"] == []  # her evaluation went away ...
    assert Notification.objects.filter(user=world.cosigner, kind="proposal.rehandling").exists(), \
        "... and the co-signer is not told that the proposal is being handled again"

