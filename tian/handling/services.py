"""State changes during handling: assignment, signing for, reassignment, contact, assisting opinions,
replies and their co-signatures, evaluation and rehandling.

Every function locks the proposal (``proposals.services.lock``), checks the workflow declaration (who may
act on the proposal) and the lifecycle of the assignment or reply it changes (``handling/lifecycle.py``:
which step it may take from its status and the status it reaches), makes its change in one transaction and
writes an event.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tian.core.calendar import add_working_days, months_later
from tian.core.phones import phone_refusal
from tian.handling.lifecycle import ASSIGNMENT, REASSIGNMENT_REQUEST, REPLY, status_after_refusal
from tian.handling.models import (
    REPLYING_ROLES,
    Assignment,
    AssistingOpinion,
    ContactRecord,
    Evaluation,
    OutcomeClass,
    Rating,
    ReassignmentRequest,
    Reply,
    ReplyCoSignature,
    UnitRole,
)
from tian.organisations.models import CollectiveProposer
from tian.proposals import workflow
from tian.proposals.events import record, touch
from tian.proposals.models import FINISHED, IN_HANDLING, Kind, Proposal, State
from tian.proposals.selectors import (
    collective_merged_into_ids,
    credited_ids,
    merged_in_collective_ids,
    proposer_members,
)
from tian.proposals.services import lock
from tian.proposals.workflow import (
    CONFLICT,
    INVALID_INPUT,
    INVALID_STATE,
    MSG_CONFLICT,
    MSG_NOT_ALLOWED,
    NOT_ALLOWED,
    WorkflowError,
)


def _now(at):
    return at or timezone.now()


def _today(at) -> datetime.date:
    return timezone.localdate(_now(at))


def _move(proposal: Proposal, by, action: str, to_state: str, *, at=None, note: str = "", **data):
    from_state = proposal.state
    proposal.state = to_state
    proposal.save()
    record(proposal, by, action, from_state=from_state, to_state=to_state, at=at, note=note, **data)


def default_deadlines(proposal: Proposal, assigned_on: datetime.date) -> dict:
    committee = proposal.committee
    months = committee.reply_months_plenary if proposal.is_plenary else committee.reply_months
    return {
        "reply": committee.deadline_after(assigned_on, months=months, working_days=committee.reply_working_days),
        "assisting": committee.deadline_after(assigned_on, months=committee.assisting_opinion_months,
                                              working_days=committee.assisting_opinion_working_days),
        "reassignment": add_working_days(assigned_on, committee.reassignment_window_days),
    }


@transaction.atomic
def proposal_assign(*, proposal: Proposal, by, lead_units=(), assisting_units=(), separate_units=(),
                    assigned_on: datetime.date | None = None, reply_deadline: datetime.date | None = None,
                    assisting_deadline: datetime.date | None = None, is_key: bool = False,
                    lead_officials=(), supervising_offices=(), note: str = "", at=None,
                    check_dates: bool = True) -> Proposal:
    """交办: give the proposal to units, each as lead, assisting or separate, with deadlines. ``check_dates=False``
    is for importing records of another system, whose day of submission is only guessed (the plenary's first day)
    and may fall after the day the record says the proposal was assigned."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "assign")
    units = [(u, UnitRole.LEAD) for u in lead_units] + [(u, UnitRole.ASSISTING) for u in assisting_units]
    units += [(u, UnitRole.SEPARATE) for u in separate_units]
    if not lead_units and not separate_units:
        raise WorkflowError(INVALID_INPUT, _("Choose at least one lead unit or separate unit."))
    if len(lead_units) > 1:
        raise WorkflowError(INVALID_INPUT, _("A proposal has one lead unit; use separate units for more."))
    if assisting_units and not lead_units:
        raise WorkflowError(INVALID_INPUT, _("Assisting units need a lead unit."))
    seen = set()
    for unit, _role in units:
        if unit.pk in seen:
            raise WorkflowError(INVALID_INPUT, _("%(unit)s is chosen twice.") % {"unit": unit.name})
        if unit.committee_id != proposal.committee_id or not unit.is_active:
            raise WorkflowError(INVALID_INPUT, _("%(unit)s is not an active unit.") % {"unit": unit.name})
        seen.add(unit.pk)
    assigned_on = assigned_on or _today(at)
    plausible_day(assigned_on, _today(at), _("Assignment date"))
    if check_dates:
        _not_before_submission(assigned_on, proposal)
    defaults = default_deadlines(proposal, assigned_on)
    reply_deadline = reply_deadline or defaults["reply"]
    assisting_deadline = assisting_deadline or defaults["assisting"]
    if reply_deadline <= assigned_on or assisting_deadline <= assigned_on:
        raise WorkflowError(INVALID_INPUT, _("Deadlines must be after the assignment date."))
    cap = months_later(assigned_on, proposal.committee.extension_cap_months)
    if reply_deadline > cap:
        raise WorkflowError(INVALID_INPUT, _("The reply deadline cannot be later than %(cap)s.") % {"cap": cap})
    if assisting_deadline > reply_deadline:  # the opinion goes into the reply
        raise WorkflowError(INVALID_INPUT, _("The assisting opinion deadline cannot be later than the reply "
                                             "deadline (%(day)s).") % {"day": reply_deadline})
    for unit, role in units:
        Assignment.objects.create(
            proposal=proposal, unit=unit, role=role, assigned_on=assigned_on,
            deadline=assisting_deadline if role == UnitRole.ASSISTING else reply_deadline,
            reassignment_deadline=defaults["reassignment"],
        )
    proposal.assigned_on = assigned_on
    proposal.is_key = is_key
    proposal.save()
    proposal.lead_officials.set(lead_officials)
    proposal.supervising_offices.set(supervising_offices)
    _move(proposal, by, "proposal.assigned", State.ASSIGNED, at=at, note=note,
          units={role: [u.name for u, r in units if r == role] for role in UnitRole.values},
          reply_deadline=reply_deadline.isoformat(), key=is_key)
    return proposal


def key_revision(proposal: Proposal) -> str:
    """What a key-proposal form showed (the flag and both lists): its form sends it back (``proposal_set_key``'s
    ``seen``)."""
    officials = sorted(o.pk for o in proposal.lead_officials.all())
    offices = sorted(o.pk for o in proposal.supervising_offices.all())
    return f"{int(proposal.is_key)}:{','.join(map(str, officials))}:{','.join(map(str, offices))}"


@transaction.atomic
def proposal_set_key(*, proposal: Proposal, by, is_key: bool, lead_officials=(), supervising_offices=(), note: str = "",
                     at=None, seen: str | None = None) -> Proposal:
    """重点提案与督办: mark an assigned proposal key (or no longer key) and name its lead officials and supervising
    offices after the assignment, as the chair's meeting chooses the year's key proposals once they are handled. A key
    proposal has both (domain.md: "each has lead official(s) and supervising offices"); while a reply waits for
    supervision review, the proposal keeps a supervising office to review it."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "set_key")
    if seen is not None and seen != key_revision(proposal):  # another clerk set it since the form was opened
        raise WorkflowError(CONFLICT, MSG_CONFLICT)
    officials, offices = list(lead_officials), list(supervising_offices)
    old_officials = set(proposal.lead_officials.values_list("pk", flat=True))
    old_offices = set(proposal.supervising_offices.values_list("pk", flat=True))
    for chosen, old in ((officials, old_officials), (offices, old_offices)):
        for item in chosen:
            if item.committee_id != proposal.committee_id or (item.pk not in old and not item.is_active):
                raise WorkflowError(INVALID_INPUT, _("%(name)s cannot be chosen.") % {"name": item.name})
    if is_key and not (officials and offices):
        raise WorkflowError(INVALID_INPUT, _("A key proposal needs at least one lead official and one supervising "
                                             "office."))
    if not offices and Reply.objects.filter(proposal=proposal, status=Reply.Status.SUPERVISION).exists():
        raise WorkflowError(INVALID_INPUT, _("A reply is waiting for supervision review: keep at least one "
                                             "supervising office to review it."))
    if (is_key == proposal.is_key and {o.pk for o in officials} == old_officials
            and {o.pk for o in offices} == old_offices):
        raise WorkflowError(INVALID_INPUT, _("Nothing was changed."))
    was_key, proposal.is_key = proposal.is_key, is_key
    proposal.save(update_fields=["is_key", "updated_at"])
    proposal.lead_officials.set(officials)
    proposal.supervising_offices.set(offices)
    record(proposal, by, "proposal.key_set", from_state=proposal.state, at=at, note=note, key=is_key, was_key=was_key,
           officials=[o.name for o in officials], supervising=[o.name for o in offices],
           new_officials=[o.pk for o in officials if o.pk not in old_officials],
           new_offices=[o.pk for o in offices if o.pk not in old_offices])
    return proposal


# The earliest year a date of a proposal's handling may have: records of past years are entered (a committee's paper
# archive), so only what cannot be one is refused.
EARLIEST_YEAR = 2000


def plausible_day(day: datetime.date, today: datetime.date, label) -> None:
    """Refuse a date of the proposal's handling (the assignment's, a contact's, a reply's) that cannot be one: before
    2000, or more than a year after today (a typed 2206 for 2026, or 9999, would be kept and make every deadline
    counted from it run for centuries, and the pages counting working days up to it slow or broken)."""
    if day.year < EARLIEST_YEAR or day > today + datetime.timedelta(days=366):
        raise WorkflowError(INVALID_INPUT, _("%(field)s %(day)s is not a date of this proposal's handling. "
                                             "Please check the year.") % {"field": label, "day": day.isoformat()})


def _not_before_submission(day: datetime.date, proposal: Proposal) -> None:
    """A proposal is assigned on or after the day it was submitted: a day before it (a year typed wrong) would make
    the unit's reply overdue, and its reassignment window closed, before it ever saw the proposal."""
    submitted = timezone.localdate(proposal.submitted_at) if proposal.submitted_at else None
    if submitted and day < submitted:
        raise WorkflowError(INVALID_INPUT, _("%(field)s %(day)s is before the proposal was submitted (%(submitted)s).")
                            % {"field": _("Assignment date"), "day": day.isoformat(),
                               "submitted": submitted.isoformat()})


