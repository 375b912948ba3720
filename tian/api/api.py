"""The endpoints. Writes go through the same forms (for validation) and service functions (for the
rules) as the pages; reads start from the same scoped selectors."""

import math
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Body, NinjaAPI, Query, Schema, Status
from pydantic import Field

from tian.accounts.roles import Perm, Role, has_permission
from tian.api import errors
from tian.api.auth import BearerToken, SiteSession
from tian.api.parser import CleaningParser
from tian.api.schemas import (
    ErrorOut,
    NamedOut,
    NotificationOut,
    OkOut,
    PageOut,
    ProposalDetailOut,
    TaskOut,
)
from tian.api.throttles import AnonymousThrottle, SignedInThrottle
from tian.deadlines import services as deadlines
from tian.deadlines.models import ExtensionRequest
from tian.disclosure.policy import ListDisclosure, disclosure_for
from tian.handling import services as handling
from tian.handling.models import Assignment, Evaluation, ReassignmentRequest, Reply
from tian.handling.unit_forms import ContactForm, ExtensionForm, OpinionForm, ReassignmentForm, ReplyForm
from tian.notifications.models import Notification
from tian.notifications.services import mark_read
from tian.organisations.models import Member, Session, Unit
from tian.organisations.selectors import current_committee, member_of
from tian.pages.proposals.office import ACTIONS
from tian.proposals import services, workflow
from tian.proposals.forms import ExtensionDecisionForm, InviteForm, ProposalForm, ReassignmentDecisionForm
from tian.proposals.models import CoSignature, Proposal, State
from tian.proposals.selectors import (
    cosigner_members,
    get_proposal_for,
    get_proposal_row_for,
    visible_proposals,
)
from tian.proposals.timeline import ACTION_LABELS
from tian.supervision import services as supervision
from tian.supervision.forms import ActivityForm, ApproveForm, ReturnForm

api = NinjaAPI(
    title="TiAn API", version="1", urls_namespace="api", docs_url="/docs",
    description="政协提案管理系统接口。Authenticate with `Authorization: Bearer <token>` (tokens are created "
                "under 账户 → API tokens). Errors are JSON: {\"code\": …, \"message\": …}.",
    auth=[BearerToken(), SiteSession()],
    parser=CleaningParser(),  # control characters removed from JSON bodies (core/request_limits.py)
    throttle=[AnonymousThrottle(settings.API_RATE_ANONYMOUS), SignedInThrottle(settings.API_RATE_AUTHENTICATED)],
)
errors.install(api)
# An action's fields, named as in the matching form of the pages (see each operation's description).
FieldsBody = Annotated[dict[str, Any], Body(default_factory=dict)]

ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 409, 422, 429)}


def _valid(form):
    if not form.is_valid():
        raise errors.FieldErrors({field: [str(m) for m in messages] for field, messages in form.errors.items()})
    return form.cleaned_data


def _summary(p: Proposal, text=None) -> dict:
    """A proposal in a list; ``text(p, value)`` is the disclosure policy's reading of its title."""
    title = text(p, p.title) if text else p.title
    return {"id": p.pk, "year": p.year, "number": p.number, "number_year": p.number_year, "title": title,
            "kind": p.kind, "state": p.state, "state_label": str(p.get_state_display()),
            "proposer": p.proposer_name, "category": p.category.name if p.category_id else None,
            "is_key": p.is_key, "is_public": p.is_public, "submitted_at": p.submitted_at}


