"""The author's pages: my proposals, drafting with autosave, attachments, co-signer invitations and
answers, submission and withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, has_permission
from tian.audit.log import audit_download, audit_refusal
from tian.core import unsaved
from tian.deadlines.status import PROPOSAL_DUE_PREFETCH
from tian.disclosure.policy import may_read_attachments
from tian.organisations.selectors import current_committee
from tian.pages.proposals.common import first_error, run_action, safe_next
from tian.proposals import services, workflow
from tian.proposals.forms import AttachmentForm, DraftForm, InviteForm, ProposalForm, ProposerForm
from tian.proposals.models import Attachment, CoSignature, Kind, Proposal, open_invitations
from tian.proposals.selectors import credited_ids, get_proposal_for, may_open, own_proposals
from tian.proposals.workflow import CONFLICT, WorkflowError


def _draft_fields(form) -> tuple[dict, list]:
    data = dict(form.cleaned_data)
    units = data.pop("suggested_units", None) or []
    data.pop("revision", None)
    data["disclosure_consent"] = bool(data.get("disclosure_consent"))
    return {k: (v if v is not None else "") if k != "category" else v for k, v in data.items()}, units


@require_permission(Perm.SUBMIT_PROPOSALS)
def my_proposals(request):
    user = request.user
    mine = (own_proposals(user).select_related("session__term", "category", "lead_member", "collective")
            .prefetch_related(*PROPOSAL_DUE_PREFETCH).order_by("-created_at"))
    # Credited as the proposal pages name them: co-signed, and what the member's proposals were merged into.
    member_id = user.acting_member_id
    cosigned = (Proposal.objects.filter(pk__in=credited_ids(member_id)).exclude(lead_member_id=member_id)
                .select_related("session__term", "lead_member", "category").prefetch_related(*PROPOSAL_DUE_PREFETCH)
                .order_by("-created_at")) if member_id else []
    invitations = (CoSignature.objects.filter(open_invitations(), member_id=member_id)
                   .select_related("proposal__lead_member")) if member_id else []
    return render(request, "proposals/mine.html",
                  {"mine": mine, "cosigned": cosigned, "invitations": invitations})


# The draft page is one form: the text, the co-signers and the attachments above 提交. Each button names what it
# does; the draft is saved (created, the first time) in the same step, so nothing waits for a first save, and the
# page comes back at the section just used (the anchor in the form's and the redirect's address).
SECTION = {"save": "draft-actions", "submit": "draft-actions", "invite": "cosigners", "withdraw": "cosigners",
           "upload": "attachments", "remove_attachment": "attachments"}


def _chosen(post) -> str:
    """Which button sent the form; Enter in a field is 'save' (the form's first, hidden, button)."""
    return next((name for name in ("submit", "invite", "withdraw", "upload", "remove_attachment") if name in post),
                "save")


def _proposer(user, proposer_form) -> dict:
    if proposer_form is not None:
        return {"lead_member": proposer_form.cleaned_data["lead_member"],
                "collective": proposer_form.cleaned_data["collective"]}
    if user.acting_collective_id and not user.acting_member_id:
        return {"collective": user.collective}
    return {"lead_member": user.member}


def _unsaved(user, committee, on_behalf: bool) -> Proposal:
    """The draft as it will be when first saved, so the workflow can say what its author may do with it."""
    if on_behalf:
        return Proposal(committee=committee, created_by=user)
    if user.acting_collective_id and not user.acting_member_id:
        return Proposal(committee=committee, created_by=user, kind=Kind.COLLECTIVE,
                        collective_id=user.acting_collective_id)
    return Proposal(committee=committee, created_by=user, lead_member_id=user.member_id)


def _named(post, button: str, model, proposal):
    """The row of ``proposal`` whose id the pressed ``button`` carries (an invitation to withdraw, a file to remove)."""
    try:
        pk = int(post.get(button, ""))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(model, pk=pk, proposal=proposal)


def _perform(request, action: str, proposal: Proposal, invite_form, attachment_form) -> str:
    """The action of the button pressed, on a saved draft; answers the message to show. Raises WorkflowError."""
    user = request.user
    if action == "invite":
        members = list(invite_form.cleaned_data["members"])
        if workflow.on_paper_cosigners(user, proposal):
            services.cosign_record_on_paper(proposal=proposal, by=user, members=members)
            return _("The co-signers of the paper form were recorded.")
        services.cosign_invite(proposal=proposal, by=user, members=members)
        return _("The invitations were sent.")
    if action == "withdraw":
        services.cosign_withdraw_invitation(cosignature=_named(request.POST, "withdraw", CoSignature, proposal), by=user)
        return _("The invitation was withdrawn.")
    if action == "upload":
        services.attachment_add(proposal=proposal, by=user, file=attachment_form.cleaned_data["file"])
        return _("The attachment was uploaded.")
    if action == "remove_attachment":
        attachment = _named(request.POST, "remove_attachment", Attachment, proposal)
        services.attachment_remove(attachment=attachment, by=user)
        return _("The attachment %(name)s was removed.") % {"name": attachment.name}
    return _("The draft was saved.")


def _seen(form) -> str | None:
    """The draft's revision the page showed (``services.draft_revision``); None from a page that sent none (one
    opened before the page carried it): saved as before."""
    return form.cleaned_data.get("revision") or None


def _saved_meanwhile(form, current: Proposal) -> list[tuple[str, str]]:
    """What another author saved of the draft that differs from what the refused form holds: each field's label and
    its saved value, shown above the form to compare and copy."""
    typed = form.cleaned_data
    rows = []
    for name, field in form.fields.items():
        if name == "suggested_units":
            units = list(current.suggested_units.all())
            same = {u.pk for u in units} == {u.pk for u in typed.get(name) or []}
            shown = "、".join(u.name for u in units)
        elif name == "category":
            same = current.category_id == getattr(typed.get(name), "pk", None)
            shown = str(current.category or "")
        elif name == "disclosure_consent":
            same = current.disclosure_consent == bool(typed.get(name))
            shown = _("Yes") if current.disclosure_consent else _("No")
        elif name in DRAFT_TEXTS:
            shown = getattr(current, name) or ""
            same = shown == (typed.get(name) or "")
        else:
            continue
        if not same:
            rows.append((field.label, shown))
    return rows


DRAFT_TEXTS = frozenset(services.DRAFT_FIELDS - {"category", "disclosure_consent", "kind"})


def _draft_page(request, *, committee, proposal: Proposal | None, proposer_form=None):
    """The new-proposal and edit pages. Any error re-renders every form as it was sent, next to its field. A draft
    saved by another of its authors since the page was opened is not overwritten: the page comes back with what was
    typed, what is saved now above it, and the revision of now (sent again, the form saves over it)."""
    user = request.user
    post = request.POST if request.method == "POST" else None
    action = _chosen(post) if post is not None else ""
    subject = proposal or _unsaved(user, committee, proposer_form is not None)
    lead_id = subject.lead_member_id
    form = DraftForm(post, instance=proposal, committee=committee,
                     revision=services.draft_revision(proposal) if proposal is not None else "")
    invite_form = InviteForm(post if action == "invite" else None, committee=committee, exclude=[lead_id or 0],
                             paper=workflow.allowed(user, subject, "record_paper_cosigners"))
    attachment_form = AttachmentForm(post if action == "upload" else None,
                                     request.FILES if action == "upload" else None)
    section_errors, saved_meanwhile = {}, []
    if post is not None:
        valid = [form.is_valid(), proposer_form is None or proposer_form.is_valid(),
                 invite_form.is_valid() if action == "invite" else True,
                 attachment_form.is_valid() if action == "upload" else True]
        if all(valid):
            fields, units = _draft_fields(form)
            try:
                with transaction.atomic():  # a refused invitation leaves no half-made draft behind
                    if proposal is None:
                        saved = services.proposal_create_draft(by=user, committee=committee, suggested_units=units,
                                                               **_proposer(user, proposer_form), **fields)
                    else:
                        saved = services.proposal_update_draft(proposal=proposal, by=user, suggested_units=units,
                                                               seen=_seen(form), **fields)
                    done = _perform(request, action, saved, invite_form, attachment_form)
            except WorkflowError as e:
                audit_refusal(request, e)
                current = None
                if e.code == CONFLICT and proposal is not None and _seen(form) is not None:
                    try:
                        current = _editable(request, proposal.pk)  # the draft as it is now
                    except NoLongerEditable as gone:  # submitted meanwhile by another of its authors
                        return _where_it_stands(request, gone)
                if current is not None and services.draft_revision(current) != _seen(form):
                    proposal, saved_meanwhile = current, _saved_meanwhile(form, current)
                    form.data = form.data.copy()  # sent again, the form saves over the draft shown now
                    form.data["revision"] = services.draft_revision(current)
                    form.add_error(None, e.message)
                    form.add_error(None, _("What you typed is kept in the form below; what is saved now is shown "
                                           "above it. Combine them, then save again."))
                elif SECTION[action] == "draft-actions":
                    form.add_error(None, e.message)
                else:
                    section_errors[SECTION[action]] = e.message
            else:
                edit_url = reverse("proposals:edit", args=[saved.pk])
                if action == "submit":
                    try:
                        services.proposal_submit(proposal=saved, by=user)
                    except WorkflowError as e:  # incomplete: the draft is saved; the reason stands by the buttons
                        audit_refusal(request, e)
                        messages.error(request, e.message, extra_tags="section-draft-actions")
                        return redirect(f"{edit_url}#draft-actions")
                    messages.success(request, _("The proposal was submitted to the proposal office."))
                    return redirect(saved.get_absolute_url())
                if proposal is None and action == "save":
                    done = _("The draft was saved. You can keep editing, invite co-signers and submit.")
                messages.success(request, done, extra_tags=f"section-{SECTION[action]}")
                return redirect(f"{edit_url}#{SECTION[action]}")
    return render(request, "proposals/edit.html", {
        "form": form, "proposer_form": proposer_form, "proposal": proposal, "committee": committee,
        "invite_form": invite_form, "attachment_form": attachment_form, "section_errors": section_errors,
        "saved_meanwhile": saved_meanwhile,
        "can_invite": workflow.allowed(user, subject, "invite_cosigners"),
        "on_paper": workflow.allowed(user, subject, "record_paper_cosigners"),
        "can_withdraw": proposal is not None and workflow.allowed(user, proposal, "withdraw"),
    })


@require_permission(Perm.SUBMIT_PROPOSALS, Perm.ENTER_ON_BEHALF)
def proposal_new(request):
    committee = current_committee()
    on_behalf = has_permission(request.user, Perm.ENTER_ON_BEHALF) and not has_permission(
        request.user, Perm.SUBMIT_PROPOSALS)
    proposer_form = ProposerForm(request.POST or None, committee=committee) if on_behalf else None
    return _draft_page(request, committee=committee, proposal=None, proposer_form=proposer_form)


class NoLongerEditable(Exception):
    """The author's draft has moved on (submitted, perhaps by a second click of 提交 or from another tab)."""

    def __init__(self, proposal):
        super().__init__(proposal.pk)
        self.proposal = proposal
        self.message = _("This proposal can no longer be changed: it is “%(state)s”.") % {
            "state": proposal.get_state_display()}


def _where_it_stands(request, error: NoLongerEditable):
    """A draft form sent from a page that has moved on (a second click of 提交, another tab): its author is shown the
    proposal where it stands, with why nothing was taken and what they typed, to copy."""
    messages.info(request, error.message)
    unsaved.keep(request, *unsaved.typed(ProposalForm(request.POST, committee=error.proposal.committee)))
    return redirect(error.proposal.get_absolute_url())


def _editable(request, pk) -> Proposal:
    proposal = get_proposal_for(request.user, pk)
    if not workflow.allowed(request.user, proposal, "edit"):
        if workflow.is_author(request.user, proposal):
            raise NoLongerEditable(proposal)
        raise PermissionDenied
    return proposal


@login_required
def proposal_edit(request, pk):
    try:
        proposal = _editable(request, pk)
    except NoLongerEditable as e:
        if request.method != "POST":
            raise PermissionDenied from e  # the edit page of a proposal that is no longer a draft is refused
        return _where_it_stands(request, e)
    return _draft_page(request, committee=proposal.committee, proposal=proposal)


@login_required
@require_POST
def proposal_autosave(request, pk):
    """htmx: save the draft silently while the author types; answers with a one-line status, and the draft's new
    revision for the page's form (``proposals/_autosave.html``: its next save, or 保存, is not refused as a save of
    another). A draft saved by another of its authors since the page was opened is not overwritten."""
    try:
        proposal = _editable(request, pk)
    except NoLongerEditable as e:  # shown where the status line is: what is typed now is not kept
        return _autosave_answer(request, refused=e.message)
    form = DraftForm(request.POST, instance=proposal, committee=proposal.committee)
    if not form.is_valid():
        return _autosave_answer(request, refused=first_error(form))
    fields, units = _draft_fields(form)
    try:
        saved = services.proposal_update_draft(proposal=proposal, by=request.user, suggested_units=units,
                                               seen=_seen(form), **fields)
    except WorkflowError as e:
        if e.code == CONFLICT and _seen(form) is not None:
            return _autosave_answer(request, refused=_("Not saved: someone else changed this draft"), hint=_(
                "Press “Save draft” to see what they saved; what you typed stays in the form."))
        return _autosave_answer(request, refused=e.message)
    return _autosave_answer(request, revision=services.draft_revision(saved), saved=_(
        "Saved automatically at %(time)s") % {"time": timezone.localtime().strftime("%H:%M:%S")})


def _autosave_answer(request, *, refused: str = "", hint: str = "", saved: str = "", revision: str = ""):
    return render(request, "proposals/_autosave.html",
                  {"refused": refused, "hint": hint, "saved": saved, "revision": revision})


@login_required
@require_POST
def proposal_upload(request, pk):
    try:
        proposal = _editable(request, pk)
    except NoLongerEditable as e:
        return _where_it_stands(request, e)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(proposal=proposal, by=request.user, file=form.cleaned_data["file"])
        except WorkflowError as e:
            messages.error(request, e.message, extra_tags="section-attachments")
        else:
            messages.success(request, _("The attachment was uploaded."), extra_tags="section-attachments")
    else:
        messages.error(request, first_error(form), extra_tags="section-attachments")
    return redirect(reverse("proposals:edit", args=[proposal.pk]) + "#attachments")


@login_required
def attachment_download(request, pk):
    """Attachments are served only through this view, to people who may see the proposal."""
    attachment = get_object_or_404(Attachment, pk=pk)
    if not may_read_attachments(request.user, attachment.proposal_id):
        audit_refusal(request, None)  # a file of someone else's proposal asked for: recorded, answered as not there
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
        messages.error(request, first_error(form), extra_tags="section-cosigners")
        return redirect(_back(request, proposal))
    members = list(form.cleaned_data["members"])
    if workflow.on_paper_cosigners(request.user, proposal):
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
    cosignature = get_object_or_404(CoSignature, pk=pk, member_id=request.user.acting_member_id or 0)
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):  # an answer never given is not a refusal
        messages.error(request, _("Please choose to agree or to decline."))
        return redirect(safe_next(request, reverse("dashboard:home_member")))
    accept = answer == "accept"
    message = _("You agreed to co-sign the proposal.") if accept else _("You declined to co-sign the proposal.")
    proposal = cosignature.proposal
    response, _result = run_action(
        request, lambda: services.cosign_respond(cosignature=cosignature, by=request.user, accept=accept),
        message, redirect_to=safe_next(request, proposal.get_absolute_url()))
    if response.url == proposal.get_absolute_url() and not may_open(request.user, proposal):
        # Declined, or too late: the draft is no longer theirs to read; the message shows on their home page.
        response = redirect("dashboard:home_member")
    return response


def _back(request, proposal):
    if workflow.allowed(request.user, proposal, "edit"):
        return reverse("proposals:edit", args=[proposal.pk]) + "#cosigners"
    return proposal.get_absolute_url()
