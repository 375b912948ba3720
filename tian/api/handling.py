"""Handling, supervision and deadlines: the units' actions on their assignments, co-signing and supervision review
of replies, the office's decisions on reassignment and extension requests, its change of a handling unit and the
hand-over of a unit's open work (机构改革), reminders, supervision activities and follow-up reports. Each answers
the object it changed."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from tian.api import outputs
from tian.api.common import ERRORS, OPTIONAL, assignment_for, form_data, reply_for, valid
from tian.api.errors import FieldErrors
from tian.api.requests import (
    ActivityRequest,
    ApproveRequest,
    AssignmentAdjustRequest,
    ContactRequest,
    CosignReplyRequest,
    ExtensionDecisionRequest,
    ExtensionRequestIn,
    FollowUpRequest,
    OpinionRequest,
    ReassignmentDecisionRequest,
    ReassignmentRequestIn,
    RemindRequest,
    ReplyRequest,
    ReplyReturnRequest,
    ReplySubmitRequest,
    SignRequest,
    UnitHandOverRequest,
)
from tian.api.schemas import (
    ActivityOut,
    AssignmentOut,
    ContactOut,
    ExtensionOut,
    FollowUpOut,
    HandOverOut,
    HandOverPreviewOut,
    OpinionOut,
    ReassignmentOut,
    ReminderOut,
    ReplyOut,
)
from tian.deadlines import services as deadlines
from tian.deadlines.models import ExtensionRequest, FollowUp
from tian.handling import services as handling
from tian.handling.models import Assignment, ReassignmentRequest, Reply
from tian.handling.unit_forms import ContactForm, ExtensionForm, OpinionForm, ReassignmentForm, ReplyForm
from tian.organisations.models import Unit
from tian.organisations.selectors import current_committee
from tian.proposals import workflow
from tian.proposals.forms import ExtensionDecisionForm, ReassignmentDecisionForm, RemindForm
from tian.proposals.models import Proposal
from tian.proposals.selectors import get_proposal_for, get_proposal_row_for
from tian.supervision import services as supervision

router = Router(tags=["handling"])
supervision_router = Router(tags=["supervision"])
B = outputs.BASE


def _assignment(request, assignment_id: int) -> dict:
    """The assignment, with its assisting opinions: what the units' work page shows of it."""
    a = Assignment.objects.select_related("unit", "proposal").get(pk=assignment_id)
    proposal = get_proposal_for(request.user, a.proposal_id)
    return {**outputs.assignment_out(request.user, a, proposal),
            "opinions": outputs.assignment_opinions(request.user, a, proposal)}


def _reply(request, reply_id: int) -> dict:
    return outputs.reply_out(request.user, reply_for(request, reply_id))


def _state(proposal_id: int) -> str:
    return Proposal.objects.values_list("state", flat=True).get(pk=proposal_id)


@router.get("/assignments/{assignment_id}", response={200: AssignmentOut, **ERRORS}, operation_id="assignment_get")
def assignment(request, assignment_id: int):
    """One unit's part in handling a proposal, with the addresses of what the caller's unit may do on it."""
    return _assignment(request, assignment_for(request, assignment_id).pk)


@router.post("/assignments/{assignment_id}/sign", response={200: AssignmentOut, **ERRORS},
             operation_id="assignment_sign_for")
def assignment_sign(request, assignment_id: int, payload: SignRequest = OPTIONAL):
    """签收, by the assigned unit."""
    a = handling.assignment_sign_for(assignment=assignment_for(request, assignment_id), by=request.user)
    return _assignment(request, a.pk)


def _decision_link(user, item, action: str, url: str) -> dict:
    """The address of the office's decision on a unit's request, for a caller who may decide it (``action``, the
    workflow's) while it waits for one: a decided request is refused (409), a unit's own is not its to decide."""
    if item.status != item.Status.PENDING:
        return {}
    proposal = Proposal.objects.get(pk=item.assignment.proposal_id)
    return {"decision": url} if workflow.allowed(user, proposal, action) else {}


