"""How events read on the proposal page's timeline, and how its 审查结果 reads."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tian.proposals.models import DeclineForward, Proposal, State

ACTION_LABELS = {
    "proposal.drafted": _("Draft started"),
    "proposal.submitted": _("Submitted"),
    "proposal.withdrawn": _("Withdrawn"),
    "proposal.returned": _("Returned for revision"),
    "proposal.registered": _("Registered"),
    "proposal.declined": _("Not registered"),
    "proposal.merged": _("Merged into another proposal"),
    "proposal.merged_in": _("Another proposal was merged into this one"),
    "proposal.assigned": _("Assigned to units"),
    "proposal.key_set": _("Key proposal and supervision changed"),
    "proposal.replied": _("All replies released"),
    "proposal.rehandling": _("Sent back for rehandling"),
    "proposal.closed": _("Closed"),
    "proposal.disclosed": _("Disclosed to the public"),
    "cosign.invited": _("Co-signers invited"),
    "cosign.invitation_withdrawn": _("Co-sign invitation withdrawn"),
    "cosign.accepted": _("Agreed to co-sign"),
    "cosign.recorded_on_paper": _("Co-signers of the paper form recorded"),
    "extension.requested": _("Extension requested"),
    "extension.approved": _("Extension approved"),
    "extension.refused": _("Extension refused"),
    "reminder.sent": _("Reminder sent"),
    "deadline.moved": _("Deadline moved off a day off"),
    "follow_up.due": _("Follow-up due"),
    "follow_up.reported": _("Follow-up reported"),
    "supervision.activity": _("Supervision activity recorded"),
    "award.granted": _("Marked as an outstanding proposal"),
    "award.withdrawn": _("Outstanding proposal mark withdrawn"),
    "cosign.declined": _("Declined to co-sign"),
    "assignment.signed": _("Signed for"),
    "reassignment.requested": _("Reassignment requested"),
    "reassignment.approved": _("Reassignment approved"),
    "reassignment.refused": _("Reassignment refused"),
    "assignment.adjusted": _("Handling unit changed"),
    "contact.recorded": _("Contact with the proposer recorded"),
    "opinion.sent": _("Assisting opinion sent"),
    "reply.drafted": _("Reply drafted"),
    "reply.submitted": _("Reply submitted"),
    "reply.cosigned": _("Reply co-signed"),
    "reply.released": _("Reply released"),
    "supervision.approved": _("Supervision review approved"),
    "supervision.returned": _("Reply returned by supervision"),
    "evaluation.recorded": _("Reply evaluated"),
}

# An event whose data says it came on paper (``on_paper``), entered by the office: named so.
PAPER_LABELS = {
    "follow_up.reported": _("Follow-up report received on paper recorded"),
}

# Which details of an event's data are worth showing, in order.
DATA_LABELS = {
    "unit": _("Unit"),
    "new_unit": _("New unit"),
    "members": _("Members"),
    "member": _("Member"),
    "number": _("Number"),
    "ground": _("Ground"),
    "evaluator": _("Evaluator"),
    "office": _("Office"),
    "deadline": _("Deadline"),
    "units": _("Handling units"),  # the assignment's, by role: the names of every role
    "reply_deadline": _("Reply deadline"),
    "officials": _("Lead officials"),
    "supervising": _("Supervising offices"),
}


def timeline(events, policy) -> list[dict]:
    """The rows of the history, each event's note as ``policy`` (a ``tian.disclosure.policy.Disclosure``) lets
    the reader see it."""
    rows = []
    for event in policy.events(events):
        details = []
        for key, label in DATA_LABELS.items():
            value = event.data.get(key)
            if isinstance(value, dict):
                value = [name for names in value.values() for name in names]
            if value:
                details.append(f"{label}: {'、'.join(value) if isinstance(value, list) else value}")
        label = ACTION_LABELS.get(event.action, event.action)
        if event.data.get("on_paper"):
            label = PAPER_LABELS.get(event.action, label)
        rows.append({"event": event, "label": label, "details": details,
                     "note": policy.note(event)})
    return rows


# 审查结果, as the committee's old system and its printed form write it: the review's outcome, not the state.
REVIEW_RESULTS = {
    State.SUBMITTED: _("Awaiting review"),
    State.RETURNED: _("Returned for revision"),
    State.WITHDRAWN: _("Withdrawn"),
    State.DECLINED: _("Not registered"),
    State.MERGED: _("Merged"),
}


def review_result(proposal) -> str:
    """The review's outcome (审查结果): nothing for a draft, 已立案 once registered, else the review's answer."""
    if proposal.state == State.DRAFT:
        return ""
    return str(REVIEW_RESULTS.get(proposal.state, _("Registered")))


@dataclass(frozen=True)
class ReviewDetail:
    """审查结果 and what is said beside it: the ground a proposal was not registered on and what its text was
    forwarded as (a ``DeclineForward`` value), or the proposal it was merged into; each ``None`` where there is
    none or the reader may not read it."""

    result: str
    ground: str | None = None
    forward: str | None = None
    merged_into: Proposal | None = None

    @property
    def forward_label(self) -> str:
        """What the text was forwarded as, in the reader's language (an unknown value as it is stored, as Django's
        ``get_decline_forward_display`` gives it)."""
        return str(dict(DeclineForward.choices).get(self.forward, self.forward or ""))


def review_detail(proposal, policy) -> ReviewDetail:
    """审查结果 as every output says it (the proposal page, the portal, the API, the Word and PDF forms): the
    result, and beside it what ``policy`` (a ``tian.disclosure.policy.Disclosure``) lets the reader see of why."""
    result = review_result(proposal)
    if not policy.shows_review_detail:
        return ReviewDetail(result)
    if proposal.state == State.DECLINED:
        return ReviewDetail(result, ground=proposal.decline_ground.text if proposal.decline_ground_id else None,
                            forward=proposal.decline_forward or None)
    if proposal.state == State.MERGED and proposal.merged_into_id:
        return ReviewDetail(result, merged_into=proposal.merged_into)
    return ReviewDetail(result)