def _detail(user, p: Proposal) -> dict:
    """The proposal as the disclosure policy lets ``user`` (signed in or not) see it."""
    policy = disclosure_for(user, p)
    replies = []
    for reply in policy.replies(p.replies.select_related("unit", "assignment").prefetch_related("cosignatures")
                                .order_by("round", "assignment__role", "id")):
        letter = policy.letter(reply)
        replies.append({"id": reply.pk, "unit": reply.unit.name, "round": reply.round, "status": reply.status,
                        "outcome": reply.outcome, "title": letter.title, "salutation": letter.salutation,
                        "paragraphs": letter.paragraphs, "date": letter.date_text, "contact_line": letter.contact_line})
    timeline = [
        {"at": e.at, "action": e.action, "label": str(ACTION_LABELS.get(e.action, e.action)),
         "actor": str(e.actor) if e.actor else None, "from_state": e.from_state, "to_state": e.to_state,
         "note": policy.note(e)} for e in p.events.select_related("actor")] if policy.history else []
    evaluations = Evaluation.objects.filter(proposal=p).select_related("member", "collective").order_by("round", "at")
    return {
        **_summary(p, lambda _p, value: policy.text(value)), "number_bracket": p.number_bracket,
        "number_session": p.number_session, "session": p.session.name,
        "body": policy.text(p.full_body), "cosigners": [m.name for m in cosigner_members(p)],
        "assignments": [{"id": a.pk, "unit": a.unit.name, "role": a.role, "status": a.status, "deadline": a.deadline}
                        for a in p.assignments.all() if a.is_active],
        "supervising_offices": [o.name for o in p.supervising_offices.all()],
        "lead_officials": [o.name for o in p.lead_officials.all()], "assigned_on": p.assigned_on,
        "replies": replies,
        # Everyone who sees the proposal reads the lead proposer's rating; the rest as the policy allows.
        "lead_rating": next((e.result for e in reversed(evaluations) if e.is_lead), None),
        "evaluations": [{"evaluator": e.evaluator_name, "round": e.round, "result": e.result, "attitude": e.attitude,
                         "feedback": policy.feedback(e), "on_paper": e.on_paper}
                        for e in policy.evaluations(evaluations)],
        "timeline": timeline,
        "actions": sorted(workflow.available(user, p)) if user.is_authenticated else [],
    }


class ProposalFilters(Schema):
    q: str | None = Field(None, max_length=200)
    year: int | None = Field(None, ge=1949, le=2200)
    state: State | None = None
    kind: str | None = Field(None, max_length=20)
    unit: int | None = Field(None, ge=1, le=2**31 - 1)
    key: bool | None = None
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(30, ge=1, le=100)


def _page(user, qs, filters: ProposalFilters) -> dict:
    size = max(1, min(filters.page_size, 100))
    paginator = Paginator(qs, size)
    page = paginator.get_page(filters.page)
    items = list(page.object_list)
    policy = ListDisclosure(user, items)
    return {"items": [_summary(p, policy.text) for p in items], "total": paginator.count, "page": page.number,
            "pages": max(1, math.ceil(paginator.count / size))}


def _filtered(qs, f: ProposalFilters):
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(lead_member__name=f.q) | Q(collective__name=f.q))
    if f.year:
        qs = qs.filter(year=f.year)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.unit:
        qs = qs.filter(assignments__unit_id=f.unit)
    if f.key is not None:
        qs = qs.filter(is_key=f.key)
    return qs.select_related("category", "lead_member", "collective").distinct().order_by("-year", "number", "-pk")


# Reads ------------------------------------------------------------------------------------------------

@api.get("/public/proposals", auth=None, response={200: PageOut, **ERRORS}, tags=["public"])
def public_proposals(request, filters: Query[ProposalFilters]):
    """Disclosed proposals only."""
    return _page(AnonymousUser(), _filtered(Proposal.objects.filter(is_public=True), filters), filters)


@api.get("/public/proposals/{proposal_id}", auth=None, response={200: ProposalDetailOut, **ERRORS}, tags=["public"])
def public_proposal(request, proposal_id: int):
    proposal = get_object_or_404(Proposal.objects.filter(is_public=True).select_related("committee", "session__term"),
                                 pk=proposal_id)
    return _detail(AnonymousUser(), proposal)


@api.get("/me", response={200: dict, **ERRORS}, tags=["people"])
def me(request):
    user = request.user
    return {"id": user.pk, "username": user.username, "name": user.full_name,
            "roles": sorted(user.roles), "unit": user.unit.name if user.unit_id else None,
            "office": user.office.name if user.office_id else None}