def _reassignment(user, item: ReassignmentRequest, new_assignment_id=None) -> dict:
    item = ReassignmentRequest.objects.select_related("assignment").get(pk=item.pk)
    return {"id": item.pk, "assignment_id": item.assignment_id, "proposal_id": item.assignment.proposal_id,
            "reason": item.reason, "suggested_unit": item.suggested_unit, "status": item.status,
            "decision_note": item.decision_note, "new_assignment_id": new_assignment_id,
            "proposal_state": _state(item.assignment.proposal_id),
            "links": {"proposal": outputs.proposal_url(item.assignment.proposal_id),
                      "assignment": f"{B}/assignments/{item.assignment_id}",
                      **_decision_link(user, item, "decide_reassignment", f"{B}/reassignments/{item.pk}/decision")}}


@router.post("/assignments/{assignment_id}/reassignment", response={201: ReassignmentOut, **ERRORS},
             operation_id="assignment_request_reassignment")
def assignment_reassignment(request, assignment_id: int, payload: ReassignmentRequestIn):
    """退办申请: the unit asks to be taken off the proposal, within the window."""
    a = assignment_for(request, assignment_id)
    d = valid(ReassignmentForm(form_data(payload)))
    item = handling.reassignment_request(assignment=a, by=request.user, **d)
    return Status(201, _reassignment(request.user, item))


@router.post("/assignments/{assignment_id}/adjust", response={201: AssignmentOut, **ERRORS},
             operation_id="assignment_adjust")
def assignment_adjust(request, assignment_id: int, payload: AssignmentAdjustRequest):
    """调整承办单位: the office gives the unit's part to another unit (``unit_id``) on its own, with the reason the units
    are told; answers the new unit's assignment, which it signs for again."""
    a = assignment_for(request, assignment_id)
    # A unit of the committee; whether it may take the part (active, not handling the proposal yet) the service says.
    unit = Unit.objects.filter(pk=payload.unit_id, committee_id=a.proposal.committee_id).first()
    if unit is None:
        raise FieldErrors({"unit_id": [_("Choose the unit that takes over.")]})
    new = handling.assignment_adjust(assignment=a, by=request.user, new_unit=unit, reason=payload.reason)
    return Status(201, _assignment(request, new.pk))


@router.post("/assignments/{assignment_id}/contact", response={201: ContactOut, **ERRORS},
             operation_id="assignment_record_contact")
def assignment_contact(request, assignment_id: int, payload: ContactRequest):
    """办前沟通: how and when the unit contacted the proposer."""
    a = assignment_for(request, assignment_id)
    d = valid(ContactForm(form_data(payload)))
    c = handling.contact_record(assignment=a, by=request.user, **d)
    return Status(201, outputs.contact_out(c, c.summary))  # the unit's own record, as it wrote it


@router.post("/assignments/{assignment_id}/opinion", response={201: OpinionOut, **ERRORS},
             operation_id="assignment_send_opinion")
def assignment_opinion(request, assignment_id: int, payload: OpinionRequest):
    """会办意见 of an assisting unit, to the lead unit."""
    a = assignment_for(request, assignment_id)
    d = valid(OpinionForm(form_data(payload)))
    o = handling.opinion_send(assignment=a, by=request.user, **d)
    return Status(201, outputs.opinion_out(o, o.body))  # the unit's own opinion, as it wrote it


@router.post("/assignments/{assignment_id}/reply", response={200: ReplyOut, **ERRORS},
             operation_id="assignment_save_reply")
