"""Who hears about which event, and what they read. One rule per event action.

A rule gets the event and yields ``(who, message, url)`` triples, ``who`` being a condition on users, and may add a
fourth, the key of what the message is about when two events can tell the same thing (one message per user and
key); an action without a rule notifies nobody. A note the disclosure policy keeps from a recipient is not in their
message (``INTERNAL_NOTES``: the office's decisions' notes). Messages are in the committee's language (Chinese) because they are also sent by SMS.
"""

from collections import defaultdict

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tian.accounts.backends import of_committee
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.handling.models import REPLYING_ROLES, Reply, UnitRole
from tian.proposals.models import CoSignature, Kind, Proposal
from tian.proposals.selectors import cosigner_members, merged_in_collective_ids, proposer_members


def users(condition: Q, committee_id: int | None = None):
    """The active accounts ``condition`` names; of a committee's proposal, only that committee's people (a database
    may hold several committees: ``User.committee``; an operator's account, of none, too)."""
    found = User.objects.filter(condition, is_active=True)
    if committee_id is not None:
        found = found.filter(of_committee(committee_id))
    return found.select_related("member", "collective").distinct()


def staff_users() -> Q:
    return Q(role_grants__role=Role.STAFF)


def unit_users(unit_ids) -> Q:
    return Q(role_grants__role=Role.UNIT_HANDLER, unit_id__in=list(unit_ids))


def office_users(proposal) -> Q:
    return Q(role_grants__role=Role.SUPERVISOR, office__in=list(proposal.supervising_offices.all()))


def official_users(proposal) -> Q:
    return Q(role_grants__role=Role.LEAD_OFFICIAL, lead_official__in=list(proposal.lead_officials.all()))


def member_users(member_ids) -> Q:
    """The accounts acting as these members: bound to one and holding the member's role (``User.acting_member_id``)."""
    return Q(role_grants__role=Role.MEMBER, member_id__in=list(member_ids))


def lead_users(proposal) -> Q:
    if proposal.kind == Kind.COLLECTIVE:
        return Q(role_grants__role=Role.COLLECTIVE, collective_id=proposal.collective_id)
    return member_users([proposal.lead_member_id])


def proposer_users(proposal) -> Q:
    """Everyone credited on the proposal (the disclosure policy's proposers): its lead, the members who co-signed it,
    and those of the proposals merged into it, members and organisations (并案: every proposer keeps credit)."""
    condition = member_users(m.pk for m in proposer_members(proposal)) | lead_users(proposal)
    merged_in = merged_in_collective_ids(proposal)
    if merged_in:
        condition |= Q(role_grants__role=Role.COLLECTIVE, collective_id__in=merged_in)
    return condition


def _units_by_role(proposal, *roles):
    return list(proposal.assignments.filter(role__in=roles).active()
                .values_list("unit_id", flat=True))


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _work_url(proposal):
    return _url("handling:work", proposal.pk) or proposal.get_absolute_url()


def _title(proposal: Proposal) -> str:
    return f"《{proposal.title}》"


def cosign_invited(event):
    """The invitees, each told until when they can answer (3 hours in the plenary, a day otherwise: the window
    differs, and the message is often read as an SMS)."""
    p = event.proposal
    # By id: two members may share a name (an event written before the ids were, by the names).
    if "member_ids" in event.data:
        invited = Q(member_id__in=event.data["member_ids"])
    else:
        invited = Q(member__name__in=event.data.get("members", []))
    open_invites = CoSignature.objects.filter(invited, proposal=p, status=CoSignature.Status.INVITED)
    by_expiry = defaultdict(list)
    for invitation in open_invites:
        by_expiry[invitation.expires_at].append(invitation.member_id)
    for expires_at, member_ids in by_expiry.items():
        until = "在截止时间前"
        if expires_at:
            local = timezone.localtime(expires_at)
            until = f"于{local.month}月{local.day}日 {local:%H:%M}前"
        yield member_users(member_ids), f"{p.proposer_name}邀请您联名提案{_title(p)},请{until}答复。", p.get_absolute_url()


def cosign_declined(event):
    """The lead proposer, who may still ask someone else while the proposal is open to invitations."""
    p = event.proposal
    yield lead_users(p), f"{event.data.get('member', '')}未同意联名您的提案{_title(p)}。", p.get_absolute_url()


