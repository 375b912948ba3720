"""The documents as plain structures, written once and rendered to Word and PDF alike. They are official documents
in Chinese whatever the reader's language: the views build them under ``in_chinese``.

What a document shows of a proposal is what its reader may see (``tian.disclosure.policy``): the proposal
form and the letters take the reader's ``Disclosure``."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from tian.deadlines.services import satisfaction, with_ratings
from tian.deadlines.status import unit_due
from tian.disclosure.policy import Disclosure
from tian.handling.letters import build_letter, chinese_date
from tian.handling.models import (
    Assignment,
    Evaluation,
    OutcomeClass,
    Reply,
    ReplyCoSignature,
    UnitRole,
    latest_lead_evaluations,
)
from tian.proposals.models import Proposal
from tian.proposals.selectors import CREDIT_LOOKUPS, credited_cosigners
from tian.proposals.timeline import review_detail
from tian.supervision.selectors import review_text


@dataclass
class Block:
    """One paragraph: its text and how it is set."""

    text: str
    style: str = "body"  # title, subtitle, heading, body, plain, right, center, mark, pagebreak, toc


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, text, style="body"):
        self.blocks.append(Block(text, style))


def letter_blocks(reply: Reply, policy: Disclosure, letter=None) -> list[Block]:
    """The reply letter in official format, as the legacy system prints it (``letter``: built already)."""
    letter = letter or policy.letter(reply)
    blocks = []
    if letter.round_heading:
        blocks.append(Block(letter.round_heading, "heading"))
    if letter.outcome_mark:
        blocks.append(Block(letter.outcome_mark, "mark"))
    blocks.append(Block(letter.print_title, "title"))
    if letter.document_number:
        blocks.append(Block(letter.document_number, "center"))
    blocks.append(Block(letter.salutation, "plain"))
    blocks += [Block(p) for p in letter.paragraphs]
    blocks.append(Block(letter.closing, "plain"))
    if letter.signer_line:
        blocks.append(Block(letter.signer_line, "right"))
    blocks.append(Block(letter.unit_name, "right"))
    blocks.append(Block(letter.date_text, "right"))
    blocks.append(Block(letter.contact_line, "plain"))
    if len(letter.signature_units) > 1:
        blocks += [Block(unit, "right") for unit in letter.signature_units]
        blocks.append(Block(letter.cosign_date_text or "协办未会签", "right"))
    return blocks


def reply_letter(reply: Reply, policy: Disclosure) -> Document:
    document = Document(title=build_letter(reply).print_title)
    document.blocks = letter_blocks(reply, policy)
    return document


def _released(proposal: Proposal):
    if hasattr(proposal, "released_replies"):  # read with many (``with_records``)
        return proposal.released_replies
    return (Reply.objects.filter(proposal=proposal, status=Reply.Status.RELEASED)
            .select_related("unit", "assignment", "proposal__committee", "proposal__session__term", "follow_up")
            .order_by("round", "id"))


def with_records(proposals) -> list[Proposal]:
    """``proposals`` with what their proposal forms read (a session's compilation), in a few queries for all of them:
    proposers and co-signers (through merges), units, offices, officials, the released replies with their
    co-signatures, reviews and follow-ups, the lead proposer's rating that counts and the day the replies were out."""
    proposals = list(proposals)
    released = (Reply.objects.filter(status=Reply.Status.RELEASED).select_related("unit", "assignment", "follow_up")
                .prefetch_related(Prefetch("cosignatures", queryset=ReplyCoSignature.objects.select_related("unit")), "reviews").order_by("round", "id"))
    prefetch_related_objects(proposals, *CREDIT_LOOKUPS, "assignments__unit", "supervising_offices", "lead_officials",
                             "committee", Prefetch("replies", queryset=released, to_attr="released_replies"),
                             Prefetch("evaluations", queryset=Evaluation.objects.filter(is_lead=True).order_by(
                                 "round", "at", "pk"), to_attr="lead_evaluations"))
    with_ratings(proposals)
    labels = {(committee, code): label for committee, code, label in OutcomeClass.objects.filter(
        committee_id__in={p.committee_id for p in proposals}).values_list("committee_id", "code", "label")}
    for p in proposals:
        for reply in p.released_replies:
            reply.proposal = p  # its letter reads the proposal's proposers and units, read above
            reply.outcome_label = labels.get((p.committee_id, reply.outcome), "")
    return proposals


def proposal_blocks(proposal: Proposal, policy: Disclosure, *, with_replies: bool = True) -> list[Block]:
    units = {role: [a.unit.name for a in proposal.assignments.all() if a.role == role and a.is_active]
             for role in UnitRole.values}
    cosigners = "、".join(m.name for m in credited_cosigners(proposal)) or "—"
    blocks = [
        Block(policy.text(proposal.title), "title"),
        Block(f"编号:{proposal.number_bracket or '—'}  {proposal.number_session}", "center"),
        # The year's number, as the seed page's form and the office's files and lists give it.
        Block(f"提案编号:{proposal.number_year or '—'}", "plain"),
        Block(f"提案人:{proposal.proposer_name}  联名人:{cosigners}", "plain"),
        Block(f"提案类别:{proposal.category.name if proposal.category_id else '—'}  "
              f"所属类别:{proposal.kind_label}", "plain"),
    ]
    blocks += [Block(policy.text(p)) for p in proposal.body_paragraphs]
    # 信息公开 is the proposer's consent to disclosure (domain.md, "The proposal"), with the reason when 否; the proposal
    # page says so too, and marks whether it is published yet.
    consent = "是" if proposal.disclosure_consent else "否"
    if not proposal.disclosure_consent and proposal.non_disclosure_reason:
        consent += f"({proposal.non_disclosure_reason})"
    blocks.append(Block(f"审查结果:{_review(proposal, policy)}  信息公开:{consent}", "plain"))
    blocks.append(Block("办理情况", "heading"))
    blocks.append(Block(f"交办时间:{chinese_date(proposal.assigned_on) or '—'}  是否重点:{'是' if proposal.is_key else '否'}",
                        "plain"))
    blocks.append(Block(f"主办单位:{' '.join(units['lead']) or '—'}  协办单位:{' '.join(units['assisting']) or '—'}"
                        + (f"  分办单位:{' '.join(units['separate'])}" if units["separate"] else ""), "plain"))
    blocks.append(Block(f"督办单位:{' '.join(o.name for o in proposal.supervising_offices.all()) or '—'}  "
                        f"牵头领导:{' '.join(o.name for o in proposal.lead_officials.all()) or '—'}", "plain"))
    if with_replies:
        replies = policy.replies(_released(proposal))
        last_round = max((reply.round for reply in replies), default=0)
        for index, reply in enumerate(replies):
            blocks.append(Block("", "pagebreak"))
            letter = policy.letter(reply)
            blocks += letter_blocks(reply, policy, letter)
            blocks.append(Block(f"落实情况:{letter.outcome_text or '—'}", "plain"))
            blocks.append(Block(f"督办审核:{review_text(reply)}", "plain"))
            blocks += _follow_up_blocks(reply, policy)
            # After each round's letters, that round's rating: the first round's 不满意 is why the proposal was
            # handled again, and the filed form keeps it.
            if reply.round < last_round and (index + 1 == len(replies) or replies[index + 1].round != reply.round):
                blocks += _rating_blocks(_lead_rating_of_round(proposal, reply.round), policy)
        if replies:
            blocks += evaluation_blocks(proposal, policy)
    return blocks


def _follow_up_blocks(reply: Reply, policy: Disclosure) -> list[Block]:
    """回头看 after the letter it follows: the unit's report once sent, for those the policy lets read it (the filed
    form keeps what was done, not a task still open)."""
    follow_up = getattr(reply, "follow_up", None)  # read with the reply; a reply without one has none
    if follow_up is None or follow_up.reported_at is None or not policy.follow_up_visible(follow_up):
        return []
    reported_on = chinese_date(timezone.localdate(follow_up.reported_at))
    paper = ",纸质报告" if follow_up.on_paper else ""
    return [Block(f"回头看({reply.unit.name},{reported_on}报告{paper}):", "plain"),
            *(Block(p) for p in policy.follow_up_report(follow_up).splitlines() if p.strip())]


def _review(proposal: Proposal, policy: Disclosure) -> str:
    """审查结果 as the proposal page says it (``review_detail``): not registered on what ground (and what the text was
    forwarded as), or merged into which proposal, the filed form's way."""
    said = review_detail(proposal, policy)
    result = said.result or "—"
    if said.ground:
        result += f":{said.ground}"
        if said.forward:
            result += f"({said.forward_label})"
    elif said.merged_into:
        result += f":{said.merged_into.number_year or ''}《{policy.text(said.merged_into.title)}》"
    return result


def _lead_rating_of_round(proposal: Proposal, round_: int):
    """The lead proposer's rating of one round (their latest of it): read with a session's forms (``with_records``)."""
    if hasattr(proposal, "lead_evaluations"):
        rated = [e for e in proposal.lead_evaluations if e.round == round_]
        return rated[-1] if rated else None
    return Evaluation.objects.filter(proposal=proposal, is_lead=True, round=round_).order_by("at", "pk").last()


def _rating_blocks(lead, policy: Disclosure, text: str | None = None) -> list[Block]:
    blocks = [Block(f"满意评价:{text if text is not None else (lead.get_result_display() if lead else '—')}", "plain")]
    feedback = policy.feedback(lead) if lead is not None else ""
    if feedback:
        blocks.append(Block(f"反馈意见:{feedback}", "plain"))
    return blocks


def evaluation_blocks(proposal: Proposal, policy: Disclosure) -> list[Block]:
    """满意评价 and 反馈意见, as the proposal page and the portal say them: the lead proposer's rating that counts,
    which everyone who sees the proposal reads; the feedback for those the policy lets read it."""
    lead = (proposal.lead_rating if hasattr(proposal, "lead_rating")
            else latest_lead_evaluations().filter(proposal=proposal).first())
    return _rating_blocks(lead, policy, satisfaction(proposal, lead).text or "—")


def proposal_form(proposal: Proposal, policy: Disclosure) -> Document:
    """提案单: the proposal with its number, proposers, category, body and handling record."""
    document = Document(title=f"提案单 {proposal.number_year or policy.text(proposal.title)}")
    document.add("政协提案", "subtitle")
    document.blocks += proposal_blocks(proposal, policy)
    return document


def assignment_notice(unit, assignments: list[Assignment], committee) -> Document:
    """交办通知: the proposals a unit is given, with roles and deadlines."""
    document = Document(title=f"{committee.name}提案交办通知({unit.name})")
    document.add(f"{committee.name}", "subtitle")
    document.add("提案交办通知", "title")
    document.add(f"{unit.full_name}:", "plain")
    document.add(f"现将以下{len(assignments)}件政协提案交由你单位办理,请按期办结并答复提案人。")
    for number, a in enumerate(assignments, start=1):
        p = a.proposal
        # The deadline the unit works to now (in rehandling, the one the office set then), as its work page says.
        document.add(f"{number}. {p.number_year} 《{p.title}》 提案人:{p.proposer_name};办理方式:{a.get_role_display()};"
                     f"交办日期:{chinese_date(a.assigned_on)};办理期限:{chinese_date(unit_due(a, p).day)}", "plain")
    document.add(committee.name, "right")
    return document


def compilation(session, proposals: list[Proposal], policy_for) -> Document:
    """提案汇编: cover, table of contents, every registered proposal of the session with its replies, as
    ``policy_for(proposal)`` lets the reader see each."""
    committee = session.term.committee
    document = Document(title=f"{committee.name}{session.name}提案汇编")
    document.add(committee.name, "subtitle")
    document.add(f"{session.name}提案汇编", "title")
    document.add(f"共收录立案提案 {len(proposals)} 件", "center")
    document.add("", "pagebreak")
    document.add("目录", "heading")
    for p in proposals:
        document.add(f"{p.number_year} {policy_for(p).text(p.title)}({p.proposer_name})", "toc")
    for p in proposals:
        document.add("", "pagebreak")
        document.blocks += proposal_blocks(p, policy_for(p))
    return document