def assignment_reply(request, assignment_id: int, payload: ReplyRequest):
    """Save the reply draft of a lead or separate unit (the letter is generated around the body); with
    ``submit: true`` also send it on (POST /replies/{id}/submit does that alone)."""
    a = assignment_for(request, assignment_id)
    # Checked as the page checks it (what submitting needs, when it submits), and saved and submitted as one change:
    # a submission refused leaves no draft saved behind.
    d = valid(ReplyForm(form_data(payload, outcome=payload.outcome), committee=a.proposal.committee,
                        submitting=payload.submit))
    fields = {f: d[f] or "" for f in handling.REPLY_FIELDS if f != "reply_date"}
    fields["reply_date"] = d["reply_date"]
    with transaction.atomic():
        reply = handling.reply_save(assignment=a, by=request.user, **fields)
        if payload.submit:
            reply = handling.reply_submit(reply=reply, by=request.user)
    return _reply(request, reply.pk)


@router.post("/assignments/{assignment_id}/extension", response={201: ExtensionOut, **ERRORS},
             operation_id="assignment_request_extension", tags=["deadlines"])
def assignment_extension(request, assignment_id: int, payload: ExtensionRequestIn):
    """延期申请 of a replying unit."""
    a = assignment_for(request, assignment_id)
    d = valid(ExtensionForm(form_data(payload)))
    return Status(201, _extension(request.user, deadlines.extension_request(assignment=a, by=request.user, **d)))


@router.post("/assignments/{assignment_id}/remind", response={201: ReminderOut, **ERRORS},
             operation_id="assignment_remind", tags=["deadlines"])
def assignment_remind(request, assignment_id: int, payload: RemindRequest = OPTIONAL):
    """催办: the proposal office or a supervising office reminds the unit; the lead unit reminds an assisting unit of
    what its reply waits for (the opinion, or the co-signature), as on its work page."""
    a = assignment_for(request, assignment_id)
    d = valid(RemindForm(form_data(payload or RemindRequest())))
    r = deadlines.remind(assignment=a, by=request.user, note=d["note"])
    return Status(201, {"id": r.pk, "assignment_id": a.pk, "proposal_id": a.proposal_id, "deadline": r.deadline,
                        "note": r.note, "sent_at": r.sent_at,
                        "links": {"proposal": outputs.proposal_url(a.proposal_id),
                                  "assignment": f"{B}/assignments/{a.pk}"}})


# Replies ---------------------------------------------------------------------------------------------------------

@router.get("/replies/{reply_id}", response={200: ReplyOut, **ERRORS}, operation_id="reply_get")
def reply(request, reply_id: int):
    """A reply letter, if the caller may read it (the disclosure policy)."""
    return _reply(request, reply_id)


@router.post("/replies/{reply_id}/submit", response={200: ReplyOut, **ERRORS}, operation_id="reply_submit")
def reply_submit(request, reply_id: int, payload: ReplySubmitRequest = OPTIONAL):
    """Send the saved draft on: to the assisting units' co-signature, then supervision review, then release."""
    handling.reply_submit(reply=reply_for(request, reply_id), by=request.user)
    return _reply(request, reply_id)


@router.post("/replies/{reply_id}/cosign", response={200: ReplyOut, **ERRORS}, operation_id="reply_cosign")
def reply_cosign(request, reply_id: int, payload: CosignReplyRequest = OPTIONAL):
    """会签 by an assisting unit."""
    handling.reply_cosign(reply=reply_for(request, reply_id), by=request.user)
    return _reply(request, reply_id)


@supervision_router.post("/replies/{reply_id}/approve", response={200: ReplyOut, **ERRORS},
                         operation_id="reply_approve")
def reply_approve(request, reply_id: int, payload: ApproveRequest = OPTIONAL):
    """督办审核 approved (``outcome`` adjusts the class): the reply is released."""
    payload = payload or ApproveRequest()
    supervision.reply_approve(reply=reply_for(request, reply_id), by=request.user, outcome=payload.outcome or None,
                              comments=payload.comments)
    return _reply(request, reply_id)


@supervision_router.post("/replies/{reply_id}/return", response={200: ReplyOut, **ERRORS},
                         operation_id="reply_return")