def _not_before_assignment(day: datetime.date, assignment: Assignment, label) -> None:
    """A date of the unit's handling (a contact, its reply) is on or after the day the proposal was assigned to it."""
    if day < assignment.assigned_on:
        raise WorkflowError(INVALID_INPUT, _("%(field)s %(day)s is before the proposal was assigned to the unit "
                                             "(%(assigned)s).") % {"field": label, "day": day.isoformat(),
                                                                    "assigned": assignment.assigned_on.isoformat()})


def _lock_assignment(assignment: Assignment, by, step: str) -> tuple[Assignment, Proposal]:
    """The unit's own assignment, locked, once the workflow lets ``by`` take the assignment's ``step``."""
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    proposal = lock(assignment.proposal)
    ASSIGNMENT.authorise(by, proposal, step)
    if assignment.unit_id != by.unit_id:
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    if not assignment.is_active:
        raise WorkflowError(INVALID_STATE, _("This unit no longer handles the proposal."))
    return assignment, proposal


@transaction.atomic
def assignment_sign_for(*, assignment: Assignment, by, at=None) -> Assignment:
    """签收."""
    assignment, proposal = _lock_assignment(assignment, by, "sign_for")
    step = ASSIGNMENT.check(assignment, "sign_for")
    at = _now(at)
    assignment.status, assignment.signed_at, assignment.signed_by = step.target, at, by
    assignment.save()
    to_state = State.HANDLING if proposal.state == State.ASSIGNED else proposal.state
    _move(proposal, by, "assignment.signed", to_state, at=at, unit=assignment.unit.name)
    return assignment


def _reassignment_refusal(assignment: Assignment, today: datetime.date) -> WorkflowError | None:
    """Why a unit may not ask for reassignment now, beyond its assignment's status: the window has ended, or it has
    submitted a reply."""
    if today > assignment.reassignment_deadline:
        return WorkflowError(INVALID_STATE, _("The window for reassignment requests ended on %(day)s.")
                             % {"day": assignment.reassignment_deadline})
    if assignment.replies.filter(status__in=Reply.SUBMITTED).exists():
        return WorkflowError(INVALID_STATE, _("A unit that has replied cannot ask for reassignment."))
    return None