def invitation_withdrawn(event):
    """The invitee, who was asked to answer by a time (often by SMS), hears that nothing is asked any more. The title is
    left out: an ended invitation no longer shows the proposal's text, and the link goes to the member's home."""
    member_id = event.data.get("member_id")
    if member_id:
        yield (member_users([member_id]), f"{event.proposal.proposer_name}已撤回对您的联名邀请,无需再答复。",
               _url("dashboard:home_member"))


def withdrawn(event):
    """The co-signers, whose record the proposal leaves (the lead withdrew it)."""
    p = event.proposal
    yield (member_users(m.pk for m in cosigner_members(p)), f"您联名的提案{_title(p)}已由提案人撤回。",
           p.get_absolute_url())


def submitted(event):
    p = event.proposal
    yield staff_users(), f"新提案待审查:{_title(p)}(提案人:{p.proposer_name})。", p.get_absolute_url()


def registered(event):
    p = event.proposal
    yield proposer_users(p), f"您的提案{_title(p)}已立案,编号{p.number_year}。", p.get_absolute_url()


def returned(event):
    p = event.proposal
    yield lead_users(p), f"您的提案{_title(p)}被退回修改:{event.note}", p.get_absolute_url()


def declined(event):  # every proposer, as registration tells them all; returning is the lead's alone to act on
    p = event.proposal
    yield proposer_users(p), f"您的提案{_title(p)}不予立案:{event.data.get('ground', '')}。", p.get_absolute_url()


def merged(event):
    p = event.proposal
    yield proposer_users(p), f"您的提案{_title(p)}已并案办理。", p.get_absolute_url()


def assigned(event):
    p = event.proposal
    units = _units_by_role(p, *UnitRole.values)
    yield unit_users(units), f"新交办提案{p.number_year}{_title(p)},请及时签收。", _work_url(p)
    # The proposers: which units will contact them before replying (办前沟通), and by when the reply is due.
    names = "、".join(name for names in (event.data.get("units") or {}).values() for name in names)
    due = event.data.get("reply_deadline")
    yield (proposer_users(p), f"您的提案{p.number_year}{_title(p)}已交{names}办理" + (f",答复期限{due}。" if due else "。"),
           p.get_absolute_url())
    if p.is_key:
        yield official_users(p) | office_users(p), f"重点提案{p.number_year}{_title(p)}已交办。", p.get_absolute_url()


def key_set(event):
    """The lead officials and supervising offices newly named for a proposal after its assignment (``proposal_set_key``);
    all of them when it is made key."""
    p = event.proposal
    what = "重点提案" if event.data.get("key") else "提案"
    if event.data.get("key") and not event.data.get("was_key"):  # made key: every official and office now leads it
        told = official_users(p) | office_users(p)
    else:
        told = (Q(role_grants__role=Role.LEAD_OFFICIAL, lead_official__in=event.data.get("new_officials") or [])
                | Q(role_grants__role=Role.SUPERVISOR, office__in=event.data.get("new_offices") or []))
    yield told, f"{what}{p.number_year}{_title(p)}请您督办。", p.get_absolute_url()


def reassignment_requested(event):
    p = event.proposal
    yield staff_users(), f"{event.data.get('unit', '')}申请退办提案{p.number_year}{_title(p)}。", p.get_absolute_url()


# How a message names a unit's part (the messages are in Chinese whatever the reader's language).
ROLE_WORDS = {UnitRole.LEAD: "主办", UnitRole.ASSISTING: "协办", UnitRole.SEPARATE: "分办"}


def _moved_to(p, new_unit: str, unit: str) -> tuple[str, str]:
    """What the unit taking over a part (re-routed, adjusted) and the proposers read: which part it takes — the lead
    unit's, an assisting one's, a separate one's — and in place of whom."""
    role = p.assignments.filter(unit__name=new_unit).active().values_list("role", flat=True).first()
    word = ROLE_WORDS.get(role, "承办")
    return (f"提案{p.number_year}{_title(p)}改由您单位{word}(原为{unit}),请及时签收。",
            f"您的提案{p.number_year}{_title(p)}的{word}单位改为{new_unit}(原为{unit})。")