def reply_return(request, reply_id: int, payload: ReplyReturnRequest):
    """督办审核 returned to the unit with comments."""
    supervision.reply_return(reply=reply_for(request, reply_id), by=request.user, comments=payload.comments)
    # The reply just returned, as the office that returned it read it (once returned it is the unit's again, and
    # no longer one an overseer opens: ``reply_for`` would answer 404 for what was done).
    answer = outputs.reply_out(request.user, Reply.objects.select_related("unit", "assignment", "proposal")
                               .get(pk=reply_id))
    answer["links"].pop("self", None)  # no longer the office's to open
    return answer


# The office's decisions --------------------------------------------------------------------------------------------

@router.post("/reassignments/{request_id}/decision", response={200: ReassignmentOut, **ERRORS},
             operation_id="reassignment_decide")
def reassignment_decision(request, request_id: int, payload: ReassignmentDecisionRequest):
    """The office approves (re-routing to ``new_unit``) or refuses a reassignment request."""
    item = get_object_or_404(ReassignmentRequest.objects.select_related("assignment__proposal"), pk=request_id)
    proposal = get_proposal_for(request.user, item.assignment.proposal_id)
    d = valid(ReassignmentDecisionForm(form_data(payload), committee=proposal.committee))
    new = None
    if d["decision"] == "approve":
        new = handling.reassignment_approve(request=item, by=request.user, new_unit=d["new_unit"], note=d["note"])
    else:
        handling.reassignment_refuse(request=item, by=request.user, note=d["note"])
    return _reassignment(request.user, item, new.pk if new else None)


def _extension(user, item: ExtensionRequest) -> dict:
    item = ExtensionRequest.objects.select_related("assignment").get(pk=item.pk)
    a = item.assignment
    return {"id": item.pk, "assignment_id": a.pk, "proposal_id": a.proposal_id,
            "requested_deadline": item.requested_deadline, "previous_deadline": item.previous_deadline,
            "reason": item.reason, "status": item.status, "decision_note": item.decision_note, "deadline": a.deadline,
            "links": {"proposal": outputs.proposal_url(a.proposal_id), "assignment": f"{B}/assignments/{a.pk}",
                      **_decision_link(user, item, "decide_extension", f"{B}/extensions/{item.pk}/decision")}}


@router.post("/extensions/{extension_id}/decision", response={200: ExtensionOut, **ERRORS},
             operation_id="extension_decide", tags=["deadlines"])
def extension_decision(request, extension_id: int, payload: ExtensionDecisionRequest):
    """The office approves (``deadline`` null: the date asked for) or refuses an extension request."""
    item = get_object_or_404(ExtensionRequest.objects.select_related("assignment__proposal"), pk=extension_id)
    get_proposal_row_for(request.user, item.assignment.proposal_id)
    d = valid(ExtensionDecisionForm(form_data(payload)))
    if d["decision"] == "approve":
        deadlines.extension_approve(extension=item, by=request.user, deadline=d["deadline"], note=d["note"])
    else:
        deadlines.extension_refuse(extension=item, by=request.user, note=d["note"])
    return _extension(request.user, item)


# 机构改革: a unit's open work handed over at once ---------------------------------------------------------------------

def _hand_over_unit(request, unit_id: int) -> Unit:
    """Fetch-and-authorize, as the hand-over page does: the office only (whoever holds the workflow's
    ``adjust_assignment``, which ``unit_hand_over`` also asks), then a unit of the committee (any, a disabled one
    included: its work is what is handed over), else 404."""
    if not handling.may_hand_over(request.user):
        raise workflow.WorkflowError(workflow.NOT_ALLOWED, workflow.MSG_NOT_ALLOWED)
    return get_object_or_404(Unit, pk=unit_id, committee=current_committee())


def _part_links(a: Assignment) -> dict:
    return {"proposal": outputs.proposal_url(a.proposal_id), "assignment": f"{B}/assignments/{a.pk}"}


@router.get("/units/{unit_id}/hand-over", response={200: HandOverPreviewOut, **ERRORS},
            operation_id="unit_hand_over_preview")