@api.get("/proposals", response={200: PageOut, **ERRORS}, tags=["proposals"])
def proposals(request, filters: Query[ProposalFilters]):
    """Proposals the caller may see, with the filters of the proposal list."""
    return _page(request.user, _filtered(visible_proposals(request.user), filters), filters)


@api.get("/proposals/{proposal_id}", response={200: ProposalDetailOut, **ERRORS}, tags=["proposals"])
def proposal(request, proposal_id: int):
    return _detail(request.user, get_proposal_for(request.user, proposal_id))


@api.get("/inbox", response={200: list[TaskOut], **ERRORS}, tags=["people"])
def inbox(request):
    """The caller's pending work, whatever their roles."""
    user, tasks = request.user, []
    if Role.UNIT_HANDLER in user.roles and user.unit_id:
        from tian.pages.handling.views import inbox_groups

        for group in inbox_groups(user):
            for item in group["items"]:
                proposal = item.reply.proposal if group["kind"] == "cosign" else item.proposal
                tasks.append({"kind": group["key"], "label": str(group["label"]), "proposal_id": proposal.pk,
                              "title": proposal.title, "deadline": getattr(item, "deadline", None)})
    if has_permission(user, Perm.REVIEW):
        for p in Proposal.objects.filter(state=State.SUBMITTED).order_by("submitted_at"):
            tasks.append({"kind": "review", "label": "待审查", "proposal_id": p.pk, "title": p.title})
    if has_permission(user, Perm.SUPERVISE) and user.office_id:
        for r in Reply.objects.filter(status=Reply.Status.SUPERVISION, proposal__supervising_offices=user.office_id):
            tasks.append({"kind": "supervision", "label": "待督办审核", "proposal_id": r.proposal_id,
                          "title": r.proposal.title})
    if user.member_id:
        for c in CoSignature.objects.filter(member_id=user.member_id, status=CoSignature.Status.INVITED):
            if c.effective_status == "invited":
                tasks.append({"kind": "cosign_invitation", "label": "联名邀请", "proposal_id": c.proposal_id,
                              "title": c.proposal.title})
    return tasks


@api.get("/units", response={200: list[NamedOut], **ERRORS}, tags=["people"])
def units(request):
    return [{"id": u.pk, "name": u.name, "extra": {"full_name": u.full_name, "kind": u.kind}}
            for u in Unit.objects.filter(committee=current_committee(), is_active=True)]


@api.get("/members", response={200: list[NamedOut], **ERRORS}, tags=["people"])
def members(request):
    qs = Member.objects.filter(committee=current_committee(), is_active=True).select_related("sector", "party")
    return [{"id": m.pk, "name": m.name, "extra": {"sector": m.sector.name if m.sector_id else None,
                                                   "party": m.party.name if m.party_id else None}} for m in qs]


@api.get("/sessions", response={200: list[NamedOut], **ERRORS}, tags=["people"])
def sessions(request):
    return [{"id": s.pk, "name": s.name, "extra": {"year": s.year, "plenary_start": s.plenary_start.isoformat(),
                                                   "plenary_end": s.plenary_end.isoformat()}}
            for s in Session.objects.filter(term__committee=current_committee()).select_related("term")]


@api.get("/stats", response={200: dict, **ERRORS}, tags=["statistics"])
def stats(request, year: int | None = None, session: int | None = None):
    """The overall KPIs of a year or session (see docs/statistics.md)."""
    from django.core.exceptions import PermissionDenied

    from tian.stats import kpis

    if not has_permission(request.user, Perm.VIEW_STATISTICS):
        raise PermissionDenied
    committee = current_committee()
    scope = kpis.Scope(committee, year=year,
                       session=Session.objects.filter(pk=session, term__committee=committee).first() if session else None)
    return kpis.summary(kpis.gather(scope))


