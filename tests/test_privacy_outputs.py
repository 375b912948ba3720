"""Outputs other than the proposal page read what they show through the disclosure policy (``tian.disclosure``) and
the scope (``proposals.selectors``): the year-end awards, the key-proposals page, texts that leave the system, the
admin site and the API's assignment read. Each test was a leak found by a privacy probe of the sixteenth session."""

import datetime
import re

from django.urls import reverse

from tian.disclosure.policy import disclosure_for
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.notifications.models import Notification
from tian.proposals import services
from tian.proposals.models import Event, Proposal, TopicCategory
from tian.stats.models import Award


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _draft(world, title="关于设立社区老年助餐点的建议", body="建议在各社区设立老年助餐点。"):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    return services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                          title=title, body=body, category=category)


# --- 1. The year-end awards take any proposal by its id, drafts included -------------------------------------------

def test_awards_neither_confirm_nor_mark_a_members_draft(world, client_for):
    """Staff may not open a member's draft (``visible_proposals``: drafts are their author's alone), yet the awards
    form fetches the proposal it is posted by id and year alone: a draft answers "saved" (302) where a missing id
    answers 404, and the draft is marked outstanding, with an ``award.granted`` event in its history."""
    draft = _draft(world)
    staff = client_for(world.staff)
    assert staff.get(draft.get_absolute_url()).status_code == 404  # not the office's to open
    url = f"{reverse('stats:awards')}?year={draft.year}"
    missing = staff.post(url, {"proposal": draft.pk + 10_000})
    answer = staff.post(url, {"proposal": draft.pk})
    assert answer.status_code == missing.status_code, "the answer tells a draft from a missing id"
    assert not Award.objects.filter(proposal=draft).exists()
    assert not Event.objects.filter(proposal=draft, action="award.granted").exists()


# --- 2. The key-proposals page shows a reply the overseers may not read yet ----------------------------------------

def test_the_key_proposals_page_does_not_show_a_draft_replys_outcome_class(world, assigned, client_for):
    """A reply still with its unit is not the supervising office's or the lead official's to read
    (``Disclosure.reply_visible``: once it is sent to them for review); the proposal page hides it from them. The
    key-proposals page reads every unit's latest reply itself and prints its outcome class (C类) and status."""
    lead = assigned.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复草稿,尚未发出。", outcome="C",
                                contact_name="贺威", contact_phone="0839-8620000",
                                reply_date=datetime.date.today())
    assert reply.status == Reply.Status.DRAFT
    for user in (world.supervisor, world.official):
        assert not disclosure_for(user, assigned).reply_visible(reply)
        proposal_page = _text(client_for(user).get(assigned.get_absolute_url()))
        assert "C类" not in proposal_page  # the policy's answer, as the proposal page gives it
        page = client_for(user).get(reverse("supervision:key_proposals"))
        assert page.status_code == 200 and assigned.title in _text(page)
        assert "C类" not in _text(page), f"{user} reads the outcome class of a reply still with its unit"


# --- 3. Texts that leave the system ignore the committee's landline masking ----------------------------------------

HOME_LINE = "0839-5556667"


def test_a_message_masks_fixed_lines_where_the_committee_masks_them(world, django_capture_on_commit_callbacks):
    """``message_text`` is the policy's rule for every text that leaves the system (the bell, e-mail, SMS): personal
    numbers masked for every recipient, "a phone or a mailbox is not a place the policy can follow". Where the
    committee sets ``mask_landlines`` a fixed line is such a number (``Disclosure.text`` masks it), but
    ``message_text`` calls ``mask_personal`` without the committee's setting, so the number goes out whole."""
    world.committee.mask_landlines = True
    world.committee.save()
    draft = _draft(world, title=f"关于社区养老服务的建议(提案人住宅电话{HOME_LINE})")
    masked = disclosure_for(None, Proposal.objects.select_related("committee").get(pk=draft.pk)).text(draft.title)
    assert HOME_LINE not in masked  # the policy's reading where the number is to be masked
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=draft, by=world.member)
    sent = " ".join(Notification.objects.filter(user=world.staff).values_list("message", flat=True))
    assert "提案人住宅电话" in sent, "the office was told of the new proposal"
    assert HOME_LINE not in sent, "the fixed line leaves the system whole"