UNIT_STEPS = ("sign_for", "request_reassignment", "record_contact", "send_opinion", "write_reply", "cosign_reply")


def unit_steps(user, proposal: Proposal, assignment: Assignment, today: datetime.date | None = None) -> set[str]:
    """The steps of ``UNIT_STEPS`` that ``user`` may take now on their unit's ``assignment`` of ``proposal``, as the
    services would take them: what the unit's page offers and the API's links name."""
    if assignment.unit_id != getattr(user, "unit_id", None) or not assignment.is_active:
        return set()
    steps = {name for name in UNIT_STEPS if ASSIGNMENT.permits(user, proposal, assignment, name)}
    if "request_reassignment" in steps and _reassignment_refusal(assignment, today or timezone.localdate()):
        steps.discard("request_reassignment")
    if "write_reply" in steps and not reply_editable(assignment, proposal):
        steps.discard("write_reply")  # the round's reply was sent on (co-signing, review, released): ``reply_save``
    return steps


def reply_editable(assignment: Assignment, proposal: Proposal) -> bool:
    """Whether the unit's reply of the current round may still be written: none yet, or a draft or a returned one
    (the reply's lifecycle, ``save``); what ``reply_save`` asks after the assignment's lifecycle."""
    round_ = current_round(proposal)
    current = next((r for r in assignment.replies.all() if r.round == round_), None)  # prefetched where a page read them
    return current is None or REPLY.allowed(current, "save")


def reassignment_closed(user, proposal: Proposal, assignment: Assignment, today: datetime.date | None = None
                        ) -> str | None:
    """Why the unit's page no longer offers 退办 where its assignment's lifecycle still would (the window has ended,
    a reply was submitted), for the page to say so; None when it is offered or was never the unit's to ask."""
    if assignment.unit_id != getattr(user, "unit_id", None) or not assignment.is_active or not ASSIGNMENT.permits(
            user, proposal, assignment, "request_reassignment"):
        return None
    refusal = _reassignment_refusal(assignment, today or timezone.localdate())
    return refusal.message if refusal else None


@transaction.atomic
def reassignment_request(*, assignment: Assignment, by, reason: str, suggested_unit: str = "",
                         at=None) -> ReassignmentRequest:
    """退办申请: within the window, before any reply, with a reason."""
    assignment, proposal = _lock_assignment(assignment, by, "request_reassignment")
    if not reason.strip():
        raise WorkflowError(INVALID_INPUT, _("Please give the reason for the request."))
    step = ASSIGNMENT.check(assignment, "request_reassignment")
    refusal = _reassignment_refusal(assignment, _today(at))
    if refusal is not None:
        raise refusal
    request = ReassignmentRequest.objects.create(assignment=assignment, reason=reason,
                                                 suggested_unit=suggested_unit, requested_by=by,
                                                 requested_at=_now(at))
    assignment.status = step.target
    assignment.save(update_fields=["status"])
    record(proposal, by, "reassignment.requested", from_state=proposal.state, note=reason, at=at,
           unit=assignment.unit.name)
    return request


def _lock_request(request: ReassignmentRequest, by, step: str) -> tuple[ReassignmentRequest, Proposal]:
    request = ReassignmentRequest.objects.select_for_update().select_related("assignment__unit").get(pk=request.pk)
    proposal = lock(request.assignment.proposal)
    ASSIGNMENT.authorise(by, proposal, step)
    REASSIGNMENT_REQUEST.check(request, DECISIONS[step])
    ASSIGNMENT.check(request.assignment, step)
    return request, proposal


# The assignment's step and the request's, taken together.
DECISIONS = {"approve_reassignment": "approve", "refuse_reassignment": "refuse"}


@transaction.atomic
def reassignment_approve(*, request: ReassignmentRequest, by, new_unit, note: str = "",
                         at=None) -> Assignment:
    """Approve and re-route: the unit leaves the proposal and ``new_unit`` takes its role."""
    request, proposal = _lock_request(request, by, "approve_reassignment")
    if proposal.state not in IN_HANDLING:  # a request left pending when the replies went out (``workflow``)
        raise WorkflowError(INVALID_STATE, _("The replies have been released, so the proposal can no longer be "
                                             "re-routed; the request can only be refused."))
    at = _now(at)
    new = _reroute(proposal, request.assignment, new_unit, by, step="approve_reassignment",
                   action="reassignment.approved", at=at, note=note)
    request.status, request.decided_by, request.decided_at, request.decision_note = (
        REASSIGNMENT_REQUEST["approve"].target, by, at, note)
    request.save()
    return new


def _check_taking_unit(new_unit, committee_id: int) -> None:
    """A unit that takes over a part (re-routed, adjusted, handed over) is an active unit of the committee."""
    if new_unit.committee_id != committee_id or not new_unit.is_active:
        raise WorkflowError(INVALID_INPUT, _("%(unit)s is not an active unit.") % {"unit": new_unit.name})


