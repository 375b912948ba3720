"""Who sees what of a proposal (domain.md, "Who sees what"), decided in one place.

``visible_proposals`` decides whether a user may open a proposal at all. Once opened, this module decides
which parts they see, from their *ties* to it:

| part | proposers | office | assigned units | supervising office, lead official | no tie (signed in or not) |
|---|---|---|---|---|---|
| text, numbers, units | yes | yes | yes | yes | if disclosed (the caller's scope) |
| attachments | yes | yes | yes | yes | no (files cannot be masked) |
| reply in progress | no | yes | the writing unit; co-signing units once asked | once sent for review | no |
| released reply | yes | yes | yes | yes | if disclosed |
| follow-ups (回头看) | yes | yes | yes | yes | the reported ones, if disclosed |
| contact records, assisting opinions | yes | yes | yes | yes | no |
| co-sign invitations | the lead: all; the others: who agreed, and their own | all | who agreed | who agreed | who agreed |
| evaluations (rating and feedback) | own; the lead proposer all | all | all | all | the lead's rating only |
| history (timeline) | yes, without the office's review notes and supervision's comments | yes | without the office's review notes | the same | no |
| personal mobiles, ID numbers | in the proposal's own text and their own feedback | yes | yes | yes | masked |
| the proposer's contact details (person, phone, address) | the lead proposer | yes | yes | yes | no |
| beside 审查结果: the decline ground and forwarding, or the proposal merged into | yes | yes | yes | yes | if signed in |

"Personal numbers" are read in two kinds of text: the proposal's own (title, body), which every viewer tied to it
reads in full (``text``), and the texts others wrote about it (the letters, the follow-up reports, contact
summaries, the history's notes, other proposers' feedback), where a proposer finds the handlers' and other
members' numbers masked and only the people working on it read them in full (``others_text``).

Outputs never test roles themselves: they take a ``Disclosure`` and read through it (``text``, ``letter``,
``replies``, ``follow_ups``, ``evaluations`` …). Texts that leave the system (notifications, e-mail, SMS) are masked
for everyone (``message_text``): a phone or a mailbox is not a place the policy can follow.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tian.accounts.roles import Perm, Role, has_permission
from tian.disclosure.masking import mask_personal
from tian.handling.letters import ReplyLetter, build_letter
from tian.handling.models import Evaluation, Reply
from tian.organisations.models import Committee
from tian.proposals import workflow
from tian.proposals.models import CoSignature, Proposal
from tian.proposals.selectors import (
    collective_merged_into_ids,
    credited_ids,
    tied_proposals,
    worked_on_proposals,
)


class Tie(StrEnum):
    STAFF = "staff"  # the proposal office: everything
    LEAD_PROPOSER = "lead_proposer"  # the lead member, or the collective proposer
    PROPOSER = "proposer"  # a co-signer who agreed, or a proposer credited through a merge
    INVITEE = "invitee"  # asked to co-sign: reads what they are asked to sign
    UNIT = "unit"  # a handler of an assigned unit
    OVERSEER = "overseer"  # a handler of a supervising office, or a lead official, of this proposal


# Actions whose event note is the office's internal review note (staff only).
INTERNAL_NOTES = frozenset({"proposal.registered", "proposal.declined", "proposal.merged", "proposal.merged_in",
                            "proposal.assigned", "reassignment.approved", "reassignment.refused",
                            "extension.approved", "extension.refused", "award.granted", "award.withdrawn"})

# Actions whose event note is for the people working on the proposal: a supervising office's comments on a reply,
# a supervision activity's notes and why the office gave a unit's part to another unit (the units are told it),
# which the proposal page shows to insiders only.
INSIDER_NOTES = frozenset({"supervision.approved", "supervision.returned", "supervision.activity",
                           "assignment.adjusted"})

# Actions that name whom the lead proposer asked to co-sign, and who declined or was no longer asked: read by those
# who read every invitation (``invitations``); an acceptance is everyone's to read.
INVITATION_EVENTS = frozenset({"cosign.invited", "cosign.declined", "cosign.invitation_withdrawn"})

# Actions whose event note is a proposer's feedback: read by those who read every evaluation.
FEEDBACK_NOTES = frozenset({"evaluation.recorded"})


@dataclass(frozen=True)
class Disclosure:
    """What one viewer may see of one proposal."""

    ties: frozenset[Tie]
    member_id: int | None = None
    collective_id: int | None = None
    unit_id: int | None = None
    mask_landlines: bool = False
    signed_in: bool = False

    # --- who the viewer is to the proposal ----------------------------------------------------------------
    @property
    def tied(self) -> bool:
        return bool(self.ties)

    @property
    def insider(self) -> bool:
        """The office, the assigned units and the overseers: they work on the proposal."""
        return bool(self.ties & {Tie.STAFF, Tie.UNIT, Tie.OVERSEER})

    @property
    def proposer(self) -> bool:
        return bool(self.ties & {Tie.LEAD_PROPOSER, Tie.PROPOSER})

    # --- parts --------------------------------------------------------------------------------------------
    @property
    def attachments(self) -> bool:
        return self.tied

    @property
    def contacts(self) -> bool:
        """Contact records and assisting opinions."""
        return self.insider or self.proposer

    @property
    def proposer_contact(self) -> bool:
        """The proposer's contact details (person, phone, address: ``Proposal.contact_details``): the people
        working on it, who reach the proposer before replying (办前沟通), and the lead proposer, whose they are."""
        return self.insider or Tie.LEAD_PROPOSER in self.ties

    @property
    def history(self) -> bool:
        return self.tied

    @property
    def internal_notes(self) -> bool:
        return Tie.STAFF in self.ties

    @property
    def shows_review_detail(self) -> bool:
        """What is said beside 审查结果 (``proposals.timeline.review_detail``): the ground a proposal was not
        registered on and what its text was forwarded as, or the proposal it was merged into. Anyone signed in who
        may open the proposal reads it; the public (the portal, the API without a token) reads the result alone."""
        return self.signed_in

    def text(self, value: str | None) -> str:
        """The proposal's own text (title, body) as this viewer may read it."""
        if self.tied:
            return value or ""
        return mask_personal(value, landlines=self.mask_landlines)

    def others_text(self, value: str | None) -> str:
        """A text others wrote about the proposal (a letter, a contact summary, a note) as this viewer may read
        it: in full for the people working on it, with personal numbers masked for everyone else."""
        if self.insider:
            return value or ""
        return mask_personal(value, landlines=self.mask_landlines)

    def events(self, events) -> list:
        """The history's events this viewer may read (``history``): the invitations' events (which name everyone
        invited at once) only for those who read every invitation (``all_invitations``)."""
        if not self.history:
            return []
        return [e for e in events if self.all_invitations or e.action not in INVITATION_EVENTS]

    def note(self, event) -> str:
        """An event's note on the timeline: the office's review notes are internal."""
        if not self.history or (event.action in INTERNAL_NOTES and not self.internal_notes):
            return ""
        if event.action in INSIDER_NOTES and not self.insider:
            return ""
        if event.action in FEEDBACK_NOTES and not self.all_evaluations:
            return ""
        return self.others_text(event.note)

    def told(self, event) -> bool:
        """Whether a message about ``event`` (a notification's, which may quote the event's note) is this viewer's to
        read: the event is in the history they read, and so is its note; a message of no event, if they read the
        history."""
        if event is None:
            return self.history
        return bool(self.events([event])) and (not event.note or bool(self.note(event)))

    def reply_visible(self, reply: Reply) -> bool:
        if reply.is_released:
            return True
        if Tie.STAFF in self.ties:
            return True
        if Tie.UNIT in self.ties:
            if reply.unit_id == self.unit_id:
                return True
            if reply.status in Reply.ASKED_TO_COSIGN and any(s.unit_id == self.unit_id for s in reply.cosignatures.all()):
                return True
        return Tie.OVERSEER in self.ties and reply.status in Reply.SENT_FOR_REVIEW

    @property
    def all_invitations(self) -> bool:
        return bool(self.ties & {Tie.STAFF, Tie.LEAD_PROPOSER})

    def invitations(self, rows) -> list[CoSignature]:
        """The co-sign invitations this viewer may read: the office and the lead proposer every one with its
        state; anyone else the members who agreed to co-sign, and their own invitation (who declined, or was
        asked and did not answer, is between them and the lead proposer)."""
        if self.all_invitations:
            return list(rows)
        return [c for c in rows if c.status == CoSignature.Status.ACCEPTED
                or (self.member_id is not None and c.member_id == self.member_id)]

    def assignment_visible(self, assignment) -> bool:
        """A unit at work on the proposal is anyone's to read; one taken off it (re-routed, withdrawn) is its
        history, read by those tied to the proposal and by the unit itself."""
        return assignment.is_active or self.history or (self.unit_id is not None
                                                        and assignment.unit_id == self.unit_id)

    def replies(self, replies) -> list[Reply]:
        return [reply for reply in replies if self.reply_visible(reply)]

    def follow_up_visible(self, follow_up) -> bool:
        """A follow-up (回头看, ``deadlines.FollowUp``) once reported is the unit's account of its handling, read as
        the released reply it follows: by everyone who may open the proposal (with no tie, a disclosed one: the
        caller's scope). Until then it is a task of the handling with its due day, for those tied to the proposal."""
        if not self.reply_visible(follow_up.reply):
            return False
        return follow_up.reported_at is not None or self.tied

    def follow_ups(self, follow_ups) -> list:
        return [f for f in follow_ups if self.follow_up_visible(f)]

    def follow_up_report(self, follow_up) -> str:
        """The unit's report, what others wrote about the proposal (``others_text``): personal mobiles masked for
        everyone but the people working on it."""
        if not self.follow_up_visible(follow_up):
            return ""
        return self.others_text(follow_up.report)

    def letter(self, reply: Reply) -> ReplyLetter:
        """The reply letter with personal numbers masked where this viewer may not read them."""
        letter = build_letter(reply)
        letter.paragraphs = [self.others_text(p) for p in letter.paragraphs]
        letter.contact_line = self.others_text(letter.contact_line)
        return letter

    @property
    def all_evaluations(self) -> bool:
        return self.insider or Tie.LEAD_PROPOSER in self.ties

    def evaluation_visible(self, evaluation: Evaluation) -> bool:
        return self.all_evaluations or self.is_own(evaluation)

    def is_own(self, evaluation: Evaluation) -> bool:
        return bool((self.member_id and evaluation.member_id == self.member_id)
                    or (self.collective_id and evaluation.collective_id == self.collective_id))

    def evaluations(self, evaluations) -> list[Evaluation]:
        """The evaluations this viewer may read in full (rating, attitude, feedback). Everyone who sees the
        proposal may read the lead proposer's rating: ``lead_rating``."""
        return [e for e in evaluations if self.evaluation_visible(e)]

    def feedback(self, evaluation: Evaluation) -> str:
        """A proposer reads others' feedback with their personal numbers masked; the insiders in full."""
        if not self.evaluation_visible(evaluation):
            return ""
        if self.is_own(evaluation):
            return evaluation.feedback
        return self.others_text(evaluation.feedback)


