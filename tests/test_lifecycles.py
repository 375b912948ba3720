"""The lifecycles of the records around a proposal (``tian/handling/lifecycle.py``: the assignment's, the reply's, the
reassignment request's; ``tian/proposals/lifecycle.py``: the co-signature's; ``tian/deadlines/lifecycle.py``: the
extension request's) through the services.

Each step is taken from every status a unit can bring its assignment or reply to: from the statuses it starts
from it reaches its status and writes its events; from the others it is refused with ``invalid_state`` by the
lifecycle (its message, not the proposal's) and nothing changes. The tables below say what the services do,
independently of the declaration, and a test holds the declaration to them.

The standing case: lead unit 区民政局 with assisting unit 区教科局, and separate unit 区司法局, which has not
replied, so the proposal stays "being handled" whatever the lead unit's reply goes through.
"""

import datetime
from dataclasses import dataclass, field

import pytest

from tests.test_lifecycle_services import REPLY_BODY, at, build, draft, fresh, refused
from tian.deadlines import services as deadlines
from tian.deadlines.lifecycle import EXTENSION_REQUEST
from tian.deadlines.models import ExtensionRequest
from tian.handling import services as handling
from tian.handling.lifecycle import ASSIGNMENT, REASSIGNMENT_REQUEST, REPLY, Lifecycle
from tian.handling.models import Assignment, ReassignmentRequest, Reply, UnitRole
from tian.proposals import services as proposal_services
from tian.proposals import workflow
from tian.proposals.lifecycle import COSIGNATURE
from tian.proposals.models import FINISHED, CoSignature, Event, Proposal, State
from tian.proposals.workflow import MSG_CONFLICT
from tian.supervision import services as supervision

A, R = Assignment.Status, Reply.Status
SEPARATE = "区司法局"


@dataclass
class Handled:
    proposal: Proposal
    lead: Assignment
    assisting: Assignment | None
    separate: Assignment
    handlers: dict = field(default_factory=dict)  # unit name -> its handler

    def handler(self, assignment: Assignment):
        return self.handlers[assignment.unit.name]


def handled(world, *, signed=True, supervised=True, assisting=True) -> Handled:
    proposal = build(world, "registered").proposal
    units = world.units
    handling.proposal_assign(proposal=proposal, by=world.staff, lead_units=[units["区民政局"]],
                             assisting_units=[units["区教科局"]] if assisting else [],
                             separate_units=[units[SEPARATE]], assigned_on=datetime.date(2023, 3, 16),
                             supervising_offices=[world.offices["区政府办公室"]] if supervised else [],
                             at=at(3, 16))
    case = Handled(
        proposal=proposal, lead=proposal.assignments.get(role=UnitRole.LEAD),
        assisting=proposal.assignments.filter(role=UnitRole.ASSISTING).first(),
        separate=proposal.assignments.get(role=UnitRole.SEPARATE),
        handlers={"区民政局": world.lead_handler, "区教科局": world.assisting_handler,
                  SEPARATE: world.handler_for(SEPARATE)})
    if signed:
        for assignment in (case.lead, case.assisting, case.separate):
            if assignment is not None:
                handling.assignment_sign_for(assignment=assignment, by=case.handler(assignment), at=at(3, 17))
    return reload(case)


def reload(case: Handled) -> Handled:
    case.proposal = fresh(case.proposal)
    for assignment in (case.lead, case.assisting, case.separate):
        if assignment is not None:
            assignment.refresh_from_db()
    return case


def new_actions(before: int) -> list[tuple[str, object]]:
    return [(e.action, e.actor) for e in Event.objects.order_by("id")[before:]]


def lifecycle_refusal(lifecycle: Lifecycle, record, name: str) -> str:
    transition = lifecycle[name]
    return str(transition.refusal or lifecycle.invalid_state % {"status": record.get_status_display()})


# --- the assignment ---------------------------------------------------------------------------------------

# The statuses a unit can bring its assignment to; "removed" is left to its own test (the unit is gone).
ASSIGNMENT_STATUSES = [A.ASSIGNED, A.SIGNED, A.REASSIGNMENT_REQUESTED]


@dataclass(frozen=True)
class AssignmentStep:
    whose: str  # whose assignment takes the step: "lead" or "assisting"
    sources: frozenset
    target: str | None  # as declared
    events: tuple  # the actions the service writes
    call: object  # (world, case, assignment) -> the service call
    office: bool = False  # decided by the office on the unit's pending request
    by_office: bool = False  # taken by the office on its own (no request of the unit's)
    prepare: object = None  # (world, case) -> what the step needs of others, done before it is taken


def _pending(case, assignment):
    return assignment.reassignment_requests.get(status=ReassignmentRequest.Status.PENDING)


