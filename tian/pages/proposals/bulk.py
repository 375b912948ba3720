"""The proposal office's bulk work: register, assign, disclose, remind or export many proposals at once.

The office ticks proposals on its review queue or its list (rows, every row of the page, or every proposal
matching the list's filter), chooses an action, fills in its form once (the same units and deadlines for all)
and confirms. Each proposal then goes through the service its own page calls (``office.ACTIONS``,
``deadlines.remind_manually``), with its own permission and state checks and in its own transaction: a refused
proposal never undoes the others. The result page says what became of each (``BulkResult``).

What may be chosen is what the user may see (``visible_proposals``), read again when the action runs.
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.core.request_limits import whole_number
from tian.deadlines import services as deadlines
from tian.deadlines.status import DUE_SOON, OVERDUE, unit_due
from tian.organisations.selectors import current_committee
from tian.pages.proposals.common import safe_next
from tian.pages.proposals.office import ACTIONS, LIST_ORDER, filtered_proposals
from tian.proposals import workflow
from tian.proposals.forms import AssignForm, RemindForm
from tian.proposals.models import Proposal, State
from tian.proposals.selectors import visible_proposals
from tian.proposals.workflow import INVALID_INPUT, INVALID_STATE, WorkflowError
from tian.stats.exports import PROPOSALS, with_handling, xlsx_response
from tian.suggest.selectors import suggest_units

# More than this at once is refused as a whole: narrow the filter (a province's plenary is ~1,600 proposals; the
# page that runs them must answer within a reasonable time).
BULK_LIMIT = 500
SHOWN = 100  # proposals listed on the confirmation page; the rest are counted
SUGGESTED = 50  # of those, the ones shown with their suggested lead unit when assigning (a few ms each)
SESSION_KEY = "proposals_bulk_result"


def _remind(proposal, user, data) -> str:
    """催办 the units of the proposal whose part is overdue or due soon; each unit through the service."""
    workflow.check(user, proposal, "remind")
    today = timezone.localdate()
    # Each unit's deadline as every page reads it (deadlines.status.unit_due): a unit whose part is done is not
    # reminded.
    due = [a for a in proposal.assignments.all() if a.is_active and unit_due(a, proposal).status(
        today, proposal.committee.due_soon_days).level in (OVERDUE, DUE_SOON)]
    if not due:
        raise WorkflowError(INVALID_STATE, _("No unit of this proposal is overdue or due soon."))
    reminded, refused = [], []
    for assignment in due:
        try:
            deadlines.remind_manually(assignment=assignment, by=user, note=data.get("note", ""))
        except WorkflowError as e:
            refused.append(_("%(unit)s: %(reason)s") % {"unit": assignment.unit.name, "reason": e.message})
        else:
            reminded.append(assignment.unit.name)
    # The reasons one after the other, with the punctuation of the page's language (Chinese: "；", "：").
    not_reminded = pgettext("between reasons", "; ").join(refused)
    if not reminded:
        raise WorkflowError(INVALID_STATE, not_reminded)
    done = _("Reminded %(units)s.") % {"units": "、".join(reminded)}
    return _("%(done)s Not reminded: %(refused)s") % {"done": done, "refused": not_reminded} if refused else done


@dataclass(frozen=True)
class BulkAction:
    label: Any  # the button
    title: Any  # the confirmation page's heading, with %(n)d proposals
    explanation: Any
    form: Any  # a callable (data, committee) -> form, or None
    run: Any  # a callable (proposal, user, cleaned_data); a text it returns says what was done


BULK_ACTIONS: dict[str, BulkAction] = {
    "register": BulkAction(
        gettext_lazy("Register"), gettext_lazy("Register %(n)d proposals"),
        gettext_lazy("Each proposal is registered and numbered in turn, in the order listed below; a proposal "
                     "that can no longer be registered is left as it is."),
        None, lambda p, u, d: ACTIONS["register"].run(p, u, {"note": ""})),
    "assign": BulkAction(
        gettext_lazy("Assign"), gettext_lazy("Assign %(n)d proposals"),
        gettext_lazy("Every proposal below is assigned to the same units with the same dates."),
        lambda data, committee: AssignForm(data, committee=committee),
        lambda p, u, d: ACTIONS["assign"].run(p, u, d)),
    "disclose": BulkAction(
        gettext_lazy("Disclose"), gettext_lazy("Disclose %(n)d proposals to the public"),
        gettext_lazy("Each proposal and its replies are published on the public portal, where the proposer "
                     "agreed."),
        None, lambda p, u, d: ACTIONS["disclose"].run(p, u, {})),
    "remind": BulkAction(
        gettext_lazy("Send reminders"), gettext_lazy("Remind the units of %(n)d proposals"),
        gettext_lazy("Each unit whose part of a proposal below is overdue or due soon gets a reminder."),
        lambda data, committee: RemindForm(data), _remind),
}


@dataclass
class Outcome:
    """What became of one proposal."""

    pk: int
    label: str  # its number and title
    done: bool
    detail: str = ""  # why it was refused, or what was done where the action's name does not say it all
    input_refused: bool = False  # refused for the input the form gave (a unit chosen twice, a deadline past the cap)


@dataclass
class BulkResult:
    action: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.done]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.done]

    @property
    def reasons(self) -> list[str]:
        """Why proposals were refused, each reason once."""
        return list(dict.fromkeys(o.detail for o in self.refused))

    @property
    def refused_for_state(self) -> list[Outcome]:
        """The proposals refused as they are (registered meanwhile, already assigned), not for the form's input."""
        return [o for o in self.refused if not o.input_refused]

    def refused_input(self) -> str:
        """The reason, where nothing was done and every proposal refused for the form's input was refused for the
        same fault of it (a deadline past the cap): that is the form's mistake, not each proposal's, and the form
        comes back with it, without the proposals refused as they are (a colleague assigned one meanwhile). A fault
        of one proposal's own (its default deadline, its proposer's consent) stays that proposal's outcome, and so
        do reasons that differ from one proposal to the next."""
        reasons = {o.detail for o in self.refused if o.input_refused}
        if not self.done and len(reasons) == 1:
            return reasons.pop()
        return ""

    def as_dict(self) -> dict:
        return {"action": self.action, "outcomes": [asdict(o) for o in self.outcomes]}

    @classmethod
    def from_dict(cls, data: dict) -> "BulkResult":
        return cls(data["action"], [Outcome(**o) for o in data["outcomes"]])


