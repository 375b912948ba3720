"""The unit handler's pages: the inbox by task and the work page of one proposal, whose forms call the
handling services. Every page and action is for the handler's own unit only (404 otherwise)."""

import datetime
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.audit.log import audit_refusal
from tian.core import unsaved, versions
from tian.core.calendar import corrections_version
from tian.deadlines import services as deadlines
from tian.deadlines.models import FollowUp
from tian.deadlines.status import reply_deadline, unit_due
from tian.disclosure.policy import disclosure_for
from tian.handling import services
from tian.handling.letters import build_letter
from tian.handling.models import (
    Assignment,
    AssistingOpinion,
    Reply,
    ReplyCoSignature,
    UnitRole,
)
from tian.handling.unit_forms import (
    ContactForm,
    ExtensionForm,
    FollowUpForm,
    OpinionForm,
    ReassignmentForm,
    RemindForm,
    ReplyForm,
)
from tian.organisations.models import Unit
from tian.pages.handling import inbox as tasks
from tian.pages.ids import distinct_ids
from tian.pages.proposals.common import field_error
from tian.proposals import workflow
from tian.proposals.selectors import credited_proposers, get_proposal_for, get_proposal_row_for
from tian.proposals.workflow import INVALID_INPUT, MSG_CONFLICT, WorkflowError
from tian.supervision.models import SupervisionReview


def inbox_groups(user) -> list[dict]:
    """Every open task of the user's unit by group, unpaged (the API's task list; the page shows them a few at
    a time, see ``tian.pages.handling.inbox``)."""
    items = tasks.all_items(user.unit_id)
    return [{"key": g.key, "label": g.label, "items": items[g.key], "kind": g.kind} for g in tasks.GROUPS]


@require_permission(Perm.HANDLE)
def inbox(request):
    """The unit's open tasks by group: every group's count and its most urgent items, or with ``?group=`` one
    group a page at a time (``&page=``)."""
    selected = tasks.BY_KEY.get(request.GET.get("group", ""))
    number = request.GET.get("page", "")
    # Kept until any of the committee's proposals or names changes (every change of a task writes an event), per
    # unit (every handler of the unit has the same tasks), query (group, page), language, day and calendar (the
    # groups and the deadline badges move with the date).
    unit = Unit.objects.filter(pk=request.user.unit_id).select_related("committee").first()
    data, names = versions.read(unit.committee_id if unit else None, versions.PROPOSALS, versions.NAMES)
    key = ("unit_inbox", unit.pk if unit else None, data, names, corrections_version(), timezone.localdate(),
           get_language(), request.GET.urlencode())
    body = versions.cached(key, lambda: _inbox_body(request, unit, selected, number))
    return render(request, "handling/unit_inbox.html", {"selected": selected, "body": body})


def _inbox_body(request, unit, selected, number) -> str:
    unit_id = unit.pk if unit else None
    page = None
    if selected is not None:
        count, items = tasks.group_page(unit_id, selected, page=min(int(number), 10**6) if number.isdigit() else 1,
                                        size=tasks.PAGE_SIZE)
        page = Paginator(range(count), tasks.PAGE_SIZE).get_page(number)
        counts, items = {selected.key: count}, {selected.key: items}
    else:
        counts, items = tasks.first_items(unit_id)
    groups = [{"key": g.key, "label": g.label, "count": counts[g.key], "items": items[g.key]}
              for g in tasks.GROUPS if counts.get(g.key)]
    return render_to_string("handling/_inbox_body.html", {
        "groups": groups, "total": sum(counts.values()), "selected": selected, "page": page, "unit": unit,
        "due_soon_days": unit.committee.due_soon_days if unit else 5, "request": request})


def _my_assignment(user, proposal) -> Assignment:
    assignment = proposal.assignments.filter(unit_id=user.unit_id).active().select_related("unit").first()
    if assignment is None:
        raise Http404
    return assignment


@require_permission(Perm.HANDLE)
def work(request, proposal_pk):
    return _work_page(request, proposal_pk)