def _lead_reply_sent(world, case):
    """The lead unit's reply, waiting for the assisting unit's co-signature (the lead signs for it first if needed)."""
    lead = case.lead
    lead.refresh_from_db()
    if lead.status == A.ASSIGNED:
        handling.assignment_sign_for(assignment=lead, by=case.handler(lead), at=at(3, 21))
    reply = handling.reply_save(assignment=lead, by=case.handler(lead), body=REPLY_BODY, outcome="A",
                                contact_name="贺威", contact_phone="13795952836", at=at(3, 21))
    handling.reply_submit(reply=reply, by=case.handler(lead), at=at(3, 21))


def _cosign(world, case, assignment):
    return handling.reply_cosign(reply=case.proposal.replies.get(assignment=case.lead), by=case.handler(assignment),
                                 at=at(3, 22))


ASSIGNMENT_STEPS = {
    "sign_for": AssignmentStep("lead", frozenset({A.ASSIGNED}), A.SIGNED, ("assignment.signed",),
                               lambda w, c, a: handling.assignment_sign_for(assignment=a, by=c.handler(a),
                                                                            at=at(3, 21))),
    "request_reassignment": AssignmentStep(
        "lead", frozenset({A.ASSIGNED, A.SIGNED}), A.REASSIGNMENT_REQUESTED, ("reassignment.requested",),
        lambda w, c, a: handling.reassignment_request(assignment=a, by=c.handler(a), reason="不属于本单位职责",
                                                      at=at(3, 21))),
    "approve_reassignment": AssignmentStep(
        "lead", frozenset({A.REASSIGNMENT_REQUESTED}), A.REMOVED, ("reassignment.approved",),
        lambda w, c, a: handling.reassignment_approve(request=_pending(c, a), by=w.staff,
                                                      new_unit=w.units["区妇联"], at=at(3, 22)), office=True),
    "refuse_reassignment": AssignmentStep(
        "lead", frozenset({A.REASSIGNMENT_REQUESTED}), None, ("reassignment.refused",),
        lambda w, c, a: handling.reassignment_refuse(request=_pending(c, a), by=w.staff, note="属本单位职责",
                                                     at=at(3, 22)), office=True),
    "adjust": AssignmentStep(  # the office gives the unit's part to another unit; one that asked to leave is decided
        "lead", frozenset({A.ASSIGNED, A.SIGNED}), A.REMOVED, ("assignment.adjusted",),
        lambda w, c, a: handling.assignment_adjust(assignment=a, by=w.staff, new_unit=w.units["区妇联"],
                                                   reason="机构改革,职能划转", at=at(3, 22)), by_office=True),
    "record_contact": AssignmentStep(  # once signed for: assigned → signed for → contact → replied
        "lead", frozenset({A.SIGNED, A.REASSIGNMENT_REQUESTED}), None, ("contact.recorded",),
        lambda w, c, a: handling.contact_record(assignment=a, by=c.handler(a), method="phone",
                                                contacted_on=datetime.date(2023, 3, 20), summary="电话沟通",
                                                at=at(3, 21))),
    "send_opinion": AssignmentStep(
        "assisting", frozenset({A.SIGNED, A.REASSIGNMENT_REQUESTED}), None, ("opinion.sent",),
        lambda w, c, a: handling.opinion_send(assignment=a, by=c.handler(a), body="同意主办单位意见。",
                                              at=at(3, 21))),
    "write_reply": AssignmentStep(
        "lead", frozenset({A.SIGNED}), None, ("reply.drafted",),
        lambda w, c, a: handling.reply_save(assignment=a, by=c.handler(a), body=REPLY_BODY, at=at(3, 21))),
    "cosign_reply": AssignmentStep(  # the lead unit's reply, once signed for, as an opinion
        "assisting", frozenset({A.SIGNED, A.REASSIGNMENT_REQUESTED}), None, ("reply.cosigned",), _cosign,
        prepare=_lead_reply_sent),
}


def assignment_in(world, status: str, whose: str, *, office: bool) -> tuple[Handled, Assignment]:
    """The standing case with the ``whose`` unit's assignment in ``status``. For the office's decisions the
    unit has a pending request: made through the service where the status is "reassignment requested"; beside
    another status (which the services never leave behind) written by hand, to show that the lifecycle, not only
    the request, guards the decision."""
    case = handled(world, signed=status != A.ASSIGNED)
    assignment = getattr(case, whose)
    if status == A.ASSIGNED:  # another unit signed for: the proposal is being handled, only this unit is late
        handling.assignment_sign_for(assignment=case.separate, by=case.handler(case.separate), at=at(3, 17))
    if status == A.REASSIGNMENT_REQUESTED:
        handling.reassignment_request(assignment=assignment, by=case.handler(assignment), reason="非本单位职责",
                                      at=at(3, 20))
    elif office:
        ReassignmentRequest.objects.create(assignment=assignment, reason="非本单位职责",
                                           requested_by=case.handler(assignment))
    assignment.refresh_from_db()
    assert assignment.status == status
    return reload(case), assignment


