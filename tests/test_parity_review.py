"""Review: the proposal page and the API (/api/v1) say the same thing to the same viewer.

Both start from ``tian.proposals.workflow.available``; the page narrows it in ``pages/proposals/detail.py``
(``narrowed``, ``panel_items``, ``panel_forms``) and the API in ``api/outputs.py`` (``performable``,
``proposal_links``). Each test drives both sides through the test client for one user and one proposal, and where an
offer is in doubt, posts it to see whether the service takes it. Each says which side is right (domain.md)."""

import datetime
import json
import re

from django.test import Client
from django.urls import reverse

from tian.accounts.services import token_create
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.handling.models import Evaluation, ReassignmentRequest, Reply
from tian.proposals import services
from tian.proposals.models import CoSignature, Proposal, TopicCategory

TODAY = datetime.date.today()

# The API's link names that are actions on the proposal itself (``outputs.PROPOSAL_ACTIONS``).
API_ACTIONS = {"edit", "submit", "withdraw", "register", "decline", "merge", "return", "assign", "set_key", "rehandle",
               "close", "disclose", "evaluate", "record_paper_evaluation", "invite_cosigners",
               "record_paper_cosigners", "record_supervision_activity"}


# Both sides, for one user -------------------------------------------------------------------------------------------

def page_html(user, p) -> str:
    c = Client()
    c.force_login(user)
    r = c.get(reverse("proposals:detail", args=[p.pk]))
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def page_offers(user, p) -> set[str]:
    """What the proposal page offers ``user``: the actions its forms post to and the ways its panel links to."""
    html = page_html(user, p)
    pk = p.pk
    found = set(re.findall(rf'action="/proposals/{pk}/do/([a-z_]+)/', html))
    marks = {
        "edit": rf'href="/proposals/{pk}/edit/"', "set_key": rf'href="/proposals/{pk}/key/"',
        "adjust_assignment": rf'href="/proposals/{pk}/adjust/"', "handle": rf'href="/unit/proposals/{pk}/"',
        "review_reply": r'href="/supervision/replies/\d+/"',
        "respond_cosign": r'action="/proposals/cosignatures/\d+/answer/"',
        "decide_reassignment": r'action="/proposals/reassignments/\d+/',
        "decide_extension": r'action="/proposals/extensions/\d+/',
        "invite_cosigners": rf'action="/proposals/{pk}/invite/"',
        "remind": r'action="/proposals/assignments/\d+/remind/"',
    }
    return found | {name for name, pattern in marks.items() if re.search(pattern, html)}


class Api:
    def __init__(self, user):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='parity')[1]}")

    def get(self, path):
        r = self.client.get(f"/api/v1{path}")
        assert r.status_code == 200, r.content
        return r.json()

    def post(self, path, data=None):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json")


def api_links(user, p) -> set[str]:
    return set(Api(user).get(f"/proposals/{p.pk}")["links"]) & API_ACTIONS


# Proposals in the states the tests need -----------------------------------------------------------------------------

def _fresh(p) -> Proposal:
    return Proposal.objects.get(pk=p.pk)


def _draft(world, by=None, title="关于加强全区未成年人关爱保护工作的建议", **fields):
    by = by or world.member
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    return services.proposal_create_draft(by=by, committee=world.committee, lead_member=by.member, title=title,
                                          body="建议。", category=category, **fields)


def _registered(world, title="关于完善社区养老服务的建议", **fields) -> Proposal:
    p = services.proposal_submit(proposal=_draft(world, title=title, **fields), by=world.member)
    return services.proposal_register(proposal=p, by=world.staff)


def _one_unit(world, title="关于完善社区养老服务的建议", *, supervised=False) -> Proposal:
    """Assigned to 区民政局 alone (lead), which signs for it; ``supervised``: key, with 区政府办公室 reviewing replies."""
    extra = {"is_key": True, "lead_officials": [world.lead_official],
             "supervising_offices": [world.offices["区政府办公室"]]} if supervised else {}
    p = handling.proposal_assign(proposal=_registered(world, title), by=world.staff,
                                 lead_units=[world.units["区民政局"]], **extra)
    handling.assignment_sign_for(assignment=p.assignments.get(), by=world.lead_handler)
    return _fresh(p)