def reassignment_decided(event):
    p = event.proposal
    decision = "同意" if event.action == "reassignment.approved" else "不同意"
    old = p.assignments.filter(unit__name=event.data.get("unit")).values_list("unit_id", flat=True)
    # The decision's note is the office's (``INTERNAL_NOTES``); a unit taken off no longer opens the work page.
    where = _url("handling:inbox") if event.action == "reassignment.approved" else _work_url(p)
    yield unit_users(old), f"提案{p.number_year}{_title(p)}的退办申请:{decision}。", where
    if event.data.get("new_unit"):
        new = p.assignments.filter(unit__name=event.data["new_unit"]).values_list("unit_id", flat=True)
        to_unit, to_proposers = _moved_to(p, event.data["new_unit"], event.data.get("unit", ""))
        yield unit_users(new), to_unit, _work_url(p)
        # The proposers were told at the assignment which units would contact them.
        yield proposer_users(p), to_proposers, p.get_absolute_url()


def assignment_adjusted(event):
    """调整承办单位: the unit taken off hears where its part went and why (the office's reason is for the units:
    ``INSIDER_NOTES``), the unit that takes it over that it has a new assignment, and the proposers, told at the
    assignment which units would contact them, which unit handles it now."""
    p = event.proposal
    unit, new_unit = event.data.get("unit", ""), event.data.get("new_unit", "")
    old = p.assignments.filter(unit__name=unit).values_list("unit_id", flat=True)
    new = p.assignments.filter(unit__name=new_unit).active().values_list("unit_id", flat=True)
    reason = f"调整理由:{event.note}" if event.note else ""
    # A unit taken off no longer opens the work page.
    yield (unit_users(old), f"提案{p.number_year}{_title(p)}已调整由{new_unit}承办,您单位不再承办。{reason}",
           _url("handling:inbox"))
    to_unit, to_proposers = _moved_to(p, new_unit, unit)
    yield unit_users(new), to_unit, _work_url(p)
    yield proposer_users(p), to_proposers, p.get_absolute_url()


def opinion_sent(event):
    p = event.proposal
    yield (unit_users(_units_by_role(p, UnitRole.LEAD)),
           f"{event.data.get('unit', '')}已提交提案{p.number_year}的会办意见。", _work_url(p))


def reply_progress(event):
    """After a reply is submitted or co-signed: tell whoever must act next."""
    p = event.proposal
    reply = (Reply.objects.filter(proposal=p, unit__name=event.data.get("reply_unit") or event.data.get("unit"))
             .order_by("-round").first())
    if reply is None:
        return
    if reply.status == Reply.Status.COSIGNING and event.action == "reply.submitted":
        units = [s.unit_id for s in reply.cosignatures.all() if s.signed_at is None]
        yield unit_users(units), f"提案{p.number_year}的答复待您单位会签。", _work_url(p)
    elif reply.status == Reply.Status.SUPERVISION:
        # Read when the worker gets to the event: a co-signature and the submission before it can both find the reply
        # waiting for review, so the message is keyed on the reply's submission, told once.
        yield office_users(p), f"提案{p.number_year}{_title(p)}的答复待督办审核。", (
            _url("supervision:review", reply.pk) or p.get_absolute_url()), (
            f"review:{reply.pk}:{reply.submitted_at.timestamp() if reply.submitted_at else reply.round}")


def supervision_returned(event):
    p = event.proposal
    units = p.assignments.filter(unit__name=event.data.get("unit")).values_list("unit_id", flat=True)
    yield unit_users(units), f"提案{p.number_year}的答复被督办单位退回:{event.note}", _work_url(p)


def supervision_approved(event):
    """The unit hears that its reply went out, and of a class the office changed (its letter's mark changed with it)."""
    p = event.proposal
    units = p.assignments.filter(unit__name=event.data.get("unit")).values_list("unit_id", flat=True)
    before, after = event.data.get("outcome_before"), event.data.get("outcome_after")
    changed = f",落实情况由{before}类调整为{after}类" if before and after and before != after else ""
    yield (unit_users(units), f"提案{p.number_year}的答复已经{event.data.get('office', '督办单位')}审核同意并发布{changed}。",
           _work_url(p))


def reply_released(event):
    """A unit's reply reaches the proposers while other units' replies of the round are still to come (units that
    handle a proposal separately reply on their own): the proposers can read it now. The reply that completes the
    round (``last``) is followed, in the same change, by the proposal's ``proposal.replied``, which asks for their
    rating. The unit whose reply it is hears of it when the last co-signature released it (no office supervises the
    proposal): it submitted the reply, and an assisting unit's signature, not its own step, sent it out (a reply a
    supervising office approved is told of by ``supervision_approved``)."""
    p = event.proposal
    unit = event.data.get("unit", "")
    writer = event.data.get("unit_id")
    if event.data.get("step") == "release" and writer and (event.actor is None or event.actor.unit_id != writer):
        yield unit_users([writer]), f"提案{p.number_year}的答复已会签完毕并发布。", _work_url(p)
    if event.data.get("last", True):
        return
    yield (proposer_users(p), f"{unit}对您的提案{_title(p)}的答复已发布,"
           "其他承办单位的答复发布后请对办理结果进行评价。", p.get_absolute_url())


