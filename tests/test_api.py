"""The JSON API: the seed story driven by one token per role, refusals with the right status, token
revocation, public endpoints showing disclosed data only, and the OpenAPI schema served locally."""

import datetime

import pytest
from django.test import Client

from tests.conftest import submitted_on
from tian.accounts.services import token_create, token_revoke
from tian.proposals.models import Proposal, TopicCategory


@pytest.fixture
def tokens(world):
    names = ["member", "cosigner", "staff", "lead_handler", "assisting_handler", "other_handler", "supervisor",
             "stranger"]
    return {n: token_create(user=getattr(world, n), name="test")[1] for n in names}


class Api:
    def __init__(self, token):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, data=None):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json")


def _task(api, kind):
    """The id of the object the caller's inbox names for a task of this kind."""
    return next(t["object_id"] for t in api.get("/inbox").json() if t["kind"] == kind)


def test_the_seed_story_through_the_api(world, tokens):
    """Every id comes from an answer, a lookup or the inbox: what an integrator has."""
    member, cosigner, staff = Api(tokens["member"]), Api(tokens["cosigner"]), Api(tokens["staff"])
    lead, assisting, supervisor = Api(tokens["lead_handler"]), Api(tokens["assisting_handler"]), Api(tokens["supervisor"])
    category = next(c["id"] for c in member.get("/categories").json() if c["name"] == "社会建设")
    r = member.post("/proposals", {"title": "关于加强全区未成年人关爱保护工作的建议", "body": "建议。",
                                   "category": category, "disclosure_consent": True})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["state"] == "draft" and r.json()["links"]["submit"] == f"/api/v1/proposals/{pk}/submit"
    cosigner_id = next(m["id"] for m in member.get("/members").json() if m["name"] == "徐丽娟")
    r = member.post(f"/proposals/{pk}/invitations", {"members": [cosigner_id]})
    assert r.status_code == 201 and r.json()[0]["member"]["id"] == cosigner_id and r.json()[0]["status"] == "invited"
    invitation = r.json()[0]["id"]
    assert [i["id"] for i in cosigner.get("/invitations").json()] == [invitation]
    assert _task(cosigner, "cosign_invitation") == invitation
    r = cosigner.post(f"/invitations/{invitation}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert member.post(f"/proposals/{pk}/submit").json()["state"] == "submitted"
    assert _task(staff, "review") == pk
    r = staff.post(f"/proposals/{pk}/register")
    assert r.json()["state"] == "registered" and r.json()["number"] == 1 and "assign" in r.json()["links"]
    units = {u["name"]: u["id"] for u in staff.get("/units").json()}
    office = next(o["id"] for o in staff.get("/supervising-offices").json() if o["name"] == "区政府办公室")
    official = next(o["id"] for o in staff.get("/lead-officials").json() if o["name"] == "杨金军")
    submitted_on(Proposal.objects.get(pk=pk), datetime.date(2026, 11, 1))  # assigned that day, so submitted by then
    r = staff.post(f"/proposals/{pk}/assign", {
        "lead_unit": units["区民政局"], "assisting_units": [units["区教科局"]], "assigned_on": "2026-11-01",
        "supervising_offices": [office], "lead_officials": [official]})
    assert r.json()["state"] == "assigned", r.content
    lead_id, assist_id = _task(lead, "sign"), _task(assisting, "sign")
    # An assignment's links name what the unit may do now, as the services take it: signing for first, the reply
    # and the assisting opinion only once signed for, never signing twice; no reassignment after its window (assigned
    # on 1 November).
    links = set(lead.get(f"/assignments/{lead_id}").json()["links"])
    assert {"sign_for", "request_extension"} <= links
    assert not {"write_reply", "send_opinion", "request_reassignment"} & links
    r = lead.post(f"/assignments/{lead_id}/sign")
    assert r.json()["status"] == "signed" and r.json()["proposal_state"] == "handling"
    assert "contact" in r.json()["links"]["record_contact"]
    assert "write_reply" in r.json()["links"]
    assert not {"sign_for", "send_opinion", "request_reassignment"} & set(r.json()["links"])
    assert assisting.post(f"/assignments/{assist_id}/sign").status_code == 200
    r = lead.post(f"/assignments/{lead_id}/contact", {"method": "phone", "contacted_on": "2026-11-02",
                                                      "summary": "电话沟通"})
    assert r.status_code == 201 and r.json()["method"] == "phone" and r.json()["assignment_id"] == lead_id
    r = assisting.post(f"/assignments/{assist_id}/opinion", {"body": "同意"})
    assert r.status_code == 201 and r.json()["body"] == "同意"
    assert [o["code"] for o in lead.get("/outcome-classes").json()][:3] == ["A", "B", "C"]
    r = lead.post(f"/assignments/{lead_id}/reply", {"body": "首先感谢。\n现答复如下。", "outcome": "A",
                                                    "contact_name": "贺威", "contact_phone": "13795952836",
                                                    "reply_date": "2026-11-20", "submit": True})
    assert r.status_code == 200 and r.json()["status"] == "cosigning", r.content
    reply_id = r.json()["id"]
    # An extension asked for is not asked again while it is pending.
    r = lead.post(f"/assignments/{lead_id}/extension", {"requested_deadline": "2027-03-01", "reason": "需协调"})
    assert r.status_code == 201, r.content
    assert "request_extension" not in lead.get(f"/assignments/{lead_id}").json()["links"]
    assert _task(assisting, "cosign") == reply_id
    r = assisting.post(f"/replies/{reply_id}/cosign")
    assert r.json()["status"] == "supervision" and r.json()["cosignatures"][0]["signed_at"]
    assert _task(supervisor, "supervision") == reply_id
    r = supervisor.post(f"/replies/{reply_id}/approve", {"comments": "同意"})
    assert r.json()["status"] == "released" and r.json()["proposal_state"] == "replied"
    r = member.post(f"/proposals/{pk}/evaluate", {"result": "satisfied", "contacted": True, "feedback": "非常满意"})
    assert r.status_code == 201 and r.json()["result"] == "satisfied" and r.json()["contacted"] is True
    assert staff.post(f"/proposals/{pk}/close").json()["state"] == "closed"
    # Disclosure is offered, by the API's links and the page's button, exactly when the service would take it.
    page = Client()
    page.force_login(world.staff)
    button = f"/proposals/{pk}/do/disclose/"

    def offered() -> tuple[bool, bool]:
        return "disclose" in staff.get(f"/proposals/{pk}").json()["links"], button in page.get(
            f"/proposals/{pk}/").content.decode()

    assert offered() == (True, True)
    Proposal.objects.filter(pk=pk).update(disclosure_consent=False)
    assert offered() == (False, False)
    r = staff.post(f"/proposals/{pk}/disclose")
    assert r.status_code >= 400 and r.json()["code"] == "invalid_input", r.content
    Proposal.objects.filter(pk=pk).update(disclosure_consent=True)
    assert staff.post(f"/proposals/{pk}/disclose").json()["is_public"] is True
    assert offered() == (False, False)
    r = staff.post(f"/proposals/{pk}/disclose")
    assert r.status_code >= 400 and r.json()["code"] == "invalid_state", r.content
    public = Client().get(f"/api/v1/public/proposals/{pk}").json()
    assert public["number_bracket"] == "第〔1〕号" and public["replies"][0]["contact_line"].endswith("137****2836)")
    # The public reads the lead proposer's rating only (the disclosure policy).
    assert public["timeline"] == [] and public["lead_rating"] == "satisfied" and public["evaluations"] == []


def test_the_deprecated_operations_still_answer_as_before(world, tokens):
    member, cosigner, staff = Api(tokens["member"]), Api(tokens["cosigner"]), Api(tokens["staff"])
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    pk = member.post("/proposals", {"title": "关于测试的建议", "body": "建议。", "category": category.pk}).json()["id"]
    assert member.post(f"/proposals/{pk}/cosigners", {"members": [world.cosigner.member.pk]}).json() == {
        "ok": True, "id": pk, "state": "draft"}
    invitation = Proposal.objects.get(pk=pk).cosignatures.get()
    assert cosigner.post(f"/cosignatures/{invitation.pk}/accept").json() == {"ok": True, "id": invitation.pk,
                                                                             "state": None}
    assert member.post(f"/proposals/{pk}/actions/submit").json() == {"ok": True, "id": pk, "state": "submitted"}
    assert staff.post(f"/proposals/{pk}/actions/register").json()["state"] == "registered"
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["paths"]["/api/v1/proposals/{proposal_id}/actions/{action}"]["post"]["deprecated"] is True


def test_refusals_have_the_right_status_and_code(world, tokens):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    member, staff, stranger = Api(tokens["member"]), Api(tokens["staff"]), Api(tokens["stranger"])
    pk = member.post("/proposals", {"title": "关于测试的建议", "body": "建议。", "category": category.pk,
                                    "disclosure_consent": True}).json()["id"]
    r = member.post(f"/proposals/{pk}/register")
    assert r.status_code == 403 and r.json()["code"] == "not_allowed" and r.json()["message"] == "您无权执行此操作。"
    r = staff.post(f"/proposals/{pk}/register")
    assert r.status_code == 404  # a draft is invisible to the office
    member.post(f"/proposals/{pk}/submit")
    r = member.post(f"/proposals/{pk}/submit")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    r = staff.post(f"/proposals/{pk}/return", {"note": ""})
    assert r.status_code == 422 and "note" in r.json()["fields"]
    assert stranger.get(f"/proposals/{pk}").status_code == 404
    assert Client().get(f"/api/v1/proposals/{pk}").status_code == 401
    assert staff.post(f"/proposals/{pk}/actions/nonsense").status_code == 404


def test_a_revoked_token_stops_working_at_once(world):
    token, raw = token_create(user=world.member, name="小程序")
    api = Api(raw)
    assert api.get("/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    token_revoke(token=token, by=world.member)
    assert api.get("/me").status_code == 401
    assert Api("tian_not-a-token").get("/me").status_code == 401


def test_a_token_follows_its_users_roles_and_state_at_once(world):
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role

    _token, raw = token_create(user=world.staff, name="办公室脚本")
    api = Api(raw)
    assert api.get("/me").json()["roles"] == ["staff"]
    accounts.user_update(user=world.staff, roles=[Role.STAFF, Role.ADMIN], full_name="提案委")
    assert sorted(api.get("/me").json()["roles"]) == ["admin", "staff"]
    world.staff.is_active = False
    world.staff.save()
    assert api.get("/me").status_code == 401


def test_public_endpoints_return_only_disclosed_data(world, tokens):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    pk = Api(tokens["member"]).post("/proposals", {"title": "不应公开的提案", "body": "建议。", "category": category.pk,
                                                   "disclosure_consent": True}).json()["id"]
    Api(tokens["member"]).post(f"/proposals/{pk}/submit")
    listing = Client().get("/api/v1/public/proposals").json()
    assert listing["total"] == 0 and "不应公开的提案" not in str(listing)
    assert Client().get(f"/api/v1/public/proposals/{pk}").status_code == 404
    # Another committee's disclosed proposal is not this portal's, nor its public API's (portal.selectors).
    from tian.organisations.models import Committee
    from tian.proposals.models import State

    mine = Proposal.objects.get(pk=pk)
    elsewhere = Committee.objects.create(name="政协某县委员会", region="某县", short_name="某县政协")
    foreign = Proposal.objects.create(committee=elsewhere, session=mine.session, title="关于外会的建议", year=mine.year,
                                      state=State.CLOSED, is_public=True, lead_member=world.cosigner.member,
                                      created_by=world.staff)
    assert Client().get("/api/v1/public/proposals").json()["total"] == 0
    assert Client().get(f"/api/v1/public/proposals/{foreign.pk}").status_code == 404
    Proposal.objects.filter(pk=foreign.pk).update(committee=world.committee)
    assert Client().get("/api/v1/public/proposals").json()["total"] == 1


def test_schema_and_docs_are_served_locally(world, client_for):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/proposals/{proposal_id}/register" in schema["paths"]
    docs = client_for(world.staff).get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in docs and "/static/ninja/" in docs


def test_tokens_page_creates_shows_once_and_revokes(world, client_for):
    client = client_for(world.member)
    page = client.post("/accounts/tokens/", {"name": "大屏"}).content.decode()
    assert "tian_" in page
    token = world.member.api_tokens.get()
    client.post("/accounts/tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    other = client_for(world.stranger)
    other.post("/accounts/tokens/", {"revoke": token.pk})  # not theirs: 404, nothing happens


def _submitted_via_api(world, tokens):
    member = Api(tokens["member"])
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    pk = member.post("/proposals", {"title": "关于矩阵测试的建议", "body": "建议。", "category": category.pk,
                                    "disclosure_consent": True}).json()["id"]
    member.post(f"/proposals/{pk}/submit")
    return pk


@pytest.mark.parametrize("action,body,allowed", [
    ("register", {}, "staff"), ("return", {"note": "请修改"}, "staff"), ("withdraw", {}, "member"),
    ("decline", {"forward": "opinion"}, "staff"),
])
def test_each_action_is_refused_for_other_roles_with_403_and_nothing_changes(world, tokens, action, body, allowed):
    pk = _submitted_via_api(world, tokens)
    if action == "decline":
        body = {**body, "ground": world.committee.decline_grounds.first().pk}
    for who in ("cosigner", "lead_handler", "supervisor", "stranger", "member", "staff"):
        if who == allowed:
            continue
        r = Api(tokens[who]).post(f"/proposals/{pk}/{action}", body)
        assert r.status_code in (403, 404), (who, r.status_code)
        assert r.json()["code"] in ("not_allowed", "not_found")
        assert Proposal.objects.get(pk=pk).state == "submitted"
    assert Api(tokens[allowed]).post(f"/proposals/{pk}/{action}", body).status_code == 200
    r = Api(tokens[allowed]).post(f"/proposals/{pk}/{action}", body)
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"


def test_unit_and_supervision_endpoints_refuse_the_wrong_unit_and_state(world, tokens):
    staff = Api(tokens["staff"])
    pk = _submitted_via_api(world, tokens)
    staff.post(f"/proposals/{pk}/register")
    submitted_on(Proposal.objects.get(pk=pk), datetime.date(2026, 11, 1))  # assigned that day, so submitted by then
    staff.post(f"/proposals/{pk}/assign", {"lead_unit": world.units["区民政局"].pk, "assigned_on": "2026-11-01",
                                                   "supervising_offices": [world.offices["区政府办公室"].pk]})
    lead_id = Proposal.objects.get(pk=pk).assignments.get().pk
    r = Api(tokens["other_handler"]).post(f"/assignments/{lead_id}/sign")
    assert r.status_code == 404  # another unit does not even see the proposal
    r = Api(tokens["member"]).post(f"/assignments/{lead_id}/sign")
    assert r.status_code == 403
    lead = Api(tokens["lead_handler"])
    assert lead.post(f"/assignments/{lead_id}/sign").status_code == 200
    assert lead.post(f"/assignments/{lead_id}/sign").status_code == 409
    r = lead.post(f"/assignments/{lead_id}/reply", {"body": "答复", "outcome": "Z", "contact_name": "贺威",
                                                    "contact_phone": "0839-8620000", "reply_date": "2026-11-20", "submit": True})
    assert r.status_code == 422 and "outcome" in r.json()["fields"]
    reply_id = lead.post(f"/assignments/{lead_id}/reply", {"body": "答复", "outcome": "A", "contact_name": "贺威",
                                                           "contact_phone": "0839-8620000",
                                                           "reply_date": "2026-11-20", "submit": True}).json()["id"]
    assert Api(tokens["lead_handler"]).post(f"/replies/{reply_id}/approve").status_code == 403
    assert Api(tokens["supervisor"]).post(f"/replies/{reply_id}/return", {"comments": ""}).status_code == 422
    assert Api(tokens["supervisor"]).post(f"/replies/{reply_id}/approve").json()["proposal_state"] == "replied"
    assert Api(tokens["supervisor"]).post(f"/replies/{reply_id}/approve").status_code == 409


def test_decisions_and_reports_on_a_proposal_the_caller_may_not_open_are_a_404_and_change_nothing(
        world, tokens, assigned):
    """The office's decision on an extension and a unit's follow-up report are authorized by the proposal they
    belong to: another unit's handler does not even see it."""
    import datetime

    from tian.deadlines import services as deadlines
    from tian.deadlines.models import ExtensionRequest, FollowUp
    from tian.handling import services as handling
    from tian.supervision import services as supervision

    other = Api(tokens["other_handler"])
    lead = assigned.assignments.get(role="lead")
    extension = deadlines.extension_request(assignment=lead, by=world.lead_handler, reason="需要调研",
                                            requested_deadline=lead.deadline + datetime.timedelta(days=20))
    r = other.post(f"/extensions/{extension.pk}/decision", {"decision": "approve"})
    assert r.status_code == 404
    assert ExtensionRequest.objects.get(pk=extension.pk).status == extension.status
    r = Api(tokens["staff"]).post(f"/extensions/{extension.pk}/decision", {"decision": "approve"})
    assert r.status_code == 200 and r.json()["deadline"] == str(lead.deadline + datetime.timedelta(days=20))

    for assignment in assigned.assignments.all():
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name))
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="正在推进。", outcome="B",
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=datetime.date.today())
    reply = handling.reply_cosign(reply=handling.reply_submit(reply=reply, by=world.lead_handler),
                                  by=world.assisting_handler).reply
    supervision.reply_approve(reply=reply, by=world.supervisor)
    assert deadlines.create_due_follow_ups(datetime.date.today() + datetime.timedelta(days=400)) == 1
    follow_up = FollowUp.objects.get(reply=reply)
    r = other.post(f"/follow-ups/{follow_up.pk}/report", {"report": "已完成"})
    assert r.status_code == 404
    assert FollowUp.objects.get(pk=follow_up.pk).report == ""
    r = Api(tokens["lead_handler"]).post(f"/follow-ups/{follow_up.pk}/report", {"report": "已建成12个工作站"})
    assert r.status_code == 200 and FollowUp.objects.get(pk=follow_up.pk).report == "已建成12个工作站"


