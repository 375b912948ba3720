"""State changes of proposals before handling: drafting, co-signing, submission and review.

Each public function is one transition: it locks the proposal, checks the workflow declaration, changes
it inside one transaction and writes an event. Input is assumed validated by the caller's form.
"""

import datetime
import os
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tian.organisations.models import Member
from tian.organisations.selectors import session_for_date
from tian.proposals import workflow
from tian.proposals.events import record, touch
from tian.proposals.lifecycle import COSIGNATURE
from tian.proposals.models import (
    MERGE_TARGETS,
    MSG_BODY_AND_PARTS,
    Attachment,
    CoSignature,
    DeclineForward,
    DeclineGround,
    Kind,
    NumberSequence,
    Proposal,
    State,
)
from tian.proposals.workflow import CONFLICT, INVALID_INPUT, MSG_CONFLICT, WorkflowError

DRAFT_FIELDS = {
    "title", "body", "background", "analysis", "suggestions", "category", "disclosure_consent",
    "non_disclosure_reason", "contact_name", "contact_phone", "contact_address", "kind",
}


def lock(proposal: Proposal) -> Proposal:
    """Re-read the proposal under a row lock. If someone changed its state since the caller read it,
    refuse: the caller acted on a page that is no longer true (已被他人处理)."""
    fresh = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if fresh.state != proposal.state:
        raise WorkflowError(CONFLICT, MSG_CONFLICT)
    # The committee, session and proposer the transitions read are the caller's, not read again, while the ids match.
    if fresh.committee_id == proposal.committee_id:
        fresh.committee = proposal.committee
    if fresh.session_id == proposal.session_id:
        fresh.session = proposal.session
    # (The field's ``is_cached``: whether the caller read it, without reading it; a transition that never reads the
    # proposer must not read it here.)
    for name in ("lead_member", "collective"):
        field = Proposal._meta.get_field(name)
        if field.is_cached(proposal) and getattr(fresh, field.attname) == getattr(proposal, field.attname):
            setattr(fresh, name, getattr(proposal, name))
    return fresh


def _now(at):
    return at or timezone.now()


def _set_state(proposal: Proposal, by, action: str, to_state: str, *, note: str = "", at=None, **data):
    from_state = proposal.state
    proposal.state = to_state
    proposal.save()
    record(proposal, by, action, from_state=from_state, to_state=to_state, note=note, at=at, **data)


def _validate_content(proposal: Proposal) -> None:
    if not proposal.title.strip():
        raise WorkflowError(INVALID_INPUT, _("Please enter the title."))
    if not proposal.full_body.strip():
        raise WorkflowError(INVALID_INPUT, _("Please write the body of the proposal."))
    if proposal.written_twice:
        raise WorkflowError(INVALID_INPUT, MSG_BODY_AND_PARTS)
    limit = proposal.committee.body_max_chars
    if proposal.body_length > limit:
        raise WorkflowError(INVALID_INPUT, _("The body is %(n)d characters long; the limit is %(limit)d.")
                            % {"n": proposal.body_length, "limit": limit})
    if proposal.category_id is None:
        raise WorkflowError(INVALID_INPUT, _("Please choose a topic category."))
    if not proposal.disclosure_consent and not proposal.non_disclosure_reason.strip():
        raise WorkflowError(INVALID_INPUT, _("Please give a reason for not agreeing to disclosure."))
    _check_proposer_active(proposal.lead_member, proposal.collective)


def _check_proposer_active(lead_member, collective) -> None:
    """A proposal is drafted and submitted in the name of an active member or collective proposer: one who left
    the committee (made inactive by the office) can no longer start or send one. (Records imported from another
    system are submitted without this check: ``check_content``.)"""
    proposer = collective or lead_member
    if proposer is not None and not proposer.is_active:
        raise WorkflowError(INVALID_INPUT, _("%(name)s is no longer an active proposer of this committee: no "
                                             "proposal can be started or submitted in their name.")
                            % {"name": proposer.name})