def test_the_assignment_declaration_is_what_the_services_do():
    assert set(ASSIGNMENT.transitions) == set(ASSIGNMENT_STEPS)
    for name, step in ASSIGNMENT_STEPS.items():
        assert (ASSIGNMENT[name].sources, ASSIGNMENT[name].target) == (step.sources, step.target), name


@pytest.mark.parametrize("name,status", [(n, s) for n, step in ASSIGNMENT_STEPS.items() for s in ASSIGNMENT_STATUSES
                                         if s in step.sources])
def test_an_assignment_step_is_taken_from_its_sources(world, name, status):
    step = ASSIGNMENT_STEPS[name]
    case, assignment = assignment_in(world, status, step.whose, office=step.office)
    if step.prepare:
        step.prepare(world, case)
    actor = world.staff if step.office or step.by_office else case.handler(assignment)
    before = Event.objects.count()
    step.call(world, case, assignment)
    assignment.refresh_from_db()
    # refuse_reassignment: back where it was, signed for here (``status_after_refusal``)
    reaches = step.target or (A.SIGNED if name == "refuse_reassignment" else status)
    assert assignment.status == reaches
    assert new_actions(before) == [(action, actor) for action in step.events]


@pytest.mark.parametrize("name,status", [(n, s) for n, step in ASSIGNMENT_STEPS.items() for s in ASSIGNMENT_STATUSES
                                         if s not in step.sources])
def test_an_assignment_step_is_refused_from_other_statuses(world, name, status):
    step = ASSIGNMENT_STEPS[name]
    case, assignment = assignment_in(world, status, step.whose, office=step.office)
    if step.prepare and assignment.is_active:
        step.prepare(world, case)
    error = refused("invalid_state", lambda: step.call(world, case, assignment))
    assert str(error.message) == lifecycle_refusal(ASSIGNMENT, assignment, name)


def test_a_refused_request_of_a_unit_that_had_not_signed_for_puts_it_back_to_sign_for(world):
    case, assignment = assignment_in(world, A.ASSIGNED, "lead", office=False)
    request = handling.reassignment_request(assignment=assignment, by=world.lead_handler, reason="非本单位职责",
                                            at=at(3, 20))
    handling.reassignment_refuse(request=request, by=world.staff, note="属本单位职责", at=at(3, 21))
    assignment.refresh_from_db()
    assert assignment.status == A.ASSIGNED


def test_a_unit_reassigned_away_takes_no_further_step(world):
    case, assignment = assignment_in(world, A.REASSIGNMENT_REQUESTED, "assisting", office=True)
    handling.reassignment_approve(request=_pending(case, assignment), by=world.staff, new_unit=world.units["区妇联"],
                                  at=at(3, 22))
    assignment.refresh_from_db()
    assert assignment.status == A.REMOVED and not assignment.is_active
    assert not any(A.REMOVED in t.sources for t in ASSIGNMENT.transitions.values())
    for name in ("sign_for", "request_reassignment", "record_contact", "send_opinion"):
        refused("not_allowed", lambda name=name: ASSIGNMENT_STEPS[name].call(world, case, assignment))
    assert set(case.proposal.assignments.active().values_list("unit__name", flat=True)) == {
        "区民政局", "区妇联", SEPARATE}


def test_a_unit_of_another_role_is_told_before_the_status(world):
    case = handled(world, signed=False)
    # Through the services the proposal workflow refuses them first (a lead unit is no assisting unit) …
    refused("not_allowed", lambda: handling.opinion_send(assignment=case.lead, by=world.lead_handler, body="意见"))
    refused("not_allowed", lambda: handling.reply_save(assignment=case.assisting, by=world.assisting_handler,
                                                       body="答复"))
    # … and the lifecycle on its own says so too, before saying that neither has signed for.
    for assignment, name in ((case.lead, "send_opinion"), (case.assisting, "write_reply")):
        with pytest.raises(workflow.WorkflowError) as caught:
            ASSIGNMENT.check(assignment, name)
        assert caught.value.code == workflow.NOT_ALLOWED
        assert str(caught.value.message) == str(ASSIGNMENT[name].role_refusal)


# --- the reply --------------------------------------------------------------------------------------------

REPLY_STATUSES = [R.DRAFT, R.COSIGNING, R.SUPERVISION, R.RETURNED, R.RELEASED]


@dataclass(frozen=True)
class ReplyStep:
    sources: frozenset
    target: str | None  # as declared
    reaches: str | None  # what the service leaves (None: unchanged)
    events: tuple
    call: object  # (world, case, reply) -> the service call
    actor: str  # the standing user who takes it