def ties_of(user, proposal: Proposal) -> frozenset[Tie]:
    """The viewer's ties to the proposal (its assignments, offices, officials and co-signatures are read,
    prefetched or not)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    roles = user.roles
    ties = set()
    if has_permission(user, Perm.VIEW_ALL_PROPOSALS):
        ties.add(Tie.STAFF)
    if Role.MEMBER in roles or Role.COLLECTIVE in roles:
        credited = workflow.credit(user, proposal)  # lead, co-signer, or through a merge (并案)
        if credited is not None:
            ties.add(Tie.LEAD_PROPOSER if credited.lead else Tie.PROPOSER)
        elif user.acting_member_id and any(c.member_id == user.acting_member_id and c.is_open_invitation
                                           for c in proposal.cosignatures.all()):
            ties.add(Tie.INVITEE)
    if Role.UNIT_HANDLER in roles and workflow.is_assigned_unit(user, proposal):
        ties.add(Tie.UNIT)
    if (Role.SUPERVISOR in roles and workflow.is_supervising_office(user, proposal)) or (
            Role.LEAD_OFFICIAL in roles and workflow.is_lead_official(user, proposal)):
        ties.add(Tie.OVERSEER)
    return frozenset(ties)


def _landlines(proposal: Proposal) -> bool:
    committee = getattr(proposal, "committee", None)
    return bool(committee and committee.mask_landlines)


def disclosure_for(user, proposal: Proposal) -> Disclosure:
    """What ``user`` (signed in or not) may see of ``proposal``, which they may open."""
    user = user or AnonymousUser()
    return Disclosure(ties=ties_of(user, proposal), member_id=getattr(user, "member_id", None),
                      collective_id=getattr(user, "collective_id", None), unit_id=getattr(user, "unit_id", None),
                      mask_landlines=_landlines(proposal), signed_in=bool(getattr(user, "is_authenticated", False)))


def public_disclosure(proposal: Proposal) -> Disclosure:
    """What anyone may see of a disclosed proposal: the portal, open data, the feed, the public API."""
    return Disclosure(ties=frozenset(), mask_landlines=_landlines(proposal))


class ListDisclosure:
    """The policy for a list of proposals (search results, list pages, list answers of the API): only the text
    of each row, so only whether the viewer has a tie to it, found for the whole page in one query."""

    def __init__(self, user, proposals):
        proposals = list(proposals)
        self.user = user
        self.tied_ids: set[int] = set()
        if proposals and getattr(user, "is_authenticated", False) and user.is_active:
            ids = [p.pk for p in proposals]
            if has_permission(user, Perm.VIEW_ALL_PROPOSALS):
                self.tied_ids = set(ids)
            else:
                self.tied_ids = set(tied_proposals(user).filter(pk__in=ids).values_list("pk", flat=True))
        masked_committees = set(Committee.objects.filter(
            pk__in={p.committee_id for p in proposals}, mask_landlines=True).values_list("pk", flat=True)) \
            if proposals else set()
        self.landlines = {p.pk: p.committee_id in masked_committees for p in proposals}

    def text(self, proposal: Proposal, value: str | None) -> str:
        if proposal.pk in self.tied_ids:
            return value or ""
        return mask_personal(value, landlines=self.landlines.get(proposal.pk, False))

    def others_text(self, proposal: Proposal, value: str | None) -> str:
        """``Disclosure.others_text`` for a row: a text others wrote about the proposal (a reply, for a search
        excerpt) in full for those who work on it, with personal numbers masked for everyone else, its proposers
        included."""
        if proposal.pk in self._insider_ids:
            return value or ""
        return mask_personal(value, landlines=self.landlines.get(proposal.pk, False))

    @cached_property
    def _insider_ids(self) -> set[int]:
        """Of the tied rows, those the viewer works on (read when a row shows what others wrote, not before)."""
        if not self.tied_ids or has_permission(self.user, Perm.VIEW_ALL_PROPOSALS):
            return set(self.tied_ids)
        return set(worked_on_proposals(self.user).filter(pk__in=self.tied_ids).values_list("pk", flat=True))

    def for_display(self, proposals: list[Proposal]) -> list[Proposal]:
        """The proposals with their titles as this viewer may read them, for a list or a table that shows
        ``title`` (the instances are read for display and never saved)."""
        for proposal in proposals:
            proposal.title = self.text(proposal, proposal.title)
        return proposals


def for_display(user, proposals) -> list[Proposal]:
    proposals = list(proposals)
    return ListDisclosure(user, proposals).for_display(proposals)


def title_matches(user, qs, words: str):
    """``qs``, proposals found by ``words`` in their titles (matched as stored, unmasked), without those where the
    words match only what ``user`` reads masked: part of a masked number (1379 of 137****2836) would otherwise tell
    its hidden digits one search at a time. Words without a digit cannot, and change nothing."""
    if not any(ch.isdigit() for ch in words):
        return qs
    words = words.lower()
    untied = qs.exclude(pk__in=tied_proposals(user).values("pk")) if getattr(user, "is_authenticated", False) else qs
    hidden = [pk for pk, landlines, title in untied.values_list("pk", "committee__mask_landlines", "title")
              if words not in mask_personal(title, landlines=landlines).lower()]
    return qs.exclude(pk__in=hidden) if hidden else qs


def with_contacts_readable(user, qs):
    """``qs`` narrowed to the proposals whose contact records and assisting opinions ``user`` reads
    (``Disclosure.contacts``): those they work on and those they propose. A list that says which proposals had
    contact before the reply (the statistics' "contacted") tells what the records are, so a disclosed proposal
    opened by anyone is listed only for these."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if has_permission(user, Perm.VIEW_ALL_PROPOSALS):
        return qs
    readable = Q(pk__in=worked_on_proposals(user).values("pk"))
    if user.acting_member_id:
        readable |= Q(pk__in=credited_ids(user.acting_member_id))
    if user.acting_collective_id:
        readable |= Q(collective_id=user.acting_collective_id) | Q(
            pk__in=collective_merged_into_ids(user.acting_collective_id))
    return qs.filter(readable)


def may_read_attachments(user, proposal_id: int) -> bool:
    """``Disclosure.attachments`` without reading the proposal: files cannot be masked, so only the people tied
    to the proposal read them, never the public."""
    return tied_proposals(user).filter(pk=proposal_id).exists()


def public_text(proposal: Proposal, value: str | None) -> str:
    return public_disclosure(proposal).text(value)


def message_text(value: str | None, proposal: Proposal | None = None) -> str:
    """A text that leaves the system (the bell, e-mail, SMS): personal numbers masked for every recipient, and
    fixed lines too where the committee of the proposal it speaks of masks them (as ``Disclosure.text``)."""
    return mask_personal(value, landlines=_landlines(proposal))
