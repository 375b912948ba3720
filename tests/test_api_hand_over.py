"""机构改革 through the API: ``GET /api/v1/units/{id}/hand-over`` lists a unit's open work as the office's hand-over
page does, ``POST`` at the same address hands it over (``handling.services.unit_hand_over``, the page's service).

The standing case is ``tests/test_unit_hand_over.py``'s: 区民政局 holds the lead of a proposal being handled, the
assisting part of a second and the lead of a third whose reply it has submitted (that one cannot be moved);
区司法局 takes over."""

import pytest
from django.test import Client
from django.utils import translation

from tests.test_api_protocol import Api
from tests.test_lifecycle_services import build, fresh, snapshot
from tests.test_unit_hand_over import NEW, OLD, REASON, Work, zh
from tian.handling import services as handling
from tian.handling.lifecycle import ASSIGNMENT
from tian.handling.models import Assignment
from tian.handling.services import MSG_ADJUST_REASON, MSG_HAND_OVER_SAME_UNIT
from tian.organisations.models import Committee, Unit
from tian.proposals.models import Event

A = Assignment.Status


def path(world, unit=OLD) -> str:
    return f"/units/{world.units[unit].pk}/hand-over"


def why_replied(work) -> str:
    """Why 区民政局's part of the proposal it has replied to stays, in the API's language."""
    return zh(handling.adjustment_refusal(fresh(work.replied_case.proposal), work.replied).message)