def _work_page(request, proposal_pk, bound: dict | None = None):
    """The unit's work page of one proposal. ``bound``: the form that was sent and refused, by its name, shown
    again with everything typed into it and its errors beside its fields (no input is lost)."""
    bound = bound or {}
    proposal = get_proposal_for(request.user, proposal_pk)
    assignment = _my_assignment(request.user, proposal)
    committee = proposal.committee
    replies = list(Reply.objects.filter(assignment=assignment).order_by("round").select_related("unit"))
    round_ = services.current_round(proposal)
    current = next((r for r in replies if r.round == round_), None)
    steps = services.unit_steps(request.user, proposal, assignment)  # what the unit may do now, as the services take it
    editable = "write_reply" in steps
    reply_form = None
    if editable:
        initial = {"signer": assignment.unit.leader, "reply_date": timezone.localdate()}
        if current is not None:
            initial = {f: getattr(current, f) for f in services.REPLY_FIELDS}
        initial["revision"] = services.draft_revision(current)
        reply_form = bound.get("reply") or ReplyForm(initial=initial, committee=committee, submitting=True)
        if reply_form.is_bound:  # shown again with what was typed: sent again, it saves over the draft shown now
            reply_form.data = reply_form.data.copy()
            reply_form.data["revision"] = initial["revision"]
    # A reply waiting for the unit's co-signature, once the unit signed for the proposal (as ``reply_cosign`` asks).
    cosign_for = None if "cosign_reply" not in steps else (
        ReplyCoSignature.objects.filter(reply__proposal=proposal, unit_id=request.user.unit_id, signed_at__isnull=True,
                                        reply__status=Reply.Status.COSIGNING)
        .select_related("reply__unit", "reply__assignment", "reply__proposal").first())
    follow_ups = list(FollowUp.objects.awaited().filter(reply__assignment=assignment))
    for item in follow_ups:
        item.form = bound.get(f"follow_up:{item.pk}") or FollowUpForm(prefix=f"f{item.pk}")
    context = {
        "proposal": proposal, "assignment": assignment, "proposers": credited_proposers(proposal),
        "contact": proposal.contact_details() if disclosure_for(request.user, proposal).proposer_contact else None,
        "due": unit_due(assignment, proposal),
        "letters": [build_letter(r) for r in replies if r.was_submitted or r == current],
        "current": current, "reply_form": reply_form,

        "returned_reviews": list(SupervisionReview.objects.filter(reply=current,
                                                         decision=SupervisionReview.Decision.RETURNED))
        if current and current.status == Reply.Status.RETURNED else [],
        "opinions": list(AssistingOpinion.objects.filter(assignment__proposal=proposal).select_related(
            "assignment__unit")) if assignment.role == UnitRole.LEAD else
        list(assignment.opinions.all()),
        "contacts": list(assignment.contacts.all()),
        "cosign_for": cosign_for, "cosign_letter": build_letter(cosign_for.reply) if cosign_for else None,
        "cosign_due": reply_deadline(cosign_for.reply) if cosign_for else None,
        "waiting_for": _waiting_for(request.user, proposal, assignment),
        "can_sign": "sign_for" in steps,
        "can_reassign": "request_reassignment" in steps,
        "reassign_closed": services.reassignment_closed(request.user, proposal, assignment)
        if "request_reassignment" not in steps else None,
        "reassignments": list(assignment.reassignment_requests.all()),
        "can_contact": "record_contact" in steps,  # once signed for (``lifecycle.ASSIGNMENT``)
        "can_opinion": "send_opinion" in steps,
        "can_extend": assignment.replies_directly and deadlines.may_request_extension(request.user, proposal, assignment),
        "extensions": list(assignment.extensions.all()),
        "follow_ups": follow_ups,
        "forms": {"reassign": bound.get("reassign") or ReassignmentForm(),
                  "contact": bound.get("contact") or ContactForm(initial={"contacted_on": timezone.localdate()}),
                  "opinion": bound.get("opinion") or OpinionForm(), "extension": bound.get("extension")
                  or ExtensionForm()},
        "bound": next(iter(bound), ""),
        "due_soon_days": committee.due_soon_days,
    }
    # A form refused because the unit's part moved on (another handler submitted the reply, asked for the extension,
    # sent the opinion): its section is gone, and what was typed into it is shown to copy.
    shown = {"reply": reply_form is not None, "reassign": context["can_reassign"], "contact": context["can_contact"],
             "opinion": context["can_opinion"], "extension": context["can_extend"],
             **{f"follow_up:{item.pk}": True for item in follow_ups}}  # a follow-up reported meanwhile is not listed
    # The forms shown together with ids of their own where they share a field's name (the reassignment's and the
    # extension's "reason").
    distinct_ids({name: form for name, form in {**context["forms"], "reply": reply_form}.items() if shown.get(name)})
    context["unsaved"] = "\n\n".join(text for name, form in bound.items() if not shown.get(name, False)
                                      for text in unsaved.typed(form) if text.strip())
    return render(request, "handling/unit_work.html", context)