def _reroute(proposal: Proposal, old: Assignment, new_unit, by, *, step: str, action: str, at,
             note: str) -> Assignment:
    """Move ``old``'s part of ``proposal`` to ``new_unit`` by the assignment's ``step`` (an approved reassignment
    request, the office's own adjustment): the unit leaves, and ``new_unit`` takes its role with its deadline and a
    reassignment window of its own. Writes ``action`` (the unit's and the new unit's names). Refuses, before changing
    anything, a unit that is not an active one of the committee or that handles the proposal already."""
    _check_taking_unit(new_unit, proposal.committee_id)
    if proposal.assignments.active().filter(unit=new_unit).exists():
        raise WorkflowError(INVALID_INPUT, _("%(unit)s already handles this proposal.") % {"unit": new_unit.name})
    # A reply waiting for the old assisting unit's co-signature waits for the new unit's instead (otherwise nobody could
    # ever complete it) — unless the new unit signed that reply itself before it was taken off: one unit signs a reply
    # once, and its earlier signature cannot stand for another unit's part.
    waiting = ReplyCoSignature.objects.filter(reply__proposal=proposal, reply__status=Reply.Status.COSIGNING,
                                              unit=old.unit, signed_at__isnull=True)
    if ReplyCoSignature.objects.filter(reply__in=waiting.values("reply"), unit=new_unit).exists():
        raise WorkflowError(INVALID_INPUT, _("%(unit)s has already co-signed the reply awaiting co-signatures; choose "
                                             "another unit, or change this part once the reply is co-signed.")
                            % {"unit": new_unit.name})
    old.status = ASSIGNMENT[step].target
    old.save(update_fields=["status"])
    today = _today(at)
    new = Assignment.objects.create(
        proposal=proposal, unit=new_unit, role=old.role, assigned_on=today, deadline=old.deadline,
        reassignment_deadline=add_working_days(today, proposal.committee.reassignment_window_days),
    )
    waiting.update(unit=new_unit)
    # The new unit has to sign for it: with no unit signed for any more, the proposal is assigned again. A unit that
    # asked to leave has signed for it and works on until the office decides (``signed_at``).
    to_state = State.ASSIGNED if proposal.state == State.HANDLING and not proposal.assignments.active().filter(
        signed_at__isnull=False).exists() else proposal.state
    _move(proposal, by, action, to_state, at=at, note=note, unit=old.unit.name, new_unit=new_unit.name)
    return new


# 调整承办单位 needs its reason, which the units are told (the form's and the service's refusal).
MSG_ADJUST_REASON = gettext_lazy("Please give the reason for the change.")


def adjust_revision(proposal: Proposal, assignment: Assignment) -> str:
    """What the form of 调整承办单位 showed of a unit's part: the proposal's state and the assignment's status. The form
    sends it back (``assignment_adjust``'s ``seen``): a part signed for, asked off or moved since is not moved from a
    page that did not show it."""
    return f"{proposal.state}:{assignment.status}"


def with_reply_rounds(assignments):
    """``assignments`` (a query) with each one's latest round of replies (``reply_round``) and latest round of a
    submitted reply (``submitted_round``), for ``_replied_now`` to answer with no query more (the proposal page)."""
    rounds = Reply.objects.filter(assignment=OuterRef("pk")).order_by("-round").values("round")
    return assignments.annotate(reply_round=Subquery(rounds[:1]),
                                submitted_round=Subquery(rounds.filter(status__in=Reply.SUBMITTED)[:1]))


def _replied_now(proposal: Proposal, assignments=None) -> set[int]:
    """The assignments whose unit has submitted its reply of the current round (``current_round``). ``assignments``:
    all of the proposal's, read ``with_reply_rounds``, where the caller has them so."""
    if assignments is not None and all(hasattr(a, "submitted_round") for a in assignments):
        round_ = 2 if proposal.state == State.REHANDLING or any(a.reply_round == 2 for a in assignments) else 1
        return {a.pk for a in assignments if a.submitted_round == round_}
    return set(Reply.objects.filter(proposal=proposal, round=current_round(proposal), status__in=Reply.SUBMITTED)
               .values_list("assignment_id", flat=True))


def adjustment_refusal(proposal: Proposal, assignment: Assignment, replied: set[int] | None = None
                       ) -> WorkflowError | None:
    """Why the office may not move ``assignment``'s part to another unit now, beyond who may and in which state of the
    proposal (the workflow's ``adjust_assignment``): the unit no longer handles it, it asked for reassignment (its
    request is decided instead: the assignment's lifecycle), or it has submitted its reply of the current round (the
    reply is its own). ``replied``: ``_replied_now``, where the caller asks of several assignments."""
    if not assignment.is_active:
        return WorkflowError(INVALID_STATE, _("This unit no longer handles the proposal."))
    try:
        ASSIGNMENT.check(assignment, "adjust")
    except WorkflowError as refusal:
        return refusal
    if assignment.pk in (_replied_now(proposal) if replied is None else replied):
        return WorkflowError(INVALID_STATE, _("%(unit)s has submitted its reply, so its part can no longer be given "
                                              "to another unit.") % {"unit": assignment.unit.name})
    return None


def adjustable_parts(proposal: Proposal) -> list[tuple[Assignment, str | None]]:
    """The units at work on ``proposal``, each with why its part cannot be moved now (None: it can), as
    ``assignment_adjust`` would refuse it: what the adjustment page lists and the API's links name."""
    every = list(proposal.assignments.all())
    assignments = [a for a in every if a.is_active]
    replied = _replied_now(proposal, every) if assignments else set()
    return [(a, refusal.message if (refusal := adjustment_refusal(proposal, a, replied)) else None)
            for a in assignments]


@transaction.atomic
def assignment_adjust(*, assignment: Assignment, by, new_unit, reason: str, at=None,
                      seen: str | None = None) -> Assignment:
    """调整承办单位: the office moves a unit's part of the proposal to ``new_unit`` on its own, with the reason the units
    are told: units merged or abolished at the new year (机构改革), a wrong choice noticed after the assignment. The
    proposal is re-routed as an approved reassignment re-routes it (``_reroute``). ``seen``: what the office's form
    showed (``adjust_revision``); a change since is a conflict."""
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    proposal = lock(assignment.proposal)
    ASSIGNMENT.authorise(by, proposal, "adjust")
    if seen is not None and seen != adjust_revision(proposal, assignment):
        raise WorkflowError(CONFLICT, MSG_CONFLICT)
    if not reason.strip():
        raise WorkflowError(INVALID_INPUT, MSG_ADJUST_REASON)
    refusal = adjustment_refusal(proposal, assignment)
    if refusal is not None:
        raise refusal
    return _reroute(proposal, assignment, new_unit, by, step="adjust", action="assignment.adjusted", at=_now(at),
                    note=reason)


# 机构改革: a unit merged or abolished hands all its open work over at once (``unit_hand_over``).
MSG_HAND_OVER_SAME_UNIT = gettext_lazy("Choose a unit other than the one handing over its work.")


