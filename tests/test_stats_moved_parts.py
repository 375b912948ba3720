"""The statistics when a unit's part of a proposal goes to another unit (an approved reassignment request 退办, the
office's change of the handling unit 调整承办单位, the hand-over of a unit's open work 机构改革): the unit taken off keeps
what it did, the unit taking over counts what it does, and a proposal whose first round was complete stays replied
(docs/statistics.md, "When a part changes hands").

Dates: assigned 2023-03-16, so a unit's deadline is 2023-06-16; the tests run long after, so every deadline has
passed ("overdue now" counts what is still owed)."""

import datetime

from tests.test_lifecycle_services import REPLY_BODY, at, build, fresh
from tests.test_stats_review import assigned, evaluate, reply
from tian.deadlines import services as deadlines
from tian.handling import services as handling
from tian.handling.models import Assignment
from tian.proposals.models import State
from tian.stats import kpis
from tian.supervision import services as supervision

MZ, SF = "区民政局", "区司法局"
REASON = "机构改革,区民政局相关职能划入区司法局"


def _figures(world):
    scope = kpis.Scope(committee=world.committee, year=2023)
    facts = kpis.gather(scope)
    units = {(row["unit"], row["role"]): row for row in kpis.by_unit(scope, facts)}
    return kpis.summary(facts), units


def _behind(world, measure, unit=None, role=None):
    scope = kpis.Scope(committee=world.committee, year=2023)
    return set(kpis.proposals_behind(scope, measure, unit_id=world.units[unit].pk if unit else None, role=role)
               .values_list("pk", flat=True))


def _unit(row) -> tuple:
    return (row["assigned"], row["replied"], row["on_time"], row["overdue"], row["classes"], row["rehandled"])


def _rehandled_and_moved(world):
    """The reviewer's case: 区民政局's first reply (A, released 2023-10-23, after its 2023-06-16 deadline) leaves the
    lead proposer dissatisfied; in rehandling the office gives the lead part to 区司法局."""
    case = build(world, "replied")
    handling.evaluation_submit(proposal=case.proposal, by=world.member, result="dissatisfied", at=at(10, 25))
    assert fresh(case.proposal).state == State.REHANDLING
    new = handling.assignment_adjust(assignment=Assignment.objects.get(pk=case.lead.pk), by=world.staff,
                                     new_unit=world.units[SF], reason=REASON, at=at(10, 26))
    return case, new


def _second_reply(world, assignment, outcome="B", day=datetime.date(2023, 12, 1)):
    handler = world.handler_for(assignment.unit.name)
    handling.assignment_sign_for(assignment=assignment, by=handler, at=at(10, 27))
    second = handling.reply_save(assignment=assignment, by=handler, body=REPLY_BODY, outcome=outcome,
                                 contact_name="李明", contact_phone="0839-8620000", reply_date=day,
                                 at=at(day.month, day.day))
    second = handling.reply_submit(reply=second, by=handler, at=at(day.month, day.day))
    handling.reply_cosign(reply=second, by=world.assisting_handler, at=at(day.month, day.day, 11))
    supervision.reply_approve(reply=second, by=world.supervisor, at=at(day.month, day.day, 15))
    return second