REPLY_STEPS = {
    "save": ReplyStep(frozenset({R.DRAFT, R.RETURNED}), None, None, (),  # a draft saved again: no event
                      lambda w, c, r: handling.reply_save(assignment=c.lead, by=w.lead_handler, body="修改后的答复",
                                                          at=at(4, 5)), "lead_handler"),
    "submit": ReplyStep(frozenset({R.DRAFT, R.RETURNED}), R.COSIGNING, R.COSIGNING, ("reply.submitted",),
                        lambda w, c, r: handling.reply_submit(reply=r, by=w.lead_handler, at=at(4, 5)),
                        "lead_handler"),
    # the only co-signature: the supervised reply goes on to review (``send_to_supervision``)
    "cosign": ReplyStep(frozenset({R.COSIGNING}), None, R.SUPERVISION, ("reply.cosigned",),
                        lambda w, c, r: handling.reply_cosign(reply=r, by=w.assisting_handler, at=at(4, 5)),
                        "assisting_handler"),
    "approve": ReplyStep(frozenset({R.SUPERVISION}), R.RELEASED, R.RELEASED,
                         ("supervision.approved", "reply.released"),
                         lambda w, c, r: supervision.reply_approve(reply=r, by=w.supervisor, at=at(4, 5)),
                         "supervisor"),
    "return": ReplyStep(frozenset({R.SUPERVISION}), R.RETURNED, R.RETURNED, ("supervision.returned",),
                        lambda w, c, r: supervision.reply_return(reply=r, by=w.supervisor, comments="请补充数据",
                                                                 at=at(4, 5)), "supervisor"),
}
# Steps that follow another in the same call, never asked for on their own: (sources, target).
FOLLOWING_STEPS = {"send_to_supervision": ({R.COSIGNING}, R.SUPERVISION), "release": ({R.COSIGNING}, R.RELEASED)}


def reply_in(world, status: str) -> tuple[Handled, Reply]:
    """The lead unit's reply in ``status``, the proposal still being handled (the separate unit has not replied)."""
    case = handled(world)
    reply = handling.reply_save(assignment=case.lead, by=world.lead_handler, body=REPLY_BODY, outcome="A",
                                contact_name="贺威", contact_phone="13795952836", at=at(4, 1))
    path = [R.DRAFT, R.COSIGNING, R.SUPERVISION, R.RELEASED if status == R.RELEASED else R.RETURNED]
    steps = {R.COSIGNING: lambda: handling.reply_submit(reply=reply, by=world.lead_handler, at=at(4, 2)),
             R.SUPERVISION: lambda: handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(4, 3)),
             R.RETURNED: lambda: supervision.reply_return(reply=reply, by=world.supervisor, comments="请修改",
                                                          at=at(4, 4)),
             R.RELEASED: lambda: supervision.reply_approve(reply=reply, by=world.supervisor, at=at(4, 4))}
    for reached in path[1:path.index(status) + 1]:
        steps[reached]()
    reply.refresh_from_db()
    assert reply.status == status
    case = reload(case)
    assert case.proposal.state == State.HANDLING
    return case, reply


def test_the_reply_declaration_is_what_the_services_do():
    assert set(REPLY.transitions) == set(REPLY_STEPS) | set(FOLLOWING_STEPS)
    for name, step in REPLY_STEPS.items():
        assert (REPLY[name].sources, REPLY[name].target) == (step.sources, step.target), name
        assert REPLY[name].authorised_by in workflow.TRANSITIONS
    for name, (sources, target) in FOLLOWING_STEPS.items():
        assert (REPLY[name].sources, REPLY[name].target, REPLY[name].authorised_by) == (sources, target, "")


@pytest.mark.parametrize("name,status", [(n, s) for n, step in REPLY_STEPS.items() for s in REPLY_STATUSES
                                         if s in step.sources])
def test_a_reply_step_is_taken_from_its_sources(world, name, status):
    step = REPLY_STEPS[name]
    case, reply = reply_in(world, status)
    before = Event.objects.count()
    step.call(world, case, reply)
    reply.refresh_from_db()
    assert reply.status == (step.reaches or status)
    actor = getattr(world, step.actor)
    assert new_actions(before) == [(action, actor) for action in step.events]
    if name == "save":
        assert reply.body == "修改后的答复"


@pytest.mark.parametrize("name,status", [(n, s) for n, step in REPLY_STEPS.items() for s in REPLY_STATUSES
                                         if s not in step.sources])
def test_a_reply_step_is_refused_from_other_statuses(world, name, status):
    step = REPLY_STEPS[name]
    case, reply = reply_in(world, status)
    error = refused("invalid_state", lambda: step.call(world, case, reply))
    assert str(error.message) == lifecycle_refusal(REPLY, reply, name)


