"""Supervisors' and lead officials' pages: the review queue, reviewing a reply, and key proposals with
their progress and supervision activities."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.deadlines import services as deadlines
from tian.disclosure.policy import Disclosure, disclosure_for
from tian.handling.lifecycle import REPLY
from tian.handling.models import Evaluation, Reply
from tian.pages.proposals.common import first_error
from tian.proposals.selectors import get_proposal_for
from tian.proposals.workflow import WorkflowError
from tian.supervision import services
from tian.supervision.forms import ActivityForm, ApproveForm, ReturnForm
from tian.supervision.selectors import awaiting_review, key_proposals_for


@require_permission(Perm.SUPERVISE)
def queue(request):
    return render(request, "supervision/queue.html", {"replies": list(awaiting_review(request.user))})


def _reply_for(request, pk) -> tuple[Reply, Disclosure]:
    """The reply, if it was sent to the user's office for review (a draft still with its unit is not)."""
    reply = get_object_or_404(Reply.objects.select_related("proposal", "unit", "assignment"), pk=pk,
                              proposal__supervising_offices=request.user.office_id or 0)
    proposal = get_proposal_for(request.user, reply.proposal_id)
    policy = disclosure_for(request.user, proposal)
    if not policy.reply_visible(reply):
        raise Http404
    reply.proposal = proposal
    return reply, policy


@require_permission(Perm.SUPERVISE)
def review(request, pk):
    reply, policy = _reply_for(request, pk)
    committee = reply.proposal.committee
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("approve", "return"):
            messages.error(request, _("Please choose to approve or to return the reply."))
            return redirect("supervision:review", pk=reply.pk)
        form = (ApproveForm(request.POST, committee=committee) if decision == "approve" else ReturnForm(request.POST))
        if not form.is_valid():
            messages.error(request, first_error(form))
            return redirect("supervision:review", pk=reply.pk)
        try:
            if decision == "approve":
                services.reply_approve(reply=reply, by=request.user, outcome=form.cleaned_data["outcome"] or None,
                                       comments=form.cleaned_data["comments"])
                messages.success(request, _("The reply was approved and released to the proposers."))
            else:
                services.reply_return(reply=reply, by=request.user, comments=form.cleaned_data["comments"])
                messages.success(request, _("The reply was returned to the unit."))
        except WorkflowError as e:
            messages.error(request, e.message)
            return redirect("supervision:review", pk=reply.pk)
        return redirect("supervision:queue")
    return render(request, "supervision/review.html", {
        "reply": reply, "proposal": reply.proposal, "letter": policy.letter(reply),
        "approve_form": ApproveForm(committee=committee), "return_form": ReturnForm(),
        "pending": REPLY.permits(request.user, reply.proposal, reply, "approve")})


@require_permission(Perm.FOLLOW_KEY_PROPOSALS)
def key_proposals(request):
    proposals = list(key_proposals_for(request.user))
    rows = []
    for proposal in proposals:
        units = []
        for a in proposal.assignments.active().select_related("unit"):
            reply = a.replies.order_by("-round").first()
            units.append({"assignment": a, "contacted": a.contacts.exists(), "reply": reply})
        rating = (Evaluation.objects.filter(proposal=proposal, is_lead=True).order_by("-round", "-at").first())
        rows.append({"proposal": proposal, "units": units, "rating": rating,
                     "activities": list(proposal.supervision_activities.all())})
    return render(request, "supervision/key_proposals.html", {
        "rows": rows, "form": ActivityForm(initial={"held_on": timezone.localdate()})})


@require_permission(Perm.FOLLOW_KEY_PROPOSALS)
@require_POST
def record_activity(request, proposal_pk):
    proposal = get_object_or_404(key_proposals_for(request.user), pk=proposal_pk)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        try:
            deadlines.supervision_activity_record(proposal=proposal, by=request.user, **form.cleaned_data)
        except WorkflowError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The supervision activity was recorded."))
    return redirect(reverse("supervision:key_proposals") + f"#p{proposal.pk}")