def test_a_lead_part_moved_in_rehandling_keeps_the_proposal_replied_and_each_unit_its_own_reply(world):
    """The review's case (tests/test_zz_review_session22.py), and the unit table for both units. While 区司法局 has
    not answered, the proposal is still replied (its first round was complete) and overdue (the rehandling deadline
    of 2024-01 has passed); 区民政局, taken off, keeps its reply and owes nothing; 区司法局 owes the second reply. Once
    区司法局 answers (B), each unit has replied once; the first reply alone gives the proposal's class and timing
    (late), 区司法局's reply is timed by the rehandling deadline; the lead proposer's second rating is 区司法局's,
    not 区民政局's."""
    case, new = _rehandled_and_moved(world)
    p = case.proposal.pk
    overall, units = _figures(world)
    assert (overall["assigned"], overall["replied"], overall["replied_rate"], overall["rehandled"]) == (1, 1, 100.0, 1)
    assert (overall["on_time"], overall["classes"], overall["overdue"]) == (0, {"A": 1}, 1)
    assert _unit(units[MZ, "lead"]) == (1, 1, 0, 0, {"A": 1}, 1)
    assert _unit(units[SF, "lead"]) == (1, 0, 0, 1, {}, 1)
    assert (units[MZ, "lead"]["evaluated"], units[MZ, "lead"]["satisfaction_rate"]) == (1, 0.0)
    assert units[SF, "lead"]["evaluated"] == 0  # 区民政局's reply was rated, not its own
    assert _behind(world, "overdue", SF, "lead") == {p} and _behind(world, "overdue", MZ, "lead") == set()

    _second_reply(world, new, outcome="B")
    assert fresh(case.proposal).state == State.REPLIED
    overall, units = _figures(world)
    assert (overall["replied"], overall["on_time"], overall["classes"], overall["overdue"]) == (1, 0, {"A": 1}, 0)
    assert _unit(units[MZ, "lead"]) == (1, 1, 0, 0, {"A": 1}, 1)
    assert _unit(units[SF, "lead"]) == (1, 1, 1, 0, {"B": 1}, 1)  # by the rehandling deadline
    for unit in (MZ, SF):
        assert _behind(world, "replied", unit, "lead") == {p}
        assert _behind(world, "assigned", unit, "lead") == {p}
    assert _behind(world, "replied") == {p} and _behind(world, "on_time") == set()

    evaluate(fresh(case.proposal), world.member, "satisfied", at(12, 10))
    overall, units = _figures(world)
    assert (overall["evaluated"], overall["satisfaction_rate"]) == (1, 100.0)
    assert (units[SF, "lead"]["evaluated"], units[SF, "lead"]["satisfaction_rate"]) == (1, 100.0)
    assert (units[MZ, "lead"]["evaluated"], units[MZ, "lead"]["satisfaction_rate"]) == (1, 0.0)


def test_a_unit_taken_off_before_replying_counts_nowhere_and_the_new_units_reply_counts(world):
    """An approved reassignment in the first round, nothing released: 区民政局 recorded a contact and asked to leave; the
    office gave the lead part to 区司法局. Until 区司法局 answers, the proposal is not replied and is overdue (the
    deadline has passed), 区司法局 owes the reply and 区民政局 is nowhere (it did not reply, and owes nothing). Then
    区司法局's reply counts: replied, on time or not by its own deadline (late here), its class. 区民政局's contact was
    not the replying unit's: the proposal was not contacted before its reply."""
    p = assigned(world, "退办后由新单位答复", lead=MZ)
    lead = p.assignments.get()
    handling.contact_record(assignment=lead, by=world.lead_handler, method="phone",
                            contacted_on=datetime.date(2023, 3, 18), summary="电话沟通", at=at(3, 18))
    request = handling.reassignment_request(assignment=lead, by=world.lead_handler, reason="不属于本单位职责",
                                            at=at(3, 20))
    handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units[SF], note="同意",
                                  at=at(3, 21))
    overall, units = _figures(world)
    assert (overall["assigned"], overall["replied"], overall["overdue"]) == (1, 0, 1)
    assert (MZ, "lead") not in units
    assert _unit(units[SF, "lead"]) == (1, 0, 0, 1, {}, 0)
    assert _behind(world, "overdue", MZ) == set() and _behind(world, "assigned", MZ) == set()

    new = fresh(p).assignments.get(status__in=Assignment.ACTIVE)
    handling.assignment_sign_for(assignment=new, by=world.handler_for(SF), at=at(3, 22))
    reply(world, fresh(p), SF, "B", at(7, 1))
    overall, units = _figures(world)
    assert (overall["replied"], overall["on_time"], overall["classes"], overall["overdue"]) == (1, 0, {"B": 1}, 0)
    assert (overall["contacted"], overall["contact_rate"]) == (0, 0.0)
    assert (MZ, "lead") not in units
    assert _unit(units[SF, "lead"]) == (1, 1, 0, 0, {"B": 1}, 0)
    assert units[SF, "lead"]["contacted"] == 0