def _check_member_of_term(member: Member | None, session) -> None:
    """A member proposes and co-signs in the terms the member list records for them (委员名册): one recorded for earlier
    terms only was not appointed to this one. A member with no term recorded (a list not kept by term, an import) is
    held to none."""
    if member is None or session is None:
        return
    terms = {term.pk for term in member.terms.all()}
    if terms and session.term_id not in terms:
        raise WorkflowError(INVALID_INPUT, _("%(name)s is not a member of %(term)s.")
                            % {"name": member.name, "term": session.term.name})


@transaction.atomic
def proposal_create_draft(*, by, committee, lead_member: Member | None = None, collective=None,
                          suggested_units=(), at=None, check_content: bool = True, **fields) -> Proposal:
    """Start a draft. A member drafts for themself; staff entering a paper proposal name the proposer.
    ``check_content=False`` is for importing records of another system, whose proposers may have left since."""
    at = _now(at)
    session = session_for_date(committee, timezone.localdate(at))
    if session is None:
        raise WorkflowError(INVALID_INPUT, _("No session is set up for this year. Please contact the proposal office."))
    if lead_member is None and collective is None:  # staff entering a paper proposal, as their form asks (the API)
        raise WorkflowError(INVALID_INPUT, _("Choose either a lead proposer or a collective proposer."))
    if check_content:
        _check_proposer_active(lead_member, collective)
        _check_member_of_term(lead_member, session)
    kind = Kind.COLLECTIVE if collective is not None else Kind.MEMBER
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise TypeError(f"unknown draft fields: {sorted(unknown)}")
    fields.pop("kind", None)
    _one_line_title(fields)
    proposal = Proposal.objects.create(
        committee=committee, session=session, year=session.year, kind=kind, lead_member=lead_member,
        collective=collective, created_by=by, created_at=at, **fields,
    )
    if suggested_units:  # a new proposal has none to replace
        proposal.suggested_units.set(suggested_units)
    # The same rule as editing: the proposer, or staff entering a paper proposal (rolled back if not).
    if not workflow.allowed(by, proposal, "edit"):
        raise WorkflowError(workflow.NOT_ALLOWED, workflow.MSG_NOT_ALLOWED)
    record(proposal, by, "proposal.drafted", to_state=State.DRAFT, at=at)
    return proposal


def one_line(text: str) -> str:
    """案由 is one line wherever it is shown (lists, letters' titles, a mail's subject, which may hold no line break):
    line breaks, tabs and runs of spaces (full-width ones too) typed or pasted into it become one space."""
    return " ".join(text.split())


def _one_line_title(fields: dict) -> None:
    if isinstance(fields.get("title"), str):
        fields["title"] = one_line(fields["title"])


def draft_revision(proposal: Proposal) -> str:
    """Which saved state of a draft (or a returned proposal) a page showed: its form sends it back
    (``proposal_update_draft``'s ``seen``). Its last save: what else happens to a draft (co-signers, attachments) is
    no change of its text."""
    return proposal.updated_at.isoformat()