@pytest.mark.parametrize("supervised,assisting,reaches,events", [
    (True, True, R.SUPERVISION, ["reply.submitted"]),  # co-signing to do: waits for it
    (True, False, R.SUPERVISION, ["reply.submitted"]),  # nobody co-signs: straight on to review
    (False, False, R.RELEASED, ["reply.submitted", "reply.released"]),  # and nobody reviews: out at once
])
def test_a_submitted_reply_goes_through_the_steps_nobody_has_to_take(world, supervised, assisting, reaches,
                                                                      events):
    case = handled(world, supervised=supervised, assisting=assisting)
    reply = handling.reply_save(assignment=case.lead, by=world.lead_handler, body=REPLY_BODY, outcome="A",
                                contact_name="贺威", contact_phone="13795952836", at=at(4, 1))
    before = Event.objects.count()
    handling.reply_submit(reply=reply, by=world.lead_handler, at=at(4, 2))
    reply.refresh_from_db()
    if assisting:
        assert reply.status == R.COSIGNING and reply.cosigned_on is None
        handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(4, 3))
        events = [*events, "reply.cosigned"]
        reply.refresh_from_db()
    assert reply.status == reaches and reply.cosigned_on is not None
    assert [action for action, _actor in new_actions(before)] == events
    assert (reply.released_at is not None) == (reaches == R.RELEASED)


def test_the_last_cosignature_releases_a_reply_nobody_reviews(world):
    case = handled(world, supervised=False)
    reply = handling.reply_save(assignment=case.lead, by=world.lead_handler, body=REPLY_BODY, outcome="A",
                                contact_name="贺威", contact_phone="13795952836", at=at(4, 1))
    handling.reply_submit(reply=reply, by=world.lead_handler, at=at(4, 2))
    before = Event.objects.count()
    handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(4, 3))
    reply.refresh_from_db()
    assert reply.status == R.RELEASED
    assert [action for action, _actor in new_actions(before)] == ["reply.cosigned", "reply.released"]


@pytest.mark.parametrize("status", [s for s in REPLY_STATUSES if s != R.COSIGNING])
def test_a_reply_is_released_without_review_only_from_cosigning(world, status):
    case, reply = reply_in(world, status)
    error = refused("invalid_state", lambda: handling.release(reply, case.proposal, world.staff, at(4, 5)))
    assert str(error.message) == lifecycle_refusal(REPLY, reply, "release")
    with pytest.raises(workflow.WorkflowError) as caught:
        REPLY.check(reply, "send_to_supervision")
    assert caught.value.code == workflow.INVALID_STATE


# --- what pages read --------------------------------------------------------------------------------------

def test_pages_offer_the_steps_the_services_take(world):
    case = handled(world, signed=False)
    offered = {name for name in ASSIGNMENT.transitions if ASSIGNMENT.permits(world.lead_handler, case.proposal,
                                                                               case.lead, name)}
    assert offered == {"sign_for", "request_reassignment"}  # contact follows signing for
    case = handled(world)
    offered = {name for name in ASSIGNMENT.transitions if ASSIGNMENT.permits(world.lead_handler, case.proposal,
                                                                               case.lead, name)}
    assert offered == {"request_reassignment", "record_contact", "write_reply"}
    offered = {name for name in ASSIGNMENT.transitions if ASSIGNMENT.permits(world.assisting_handler, case.proposal,
                                                                               case.assisting, name)}
    assert offered == {"request_reassignment", "record_contact", "send_opinion", "cosign_reply"}
    assert not any(ASSIGNMENT.permits(world.supervisor, case.proposal, case.assisting, name)
                   for name in ASSIGNMENT.transitions)

    case, reply = reply_in(world, R.SUPERVISION)
    assert {n for n in REPLY.transitions if REPLY.permits(world.supervisor, case.proposal, reply, n)} == {
        "approve", "return"}
    assert not any(REPLY.permits(world.lead_handler, case.proposal, reply, n) for n in REPLY.transitions)


def test_named_groups_of_statuses():
    assert Assignment.ACTIVE == set(A) - {A.REMOVED}
    assert Reply.EDITABLE == REPLY["save"].sources == REPLY["submit"].sources
    assert Reply.SUBMITTED == set(R) - {R.DRAFT}
    assert Reply.IN_PROGRESS == set(R) - {R.RELEASED}
    for status in R:
        reply = Reply(status=status)
        assert (reply.is_editable, reply.was_submitted, reply.is_released) == (
            status in (R.DRAFT, R.RETURNED), status != R.DRAFT, status == R.RELEASED)
    assert [Assignment(status=s).is_active for s in A] == [s != A.REMOVED for s in A]
    # A finished proposal is one no transition of its workflow moves on.
    moving = {s for t in workflow.TRANSITIONS.values() if t.target for s in t.sources}
    assert FINISHED == set(State) - moving == {State.CLOSED, State.WITHDRAWN, State.DECLINED, State.MERGED}


