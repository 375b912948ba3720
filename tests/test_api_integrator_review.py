"""Review of the JSON API as an integrator meets it (a unit's document system, a member's mobile app, the office's
reporting script): where the API disagrees with the pages of the same service, where its answers send the caller
to addresses that refuse them, and where it fails on input a client may well send.

Each test below failed on the code it was written against for the reason its docstring gives (since mended); the tests marked "holds" passed
and guard something checked on the way."""

import datetime
import json

from django.test import Client
from django.urls import reverse

from tian.accounts.services import token_create
from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.supervision import services as supervision

TODAY = datetime.date.today()


class Api:
    """A client with a personal token of ``user``, sending JSON as an integrator does."""

    def __init__(self, user, **extra):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='review')[1]}", **extra)

    def get(self, path, **params):
        return self.client.get(path if path.startswith("/api/") else f"/api/v1{path}", params)

    def post(self, path, data=None):
        return self.client.post(path if path.startswith("/api/") else f"/api/v1{path}", data or {},
                                content_type="application/json")


def _submitted(world, title="关于加强全区未成年人关爱保护工作的建议", **fields):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=category, **fields)
    return services.proposal_submit(proposal=p, by=world.member)


def _signed_for(world, proposal):
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    proposal.refresh_from_db()
    return proposal


# 1. A form-encoded POST is answered with a server error ---------------------------------------------------------

def test_a_multipart_post_is_refused_as_a_bad_request_not_answered_with_a_server_error(world):
    """An integrator whose HTTP library sends an action as a form (``multipart/form-data``, what ``requests`` sends
    with ``files=`` and Django's test client by default) gets ``500 server_error``: ``RequestLimitsMiddleware``
    reads ``request.POST`` for every path, consuming the stream, and Django Ninja then cannot read ``request.body``
    (RawPostDataException). A form-urlencoded body already gets ``400 bad_request``; multipart should too."""
    p = _submitted(world)
    client = Api(world.staff).client
    r = client.post(f"/api/v1/proposals/{p.pk}/register", {"note": "同意立案"})  # multipart/form-data
    assert r.status_code == 400 and r.json()["code"] == "bad_request", (r.status_code, r.content)
    assert Proposal.objects.get(pk=p.pk).state == "submitted"


# 2. The public answers link to addresses the public may not call -------------------------------------------------

def test_the_public_lists_links_open_for_the_anonymous_caller_they_were_given_to(world):
    """``GET /public/proposals`` is for callers without a token, but each item's ``links.self`` (and the public
    detail's) is ``/api/v1/proposals/{id}``, the signed-in operation: the portal's client that follows it gets
    ``401 unauthenticated``. ``outputs.summary`` always writes the signed-in address; a public answer should link
    to ``/api/v1/public/proposals/{id}``."""
    p = services.proposal_register(proposal=_submitted(world, disclosure_consent=True), by=world.staff)
    Proposal.objects.filter(pk=p.pk).update(state="closed", is_public=True)
    anonymous = Client()
    listing = anonymous.get("/api/v1/public/proposals").json()
    assert listing["total"] == 1
    link = listing["items"][0]["links"]["self"]
    r = anonymous.get(link)
    assert r.status_code == 200, (link, r.status_code, r.json())
    detail = anonymous.get(f"/api/v1/public/proposals/{p.pk}").json()
    r = anonymous.get(detail["links"]["self"])
    assert r.status_code == 200, (detail["links"]["self"], r.status_code, r.json())


# 3. ``actions`` names steps the services refuse -----------------------------------------------------------------

def test_a_proposals_actions_do_not_offer_signing_for_to_a_unit_that_has_signed_for_it(world, assigned):
    """``ProposalDetailOut.actions`` is documented as "the actions the caller may perform now", yet it is the
    workflow's coarse list (``workflow.available``), not what the unit may do (``unit_steps``): after signing
    for, the lead unit still reads ``sign_for`` (and ``record_contact`` before signing, ``cosign_reply`` for an
    assisting unit with no reply to co-sign), while ``POST /assignments/{id}/sign`` answers ``409``."""
    p = _signed_for(world, assigned)
    lead = Api(world.lead_handler)
    actions = lead.get(f"/proposals/{p.pk}").json()["actions"]
    r = lead.post(f"/assignments/{p.assignments.get(role='lead').pk}/sign")
    assert r.status_code == 409  # the service refuses a second signing for
    assert "sign_for" not in actions, actions


# 4. A request's ``links.decision`` for whoever reads it --------------------------------------------------------