@api.get("/notifications", response={200: list[NotificationOut], **ERRORS}, tags=["people"])
def notifications(request, unread: bool = False):
    qs = Notification.objects.filter(user=request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [{"id": n.pk, "kind": n.kind, "message": n.message, "url": n.url, "created_at": n.created_at,
             "read": n.read_at is not None} for n in qs[:100]]


@api.post("/notifications/{notification_id}/read", response={200: OkOut, **ERRORS}, tags=["people"])
def notification_read(request, notification_id: int):
    get_object_or_404(Notification, pk=notification_id, user=request.user)
    mark_read(user=request.user, notification_ids=[notification_id])
    return {"id": notification_id}


# Writes -----------------------------------------------------------------------------------------------

def _ok(obj=None, proposal=None) -> dict:
    proposal = proposal or (obj if isinstance(obj, Proposal) else None)
    if proposal is not None:
        proposal.refresh_from_db(fields=["state"])  # the services may have changed a re-read copy
    return {"id": getattr(obj, "pk", None), "state": proposal.state if proposal is not None else None}


@api.post("/proposals", response={201: OkOut, **ERRORS}, tags=["proposals"])
def proposal_create(request, payload: FieldsBody):
    """Start a draft: title, body (or background/analysis/suggestions), category (id), suggested_units (ids),
    disclosure_consent, non_disclosure_reason, contact_*."""
    committee = current_committee()
    data = _valid(ProposalForm(dict(payload), committee=committee))
    units = data.pop("suggested_units", None) or []
    data = {k: (v if v is not None else "") if k != "category" else v for k, v in data.items()}
    data["disclosure_consent"] = bool(data.get("disclosure_consent"))
    user = request.user
    who = {"collective": user.collective} if user.collective_id and not user.member_id else {"lead_member": member_of(user)}
    proposal = services.proposal_create_draft(by=user, committee=committee, suggested_units=units, **who, **data)
    return Status(201, {"id": proposal.pk, "state": proposal.state})


@api.patch("/proposals/{proposal_id}", response={200: OkOut, **ERRORS}, tags=["proposals"])
def proposal_update(request, proposal_id: int, payload: FieldsBody):
    proposal = get_proposal_for(request.user, proposal_id)
    data = _valid(ProposalForm(dict(payload), instance=proposal, committee=proposal.committee))
    units = data.pop("suggested_units", None)
    data = {k: (v if v is not None else "") if k != "category" else v for k, v in data.items()}
    data["disclosure_consent"] = bool(data.get("disclosure_consent"))
    return _ok(services.proposal_update_draft(proposal=proposal, by=request.user, suggested_units=units, **data))


@api.post("/proposals/{proposal_id}/actions/{action}", response={200: OkOut, **ERRORS}, tags=["proposals"])
def proposal_action(request, proposal_id: int, action: str, payload: FieldsBody):
    """submit, withdraw, register, decline (ground, forward, note), merge (into, note), return (note),
    assign (lead_unit, assisting_units, separate_units, assigned_on, reply_deadline, assisting_deadline,
    is_key, lead_officials, supervising_offices), rehandle (deadline, note), close, disclose,
    evaluate (result, attitude, contacted, feedback), record_paper_evaluation (… and member)."""
    spec = ACTIONS.get(action)
    if spec is None:
        from django.http import Http404

        raise Http404
    proposal = get_proposal_row_for(request.user, proposal_id)
    data = {}
    if spec.form is not None:
        raw = dict(payload)
        form = spec.form(raw, proposal) if not isinstance(spec.form, type) else spec.form(raw)
        data = _valid(form)
    result = spec.run(proposal, request.user, data)
    if isinstance(result, Proposal) and result.pk == proposal.pk:
        return {"id": proposal.pk, "state": result.state}  # the copy the service changed, read under its lock
    return _ok(proposal)


@api.post("/proposals/{proposal_id}/cosigners", response={200: OkOut, **ERRORS}, tags=["co-signing"])
def cosigners_invite(request, proposal_id: int, payload: FieldsBody):
    """Invite members (members: [member ids]); staff entering a paper proposal record them as signed."""
    proposal = get_proposal_for(request.user, proposal_id)
    members = list(_valid(InviteForm(dict(payload), committee=proposal.committee,
                                     exclude=[proposal.lead_member_id or 0]))["members"])
    if workflow.allowed(request.user, proposal, "record_paper_cosigners"):
        services.cosign_record_on_paper(proposal=proposal, by=request.user, members=members)
    else:
        services.cosign_invite(proposal=proposal, by=request.user, members=members)
    return _ok(proposal)


def _invitation(request, cosignature_id):
    cosignature = get_object_or_404(CoSignature, pk=cosignature_id)
    get_proposal_for(request.user, cosignature.proposal_id)
    return cosignature


@api.post("/cosignatures/{cosignature_id}/accept", response={200: OkOut, **ERRORS}, tags=["co-signing"])
def cosign_accept(request, cosignature_id: int):
    return _ok(services.cosign_respond(cosignature=_invitation(request, cosignature_id), by=request.user, accept=True))


@api.post("/cosignatures/{cosignature_id}/decline", response={200: OkOut, **ERRORS}, tags=["co-signing"])
def cosign_decline(request, cosignature_id: int):
    return _ok(services.cosign_respond(cosignature=_invitation(request, cosignature_id), by=request.user,
                                       accept=False))


@api.post("/cosignatures/{cosignature_id}/withdraw", response={200: OkOut, **ERRORS}, tags=["co-signing"])
def cosign_withdraw(request, cosignature_id: int):
    return _ok(services.cosign_withdraw_invitation(cosignature=_invitation(request, cosignature_id), by=request.user))


def _assignment(request, assignment_id) -> Assignment:
    assignment = get_object_or_404(Assignment.objects.select_related("proposal", "unit"), pk=assignment_id)
    get_proposal_for(request.user, assignment.proposal_id)
    return assignment


@api.post("/assignments/{assignment_id}/sign", response={200: OkOut, **ERRORS}, tags=["handling"])
def assignment_sign(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    return _ok(handling.assignment_sign_for(assignment=a, by=request.user), a.proposal)


@api.post("/assignments/{assignment_id}/reassignment", response={200: OkOut, **ERRORS}, tags=["handling"])
def assignment_reassignment(request, assignment_id: int, payload: FieldsBody):
    """reason, suggested_unit"""
    a = _assignment(request, assignment_id)
    d = _valid(ReassignmentForm(dict(payload)))
    return _ok(handling.reassignment_request(assignment=a, by=request.user, **d), a.proposal)


@api.post("/assignments/{assignment_id}/contact", response={200: OkOut, **ERRORS}, tags=["handling"])
def assignment_contact(request, assignment_id: int, payload: FieldsBody):
    """method (visit/phone/meeting/other), contacted_on, summary"""
    a = _assignment(request, assignment_id)
    d = _valid(ContactForm(dict(payload)))
    return _ok(handling.contact_record(assignment=a, by=request.user, **d), a.proposal)


@api.post("/assignments/{assignment_id}/opinion", response={200: OkOut, **ERRORS}, tags=["handling"])
def assignment_opinion(request, assignment_id: int, payload: FieldsBody):
    """body"""
    a = _assignment(request, assignment_id)
    d = _valid(OpinionForm(dict(payload)))
    return _ok(handling.opinion_send(assignment=a, by=request.user, **d), a.proposal)


@api.post("/assignments/{assignment_id}/reply", response={200: OkOut, **ERRORS}, tags=["handling"])
def assignment_reply(request, assignment_id: int, payload: FieldsBody):
    """Save the reply draft (body, outcome, document_number, signer, contact_name, contact_phone,
    reply_date); with "submit": true also submit it."""
    a = _assignment(request, assignment_id)
    raw = dict(payload)
    d = _valid(ReplyForm(raw, committee=a.proposal.committee))
    fields = {f: d[f] or "" for f in handling.REPLY_FIELDS if f != "reply_date"}
    fields["reply_date"] = d["reply_date"]
    reply = handling.reply_save(assignment=a, by=request.user, **fields)
    if raw.get("submit") is True:
        reply = handling.reply_submit(reply=reply, by=request.user)
    return _ok(reply, a.proposal)


@api.post("/assignments/{assignment_id}/extension", response={200: OkOut, **ERRORS}, tags=["deadlines"])
def assignment_extension(request, assignment_id: int, payload: FieldsBody):
    """requested_deadline, reason"""
    a = _assignment(request, assignment_id)
    d = _valid(ExtensionForm(dict(payload)))
    return _ok(deadlines.extension_request(assignment=a, by=request.user, **d), a.proposal)


def _reply(request, reply_id) -> Reply:
    reply = get_object_or_404(Reply.objects.select_related("proposal"), pk=reply_id)
    proposal = get_proposal_for(request.user, reply.proposal_id)
    if not disclosure_for(request.user, proposal).reply_visible(reply):
        raise Http404
    return reply


@api.post("/replies/{reply_id}/cosign", response={200: OkOut, **ERRORS}, tags=["handling"])
def reply_cosign(request, reply_id: int):
    reply = _reply(request, reply_id)
    return _ok(handling.reply_cosign(reply=reply, by=request.user), reply.proposal)


@api.post("/replies/{reply_id}/approve", response={200: OkOut, **ERRORS}, tags=["supervision"])
def reply_approve(request, reply_id: int, payload: FieldsBody):
    """outcome (optional, to adjust the class), comments"""
    reply = _reply(request, reply_id)
    d = _valid(ApproveForm(dict(payload), committee=reply.proposal.committee))
    return _ok(supervision.reply_approve(reply=reply, by=request.user, outcome=d["outcome"] or None,
                                         comments=d["comments"]), reply.proposal)


@api.post("/replies/{reply_id}/return", response={200: OkOut, **ERRORS}, tags=["supervision"])
def reply_return(request, reply_id: int, payload: FieldsBody):
    """comments"""
    reply = _reply(request, reply_id)
    d = _valid(ReturnForm(dict(payload)))
    return _ok(supervision.reply_return(reply=reply, by=request.user, comments=d["comments"]), reply.proposal)


@api.post("/reassignments/{request_id}/decision", response={200: OkOut, **ERRORS}, tags=["handling"])
def reassignment_decision(request, request_id: int, payload: FieldsBody):
    """decision (approve/refuse), new_unit (id, to approve), note (to refuse)"""
    item = get_object_or_404(ReassignmentRequest.objects.select_related("assignment__proposal"), pk=request_id)
    proposal = get_proposal_for(request.user, item.assignment.proposal_id)
    d = _valid(ReassignmentDecisionForm(dict(payload), committee=proposal.committee))
    if d["decision"] == "approve":
        handling.reassignment_approve(request=item, by=request.user, new_unit=d["new_unit"], note=d["note"])
    else:
        handling.reassignment_refuse(request=item, by=request.user, note=d["note"])
    return _ok(item, proposal)


@api.post("/extensions/{extension_id}/decision", response={200: OkOut, **ERRORS}, tags=["deadlines"])
def extension_decision(request, extension_id: int, payload: FieldsBody):
    """decision (approve/refuse), deadline (optional), note"""
    item = get_object_or_404(ExtensionRequest.objects.select_related("assignment__proposal"), pk=extension_id)
    proposal = get_proposal_for(request.user, item.assignment.proposal_id)
    d = _valid(ExtensionDecisionForm(dict(payload)))
    if d["decision"] == "approve":
        deadlines.extension_approve(extension=item, by=request.user, deadline=d["deadline"], note=d["note"])
    else:
        deadlines.extension_refuse(extension=item, by=request.user, note=d["note"])
    return _ok(item, proposal)


@api.post("/proposals/{proposal_id}/supervision-activities", response={200: OkOut, **ERRORS}, tags=["supervision"])
def supervision_activity(request, proposal_id: int, payload: FieldsBody):
    """kind (symposium/inspection/research/unit_visit), held_on, participants, notes"""
    proposal = get_proposal_for(request.user, proposal_id)
    d = _valid(ActivityForm(dict(payload)))
    return _ok(deadlines.supervision_activity_record(proposal=proposal, by=request.user, **d), proposal)