# --- 4. The administrator role reads every draft and internal note in Django's admin site --------------------------

def test_the_administrator_role_does_not_read_drafts_or_internal_notes_in_the_admin_site(world, client_for):
    """The policy gives the administrator no tie to any proposal (``tests/test_disclosure_policy.py`` reads them as
    the public); drafts are their author's alone. But ``accounts/services._apply_roles`` makes every holder of the
    admin role ``is_staff`` and ``is_superuser``, and Django's admin site (``/admin/``) registers ``Proposal`` and
    ``Event`` read-only: the administrator lists a member's draft by its title, opens its body, and reads the
    office's internal review notes in the events."""
    secret_body = "草稿正文,尚未提交,联系电话13711112222"
    draft = _draft(world, title="尚未提交的草稿标题", body=secret_body)
    registered = services.proposal_submit(proposal=_draft(world, title="另一件提案"), by=world.member)
    services.proposal_register(proposal=registered, by=world.staff, note="提案委审查的内部意见")
    admin = client_for(world.admin)
    assert admin.get(draft.get_absolute_url()).status_code == 404  # TiAn's own pages: not the administrator's
    leaks = []
    listing = admin.get("/admin/proposals/proposal/")
    if listing.status_code == 200 and "尚未提交的草稿标题" in _text(listing):
        leaks.append("a member's draft title in the proposal list")
    view = admin.get(f"/admin/proposals/proposal/{draft.pk}/change/")
    if view.status_code == 200 and "13711112222" in view.content.decode():
        leaks.append("the draft's body with the member's mobile")
    event = Event.objects.get(proposal=registered, action="proposal.registered")
    note = admin.get(f"/admin/proposals/event/{event.pk}/change/")
    if note.status_code == 200 and "提案委审查的内部意见" in note.content.decode():
        leaks.append("the office's internal review note")
    assert leaks == []


# --- 5. The API's assignment read shows a unit taken off a disclosed proposal to anyone ---------------------------

def test_a_unit_taken_off_a_disclosed_proposal_is_not_shown_to_people_without_a_tie(world, client_for):
    """What an untied reader sees of a disclosed proposal is its active units (the portal, the proposal page and
    ``GET /api/v1/proposals/{id}`` list ``is_active`` assignments only); that a unit asked to be taken off and was
    re-routed is history, which the policy gives to those tied to the proposal only (``Disclosure.history``). But
    ``GET /api/v1/assignments/{id}`` (``api.common.assignment_for``) asks only whether the caller may open the
    proposal, so any signed-in member reads the removed unit, its role and "reassigned away"."""
    p = services.proposal_submit(proposal=_draft(world), by=world.member)
    p = services.proposal_register(proposal=p, by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]])
    old = p.assignments.get()
    request = handling.reassignment_request(assignment=old, by=world.lead_handler, reason="不属于本单位职责")
    new = handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"])
    handler = world.handler_for("区司法局")
    handling.assignment_sign_for(assignment=new, by=handler)
    reply = handling.reply_save(assignment=new, by=handler, body="答复正文。", outcome="A", contact_name="贺威",
                                contact_phone="0839-8620000", reply_date=datetime.date.today())
    handling.reply_submit(reply=reply, by=handler)
    p = Proposal.objects.get(pk=p.pk)
    p.disclosure_consent = True
    p.save(update_fields=["disclosure_consent"])
    p = services.proposal_disclose(proposal=p, by=world.staff)
    assert p.is_public
    stranger = client_for(world.stranger)
    detail = stranger.get(f"/api/v1/proposals/{p.pk}").json()
    assert [a["unit"]["name"] for a in detail["assignments"]] == ["区司法局"] and detail["timeline"] == []
    answer = stranger.get(f"/api/v1/assignments/{old.pk}")
    assert answer.status_code == 404, answer.json()
