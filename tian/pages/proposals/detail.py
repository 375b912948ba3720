"""The proposal page: every fact of the legacy page in the same order, the reply letters, evaluations,
the timeline, and the actions the user may take now.

Its read-only parts are kept in Django's cache per viewer while nothing they show changes: the key carries the
proposal's ``revision``, its committee's names version, the calendar's version, the day, the language and the
viewer's roles and organisations (what the disclosure policy and the workflow decide from), all read with the
check of what the user may open, in one query (``core/versions.py``). The panel of actions holds forms with this
request's CSRF token, so it is rendered on every request for a viewer who has one, never kept. Before
registration nothing is kept: co-sign invitations lapse by the hour and merge candidates change with every other
submission."""

import copy
from functools import cached_property

from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from tian.accounts.roles import Perm, has_permission
from tian.core import versions
from tian.core.calendar import corrections_version
from tian.deadlines.forms import PaperFollowUpForm
from tian.deadlines.models import ExtensionRequest
from tian.deadlines.performable import performable
from tian.deadlines.services import follow_ups_read, satisfaction
from tian.deadlines.status import unit_due
from tian.disclosure.policy import disclosure_for
from tian.handling.forms import EvaluationForm, PaperEvaluationForm
from tian.handling.lifecycle import ASSIGNMENT, REPLY
from tian.handling.models import (
    Assignment,
    ContactRecord,
    Evaluation,
    ReassignmentRequest,
    Reply,
    ReplyCoSignature,
    UnitRole,
    latest_lead_evaluations,
)
from tian.handling.services import evaluation_round, own_evaluation, rated_now, with_reply_rounds
from tian.pages.ids import distinct_ids
from tian.proposals import workflow
from tian.proposals.forms import (
    AssignForm,
    DeclineForm,
    ExtensionDecisionForm,
    InviteForm,
    MergeForm,
    ReassignmentDecisionForm,
    RehandleForm,
    ReturnForm,
)
from tian.proposals.models import ANSWERED, BEFORE_REGISTRATION, Proposal
from tian.proposals.selectors import (
    credited_cosigners,
    get_proposal_for,
    not_found,
    proposer_members,
    visible_proposals,
)
from tian.proposals.timeline import review_detail, timeline
from tian.search.views import merge_candidates
from tian.suggest.selectors import suggest_units
from tian.supervision.selectors import review_text


def page_assignments():
    """The proposal's assignments as its page reads them: whether each unit has contact records or a pending
    extension request, so that those are read only where there are some, and its rounds of replies (whether its part
    may be moved: ``handling.services.adjustable_parts``)."""
    return with_reply_rounds(Assignment.objects.select_related("unit")).annotate(
        has_contacts=Exists(ContactRecord.objects.filter(assignment=OuterRef("pk"))),
        has_pending_extension=Exists(ExtensionRequest.objects.filter(assignment=OuterRef("pk"),
                                                                     status=ExtensionRequest.Status.PENDING)))


def all_replies(proposal) -> list[Reply]:
    return list(proposal.replies.select_related("unit", "assignment").prefetch_related(Prefetch("cosignatures", queryset=ReplyCoSignature.objects.select_related("unit")), "reviews")
                .order_by("round", "assignment__role", "id"))


def _contacts(assignments) -> list:
    """Contact records of all the units, in one query (none where no unit has any)."""
    if not any(getattr(a, "has_contacts", True) for a in assignments):
        return []
    prefetch_related_objects(assignments, "contacts")
    return [c for a in assignments for c in a.contacts.all()]


# Actions offered elsewhere on the page (per-unit reminders) or on another page (the unit's work page).
ELSEWHERE = {"remind", "record_supervision_activity", "request_reassignment", "record_contact", "send_opinion",
             "write_reply", "cosign_reply", "request_extension", "report_follow_up", "respond_cosign",
             "invite_cosigners", "record_paper_cosigners", "decide_extension", "decide_reassignment"}


