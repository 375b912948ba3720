"""Supervisors' and lead officials' pages: the review queue, reviewing a reply, and key proposals with
their progress and supervision activities."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.core import unsaved
from tian.deadlines import services as deadlines
from tian.deadlines.selectors import replies_by_urgency
from tian.deadlines.services import satisfaction, with_replied_on
from tian.deadlines.status import by_urgency, proposal_due, reply_deadline, unit_due
from tian.disclosure.policy import Disclosure, disclosure_for
from tian.handling.lifecycle import REPLY
from tian.handling.models import AssistingOpinion, Reply
from tian.pages.ids import distinct_ids
from tian.pages.supervision import shown
from tian.proposals import workflow
from tian.proposals.selectors import get_proposal_for
from tian.proposals.workflow import INVALID_INPUT, MSG_CONFLICT, WorkflowError
from tian.supervision import services
from tian.supervision.forms import ActivityForm, ApproveForm, ReturnForm
from tian.supervision.models import SupervisionActivity
from tian.supervision.selectors import awaiting_review, followed_proposals


@require_permission(Perm.SUPERVISE)
def queue(request):
    """Replies waiting for the office's review, most urgent first (their deadline, the reply's)."""
    replies = list(replies_by_urgency(awaiting_review(request.user)))
    for reply in replies:
        reply.deadline = reply_deadline(reply)
    shown.remember(request, shown.REPLIES, [reply.pk for reply in replies])
    committee = replies[0].proposal.committee if replies else None
    return render(request, "supervision/queue.html", {
        "replies": replies, "due_soon_days": committee.due_soon_days if committee else 5})


def _reply_for(request, pk) -> tuple[Reply, Disclosure]:
    """The reply, if it was sent to the user's office for review (a draft still with its unit is not)."""
    replies = Reply.objects.select_related("proposal", "unit", "assignment")
    reply = replies.filter(pk=pk, proposal__supervising_offices=request.user.acting_office_id or 0).first()
    if reply is None:
        moved = replies.filter(pk=pk).first()
        if moved is not None and _shown_for_review(request, moved):
            raise ReviewMovedAway
        raise Http404  # as for a reply that does not exist: nothing tells a stranger that it does
    proposal = get_proposal_for(request.user, reply.proposal_id)
    policy = disclosure_for(request.user, proposal)
    if not policy.reply_visible(reply):
        if reply.status == Reply.Status.RETURNED:  # sent back to its unit, which redrafts it (the policy)
            raise ReplyReturned
        raise Http404
    reply.proposal = proposal
    return reply, policy


def _shown_for_review(request, reply: Reply) -> bool:
    """Whether the user was shown ``reply`` for review: on this session's queue or review page, or by the review
    form sent, whose ``submitted`` is the moment the reply was sent for review, to the microsecond, which only its
    review page gives out. Such a user may be told that its review went elsewhere."""
    seen = request.POST.get("submitted", "")
    return shown.was_shown(request, shown.REPLIES, reply.pk) or bool(
        seen and reply.submitted_at and constant_time_compare(seen, _submitted(reply)))


class ReplyReturned(Exception):
    """The reply was sent to the office and returned to its unit: the office reads it again once it is resent."""


class ReviewMovedAway(Exception):
    """The reply was shown to the user for review and is no longer their office's to review (the proposal's
    supervision went to another office, or the user acts for another office now)."""


@require_permission(Perm.SUPERVISE)
def review(request, pk):
    try:
        reply, policy = _reply_for(request, pk)
    except ReplyReturned:
        messages.info(request, _("This reply was returned to its unit: it will be reviewed again once the unit "
                                 "sends it again."))
        unsaved.keep(request, request.POST.get("comments", ""))  # returned meanwhile: the comments, to copy
        return redirect("supervision:queue")
    except ReviewMovedAway:
        messages.error(request, _("This reply is no longer for your office to review."))
        unsaved.keep(request, request.POST.get("comments", ""))
        return redirect("supervision:queue")
    shown.remember(request, shown.REPLIES, [reply.pk])
    committee = reply.proposal.committee
    forms = {"approve": ApproveForm(committee=committee), "return": ReturnForm()}
    not_taken = ""
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in forms:
            messages.error(request, _("Please choose to approve or to return the reply."))
            return redirect("supervision:review", pk=reply.pk)
        form = forms[decision] = (ApproveForm(request.POST, committee=committee) if decision == "approve"
                                  else ReturnForm(request.POST))
        seen = request.POST.get("submitted")
        if seen is not None and seen != _submitted(reply):
            # Returned, rewritten and sent again since this page was opened: the text approved would not be the one
            # read. The comments typed are shown to copy, above the reply as it is now.
            messages.error(request, MSG_CONFLICT)
            not_taken = request.POST.get(f"{decision}-comments") or request.POST.get("comments", "")
        elif form.is_valid():
            try:
                if decision == "approve":
                    services.reply_approve(reply=reply, by=request.user,
                                           outcome=form.cleaned_data["outcome"] or None,
                                           comments=form.cleaned_data["comments"])
                    messages.success(request, _("The reply was approved and released to the proposers."))
                else:
                    services.reply_return(reply=reply, by=request.user, comments=form.cleaned_data["comments"])
                    messages.success(request, _("The reply was returned to the unit."))
            except WorkflowError as e:  # shown again with what was typed: beside the form if the input is wrong
                if e.code == INVALID_INPUT:
                    form.add_error(None, e.message)
                else:  # reviewed meanwhile: the forms are gone, the comments typed are shown to copy
                    messages.error(request, e.message)
                    not_taken = form.cleaned_data.get("comments", "")
            else:
                return redirect("supervision:queue")
    distinct_ids(forms)  # both ask for "comments"
    return render(request, "supervision/review.html", {
        "reply": reply, "proposal": reply.proposal, "letter": policy.letter(reply),
        # What the reply should have taken in: the assisting units' opinions (the policy's ``contacts``).
        "opinions": [{"unit": o.assignment.unit, "sent_at": o.sent_at, "body": policy.others_text(o.body)}
                     for o in AssistingOpinion.objects.filter(assignment__proposal=reply.proposal)
                     .select_related("assignment__unit").order_by("sent_at")] if policy.contacts else [],
        "approve_form": forms["approve"], "return_form": forms["return"], "unsaved": not_taken,
        "submitted": _submitted(reply),
        "pending": REPLY.permits(request.user, reply.proposal, reply, "approve")})


