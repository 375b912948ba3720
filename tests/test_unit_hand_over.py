"""机构改革: a merged or abolished unit hands all its open work over to another unit at once
(``handling.services.unit_hand_over``, the page ``organisations:unit_hand_over``). Each part goes through
``assignment_adjust`` in its own transaction: a part it refuses stays with the unit and never undoes the others.

The standing case: 区民政局 holds three open parts — the lead of one proposal being handled, the assisting part of a
second (led by 区教科局), and the lead of a third whose reply it has already submitted (waiting for co-signature);
区司法局 takes over."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.test_lifecycle_services import at, build, fresh, refused, snapshot
from tian.handling import services as handling
from tian.handling.lifecycle import ASSIGNMENT
from tian.handling.models import Assignment
from tian.handling.services import MSG_ADJUST_REASON, MSG_HAND_OVER_SAME_UNIT
from tian.notifications.models import Notification
from tian.organisations.models import Unit
from tian.proposals.models import Event
from tian.proposals.workflow import INVALID_INPUT, NOT_ALLOWED

A = Assignment.Status
OLD, NEW = "区民政局", "区司法局"
REASON = "机构改革,区民政局相关职能划入区司法局"


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(message)


class Work:
    """区民政局's three open parts."""

    def __init__(self, world):
        self.lead_case = build(world, "handling")
        self.lead = self.lead_case.lead
        second = build(world, "registered")
        handling.proposal_assign(proposal=second.proposal, by=world.staff, lead_units=[world.units["区教科局"]],
                                 assisting_units=[world.units[OLD]], at=at(3, 16))
        self.assisting_proposal = fresh(second.proposal)
        self.assisting = self.assisting_proposal.assignments.get(unit__name=OLD)
        self.replied_case = build(world, "cosigning")  # 区民政局's reply waits for 区教科局's co-signature
        self.replied = self.replied_case.lead


def hand_over(world, *, new=NEW, reason=REASON, by=None, unit=OLD):
    return handling.unit_hand_over(unit=world.units[unit], new_unit=world.units[new], by=by or world.staff,
                                   reason=reason, at=at(10, 20))


def page(world):
    return reverse("organisations:unit_hand_over", args=[world.units[OLD].pk])


# --- the service --------------------------------------------------------------------------------------------------

def test_every_open_part_is_moved_but_one_the_unit_has_replied_to(world, django_capture_on_commit_callbacks):
    work = Work(world)
    why = str(handling.adjustment_refusal(fresh(work.replied_case.proposal), work.replied).message)
    replied_before = Assignment.objects.filter(proposal=work.replied_case.proposal).order_by("pk")
    replied_before = list(replied_before.values())
    new_handler = world.handler_for(NEW)
    with django_capture_on_commit_callbacks(execute=True):
        result = hand_over(world)
    # Two moved, each keeping its role and deadline; the old parts are off the unit.
    assert sorted((a.proposal_id, a.role, a.unit.name) for a in result.moved) == sorted([
        (work.lead_case.proposal.pk, "lead", NEW), (work.assisting_proposal.pk, "assisting", NEW)])
    for old in (work.lead, work.assisting):
        new = next(a for a in result.moved if a.proposal_id == old.proposal_id)
        assert Assignment.objects.get(pk=old.pk).status == A.REMOVED and new.deadline == old.deadline
        [event] = Event.objects.filter(proposal_id=old.proposal_id, action="assignment.adjusted")
        assert event.note == REASON and event.actor == world.staff
        assert (event.data["unit"], event.data["new_unit"]) == (OLD, NEW)
        # Told as the single adjustment tells them: both units and the proposers.
        told = set(Notification.objects.filter(kind="assignment.adjusted", proposal_id=old.proposal_id)
                   .values_list("user", flat=True))
        assert {world.handler_for(OLD).pk, new_handler.pk, world.member.pk, world.cosigner.pk} <= told
    # The one it has replied to stays with it, unchanged, with the reason.
    [refusal] = result.refused
    assert (refusal.assignment.pk, refusal.proposal.pk, refusal.message) == (
        work.replied.pk, work.replied_case.proposal.pk, why)
    assert OLD in refusal.message
    assert list(Assignment.objects.filter(proposal=work.replied_case.proposal).order_by("pk").values()) == \
        replied_before
    assert not Event.objects.filter(proposal=work.replied_case.proposal, action="assignment.adjusted").exists()


def test_a_proposal_the_new_unit_already_handles_stays_and_the_others_move(world):
    work = Work(world)
    # 区司法局 took over the second proposal's lead from 区教科局 before.
    handling.assignment_adjust(assignment=work.assisting_proposal.assignments.get(role="lead"), by=world.staff,
                               new_unit=world.units[NEW], reason="另有调整", at=at(10, 19))
    result = hand_over(world)
    assert [a.proposal_id for a in result.moved] == [work.lead_case.proposal.pk]
    taken = next(r for r in result.refused if r.proposal.pk == work.assisting_proposal.pk)
    assert taken.message == translation.gettext("%(unit)s already handles this proposal.") % {"unit": NEW}
    assert Assignment.objects.get(pk=work.assisting.pk).status == work.assisting.status
    assert len(result.refused) == 2