def open_parts(unit):
    """The unit's open work: its active assignments of proposals not yet finished (what the warning on disabling it
    counts), in the office's order (newest year, then by number)."""
    return (Assignment.objects.active().filter(unit=unit).exclude(proposal__state__in=FINISHED)
            .select_related("unit", "proposal").order_by("-proposal__year", "proposal__number", "proposal__pk"))


def may_hand_over(user) -> bool:
    """Whether ``user`` may hand a unit's open work over (机构改革): who may change a handling unit (the workflow's
    ``adjust_assignment``), as each part moved asks. The page, the API and the services ask here."""
    return workflow.TRANSITIONS["adjust_assignment"].held_by(user)


def hand_over_parts(unit, by) -> list[tuple[Assignment, str | None]]:
    """The unit's open work, each part with why it cannot be moved to another unit now (None: it can), as
    ``assignment_adjust`` would refuse it: the workflow's ``adjust_assignment`` (a proposal whose replies are out), then
    ``adjustable_parts`` (a unit that asked to leave or has submitted its reply). What the hand-over page lists; for
    the office alone (who may change a handling unit, as ``unit_hand_over`` asks)."""
    if not may_hand_over(by):
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    parts = []
    for assignment in open_parts(unit).prefetch_related("proposal__assignments__unit"):
        proposal = assignment.proposal
        try:
            workflow.check(by, proposal, "adjust_assignment")
        except WorkflowError as refusal:
            parts.append((assignment, str(refusal.message)))
            continue
        why = next(why for part, why in adjustable_parts(proposal) if part.pk == assignment.pk)
        parts.append((assignment, None if why is None else str(why)))
    return parts


@dataclass(frozen=True)
class HandOverRefusal:
    assignment: Assignment
    proposal: Proposal
    message: str


@dataclass
class HandOver:
    """What became of a unit's open work: the new unit's assignments, and the parts left with the unit and why."""

    moved: list[Assignment] = field(default_factory=list)
    refused: list[HandOverRefusal] = field(default_factory=list)


def unit_hand_over(*, unit, new_unit, by, reason: str, at=None) -> HandOver:
    """机构改革: every open part of ``unit``'s work goes to ``new_unit`` (its role, its deadline), each through
    ``assignment_adjust`` in its own transaction, so that a part it refuses (the proposal's replies are out, the unit
    asked to leave or has submitted its reply, ``new_unit`` handles the proposal already) stays with the unit and never
    undoes the others (decisions.md, "Bulk work runs each proposal through its own service"). Refuses before anything
    moves what would refuse every part: the wrong person, no reason, a new unit that is not another active unit of
    the committee."""
    if not may_hand_over(by):
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    if not reason.strip():
        raise WorkflowError(INVALID_INPUT, MSG_ADJUST_REASON)
    if new_unit.pk == unit.pk:
        raise WorkflowError(INVALID_INPUT, MSG_HAND_OVER_SAME_UNIT)
    _check_taking_unit(new_unit, unit.committee_id)
    at = _now(at)
    result = HandOver()
    for assignment in open_parts(unit):
        try:
            result.moved.append(assignment_adjust(assignment=assignment, by=by, new_unit=new_unit, reason=reason,
                                                  at=at))
        except WorkflowError as refusal:
            result.refused.append(HandOverRefusal(assignment, assignment.proposal, str(refusal.message)))
    return result


@transaction.atomic
def reassignment_refuse(*, request: ReassignmentRequest, by, note: str, at=None) -> ReassignmentRequest:
    request, proposal = _lock_request(request, by, "refuse_reassignment")
    if not note.strip():
        raise WorkflowError(INVALID_INPUT, _("Please give the reason for refusing."))
    at = _now(at)
    request.status, request.decided_by, request.decided_at, request.decision_note = (
        REASSIGNMENT_REQUEST["refuse"].target, by, at, note)
    request.save()
    assignment = request.assignment
    assignment.status = status_after_refusal(assignment)
    assignment.save(update_fields=["status"])
    record(proposal, by, "reassignment.refused", from_state=proposal.state, note=note, at=at,
           unit=assignment.unit.name)
    return request


@transaction.atomic
def contact_record(*, assignment: Assignment, by, method: str, contacted_on: datetime.date, summary: str,
                   at=None) -> ContactRecord:
    """办前沟通: how and when the unit talked with the proposer, and what was said."""
    assignment, proposal = _lock_assignment(assignment, by, "record_contact")
    ASSIGNMENT.check(assignment, "record_contact")
    if method not in ContactRecord.Method.values or not summary.strip():
        raise WorkflowError(INVALID_INPUT, _("Please choose the method and write a summary."))
    if contacted_on > _today(at):
        raise WorkflowError(INVALID_INPUT, _("The contact date cannot be in the future."))
    plausible_day(contacted_on, _today(at), _("Contact date"))
    _not_before_assignment(contacted_on, assignment, _("Contact date"))
    contact = ContactRecord.objects.create(assignment=assignment, method=method, contacted_on=contacted_on,
                                           summary=summary, recorded_by=by, recorded_at=_now(at))
    record(proposal, by, "contact.recorded", from_state=proposal.state, note=summary, at=at,
           unit=assignment.unit.name, method=method, date=contacted_on.isoformat())
    return contact


@transaction.atomic
def opinion_send(*, assignment: Assignment, by, body: str, at=None) -> AssistingOpinion:
    """会办意见: an assisting unit's opinion, sent to the lead unit."""
    assignment, proposal = _lock_assignment(assignment, by, "send_opinion")
    ASSIGNMENT.check(assignment, "send_opinion")
    if not body.strip():
        raise WorkflowError(INVALID_INPUT, _("Please write the opinion."))
    # The same opinion sent again a moment later is the same click twice (a double click, a form sent again): it was
    # sent once, and is not sent again. A unit may send a second opinion, in other words.
    last = assignment.opinions.order_by("-sent_at", "-pk").first()
    if last is not None and last.body == body and datetime.timedelta(0) <= _now(at) - last.sent_at < REPEAT_WINDOW:
        return last
    opinion = AssistingOpinion.objects.create(assignment=assignment, body=body, sent_by=by, sent_at=_now(at))
    record(proposal, by, "opinion.sent", from_state=proposal.state, at=at, unit=assignment.unit.name)
    return opinion