def test_a_reassignment_request_offers_its_decision_only_to_the_office_and_only_while_pending(world, assigned):
    """The unit that asks to be taken off (``POST /assignments/{id}/reassignment``) is answered with
    ``links.decision``, which refuses it (403), and the office's answer to its own decision names it again, though
    a second decision is refused (409). ``handling._reassignment`` (and ``_extension``, the same) writes the link
    for every caller in every status; links are "what the caller may do next" (api.md, changelog 1.2)."""
    lead_assignment = assigned.assignments.get(role="lead")
    unit = Api(world.lead_handler)
    r = unit.post(f"/assignments/{lead_assignment.pk}/reassignment", {"reason": "不属于本单位职责"})
    assert r.status_code == 201, r.content
    offered_to_unit = "decision" in r.json()["links"]
    assert unit.post(r.json()["links"]["decision"] if offered_to_unit else
                     f"/reassignments/{r.json()['id']}/decision", {"decision": "refuse", "note": "x"}).status_code == 403
    staff = Api(world.staff)
    decided = staff.post(f"/reassignments/{r.json()['id']}/decision", {"decision": "refuse", "note": "职责明确"})
    assert decided.status_code == 200
    again = staff.post(f"/reassignments/{r.json()['id']}/decision", {"decision": "refuse", "note": "职责明确"})
    assert again.status_code == 409
    assert not offered_to_unit, "links.decision offered to the unit, which may not decide"
    assert "decision" not in decided.json()["links"], "links.decision offered on a request already decided"


# 5. What the unit's work page shows and the API does not ---------------------------------------------------------

def test_an_assigned_unit_reads_the_proposers_contact_details_as_its_work_page_shows_them(world):
    """A unit contacts the proposer before replying (办前沟通): its work page and the proposal page show the
    proposer's contact person, phone and address (``Disclosure.proposer_contact``), but no answer of the API
    carries them (``outputs.detail`` has no ``contact``), so a unit's document system cannot reach the proposer."""
    p = services.proposal_register(proposal=_submitted(world, contact_name="王联络", contact_phone="0839-8621234",
                                                       contact_address="朝天区明月路1号"), by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]])
    page = Client()
    page.force_login(world.lead_handler)
    assert "0839-8621234" in page.get(reverse("handling:work", args=[p.pk])).content.decode()
    answer = json.dumps(Api(world.lead_handler).get(f"/proposals/{p.pk}").json(), ensure_ascii=False)
    assert "0839-8621234" in answer and "朝天区明月路1号" in answer


def test_the_lead_unit_reads_the_assisting_opinions_and_contact_records_it_replies_on(world, assigned):
    """The lead unit writes its reply on the assisting units' opinions (会办意见); its work page lists them, and
    the proposal page lists the contact records. The API takes both (``POST /assignments/{id}/opinion``,
    ``/contact``) but gives neither back to anyone: the lead unit's system never learns what the assisting unit
    said."""
    p = _signed_for(world, assigned)
    assisting = p.assignments.get(role="assisting")
    lead = p.assignments.get(role="lead")
    assert Api(world.assisting_handler).post(f"/assignments/{assisting.pk}/opinion",
                                             {"body": "建议增设儿童之家十二处"}).status_code == 201
    assert Api(world.lead_handler).post(f"/assignments/{lead.pk}/contact", {
        "method": "visit", "contacted_on": TODAY.isoformat(), "summary": "上门走访听取意见"}).status_code == 201
    api = Api(world.lead_handler)
    answers = json.dumps([api.get(f"/proposals/{p.pk}").json(), api.get(f"/assignments/{lead.pk}").json(),
                          api.get(f"/assignments/{assisting.pk}").json()], ensure_ascii=False)
    assert "建议增设儿童之家十二处" in answers, "the assisting opinion cannot be read through the API"
    assert "上门走访听取意见" in answers, "the contact record cannot be read through the API"


# 6. What the proposal page tells the proposer and the API does not ------------------------------------------------

def test_a_declined_proposal_tells_its_proposer_the_ground_as_the_page_does(world, client_for):
    """The proposal page's 审查结果 tells the lead proposer "不予立案:<ground>(转为意见建议)". The API answers
    only ``state: declined``: the ground and where the text was forwarded are in no field, and the history's
    ``proposal.declined`` entry carries no details (the page's timeline shows 理由 from the event's data; the
    API's ``EventOut`` has only the office's internal note, blanked for the proposer)."""
    p = _submitted(world)
    ground = world.committee.decline_grounds.first()
    services.proposal_decline(proposal=p, by=world.staff, ground=ground, forward="opinion", note="")
    page = client_for(world.member).get(f"/proposals/{p.pk}/").content.decode()
    assert ground.text in page
    answer = json.dumps(Api(world.member).get(f"/proposals/{p.pk}").json(), ensure_ascii=False)
    assert ground.text in answer, "the decline ground is not in the API's answer to the proposer"