@pytest.mark.parametrize("what", ["no reason", "inactive", "same unit", "not the office"])
def test_bad_input_is_refused_before_anything_moves(world, what):
    Work(world)
    if what == "no reason":
        error = refused(INVALID_INPUT, lambda: hand_over(world, reason="  "))
        assert str(error.message) == str(MSG_ADJUST_REASON)
    elif what == "inactive":
        Unit.objects.filter(name=NEW).update(is_active=False)
        world.units[NEW].refresh_from_db()
        error = refused(INVALID_INPUT, lambda: hand_over(world))
        assert str(error.message) == translation.gettext("%(unit)s is not an active unit.") % {"unit": NEW}
    elif what == "same unit":
        error = refused(INVALID_INPUT, lambda: hand_over(world, new=OLD))
        assert str(error.message) == str(MSG_HAND_OVER_SAME_UNIT)
    else:
        for user in (world.lead_handler, world.member, world.admin):
            refused(NOT_ALLOWED, lambda user=user: hand_over(world, by=user))


# --- the page -------------------------------------------------------------------------------------------------------

def _new_unit_options(html: str) -> set[str]:
    select = re.search(r'<select name="new_unit".*?</select>', html, flags=re.S).group(0)
    return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select))


def test_the_page_lists_the_parts_and_why_one_cannot_be_moved(world, client_for):
    work = Work(world)
    Unit.objects.filter(name="区妇联").update(is_active=False)
    response = client_for(world.staff).get(page(world))
    html = response.content.decode()
    assert response.status_code == 200
    for proposal in (work.lead_case.proposal, work.assisting_proposal, work.replied_case.proposal):
        assert fresh(proposal).number_year in html and proposal.get_absolute_url() in html
    with translation.override("zh-hans"):  # each part with its role
        assert work.lead.get_role_display() in html and work.assisting.get_role_display() in html
    why = zh(handling.adjustment_refusal(fresh(work.replied_case.proposal), work.replied).message)
    assert why in html
    # The committee's other active units.
    assert _new_unit_options(html) == {"区教科局", "区司法局", "区公安分局", "区财政局"}


def test_a_unit_that_asked_to_leave_is_listed_with_why(world, client_for):
    build(world, "handling", request="pending")  # 区教科局 asked for reassignment
    html = client_for(world.staff).get(
        reverse("organisations:unit_hand_over", args=[world.units["区教科局"].pk])).content.decode()
    assert zh(ASSIGNMENT["adjust"].refusal) in html


def test_the_office_hands_the_work_over_and_sees_the_result(world, client_for):
    work = Work(world)
    client = client_for(world.staff)
    response = client.post(page(world), {"new_unit": world.units[NEW].pk, "reason": REASON}, follow=True)
    html = response.content.decode()
    result_url = reverse("organisations:unit_hand_over_result", args=[world.units[OLD].pk])
    assert response.redirect_chain[-1][0] == result_url
    assert Assignment.objects.active().filter(unit__name=NEW).count() == 2
    # How many moved, and the one refused with its reason and a link to it.
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    with translation.override("zh-hans"):
        summary = translation.gettext("%(moved)s handed over to %(new)s, %(refused)s not handed over.") % {
            "moved": 2, "new": NEW, "refused": 1}
    assert summary in text
    assert work.replied_case.proposal.get_absolute_url() in html
    assert zh(handling.adjustment_refusal(fresh(work.replied_case.proposal), work.replied).message) in html
    # Reloading the result runs nothing again.
    before = snapshot()
    assert client.get(result_url).status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("what", ["no reason", "inactive", "same unit"])
def test_bad_input_comes_back_filled_in_with_the_reason_beside_its_field(world, client_for, what):
    Work(world)
    data = {"new_unit": world.units[NEW].pk, "reason": REASON}
    field, expected = "new_unit", translation.gettext_lazy("%(unit)s is not an active unit.")
    if what == "no reason":
        data["reason"] = ""
        field, expected = "reason", MSG_ADJUST_REASON
    elif what == "inactive":
        Unit.objects.filter(name=NEW).update(is_active=False)
    else:
        data["new_unit"] = world.units[OLD].pk
        expected = MSG_HAND_OVER_SAME_UNIT
    before = snapshot()
    response = client_for(world.staff).post(page(world), data)
    html = response.content.decode()
    assert response.status_code == 422 and snapshot() == before
    errors = re.search(rf'id="id_{field}_errors">(.*?)</ul>', html, flags=re.S).group(1)
    assert zh(expected).replace("%(unit)s", NEW) in errors
    if what == "no reason":
        assert re.search(rf'<option value="{world.units[NEW].pk}" selected>', html)
    else:
        assert REASON in html


def test_unit_handlers_members_and_the_administrator_may_not_open_it(world, client_for):
    Work(world)
    before = snapshot()
    for user in (world.lead_handler, world.member, world.admin):
        client = client_for(user)
        assert client.get(page(world)).status_code == 403
        assert client.post(page(world), {"new_unit": world.units[NEW].pk, "reason": REASON}).status_code == 403
    assert snapshot() == before


# --- the ways there ---------------------------------------------------------------------------------------------------

def test_the_units_management_page_links_to_it(world, client_for):
    Work(world)
    edit = reverse("organisations:edit", args=["units", world.units[OLD].pk])
    html = client_for(world.staff).get(edit).content.decode()
    assert page(world) in html
    # Not for the administrator, who manages the units but does not change handling units.
    assert page(world) not in client_for(world.admin).get(edit).content.decode()


def test_the_warning_on_disabling_a_unit_with_open_work_links_to_it(world, client_for):
    Work(world)
    unit = world.units[OLD]
    response = client_for(world.staff).post(reverse("organisations:edit", args=["units", unit.pk]), {
        "name": unit.name, "full_name": unit.full_name, "kind": unit.kind, "office_phone": unit.office_phone,
        "leader": unit.leader, "order": unit.order}, follow=True)
    assert not Unit.objects.get(pk=unit.pk).is_active
    warning = re.search(r'<p class="message message--warning">(.*?)</p>', response.content.decode(), flags=re.S)
    assert warning and f'href="{page(world)}"' in warning.group(1)