@transaction.atomic
def proposal_update_draft(*, proposal: Proposal, by, suggested_units=None, seen: str | None = None,
                          **fields) -> Proposal:
    """Save changes to a draft or a returned proposal (also the autosave). No event: drafts are private. ``seen``:
    the draft's revision the page showed (``draft_revision``); a draft saved since by another of its authors (a
    collective proposer's other account, the clerk who entered a paper proposal and its member) is not overwritten:
    a conflict, unless what is sent is what is saved (the page's own autosave that overtook its save): then, as for
    any save of such a page that changes nothing, nothing is written, and the revision stays."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "edit")
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise TypeError(f"unknown draft fields: {sorted(unknown)}")
    fields.pop("kind", None)
    _one_line_title(fields)
    if seen is not None and _as_saved(proposal, suggested_units, fields):
        return proposal
    if seen is not None and seen != draft_revision(proposal):
        raise WorkflowError(CONFLICT, _("Someone else saved this draft after this page was opened: your changes "
                                        "were not saved, so as not to replace theirs."))
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save()
    if suggested_units is not None:
        proposal.suggested_units.set(suggested_units)
    if _shown_to_others(proposal):
        touch(proposal.pk)
    return proposal


def _as_saved(proposal: Proposal, suggested_units, fields: dict) -> bool:
    """Whether ``fields`` and ``suggested_units`` (None: not sent) are what ``proposal`` holds already."""
    for name, value in fields.items():
        if name == "category":
            if proposal.category_id != getattr(value, "pk", value):
                return False
        elif getattr(proposal, name) != value:
            return False
    if suggested_units is None:
        return True
    return {getattr(u, "pk", u) for u in suggested_units} == set(proposal.suggested_units.values_list("pk", flat=True))


def _shown_to_others(proposal: Proposal) -> bool:
    """Whether a change of a draft or a returned proposal, which writes no event, is read by others than its author:
    a returned proposal is on the office's list, and a draft whose co-signers were asked is on their home pages
    (its title) and open to them; so its pages move (``touch``)."""
    return proposal.state != State.DRAFT or proposal.cosignatures.exists()


@transaction.atomic
def attachment_add(*, proposal: Proposal, by, file) -> Attachment:
    """Attach an uploaded file (already checked by ``AttachmentForm``) to a draft or a returned proposal. No
    event, as for the draft's other changes; a returned proposal's pages move."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "edit")
    held = proposal.attachments.aggregate(n=Count("id"), size=Sum("size"))
    if held["n"] >= settings.ATTACHMENTS_PER_PROPOSAL:
        raise WorkflowError(INVALID_INPUT, _("A proposal holds at most %(n)d attachments.")
                            % {"n": settings.ATTACHMENTS_PER_PROPOSAL})
    if (held["size"] or 0) + file.size > settings.ATTACHMENTS_TOTAL_BYTES:
        raise WorkflowError(INVALID_INPUT, _("The attachments of a proposal may hold %(mb)d MB together.")
                            % {"mb": settings.ATTACHMENTS_TOTAL_BYTES // (1024 * 1024)})
    stem, extension = os.path.splitext(file.name)
    name = file.name if len(file.name) <= 200 else stem[:200 - len(extension[:20])] + extension[:20]  # the type kept
    attachment = Attachment.objects.create(proposal=proposal, file=file, name=name, size=file.size, uploaded_by=by)
    if _shown_to_others(proposal):
        touch(proposal.pk)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by) -> None:
    """Take a file off a draft or a returned proposal (a wrong file uploaded), by whoever may edit it; the file
    itself is deleted once the change is committed. No event, as for its upload."""
    proposal = lock(attachment.proposal)
    workflow.check(by, proposal, "edit")
    attachment = Attachment.objects.select_for_update().filter(pk=attachment.pk, proposal=proposal).first()
    if attachment is None:  # removed meanwhile (a second click)
        return
    file, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(file))
    if _shown_to_others(proposal):
        touch(proposal.pk)


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by, check_content: bool = True, at=None) -> Proposal:
    """Send the proposal to the office. ``check_content=False`` is for importing records of another system,
    which may lack what TiAn asks of new proposals (a topic category, a body within today's limit)."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "submit")
    if check_content:
        _validate_content(proposal)
    at = _now(at)
    day = timezone.localdate(at)
    if proposal.state == State.DRAFT:
        session = session_for_date(proposal.committee, day) or proposal.session
        proposal.session, proposal.year = session, session.year
        proposal.is_plenary = session.is_plenary_date(day)
    if check_content:
        _check_member_of_term(proposal.lead_member, proposal.session)
    proposal.submitted_at = at
    _set_state(proposal, by, "proposal.submitted", State.SUBMITTED, at=at)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, by, note: str = "", at=None) -> Proposal:
    proposal = lock(proposal)
    workflow.check(by, proposal, "withdraw")
    _set_state(proposal, by, "proposal.withdrawn", State.WITHDRAWN, note=note, at=at)
    _all_take(proposal, "withdraw_with_proposal")
    return proposal


def _all_take(proposal: Proposal, name: str) -> None:
    """Every co-signature of ``proposal`` that may take step ``name`` of their lifecycle takes it."""
    step = COSIGNATURE[name]
    proposal.cosignatures.filter(status__in=step.sources).update(status=step.target)


def _freeze_cosigners(proposal: Proposal) -> None:
    """The list of co-signers is final once review is over: open invitations lapse."""
    _all_take(proposal, "lapse")


def cosign_window(proposal: Proposal, at: datetime.datetime) -> timedelta:
    """How long an invitation sent at ``at`` stays open: the plenary's window while a plenary is on (the session of
    that day, which for a draft begun last year is not the draft's own), the recess's otherwise."""
    committee = proposal.committee
    day = timezone.localdate(at)
    session = session_for_date(committee, day) or proposal.session
    if session.is_plenary_window(day):
        return timedelta(hours=committee.cosign_window_plenary_hours)
    return timedelta(hours=committee.cosign_window_recess_hours)


@transaction.atomic
def cosign_invite(*, proposal: Proposal, by, members, at=None) -> list[CoSignature]:
    """Invite members to co-sign, in the order given; members already invited are skipped."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "invite_cosigners")
    at = _now(at)
    existing = {c.member_id: c for c in proposal.cosignatures.all()}
    order = max([c.order for c in existing.values()], default=0)
    session = session_for_date(proposal.committee, timezone.localdate(at)) or proposal.session  # the term it is sent in
    created = []
    for member in dict.fromkeys(members):  # the same member twice is one invitation
        if member.pk == proposal.lead_member_id:
            raise WorkflowError(INVALID_INPUT, _("The lead proposer cannot co-sign their own proposal."))
        if member.committee_id != proposal.committee_id or not member.is_active:
            raise WorkflowError(INVALID_INPUT, _("%(name)s is not an active member of this committee.")
                                % {"name": member.name})
        _check_member_of_term(member, session)
        previous = existing.get(member.pk)
        if previous is not None and (previous.status == CoSignature.Status.ACCEPTED
                                     or previous.is_open_at(at)):
            continue
        order += 1
        expires = at + cosign_window(proposal, at)
        if previous is not None:  # invite again after a decline, expiry or withdrawal
            previous.status = COSIGNATURE.check(_lapsed(previous, at), "invite").target
            previous.invited_at, previous.expires_at = at, expires
            previous.responded_at, previous.order = None, order
            previous.save()
            created.append(previous)
        else:
            created.append(CoSignature.objects.create(proposal=proposal, member=member, order=order,
                                                      invited_at=at, expires_at=expires))
    if created:
        record(proposal, by, "cosign.invited", from_state=proposal.state, at=at,
               members=[c.member.name for c in created], member_ids=[c.member_id for c in created])
    return created