def _waiting_for(user, proposal, assignment) -> list[dict]:
    """For the lead unit: each assisting unit, what the reply still waits for from it (its opinion, its
    co-signature) with that deadline, and whether the lead unit may remind it now."""
    if assignment.role != UnitRole.LEAD:
        return []
    assisting = list(proposal.assignments.active().filter(role=UnitRole.ASSISTING).select_related("unit")
                     .prefetch_related("opinions"))
    if not assisting:
        return []
    prefetch_related_objects([proposal], "replies__cosignatures")
    may_remind = workflow.allowed(user, proposal, "write_reply")  # what ``deadlines.assisting_remind`` asks
    rows = []
    for a in assisting:
        due = unit_due(a, proposal)
        rows.append({"assignment": a, "due": due, "opinion": next(iter(a.opinions.all()), None),
                     "can_remind": may_remind and not due.done})
    return rows


class TakenOff(Exception):
    """The unit's assignment was ended (re-routed, withdrawn) while a handler had its work page open."""

    def __init__(self, proposal_id: int):
        super().__init__(proposal_id)
        self.proposal_id = proposal_id


def _assignment_for(request, pk) -> Assignment:
    """The user's unit's assignment, active, of a proposal they may open. One ended meanwhile is answered by
    ``_unit_form`` with why, not with a bare 404."""
    assignment = get_object_or_404(Assignment.objects.select_related("proposal", "unit"), pk=pk,
                                   unit_id=request.user.unit_id or 0)
    if not assignment.is_active:
        raise TakenOff(assignment.proposal_id)
    get_proposal_row_for(request.user, assignment.proposal_id)
    return assignment