def test_unreadable_body_is_a_400_with_a_chinese_message(world, tokens):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['staff']}")
    response = client.post("/api/v1/proposals/1/register", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "无法读取请求内容，请发送 JSON 对象。", "fields": {}}


@pytest.mark.django_db(transaction=True)  # each request commits, as on a server
def test_submitting_through_the_api_answers_the_new_state_in_few_queries_and_queues_only_what_follows(
        world, monkeypatch):
    """The sustained-submission path of ``make bench``: a member creates a draft, then submits it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tian.proposals import events

    queued = []
    monkeypatch.setattr(events, "_after_commit", lambda *args, **kwargs: queued.append(args))
    api = Api(token_create(user=world.member, name="test")[1])
    category = TopicCategory.objects.filter(committee=world.committee).first()
    body = {"title": "关于完善社区养老服务的建议", "body": "建议统筹布局社区养老服务站点。", "category": category.pk,
            "disclosure_consent": True}
    with CaptureQueriesContext(connection) as create:
        created = api.post("/proposals", body)
    assert created.status_code == 201 and created.json()["state"] == "draft"
    proposal = Proposal.objects.get(pk=created.json()["id"])
    assert queued == []  # a new draft is neither indexed nor announced: nothing queued
    assert proposal.revision == 0  # nothing of it can have been kept yet (its committee's versions moved: member home)
    with CaptureQueriesContext(connection) as submit:
        submitted = api.post(f"/proposals/{proposal.pk}/actions/submit")  # the deprecated operation answers as before
    assert submitted.json() == {"ok": True, "id": proposal.pk, "state": "submitted"}
    proposal.refresh_from_db()
    assert proposal.state == "submitted" and proposal.revision == 1
    assert [args[1] for args in queued] == [proposal.pk]  # indexed and announced by the worker
    # One query for the token with its user and roles, none repeated for what was already read.
    statements = {name: [q["sql"] for q in captured.captured_queries
                         if q["sql"].split()[0] not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
                  for name, captured in (("create", create), ("submit", submit))}
    # A token call makes no session (it used to make one per call) ...
    assert not any("django_session" in sql for sql in statements["create"] + statements["submit"])
    # ... reads the token with its user and roles in one query, and nothing twice.
    # (one moves its committee's versions, after the commit: member home counts the new draft; one reads the terms
    # the member list records for the proposer, who proposes in those alone)
    assert len(statements["create"]) <= 12, statements["create"]
    # The category is read once, by the form's field (the model's own existence check would read it again).
    assert sum("proposals_topiccategory" in sql for sql in statements["create"]) == 1, statements["create"]
    assert all(statements[name].count(sql) == 1 for name in statements for sql in statements[name])
    assert len(statements["submit"]) <= 10, statements["submit"]  # (the proposer's terms read again: the list may change)


def test_answering_a_lapsed_invitation_says_it_has_expired(world, tokens, client_for):
    # The invitation lapsed by the clock (sent in February 2023): it no longer opens the draft, but the invited member
    # still reaches it to hear why their answer is refused, through the API and the page alike.
    from django.urls import reverse

    from tests.test_lifecycle_services import build
    from tian.proposals.models import CoSignature

    case = build(world, "draft")
    cosigner = Api(tokens["cosigner"])
    assert cosigner.get(f"/proposals/{case.proposal.pk}").status_code == 404
    r = cosigner.post(f"/invitations/{case.invitation.pk}/accept")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state" and "过期" in r.json()["message"], r.content
    assert CoSignature.objects.get(pk=case.invitation.pk).status == CoSignature.Status.EXPIRED
    assert Api(tokens["stranger"]).post(f"/invitations/{case.invitation.pk}/accept").status_code == 404
    page = client_for(world.cosigner).post(reverse("proposals:cosign_respond", args=[case.invitation.pk]),
                                           {"answer": "accept"}, follow=True)
    assert page.status_code == 200 and page.redirect_chain[-1][0] == reverse("dashboard:home_member")