def proposal_context(user, proposal, actions) -> dict:
    """What the page shows besides its panel of actions, each part as the disclosure policy lets this user see it."""
    policy = disclosure_for(user, proposal)
    assignments = [a for a in proposal.assignments.all() if a.is_active]
    everything = all_replies(proposal)
    # Each unit's deadline as every page reads it (deadlines.status.unit_due): finished work never reads as running.
    if proposal.in_handling:
        prefetch_related_objects([a for a in assignments if a.role == UnitRole.ASSISTING], "opinions")
    for a in assignments:
        a.due = unit_due(a, proposal, replies=everything)
    replies = policy.replies(everything)
    letters = [{"letter": policy.letter(reply), "reply": reply, "supervision": review_text(reply),
                "reviews": list(reply.reviews.all()) if policy.insider else []} for reply in replies]
    # Evaluations, supervision reviews and follow-ups are all of replies: with none, there is nothing to read.
    any_reply = bool(everything)
    all_evaluations = list(Evaluation.objects.filter(proposal=proposal).select_related("member", "collective")) \
        if any_reply else []
    lead_evaluation = next((e for e in reversed(all_evaluations) if e.is_lead), None)
    evaluations = [{"evaluation": e, "feedback": policy.feedback(e)} for e in policy.evaluations(all_evaluations)]
    return {
        "proposal": proposal,
        "policy": policy,
        "title": policy.text(proposal.title),
        "body_paragraphs": [policy.text(p) for p in proposal.body_paragraphs],
        "review_detail": review_detail(proposal, policy),
        "proposers": proposer_members(proposal),
        "cosigners": credited_cosigners(proposal),
        "invitations": policy.invitations(proposal.cosignatures.all()),
        # Submitted, not registered yet: the lead still invites and withdraws invitations here (the draft page has its
        # own section while the proposal can be edited).
        # The office records a paper form's co-signers here too until registration, as signed (``proposal_invite``).
        "invite_form": InviteForm(committee=proposal.committee, exclude=[proposal.lead_member_id or 0],
                                  paper="record_paper_cosigners" in actions)
        if {"invite_cosigners", "record_paper_cosigners"} & set(actions)
        and proposal.state not in workflow.EDITABLE else None,
        "paper_cosigners": "record_paper_cosigners" in actions,
        "withdraws_invitations": "invite_cosigners" in actions,
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
        "satisfaction": satisfaction(proposal, lead_evaluation),
        "timeline": timeline(proposal.events.select_related("actor"), policy) if policy.history else [],
        "is_staff": has_permission(user, Perm.VIEW_ALL_PROPOSALS),
        "my_assignment": next((a for a in assignments if user.unit_id and a.unit_id == user.unit_id), None),
        "attachments": list(proposal.attachments.all()) if policy.attachments else [],
        "contact": proposal.contact_details() if policy.proposer_contact else None,
        "contacts": [{"record": c, "summary": policy.others_text(c.summary)} for c in _contacts(assignments)]
        if policy.contacts else [],
        # Every reply was read with its reviews.
        "supervision_reviews": sum(len(reply.reviews.all()) for reply in everything),
        "follow_ups": [{"follow_up": f, "report": report} for f, report in follow_ups_read(proposal, policy)]
        if any_reply else [],  # a follow-up is of a reply
        "activities": list(proposal.supervision_activities.all()) if policy.insider else [],
        "can_remind": "remind" in actions,
        "due_soon_days": proposal.committee.due_soon_days,
    }


# Kept on the page once done, whatever ``performable`` says: the proposer's rating, shown where the form was.
SHOWN_ONCE_DONE = {"evaluate"}


def narrowed(user, proposal, available: dict) -> dict:
    """The workflow's actions (``available``, which know the proposal only) that ``user`` may perform now, as the
    services take them and the API's ``actions`` name them (``deadlines.performable``: narrowed by the record each is
    taken on), but for ``SHOWN_ONCE_DONE``."""
    may = performable(user, proposal, available)
    return {name: step for name, step in available.items() if name in may or name in SHOWN_ONCE_DONE}


# The panel's form of each action that has one, by the action's name (the rest are named as their action).
FORM_KEYS = {"record_paper_evaluation": "paper", "decide_reassignment": "reassignment",
             "decide_extension": "extension", "record_paper_follow_up": "paper_follow_up"}
# Offered below the replies, where the proposer has read what they rate, not in the panel at the top.
BELOW_REPLIES = {"evaluate"}


