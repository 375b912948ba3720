"""The API and the pages agree (an action the page offers a role is in the API with the same refusals, and the
reverse), and the API's links name only steps the services then take."""

import datetime

from django.urls import reverse

from tests.test_api import Api as ApiClient
from tian.accounts import services as accounts
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.accounts.services import token_create
from tian.core.calendar import add_months
from tian.deadlines.models import Reminder
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.proposals import services
from tian.proposals.models import Event, Proposal, TopicCategory

TODAY = datetime.date.today()


def Api(user):  # noqa: N802 - the API client of tests/test_api.py, for a user
    return ApiClient(token_create(user=user, name="review")[1])


def _submitted(world, title="关于加强全区未成年人关爱保护工作的建议"):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=category)
    services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
    return services.proposal_submit(proposal=p, by=world.member)


def _with_assisting(world):
    """Registered and assigned to 区民政局 (lead) and 区教科局 (assisting), both signed for."""
    p = services.proposal_register(proposal=_submitted(world), by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assisting_units=[world.units["区教科局"]])
    for a, user in ((p.assignments.get(role="lead"), world.lead_handler),
                    (p.assignments.get(role="assisting"), world.assisting_handler)):
        handling.assignment_sign_for(assignment=a, by=user)
    p.refresh_from_db()
    return p


def _replied(world):
    """Replied (no assisting unit, no supervising office), the reply released."""
    p = services.proposal_register(proposal=_submitted(world), by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]])
    lead = p.assignments.get()
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=TODAY)
    handling.reply_submit(reply=reply, by=world.lead_handler)
    p.refresh_from_db()
    assert p.state == "replied"
    return p


# 1. The lead unit's 催办 of an assisting unit ------------------------------------------------------------------

def test_the_lead_unit_can_remind_its_assisting_unit_through_the_api_as_on_its_page(world, client_for):
    """The lead unit's work page offers 催办 of an assisting unit whose opinion is outstanding
    (handling:remind_assisting → deadlines.assisting_remind). The API must offer the same action to the same role:
    POST /assignments/{assisting}/remind by the lead unit's handler should send the reminder (201), not 403."""
    p = _with_assisting(world)
    assisting = p.assignments.get(role="assisting")
    # The page takes it.
    page = client_for(world.lead_handler).post(reverse("handling:remind_assisting", args=[assisting.pk]),
                                               follow=True)
    assert "区教科局" in page.content.decode()
    assert Reminder.objects.filter(assignment=assisting, sent_by=world.lead_handler).count() == 1
    Reminder.objects.all().delete()  # the page's reminder gone, so that the once-a-day rule does not refuse the API's
    r = Api(world.lead_handler).post(f"/assignments/{assisting.pk}/remind", {"note": "请尽快发送协办意见"})
    assert r.status_code == 201, (r.status_code, r.json())


# 2. A reply "saved and submitted" that is refused leaves nothing --------------------------------------------------

def test_an_api_reply_refused_on_submission_saves_nothing(world, client_for):
    """The unit's page refuses a reply sent with 提交 that lacks the contact person and phone (ReplyForm with
    ``submitting=True``) before anything is saved. The API's POST /assignments/{id}/reply with ``submit: true`` is
    refused too (422), but it should likewise change nothing: no reply draft, no ``reply.drafted`` event."""
    p2 = services.proposal_register(proposal=_submitted(world, "关于完善社区养老服务的建议"), by=world.staff)
    p2 = handling.proposal_assign(proposal=p2, by=world.staff, lead_units=[world.units["区民政局"]])
    lead = p2.assignments.get()
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    before = Event.objects.filter(proposal=p2).count()
    # The page: refused, nothing saved.
    page = client_for(world.lead_handler).post(reverse("handling:reply", args=[lead.pk]), {
        "body": "答复。", "outcome": "A", "reply_date": TODAY.isoformat(), "submit": "1"})
    assert page.status_code == 200
    assert not Reply.objects.filter(assignment=lead).exists()
    # The API: refused as well …
    r = Api(world.lead_handler).post(f"/assignments/{lead.pk}/reply", {
        "body": "答复。", "outcome": "A", "reply_date": TODAY.isoformat(), "submit": True})
    assert r.status_code == 422, r.content
    # … and should have changed nothing.
    assert not Reply.objects.filter(assignment=lead).exists()
    assert Event.objects.filter(proposal=p2).count() == before


# 3. Links that name steps the services refuse ----------------------------------------------------------------------