@transaction.atomic
def cosign_record_on_paper(*, proposal: Proposal, by, members, at=None) -> list[CoSignature]:
    """Office staff entering a paper proposal (代录) record the co-signers who signed the paper form:
    their signatures are accepted at once, no invitation is sent."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "record_paper_cosigners")
    at = _now(at)
    existing = {c.member_id: c for c in proposal.cosignatures.all()}
    order = max([c.order for c in existing.values()], default=0)
    recorded = []
    for member in dict.fromkeys(members):
        if member.pk == proposal.lead_member_id:
            raise WorkflowError(INVALID_INPUT, _("The lead proposer cannot co-sign their own proposal."))
        if member.committee_id != proposal.committee_id:
            raise WorkflowError(INVALID_INPUT, _("%(name)s is not an active member of this committee.")
                                % {"name": member.name})
        signature = existing.get(member.pk)
        if signature is not None and signature.status == CoSignature.Status.ACCEPTED:
            continue
        order += 1
        if signature is None:
            signature = CoSignature(proposal=proposal, member=member)
        else:
            COSIGNATURE.check(signature, "record_on_paper")
        signature.order, signature.status = order, COSIGNATURE["record_on_paper"].target
        signature.invited_at = signature.responded_at = signature.expires_at = at
        signature.save()
        recorded.append(signature)
    if recorded:
        record(proposal, by, "cosign.recorded_on_paper", from_state=proposal.state, at=at,
               members=[c.member.name for c in recorded])
    return recorded


def _lapsed(cosignature: CoSignature, at) -> CoSignature:
    """``cosignature`` with an invitation past its window at ``at`` seen as lapsed (the clock's step, which
    nothing may have stored yet), so that its lifecycle is asked about the status it is really in."""
    if cosignature.status == CoSignature.Status.INVITED and not cosignature.is_open_at(at):
        cosignature.status = COSIGNATURE["lapse"].target
    return cosignature


def _lock_cosignature(cosignature: CoSignature) -> CoSignature:
    return CoSignature.objects.select_for_update().select_related("proposal", "member").get(pk=cosignature.pk)


@transaction.atomic
def cosign_withdraw_invitation(*, cosignature: CoSignature, by, at=None) -> CoSignature:
    cosignature = _lock_cosignature(cosignature)
    proposal = lock(cosignature.proposal)
    COSIGNATURE.authorise(by, proposal, "withdraw")
    at = _now(at)
    cosignature.status = COSIGNATURE.check(_lapsed(cosignature, at), "withdraw").target
    cosignature.save(update_fields=["status"])
    record(proposal, by, "cosign.invitation_withdrawn", from_state=proposal.state, at=at,
           member=cosignature.member.name, member_id=cosignature.member_id)
    return cosignature


def cosign_respond(*, cosignature: CoSignature, by, accept: bool, at=None) -> CoSignature:
    """The invited member agrees to co-sign (同意联名) or declines."""
    at = _now(at)
    with transaction.atomic():
        cosignature = _lock_cosignature(cosignature)
        proposal = lock(cosignature.proposal)
        if by.acting_member_id != cosignature.member_id:
            raise WorkflowError(workflow.NOT_ALLOWED, workflow.MSG_NOT_ALLOWED)
        answer = "accept" if accept else "decline"
        COSIGNATURE.authorise(by, proposal, answer)
        step = COSIGNATURE.check(cosignature, answer)
        if cosignature.is_open_at(at):  # services may act at a past moment: at, not the clock
            cosignature.status = step.target
            cosignature.responded_at = at
            cosignature.save(update_fields=["status", "responded_at"])
            action = "cosign.accepted" if accept else "cosign.declined"
            record(proposal, by, action, from_state=proposal.state, at=at, member=cosignature.member.name)
            return cosignature
        # Too late. The lapse is stored although the answer is refused (it is what effective_status already
        # shows, so no event); the error is raised after the block so that this is not rolled back.
        cosignature.status = COSIGNATURE.check(cosignature, "lapse").target
        cosignature.save(update_fields=["status"])
    raise WorkflowError(workflow.INVALID_STATE, _("This invitation has expired."))


def _next_number(proposal: Proposal, given: int | None = None) -> int:
    """The next gapless number of the year. The sequence row is locked until the transaction ends, so
    concurrent registrations queue; a rolled-back registration gives its number back.

    ``given`` keeps the number a proposal already had in another system (imports): it must be free, and
    the sequence continues after the highest number taken."""
    NumberSequence.objects.get_or_create(committee_id=proposal.committee_id, year=proposal.year)
    sequence = NumberSequence.objects.select_for_update().get(committee_id=proposal.committee_id,
                                                              year=proposal.year)
    if given is not None:
        if given < 1 or Proposal.objects.filter(committee_id=proposal.committee_id, year=proposal.year,
                                                number=given).exists():
            raise WorkflowError(INVALID_INPUT, _("Number %(n)s of %(year)s is already taken.")
                                % {"n": given, "year": proposal.year})
        sequence.last_number = max(sequence.last_number, given)
        sequence.save(update_fields=["last_number"])
        return given
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


@transaction.atomic
def proposal_register(*, proposal: Proposal, by, note: str = "", number: int | None = None,
                      at=None) -> Proposal:
    """立案: number the proposal and freeze its co-signers (open invitations lapse). ``number`` is only for
    importing a proposal that already has one."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "register")
    at = _now(at)
    proposal.number = _next_number(proposal, number)
    proposal.registered_at = at
    proposal.review_note = note
    _freeze_cosigners(proposal)
    _set_state(proposal, by, "proposal.registered", State.REGISTERED, note=note, at=at, number=proposal.number)
    return proposal