def panel_items(user, proposal, actions, available) -> dict:
    """What the panel of actions offers this user now, besides its forms (``available``: the workflow's actions before
    ``narrowed``)."""
    assignments = [a for a in proposal.assignments.all() if a.is_active]
    my_assignment = next((a for a in assignments if user.unit_id and a.unit_id == user.unit_id), None)
    items = {
        "panel_actions": {name for name in actions if name not in ELSEWHERE | BELOW_REPLIES},
        "evaluates": "evaluate" in actions,
        "my_invitation": next((c for c in proposal.cosignatures.all()
                               if user.acting_member_id and c.member_id == user.acting_member_id
                               and c.is_open_invitation), None),
        "my_assignment": my_assignment,
        # The unit's work page, while the proposal is in handling (its letters and its steps are there) or a
        # follow-up report is awaited from the unit.
        "unit_work": my_assignment is not None and ("sign_for" in available or "report_follow_up" in actions),
        "my_review_reply": next((r for r in disclosure_for(user, proposal).replies(all_replies(proposal))
                                 if REPLY.allowed(r, "approve")), None) if "review_reply" in actions else None,
        # A pending request puts its assignment in the "reassignment requested" status until it is decided.
        "reassignment_requests": list(ReassignmentRequest.objects.filter(
            assignment__proposal=proposal, status=ReassignmentRequest.Status.PENDING).select_related(
            "assignment__unit")) if "decide_reassignment" in actions and any(
            ASSIGNMENT.allowed(a, "approve_reassignment") for a in proposal.assignments.all()) else [],
        "extension_requests": list(ExtensionRequest.objects.filter(
            assignment__proposal=proposal, status=ExtensionRequest.Status.PENDING).select_related(
            "assignment__unit")) if "decide_extension" in actions and any(
            getattr(a, "has_pending_extension", True) for a in proposal.assignments.all()) else [],
    }
    items["shows_panel"] = bool(items["panel_actions"] or items["evaluates"] or items["my_invitation"]
                                or items["unit_work"]
                                or items["my_review_reply"] or items["reassignment_requests"]
                                or items["extension_requests"])
    return items


def panel_forms(user, proposal, actions, proposers, bound=None) -> dict:
    """The panel's forms, empty, but for ``bound``: the form the user filled in that has errors, by its key in
    ``forms`` (``FORM_KEYS``), shown again with what they entered. A decision on a unit's request names the
    request (``bound_request``), as a page may list several."""
    bound = bound or {}
    committee = proposal.committee
    forms, context = {}, {}
    if "decline" in actions:
        forms["decline"] = bound.get("decline") or DeclineForm(committee=committee)
    if "merge" in actions:
        forms["merge"] = bound.get("merge") or MergeForm(proposal=proposal)
        context["merge_candidates"] = merge_candidates(user, proposal)
    if "return" in actions:
        forms["return"] = bound.get("return") or ReturnForm()
    if "rehandle" in actions:
        forms["rehandle"] = bound.get("rehandle") or RehandleForm()
    # The evaluation forms name the round of replies they rate (a form opened before the proposal was handled again is
    # refused): read once for both.
    round_ = evaluation_round(proposal) if {"evaluate", "record_paper_evaluation"} & set(actions) else None
    if "evaluate" in actions:
        context["my_evaluation"] = own_evaluation(user, proposal, round_)
        if context["my_evaluation"] is None:
            forms["evaluate"] = bound.get("evaluate") or EvaluationForm(initial={"round": round_})
    if "record_paper_evaluation" in actions:
        forms["paper"] = bound.get("paper") or PaperEvaluationForm.for_proposal(
            proposal, rated=rated_now(proposal, round_), proposers=proposers, initial={"round": round_})
    if "record_paper_follow_up" in actions:
        forms["paper_follow_up"] = bound.get("paper_follow_up") or PaperFollowUpForm(proposal=proposal)
    if "close" in actions:
        # Closing while the lead proposer may still rate the reply takes away their chance to be dissatisfied (which
        # sends the proposal back to the units): the office is told until when, beside the button, as the page's
        # 满意度 says it (``satisfaction``: the window's last day while the lead's rating is awaited).
        lead = latest_lead_evaluations().filter(proposal=proposal).first()
        context["evaluation_open_until"] = satisfaction(proposal, lead).open_until
    if "set_key" in bound:  # sent from its own page (``office.key_form``) with errors: shown again here
        forms["set_key"] = bound["set_key"]
    if "decide_reassignment" in actions:
        forms["reassignment"] = ReassignmentDecisionForm(committee=committee, refuse_only=proposal.state in ANSWERED)
    if "assign" in actions:
        forms["assign"] = bound.get("assign") or AssignForm(committee=committee, proposal=proposal)
        context["suggestions"] = suggest_units(proposal)  # learned from past assignments (issue #23)
    if "decide_extension" in actions:
        forms["extension"] = ExtensionDecisionForm()
    # The decisions on units' requests get ids per request (``_with_forms``); the others, where they share a field.
    distinct_ids({key: form for key, form in forms.items() if key not in ("reassignment", "extension")})
    return {**context, "forms": forms}


def _with_forms(requests, form, bound, bound_pk, name: str):
    """Each pending request with its decision form: the one the user filled in for it, or an empty one; each form
    with element ids of its own (``name`` and the request's id), since the page may list several requests."""
    items = []
    for r in requests:
        item_form = bound if bound is not None and r.pk == bound_pk else copy.deepcopy(form)
        item_form.auto_id = f"id_{name}{r.pk}_%s"
        items.append((r, item_form))
    return items


