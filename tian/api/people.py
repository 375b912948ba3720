"""The caller (me, inbox, notifications), the statistics and the lookups: every id an action names can be found
here (topic categories, supervising offices, lead officials, decline grounds, outcome classes, sessions, units,
members). Lookups list the committee's active entries."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router

from tian.accounts.roles import Perm, has_permission
from tian.api import outputs
from tian.api.common import ERRORS
from tian.api.errors import FieldErrors
from tian.api.schemas import (
    CategoryOut,
    DeclineGroundOut,
    LeadOfficialOut,
    MemberOut,
    MeOut,
    NotificationOut,
    OfficeOut,
    OkOut,
    OutcomeClassOut,
    SessionOut,
    TaskOut,
    UnitOut,
)
from tian.deadlines.models import FollowUp
from tian.deadlines.services import evaluation_deadline
from tian.handling.models import OutcomeClass
from tian.handling.services import awaiting_evaluation_by
from tian.notifications.models import Notification
from tian.notifications.services import mark_read
from tian.organisations.models import LeadOfficial, Member, Session, SupervisingOffice, Unit
from tian.organisations.selectors import current_committee
from tian.pages.handling import inbox as unit_inbox
from tian.pages.proposals.queue import OFFICE_QUEUE
from tian.proposals.models import CoSignature, DeclineGround, Proposal, State, TopicCategory, open_invitations
from tian.proposals.selectors import own_proposals
from tian.stats import kpis
from tian.supervision.selectors import awaiting_review

MSG_NO_SESSION = gettext_lazy("No session of this committee has this id (GET /sessions lists them).")

router = Router(tags=["people"])
lookups = Router(tags=["lookups"])
B = outputs.BASE


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="me")
def me(request):
    user = request.user
    return {"id": user.pk, "username": user.username, "name": user.full_name, "roles": sorted(user.roles),
            "unit": user.unit.name if user.unit_id else None, "office": user.office.name if user.office_id else None,
            "member_id": user.member_id, "unit_id": user.unit_id, "office_id": user.office_id}


def _task(kind, label, proposal: Proposal, object_type: str, object_id: int, link: str, deadline=None) -> dict:
    return {"kind": kind, "label": str(label), "proposal_id": proposal.pk, "title": proposal.title,
            "deadline": deadline, "object_type": object_type, "object_id": object_id,
            "links": {"proposal": outputs.proposal_url(proposal.pk), "act": link}}


def _unit_tasks(user) -> list[dict]:
    """The unit inbox's groups (``pages/handling/inbox.py``), each task naming the object to act on."""
    tasks = []
    items = unit_inbox.all_items(user.unit_id)
    for group in unit_inbox.GROUPS:
        for item in items[group.key]:
            if group.kind == "cosign":
                reply = item.reply
                tasks.append(_task(group.key, group.label, reply.proposal, "reply", reply.pk,
                                   f"{B}/replies/{reply.pk}/cosign", item.due))
                continue
            a = item
            deadline = getattr(a, f"due_{group.due}")  # the date the group is ordered by and shows (inbox.DUE)
            if group.key == "follow_up":
                follow_up = FollowUp.objects.awaited().filter(reply__assignment=a).first()
                if follow_up is not None:
                    tasks.append(_task(group.key, group.label, a.proposal, "follow_up", follow_up.pk,
                                       f"{B}/follow-ups/{follow_up.pk}/report", follow_up.due_on))
                continue
            path = {"sign": "/sign", "contact": "/contact", "opinion": "/opinion", "reply": "/reply",
                    "returned": "/reply", "rehandling": "/reply"}.get(group.key, "")
            tasks.append(_task(group.key, group.label, a.proposal, "assignment", a.pk,
                               f"{B}/assignments/{a.pk}{path}", deadline))
    return tasks