def _label(proposal) -> str:
    return f"{proposal.number_year or _('Not yet numbered')} {proposal.title}"


def _chosen(user, committee):
    """What the user may choose from: the proposals they may see, drafts aside."""
    return (visible_proposals(user).filter(committee=committee).exclude(state=State.DRAFT)
            .select_related("committee", "lead_member", "collective", "category", "session__term")
            .prefetch_related("assignments__unit").order_by("-year", "number", "submitted_at", "pk"))


def selection(request, committee):
    """The proposals the request names: ``everything`` (with the list's ``query``) for all that match the list's
    filter, else the ticked ``ids`` and, with ``page``, every row of the page (``page_ids``). Only what the
    user may see; anything else named is left out."""
    post = request.POST
    if post.get("everything"):
        pks = filtered_proposals(request.user, QueryDict(post.get("query", "")), committee)[1].values("pk")
        return _chosen(request.user, committee).filter(pk__in=pks)
    named = post.getlist("ids") + (post.getlist("page_ids") if post.get("page") else [])
    ids = [whole_number(v, maximum=2**31 - 1) for v in named]  # never an error for ² or thirty digits
    return _chosen(request.user, committee).filter(pk__in=[pk for pk in ids if pk is not None])


def run(action: BulkAction, name: str, proposals, user, data) -> BulkResult:
    """Each proposal through the action's service, one after the other, each in the service's own transaction."""
    result = BulkResult(name)
    for proposal in proposals:
        try:
            after = action.run(proposal, user, data)
        except WorkflowError as e:
            result.outcomes.append(Outcome(proposal.pk, _label(proposal), False, str(e.message),
                                           input_refused=e.code == INVALID_INPUT))
        else:  # a service gives the proposal as it left it (registered: with its number); a text says what was done
            label = _label(after if isinstance(after, Proposal) else proposal)
            result.outcomes.append(Outcome(proposal.pk, label, True, after if isinstance(after, str) else ""))
    return result


