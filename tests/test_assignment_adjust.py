"""调整承办单位: the office gives a unit's part of a proposal being handled to another unit on its own, when units were
merged or abolished at the new year (机构改革) or a wrong choice is noticed after the assignment
(``handling.services.assignment_adjust``; domain.md, "Reassignment (退办/调整)"). The proposal is re-routed as an
approved reassignment re-routes it: the unit leaves, the new one takes its role with its deadline and signs for it.

The standing case (``test_lifecycle_services.build``): 刘安泽's proposal co-signed by 徐丽娟, lead unit 区民政局 with
assisting unit 区教科局, both signed for; 区司法局 takes over."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.test_api_protocol import Api
from tests.test_lifecycle_services import at, build, fresh, refused, snapshot
from tian.core.calendar import add_working_days
from tian.handling import services as handling
from tian.handling.lifecycle import ASSIGNMENT
from tian.handling.models import Assignment, ReplyCoSignature
from tian.handling.services import MSG_ADJUST_REASON
from tian.notifications.models import Notification
from tian.organisations.models import Committee, Unit
from tian.proposals.models import Event, State
from tian.proposals.timeline import ACTION_LABELS
from tian.proposals.workflow import CONFLICT, INVALID_INPUT, INVALID_STATE, MSG_CONFLICT, NOT_ALLOWED

A = Assignment.Status
REASON = "机构改革,区民政局相关职能划入区司法局"
NEW = "区司法局"


def zh(message) -> str:
    """A message as the pages and the API say it by default (zh-hans)."""
    with translation.override("zh-hans"):
        return str(message)


def adjust(world, assignment, *, new=NEW, reason=REASON, by=None, **kwargs):
    return handling.assignment_adjust(assignment=assignment, by=by or world.staff, new_unit=world.units[new],
                                      reason=reason, at=at(3, 22), **kwargs)


# --- the service --------------------------------------------------------------------------------------------------

def test_the_office_gives_a_units_part_to_another_unit(world):
    case = build(world, "handling")
    before = Event.objects.count()
    new = adjust(world, case.lead)
    case.lead.refresh_from_db()
    assert case.lead.status == A.REMOVED == ASSIGNMENT["adjust"].target
    assert (new.unit.name, new.role, new.status) == (NEW, "lead", A.ASSIGNED)
    # The old deadline, and a reassignment window of its own from the day it was given the part.
    assert new.deadline == case.lead.deadline
    assert new.assigned_on == datetime.date(2023, 3, 22)
    assert new.reassignment_deadline == add_working_days(datetime.date(2023, 3, 22),
                                                         world.committee.reassignment_window_days)
    [event] = list(Event.objects.order_by("id"))[before:]  # one event
    assert event.action == "assignment.adjusted" and event.actor == world.staff
    assert event.note == REASON and event.data["unit"] == "区民政局" and event.data["new_unit"] == NEW
    # The assisting unit is still signed for: the proposal is still being handled.
    assert fresh(case.proposal).state == State.HANDLING == event.to_state
    assert set(case.proposal.assignments.active().values_list("unit__name", flat=True)) == {NEW, "区教科局"}


def test_the_proposal_is_assigned_again_when_no_unit_is_signed_for_any_more(world):
    case = build(world, "assigned")
    handling.assignment_sign_for(assignment=case.lead, by=world.lead_handler, at=at(3, 17))
    assert fresh(case.proposal).state == State.HANDLING
    adjust(world, Assignment.objects.get(pk=case.lead.pk))
    event = Event.objects.get(action="assignment.adjusted")
    assert fresh(case.proposal).state == State.ASSIGNED
    assert (event.from_state, event.to_state) == (State.HANDLING, State.ASSIGNED)


def test_a_unit_not_yet_signed_for_is_moved_too(world):
    case = build(world, "assigned")
    new = adjust(world, case.assisting, new="区妇联")
    assert (new.unit.name, new.role, new.deadline) == ("区妇联", "assisting", case.assisting.deadline)
    assert Assignment.objects.get(pk=case.assisting.pk).status == A.REMOVED
    assert fresh(case.proposal).state == State.ASSIGNED


def test_a_reply_waiting_for_the_old_assisting_units_cosignature_waits_for_the_new_ones(world):
    case = build(world, "cosigning")
    assert case.reply.cosignatures.get().unit.name == "区教科局"
    adjust(world, case.assisting, new="区妇联")
    signature = ReplyCoSignature.objects.get(reply=case.reply)
    assert signature.unit.name == "区妇联" and signature.signed_at is None
    # The new unit signs for the proposal and co-signs: the reply goes on to supervision review.
    new_handler = world.handler_for("区妇联")
    handling.assignment_sign_for(assignment=fresh(case.proposal).assignments.get(unit__name="区妇联"), by=new_handler,
                                 at=at(3, 23))
    reply = handling.reply_cosign(reply=case.reply, by=new_handler, at=at(3, 24)).reply
    assert reply.status == reply.Status.SUPERVISION


# --- what it refuses, leaving everything as it was ------------------------------------------------------------------

def test_a_reason_is_required(world):
    case = build(world, "handling")
    error = refused(INVALID_INPUT, lambda: adjust(world, case.lead, reason="  "))
    assert str(error.message) == str(MSG_ADJUST_REASON)


def test_a_unit_that_asked_for_reassignment_has_its_request_decided_instead(world):
    case = build(world, "handling", request="pending")  # 区教科局 asked to leave
    error = refused(INVALID_STATE, lambda: adjust(world, case.assisting))
    assert str(error.message) == str(ASSIGNMENT["adjust"].refusal)
    with translation.override("en"):
        assert "decide its request instead" in str(error.message)


def test_a_unit_that_has_submitted_its_reply_keeps_its_part(world):
    case = build(world, "cosigning")  # 区民政局's reply waits for the co-signature
    error = refused(INVALID_STATE, lambda: adjust(world, case.lead))
    assert "区民政局" in str(error.message)
    # Its draft alone does not keep it.
    draft = build(world, "reply_draft")
    adjust(world, draft.lead)


@pytest.mark.parametrize("what", ["inactive", "another committee", "already handling"])
def test_the_new_unit_must_be_an_active_unit_of_the_committee_not_handling_it_yet(world, what):
    case = build(world, "handling")
    unit = world.units[NEW]
    if what == "inactive":
        Unit.objects.filter(pk=unit.pk).update(is_active=False)
        unit.refresh_from_db()
        expected = "%(unit)s is not an active unit."
    elif what == "another committee":
        elsewhere = Committee.objects.create(name="政协某县委员会", region="某县", short_name="某县政协")
        unit = Unit.objects.create(committee=elsewhere, name="某县民政局")
        expected = "%(unit)s is not an active unit."
    else:
        unit = world.units["区教科局"]
        expected = "%(unit)s already handles this proposal."
    error = refused(INVALID_INPUT, lambda: handling.assignment_adjust(assignment=case.lead, by=world.staff,
                                                                      new_unit=unit, reason=REASON))
    assert str(error.message) == translation.gettext(expected) % {"unit": unit.name}


def test_only_the_office_changes_a_handling_unit(world):
    case = build(world, "handling")
    for user in (world.lead_handler, world.assisting_handler, world.supervisor, world.member):
        refused(NOT_ALLOWED, lambda user=user: adjust(world, case.lead, by=user))


def test_nothing_is_moved_once_the_replies_are_out_or_from_a_unit_moved_already(world):
    replied = build(world, "replied")
    refused(INVALID_STATE, lambda: adjust(world, replied.assisting))
    case = build(world, "handling")
    adjust(world, case.lead)
    error = refused(INVALID_STATE, lambda: adjust(world, Assignment.objects.get(pk=case.lead.pk), new="区妇联"))
    assert str(error.message) == translation.gettext("This unit no longer handles the proposal.")


def test_a_change_made_on_a_page_from_before_another_change_is_a_conflict(world):
    case = build(world, "assigned")
    seen = handling.adjust_revision(fresh(case.proposal), case.lead)
    handling.assignment_sign_for(assignment=case.lead, by=world.lead_handler, at=at(3, 17))
    refused(CONFLICT, lambda: adjust(world, Assignment.objects.get(pk=case.lead.pk), seen=seen))


# --- who is told ----------------------------------------------------------------------------------------------------

def test_the_units_and_the_proposers_are_told(world, client_for, django_capture_on_commit_callbacks):
    case = build(world, "handling")
    new_handler = world.handler_for(NEW)
    with django_capture_on_commit_callbacks(execute=True):
        adjust(world, case.lead)
    told = {n.user: n for n in Notification.objects.filter(kind="assignment.adjusted")}
    assert set(told) == {world.lead_handler, new_handler, world.member, world.cosigner}
    # The unit taken off: where its part went and why, with a link it can still open.
    old = told[world.lead_handler]
    assert NEW in old.message and REASON in old.message
    assert old.url == reverse("handling:inbox")
    assert client_for(world.lead_handler).get(old.url).status_code == 200
    # The new unit: its new assignment, on the work page where it signs for it.
    new = told[new_handler]
    assert "区民政局" in new.message and new.url == reverse("handling:work", args=[case.proposal.pk])
    assert client_for(new_handler).get(new.url).status_code == 200
    # The proposers: which unit handles it now; the office's reason is for the units.
    for member in (world.member, world.cosigner):
        assert NEW in told[member].message and "区民政局" in told[member].message
        assert REASON not in told[member].message
    assert not Notification.objects.filter(kind="assignment.adjusted", user=world.assisting_handler).exists()
    assert "主办单位改为区司法局" in told[world.member].message and "改由您单位主办" in new.message


def test_the_proposers_read_which_part_changed_hands(world, django_capture_on_commit_callbacks):
    """An assisting unit replaced is an assisting unit's part: the proposers read that the 协办单位 changed, and the
    unit taking over that it assists (it read "改由区司法局办理", as if the lead unit had changed)."""
    case = build(world, "handling")
    new_handler = world.handler_for(NEW)
    with django_capture_on_commit_callbacks(execute=True):
        adjust(world, case.assisting)
    told = {n.user: n for n in Notification.objects.filter(kind="assignment.adjusted")}
    assert "协办单位改为区司法局(原为区教科局)" in told[world.member].message
    assert "改由您单位协办(原为区教科局)" in told[new_handler].message


def test_the_history_says_the_unit_was_changed_and_why_to_those_working_on_it(world, client_for):
    case = build(world, "handling")
    new_handler = world.handler_for(NEW)
    adjust(world, case.lead)
    label = zh(ACTION_LABELS["assignment.adjusted"])
    for user in (world.staff, new_handler):
        page = client_for(user).get(case.proposal.get_absolute_url()).content.decode()
        assert label in page and REASON in page, user
    member_page = client_for(world.member).get(case.proposal.get_absolute_url()).content.decode()
    assert label in member_page and NEW in member_page and REASON not in member_page
    # The unit taken off no longer opens the proposal.
    assert client_for(world.lead_handler).get(case.proposal.get_absolute_url()).status_code == 404


# --- the page -------------------------------------------------------------------------------------------------------

def _new_unit_options(html: str) -> set[str]:
    select = re.search(r'<select name="new_unit".*?</select>', html, flags=re.S).group(0)
    return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select))


def _revisions(html: str) -> str:
    return re.search(r'name="revisions" value="([^"]*)"', html).group(1)


def test_the_office_finds_the_page_on_the_proposal_page_and_changes_the_unit_there(world, client_for):
    case = build(world, "handling")
    url = reverse("proposals:adjust", args=[case.proposal.pk])
    client = client_for(world.staff)
    assert url in client.get(case.proposal.get_absolute_url()).content.decode()
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    # The units at work on it, each by its role; the units that may take over: active, not handling it yet.
    assert "区民政局(主办单位)" in html and "区教科局(协办单位)" in html
    assert _new_unit_options(html) == {"区司法局", "区公安分局", "区妇联", "区财政局"}
    response = client.post(url, {"assignment": case.lead.pk, "new_unit": world.units[NEW].pk, "reason": REASON,
                                 "revisions": _revisions(html)}, follow=True)
    assert response.redirect_chain[-1][0] == case.proposal.get_absolute_url()
    assert NEW in response.content.decode()
    assert Assignment.objects.get(pk=case.lead.pk).status == A.REMOVED
    assert fresh(case.proposal).assignments.active().get(role="lead").unit.name == NEW


def test_units_and_members_may_not_open_the_page(world, client_for):
    case = build(world, "handling")
    url = reverse("proposals:adjust", args=[case.proposal.pk])
    # Not on their proposal page either.
    assert url not in client_for(world.lead_handler).get(case.proposal.get_absolute_url()).content.decode()
    before = snapshot()
    for user in (world.lead_handler, world.assisting_handler, world.member):
        client = client_for(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"assignment": case.lead.pk, "new_unit": world.units[NEW].pk,
                                 "reason": REASON}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("missing", ["reason", "new_unit"])
def test_bad_input_comes_back_filled_in_with_the_reason_beside_its_field_and_changes_nothing(world, client_for,
                                                                                             missing):
    case = build(world, "handling")
    url = reverse("proposals:adjust", args=[case.proposal.pk])
    client = client_for(world.staff)
    data = {"assignment": case.lead.pk, "new_unit": world.units[NEW].pk, "reason": REASON,
            "revisions": _revisions(client.get(url).content.decode())}
    data[missing] = ""
    before = snapshot()
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 422 and snapshot() == before
    errors = re.search(rf'id="id_{missing}_errors">(.*?)</ul>', html, flags=re.S).group(1)
    expected = MSG_ADJUST_REASON if missing == "reason" else translation.gettext_lazy("Choose the unit that takes over.")
    assert zh(expected) in errors
    # What was filled in is still there.
    assert re.search(rf'value="{case.lead.pk}"[^>]*checked', html)
    if missing == "reason":
        assert re.search(rf'<option value="{world.units[NEW].pk}" selected>', html)
    else:
        assert REASON in html


def test_a_unit_that_asked_to_leave_is_listed_with_why_and_not_offered(world, client_for):
    case = build(world, "handling", request="pending")  # 区教科局 asked for reassignment
    html = client_for(world.staff).get(reverse("proposals:adjust", args=[case.proposal.pk])).content.decode()
    assert zh(ASSIGNMENT["adjust"].refusal) in html
    assert f'value="{case.assisting.pk}"' not in html and f'value="{case.lead.pk}"' in html


def test_a_page_from_before_another_clerks_change_is_refused_and_what_was_typed_is_kept(world, client_for):
    case = build(world, "handling")
    url = reverse("proposals:adjust", args=[case.proposal.pk])
    first, second = client_for(world.staff), client_for(world.staff)
    stale = _revisions(second.get(url).content.decode())
    first.post(url, {"assignment": case.lead.pk, "new_unit": world.units[NEW].pk, "reason": REASON,
                     "revisions": _revisions(first.get(url).content.decode())})
    before = snapshot()
    response = second.post(url, {"assignment": case.lead.pk, "new_unit": world.units["区妇联"].pk,
                                 "reason": "另一位工作人员的理由", "revisions": stale}, follow=True)
    html = response.content.decode()
    assert snapshot() == before
    assert zh(MSG_CONFLICT) in html and "另一位工作人员的理由" in html
    assert fresh(case.proposal).assignments.active().get(role="lead").unit.name == NEW


def test_the_page_is_not_offered_once_the_replies_are_out(world, client_for):
    case = build(world, "replied")
    client = client_for(world.staff)
    url = reverse("proposals:adjust", args=[case.proposal.pk])
    assert url not in client.get(case.proposal.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == case.proposal.get_absolute_url()
    # A page opened before the replies went out: refused, and the reason typed is shown to copy.
    before = snapshot()
    response = client.post(url, {"assignment": case.lead.pk, "new_unit": world.units[NEW].pk, "reason": REASON},
                           follow=True)
    assert snapshot() == before and REASON in response.content.decode()


# --- the API --------------------------------------------------------------------------------------------------------

def test_the_office_changes_a_handling_unit_through_the_api(world):
    case = build(world, "handling")
    staff = Api(world.staff)
    detail = staff.get(f"/proposals/{case.proposal.pk}").json()
    assert "adjust_assignment" in detail["actions"]
    lead = next(a for a in detail["assignments"] if a["role"] == "lead")
    assert lead["links"]["adjust_assignment"] == f"/api/v1/assignments/{case.lead.pk}/adjust"
    response = staff.post(f"/assignments/{case.lead.pk}/adjust", {"unit_id": world.units[NEW].pk, "reason": REASON})
    body = response.json()
    assert response.status_code == 201, body
    assert body["unit"]["name"] == NEW and body["role"] == "lead" and body["status"] == A.ASSIGNED
    assert body["deadline"] == case.lead.deadline.isoformat()
    assert Assignment.objects.get(pk=case.lead.pk).status == A.REMOVED
    assert Event.objects.filter(action="assignment.adjusted", note=REASON).count() == 1
    # A unit's links and actions do not name it.
    unit = Api(world.assisting_handler).get(f"/proposals/{case.proposal.pk}").json()
    assert "adjust_assignment" not in unit["actions"]
    assert all("adjust_assignment" not in a["links"] for a in unit["assignments"])


def test_the_api_refuses_a_unit_handler_and_bad_input_changing_nothing(world):
    case = build(world, "handling")
    path = f"/assignments/{case.lead.pk}/adjust"
    before = snapshot()
    response = Api(world.lead_handler).post(path, {"unit_id": world.units[NEW].pk, "reason": REASON})
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    staff = Api(world.staff)
    missing = staff.post(path, {"unit_id": world.units[NEW].pk})
    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    blank = staff.post(path, {"unit_id": world.units[NEW].pk, "reason": "  "})
    assert blank.status_code == 422 and blank.json()["message"] == zh(MSG_ADJUST_REASON)
    unknown = staff.post(path, {"unit_id": 999999, "reason": REASON})
    assert unknown.status_code == 422 and "unit_id" in unknown.json()["fields"]
    taken = staff.post(path, {"unit_id": world.units["区教科局"].pk, "reason": REASON})
    assert taken.status_code == 422 and "区教科局" in taken.json()["message"]
    assert snapshot() == before


def test_the_api_says_a_unit_that_asked_to_leave_is_decided_instead(world):
    case = build(world, "handling", request="pending")
    staff = Api(world.staff)
    response = staff.post(f"/assignments/{case.assisting.pk}/adjust",
                          {"unit_id": world.units[NEW].pk, "reason": REASON})
    assert response.status_code == 409 and response.json()["message"] == zh(ASSIGNMENT["adjust"].refusal)
    assisting = next(a for a in staff.get(f"/proposals/{case.proposal.pk}").json()["assignments"]
                     if a["role"] == "assisting")
    assert "adjust_assignment" not in assisting["links"]