def assert_refused(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["code"] == code and body["message"], body
    return body


def test_the_office_sees_the_units_open_work_and_why_a_part_cannot_be_moved(world):
    work = Work(world)
    response = Api(world.staff).get(path(world))
    body = response.json()
    assert response.status_code == 200, body
    assert body["unit"] == {"id": world.units[OLD].pk, "name": OLD}
    parts = {part["assignment"]: part for part in body["parts"]}
    assert set(parts) == {work.lead.pk, work.assisting.pk, work.replied.pk}
    lead = parts[work.lead.pk]
    proposal = fresh(work.lead_case.proposal)
    assert (lead["proposal"], lead["number"], lead["number_year"], lead["title"], lead["role"], lead["refusal"]) == (
        proposal.pk, proposal.number, proposal.number_year, proposal.title, "lead", None)
    assert lead["links"] == {"proposal": f"/api/v1/proposals/{proposal.pk}",
                             "assignment": f"/api/v1/assignments/{work.lead.pk}"}
    assert parts[work.assisting.pk]["role"] == "assisting" and parts[work.assisting.pk]["refusal"] is None
    assert parts[work.replied.pk]["refusal"] == why_replied(work) and OLD in why_replied(work)
    assert body["links"]["hand_over"] == f"/api/v1{path(world)}"


def test_a_unit_that_asked_to_leave_is_listed_with_why(world):
    build(world, "handling", request="pending")  # 区教科局 asked for reassignment
    [part] = Api(world.staff).get(path(world, "区教科局")).json()["parts"]
    assert part["refusal"] == zh(ASSIGNMENT["adjust"].refusal)


def test_the_office_hands_a_disabled_units_work_over_and_the_part_it_replied_to_stays(world):
    work = Work(world)
    Unit.objects.filter(name=OLD).update(is_active=False)  # abolished: disabled, its work still open
    replied_before = list(Assignment.objects.filter(proposal=work.replied_case.proposal).order_by("pk").values())
    response = Api(world.staff).post(path(world), {"new_unit": world.units[NEW].pk, "reason": REASON})
    body = response.json()
    assert response.status_code == 200, body
    # The two parts that could move are the new unit's, each with its role and deadline, to sign for again.
    moved = sorted((a["proposal_id"], a["role"], a["unit"]["name"], a["status"]) for a in body["moved"])
    assert moved == sorted([(work.lead_case.proposal.pk, "lead", NEW, A.ASSIGNED),
                            (work.assisting_proposal.pk, "assisting", NEW, A.ASSIGNED)])
    for old in (work.lead, work.assisting):
        new = next(a for a in body["moved"] if a["proposal_id"] == old.proposal_id)
        assert new["deadline"] == old.deadline.isoformat()
        assert new["links"]["self"] == f"/api/v1/assignments/{new['id']}"
        assert Assignment.objects.get(pk=old.pk).status == A.REMOVED
        assert Assignment.objects.get(pk=new["id"]).unit == world.units[NEW]
        [event] = Event.objects.filter(proposal_id=old.proposal_id, action="assignment.adjusted")
        assert event.note == REASON and event.actor == world.staff
        assert (event.data["unit"], event.data["new_unit"]) == (OLD, NEW)
    # The one it has replied to is listed with why, and left with it as it was.
    assert body["refused"] == [{
        "proposal": work.replied_case.proposal.pk, "assignment": work.replied.pk, "message": why_replied(work),
        "links": {"proposal": f"/api/v1/proposals/{work.replied_case.proposal.pk}",
                  "assignment": f"/api/v1/assignments/{work.replied.pk}"}}]
    assert list(Assignment.objects.filter(proposal=work.replied_case.proposal).order_by("pk").values()) == \
        replied_before
    assert not Event.objects.filter(proposal=work.replied_case.proposal, action="assignment.adjusted").exists()
    # What is left of the unit's work: that part alone, which cannot be handed over.
    after = Api(world.staff).get(path(world)).json()
    assert [p["assignment"] for p in after["parts"]] == [work.replied.pk] and "hand_over" not in after["links"]


def test_a_proposal_the_new_unit_already_handles_stays_and_the_others_move(world):
    work = Work(world)
    handling.assignment_adjust(assignment=work.assisting_proposal.assignments.get(role="lead"), by=world.staff,
                               new_unit=world.units[NEW], reason="另有调整")
    body = Api(world.staff).post(path(world), {"new_unit": world.units[NEW].pk, "reason": REASON}).json()
    assert [a["proposal_id"] for a in body["moved"]] == [work.lead_case.proposal.pk]
    taken = next(r for r in body["refused"] if r["assignment"] == work.assisting.pk)
    with translation.override("zh-hans"):
        assert taken["message"] == translation.gettext("%(unit)s already handles this proposal.") % {"unit": NEW}
    assert Assignment.objects.get(pk=work.assisting.pk).status == work.assisting.status


def test_a_retry_with_the_same_idempotency_key_answers_the_first_hand_over_again(world):
    Work(world)
    staff = Api(world.staff)
    data = {"new_unit": world.units[NEW].pk, "reason": REASON}
    first = staff.post(path(world), data, **{"Idempotency-Key": "hand-over-1"})
    assert first.status_code == 200 and len(first.json()["moved"]) == 2
    before = snapshot()
    again = staff.post(path(world), data, **{"Idempotency-Key": "hand-over-1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert snapshot() == before


def test_unit_handlers_members_the_administrator_and_the_anonymous_may_not(world):
    Work(world)
    data = {"new_unit": world.units[NEW].pk, "reason": REASON}
    before = snapshot()
    for user in (world.lead_handler, world.other_handler, world.member, world.supervisor, world.admin):
        api = Api(user)
        assert_refused(api.get(path(world)), 403, "not_allowed")
        assert_refused(api.post(path(world), data), 403, "not_allowed")
    anonymous = Client()
    assert_refused(anonymous.get(f"/api/v1{path(world)}"), 401, "unauthenticated")
    assert_refused(anonymous.post(f"/api/v1{path(world)}", data, content_type="application/json"), 401,
                   "unauthenticated")
    assert snapshot() == before
    assert Assignment.objects.active().filter(unit__name=NEW).count() == 0


def test_a_unit_of_another_committee_or_none_is_not_found(world):
    Work(world)
    elsewhere = Committee.objects.create(name="政协某县委员会", region="某县", short_name="某县政协")
    foreign = Unit.objects.create(committee=elsewhere, name="某县民政局", full_name="某县民政局")
    staff = Api(world.staff)
    before = snapshot()
    for unit_id in (foreign.pk, 999999):
        assert_refused(staff.get(f"/units/{unit_id}/hand-over"), 404, "not_found")
        assert_refused(staff.post(f"/units/{unit_id}/hand-over", {"new_unit": world.units[NEW].pk,
                                                                  "reason": REASON}), 404, "not_found")
    # Nor does the work go to another committee's unit.
    body = assert_refused(staff.post(path(world), {"new_unit": foreign.pk, "reason": REASON}), 422, "invalid_input")
    assert body["fields"] == {"new_unit": ["请选择改交的承办单位。"]}
    assert snapshot() == before


@pytest.mark.parametrize("what", ["empty reason", "blank reason", "same unit", "disabled unit", "no such unit"])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_moves(world, what):
    Work(world)
    data = {"new_unit": world.units[NEW].pk, "reason": REASON}
    if what == "empty reason":
        data["reason"] = ""
    elif what == "blank reason":
        data["reason"] = "   "
    elif what == "same unit":
        data["new_unit"] = world.units[OLD].pk
    elif what == "disabled unit":
        Unit.objects.filter(name=NEW).update(is_active=False)
    else:
        data["new_unit"] = 999999
    before = snapshot()
    body = assert_refused(Api(world.staff).post(path(world), data), 422, "invalid_input")
    assert snapshot() == before
    if what == "empty reason":
        assert body["fields"] == {"reason": ["此字段不能为空。"]}
    elif what == "blank reason":
        assert body["message"] == zh(MSG_ADJUST_REASON) == "请填写调整理由。"
    elif what == "same unit":
        assert body["message"] == zh(MSG_HAND_OVER_SAME_UNIT)
    elif what == "disabled unit":
        assert body["message"] == f"{NEW}不是在用的承办单位。"
    else:
        assert body["fields"] == {"new_unit": ["请选择改交的承办单位。"]}


def test_the_operations_are_published_with_named_schemas(world):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = schema["paths"]["/api/v1/units/{unit_id}/hand-over"]
    assert operations["get"]["operationId"] == "unit_hand_over_preview"
    assert operations["post"]["operationId"] == "unit_hand_over"
    assert "UnitHandOverRequest" in str(operations["post"]["requestBody"])
    assert "HandOverOut" in str(operations["post"]["responses"]["200"])
    assert "HandOverPreviewOut" in str(operations["get"]["responses"]["200"])
    assert any(p["name"] == "Idempotency-Key" for p in operations["post"]["parameters"])
    request = schema["components"]["schemas"]["UnitHandOverRequest"]
    assert request["additionalProperties"] is False and request["examples"]