@require_permission(Perm.VIEW_ALL_PROPOSALS)
@require_POST
def bulk(request):
    """The bulk bar's buttons post here: the selection is shown with the action's form (``step`` absent); the
    confirmed form (``step=run``) runs the action and shows the result; an Excel file is made at once."""
    committee = current_committee()
    name = request.POST.get("action", "")
    back = safe_next(request, reverse("proposals:list"))
    proposals = selection(request, committee)
    count = proposals.count()
    if name not in BULK_ACTIONS and name != "export":
        messages.error(request, _("Please choose what to do with the selected proposals."))
        return redirect(back)
    if count == 0:
        messages.error(request, _("Please tick at least one proposal first."))
        return redirect(back)
    if count > BULK_LIMIT:
        messages.error(request, _("%(n)d proposals are selected; at most %(limit)d can be handled at once. Please "
                                  "narrow the filter.") % {"n": count, "limit": BULK_LIMIT})
        return redirect(back)
    if name == "export":
        # In the list's order, as its own Excel file; the actions below take them in the order submitted (numbers
        # are given in that order when registering).
        return xlsx_response(request, PROPOSALS, with_handling(proposals.order_by(*LIST_ORDER, "-pk")), _("Proposals"))
    action = BULK_ACTIONS[name]
    running = request.POST.get("step") == "run"
    form = action.form(request.POST if running else None, committee) if action.form else None
    left_out = []
    if running and (form is None or form.is_valid()):
        result = run(action, name, list(proposals), request.user, form.cleaned_data if form else {})
        refused_input = result.refused_input()
        if form is not None and refused_input:  # the form's input, not a proposal: the form again, filled in
            form.add_error(None, refused_input)
            # Those refused as they are would be refused again: named above the form, out of the selection.
            left_out = result.refused_for_state
            proposals = proposals.exclude(pk__in=[o.pk for o in left_out])
            count = proposals.count()
        else:
            request.session[SESSION_KEY] = {**result.as_dict(), "back": back}
            return redirect("proposals:bulk_result")
    if running:
        messages.error(request, _("Please correct the marked fields; nothing has been changed."))
    shown = list(proposals[:SHOWN])
    batch_leads = []
    if name == "assign":  # each proposal's likeliest lead unit beside it: are they one batch? (issue #23)
        for p in shown[:SUGGESTED]:
            p.suggested_lead = next(iter(suggest_units(p).lead), None)
        # The units suggested most often as the lead, with a button that takes one into the form.
        votes = Counter(p.suggested_lead.unit for p in shown[:SUGGESTED] if p.suggested_lead)
        batch_leads = votes.most_common(3)
    return render(request, "proposals/_bulk_page.html", {
        "name": name, "action": action, "title": action.title % {"n": count}, "form": form, "count": count,
        "ids": list(proposals.values_list("pk", flat=True)), "shown": shown, "more": count - len(shown),
        "back": back, "batch_leads": batch_leads, "batch_counted": min(len(shown), SUGGESTED), "left_out": left_out},
        status=422 if running else 200)


@require_permission(Perm.VIEW_ALL_PROPOSALS)
def bulk_result(request):
    """What became of each proposal of the last bulk action (kept in the session: reloading shows it again)."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return redirect("proposals:list")
    result = BulkResult.from_dict(data)
    action = BULK_ACTIONS.get(result.action)
    return render(request, "proposals/_bulk_result.html", {
        "result": result, "label": action.label if action else "",
        "back": data.get("back") or reverse("proposals:list")})