def replied(event):
    p = event.proposal
    yield proposer_users(p), f"您的提案{_title(p)}已答复,请对办理结果进行评价。", p.get_absolute_url()


def follow_up_reported(event):
    """回头看: the unit's report of what became of its B-class reply reaches the proposers, who were answered a year
    before, and the office. The report is the event's note, read on the proposal page: a message may go out by SMS,
    so it is not quoted."""
    p = event.proposal
    unit = event.data.get("unit", "")
    yield (proposer_users(p), f"{unit}已报告您的提案{p.number_year}{_title(p)}的落实情况(回头看),请查看。",
           p.get_absolute_url())
    yield staff_users(), f"{unit}已报告提案{p.number_year}{_title(p)}的落实情况(回头看)。", p.get_absolute_url()


def rehandling(event):
    p = event.proposal
    units = _units_by_role(p, *REPLYING_ROLES)
    message = f"提案{p.number_year}{_title(p)}需重新办理。"
    yield unit_users(units), message, _work_url(p)
    yield staff_users(), message, p.get_absolute_url()
    # The proposers: a co-signer asked to rate the first reply learns why the rating is no longer asked.
    due = event.data.get("deadline")
    yield (proposer_users(p), f"您的提案{_title(p)}已交承办单位重新办理" + (f",期限{due}。" if due else "。"),
           p.get_absolute_url())


def extension_requested(event):
    p = event.proposal
    yield (staff_users(), f"{event.data.get('unit', '')}申请延期答复提案{p.number_year}{_title(p)}。",
           p.get_absolute_url())


def extension_decided(event):
    """The unit hears the office's decision (its note is the office's: ``INTERNAL_NOTES``)."""
    p = event.proposal
    units = p.assignments.filter(unit__name=event.data.get("unit")).values_list("unit_id", flat=True)
    if event.action == "extension.approved":
        message = f"提案{p.number_year}{_title(p)}的延期申请:同意,答复期限延至{event.data.get('deadline', '')}。"
    else:
        message = f"提案{p.number_year}{_title(p)}的延期申请:不同意。"
    yield unit_users(units), message, _work_url(p)
    # The proposers were told the reply deadline at the assignment: a unit that writes a reply has a new one.
    if event.action == "extension.approved" and p.assignments.filter(unit__name=event.data.get("unit"),
                                                                     role__in=REPLYING_ROLES).exists():
        yield (proposer_users(p), f"您的提案{p.number_year}{_title(p)}的答复期限延至{event.data.get('deadline', '')}"
               f"({event.data.get('unit', '')})。", p.get_absolute_url())


def closed(event):
    p = event.proposal
    yield proposer_users(p), f"您的提案{_title(p)}已办结。", p.get_absolute_url()


RULES = {
    "cosign.invited": cosign_invited,
    "cosign.declined": cosign_declined,
    "cosign.invitation_withdrawn": invitation_withdrawn,
    "proposal.withdrawn": withdrawn,
    "proposal.submitted": submitted,
    "proposal.registered": registered,
    "proposal.returned": returned,
    "proposal.declined": declined,
    "proposal.merged": merged,
    "proposal.assigned": assigned,
    "proposal.key_set": key_set,
    "reassignment.requested": reassignment_requested,
    "reassignment.approved": reassignment_decided,
    "reassignment.refused": reassignment_decided,
    "assignment.adjusted": assignment_adjusted,
    "extension.requested": extension_requested,
    "extension.approved": extension_decided,
    "extension.refused": extension_decided,
    "opinion.sent": opinion_sent,
    "reply.submitted": reply_progress,
    "reply.cosigned": reply_progress,
    "supervision.returned": supervision_returned,
    "supervision.approved": supervision_approved,
    "reply.released": reply_released,
    "proposal.replied": replied,
    "proposal.rehandling": rehandling,
    "follow_up.reported": follow_up_reported,
    "proposal.closed": closed,
}