# The API's label and action of each group of the office's queue (``OFFICE_QUEUE``): (label, object type, the
# object's id, the action's address, its deadline) from a row.
OFFICE_TASKS = {
    "review": ("待审查", "proposal", lambda p: (p, p.pk, outputs.proposal_url(p.pk), None)),
    "assign": ("待交办", "proposal", lambda p: (p, p.pk, f"{outputs.proposal_url(p.pk)}/assign", None)),
    "reassignment_decision": ("退办申请待审批", "reassignment", lambda r: (
        r.assignment.proposal, r.pk, f"{B}/reassignments/{r.pk}/decision", None)),
    "extension_decision": ("延期申请待审批", "extension", lambda e: (
        e.assignment.proposal, e.pk, f"{B}/extensions/{e.pk}/decision", e.requested_deadline)),
    "close": ("待办结", "proposal", lambda p: (p, p.pk, f"{outputs.proposal_url(p.pk)}/close", None)),
    "disclose": ("待公开", "proposal", lambda p: (p, p.pk, f"{outputs.proposal_url(p.pk)}/disclose", None)),
}


def _office_tasks(user, committee) -> list[dict]:
    """The office's queue (``pages/proposals/queue.py``), the groups the user works on, each task naming the object
    to act on."""
    tasks = []
    for group in OFFICE_QUEUE:
        if not has_permission(user, group.perm):
            continue
        label, object_type, task_of = OFFICE_TASKS[group.key]
        rows = group.rows(committee)
        if object_type != "proposal":
            rows = rows.select_related("assignment__proposal")
        for row in rows:
            proposal, object_id, link, deadline = task_of(row)
            tasks.append(_task(group.key, label, proposal, object_type, object_id, link, deadline))
    return tasks