# How long after a message the same one from the same sender counts as that message sent again (a double click, a
# form sent twice), not a new one: an opinion, a reminder.
REPEAT_WINDOW = datetime.timedelta(minutes=10)


def current_round(proposal: Proposal) -> int:
    return 2 if proposal.state == State.REHANDLING or proposal.replies.filter(round=2).exists() else 1


REPLY_FIELDS = {"body", "outcome", "document_number", "signer", "contact_name", "contact_phone", "reply_date"}


def draft_revision(reply: Reply | None) -> str:
    """Which saved state of a reply draft a page showed: its form sends it back (``reply_save``'s ``seen``)."""
    return reply.updated_at.isoformat() if reply is not None else ""


@transaction.atomic
def reply_save(*, assignment: Assignment, by, at=None, seen: str | None = None, **fields) -> Reply:
    """Save the reply draft of a lead or separate unit for the current round (创建或修改答复草稿). ``seen``: the
    draft's revision the page showed (``draft_revision``); a draft saved since by a colleague is not overwritten (a
    conflict: the page shows the draft as it is now, and what was typed to copy)."""
    unknown = set(fields) - REPLY_FIELDS
    if unknown:
        raise TypeError(f"unknown reply fields: {sorted(unknown)}")
    assignment, proposal = _lock_assignment(assignment, by, "write_reply")
    if fields.get("reply_date"):
        plausible_day(fields["reply_date"], _today(at), _("Reply date"))
        _not_before_assignment(fields["reply_date"], assignment, _("Reply date"))
    ASSIGNMENT.check(assignment, "write_reply")
    round_ = current_round(proposal)
    reply = Reply.objects.filter(assignment=assignment, round=round_).first()
    if seen is not None and seen != draft_revision(reply):
        raise WorkflowError(CONFLICT, MSG_CONFLICT)
    if reply is None:
        unit = assignment.unit
        defaults = {"signer": unit.leader, "reply_date": _today(at), "contact_name": "", "contact_phone": "",
                    "body": ""}
        defaults.update(fields)
        reply = Reply.objects.create(proposal=proposal, assignment=assignment, unit=unit, round=round_,
                                     created_by=by, **defaults)
        record(proposal, by, "reply.drafted", from_state=proposal.state, at=at, unit=unit.name, round=round_)
        return reply
    REPLY.check(reply, "save")
    for name, value in fields.items():
        setattr(reply, name, value)
    reply.save()
    touch(proposal.pk)  # the unit's and the office's page shows the draft: no event, but a new revision
    return reply


def _validate_reply(reply: Reply) -> None:
    missing = [label for label, value in [(_("reply body"), reply.body.strip()),
                                          (_("contact person"), reply.contact_name.strip()),
                                          (_("contact phone"), reply.contact_phone.strip())] if not value]
    if missing:
        raise WorkflowError(INVALID_INPUT, _("Please fill in: %(fields)s.") % {"fields": "、".join(missing)})
    if refusal := phone_refusal(reply.contact_phone):
        raise WorkflowError(INVALID_INPUT, refusal)
    codes = set(OutcomeClass.objects.filter(committee_id=reply.proposal.committee_id).values_list("code", flat=True))
    if reply.outcome not in codes:
        raise WorkflowError(INVALID_INPUT, _("Please choose the outcome class."))


@transaction.atomic
def reply_submit(*, reply: Reply, by, at=None) -> Reply:
    """Send the reply on: to the assisting units for co-signature, then to supervision review."""
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    # Only the reply's step is checked: the assignment was signed for when the draft was saved
    # (``write_reply``), and a reassignment request made since does not stop the submission.
    assignment, proposal = _lock_assignment(reply.assignment, by, "write_reply")
    step = REPLY.check(reply, "submit")
    _validate_reply(reply)
    at = _now(at)
    reply.submitted_at = at
    reply.cosignatures.all().delete()  # a returned reply is co-signed again
    assisting = []
    if assignment.role == UnitRole.LEAD:
        assisting = list(proposal.assignments.active().filter(role=UnitRole.ASSISTING).select_related("unit"))
    ReplyCoSignature.objects.bulk_create([ReplyCoSignature(reply=reply, unit=a.unit) for a in assisting])
    record(proposal, by, "reply.submitted", from_state=proposal.state, at=at, unit=reply.unit.name,
           round=reply.round, outcome=reply.outcome)
    reply.status = step.target
    if assisting:
        reply.save()
    else:  # nobody has to co-sign: through co-signing at once
        _after_cosigning(reply, proposal, by, at)
    return reply


def _after_cosigning(reply: Reply, proposal: Proposal, by, at) -> None:
    reply.cosigned_on = _today(at)
    if proposal.supervising_offices.exists():
        reply.status = REPLY.check(reply, "send_to_supervision").target
        reply.save()
    else:
        release(reply, proposal, by, at)


def assisting_assignment(proposal: Proposal, unit_id: int | None) -> Assignment | None:
    """The unit's active assisting assignment of ``proposal``: what co-signing the lead unit's reply asks of."""
    return proposal.assignments.active().filter(unit_id=unit_id, role=UnitRole.ASSISTING).first() if unit_id else None


@transaction.atomic
def reply_cosign(*, reply: Reply, by, at=None) -> ReplyCoSignature:
    """会签: an assisting unit signs the lead unit's reply."""
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    proposal = lock(reply.proposal)
    REPLY.authorise(by, proposal, "cosign")
    REPLY.check(reply, "cosign")
    signature = reply.cosignatures.filter(unit_id=by.unit_id).first()
    if signature is None:
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    if signature.signed_at:
        raise WorkflowError(INVALID_STATE, _("Your unit has already co-signed this reply."))
    own = assisting_assignment(proposal, by.unit_id)
    if own is None:
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    ASSIGNMENT.check(own, "cosign_reply")  # signed for first, as for an opinion
    at = _now(at)
    signature.signed_at, signature.signed_by = at, by
    signature.save()
    record(proposal, by, "reply.cosigned", from_state=proposal.state, at=at, unit=signature.unit.name,
           reply_unit=reply.unit.name)
    if not reply.cosignatures.filter(signed_at__isnull=True).exists():
        _after_cosigning(reply, proposal, by, at)
    return signature