def _reply(world, p, outcome="A") -> Reply:
    r = handling.reply_save(assignment=p.assignments.get(role="lead"), by=world.lead_handler, body="答复。",
                            outcome=outcome, contact_name="贺威", contact_phone="0839-8620000", reply_date=TODAY)
    return handling.reply_submit(reply=r, by=world.lead_handler)


def _replied(world, title="关于完善社区养老服务的建议", outcome="A") -> tuple[Proposal, Reply]:
    """Answered by 区民政局 alone, no supervising office: the reply is released at once."""
    p = _one_unit(world, title)
    r = _reply(world, p, outcome)
    p = _fresh(p)
    assert p.state == "replied"
    return p, r


# 1. 调整承办单位 offered by the page where no unit's part can be moved ---------------------------------------------

def test_change_of_unit_is_not_offered_where_no_part_can_be_moved(world):
    """The only unit has submitted its reply (it waits for supervision review): its part is its own now, and
    ``assignment_adjust`` refuses to move it (``adjustment_refusal``). The API knows (``performable`` drops
    ``adjust_assignment`` when ``adjustable_parts`` has nothing movable); the proposal page still offers the office
    "Change the handling unit" (``narrowed`` asks only about paper follow-ups), leading to a page with nothing to
    move. The API is right: an offer the service refuses is no offer (domain.md: a unit's reply is its own; the
    office re-routes before the unit has replied)."""
    p = _one_unit(world, supervised=True)
    _reply(world, p)
    p = _fresh(p)
    assert p.state == "handling"
    a = p.assignments.get()
    api = Api(world.staff)
    assert "adjust_assignment" not in api.get(f"/proposals/{p.pk}")["actions"]
    refused = api.post(f"/assignments/{a.pk}/adjust", {"unit_id": world.units["区司法局"].pk, "reason": "机构改革"})
    assert refused.status_code == 409, refused.content
    assert "adjust_assignment" not in page_offers(world.staff, p), \
        "the page offers 调整承办单位 where the service refuses every part"


def test_change_of_unit_is_not_offered_while_the_only_unit_asks_to_leave(world):
    """The only unit asked for reassignment: its request is decided instead (the assignment's lifecycle refuses
    ``adjust``). The API names ``decide_reassignment`` and not ``adjust_assignment``; the page offers both."""
    p = _fresh(handling.proposal_assign(proposal=_registered(world), by=world.staff,
                                        lead_units=[world.units["区民政局"]]))
    handling.reassignment_request(assignment=p.assignments.get(), by=world.lead_handler, reason="不属本单位职责")
    p = _fresh(p)
    actions = set(Api(world.staff).get(f"/proposals/{p.pk}")["actions"])
    assert "decide_reassignment" in actions and "adjust_assignment" not in actions
    offered = page_offers(world.staff, p)
    assert "decide_reassignment" in offered
    assert "adjust_assignment" not in offered, "the page offers 调整承办单位 of a unit whose request awaits a decision"


# 2. 催办: the page's reminder buttons have no link in the API --------------------------------------------------------

def test_a_reminder_the_page_offers_is_linked_in_the_api(world, assigned):
    """The office's proposal page has a 催办 button for each unit with work outstanding (``can_remind``), and the API
    takes the same reminder (``POST /assignments/{id}/remind``, 201). But no answer links it: the proposal's
    ``actions`` say ``remind`` and its assignments' ``links`` name sign, contact, reply, extension and adjust,
    never ``remind``. api.md: an answer's links are the addresses of what the caller may do next; the page is
    right."""
    lead = assigned.assignments.get(role="lead")
    assert "remind" in page_offers(world.staff, assigned)
    d = Api(world.staff).get(f"/proposals/{assigned.pk}")
    assert "remind" in d["actions"]
    links = next(a["links"] for a in d["assignments"] if a["id"] == lead.pk)
    taken = Api(world.staff).post(f"/assignments/{lead.pk}/remind", {"note": "请抓紧办理"})
    assert taken.status_code == 201, taken.content
    assert links.get("remind") == f"/api/v1/assignments/{lead.pk}/remind", links