def unit_hand_over_preview(request, unit_id: int):
    """机构改革: the unit's open work, each part with why it cannot be handed over now (``refusal``; null: it can), as
    the office's hand-over page lists it (``hand_over_parts``)."""
    unit = _hand_over_unit(request, unit_id)
    parts = handling.hand_over_parts(unit, request.user)
    url = f"{B}/units/{unit.pk}/hand-over"
    links = {"self": url, **({"hand_over": url} if any(why is None for _a, why in parts) else {})}
    return {"unit": {"id": unit.pk, "name": unit.name}, "links": links,
            "parts": [{"assignment": a.pk, "proposal": a.proposal_id, "number": a.proposal.number,
                       "number_year": a.proposal.number_year, "title": a.proposal.title, "role": a.role,
                       "refusal": why, "links": _part_links(a)} for a, why in parts]}


@router.post("/units/{unit_id}/hand-over", response={200: HandOverOut, **ERRORS}, operation_id="unit_hand_over")
def unit_hand_over(request, unit_id: int, payload: UnitHandOverRequest):
    """机构改革: every open part of the unit's work goes to ``new_unit`` (its role, its deadline), each as 调整承办单位
    moves one, with the reason the units are told. A part that cannot be moved stays with the unit and is listed in
    ``refused`` with why; the others move all the same. Refused before anything moves: no reason, the unit itself, a
    new unit that is not an active unit of the committee."""
    unit = _hand_over_unit(request, unit_id)
    # A unit of the committee; whether it may take the work (active, not the unit itself) the service says.
    new_unit = Unit.objects.filter(pk=payload.new_unit, committee_id=unit.committee_id).first()
    if new_unit is None:
        raise FieldErrors({"new_unit": [_("Choose the unit that takes over.")]})
    result = handling.unit_hand_over(unit=unit, new_unit=new_unit, by=request.user, reason=payload.reason)
    return {"moved": [_assignment(request, a.pk) for a in result.moved],
            "refused": [{"proposal": r.proposal.pk, "assignment": r.assignment.pk, "message": r.message,
                         "links": _part_links(r.assignment)} for r in result.refused]}


# Supervision activities and follow-ups -------------------------------------------------------------------------------

@supervision_router.post("/proposals/{proposal_id}/supervision-activities", response={201: ActivityOut, **ERRORS},
                         operation_id="proposal_record_supervision_activity")
def supervision_activity(request, proposal_id: int, payload: ActivityRequest):
    """A supervision activity on a key proposal, by its lead official or supervising office."""
    proposal = get_proposal_for(request.user, proposal_id)
    a = deadlines.supervision_activity_record(proposal=proposal, by=request.user, kind=payload.kind.value,
                                              held_on=payload.held_on, participants=payload.participants,
                                              notes=payload.notes)
    return Status(201, {"id": a.pk, "proposal_id": proposal.pk, "kind": a.kind, "held_on": a.held_on,
                        "participants": a.participants, "notes": a.notes,
                        "links": {"proposal": outputs.proposal_url(proposal.pk)}})


@router.post("/follow-ups/{follow_up_id}/report", response={200: FollowUpOut, **ERRORS},
             operation_id="follow_up_report", tags=["deadlines"])
def follow_up_report(request, follow_up_id: int, payload: FollowUpRequest):
    """回头看: the unit reports what was actually done, a year after a B-class reply. The proposal office records
    a report the unit sent on paper (a letter; the successor of a unit abolished at a reform) the same way: it is
    marked ``on_paper``."""
    item = get_object_or_404(FollowUp.objects.select_related("reply"), pk=follow_up_id)
    get_proposal_row_for(request.user, item.reply.proposal_id)
    f = deadlines.follow_up_report(follow_up=item, by=request.user, report=payload.report)
    return {"id": f.pk, "reply_id": f.reply_id, "proposal_id": item.reply.proposal_id, "due_on": f.due_on,
            "report": f.report, "reported_at": f.reported_at, "on_paper": f.on_paper,
            "links": {"proposal": outputs.proposal_url(item.reply.proposal_id), "reply": f"{B}/replies/{f.reply_id}"}}

