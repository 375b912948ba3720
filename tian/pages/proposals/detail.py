"""The proposal page: every fact of the legacy page in the same order, the reply letters, evaluations,
the timeline, and the actions the user may take now."""

from django.db.models import Exists, OuterRef, Subquery, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from tian.accounts.roles import Perm, has_permission
from tian.core.calendar import corrections_version
from tian.core.compiled import fetch
from tian.core.layout import render_page
from tian.deadlines.models import ExtensionRequest, FollowUp
from tian.deadlines.services import evaluation_deadline
from tian.disclosure.policy import disclosure_for
from tian.handling.forms import EvaluationForm, PaperEvaluationForm
from tian.handling.models import Assignment, ContactRecord, Evaluation, ReassignmentRequest, Reply, UnitRole
from tian.proposals import workflow
from tian.proposals.derived import derived, render_fragment, with_csrf_token
from tian.proposals.forms import (
    AssignForm,
    DeclineForm,
    ExtensionDecisionForm,
    MergeForm,
    ReassignmentDecisionForm,
    RehandleForm,
    ReturnForm,
)
from tian.proposals.models import ANSWERED, BEFORE_REGISTRATION, Proposal
from tian.proposals.selectors import (
    cosigner_members,
    get_proposal_for,
    proposer_members,
    visibility_key,
    visible_proposals,
)
from tian.proposals.timeline import review_result, timeline
from tian.stats.models import FiguresVersion


def page_assignments():
    """The proposal's assignments as its page reads them: whether each unit has contact records or a pending
    extension request, so that those are read only where there are some."""
    return Assignment.objects.select_related("unit").annotate(
        has_contacts=Exists(ContactRecord.objects.filter(assignment=OuterRef("pk"))),
        has_pending_extension=Exists(ExtensionRequest.objects.filter(assignment=OuterRef("pk"),
                                                                     status=ExtensionRequest.Status.PENDING)))


def all_replies(proposal) -> list[Reply]:
    return list(proposal.replies.select_related("unit", "assignment").prefetch_related("cosignatures", "reviews")
                .order_by("round", "assignment__role", "id"))


def _supervision_text(reply: Reply) -> str:
    if reply.status == Reply.Status.RELEASED:
        return "已通过" if reply.reviews.all() else "无需督办审核"
    if reply.status == Reply.Status.RETURNED:
        return "已退回"
    return "督办未审核"


def _contacts(assignments) -> list:
    """Contact records of all the units, in one query (none where no unit has any)."""
    if not any(getattr(a, "has_contacts", True) for a in assignments):
        return []
    prefetch_related_objects(assignments, "contacts")
    return [c for a in assignments for c in a.contacts.all()]


def proposal_context(user, proposal) -> dict:
    """What the page shows, each part as the disclosure policy lets this user see it."""
    policy = disclosure_for(user, proposal)
    assignments = [a for a in proposal.assignments.all() if a.is_active]
    everything = all_replies(proposal)
    replies = policy.replies(everything)
    letters = [{"letter": policy.letter(reply), "reply": reply, "supervision": _supervision_text(reply),
                "reviews": list(reply.reviews.all()) if policy.insider else []} for reply in replies]
    # Evaluations, supervision reviews and follow-ups are all of replies: with none, there is nothing to read.
    any_reply = bool(everything)
    all_evaluations = list(Evaluation.objects.filter(proposal=proposal).select_related("member", "collective")) \
        if any_reply else []
    lead_evaluation = next((e for e in reversed(all_evaluations) if e.is_lead), None)
    evaluations = [{"evaluation": e, "feedback": policy.feedback(e)} for e in policy.evaluations(all_evaluations)]
    evaluation_due = evaluation_deadline(proposal) if proposal.state in ANSWERED else None
    no_opinion = lead_evaluation is None and evaluation_due is not None and evaluation_due < timezone.localdate()
    actions = workflow.available(user, proposal)
    if proposal.is_public or not proposal.disclosure_consent:
        actions.pop("disclose", None)
    # Actions shown elsewhere on the page (per-unit reminders) or on another page (the unit's work page).
    elsewhere = {"remind", "record_supervision_activity", "request_reassignment", "record_contact", "send_opinion",
                 "write_reply", "cosign_reply", "request_extension", "report_follow_up", "respond_cosign",
                 "invite_cosigners", "record_paper_cosigners", "decide_extension", "decide_reassignment"}
    panel = {name for name in actions if name not in elsewhere}
    return {
        "panel_actions": panel,
        "proposal": proposal,
        "policy": policy,
        "title": policy.text(proposal.title),
        "body_paragraphs": [policy.text(p) for p in proposal.body_paragraphs],
        "review_result": review_result(proposal),
        "proposers": proposer_members(proposal),
        "cosigners": cosigner_members(proposal),
        "invitations": list(proposal.cosignatures.all()),
        "lead_units": [a.unit for a in assignments if a.role == UnitRole.LEAD],
        "assisting_units": [a.unit for a in assignments if a.role == UnitRole.ASSISTING],
        "separate_units": [a.unit for a in assignments if a.role == UnitRole.SEPARATE],
        "assignments": assignments,
        "letters": letters,
        "outcomes": [(item["reply"], item["letter"].outcome_text) for item in letters if item["reply"].outcome],
        "evaluations": evaluations,
        "lead_evaluation": lead_evaluation,
        # The lead proposer's feedback: for those the policy lets read it.
        "lead_feedback": policy.feedback(lead_evaluation) if lead_evaluation else "",
        "evaluation_due": evaluation_due,
        "no_opinion": no_opinion,
        "timeline": timeline(proposal.events.select_related("actor"), policy) if policy.history else [],
        "actions": actions,
        "is_staff": has_permission(user, Perm.VIEW_ALL_PROPOSALS),
        "my_invitation": next((c for c in proposal.cosignatures.all()
                               if user.member_id and c.member_id == user.member_id
                               and c.effective_status == "invited"), None),
        "my_assignment": next((a for a in assignments if user.unit_id and a.unit_id == user.unit_id), None),
        "my_review_reply": next((r for r in replies if r.status == Reply.Status.SUPERVISION), None)
        if "review_reply" in actions else None,
        # A pending request puts its assignment in the "reassignment requested" status until it is decided.
        "reassignment_requests": list(ReassignmentRequest.objects.filter(
            assignment__proposal=proposal, status=ReassignmentRequest.Status.PENDING).select_related(
            "assignment__unit")) if "decide_reassignment" in actions and any(
            a.status == Assignment.Status.REASSIGNMENT_REQUESTED for a in proposal.assignments.all()) else [],
        "attachments": list(proposal.attachments.all()) if policy.attachments else [],
        "contacts": [{"record": c, "summary": policy.others_text(c.summary)} for c in _contacts(assignments)]
        if policy.contacts else [],
        # Every reply was read with its reviews.
        "supervision_reviews": sum(len(reply.reviews.all()) for reply in everything),
        "extension_requests": list(ExtensionRequest.objects.filter(
            assignment__proposal=proposal, status=ExtensionRequest.Status.PENDING).select_related(
            "assignment__unit")) if "decide_extension" in actions and any(
            getattr(a, "has_pending_extension", True) for a in proposal.assignments.all()) else [],
        "follow_ups": list(FollowUp.objects.filter(reply__proposal=proposal).select_related("reply__unit"))
        if any_reply and policy.tied else [],
        "activities": list(proposal.supervision_activities.all()) if policy.insider else [],
        "can_remind": "remind" in actions,
        "due_soon_days": proposal.committee.due_soon_days,
    }