def _submitted(reply) -> str:
    """When the reply on the page was sent to the office: its forms say which text they decide on."""
    return reply.submitted_at.isoformat() if reply.submitted_at else ""


# What each row of the page reads, fetched for all rows at once.
_FOLLOWED_PREFETCH = ("assignments__unit", "assignments__contacts", "assignments__opinions", "assignments__replies",
                      "replies__cosignatures", "supervision_activities", "evaluations", "lead_officials",
                      "supervising_offices")


@require_permission(Perm.FOLLOW_KEY_PROPOSALS)
def key_proposals(request, bound=None):
    """The proposals the user answers for (``followed_proposals``: every one a lead official leads, key ones
    marked; an office's key proposals), most urgent first, each with its units' progress and the supervision
    activities. ``bound``: (proposal id, the activity form that was refused), shown again as typed."""
    proposals = list(with_replied_on(followed_proposals(request.user).select_related("committee")
                                     .prefetch_related(*_FOLLOWED_PREFETCH)))
    committee = proposals[0].committee if proposals else None
    today = timezone.localdate()
    due_soon = committee.due_soon_days if committee else 5
    rows = []
    for proposal in proposals:
        policy, units = disclosure_for(request.user, proposal), []
        for a in proposal.assignments.all():
            if not a.is_active:
                continue
            # A reply still with its unit (or returned to it) is the unit's alone: the policy says which are read.
            replies = sorted(policy.replies(a.replies.all()), key=lambda r: r.round)
            units.append({"assignment": a, "contacted": bool(a.contacts.all()), "reply": replies[-1] if replies
                          else None, "due": unit_due(a, proposal)})
        units.sort(key=lambda u: not u["assignment"].replies_directly)
        ratings = sorted((e for e in proposal.evaluations.all() if e.is_lead), key=lambda e: (e.round, e.at))
        due = proposal_due(proposal)
        may_record = workflow.allowed(request.user, proposal, "record_supervision_activity")
        form = bound[1] if bound and bound[0] == proposal.pk else (
            ActivityForm(initial={"held_on": today}, prefix=f"p{proposal.pk}") if may_record else None)
        rating = ratings[-1] if ratings else None
        rows.append({"proposal": proposal, "units": units, "satisfaction": satisfaction(proposal, rating), "due": due,
                     "status": due.status(today, due_soon), "form": form,
                     "activities": sorted(proposal.supervision_activities.all(), key=lambda x: (x.held_on, x.pk))})
    rows = by_urgency(rows, lambda row: row["status"])
    shown.remember(request, shown.PROPOSALS, [proposal.pk for proposal in proposals])
    return render(request, "supervision/key_proposals.html", {
        "rows": rows, "due_soon_days": due_soon, "leads": bool(request.user.acting_lead_official_id),
        "bound_pk": bound[0] if bound else None})


@require_permission(Perm.FOLLOW_KEY_PROPOSALS)
@require_POST
def record_activity(request, proposal_pk):
    proposal = followed_proposals(request.user).filter(pk=proposal_pk).first()
    if proposal is None:
        if not _followed_once(request, proposal_pk):
            raise Http404  # as for a proposal that does not exist: nothing tells a stranger that it does
        # Given to another lead official or office since the page was opened: why, and the text typed, to copy.
        unsaved.keep(request, *(request.POST.get(f"p{proposal_pk}-{name}", "") for name in ("participants", "notes")))
        messages.error(request, _("This proposal is no longer one you follow."))
        return redirect("supervision:key_proposals")
    form = ActivityForm(request.POST, prefix=f"p{proposal.pk}")
    if form.is_valid():
        try:
            deadlines.supervision_activity_record(proposal=proposal, by=request.user, **form.cleaned_data)
        except WorkflowError as e:
            if e.code == INVALID_INPUT:
                form.add_error(None, e.message)
            else:
                messages.error(request, e.message)
        else:
            messages.success(request, _("The supervision activity was recorded."))
            return redirect(reverse("supervision:key_proposals") + f"#p{proposal.pk}")
    return key_proposals(request, bound=(proposal.pk, form))


def _followed_once(request, proposal_pk: int) -> bool:
    """Whether the user followed the proposal they no longer follow: their key-proposals page showed it in this
    session, or they recorded a supervision activity of it. Such a user may be told that it went elsewhere."""
    return shown.was_shown(request, shown.PROPOSALS, proposal_pk) or SupervisionActivity.objects.filter(
        proposal_id=proposal_pk, recorded_by=request.user).exists()
