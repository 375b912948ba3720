"""The proposal office's pages and every POST action on a proposal page.

``ACTIONS`` maps an action name to its form and its service call; one view serves them all, so every
action is validated, refused and reported the same way.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.audit.log import audit_refusal
from tian.core import unsaved, versions
from tian.core.calendar import corrections_version
from tian.deadlines import services as deadlines
from tian.deadlines.forms import PaperFollowUpForm
from tian.deadlines.models import ExtensionRequest
from tian.deadlines.services import disclosure_deadline, with_replied_on
from tian.deadlines.status import PROPOSAL_DUE_PREFETCH
from tian.handling import services as handling
from tian.handling.forms import EvaluationForm, PaperEvaluationForm
from tian.handling.models import Assignment, ReassignmentRequest
from tian.organisations.selectors import current_committee
from tian.pages.proposals import queue
from tian.pages.proposals.common import field_error
from tian.pages.proposals.detail import FORM_KEYS, render_page
from tian.proposals import services, workflow
from tian.proposals.forms import (
    AssignForm,
    DeclineForm,
    ExtensionDecisionForm,
    KeyProposalForm,
    MergeForm,
    NoteForm,
    ReassignmentDecisionForm,
    RehandleForm,
    RemindForm,
    ReturnForm,
)
from tian.proposals.models import State
from tian.proposals.selectors import (
    get_proposal_for,
    get_proposal_row_for,
    visibility_key,
    visible_proposals,
)
from tian.proposals.workflow import INVALID_INPUT, MSG_CONFLICT, NOT_ALLOWED, WorkflowError
from tian.search.filters import STAFF, ProposalFilterForm, text_matches
from tian.stats.exports import PROPOSALS, with_handling, xlsx_response


@dataclass(frozen=True)
class Action:
    form: Any  # a callable (data, proposal) -> bound form, or None
    run: Any  # a callable (proposal, user, cleaned_data) -> result
    success: str


def _assign(p, user, d):
    return handling.proposal_assign(
        proposal=p, by=user, lead_units=[d["lead_unit"]] if d["lead_unit"] else [],
        assisting_units=list(d["assisting_units"]), separate_units=list(d["separate_units"]),
        assigned_on=d["assigned_on"], reply_deadline=d["reply_deadline"],
        assisting_deadline=d["assisting_deadline"], is_key=d["is_key"], lead_officials=list(d["lead_officials"]),
        supervising_offices=list(d["supervising_offices"]))


def _evaluate(p, user, d):
    return handling.evaluation_submit(proposal=p, by=user, result=d["result"], attitude=d["attitude"] or "",
                                      contacted=d["contacted"], feedback=d["feedback"], seen_round=d["round"])


def _paper(p, user, d):
    return handling.evaluation_submit(proposal=p, by=user, result=d["result"], attitude=d["attitude"] or "",
                                      contacted=d["contacted"], feedback=d["feedback"], member=d["member"],
                                      collective=d.get("collective"), seen_round=d["round"])


ACTIONS: dict[str, Action] = {
    "submit": Action(None, lambda p, u, d: services.proposal_submit(proposal=p, by=u),
                     gettext_lazy("The proposal was submitted to the proposal office.")),
    "withdraw": Action(NoteForm, lambda p, u, d: services.proposal_withdraw(proposal=p, by=u, note=d["note"]),
                       gettext_lazy("The proposal was withdrawn.")),
    "register": Action(NoteForm, lambda p, u, d: services.proposal_register(proposal=p, by=u, note=d["note"]),
                       gettext_lazy("The proposal was registered.")),
    "decline": Action(lambda data, p: DeclineForm(data, committee=p.committee),
                      lambda p, u, d: services.proposal_decline(proposal=p, by=u, ground=d["ground"],
                                                                forward=d["forward"], note=d["note"]),
                      gettext_lazy("The proposal was not registered.")),
    "merge": Action(lambda data, p: MergeForm(data, proposal=p),
                    lambda p, u, d: services.proposal_merge(proposal=p, into=d["into"], by=u, note=d["note"]),
                    gettext_lazy("The proposal was merged.")),
    "return": Action(ReturnForm, lambda p, u, d: services.proposal_return(proposal=p, by=u, note=d["note"]),
                     gettext_lazy("The proposal was returned to the proposer for revision.")),
    "assign": Action(lambda data, p: AssignForm(data, committee=p.committee, proposal=p), _assign,
                     gettext_lazy("The proposal was assigned.")),
    "set_key": Action(lambda data, p: KeyProposalForm(data, proposal=p), lambda p, u, d: handling.proposal_set_key(
        proposal=p, by=u, is_key=d["is_key"], lead_officials=list(d["lead_officials"]),
        supervising_offices=list(d["supervising_offices"]), note=d["note"], seen=d["revision"] or None),
                      gettext_lazy("The key proposal and its supervision were saved.")),
    "rehandle": Action(RehandleForm, lambda p, u, d: handling.proposal_rehandle(
        proposal=p, by=u, deadline=d["deadline"], note=d["note"]), gettext_lazy("The proposal is being rehandled.")),
    "close": Action(None, lambda p, u, d: services.proposal_close(proposal=p, by=u),
                    gettext_lazy("The proposal was closed.")),
    "disclose": Action(None, lambda p, u, d: services.proposal_disclose(proposal=p, by=u),
                       gettext_lazy("The proposal was disclosed to the public.")),
    "evaluate": Action(EvaluationForm, _evaluate, gettext_lazy("Thank you. Your evaluation was recorded.")),
    "record_paper_evaluation": Action(lambda data, p: PaperEvaluationForm.for_proposal(p, data),
                                      _paper, gettext_lazy("The paper evaluation was recorded.")),
    "record_paper_follow_up": Action(lambda data, p: PaperFollowUpForm(data, proposal=p),
                                     lambda p, u, d: deadlines.follow_up_report(follow_up=d["follow_up"], by=u,
                                                                                report=d["report"]),
                                     gettext_lazy("The follow-up report received on paper was recorded.")),
}


@login_required
@require_POST
def proposal_action(request, pk, name):
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    proposal = get_proposal_for(request.user, pk)
    form = None
    if action.form is not None:
        form = action.form(request.POST, proposal) if not isinstance(action.form, type) else action.form(request.POST)
    seen_state = request.POST.get("state")
    if seen_state and seen_state != proposal.state:
        # The page the user acted on is out of date: someone else has changed the proposal meanwhile. What they
        # wrote (a note, their feedback) is shown on the page they land on, to copy.
        messages.error(request, str(MSG_CONFLICT))
        unsaved.keep(request, *unsaved.typed(form))
        return redirect(proposal.get_absolute_url())
    data = {}
    if form is not None:
        if not form.is_valid():
            return _page_with_errors(request, proposal, {FORM_KEYS.get(name, name): form})
        data = form.cleaned_data
    try:
        action.run(proposal, request.user, data)
    except WorkflowError as e:
        audit_refusal(request, e)
        if form is not None and e.code == INVALID_INPUT:
            # The service found the input wrong (a unit chosen twice, a deadline too late): the form comes back
            # as it was filled in, with the reason above its fields.
            form.add_error(None, e.message)
            return _page_with_errors(request, proposal, {FORM_KEYS.get(name, name): form})
        messages.error(request, e.message)
        unsaved.keep(request, *unsaved.typed(form))
    else:
        messages.success(request, str(action.success))
    # To the top of the page, where the message is: the form posted to its own anchor, which a redirect without one
    # would keep (and the form would open again below, the message out of sight on a phone).
    return redirect(proposal.get_absolute_url() + "#main")


def _page_with_errors(request, proposal, bound, bound_request=None):
    """The proposal page again with the form the user filled in and its errors next to its fields: nothing they
    entered is lost (422: the request was understood, its content was not acceptable)."""
    messages.error(request, _("Please correct the marked fields; nothing has been changed."))
    return render_page(request, proposal.pk, bound=bound, bound_request=bound_request, status=422)


def _decide(request, proposal, item, key, form, approve, refuse, approved_message, refused_message):
    """A staff decision on a unit's request (``item``): approve or refuse it, with the form's checks first; a form
    with errors comes back filled in beside that request (``key``: the panel's form of such decisions)."""
    if not form.is_valid():
        return _page_with_errors(request, proposal, {key: form}, item.pk)
    d = form.cleaned_data
    try:
        if d["decision"] == "approve":
            approve(d)
            messages.success(request, approved_message)
        else:
            refuse(d)
            messages.success(request, refused_message)
    except WorkflowError as e:
        audit_refusal(request, e)
        if e.code == INVALID_INPUT:
            form.add_error(None, e.message)
            return _page_with_errors(request, proposal, {key: form}, item.pk)
        messages.error(request, e.message)  # decided meanwhile: the reason typed is shown to copy
        unsaved.keep(request, *unsaved.typed(form))
    return redirect(proposal.get_absolute_url())


@require_permission(Perm.ASSIGN)
@require_POST
def reassignment_decide(request, pk):
    item = get_object_or_404(ReassignmentRequest.objects.select_related("assignment__proposal"), pk=pk)
    proposal = get_proposal_row_for(request.user, item.assignment.proposal_id)  # one the office may open (its own)
    return _decide(
        request, proposal, item, "reassignment", ReassignmentDecisionForm(request.POST, committee=proposal.committee),
        lambda d: handling.reassignment_approve(request=item, by=request.user, new_unit=d["new_unit"], note=d["note"]),
        lambda d: handling.reassignment_refuse(request=item, by=request.user, note=d["note"]),
        _("The reassignment was approved and the proposal re-routed."), _("The reassignment request was refused."))


@require_permission(Perm.ASSIGN)
@require_POST
def extension_decide(request, pk):
    item = get_object_or_404(ExtensionRequest.objects.select_related("assignment__proposal"), pk=pk)
    proposal = get_proposal_row_for(request.user, item.assignment.proposal_id)  # one the office may open (its own)
    return _decide(
        request, proposal, item, "extension", ExtensionDecisionForm(request.POST),
        lambda d: deadlines.extension_approve(extension=item, by=request.user, deadline=d["deadline"], note=d["note"]),
        lambda d: deadlines.extension_refuse(extension=item, by=request.user, note=d["note"]),
        _("The extension was approved."), _("The extension request was refused."))


@login_required
@require_POST
def assignment_remind(request, pk):
    """催办: staff or a supervising office reminds one unit."""
    assignment = get_object_or_404(Assignment.objects.select_related("proposal"), pk=pk)
    proposal = get_proposal_for(request.user, assignment.proposal_id)
    form = RemindForm(request.POST)
    if not form.is_valid():  # a message too long: nothing is sent, and the reason is given (what was typed, kept)
        messages.error(request, field_error(form))
        unsaved.keep(request, form.data.get("note", ""))
        return redirect(proposal.get_absolute_url())
    note = form.cleaned_data["note"]
    try:
        deadlines.remind_manually(assignment=assignment, by=request.user, note=note)
    except WorkflowError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The reminder was sent to %(unit)s.") % {"unit": assignment.unit.name})
    return redirect(proposal.get_absolute_url())


@login_required
@require_safe
def key_form(request, pk):
    """重点提案与督办 of a handled proposal, on a page of its own: the proposal page offers the way here, not the form
    with every lead official and office of the committee (two queries on the page every visit, for a step taken a few
    times a year). The form posts to the proposal's action (``ACTIONS["set_key"]``)."""
    proposal = get_proposal_for(request.user, pk)
    try:
        workflow.check(request.user, proposal, "set_key")
    except WorkflowError as e:
        if e.code == NOT_ALLOWED:  # not the office's: refused as any page a role may not open
            raise PermissionDenied from e
        messages.error(request, e.message)  # no longer handled: the proposal page says why
        return redirect(proposal.get_absolute_url())
    form = KeyProposalForm(proposal=proposal, revision=handling.key_revision(proposal))
    return render(request, "proposals/key.html", {"proposal": proposal, "form": form})


@require_permission(Perm.REVIEW)
def review_queue(request):
    """The office's work, oldest first: to review, to assign, reassignment requests, replies to close."""
    committee = current_committee()
    # The groups of the office's queue (``queue.OFFICE_QUEUE``, which the home page counts and the API's inbox names),
    # each with what its section shows.
    rows = {group.key: group.rows(committee) for group in queue.OFFICE_QUEUE}
    proposal_columns = ("lead_member", "collective", "session__term", "category")
    request_columns = ("assignment__unit", "assignment__proposal")
    context = {
        "to_review": rows["review"].select_related(*proposal_columns),
        "to_assign": rows["assign"].select_related(*proposal_columns),
        "reassignments": rows["reassignment_decision"].select_related(*request_columns),
        "extensions": rows["extension_decision"].select_related(*request_columns),
        "to_disclose": [(p, disclosure_deadline(p)) for p in with_replied_on(
            rows["disclose"].select_related(*proposal_columns, "committee"))[:100]],
        "disclose_total": rows["disclose"].count(),  # the home page's tile and the API count them all
        "to_close": rows["close"].select_related(*proposal_columns).annotate(n_evaluations=Count("evaluations")),
        "today": timezone.localdate(),
    }
    # Each list's rows, for its bulk bar's "all on this page".
    context["to_review"], context["to_assign"] = list(context["to_review"]), list(context["to_assign"])
    context.update(review_ids=[p.pk for p in context["to_review"]], assign_ids=[p.pk for p in context["to_assign"]],
                   disclose_ids=[p.pk for p, _due in context["to_disclose"]])
    return render(request, "proposals/review_queue.html", context)


@require_permission(Perm.VIEW_ALL_PROPOSALS)
def proposal_list(request):
    # The filters and page are remembered: coming back to the list shows it as it was left.
    if request.GET.get("reset"):
        request.session.pop("proposal_list_query", None)
        return redirect(request.path + "?")
    if request.GET:
        query = request.GET.urlencode()
        if request.GET.get("format") != "xlsx" and request.session.get("proposal_list_query") != query:
            request.session["proposal_list_query"] = query  # written only when it changes: no write per page view
    elif request.session.get("proposal_list_query") and "reset" not in request.GET:
        return redirect(f"{request.path}?{request.session['proposal_list_query']}")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(request, PROPOSALS, with_handling(
            filtered_proposals(request.user, request.GET)[1].select_related("session__term", "category")),
                             _("Proposals"))
    # The filters and rows are kept until any of the committee's proposals or names changes (core/versions.py), per
    # scope of what the user may see, query, language, day and calendar (the deadline badges depend on them).
    committee = current_committee()
    data, names = versions.read(committee.pk if committee else None, versions.PROPOSALS, versions.NAMES)
    key = ("proposal_list", committee.pk if committee else None, data, names, corrections_version(),
           timezone.localdate(), get_language(), visibility_key(request.user), request.GET.urlencode())
    body = versions.cached(key, lambda: _list_body(request, committee))
    return render(request, "proposals/list.html", {"body": body})


# The list's order, which its Excel file and the bulk bar's export keep: numbered proposals by year and number, the
# unnumbered newest first.
LIST_ORDER = ("-year", "number", "-submitted_at")


def filtered_proposals(user, params, committee=None):
    """The staff list's proposals as ``params`` (its query) filter them, within what ``user`` may see: its text box
    finds a title or a proposer; the filters are the shared ones (``search.filters.STAFF``), as search, the portal
    and the API apply them. The list, its Excel file and its bulk actions ("all matching") read them here."""
    committee = committee or current_committee()
    form = ProposalFilterForm(params or None, committee=committee, names=STAFF, text=_("Title or proposer"))
    qs = form.apply(visible_proposals(user).filter(committee=committee).exclude(state=State.DRAFT))
    qs = text_matches(user, qs, form.filters().get("q", ""))
    qs = qs.select_related("lead_member", "collective", "category").prefetch_related(*PROPOSAL_DUE_PREFETCH).order_by(
        *LIST_ORDER)
    return form, qs


def _list_body(request, committee) -> str:
    form, qs = filtered_proposals(request.user, request.GET, committee)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render_to_string("proposals/_list_body.html", {
        "form": form, "page": page, "request": request, "page_ids": [p.pk for p in page.object_list],
        "query": _filter_query(request.GET)})


def _filter_query(params) -> str:
    """The list's filters without its page: what "all matching the filter" means."""
    query = params.copy()
    for name in ("page", "format", "reset"):
        query.pop(name, None)
    return query.urlencode()