def test_the_current_deadline_is_the_earliest_of_the_units_still_replying(world):
    from tian.deadlines.status import proposal_due

    def current_deadline(proposal):
        return proposal_due(proposal).day

    case = handled(world)
    deadlines = {case.lead.pk: datetime.date(2023, 6, 30), case.separate.pk: datetime.date(2023, 4, 10),
                 case.assisting.pk: datetime.date(2023, 4, 1)}  # an assisting unit's deadline never counts
    for pk, day in deadlines.items():
        Assignment.objects.filter(pk=pk).update(deadline=day)
    assert current_deadline(fresh(case.proposal)) == datetime.date(2023, 4, 10)
    request = handling.reassignment_request(assignment=case.separate, by=case.handler(case.separate),
                                            reason="非本单位职责", at=at(3, 20))
    new = handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区妇联"],
                                        at=at(3, 22))
    Assignment.objects.filter(pk=new.pk).update(deadline=datetime.date(2023, 5, 1))
    # the unit reassigned away (4-10) no longer counts
    assert current_deadline(fresh(case.proposal)) == datetime.date(2023, 5, 1)
    handling.reassignment_request(assignment=case.lead, by=world.lead_handler, reason="非本单位职责", at=at(3, 23))
    Assignment.objects.filter(pk=case.lead.pk).update(deadline=datetime.date(2023, 4, 20))
    # a unit asking to leave still handles the proposal until the office decides
    assert current_deadline(fresh(case.proposal)) == datetime.date(2023, 4, 20)


def test_a_unit_whose_reply_is_out_no_longer_sets_the_deadline_on_any_list(world, client_for):
    from django.urls import reverse

    from tian.deadlines.status import proposal_due

    case, reply = reply_in(world, R.RELEASED)  # the lead unit's reply is out, the separate unit's is not
    Assignment.objects.filter(pk=case.lead.pk).update(deadline=datetime.date(2023, 4, 10))
    Assignment.objects.filter(pk=case.separate.pk).update(deadline=datetime.date(2030, 5, 1))
    assert proposal_due(fresh(case.proposal)).day == datetime.date(2030, 5, 1)
    # The office's list, search's listing and the member's own list show the deadline the proposal page shows.
    for page in (client_for(world.staff).get(reverse("proposals:list")),
                 client_for(world.staff).get(reverse("search:search"), {"state": State.HANDLING}),
                 client_for(world.member).get(reverse("proposals:mine"))):
        html = page.content.decode()
        assert case.proposal.title in html and "2030-05-01" in html and "2023-04-10" not in html
    # Nor is it overdue by the unit whose reply is out: the lists' deadline filter asks the same.
    staff = client_for(world.staff)
    assert case.proposal.title not in staff.get(reverse("proposals:list"), {"deadline": "overdue"}).content.decode()
    # The statistics count it as the lists do: not overdue now while the unit still replying is within its time.
    from tian.stats import kpis

    scope = kpis.Scope(world.committee, year=case.proposal.year)
    assert case.proposal.pk not in kpis.gather(scope).overdue
    Assignment.objects.filter(pk=case.separate.pk).update(deadline=datetime.date(2023, 4, 20))
    assert case.proposal.title in staff.get(reverse("proposals:list"), {"deadline": "overdue"}).content.decode()
    assert case.proposal.pk in kpis.gather(scope).overdue
    rows = {(r["unit"], r["role"]): r for r in kpis.by_unit(scope, kpis.gather(scope))}
    assert rows[(case.lead.unit.name, "lead")]["overdue"] == 0
    assert rows[(case.separate.unit.name, "separate")]["overdue"] == 1
    # An assisting unit that sent no opinion is late only while the proposal is being handled.
    assert not case.assisting.opinions.exists() and case.assisting.deadline < datetime.date.today()
    assert rows[(case.assisting.unit.name, "assisting")]["overdue"] == 1
    Proposal.objects.filter(pk=case.proposal.pk).update(state=State.CLOSED)  # the statistics read the state alone
    rows = {(r["unit"], r["role"]): r for r in kpis.by_unit(scope, kpis.gather(scope))}
    assert rows[(case.assisting.unit.name, "assisting")]["overdue"] == 0


def test_the_satisfaction_filter_reads_the_lead_proposers_rating_that_counts(world, client_for):
    # Dissatisfied with the first reply, satisfied with the second: the proposal is found as satisfied, as its page,
    # the portal and the statistics show it, and not as dissatisfied.
    from django.urls import reverse

    from tests.test_lifecycle_services import build

    case = build(world, "replied")
    handling.evaluation_submit(proposal=case.proposal, by=world.member, result="dissatisfied", at=at(10, 25))
    second = handling.reply_save(assignment=case.lead, by=world.lead_handler, body="经再次研究,答复如下:\n已落实。",
                                 outcome="A", contact_name="贺威", contact_phone="13795952836", at=at(12, 1))
    second = handling.reply_submit(reply=second, by=world.lead_handler, at=at(12, 1))
    handling.reply_cosign(reply=second, by=world.assisting_handler, at=at(12, 2))
    supervision.reply_approve(reply=second, by=world.supervisor, at=at(12, 5))
    handling.evaluation_submit(proposal=fresh(case.proposal), by=world.member, result="satisfied", at=at(12, 10))
    staff = client_for(world.staff)

    def found(rating) -> bool:
        return case.proposal.title in staff.get(reverse("search:search"), {"satisfaction": rating}).content.decode()

    assert found("satisfied") and not found("dissatisfied")