# 3. Decisions the panel offers, named in the API's actions but with no address -------------------------------------

def _addresses(answer) -> set[str]:
    """Every address an API answer gives, its nested objects' links included."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "links" and isinstance(item, dict):
                    found.update(v for v in item.values() if isinstance(v, str))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(answer)
    return found


def test_a_paper_follow_up_the_page_offers_has_an_address_in_the_api(world):
    """A B-class reply's follow-up (回头看) is awaited. The office's panel offers "Record a follow-up report received
    on paper" (its form names the follow-up), and ``POST /follow-ups/{id}/report`` by the office takes it. The API's
    proposal says ``record_paper_follow_up`` in ``actions`` but gives no address for it: not in ``links``
    (``PROPOSAL_ACTIONS`` has no entry) and its ``follow_ups`` items carry no links. A client following links cannot
    do what the page does. The page is right (api.md: links name what the caller may do now)."""
    p, r = _replied(world, outcome="B")
    follow_up = FollowUp.objects.create(reply=r, due_on=TODAY + datetime.timedelta(days=10))
    assert "record_paper_follow_up" in page_offers(world.staff, p)
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert "record_paper_follow_up" in d["actions"]
    address = f"/api/v1/follow-ups/{follow_up.pk}/report"
    assert address in _addresses(d), "the API's answer names record_paper_follow_up but links no address for it"
    taken = Api(world.staff).post(f"/follow-ups/{follow_up.pk}/report", {"report": "已建成社区养老服务站 3 个。"})
    assert taken.status_code == 200, taken.content


def test_a_reassignment_decision_the_page_offers_has_an_address_in_the_api(world):
    """A unit asked for reassignment. The office's panel shows the request (its reason) with its decision form; the
    API's proposal says ``decide_reassignment`` in ``actions`` but neither names the request nor links
    ``/reassignments/{id}/decision`` (only the inbox does). The page is right: the proposal's answer should link the
    decision it says the caller may take."""
    p = _fresh(handling.proposal_assign(proposal=_registered(world), by=world.staff,
                                        lead_units=[world.units["区民政局"]]))
    request = handling.reassignment_request(assignment=p.assignments.get(), by=world.lead_handler,
                                            reason="不属本单位职责")
    assert "decide_reassignment" in page_offers(world.staff, p)
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert "decide_reassignment" in d["actions"]
    assert f"/api/v1/reassignments/{request.pk}/decision" in _addresses(d), \
        "the API names decide_reassignment but links no decision"
    assert ReassignmentRequest.objects.filter(pk=request.pk, status="pending").exists()


def test_an_extension_decision_the_page_offers_has_an_address_in_the_api(world):
    """The same for 延期申请: the office's panel shows the unit's request (the day asked, the reason) with its decision
    form; the API's proposal says ``decide_extension`` but links no ``/extensions/{id}/decision`` and names no
    request. The page is right."""
    from tian.deadlines import services as deadlines

    p = _one_unit(world)
    a = p.assignments.get()
    extension = deadlines.extension_request(assignment=a, by=world.lead_handler, reason="需协调多个部门",
                                            requested_deadline=a.deadline + datetime.timedelta(days=20))
    assert "decide_extension" in page_offers(world.staff, p)
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert "decide_extension" in d["actions"]
    assert f"/api/v1/extensions/{extension.pk}/decision" in _addresses(d), \
        "the API names decide_extension but links no decision"


def test_the_units_page_leads_to_its_follow_up_report_as_the_api_names_it(world):
    """A year after its B-class reply, 区民政局 owes a follow-up report (回头看). The API names ``report_follow_up`` in
    the proposal's ``actions`` (and ``POST /follow-ups/{id}/report`` by the unit takes it). The unit's proposal page
    shows its panel of actions (it has an assignment) but the panel is empty: its only way on, "Handle this
    proposal" (the work page, where the report is written), is shown only while ``sign_for`` is in the workflow's
    actions, i.e. while the proposal is in handling. The API is right: the unit has something to do."""
    p, r = _replied(world, outcome="B")
    follow_up = FollowUp.objects.create(reply=r, due_on=TODAY + datetime.timedelta(days=10))
    api = Api(world.lead_handler)
    assert "report_follow_up" in api.get(f"/proposals/{p.pk}")["actions"]
    offered = page_offers(world.lead_handler, p)
    taken = api.post(f"/follow-ups/{follow_up.pk}/report", {"report": "已建成社区养老服务站 3 个。"})
    assert taken.status_code == 200, taken.content
    assert "handle" in offered, "the unit's panel offers nothing although a follow-up report is awaited from it"


# 4. A paper evaluation offered when every proposer has rated -------------------------------------------------------

def test_no_paper_evaluation_is_offered_once_every_proposer_has_rated(world):
    """The lead proposer (the only proposer) rated the reply. ``evaluation_submit`` refuses a second rating of the
    round by anyone (invalid_state), so the office has nobody left to record a paper evaluation for: the page's form
    offers an empty list of members, and the API links ``record_paper_evaluation``, whose POST is refused. Both
    sides should leave it out, as both leave ``evaluate`` out for a proposer who rated (``evaluated_now``;
    ``rated_now`` already empties the form's choices)."""
    p, _r = _replied(world)
    handling.evaluation_submit(proposal=p, by=world.member, result="satisfied")
    p = _fresh(p)
    assert p.state == "replied"
    api = Api(world.staff)
    links = api_links(world.staff, p)
    refused = api.post(f"/proposals/{p.pk}/paper-evaluation",
                       {"member": world.member.member_id, "result": "satisfied"})
    assert refused.status_code == 409, refused.content
    assert Evaluation.objects.filter(proposal=p).count() == 1
    offered = page_offers(world.staff, p)
    assert "record_paper_evaluation" not in links, "the API links a paper evaluation nobody is left to give"
    assert "record_paper_evaluation" not in offered, "the page offers a paper evaluation nobody is left to give"


# 5. 撰写答复 linked by the API while the unit's reply waits for co-signing or review ------------------------------

def test_write_reply_is_not_linked_while_the_reply_waits_for_review(world):
    """The lead unit submitted its reply; it waits for supervision review. ``reply_save`` refuses to change it
    (the reply's lifecycle: ``save`` only from draft or returned), and the unit's work page shows the letter, no
    reply form (``editable`` asks the reply's state). The API still names ``write_reply`` in the proposal's
    ``actions`` and links ``/assignments/{id}/reply`` on the unit's assignment (``unit_steps`` asks the assignment
    alone), and the POST is refused. The work page is right."""
    p = _one_unit(world, supervised=True)
    _reply(world, p)
    a = p.assignments.get()
    api = Api(world.lead_handler)
    d = api.get(f"/proposals/{p.pk}")
    links = next(x["links"] for x in d["assignments"] if x["id"] == a.pk)
    refused = api.post(f"/assignments/{a.pk}/reply", {"body": "改一改。", "outcome": "A", "reply_date": TODAY.isoformat(),
                                                      "contact_name": "贺威", "contact_phone": "0839-8620000"})
    assert refused.status_code == 409, refused.content
    c = Client()
    c.force_login(world.lead_handler)
    work = c.get(reverse("handling:work", args=[p.pk])).content.decode()
    assert f'action="/unit/assignments/{a.pk}/reply/' not in work  # the work page: no reply form
    assert "write_reply" not in links and "write_reply" not in d["actions"], \
        "the API offers writing a reply the service refuses to change"


# 6. 纸质联名: the API offers recording a paper form's co-signers after submission, the page does not ---------------

def test_the_page_offers_recording_paper_co_signers_before_registration_as_the_api_does(world):
    """The office entered a paper proposal and submitted it. Until registration the co-signers may still be recorded
    (domain.md: "the list is frozen at registration"; the workflow's ``record_paper_cosigners`` runs from every state
    before registration): the API links ``record_paper_cosigners`` and ``POST /proposals/{id}/invitations`` records
    them as signed. The proposal page offers the office no form for it (its invite form is only for
    ``invite_cosigners``; the draft page, which has one, is gone once submitted). The API is right."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.staff, committee=world.committee, lead_member=world.member.member,
                                       title="关于纸质提案的建议", body="建议。", category=category)
    p = services.proposal_submit(proposal=p, by=world.staff)
    assert "record_paper_cosigners" in api_links(world.staff, p)
    offered = page_offers(world.staff, p)
    taken = Api(world.staff).post(f"/proposals/{p.pk}/invitations", {"members": [world.cosigner.member_id]})
    assert taken.status_code == 201, taken.content
    assert CoSignature.objects.get(proposal=p, member=world.cosigner.member).status == "accepted"
    assert "invite_cosigners" in offered, "the page offers no way to record the paper form's co-signers"


# 7. Facts the page shows that the API withholds ---------------------------------------------------------------------

def test_the_api_gives_the_proposers_suggested_units_as_the_page_does(world):
    """意向承办单位 (the proposer's suggested handling units) is a field of the proposal (domain.md, "The proposal")
    that the office assigns from. The page shows it to everyone who opens the proposal; the API gives it only inside
    ``editable`` (to whoever may still edit the draft), so the office reading a registered proposal through the API
    never sees it. The page is right."""
    p = _registered(world, suggested_units=[world.units["区司法局"]])
    html = page_html(world.staff, p)
    assert re.search(r"</strong>\s*区司法局", html)  # the body's 意向承办单位 line (the assign form lists every unit)
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert d["assignments"] == []
    assert "区司法局" in json.dumps(d, ensure_ascii=False) or world.units["区司法局"].pk in (
        d.get("suggested_units") or []), "the API withholds the suggested handling units"


def test_the_api_gives_the_disclosure_consent_and_its_reason_as_the_page_does(world):
    """信息公开 是/否, with a reason when 否, is a field of the proposal (domain.md) shown on the page to everyone who
    opens it (and on the seed page). The API gives only ``is_public`` (published or not), and the consent only in
    ``editable``: the office cannot read through the API that the proposer refused, nor why. The page is right."""
    p = _registered(world, disclosure_consent=False, non_disclosure_reason="涉及个人隐私")
    assert "涉及个人隐私" in page_html(world.staff, p)
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert "涉及个人隐私" in json.dumps(d, ensure_ascii=False), "the API withholds the proposer's refusal of disclosure"


def test_the_api_gives_a_collective_proposals_sub_kind_as_the_page_does(world):
    """所属类别 of a collective proposal carries its sub-kind (domain.md: "集体提案 collective proposal with its
    sub-kind"; ``Proposal.kind_label``: "as every output says it"): the page says 集体提案(党派). The API says
    ``kind: "collective"`` and nothing of the sub-kind. The page is right."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.collective, committee=world.committee, collective=world.collective_org,
                                       title="关于集体提案的建议", body="建议。", category=category)
    p = services.proposal_submit(proposal=p, by=world.collective)
    label = _fresh(p).kind_label
    assert "(" in label and label in page_html(world.staff, p)
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert label in json.dumps(d, ensure_ascii=False) or "party" in json.dumps(d), \
        "the API withholds the collective proposal's sub-kind"


def test_the_api_says_plenary_or_recess_as_the_page_does(world):
    """A proposal is a 大会提案 or a 平时提案 by when it was submitted (domain.md, "Calendar and numbering"); the page
    says which beside the session. The API has the session's name only (``Proposal.is_plenary`` is not in the
    answer). The page is right."""
    p = _registered(world)
    page = page_html(world.staff, p)
    said = "平时提案" if not _fresh(p).is_plenary else "大会提案"
    assert said in page
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert "is_plenary" in d or said in json.dumps(d, ensure_ascii=False), "the API does not say plenary or recess"


def test_the_api_names_the_attachments_as_the_page_does(world):
    """The page lists a proposal's attachments to everyone tied to it (``Disclosure.attachments``); the API answer
    says nothing of them, so a client cannot even tell that a proposal has one. The disclosure policy lets the same
    readers see them, so the page is right."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    p = _draft(world)
    services.attachment_add(proposal=p, by=world.member, file=SimpleUploadedFile("调研报告.txt", "调研".encode()))
    p = _fresh(services.proposal_submit(proposal=_fresh(p), by=world.member))
    assert "调研报告.txt" in page_html(world.staff, p)
    d = Api(world.staff).get(f"/proposals/{p.pk}")
    assert "调研报告.txt" in json.dumps(d, ensure_ascii=False), "the API withholds the attachments"


# 8. Handling dates the page keeps from readers with no tie, given by the API ---------------------------------------

def _dates(day: datetime.date) -> list[str]:
    return [day.isoformat(), f"{day.year}年{day.month}月{day.day}日"]


def test_the_api_keeps_the_units_deadlines_from_readers_with_no_tie_as_the_pages_do(world):
    """A disclosed proposal read by someone with no tie to it: the public (the portal; the API without a token) and a
    signed-in member who neither proposed nor handles it (the proposal page). The disclosure policy gives them the
    text, the units and the released replies, but not the history (``Disclosure.history``: its 已交办 entry names the
    reply deadline), and the pages show no unit's status or deadline to them (the proposal page's table of units is
    for the office, the units and those who chase them). The API gives both readers every unit's ``status``,
    ``deadline``, ``due`` and ``reassignment_deadline`` (``outputs.assignment_out``, whatever the reader). The pages
    are right (domain.md, "Who sees what": public and other signed-in readers get text, numbers, units and the
    released reply)."""
    p, _r = _replied(world)
    services.proposal_disclose(proposal=p, by=world.staff)
    a = p.assignments.get()
    hidden = _dates(a.deadline) + _dates(a.reassignment_deadline)
    portal = Client().get(reverse("portal:detail", args=[p.pk])).content.decode()
    page = page_html(world.stranger, p)
    assert not [d for d in hidden if d in portal or d in page]  # neither page shows them
    public = Client().get(f"/api/v1/public/proposals/{p.pk}").json()
    signed_in = Api(world.stranger).get(f"/proposals/{p.pk}")
    for answer in (public, signed_in):
        text = json.dumps(answer, ensure_ascii=False)
        assert not [d for d in hidden if d in text], "the API gives a reader with no tie the units' deadlines"




def test_a_unit_that_asked_to_leave_before_signing_for_has_no_contact_to_record(world):
    """A unit that asks for reassignment without having signed for the proposal has not started work on it: 办前沟通
    needs signing first (the lifecycle's MSG_SIGN_FOR_FIRST; API changelog 1.2). Its status (reassignment requested)
    admitted a contact record all the same; the API no longer offers it and the service refuses it."""
    p = _fresh(handling.proposal_assign(proposal=_registered(world), by=world.staff,
                                        lead_units=[world.units["区民政局"]]))
    a = p.assignments.get()
    handling.reassignment_request(assignment=a, by=world.lead_handler, reason="不属本单位职责")
    api = Api(world.lead_handler)
    d = api.get(f"/proposals/{p.pk}")
    links = next(x["links"] for x in d["assignments"] if x["id"] == a.pk)
    assert "record_contact" not in links and "record_contact" not in d["actions"]
    refused = api.post(f"/assignments/{a.pk}/contact", {"method": "phone", "contacted_on": TODAY.isoformat(),
                                                        "summary": "电话沟通。"})
    assert refused.status_code == 409, refused.content
    assert not a.contacts.exists()