class ProposalPage:
    """The proposal page of one request: the proposal and what the user may do with it, read when first needed
    (a kept page with no panel reads neither)."""

    def __init__(self, request, pk: int, merged: bool):
        self.request, self.user, self.pk, self.merged = request, request.user, pk, merged

    @cached_property
    def proposal(self) -> Proposal:
        return get_proposal_for(self.user, self.pk, merged=self.merged, assignments=page_assignments())

    @cached_property
    def available(self) -> dict:
        return workflow.available(self.user, self.proposal)

    @cached_property
    def actions(self) -> dict:
        return narrowed(self.user, self.proposal, self.available)

    @cached_property
    def panel(self) -> dict:
        return panel_items(self.user, self.proposal, self.actions, self.available)

    def read_only_parts(self) -> dict:
        """The read-only parts, as text (what the cache keeps): the title, the page's head and body, whether this user
        has a panel of actions, and the assignments their reminder buttons post for."""
        context = {**proposal_context(self.user, self.proposal, self.actions), "request": self.request,
                   "user": self.user}
        # Before registration the body holds forms (invitations, a paper form's co-signers) and is never kept: it is
        # rendered with the request, so they carry this request's CSRF token. A kept body holds no form.
        request = self.request if self.proposal.state in BEFORE_REGISTRATION else None
        return {"title": str(context["title"]), "head": render_to_string("proposals/_detail_head.html", context),
                "body": render_to_string("proposals/_detail_body.html", {**context, "part": "main"}, request=request),
                "body_end": render_to_string("proposals/_detail_body.html", {**context, "part": "end"},
                                             request=request),
                "shows_panel": self.panel["shows_panel"],
                "remind": [a.pk for a in context["assignments"]] if context["can_remind"] else []}

    def panel_context(self, bound=None, bound_request=None) -> dict:
        bound = bound or {}
        proposers = proposer_members(self.proposal)
        context = {"proposal": self.proposal, "actions": self.actions, **self.panel,
                   **panel_forms(self.user, self.proposal, self.actions, proposers, bound)}
        forms = context["forms"]
        if "reassignment" in forms:
            context["reassignment_items"] = _with_forms(self.panel["reassignment_requests"], forms["reassignment"],
                                                        bound.get("reassignment"), bound_request, "reassignment")
        if "extension" in forms:
            context["extension_items"] = _with_forms(self.panel["extension_requests"], forms["extension"],
                                                     bound.get("extension"), bound_request, "extension")
        return context


def detail(request, pk):
    """The proposal page for signed-in users. A visitor who is not signed in is sent to the public page of a
    disclosed proposal (which shows only what may be published), or else to sign in."""
    if not request.user.is_authenticated:
        if Proposal.objects.filter(pk=pk, is_public=True).exists():
            return redirect("portal:detail", pk=pk)
        return redirect_to_login(request.get_full_path())
    return render_page(request, pk)


def render_page(request, pk, *, bound=None, bound_request=None, status=200):
    """The proposal page; after a form of its panel failed validation, with that form as the user filled it in
    and its errors next to its fields (``bound``, by its key in the panel's ``forms``; status 422), so that
    nothing they entered is lost."""
    user = request.user
    # What the user may open, checked on every request, with the versions of what the page shows.
    found = visible_proposals(user).filter(pk=pk).annotate(
        names=versions.of_committee(versions.NAMES),
        merged=Exists(Proposal.objects.filter(merged_into=OuterRef("pk")))).values_list(
        "state", "revision", "names", "merged", "merged_into__revision").first()
    if found is None:
        raise not_found(pk)
    state, revision, names, merged, target_revision = found
    page = ProposalPage(request, pk, merged)
    if state in BEFORE_REGISTRATION:
        parts = page.read_only_parts()
    else:
        # Per viewer: their roles and organisations decide what the disclosure policy shows them and which actions
        # the page offers (a user moved to another unit gets another page). The day and the calendar: deadlines.
        # The 2: the body is kept in two parts (before and after the member's evaluation form) since issue #22.
        # A proposal merged into another shows that one's number and title: its revision too.
        key = ("proposal_page", 2, pk, revision, target_revision, names, corrections_version(), timezone.localdate(),
               get_language(), user.pk, user.roles, user.member_id, user.collective_id, user.unit_id, user.office_id,
               user.lead_official_id)
        parts = versions.cached(key, page.read_only_parts)
    context = {"page": parts}
    if parts["shows_panel"]:
        context.update(page.panel_context(bound, bound_request))
    return render(request, "proposals/detail.html", context, status=status)