def test_the_historys_assigned_entry_names_the_units_and_the_reply_deadline(world, assigned):
    """Changelog 1.4: "The history's 已交办 entry names the units and the reply deadline". The page's timeline
    does (``timeline.timeline`` reads the event's data: 承办单位, 答复期限), the API's ``timeline`` entries have
    no such field (``outputs.detail`` copies only action, label, actor, states and note), so the changelog's
    promise is not kept by the API it documents."""
    entry = next(e for e in Api(world.member).get(f"/proposals/{assigned.pk}").json()["timeline"]
                 if e["action"] == "proposal.assigned")
    deadline = assigned.assignments.get(role="lead").deadline.isoformat()
    said = json.dumps(entry, ensure_ascii=False)
    assert "区民政局" in said and "区教科局" in said, entry
    assert deadline in said or deadline.replace("-", "") in said.replace("-", ""), entry


def test_a_reply_returned_by_supervision_says_why_as_the_units_work_page_does(world, assigned):
    """The unit's work page shows "督办退回(区政府办公室):<comments>" above the returned reply, and the proposal
    page shows the office's comments beside 督办审核. ``GET /replies/{id}`` (where the inbox's ``returned`` task
    leads) says only ``supervision_review: 已退回``: the comments are in no field of ``ReplyOut``."""
    p = _signed_for(world, assigned)
    lead = p.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=TODAY)
    reply = handling.reply_cosign(reply=handling.reply_submit(reply=reply, by=world.lead_handler),
                                  by=world.assisting_handler).reply
    supervision.reply_return(reply=reply, by=world.supervisor, comments="请补充落实措施和时间表")
    page = Client()
    page.force_login(world.lead_handler)
    assert "请补充落实措施和时间表" in page.get(reverse("handling:work", args=[p.pk])).content.decode()
    answer = Api(world.lead_handler).get(f"/replies/{reply.pk}").json()
    assert answer["status"] == "returned"
    assert "请补充落实措施和时间表" in json.dumps(answer, ensure_ascii=False), answer


# 7. The inbox and the home page --------------------------------------------------------------------------------

def test_the_members_inbox_lists_a_proposal_returned_for_revision(world):
    """Member home shows "退回修改" as an urgent tile (``dashboard.home._member_tiles``); the API's inbox, "the
    caller's pending work", lists for a member only invitations and replies to evaluate, so a member's app never
    learns that the office sent a proposal back to be revised."""
    p = _submitted(world)
    services.proposal_return(proposal=p, by=world.staff, note="请补充具体建议")
    tasks = Api(world.member).get("/inbox").json()
    assert any(t["object_type"] == "proposal" and t["object_id"] == p.pk for t in tasks), tasks


# 8. Statistics filters ---------------------------------------------------------------------------------------------

def test_the_statistics_refuse_a_session_that_is_not_the_committees(world, assigned):
    """``GET /stats?session=<id>`` with an id that is no session of the committee (a typo, another committee's, a
    negative number) answers ``200`` with the figures of every year, as if no filter were sent
    (``people.stats``: ``.filter(...).first()`` gives None, which is "all sessions"). The statistics page gives an
    empty scope and says why; a reporting script should hear 422 (or 404), not receive the wrong totals."""
    staff = Api(world.staff)
    everything = staff.get("/stats").json()
    assert everything["received"] == 1
    r = staff.get("/stats", session=987654)
    assert r.status_code in (404, 422) or r.json()["received"] == 0, r.json()


# Holds: checked and kept -------------------------------------------------------------------------------------------

def test_holds_a_phone_set_to_english_still_gets_chinese_messages(world, assigned):
    """holds: the API's language follows the ``django_language`` cookie only (api.md), not Accept-Language, so a
    phone set to English still reads Chinese refusals."""
    r = Api(world.member, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").post(f"/proposals/{assigned.pk}/register")
    assert r.status_code == 403 and r.json()["message"] == "您无权执行此操作。"


def test_holds_patching_only_the_suggested_units_moves_the_etag(world):
    """holds: a PATCH that changes only the suggested units (a many-to-many, no column of the proposal) still moves
    the ETag, so a second editor's stale If-Match is refused (412)."""
    api = Api(world.member)
    created = api.post("/proposals", {"title": "关于测试的建议", "body": "建议。"})
    pk, first = created.json()["id"], created["ETag"]
    assert api.get(f"/proposals/{pk}")["ETag"] == first
    r = api.client.patch(f"/api/v1/proposals/{pk}", {"suggested_units": [world.units["区民政局"].pk]},
                         content_type="application/json", HTTP_IF_MATCH=first)
    assert r.status_code == 200 and r["ETag"] != first
    stale = api.client.patch(f"/api/v1/proposals/{pk}", {"title": "关于另一测试的建议"},
                             content_type="application/json", HTTP_IF_MATCH=first)
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
