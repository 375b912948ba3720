"""调整承办单位 on a page of its own: the office gives a unit's part of a proposal being handled to another unit
(``handling.services.assignment_adjust``) when units were merged or abolished at the new year, or a wrong choice is
noticed after the assignment. The proposal page's panel offers the way here where the workflow lets the user
(``adjust_assignment``); the page lists the units at work on the proposal, those whose part cannot be moved now with
why (``handling.services.adjustable_parts``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tian.audit.log import audit_refusal
from tian.core import unsaved
from tian.handling import services as handling
from tian.handling.forms import AdjustAssignmentForm
from tian.proposals import workflow
from tian.proposals.selectors import get_proposal_for
from tian.proposals.workflow import INVALID_INPUT, NOT_ALLOWED, WorkflowError


def _refused(request, proposal, error: WorkflowError, form=None):
    audit_refusal(request, error)
    if error.code == NOT_ALLOWED:  # not the office's: refused as any page a role may not open
        raise PermissionDenied from error
    # No longer handled, or changed since the page was shown (another clerk moved the part, the unit asked to leave or
    # replied): the proposal page says how it is now, and shows the reason typed, to copy.
    messages.error(request, error.message)
    if request.method == "POST":
        unsaved.keep(request, *(unsaved.typed(form) if form is not None else [
            request.POST.get(name, "") for name in unsaved.typed_fields(AdjustAssignmentForm)]))
    return redirect(proposal.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def adjust(request, pk):
    proposal = get_proposal_for(request.user, pk)
    try:
        workflow.check(request.user, proposal, "adjust_assignment")
    except WorkflowError as e:
        return _refused(request, proposal, e)
    parts = handling.adjustable_parts(proposal)
    movable = [a for a, why in parts if why is None]
    form = AdjustAssignmentForm(request.POST if request.method == "POST" else None, proposal=proposal,
                                parts=movable, revisions={a.pk: handling.adjust_revision(proposal, a) for a in movable})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            new = handling.assignment_adjust(assignment=d["assignment"], by=request.user, new_unit=d["new_unit"],
                                             reason=d["reason"], seen=form.seen())
        except WorkflowError as e:
            if e.code != INVALID_INPUT:
                return _refused(request, proposal, e, form)
            # The new unit, as the committee's units are when the change is made (made inactive, or given the
            # proposal, since the page was shown).
            form.add_error("new_unit", e.message)
        else:
            messages.success(request, _("The handling unit was changed: %(new)s handles the proposal in place of "
                                        "%(old)s.") % {"new": new.unit.name, "old": d["assignment"].unit.name})
            return redirect(proposal.get_absolute_url())
    status = 200
    if form.is_bound:  # refused: the form comes back as it was filled in, with the reason beside its field
        messages.error(request, _("Please correct the marked fields; nothing has been changed."))
        status = 422
    return render(request, "proposals/adjust.html", {
        "proposal": proposal, "form": form, "movable": movable,
        "fixed": [(a, why) for a, why in parts if why is not None]}, status=status)