def test_on_time_is_judged_by_the_deadline_of_the_assignment_that_replied(world):
    """Two proposals. 提案一: 区民政局's lead part goes to 区司法局 in the first round, which is granted an extension to
    2023-08-16 and replies on 2023-07-01: on time, by its own (extended) deadline. 提案二: 区民政局 replies on 2023-05-01,
    by its deadline; the lead proposer is dissatisfied and in rehandling the part goes to 区司法局, which replies after
    the rehandling deadline: the proposal was still replied on time (its first reply was), 区民政局 replied on time and
    区司法局 late (by the rehandling deadline its second-round reply had)."""
    one = assigned(world, "提案一", lead=MZ)
    new = handling.assignment_adjust(assignment=one.assignments.get(), by=world.staff, new_unit=world.units[SF],
                                     reason=REASON, at=at(3, 20))
    handling.assignment_sign_for(assignment=new, by=world.handler_for(SF), at=at(3, 21))
    extension = deadlines.extension_request(assignment=new, by=world.handler_for(SF), reason="需调研",
                                            requested_deadline=datetime.date(2023, 8, 16), at=at(5, 1))
    deadlines.extension_approve(extension=extension, by=world.staff, at=at(5, 2))
    reply(world, fresh(one), SF, "A", at(7, 1))

    two = assigned(world, "提案二", lead=MZ)
    reply(world, two, MZ, "B", at(5, 1))
    evaluate(two, world.member, "dissatisfied", at(5, 5))
    two.refresh_from_db()
    assert two.state == State.REHANDLING and two.rehandling_deadline < datetime.date(2023, 9, 1)
    moved = handling.assignment_adjust(assignment=two.assignments.get(unit=world.units[MZ]), by=world.staff,
                                       new_unit=world.units[SF], reason=REASON, at=at(5, 6))
    handling.assignment_sign_for(assignment=moved, by=world.handler_for(SF), at=at(5, 7))
    reply(world, fresh(two), SF, "C", at(9, 1))

    overall, units = _figures(world)
    assert (overall["assigned"], overall["replied"], overall["on_time"], overall["on_time_rate"]) == (2, 2, 2, 100.0)
    assert overall["classes"] == {"A": 1, "B": 1}  # the first replies
    assert _behind(world, "on_time") == {one.pk, two.pk}
    assert _unit(units[MZ, "lead"]) == (1, 1, 1, 0, {"B": 1}, 1)
    assert _unit(units[SF, "lead"]) == (2, 2, 1, 0, {"A": 1, "C": 1}, 1)
    assert _behind(world, "on_time", SF, "lead") == {one.pk}


def test_a_separate_part_handed_over_in_rehandling_and_an_assisting_unit_moved_after_its_opinion(world):
    """A lead (区民政局) and a separate unit (区司法局), 区教科局 assisting; both replies out, the proposal is rehandled.
    The hand-over (机构改革) of 区司法局's open work gives its separate part to 区公安分局; the office gives 区教科局's
    assisting part, its opinion sent, to 区妇联. The proposal stays replied; the units taken off keep what they did
    (区教科局 its opinion) and owe nothing; the units taking over owe their part."""
    p = assigned(world, "主办加分办", lead=MZ, assisting=["区教科局"], separate=[SF])
    handling.opinion_send(assignment=p.assignments.get(unit=world.units["区教科局"]), by=world.assisting_handler,
                          body="同意主办单位意见。", at=at(4, 1))
    reply(world, p, MZ, "A", at(5, 1))
    reply(world, p, SF, "B", at(5, 2))
    evaluate(p, world.member, "dissatisfied", at(5, 5))
    assert p.state == State.REHANDLING
    result = handling.unit_hand_over(unit=world.units[SF], new_unit=world.units["区公安分局"], by=world.staff,
                                     reason=REASON, at=at(5, 6))
    assert len(result.moved) == 1 and not result.refused
    handling.assignment_adjust(assignment=p.assignments.get(unit=world.units["区教科局"]), by=world.staff,
                               new_unit=world.units["区妇联"], reason="调整协办单位", at=at(5, 6))

    overall, units = _figures(world)
    assert (overall["assigned"], overall["replied"], overall["on_time"], overall["classes"]) == (1, 1, 1, {"A": 1, "B": 1})
    assert _unit(units[SF, "separate"]) == (1, 1, 1, 0, {"B": 1}, 1)
    assert _unit(units["区公安分局", "separate"]) == (1, 0, 0, 1, {}, 1)  # the rehandling deadline has passed
    assert (units["区教科局", "assisting"]["replied"], units["区教科局", "assisting"]["overdue"]) == (1, 0)
    assert (units["区妇联", "assisting"]["assigned"], units["区妇联", "assisting"]["replied"]) == (1, 0)
    assert _behind(world, "replied", "区教科局", "assisting") == {p.pk}
