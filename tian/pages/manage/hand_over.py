"""机构改革 on one page: the office hands all of a merged or abolished unit's open work over to another unit
(``handling.services.unit_hand_over``), instead of one proposal page (``proposals:adjust``) at a time. Reached from the
unit's own management page and from the warning shown when a unit still holding work is disabled.

The page lists the unit's open parts, those that cannot be moved now with why (``handling.services.hand_over_parts``:
the same refusals ``assignment_adjust`` gives). The result is kept in the session and shown after a redirect, so
reloading the result page runs nothing again (decisions.md, "Bulk work runs each proposal through its own service")."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tian.accounts.permissions import require_permission
from tian.audit.log import audit_refusal
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.handling.forms import HandOverForm
from tian.handling.models import Assignment
from tian.organisations.models import Unit
from tian.organisations.selectors import current_committee
from tian.proposals import workflow
from tian.proposals.workflow import INVALID_INPUT, WorkflowError

SESSION_KEY = "unit_hand_over_result"
# Who may open the pages: who may change a handling unit (``handling.services.may_hand_over``, which the services ask).
HAND_OVER_PERMS = workflow.TRANSITIONS["adjust_assignment"].perms


def _unit(pk) -> Unit:
    return get_object_or_404(Unit, pk=pk, committee=current_committee())


@require_permission(*HAND_OVER_PERMS)
@require_http_methods(["GET", "HEAD", "POST"])
def unit_hand_over(request, pk):
    unit = _unit(pk)
    form = HandOverForm(request.POST if request.method == "POST" else None, unit=unit)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = handling.unit_hand_over(unit=unit, new_unit=d["new_unit"], by=request.user, reason=d["reason"])
        except WorkflowError as e:
            audit_refusal(request, e)
            if e.code != INVALID_INPUT:
                raise PermissionDenied from e
            # The reason, or the new unit as the committee's units are now (made inactive since the page was shown).
            form.add_error("reason" if str(e.message) == str(handling.MSG_ADJUST_REASON) else "new_unit", e.message)
        else:
            request.session[SESSION_KEY] = {
                "unit": unit.pk, "new_unit": d["new_unit"].name,
                "moved": [a.pk for a in result.moved],
                "refused": [[r.assignment.pk, r.message] for r in result.refused],
            }
            return redirect("organisations:unit_hand_over_result", pk=unit.pk)
    status = 200
    if form.is_bound:  # refused: the form comes back as it was filled in, with the reason beside its field
        messages.error(request, _("Please correct the marked fields; nothing has been changed."))
        status = 422
    parts = handling.hand_over_parts(unit, request.user)
    # Follow-ups (回头看) asked of the unit stay with it, as its replies do: the office enters the reports its
    # successor sends on paper (``deadlines.services.follow_up_report``).
    follow_ups = FollowUp.objects.awaited().filter(reply__unit=unit).count()
    return render(request, "organisations/hand_over.html", {
        "unit": unit, "form": form, "parts": parts, "movable": sum(1 for _a, why in parts if why is None),
        "follow_ups": follow_ups}, status=status)


@require_permission(*HAND_OVER_PERMS)
def unit_hand_over_result(request, pk):
    """What became of each part of the unit's last hand-over (kept in the session: reloading shows it again)."""
    unit = _unit(pk)
    data = request.session.get(SESSION_KEY)
    if not data or data.get("unit") != unit.pk:
        return redirect("organisations:unit_hand_over", pk=unit.pk)
    ids = [*data["moved"], *(pk for pk, _m in data["refused"])]
    found = Assignment.objects.filter(pk__in=ids, proposal__committee=unit.committee).select_related("unit", "proposal")
    assignments = {a.pk: a for a in found}
    return render(request, "organisations/hand_over_result.html", {
        "unit": unit, "new_unit": data["new_unit"],
        "moved": [assignments[pk] for pk in data["moved"] if pk in assignments],
        "refused": [(assignments[pk], message) for pk, message in data["refused"] if pk in assignments]})