def test_a_released_reply_reads_as_reviewed_only_when_an_office_approved_it(world, client_for):
    from tian.supervision.models import SupervisionReview
    from tian.supervision.selectors import review_passed

    case, reply = reply_in(world, R.RELEASED)  # approved by the supervising office
    assert review_passed(reply) and "已通过" in client_for(world.staff).get(case.proposal.get_absolute_url()).content.decode()
    # A reply whose only review returned it (the office was taken off the proposal before it came back) was released
    # without a pass.
    SupervisionReview.objects.filter(reply=reply).update(decision=SupervisionReview.Decision.RETURNED)
    reply = Reply.objects.get(pk=reply.pk)
    page = client_for(world.staff).get(case.proposal.get_absolute_url()).content.decode()
    assert not review_passed(reply) and "已通过" not in page and "无需督办审核" in page


def test_every_number_of_the_unit_table_lists_the_proposals_it_counts(world, client_for):
    # The lead unit's reply is out, the separate unit's is not and is late, the assisting unit sent no opinion: each
    # unit's row counts its own part, and the list behind each number holds exactly what it counts.
    from django.urls import reverse

    from tian.stats import kpis

    case, _reply = reply_in(world, R.RELEASED)
    Assignment.objects.filter(pk=case.separate.pk).update(deadline=datetime.date(2023, 4, 20))
    # A second proposal, where the lead unit has done nothing yet: its row's numbers are not the first's.
    other = handled(world, assisting=False).proposal
    scope = kpis.Scope(world.committee, year=case.proposal.year)
    staff = client_for(world.staff)
    checked = 0
    for row in kpis.by_unit(scope, kpis.gather(scope)):
        for measure in ("assigned", "replied", "overdue"):
            page = staff.get(reverse("stats:behind"), {"year": scope.year, "measure": measure,
                                                       "unit": row["unit_id"], "role": row["role"]})
            assert page.status_code == 200
            listed = sum(f'href="{p.get_absolute_url()}"' in page.content.decode() for p in (case.proposal, other))
            assert listed == row[measure], (row["unit"], row["role"], measure)
            checked += row[measure]
    assert checked >= 4


def test_an_assisting_unit_owing_its_co_signature_is_overdue_in_the_statistics_as_on_its_page(world):
    # The opinion is sent; the lead unit's reply waits for the assisting unit's co-signature past the reply's
    # deadline: its page (deadlines.status.unit_due) and the unit table both say overdue, until it signs.
    from tian.deadlines.status import unit_due
    from tian.stats import kpis

    case, reply = reply_in(world, R.COSIGNING)
    handling.opinion_send(assignment=case.assisting, by=world.assisting_handler, body="同意", at=at(4, 1))
    scope = kpis.Scope(world.committee, year=case.proposal.year)

    def overdue_in_table() -> int:
        rows = {(r["unit"], r["role"]): r for r in kpis.by_unit(scope, kpis.gather(scope))}
        return rows[(case.assisting.unit.name, "assisting")]["overdue"]

    assisting = Assignment.objects.get(pk=case.assisting.pk)
    due = unit_due(assisting, fresh(case.proposal))
    assert due.is_cosigning and not due.done and due.day < datetime.date.today()
    assert overdue_in_table() == 1
    handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(4, 3))
    assert overdue_in_table() == 0



# --- the co-signature's, the reassignment request's and the extension request's --------------------------

C = CoSignature.Status
# What the services do from each stored status of an invitation answered within its window, independently of
# the declaration (``tian/proposals/lifecycle.py``): the status reached, and the event written; every other
# status is refused with ``invalid_state`` and nothing changes. Inviting again an accepted co-signer is skipped
# (nothing to do), not refused; an invitation still open is skipped too.
COSIGN_STEPS = {
    "withdraw": ({C.INVITED: C.WITHDRAWN}, "cosign.invitation_withdrawn"),
    "accept": ({C.INVITED: C.ACCEPTED}, "cosign.accepted"),
    "decline": ({C.INVITED: C.DECLINED}, "cosign.declined"),
    "invite": ({C.DECLINED: C.INVITED, C.EXPIRED: C.INVITED, C.WITHDRAWN: C.INVITED}, "cosign.invited"),
}