def release(reply: Reply, proposal: Proposal, by, at, *, step: str = "release") -> None:
    """The reply reaches the proposers, by ``step`` of its lifecycle: ``release`` once co-signed when no
    office supervises the proposal, ``approve`` by a supervising office. When every replying unit's reply of
    the round is out, the proposal is replied and evaluation opens."""
    reply.status, reply.released_at = REPLY.check(reply, step).target, _now(at)
    reply.save()
    replying = proposal.assignments.active().filter(role__in=REPLYING_ROLES)
    released = set(proposal.replies.filter(round=reply.round, status=Reply.Status.RELEASED)
                   .values_list("assignment_id", flat=True))
    last = all(a.pk in released for a in replying)
    # ``last``: the round is complete, and the proposal is replied in the same change (whom the release tells).
    record(proposal, by, "reply.released", from_state=proposal.state, at=at, unit=reply.unit.name,
           unit_id=reply.unit_id, round=reply.round, last=last, step=step)
    if last:
        _move(proposal, by, "proposal.replied", workflow.follow(proposal, "replied").target, at=at, round=reply.round)


@transaction.atomic
def proposal_rehandle(*, proposal: Proposal, by, deadline: datetime.date | None = None, note: str = "",
                      at=None) -> Proposal:
    """重新办理: the units reply again by a new deadline; the first reply is kept."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "rehandle")
    return _start_rehandling(proposal, by, deadline=deadline, note=note, at=at)


def _start_rehandling(proposal, by, *, deadline=None, note="", at=None):
    if proposal.replies.filter(round=2).exists():
        raise WorkflowError(INVALID_STATE, _("This proposal has already been rehandled once."))
    today = _today(at)
    committee = proposal.committee
    proposal.rehandling_deadline = deadline or committee.deadline_after(
        today, months=committee.rehandling_months, working_days=committee.rehandling_working_days)
    if proposal.rehandling_deadline <= today:
        raise WorkflowError(INVALID_INPUT, _("The new deadline must be in the future."))
    cap = months_later(today, committee.extension_cap_months)
    if proposal.rehandling_deadline > cap:
        raise WorkflowError(INVALID_INPUT, _("The new deadline cannot be later than %(cap)s.") % {"cap": cap})
    _move(proposal, by, "proposal.rehandling", State.REHANDLING, at=at, note=note,
          deadline=proposal.rehandling_deadline.isoformat())
    return proposal


def evaluation_round(proposal: Proposal) -> int:
    """The round a proposer evaluates now: that of the latest released reply (2 after rehandling), else 1."""
    return max(proposal.replies.filter(status=Reply.Status.RELEASED).values_list("round", flat=True), default=1)


def _rates_for(user, proposal: Proposal) -> dict:
    """Whom ``user``'s own rating of ``proposal`` is recorded for (``workflow.credit``): the collective proposer they
    act for (the proposal's own, or one whose proposal was merged into it), else their member (a member co-signing a
    collective proposal rates for themself)."""
    credited = workflow.credit(user, proposal)
    if credited is not None and credited.collective_id:
        return {"collective_id": credited.collective_id}
    return {"member_id": user.acting_member_id}


def own_evaluation(user, proposal: Proposal, round_: int | None = None) -> Evaluation | None:
    """The rating ``user`` gave ``round_`` of ``proposal`` (the current round, ``evaluation_round``, if not given), as
    ``evaluation_submit`` records it (``_rates_for``), if any."""
    evaluator = _rates_for(user, proposal)
    if not any(evaluator.values()):
        return None
    return Evaluation.objects.filter(proposal=proposal, round=round_ or evaluation_round(proposal),
                                     **evaluator).first()


def _raters(proposal: Proposal, round_: int) -> tuple[set[int], set[int]]:
    """Who has rated ``round_`` of ``proposal``: the members' ids and the collective proposers' ids, in one query. A
    second rating of either is refused (``evaluation_submit``), so it is not offered either (``evaluated_now``,
    ``rated_now``)."""
    members, collectives = set(), set()
    for member_id, collective_id in Evaluation.objects.filter(proposal=proposal, round=round_).values_list(
            "member_id", "collective_id"):
        if member_id is not None:
            members.add(member_id)
        if collective_id is not None:
            collectives.add(collective_id)
    return members, collectives


def _rated(proposal: Proposal, round_: int, *, member_id=None, collective_id=None) -> bool:
    """Whether the member or the collective proposer has rated ``round_`` of ``proposal`` (``_raters``)."""
    members, collectives = _raters(proposal, round_)
    return bool((member_id and member_id in members) or (collective_id and collective_id in collectives))


def rated_now(proposal: Proposal, round_: int | None = None) -> tuple[set[int], set[int]]:
    """Who has rated ``proposal``'s current round (``evaluation_round``, or ``round_`` where the caller read it): the
    members' ids and the collective proposers' ids (its own, those merged in). A second rating of any is refused
    (``evaluation_submit``), so a paper evaluation offers the others alone."""
    return _raters(proposal, round_ or evaluation_round(proposal))


def anyone_left_to_rate(proposal: Proposal, round_: int | None = None, proposers=None) -> bool:
    """Whether a paper evaluation of ``proposal``'s current round may still be recorded for someone: a proposer
    member, the collective proposer or an organisation merged in that has not rated it (``rated_now``), as
    ``PaperEvaluationForm.for_proposal`` offers them. ``proposers``: ``proposer_members``, where the caller read them."""
    members, collectives = rated_now(proposal, round_)
    proposers = proposer_members(proposal) if proposers is None else proposers
    return (any(m.pk not in members for m in proposers)
            or (proposal.kind == Kind.COLLECTIVE and proposal.collective_id not in collectives)
            or any(pk not in collectives for pk in merged_in_collective_ids(proposal)))


def evaluated_now(user, proposal: Proposal) -> bool:
    """Whether ``user`` has rated ``proposal``'s current round, as ``evaluation_submit`` would record them."""
    return _rated(proposal, evaluation_round(proposal), **_rates_for(user, proposal))


