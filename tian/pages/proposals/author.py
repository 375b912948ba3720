"""The author's pages: my proposals, drafting with autosave, attachments, co-signer invitations and
answers, submission and withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, has_permission
from tian.audit.log import audit_download
from tian.disclosure.policy import may_read_attachments
from tian.organisations.selectors import current_committee
from tian.pages.proposals.common import first_error, run_action, safe_next
from tian.proposals import services, workflow
from tian.proposals.forms import AttachmentForm, InviteForm, ProposalForm, ProposerForm
from tian.proposals.models import Attachment, CoSignature, Proposal
from tian.proposals.selectors import get_proposal_for
from tian.proposals.workflow import WorkflowError


def _draft_fields(form) -> tuple[dict, list]:
    data = dict(form.cleaned_data)
    units = data.pop("suggested_units", None) or []
    data["disclosure_consent"] = bool(data.get("disclosure_consent"))
    return {k: (v if v is not None else "") if k != "category" else v for k, v in data.items()}, units


@require_permission(Perm.SUBMIT_PROPOSALS)
def my_proposals(request):
    user = request.user
    own = Q(lead_member_id=user.member_id) if user.member_id else Q(pk__in=[])
    if user.collective_id:
        own |= Q(collective_id=user.collective_id)
    mine = (Proposal.objects.filter(own).select_related("session__term", "category", "lead_member", "collective")
            .prefetch_related("assignments").order_by("-created_at"))
    cosigned = (Proposal.objects.filter(cosignatures__member_id=user.member_id,
                                        cosignatures__status=CoSignature.Status.ACCEPTED)
                .select_related("session__term", "lead_member", "category").prefetch_related("assignments")
                .order_by("-created_at")) if user.member_id else []
    invitations = (CoSignature.objects.filter(member_id=user.member_id, status=CoSignature.Status.INVITED,
                                              expires_at__gt=timezone.now())
                   .select_related("proposal__lead_member")) if user.member_id else []
    return render(request, "proposals/mine.html",
                  {"mine": mine, "cosigned": cosigned, "invitations": invitations})


@require_permission(Perm.SUBMIT_PROPOSALS, Perm.ENTER_ON_BEHALF)
def proposal_new(request):
    committee = current_committee()
    on_behalf = has_permission(request.user, Perm.ENTER_ON_BEHALF) and not has_permission(
        request.user, Perm.SUBMIT_PROPOSALS)
    form = ProposalForm(request.POST or None, committee=committee)
    proposer_form = ProposerForm(request.POST or None, committee=committee) if on_behalf else None
    if request.method == "POST" and form.is_valid() and (proposer_form is None or proposer_form.is_valid()):
        fields, units = _draft_fields(form)
        if proposer_form is not None:
            who = {"lead_member": proposer_form.cleaned_data["lead_member"],
                   "collective": proposer_form.cleaned_data["collective"]}
        elif request.user.collective_id and not request.user.member_id:
            who = {"collective": request.user.collective}
        else:
            who = {"lead_member": request.user.member}
        try:
            proposal = services.proposal_create_draft(by=request.user, committee=committee, suggested_units=units,
                                                      **who, **fields)
        except WorkflowError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("The draft was saved. You can keep editing, invite co-signers and submit."))
            return redirect("proposals:edit", pk=proposal.pk)
    return render(request, "proposals/edit.html", {"form": form, "proposer_form": proposer_form,
                                                   "committee": committee})


def _editable(request, pk) -> Proposal:
    proposal = get_proposal_for(request.user, pk)
    if not workflow.allowed(request.user, proposal, "edit"):
        raise PermissionDenied
    return proposal


@login_required
def proposal_edit(request, pk):
    proposal = _editable(request, pk)
    committee = proposal.committee
    form = ProposalForm(request.POST or None, instance=proposal, committee=committee)
    if request.method == "POST" and form.is_valid():
        fields, units = _draft_fields(form)
        try:
            services.proposal_update_draft(proposal=proposal, by=request.user, suggested_units=units, **fields)
        except WorkflowError as e:
            form.add_error(None, e.message)
        else:
            if "submit" in request.POST:
                response, _result = run_action(
                    request, lambda: services.proposal_submit(proposal=proposal, by=request.user),
                    _("The proposal was submitted to the proposal office."), redirect_to=proposal.get_absolute_url())
                return response
            messages.success(request, _("The draft was saved."))
            return redirect("proposals:edit", pk=proposal.pk)
    invite_form = InviteForm(committee=committee, exclude=[proposal.lead_member_id or 0])
    return render(request, "proposals/edit.html", {
        "form": form, "proposal": proposal, "committee": committee, "invite_form": invite_form,
        "attachment_form": AttachmentForm(),
        "can_invite": workflow.allowed(request.user, proposal, "invite_cosigners"),
        "on_paper": workflow.allowed(request.user, proposal, "record_paper_cosigners"),
    })


@login_required
@require_POST
def proposal_autosave(request, pk):
    """htmx: save the draft silently while the author types; answers with a one-line status."""
    proposal = _editable(request, pk)
    form = ProposalForm(request.POST, instance=proposal, committee=proposal.committee)
    if not form.is_valid():
        return HttpResponse(format_html('<span class="badge badge--danger">{}</span>', first_error(form)))
    fields, units = _draft_fields(form)
    try:
        services.proposal_update_draft(proposal=proposal, by=request.user, suggested_units=units, **fields)
    except WorkflowError as e:
        return HttpResponse(format_html('<span class="badge badge--danger">{}</span>', e.message))
    return HttpResponse(_("Saved automatically at %(time)s") % {"time": timezone.localtime().strftime("%H:%M:%S")})


@login_required
@require_POST
def proposal_upload(request, pk):
    proposal = _editable(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        Attachment.objects.create(proposal=proposal, file=upload, name=upload.name[:200], size=upload.size,
                                  uploaded_by=request.user)
        messages.success(request, _("The attachment was uploaded."))
    else:
        messages.error(request, first_error(form))
    return redirect("proposals:edit", pk=proposal.pk)


@login_required
def attachment_download(request, pk):
    """Attachments are served only through this view, to people who may see the proposal."""
    attachment = get_object_or_404(Attachment, pk=pk)
    if not may_read_attachments(request.user, attachment.proposal_id):
        raise Http404

    audit_download(request, attachment.name, "proposal", attachment.proposal_id)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
@require_POST
def proposal_invite(request, pk):
    proposal = get_proposal_for(request.user, pk)
    form = InviteForm(request.POST, committee=proposal.committee, exclude=[proposal.lead_member_id or 0])
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("proposals:edit", pk=pk)
    members = list(form.cleaned_data["members"])
    if workflow.allowed(request.user, proposal, "record_paper_cosigners"):
        response, _result = run_action(
            request, lambda: services.cosign_record_on_paper(proposal=proposal, by=request.user, members=members),
            _("The co-signers of the paper form were recorded."), redirect_to=_back(request, proposal))
        return response
    response, _result = run_action(
        request, lambda: services.cosign_invite(proposal=proposal, by=request.user, members=members),
        _("The invitations were sent."), redirect_to=_back(request, proposal))
    return response


@login_required
@require_POST
def cosign_withdraw(request, pk):
    cosignature = get_object_or_404(CoSignature, pk=pk)
    proposal = get_proposal_for(request.user, cosignature.proposal_id)
    response, _result = run_action(
        request, lambda: services.cosign_withdraw_invitation(cosignature=cosignature, by=request.user),
        _("The invitation was withdrawn."), redirect_to=_back(request, proposal))
    return response


@login_required
@require_POST
def cosign_respond(request, pk):
    cosignature = get_object_or_404(CoSignature, pk=pk, member_id=request.user.member_id or 0)
    accept = request.POST.get("answer") == "accept"
    message = _("You agreed to co-sign the proposal.") if accept else _("You declined to co-sign the proposal.")
    response, _result = run_action(
        request, lambda: services.cosign_respond(cosignature=cosignature, by=request.user, accept=accept),
        message, redirect_to=safe_next(request, cosignature.proposal.get_absolute_url()))
    return response


def _back(request, proposal):
    if workflow.allowed(request.user, proposal, "edit"):
        return f"{proposal.get_absolute_url()}edit/"
    return proposal.get_absolute_url()