def _take(world, name, invitation, at_):
    if name == "withdraw":
        return proposal_services.cosign_withdraw_invitation(cosignature=invitation, by=world.member, at=at_)
    if name in ("accept", "decline"):
        return proposal_services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=name == "accept",
                                                at=at_)
    return proposal_services.cosign_invite(proposal=fresh(invitation.proposal), by=world.member,
                                           members=[world.cosigner.member], at=at_)


def invitation_in(world, status):
    [invitation] = proposal_services.cosign_invite(proposal=draft(world), by=world.member,
                                                   members=[world.cosigner.member], at=at(2, 14, 9, 5))
    CoSignature.objects.filter(pk=invitation.pk).update(status=status)
    invitation.refresh_from_db()
    return invitation


def test_the_cosignature_declaration_is_what_the_services_do():
    for name, (moves, _event) in COSIGN_STEPS.items():
        assert (COSIGNATURE[name].sources, {COSIGNATURE[name].target}) == (set(moves), set(moves.values())), name


@pytest.mark.parametrize("name,status", [(n, s) for n, (moves, _e) in COSIGN_STEPS.items() for s in C.values])
def test_a_cosignature_step_is_taken_from_its_sources_and_refused_from_the_others(world, name, status):
    moves, event = COSIGN_STEPS[name]
    invitation = invitation_in(world, status)
    if status in moves:
        before = Event.objects.count()
        _take(world, name, invitation, at(2, 14, 9, 10))
        invitation.refresh_from_db()
        assert invitation.status == moves[status]
        assert [action for action, _by in new_actions(before)] == [event]
    elif name == "invite":  # an accepted co-signer or an open invitation: nothing to do
        assert _take(world, name, invitation, at(2, 14, 9, 10)) == []
    else:
        refused("invalid_state", lambda: _take(world, name, invitation, at(2, 14, 9, 10)))


def test_an_invitation_past_its_window_is_lapsed_to_its_lifecycle(world):
    """Withdrawing it is refused as for any invitation no longer open; inviting the member again asks anew."""
    invitation = invitation_in(world, C.INVITED)
    late = invitation.expires_at + datetime.timedelta(minutes=1)
    error = refused("invalid_state", lambda: _take(world, "withdraw", invitation, late))
    assert str(error.message) == str(COSIGNATURE["withdraw"].refusal)
    [again] = _take(world, "invite", invitation, late)
    assert again.pk == invitation.pk and again.status == C.INVITED and again.expires_at > late


def test_withdrawing_the_proposal_and_closing_review_move_only_open_invitations(world):
    declined, withdrawn = invitation_in(world, C.DECLINED), invitation_in(world, C.INVITED)
    proposal_services.proposal_withdraw(proposal=fresh(withdrawn.proposal), by=world.member, at=at(2, 14, 9, 20))
    assert CoSignature.objects.get(pk=withdrawn.pk).status == COSIGNATURE["withdraw_with_proposal"].target
    assert CoSignature.objects.get(pk=declined.pk).status == C.DECLINED


@pytest.mark.parametrize("decided", ["approve", "refuse"])
def test_a_request_decided_already_is_a_conflict(world, decided):
    """Two clerks decide the same reassignment or extension request: the second hears it was decided."""
    case = build(world, "handling", request="pending")
    if decided == "approve":
        handling.reassignment_approve(request=case.request, by=world.staff, new_unit=world.units["区司法局"],
                                      at=at(3, 22))
    else:
        handling.reassignment_refuse(request=case.request, by=world.staff, note="属于协办职责", at=at(3, 22))
    assert ReassignmentRequest.objects.get(pk=case.request.pk).status == REASSIGNMENT_REQUEST[decided].target
    refused("conflict", lambda: handling.reassignment_refuse(request=case.request, by=world.staff, note="再议"))
    refused("conflict", lambda: handling.reassignment_approve(request=case.request, by=world.staff,
                                                              new_unit=world.units["区公安分局"]))

    extension = deadlines.extension_request(assignment=case.lead, by=world.lead_handler, reason="需要调研",
                                            requested_deadline=case.lead.deadline + datetime.timedelta(days=30),
                                            at=at(3, 23))
    if decided == "approve":
        deadlines.extension_approve(extension=extension, by=world.staff, at=at(3, 24))
    else:
        deadlines.extension_refuse(extension=extension, by=world.staff, note="期限足够", at=at(3, 24))
    assert ExtensionRequest.objects.get(pk=extension.pk).status == EXTENSION_REQUEST[decided].target
    for step in ("approve", "refuse"):
        error = refused("conflict", lambda step=step: (
            deadlines.extension_approve(extension=extension, by=world.staff) if step == "approve"
            else deadlines.extension_refuse(extension=extension, by=world.staff, note="再议")))
        assert str(error.message) == str(MSG_CONFLICT)