@router.get("/inbox", response={200: list[TaskOut], **ERRORS}, operation_id="inbox")
def inbox(request):
    """The caller's pending work, whatever their roles; each task names the object to act on (``object_type``,
    ``object_id``) and the address of the action (``links.act``)."""
    user, tasks = request.user, []
    if has_permission(user, Perm.HANDLE) and user.unit_id:  # as the unit inbox page requires
        tasks += _unit_tasks(user)
    tasks += _office_tasks(user, current_committee())
    if has_permission(user, Perm.SUPERVISE) and user.office_id:
        for r in awaiting_review(user):  # the supervisor's queue
            tasks.append(_task("supervision", "待督办审核", r.proposal, "reply", r.pk, f"{B}/replies/{r.pk}/approve"))
    if user.acting_member_id:
        for c in CoSignature.objects.filter(open_invitations(), member_id=user.acting_member_id).select_related(
                "proposal"):
            tasks.append(_task("cosign_invitation", "联名邀请", c.proposal, "invitation", c.pk,
                               f"{B}/invitations/{c.pk}/accept"))
    for p in awaiting_evaluation_by(user):  # what member home lists as replies to evaluate
        tasks.append(_task("evaluate", "待评价", p, "proposal", p.pk, f"{outputs.proposal_url(p.pk)}/evaluate",
                           evaluation_deadline(p)))
    # Member home's "returned for revision": the proposer's own, changed (PATCH at its address) and submitted again.
    for p in own_proposals(user).filter(state=State.RETURNED).order_by("updated_at", "pk"):
        tasks.append(_task("revise", _("Returned for revision"), p, "proposal", p.pk, outputs.proposal_url(p.pk)))
    return tasks


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS}, operation_id="notifications_list")
def notifications(request, unread: bool = False):
    """The caller's newest 100 notifications."""
    qs = Notification.objects.filter(user=request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [{"id": n.pk, "kind": n.kind, "message": n.message, "url": n.url, "created_at": n.created_at,
             "read": n.read_at is not None} for n in qs[:100]]


@router.post("/notifications/{notification_id}/read", response={200: OkOut, **ERRORS},
             operation_id="notification_mark_read")
def notification_read(request, notification_id: int):
    get_object_or_404(Notification, pk=notification_id, user=request.user)
    mark_read(user=request.user, notification_ids=[notification_id])
    return {"id": notification_id}


@router.get("/stats", response={200: dict, **ERRORS}, tags=["statistics"], operation_id="stats")
def stats(request, year: int | None = None, session: int | None = None):
    """The overall KPIs of a year or session (see docs/statistics.md)."""
    if not has_permission(request.user, Perm.VIEW_STATISTICS):
        raise PermissionDenied
    committee = current_committee()
    chosen = None
    if session is not None:
        # An id that names no session of the committee is refused, as the statistics page refuses it: read as "all
        # sessions" it gave a script the totals of every year under the session's name.
        chosen = Session.objects.filter(pk=session, term__committee=committee).first()
        if chosen is None:
            raise FieldErrors({"session": [str(MSG_NO_SESSION)]})
    return kpis.summary(kpis.gather(kpis.Scope(committee, year=year, session=chosen)))


# Lookups -----------------------------------------------------------------------------------------------------------

@lookups.get("/categories", response={200: list[CategoryOut], **ERRORS}, operation_id="categories_list")
def categories(request):
    """Topic categories (提案类别): ``category`` of a proposal."""
    return list(TopicCategory.objects.filter(committee=current_committee(), is_active=True).values("id", "name"))


@lookups.get("/supervising-offices", response={200: list[OfficeOut], **ERRORS},
             operation_id="supervising_offices_list")
def supervising_offices(request):
    """督办单位: ``supervising_offices`` of an assignment."""
    return list(SupervisingOffice.objects.filter(committee=current_committee(), is_active=True)
                .order_by("name", "id").values("id", "name", "full_name"))


@lookups.get("/lead-officials", response={200: list[LeadOfficialOut], **ERRORS}, operation_id="lead_officials_list")
def lead_officials(request):
    """牵头领导: ``lead_officials`` of an assignment."""
    return list(LeadOfficial.objects.filter(committee=current_committee(), is_active=True)
                .order_by("name", "id").values("id", "name", "title"))


@lookups.get("/decline-grounds", response={200: list[DeclineGroundOut], **ERRORS},
             operation_id="decline_grounds_list")
def decline_grounds(request):
    """The grounds for not registering: ``ground`` of a decline."""
    return list(DeclineGround.objects.filter(committee=current_committee(), is_active=True).values("id", "text"))


@lookups.get("/outcome-classes", response={200: list[OutcomeClassOut], **ERRORS},
             operation_id="outcome_classes_list")
def outcome_classes(request):
    """办理结果 classes (A, B, C …): ``outcome`` of a reply or an approval."""
    return list(OutcomeClass.objects.filter(committee=current_committee()).values("code", "label"))


@lookups.get("/units", response={200: list[UnitOut], **ERRORS}, operation_id="units_list")
def units(request):
    """承办单位: the units of an assignment, suggested units of a proposal."""
    return [{"id": u.pk, "name": u.name, "full_name": u.full_name, "kind": u.kind,
             "extra": {"full_name": u.full_name, "kind": u.kind}}
            for u in Unit.objects.filter(committee=current_committee(), is_active=True)]


@lookups.get("/members", response={200: list[MemberOut], **ERRORS}, operation_id="members_list")
def members(request):
    """委员: co-signers to invite, the member of a paper evaluation."""
    qs = Member.objects.filter(committee=current_committee(), is_active=True).select_related("sector", "party")
    result = []
    for m in qs:
        sector, party = (m.sector.name if m.sector_id else None), (m.party.name if m.party_id else None)
        result.append({"id": m.pk, "name": m.name, "sector": sector, "party": party,
                       "extra": {"sector": sector, "party": party}})
    return result


@lookups.get("/sessions", response={200: list[SessionOut], **ERRORS}, operation_id="sessions_list")
def sessions(request):
    """次会议: sessions with their plenary window."""
    result = []
    for s in Session.objects.filter(term__committee=current_committee()).select_related("term"):
        result.append({"id": s.pk, "name": s.name, "year": s.year, "plenary_start": s.plenary_start,
                       "plenary_end": s.plenary_end,
                       "extra": {"year": s.year, "plenary_start": s.plenary_start.isoformat(),
                                 "plenary_end": s.plenary_end.isoformat()}})
    return result
