"""The office's work queue, declared once: the review queue page lists its groups, the staff's home page counts them,
and the API's inbox names their tasks (``tian/api/people.py``), as the unit inbox is declared in
``pages/handling/inbox.py``."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tian.accounts.roles import Perm
from tian.deadlines.models import ExtensionRequest
from tian.deadlines.selectors import disclosure_urgency
from tian.handling.models import ReassignmentRequest
from tian.proposals.models import ANSWERED, Proposal, State


@dataclass(frozen=True)
class Group:
    key: str  # the API's task kind
    label: str  # the review queue's heading and the home page's tile
    anchor: str  # the review queue's section
    perm: Perm  # who works on it
    rows: Callable[..., QuerySet]  # the committee's rows, in the order they are worked on
    urgent: bool = False  # the home page's tile is marked while the group has rows


def _proposals(committee, **conditions) -> QuerySet:
    return Proposal.objects.filter(committee=committee, **conditions)


def _requests(model, committee) -> QuerySet:
    return model.objects.filter(status=model.Status.PENDING, assignment__proposal__committee=committee).order_by(
        "requested_at")


OFFICE_QUEUE: tuple[Group, ...] = (
    Group("review", _("Awaiting review"), "r1", Perm.REVIEW,
          lambda c: _proposals(c, state=State.SUBMITTED).order_by("submitted_at"), urgent=True),
    Group("assign", _("Registered, to assign"), "r2", Perm.ASSIGN,
          lambda c: _proposals(c, state=State.REGISTERED).order_by("registered_at"), urgent=True),
    Group("reassignment_decision", _("Reassignment requests"), "r3", Perm.ASSIGN,
          lambda c: _requests(ReassignmentRequest, c), urgent=True),
    Group("extension_decision", _("Extension requests"), "r5", Perm.ASSIGN,
          lambda c: _requests(ExtensionRequest, c), urgent=True),
    Group("close", _("Replied, to evaluate and close"), "r4", Perm.REVIEW,
          lambda c: _proposals(c, state=State.REPLIED).order_by("updated_at")),
    # Those the workflow lets the office disclose (its "disclose" step's refusal, as a query), most urgent first.
    Group("disclose", _("To disclose (the proposer agreed)"), "r6", Perm.PUBLISH,
          lambda c: _proposals(c, state__in=ANSWERED, disclosure_consent=True, is_public=False).order_by(
              *disclosure_urgency())),
)