@transaction.atomic
def proposal_decline(*, proposal: Proposal, by, ground: DeclineGround, forward: str, note: str = "",
                     at=None) -> Proposal:
    """不予立案, with a ground from the committee's list and where the text is forwarded."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "decline")
    if ground.committee_id != proposal.committee_id or not ground.is_active:
        raise WorkflowError(INVALID_INPUT, _("Please choose a ground from the list."))
    if forward not in DeclineForward.values:
        raise WorkflowError(INVALID_INPUT, _("Please choose where the proposal is forwarded."))
    proposal.decline_ground, proposal.decline_forward, proposal.review_note = ground, forward, note
    _freeze_cosigners(proposal)
    _set_state(proposal, by, "proposal.declined", State.DECLINED, note=note, at=at, ground=ground.text,
               forward=forward)
    return proposal


MERGE_TARGET_STATES = MERGE_TARGETS


@transaction.atomic
def proposal_merge(*, proposal: Proposal, into: Proposal, by, note: str = "", at=None) -> Proposal:
    """并案: the proposal joins ``into``; its proposer and co-signers are credited there."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "merge")
    target = Proposal.objects.select_for_update().get(pk=into.pk)
    # The merge form (pages and API) and the merge candidates offer the same year's proposals only; the service
    # itself takes any of the committee's.
    if target.pk == proposal.pk or target.committee_id != proposal.committee_id:
        raise WorkflowError(INVALID_INPUT, _("Please choose another proposal to merge into."))
    # Not into a replied one: its letters were written to proposers that did not include these.
    if target.state not in MERGE_TARGET_STATES:
        raise WorkflowError(INVALID_INPUT, _("A proposal can only be merged into one under review or registered."))
    proposal.merged_into = target
    proposal.review_note = note
    _freeze_cosigners(proposal)
    _set_state(proposal, by, "proposal.merged", State.MERGED, note=note, at=at, into=target.pk)
    record(target, by, "proposal.merged_in", from_state=target.state, note=note, at=at, merged=proposal.pk,
           title=proposal.title)
    return proposal


@transaction.atomic
def proposal_return(*, proposal: Proposal, by, note: str, at=None) -> Proposal:
    """退回修改: back to the proposer with a note saying what to change."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "return")
    if not note.strip():
        raise WorkflowError(INVALID_INPUT, _("Please say what should be revised."))
    proposal.review_note = note
    _set_state(proposal, by, "proposal.returned", State.RETURNED, note=note, at=at)
    return proposal


@transaction.atomic
def proposal_close(*, proposal: Proposal, by, at=None) -> Proposal:
    """办结."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "close")
    at = _now(at)
    proposal.closed_at = at
    _set_state(proposal, by, "proposal.closed", State.CLOSED, at=at)
    return proposal


@transaction.atomic
def proposal_disclose(*, proposal: Proposal, by, at=None) -> Proposal:
    """信息公开: publish the proposal and its replies, only where the proposer consented."""
    proposal = lock(proposal)
    workflow.check(by, proposal, "disclose")  # consented to, and not public yet (the step's refusal)
    at = _now(at)
    proposal.is_public, proposal.disclosed_at = True, at
    proposal.save(update_fields=["is_public", "disclosed_at", "updated_at"])
    record(proposal, by, "proposal.disclosed", from_state=proposal.state, at=at)
    return proposal
