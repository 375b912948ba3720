"""The API's protocol as an integrator meets it: one error shape everywhere under /api/, partial updates, ETags,
idempotent retries, paging past the end, and a published schema that names every request and answer."""

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from tian.accounts.services import token_create
from tian.api.models import IdempotentRequest
from tian.proposals.models import Proposal, TopicCategory


class Api:
    def __init__(self, user):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='test')[1]}")

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, data=None, **headers):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json", headers=headers)

    def patch(self, path, data, **headers):
        return self.client.patch(f"/api/v1{path}", json.dumps(data), content_type="application/json",
                                 headers=headers)


def shaped(response, status, code):
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert set(body) == {"code", "message", "fields"} and body["code"] == code and body["message"], body
    return body


# One error shape -------------------------------------------------------------------------------------------------

def test_an_unknown_address_under_the_api_is_a_json_404(world):
    shaped(Api(world.staff).get("/no-such"), 404, "not_found")
    shaped(Client().get("/api/v2/proposals"), 404, "not_found")


def test_a_method_the_address_does_not_take_is_a_json_405_with_allow(world):
    response = Api(world.staff).client.delete("/api/v1/units")
    shaped(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_missing_token_is_a_401_with_www_authenticate(world):
    response = Client().get("/api/v1/proposals")
    shaped(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    response = Client(HTTP_AUTHORIZATION="Bearer tian_nonsense").post("/api/v1/proposals/1/submit")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_body_too_large_is_a_413_in_the_shape(world):
    body = json.dumps({"title": "x", "body": "建" * (2 * 1024 * 1024)})
    response = Api(world.member).client.post("/api/v1/proposals", body, content_type="application/json")
    shaped(response, 413, "too_large")


def test_too_many_requests_is_a_429_in_the_shape(world, settings):
    client = Client()
    for _ in range(200):
        response = client.get("/api/v1/public/proposals")
        if response.status_code == 429:
            break
    shaped(response, 429, "throttled")


def test_unknown_fields_are_refused_naming_them(world):
    api = Api(world.member)
    pk = api.post("/proposals", {"title": "关于测试的建议"}).json()["id"]
    body = shaped(api.patch(f"/proposals/{pk}", {"titel": "关于……的建议"}), 422, "invalid_input")
    assert list(body["fields"]) == ["titel"] and body["fields"]["titel"] == ["未知字段：此请求没有这个字段。"]
    body = shaped(api.post(f"/proposals/{pk}/withdraw", {"note": "", "reason": "x"}), 422, "invalid_input")
    assert list(body["fields"]) == ["reason"]
    assert Proposal.objects.get(pk=pk).state == "draft"


def test_field_errors_use_the_request_schemas_names_for_type_and_form_errors(world):
    api = Api(world.member)
    pk = api.post("/proposals", {"title": "关于测试的建议"}).json()["id"]
    body = shaped(api.patch(f"/proposals/{pk}", {"category": "社会建设", "disclosure_consent": None}), 422,
                  "invalid_input")
    assert set(body["fields"]) == {"category", "disclosure_consent"}
    body = shaped(api.patch(f"/proposals/{pk}", {"category": 999999}), 422, "invalid_input")  # the form's check
    assert set(body["fields"]) == {"category"}


# PATCH is a partial update, one test per writable field -------------------------------------------------------------

@pytest.fixture
def draft(world):
    api = Api(world.member)
    categories = list(TopicCategory.objects.filter(committee=world.committee)[:2])
    values = {"title": "关于原标题的建议", "body": "原正文", "background": "原背景", "analysis": "原分析",
              "suggestions": "原建议", "category": categories[0].pk, "suggested_units": [world.units["区民政局"].pk],
              "disclosure_consent": False, "non_disclosure_reason": "原理由", "contact_name": "刘安泽",
              "contact_phone": "13700000000", "contact_address": "原地址"}
    pk = api.post("/proposals", values).json()["id"]
    return api, pk, values, categories[1].pk


NEW = {"title": "关于新标题的建议", "body": "新正文", "background": "新背景", "analysis": "新分析",
       "suggestions": "新建议", "disclosure_consent": True, "non_disclosure_reason": "新理由",
       "contact_name": "徐丽娟", "contact_phone": "0839-8622541", "contact_address": "新地址"}


@pytest.mark.parametrize("field", [*NEW, "category", "suggested_units"])
def test_patching_one_field_changes_it_and_keeps_every_other(world, draft, field):
    api, pk, before, other_category = draft
    new = {**NEW, "category": other_category, "suggested_units": [world.units["区教科局"].pk]}[field]
    response = api.patch(f"/proposals/{pk}", {field: new})
    assert response.status_code == 200, response.content
    editable = response.json()["editable"]
    assert editable == {**before, field: new}
    assert api.get(f"/proposals/{pk}").json()["editable"] == editable


@pytest.mark.parametrize("field,cleared", [("title", ""), ("body", ""), ("category", None), ("suggested_units", []),
                                           ("non_disclosure_reason", ""), ("contact_phone", "")])
def test_null_clears_a_field(world, draft, field, cleared):
    api, pk, before, _ = draft
    editable = api.patch(f"/proposals/{pk}", {field: None}).json()["editable"]
    assert editable == {**before, field: cleared}


def test_disclosure_consent_cannot_be_cleared(world, draft):
    api, pk, before, _ = draft
    shaped(api.patch(f"/proposals/{pk}", {"disclosure_consent": None}), 422, "invalid_input")
    assert api.get(f"/proposals/{pk}").json()["editable"] == before


def test_patch_with_a_stale_etag_is_refused_with_412_and_without_one_goes_through(world, draft):
    api, pk, before, _ = draft
    read = api.get(f"/proposals/{pk}")
    etag = read["ETag"]
    changed = api.patch(f"/proposals/{pk}", {"title": "关于第一次修改的建议"}, **{"If-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    body = shaped(api.patch(f"/proposals/{pk}", {"title": "关于过时修改的建议"}, **{"If-Match": etag}), 412,
                  "precondition_failed")
    assert "ETag" in body["message"]
    assert Proposal.objects.get(pk=pk).title == "关于第一次修改的建议"
    assert api.patch(f"/proposals/{pk}", {"body": "不带 If-Match"}).status_code == 200
    assert api.get(f"/proposals/{pk}")["ETag"] != changed["ETag"]


# Idempotency-Key ------------------------------------------------------------------------------------------------------

def test_a_retried_create_with_the_same_key_answers_the_first_answer_and_creates_once(world):
    api = Api(world.member)
    first = api.post("/proposals", {"title": "关于重试的建议"}, **{"Idempotency-Key": "k-1"})
    again = api.post("/proposals", {"title": "关于重试的建议"}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Proposal.objects.filter(title="关于重试的建议").count() == 1
    other = api.post("/proposals", {"title": "关于重试的建议"}, **{"Idempotency-Key": "k-2"})
    assert other.json()["id"] != first.json()["id"]


def test_the_same_key_with_another_body_is_refused(world):
    api = Api(world.member)
    api.post("/proposals", {"title": "关于甲的建议"}, **{"Idempotency-Key": "k"})
    shaped(api.post("/proposals", {"title": "关于乙的建议"}, **{"Idempotency-Key": "k"}), 422,
           "idempotency_key_reused")
    assert not Proposal.objects.filter(title="关于乙的建议").exists()


def test_keys_are_each_accounts_own_and_a_refusal_frees_the_key(world):
    member, cosigner = Api(world.member), Api(world.cosigner)
    a = member.post("/proposals", {"title": "关于甲的建议"}, **{"Idempotency-Key": "same"}).json()["id"]
    b = cosigner.post("/proposals", {"title": "关于甲的建议"}, **{"Idempotency-Key": "same"}).json()["id"]
    assert a != b
    refused = member.post(f"/proposals/{a}/submit", **{"Idempotency-Key": "submit-1"})  # no body, no category
    assert refused.status_code == 422
    assert not IdempotentRequest.objects.filter(key="submit-1").exists()


def test_a_retried_action_is_not_performed_twice(world):
    api, staff = Api(world.member), Api(world.staff)
    category = TopicCategory.objects.filter(committee=world.committee).first()
    pk = api.post("/proposals", {"title": "关于测试的建议", "body": "建议。", "category": category.pk}).json()["id"]
    first = api.post(f"/proposals/{pk}/submit", **{"Idempotency-Key": "s"})
    again = api.post(f"/proposals/{pk}/submit", **{"Idempotency-Key": "s"})
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert api.post(f"/proposals/{pk}/submit").status_code == 409  # without the key: a second submission
    assert staff.get(f"/proposals/{pk}").json()["timeline"][-1]["action"] == "proposal.submitted"


# Paging ------------------------------------------------------------------------------------------------------------------

def test_a_page_past_the_end_is_empty_with_links_back(world):
    api = Api(world.member)
    for i in range(3):
        api.post("/proposals", {"title": f"关于第{i}件事的建议"})
    first = api.get("/proposals", page_size=2).json()
    assert first["total"] == 3 and first["pages"] == 2 and len(first["items"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    last = api.client.get(first["next"]).json()
    assert len(last["items"]) == 1 and last["next"] is None and "page=1" in last["previous"]
    beyond = api.get("/proposals", page=999, page_size=2).json()
    assert beyond["items"] == [] and beyond["page"] == 999 and beyond["next"] is None
    assert "page=2" in beyond["previous"] and beyond["total"] == 3


# Lookups --------------------------------------------------------------------------------------------------------------

def test_every_id_an_action_needs_can_be_looked_up(world):
    api = Api(world.staff)
    assert {c["name"] for c in api.get("/categories").json()} >= {"社会建设"}
    assert {o["name"] for o in api.get("/supervising-offices").json()} >= {"区政府办公室"}
    assert {o["name"] for o in api.get("/lead-officials").json()} >= {"杨金军"}
    grounds = api.get("/decline-grounds").json()
    assert grounds and all(set(g) == {"id", "text"} for g in grounds)
    assert {u["name"] for u in api.get("/units").json()} >= {"区民政局", "区教科局"}
    assert {m["name"] for m in api.get("/members").json()} >= {"刘安泽", "徐丽娟"}
    assert api.get("/sessions").json()[0]["year"]
    assert [o["code"] for o in api.get("/outcome-classes").json()][:3] == ["A", "B", "C"]


# The published schema --------------------------------------------------------------------------------------------------

ACTIONS = {  # every lifecycle, co-signing, unit and supervisor action: its operation and its request schema
    "/proposals/{proposal_id}/submit": "SubmitRequest", "/proposals/{proposal_id}/withdraw": "WithdrawRequest",
    "/proposals/{proposal_id}/register": "RegisterRequest", "/proposals/{proposal_id}/decline": "DeclineRequest",
    "/proposals/{proposal_id}/merge": "MergeRequest", "/proposals/{proposal_id}/return": "ReturnRequest",
    "/proposals/{proposal_id}/assign": "AssignRequest", "/proposals/{proposal_id}/rehandle": "RehandleRequest",
    "/proposals/{proposal_id}/close": "CloseRequest", "/proposals/{proposal_id}/disclose": "DiscloseRequest",
    "/proposals/{proposal_id}/evaluate": "EvaluateRequest",
    "/proposals/{proposal_id}/paper-evaluation": "PaperEvaluationRequest",
    "/proposals/{proposal_id}/invitations": "InviteRequest",
    "/invitations/{invitation_id}/accept": "InvitationAnswerRequest",
    "/invitations/{invitation_id}/decline": "InvitationAnswerRequest",
    "/invitations/{invitation_id}/withdraw": "InvitationWithdrawRequest",
    "/proposals/{proposal_id}/supervision-activities": "ActivityRequest",
    "/assignments/{assignment_id}/sign": "SignRequest",
    "/assignments/{assignment_id}/reassignment": "ReassignmentRequestIn",
    "/assignments/{assignment_id}/adjust": "AssignmentAdjustRequest",
    "/assignments/{assignment_id}/contact": "ContactRequest", "/assignments/{assignment_id}/opinion": "OpinionRequest",
    "/assignments/{assignment_id}/reply": "ReplyRequest", "/assignments/{assignment_id}/extension": "ExtensionRequestIn",
    "/assignments/{assignment_id}/remind": "RemindRequest", "/replies/{reply_id}/submit": "ReplySubmitRequest",
    "/replies/{reply_id}/cosign": "CosignReplyRequest", "/replies/{reply_id}/approve": "ApproveRequest",
    "/replies/{reply_id}/return": "ReplyReturnRequest",
    "/reassignments/{request_id}/decision": "ReassignmentDecisionRequest",
    "/extensions/{extension_id}/decision": "ExtensionDecisionRequest",
    "/follow-ups/{follow_up_id}/report": "FollowUpRequest",
}


def _refs(node) -> set[str]:
    text = json.dumps(node)
    return {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}


def test_the_schema_is_valid_openapi_3_1(world):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    validate(schema)


def test_every_action_has_named_request_and_response_schemas_with_examples(world):
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    for path, request_name in ACTIONS.items():
        operation = schema["paths"]["/api/v1" + path]["post"]
        assert request_name in _refs(operation["requestBody"]), path
        success = next(r for status, r in operation["responses"].items() if status.startswith("2"))
        assert _refs(success), path
        assert components[request_name].get("additionalProperties") is False, request_name
        fields = components[request_name].get("properties", {})
        assert not fields or components[request_name].get("examples"), request_name
        assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), path
    # Choices are enums, yes/no booleans, dates dates.
    assert components["Rating"]["enum"] == ["satisfied", "basically_satisfied", "dissatisfied"]
    evaluate = components["EvaluateRequest"]["properties"]
    assert {"type": "boolean"} in evaluate["contacted"]["anyOf"]
    assert components["AssignRequest"]["properties"]["assigned_on"]["format"] == "date"
    assert components["ContactRequest"]["properties"]["method"] == {"$ref": "#/components/schemas/ContactMethod"}
    patch = schema["paths"]["/api/v1/proposals/{proposal_id}"]["patch"]
    assert any(p["name"] == "If-Match" for p in patch["parameters"]) and "412" in patch["responses"]


def test_the_public_list_offers_the_portals_filters_and_the_signed_in_list_the_office_lists(world):
    """One filter definition (``search/filters.py``): the public list takes the filters offered to the public
    (``PUBLIC_API``) and, deprecated until v2, the deadline v1 took there (it is the office's); the signed-in list
    those of the lists (``API``)."""
    from tian.search.filters import API, PUBLIC_API

    schema = Client().get("/api/v1/openapi.json").json()

    def parameters(path):
        return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]
                if p["name"] not in ("q", "page", "page_size")}

    public = parameters("/api/v1/public/proposals")
    assert set(public) == {*PUBLIC_API, "deadline"} and "deadline" not in PUBLIC_API
    assert public["deadline"].get("deprecated") is True
    assert set(parameters("/api/v1/proposals")) == set(API)
