"""Outputs beside the proposal page that show more than the disclosure policy
(``tian/disclosure/policy.py``) gives their reader. Each test failed on the code before its mend, because of the leak it
describes (domain.md, "Who sees what": one rule, applied to every output)."""

import datetime

from django.urls import reverse

from tests.test_privacy_outputs import _draft, _text
from tian.accounts import services as account_services
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.disclosure.policy import disclosure_for
from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import Proposal


def _replied(world, proposal, body="答复正文。"):
    """Register ``proposal`` (submitted), assign it to 区民政局 alone and release its reply: it is replied."""
    p = services.proposal_register(proposal=proposal, by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]])
    lead = p.assignments.get()
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body=body, outcome="A", contact_name="贺威",
                                contact_phone="0839-8620000", reply_date=datetime.date.today())
    handling.reply_submit(reply=reply, by=world.lead_handler)
    return Proposal.objects.get(pk=p.pk)


def _disclose(world, p):
    p.disclosure_consent = True
    p.save(update_fields=["disclosure_consent"])
    p = services.proposal_disclose(proposal=p, by=world.staff)
    assert p.is_public
    return p


# --- 1. The delivery status page prints notes the reader may not read on the proposal ------------------------------

RETURN_NOTE = "提案委退回意见:第三条建议涉及人事安排,请删去"


def test_the_delivery_page_does_not_show_an_administrator_a_note_the_policy_hides(
        world, client_for, django_capture_on_commit_callbacks):
    """The administrator (``MANAGE_USERS``, no tie to any proposal) reads a disclosed proposal as the public does:
    no history, so no event note (``Disclosure.history`` / ``Disclosure.note``); the office's return note is the
    proposer's and the office's only (domain.md: "Review notes of the office are internal"; the proposal page shows
    ``review_note`` to staff, or while the proposal is returned). ``notifications.views.delivery_list`` hides a
    message only when its proposal cannot be *opened*: once the proposal is disclosed, the SMS that told the lead
    proposer "被退回修改:<note>" is printed whole to the administrator."""
    with django_capture_on_commit_callbacks(execute=True):
        p = services.proposal_submit(proposal=_draft(world), by=world.member)
        p = services.proposal_return(proposal=p, by=world.staff, note=RETURN_NOTE)
        p = services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member)
        p = _disclose(world, _replied(world, p))
    admin = client_for(world.admin)
    proposal_page = _text(admin.get(p.get_absolute_url()))
    assert p.title in proposal_page and RETURN_NOTE not in proposal_page  # the policy's reading
    assert disclosure_for(world.admin, p).history is False
    deliveries = _text(admin.get(reverse("notifications:deliveries")))
    assert RETURN_NOTE not in deliveries, "the administrator reads the office's return note in the SMS log"


# --- 2./3. The API's inbox reads a member binding left after the member's role was taken away ---------------------

def _former_member(world):
    """徐丽娟's account moved from the member's role to a unit handler's (区财政局): its member binding is left, but it
    acts for no member any more (``User.acting_member_id``, the scope's and the workflow's definition)."""

    account_services.user_update(user=world.cosigner, roles=[Role.UNIT_HANDLER], unit=world.units["区财政局"],
                                 by=world.admin)
    former = User.objects.get(pk=world.cosigner.pk)
    assert former.member_id == world.cosigner.member_id and former.acting_member_id is None
    return former


def test_the_api_inbox_does_not_name_a_draft_to_an_account_no_longer_its_invitee(world, client_for):
    """Drafts are their author's alone, and an invitee reads what they are asked to sign only as a member
    (``selectors._scope``: ``acting_member_id``, "a binding left after the role was taken away gives nothing";
    domain.md: a member seeing another member's draft is what the policy forbids). ``GET /api/v1/inbox``
    (``api/people.py``) lists the open invitations of ``user.member_id`` instead, so an account that no longer holds
    the member's role reads the draft's title there while the draft itself answers 404."""
    secret = "尚未提交的草稿:关于调整区人大代表名额的建议"
    draft = _draft(world, title=secret)
    services.cosign_invite(proposal=draft, by=world.member, members=[world.cosigner.member])
    former = _former_member(world)
    api = client_for(former)
    assert api.get(f"/api/v1/proposals/{draft.pk}").status_code == 404
    inbox = api.get("/api/v1/inbox")
    assert inbox.status_code == 200
    assert [t["title"] for t in inbox.json() if t["proposal_id"] == draft.pk] == [], \
        "the inbox names a draft its reader may not open"


def test_the_api_inbox_does_not_ask_an_account_without_the_member_role_to_evaluate(world, client_for):
    """Evaluating is the proposers' (workflow ``evaluate``: ``is_evaluator``), and a proposal not disclosed is only
    for those tied to it (domain.md, "other signed-in: only if disclosed"). ``handling.services.awaiting_evaluation_by``
    (read by the API's inbox and the member's home) finds the proposals credited to ``user.member_id`` without asking
    whether the account still acts for that member, so an account moved off the member's role is asked to evaluate a
    replied proposal it can no longer open, under its title."""
    title = "关于完善区属国企高管薪酬的建议"
    p = services.proposal_submit(proposal=_draft(world, title=title), by=world.member)
    services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
    invitation = p.cosignatures.get(member=world.cosigner.member)
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True)
    p = _replied(world, Proposal.objects.get(pk=p.pk))
    assert p.state == "replied" and not p.is_public
    former = _former_member(world)
    api = client_for(former)
    assert api.get(f"/api/v1/proposals/{p.pk}").status_code == 404
    tasks = api.get("/api/v1/inbox").json()
    assert [t for t in tasks if t["kind"] == "evaluate"] == [], tasks