def _unit_form(view):
    """A form of the unit's work page: sent after the unit was taken off the proposal, it is answered on the inbox
    with why nothing was taken, and what was typed is shown there to copy."""
    @wraps(view)
    def answered(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TakenOff as e:
            unsaved.keep(request, *(v for name, v in request.POST.items() if name in UNIT_TEXTS))
            if Assignment.objects.filter(proposal_id=e.proposal_id, unit_id=request.user.unit_id).active().exists():
                # Re-routed back to the unit since the page was opened: its work page as it is now.
                messages.error(request, str(MSG_CONFLICT))
                return redirect("handling:work", proposal_pk=e.proposal_id)
            messages.error(request, _("This unit no longer handles the proposal."))
            return redirect("handling:inbox")
    return answered


# The text areas of the work page's forms (a reason, a contact's summary, an opinion, a reply), kept when the form
# meets an assignment that ended.
UNIT_TEXTS = unsaved.typed_fields(ReassignmentForm, ContactForm, OpinionForm, ReplyForm, ExtensionForm)


def _done(request, proposal_pk, call, success, form=None, name=""):
    """Run one action of the work page. A form with errors, or one the service refuses, is shown again on the work
    page with what was typed; otherwise back to the work page with the outcome."""
    if form is not None and not form.is_valid():
        return _work_page(request, proposal_pk, bound={name: form})
    try:
        call(form.cleaned_data if form is not None else None)
    except WorkflowError as e:
        audit_refusal(request, e)
        if form is None:
            messages.error(request, e.message)
        else:  # beside the form when the input is wrong; on top when the proposal or the unit's part is not ready
            if e.code == INVALID_INPUT:
                form.add_error(None, e.message)
            else:
                messages.error(request, e.message)
            return _work_page(request, proposal_pk, bound={name: form})
    else:
        messages.success(request, success)
    return redirect("handling:work", proposal_pk=proposal_pk)


@require_permission(Perm.HANDLE)
@require_POST
@_unit_form
def sign(request, pk):
    a = _assignment_for(request, pk)
    return _done(request, a.proposal_id, lambda d: services.assignment_sign_for(assignment=a, by=request.user),
                 _("Signed for."))


@require_permission(Perm.HANDLE)
@require_POST
@_unit_form
def reassign(request, pk):
    a = _assignment_for(request, pk)
    return _done(request, a.proposal_id, lambda d: services.reassignment_request(
        assignment=a, by=request.user, reason=d["reason"], suggested_unit=d["suggested_unit"]),
        _("The reassignment request was sent to the proposal office."), ReassignmentForm(request.POST), "reassign")


@require_permission(Perm.HANDLE)
@require_POST
@_unit_form
def contact(request, pk):
    a = _assignment_for(request, pk)
    return _done(request, a.proposal_id, lambda d: services.contact_record(
        assignment=a, by=request.user, method=d["method"], contacted_on=d["contacted_on"], summary=d["summary"]),
        _("The contact was recorded."), ContactForm(request.POST), "contact")


@require_permission(Perm.HANDLE)
@require_POST
@_unit_form
def opinion(request, pk):
    a = _assignment_for(request, pk)
    return _done(request, a.proposal_id, lambda d: services.opinion_send(assignment=a, by=request.user,
                                                                          body=d["body"]),
                 _("The opinion was sent to the lead unit."), OpinionForm(request.POST), "opinion")


@require_permission(Perm.HANDLE)
@require_POST
@_unit_form
def reply(request, pk):
    a = _assignment_for(request, pk)
    submit = "submit" in request.POST
    form = ReplyForm(request.POST, committee=a.proposal.committee, submitting=submit)

    def save(d):
        fields = {f: d[f] or "" for f in services.REPLY_FIELDS if f != "reply_date"}
        fields["reply_date"] = d["reply_date"] or datetime.date.today()
        # A form without the revision (an older page's) is taken as before.
        seen = d["revision"] if "revision" in request.POST else None
        saved = services.reply_save(assignment=a, by=request.user, seen=seen, **fields)
        if submit:
            services.reply_submit(reply=saved, by=request.user)

    message = _("The reply was submitted.") if submit else _("The reply draft was saved.")
    return _done(request, a.proposal_id, save, message, form, "reply")


@require_permission(Perm.HANDLE)
@require_POST
def cosign(request, pk):
    signature = get_object_or_404(ReplyCoSignature.objects.select_related("reply"), pk=pk,
                                  unit_id=request.user.unit_id or 0)
    proposal = get_proposal_for(request.user, signature.reply.proposal_id)
    return _done(request, proposal.pk, lambda d: services.reply_cosign(reply=signature.reply, by=request.user),
                 _("Your unit co-signed the reply."))


@require_permission(Perm.HANDLE)
@require_POST
@_unit_form
def extension(request, pk):
    a = _assignment_for(request, pk)
    return _done(request, a.proposal_id, lambda d: deadlines.extension_request(
        assignment=a, by=request.user, requested_deadline=d["requested_deadline"], reason=d["reason"]),
        _("The extension request was sent to the proposal office."), ExtensionForm(request.POST), "extension")


@require_permission(Perm.HANDLE)
@require_POST
def follow_up(request, pk):
    item = get_object_or_404(FollowUp.objects.select_related("reply"), pk=pk,
                             reply__unit_id=request.user.unit_id or 0)
    return _done(request, item.reply.proposal_id, lambda d: deadlines.follow_up_report(
        follow_up=item, by=request.user, report=d["report"]), _("The follow-up report was sent."),
        FollowUpForm(request.POST, prefix=f"f{item.pk}"), f"follow_up:{item.pk}")


@require_permission(Perm.HANDLE)
@require_POST
def remind_assisting(request, pk):
    """The lead unit reminds an assisting unit of the opinion or co-signature its reply waits for."""
    assisting = get_object_or_404(Assignment.objects.select_related("unit"), pk=pk)
    proposal = get_proposal_for(request.user, assisting.proposal_id)
    form = RemindForm(request.POST)
    if not form.is_valid():  # a message too long: nothing is sent, and the reason is given (what was typed, kept)
        messages.error(request, field_error(form))
        unsaved.keep(request, form.data.get("note", ""))
        return redirect(reverse("handling:work", args=[proposal.pk]) + "#waiting")
    note = form.cleaned_data["note"]
    try:
        deadlines.assisting_remind(assignment=assisting, by=request.user, note=note)
    except WorkflowError as e:
        audit_refusal(request, e)
        messages.error(request, e.message)
    else:
        messages.success(request, _("The reminder was sent to %(unit)s.") % {"unit": assisting.unit.name})
    return redirect(reverse("handling:work", args=[proposal.pk]) + "#waiting")
