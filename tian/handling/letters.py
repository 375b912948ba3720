"""The reply letter generated around the unit's body, exactly as the legacy system prints it.

The unit writes only the body; title, salutation to every proposer, closing, signature, date and contact
line are generated here. Pages, Word/PDF exports and the public portal all render this one structure.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects

from tian.handling.models import Assignment, OutcomeClass, Reply, ReplyCoSignature, UnitRole
from tian.proposals.models import KIND_OFFICIAL, Kind, Proposal
from tian.proposals.selectors import credited_proposers, merged_in_collectives, proposer_members

CLOSING = "此复。"


def chinese_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def salutation(proposal: Proposal) -> str:
    """尊敬的刘安泽、徐丽娟委员: — every credited proposer (``credited_proposers``): the members as 委员; a collective
    proposal greets its organisation first, and an organisation whose proposal was merged into this one (并案) is
    greeted after the members."""
    credited = credited_proposers(proposal)
    own = [c.name for c in credited[:1] if proposal.kind == Kind.COLLECTIVE and proposal.collective_id]
    members = "、".join(m.name for m in proposer_members(proposal))
    merged = [c.name for c in merged_in_collectives(proposal)]
    names = [*own, *([f"{members}委员"] if members else []), *merged]
    return f"尊敬的{'、'.join(names)}:"


def reply_title(proposal: Proposal) -> str:
    """关于政协广元市朝天区七届三次全会第15号委员提案的回复."""
    return (f"关于政协{proposal.committee.region}{proposal.session.name}第{proposal.number}号"
            f"{KIND_OFFICIAL[proposal.kind]}的回复")


def print_title(proposal: Proposal) -> str:
    """关于2023年度第15号提案的回复 — the title used in the printed (official format) letter."""
    return f"关于{proposal.year}年度第{proposal.number}号提案的回复"


def outcome_text(committee_id: int, code: str, label: str | None = None) -> str:
    """全部或主要问题已解决(A): ``label`` where the caller read it already, else the committee's."""
    if label is None:
        label = (OutcomeClass.objects.filter(committee_id=committee_id, code=code)
                 .values_list("label", flat=True).first())
    return f"{label}({code})" if label else code


def _outcome_text(reply: Reply) -> str:
    """The reply's outcome class in words; a list of letters reads the labels once (``reply.outcome_label``, set by
    ``documents.content.with_records``)."""
    if not reply.outcome:
        return ""
    return outcome_text(reply.proposal.committee_id, reply.outcome, reply.__dict__.get("outcome_label"))


@dataclass
class ReplyLetter:
    reply: Reply
    title: str
    print_title: str
    outcome_mark: str
    outcome_text: str
    salutation: str
    paragraphs: list[str]
    closing: str
    unit_name: str
    date_text: str
    contact_line: str
    signature_units: list[str] = field(default_factory=list)
    cosign_date_text: str = ""
    cosign_pending: bool = False
    supervision_pending: bool = False
    document_number: str = ""  # the unit's 文号 (朝民函〔2023〕15号), under the title
    round_heading: str = ""  # 重新办理后的答复 above a reply of the second round, as the proposal page heads it
    signer_line: str = ""  # 签发人:…, above the unit's name (the letter's words are the official format's, as above)


def signature_units(reply: Reply) -> list[str]:
    """The full names of the units that sign the letter: the writing unit, then, for a lead unit's reply, the assisting
    units that co-sign it: the reply's own co-signatures once it went to them (a unit re-routed away after signing
    signed it; the one that took its part did not), before that the assisting units it will go to. Each by its name of
    today, as every output names a unit (a rename shows at once everywhere, issue #20)."""
    units = [reply.unit.full_name]
    if reply.assignment.role != UnitRole.LEAD:
        return units
    # The co-signatures and the assignments are read with their units unless the caller read them already (the
    # proposal page does): then no query.
    prefetch_related_objects([reply], Prefetch("cosignatures", queryset=ReplyCoSignature.objects.select_related("unit")))
    signatures = sorted(reply.cosignatures.all(), key=lambda s: s.pk)
    if signatures:
        return units + [s.unit.full_name for s in signatures]
    proposal = reply.proposal
    prefetch_related_objects([proposal], Prefetch("assignments", queryset=Assignment.objects.select_related("unit")))
    assisting = sorted((a for a in proposal.assignments.all() if a.role == UnitRole.ASSISTING and a.is_active),
                       key=lambda a: a.pk)
    return units + [a.unit.full_name for a in assisting]


def build_letter(reply: Reply) -> ReplyLetter:
    """The letter of one reply, as its writers see it. What others may read of it (personal numbers masked)
    is ``tian.disclosure.policy.Disclosure.letter``."""
    proposal = reply.proposal
    phone = reply.contact_phone
    units = signature_units(reply)
    signatures = list(reply.cosignatures.all())
    cosign_pending = reply.status == Reply.Status.COSIGNING or any(s.signed_at is None for s in signatures)
    return ReplyLetter(
        reply=reply,
        title=reply_title(proposal),
        print_title=print_title(proposal),
        outcome_mark=f"( {reply.outcome} )类" if reply.outcome else "",
        outcome_text=_outcome_text(reply),
        salutation=salutation(proposal),
        paragraphs=reply.body_paragraphs,
        closing=CLOSING,
        unit_name=units[0],
        date_text=chinese_date(reply.reply_date),
        contact_line=f"(联系人:{reply.contact_name} 联系电话:{phone})",
        signature_units=units,
        cosign_date_text=chinese_date(reply.cosigned_on) if not cosign_pending else "",
        cosign_pending=cosign_pending,
        supervision_pending=not reply.is_released,
        document_number=reply.document_number,
        signer_line=f"签发人:{reply.signer}" if reply.signer else "",
        round_heading="重新办理后的答复" if reply.round > 1 else "",
    )