def awaiting_evaluation(proposals, *, member_id: int | None = None, collective_id: int | None = None) -> list:
    """Those of ``proposals`` (credited to the evaluator), replied, that ``member_id`` or ``collective_id`` has not
    evaluated in the round ``evaluation_submit`` would record now (``evaluation_round``: after rehandling, the second
    reply is evaluated again). One query when none is replied, three otherwise; oldest reply first."""
    replied = list(proposals.filter(state=State.REPLIED).order_by("updated_at"))
    if not replied:
        return []
    rounds = dict(Reply.objects.filter(proposal__in=replied, status=Reply.Status.RELEASED).values("proposal_id")
                  .annotate(latest=Max("round")).values_list("proposal_id", "latest").order_by())
    evaluator = {"member_id": member_id} if member_id is not None else {"collective_id": collective_id}
    done = set(Evaluation.objects.filter(proposal__in=replied, **evaluator).values_list("proposal_id", "round"))
    return [p for p in replied if (p.pk, rounds.get(p.pk, 1)) not in done]


def awaiting_evaluation_by(user) -> list:
    """The replied proposals ``user`` has to evaluate now, as member home and the API inbox list them: a collective
    proposer's own (for a user who acts for the collective) and those a member is credited on
    (``selectors.credited_ids``: led, co-signed, and what these were merged into, along the chain), each once."""
    found = []
    collective_id = user.acting_collective_id
    collectives = Proposal.objects.none()
    if collective_id:  # its own, and those its proposals were merged into (并案)
        collectives = Proposal.objects.filter(Q(collective_id=collective_id)
                                              | Q(pk__in=collective_merged_into_ids(collective_id)))
        if user.acting_member_id:  # one the user leads as a member is rated as its lead (``workflow.credit``)
            collectives = collectives.exclude(kind=Kind.MEMBER, lead_member_id=user.acting_member_id)
        found += awaiting_evaluation(collectives, collective_id=collective_id)
    if user.acting_member_id:
        credited = Proposal.objects.filter(pk__in=credited_ids(user.acting_member_id))
        if collective_id:  # those are rated for the collective (``_rates_for``)
            credited = credited.exclude(pk__in=collectives.values("pk"))
        found += awaiting_evaluation(credited, member_id=user.acting_member_id)
    return found


@transaction.atomic
def evaluation_submit(*, proposal: Proposal, by, result: str, attitude: str = "", contacted: bool | None = None,
                      feedback: str = "", member=None, collective=None, at=None,
                      seen_round: int | None = None) -> Evaluation:
    """满意度评价 by a proposer or co-signer; staff pass ``member`` (or ``collective``, a collective proposer whose
    proposal was merged into this one) to record a paper evaluation.

    If the lead proposer is dissatisfied with the first reply, the proposal goes to rehandling. ``seen_round``: the
    round of replies the form was opened on (``evaluation_round``); once the proposal has been handled again and
    answered anew, a rating of the first reply is not taken as one of the second (a conflict)."""
    proposal = lock(proposal)
    # On paper: staff name the member or the merged-in organisation, or (collective proposals) record the
    # organisation's own rating. A member co-signing a collective proposal still evaluates for themself.
    on_paper = member is not None or collective is not None or (proposal.kind == Kind.COLLECTIVE
                                                                 and not workflow.is_evaluator(by, proposal))
    if on_paper:
        workflow.check(by, proposal, "record_paper_evaluation")
        if collective is not None:
            if member is not None or collective.pk not in merged_in_collective_ids(proposal):
                raise WorkflowError(INVALID_INPUT, _("%(name)s is not a proposer of this proposal.")
                                    % {"name": collective.name})
        elif proposal.kind == Kind.COLLECTIVE and member is None:
            collective = proposal.collective
        elif all(m.pk != member.pk for m in proposer_members(proposal)):
            raise WorkflowError(INVALID_INPUT, _("%(name)s is not a proposer of this proposal.")
                                % {"name": member.name})
    else:
        workflow.check(by, proposal, "evaluate")
        rates_for = _rates_for(by, proposal)
        if "collective_id" in rates_for:
            collective = CollectiveProposer.objects.get(pk=rates_for["collective_id"])
        else:
            member = by.member
    if result not in Rating.values or (attitude and attitude not in Rating.values):
        raise WorkflowError(INVALID_INPUT, _("Please choose a rating."))
    round_ = evaluation_round(proposal)
    if seen_round is not None and seen_round != round_:
        raise WorkflowError(CONFLICT, _("The proposal was handled again and has a new reply since this page was "
                                        "opened. Please read the new reply before evaluating it."))
    if _rated(proposal, round_, member_id=member.pk if member else None,
              collective_id=collective.pk if collective else None):
        raise WorkflowError(INVALID_STATE, _("This reply has already been evaluated by %(name)s.")
                            % {"name": member.name if member else collective.name})
    # The lead proposer: the member who leads it, or the organisation whose collective proposal it is (not one whose
    # proposal was merged into it, which rates as a co-signer does).
    is_lead = (member.pk == proposal.lead_member_id if member is not None
               else proposal.kind == Kind.COLLECTIVE and collective.pk == proposal.collective_id)
    evaluation = Evaluation.objects.create(
        proposal=proposal, round=round_, member=member, collective=collective, result=result, attitude=attitude,
        contacted=contacted, feedback=feedback, is_lead=is_lead, entered_by=by, on_paper=on_paper, at=_now(at),
    )
    record(proposal, by, "evaluation.recorded", from_state=proposal.state, at=at, note=feedback,
           evaluator=evaluation.evaluator_name, result=result, round=round_, on_paper=on_paper)
    if is_lead and result == Rating.DISSATISFIED and round_ == 1:
        _start_rehandling(proposal, by, note=_("The lead proposer is dissatisfied with the reply."), at=at)
    return evaluation