def _opened(user, pk):
    names = FiguresVersion.objects.filter(pk=1).values("value")[:1]
    return visible_proposals(user).filter(pk=pk).annotate(
        names=Subquery(names), merged=Exists(Proposal.objects.filter(merged_into=OuterRef("pk")))).values_list(
        "state", "revision", "names", "merged")[:1]


def detail(request, pk):
    """The proposal page for signed-in users. A visitor who is not signed in is sent to the public page of a
    disclosed proposal (which shows only what may be published), or else to sign in."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect

        if Proposal.objects.filter(pk=pk, is_public=True).exists():
            return redirect("portal:detail", pk=pk)
        return redirect_to_login(request.get_full_path())
    # What the user may open is checked on every request, with the proposal's revision and the names' version
    # (units, members, categories renamed) in the same query.
    # Compiled once per process for each set of users who see the same proposals (``tian.core.compiled``).
    found = fetch(("proposals.detail", visibility_key(request.user)), lambda pk: _opened(request.user, pk), pk)
    if not found:
        raise Http404
    state, revision, names_version, merged = (found[0][c] for c in ("state", "revision", "names", "merged"))
    if state in UNKEPT_STATES:
        page = _page(request, pk, merged)
        return render_page(request, "proposals/detail.html", {**page, "body": with_csrf_token(page["body"], request)})
    # Kept per viewer (their roles decide what the page shows and which actions it offers) while the
    # proposal's revision, the names and the day (deadlines turning overdue) are unchanged.
    # The user's roles and organisations decide what the page shows (the disclosure policy) and which actions it
    # offers: a user moved to another unit gets another page.
    user = request.user
    key = ("proposal_detail", pk, user.pk, user.roles, user.member_id, user.collective_id, user.unit_id,
           user.office_id, user.lead_official_id, request.LANGUAGE_CODE, timezone.localdate())
    # The calendar's version too: a correction staff enter moves the deadlines the page shows.
    page = derived(key, lambda: _page(request, pk, merged), marker=(revision, names_version, corrections_version()))
    page = {**page, "body": with_csrf_token(page["body"], request)}
    return render_page(request, "proposals/detail.html", page)


# Not kept: before registration the page shows invitations that lapse by the hour and merge candidates that
# change with every other submission.
UNKEPT_STATES = BEFORE_REGISTRATION


def _page(request, pk, merged: bool) -> dict:
    proposal = get_proposal_for(request.user, pk, merged=merged, assignments=page_assignments())
    context = proposal_context(request.user, proposal)
    actions = context["actions"]
    committee = proposal.committee
    forms = {}
    if "decline" in actions:
        forms["decline"] = DeclineForm(committee=committee)
    if "merge" in actions:
        forms["merge"] = MergeForm(proposal=proposal)
        from tian.search.views import merge_candidates

        context["merge_candidates"] = merge_candidates(request.user, proposal)
    if "return" in actions:
        forms["return"] = ReturnForm()
    if "rehandle" in actions:
        forms["rehandle"] = RehandleForm()
    if "evaluate" in actions:
        forms["evaluate"] = EvaluationForm()
    if "record_paper_evaluation" in actions:
        forms["paper"] = PaperEvaluationForm(members=context["proposers"])
    if "decide_reassignment" in actions:
        forms["reassignment"] = ReassignmentDecisionForm(committee=committee)
    if "assign" in actions:
        forms["assign"] = AssignForm(committee=committee)
    if "decide_extension" in actions:
        forms["extension"] = ExtensionDecisionForm()
    context["forms"] = forms
    context["assignment_statuses"] = Assignment.Status
    body = render_fragment("proposals/_detail_body.html", context, request)
    return {"title": context["title"], "body": body}