def test_the_rehandle_link_is_not_offered_once_the_proposal_was_rehandled(world):
    """After rehandling and a second released reply, the proposal is 'replied' again, but
    ``proposal_rehandle`` refuses a second rehandling (invalid_state). ``links.rehandle`` (and ``actions``) must
    then not name it."""
    p = _replied(world)
    handling.proposal_rehandle(proposal=p, by=world.staff)
    p.refresh_from_db()
    second = handling.reply_save(assignment=p.assignments.get(), by=world.lead_handler, body="再次答复。",
                                 outcome="A", contact_name="贺威", contact_phone="0839-8620000", reply_date=TODAY)
    handling.reply_submit(reply=second, by=world.lead_handler)
    p.refresh_from_db()
    assert p.state == "replied"
    staff = Api(world.staff)
    offered = "rehandle" in staff.get(f"/proposals/{p.pk}").json()["links"]
    r = staff.post(f"/proposals/{p.pk}/rehandle")
    taken = r.status_code == 200
    assert offered == taken, (offered, r.status_code, r.json())


def test_the_evaluate_link_is_not_offered_to_a_proposer_who_has_evaluated(world):
    """Once the lead proposer has rated the reply, ``evaluation_submit`` refuses a second rating (invalid_state),
    and the proposal page shows their rating instead of the form. The API's ``links.evaluate`` must then not name
    the step."""
    p = _replied(world)
    member = Api(world.member)
    assert member.post(f"/proposals/{p.pk}/evaluate", {"result": "satisfied"}).status_code == 201
    offered = "evaluate" in member.get(f"/proposals/{p.pk}").json()["links"]
    r = member.post(f"/proposals/{p.pk}/evaluate", {"result": "satisfied"})
    assert r.status_code == 409
    assert not offered, "links.evaluate names a step the service refuses"


def test_the_extension_link_is_not_offered_when_no_later_deadline_can_be_granted(world):
    """A unit whose reply deadline already is the committee's cap (``extension_cap_months`` after assignment) can
    ask for no later date: ``extension_request`` refuses every one. ``links.request_extension`` of its assignment
    (and the work page's form, ``may_request_extension``) must then not be offered."""

    p = services.proposal_register(proposal=_submitted(world), by=world.staff)
    cap = add_months(TODAY, world.committee.extension_cap_months)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assigned_on=TODAY, reply_deadline=cap)
    lead = p.assignments.get()
    api = Api(world.lead_handler)
    offered = "request_extension" in api.get(f"/assignments/{lead.pk}").json()["links"]
    answers = [api.post(f"/assignments/{lead.pk}/extension",
                        {"requested_deadline": (cap + datetime.timedelta(days=d)).isoformat(), "reason": "需协调"})
               .status_code for d in (1, 30)]
    assert answers == [422, 422]
    assert not offered, "links.request_extension names a step every request of which is refused"


def test_an_invitation_offers_no_answer_to_an_account_taken_off_the_member_role(world):
    """An account whose member role was taken away (its binding left) acts for no member
    (``User.acting_member_id``): ``cosign_respond`` refuses its answer and the page's answer form is a 404 for it.
    The API's invitation must then not name ``links.accept`` / ``links.decline`` for it (``outputs.invitation_out``
    asks ``user.member_id``)."""

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于加强社区图书馆建设的建议", body="建议。", category=category)
    invitation = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])[0]
    accounts.user_update(user=world.cosigner, roles=[Role.STAFF], by=world.admin)
    former = User.objects.get(pk=world.cosigner.pk)
    assert former.member_id and not former.acting_member_id
    api = Api(former)
    r = api.get(f"/invitations/{invitation.pk}")
    links = r.json().get("links", {}) if r.status_code == 200 else {}
    answer = api.post(f"/invitations/{invitation.pk}/accept")
    assert answer.status_code in (403, 404)  # not theirs to answer (the page: 404)
    assert "accept" not in links, "links.accept names a step the service refuses"


def test_staff_cannot_file_a_proposal_without_a_proposer_through_the_api(world, client_for):
    """Staff entering a paper proposal on the page must name its proposer (``ProposerForm``: a lead member or a
    collective proposer, else the form is refused). The API's POST /proposals by the same staff account names no
    proposer and should be refused the same way (422), not make a draft that nobody proposed."""

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    page = client_for(world.staff).post(reverse("proposals:new"), {"title": "关于无人提出的建议", "body": "建议。",
                                                                    "category": category.pk,
                                                                    "disclosure_consent": "on"})
    assert not Proposal.objects.filter(title="关于无人提出的建议").exists(), page.status_code
    r = Api(world.staff).post("/proposals", {"title": "关于无人提出的建议", "body": "建议。", "category": category.pk,
                                             "disclosure_consent": True})
    made = Proposal.objects.filter(title="关于无人提出的建议").first()
    assert r.status_code == 422 and made is None, (r.status_code, made and (made.lead_member_id,
                                                                             made.collective_id))
