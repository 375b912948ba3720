"""The clerk who prints and files: the reply letter, the proposal form (提案单), the assignment notice (交办通知), the
session compilation (汇编) and the Excel lists, held to the seed page, to the proposal page and to domain.md.

Each test marked "defect" failed on the code when it was written (since mended); those marked "holds" guard something the
clerk relies on."""

import io

import pytest
from django.urls import reverse
from docx import Document as WordDocument
from pypdf import PdfReader

from tests.test_deadlines import assigned
from tests.test_deadlines_in_rehandling import first_reply_released, in_rehandling_today
from tests.test_documents import seed  # noqa: F401 - a fixture: the seed page's proposal
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.proposals import services
from tian.proposals.models import DeclineGround, Proposal, TopicCategory
from tian.supervision import services as supervision


def docx_lines(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs]


def docx_text(response) -> str:
    return "\n".join(docx_lines(response))


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _submitted(world, *, by, title, **proposer):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=by, committee=world.committee, title=title, body="建议。",
                                       category=category, **proposer)
    return services.proposal_submit(proposal=p, by=by)


def _released_lead_reply(world, p, body="现答复如下。"):
    """The lead unit (区民政局, nobody to co-sign, no supervising office) writes and releases its reply."""
    lead = p.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body=body, outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000")
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.is_released, reply.status
    return reply


# --- defects ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["declined", "merged"])
def test_proposal_form_of_a_proposal_not_registered_says_why_and_where(world, client_for, case):
    """Defect. The proposal page prints 审查结果 with the decline ground and where the text was forwarded (不予立案:
    ground(转…)), or the proposal it was merged into (并案: the other's title). The clerk's 提案单 of the same proposal
    says only ``审查结果:不予立案`` / ``审查结果:并案``: the filed paper loses why it was not registered, or where its
    proposers' credit went."""
    p = _submitted(world, by=world.member, title="关于规范城区占道经营的建议", lead_member=world.member.member)
    if case == "declined":
        ground = DeclineGround.objects.filter(committee=world.committee, is_active=True).first()
        services.proposal_decline(proposal=p, by=world.staff, ground=ground, forward="opinion")
        p = Proposal.objects.get(pk=p.pk)
        expected = [ground.text]
    else:
        target = _submitted(world, by=world.cosigner, title="关于整治城区占道经营秩序的建议",
                            lead_member=world.cosigner.member)
        services.proposal_merge(proposal=p, into=target, by=world.staff)
        expected = ["关于整治城区占道经营秩序的建议"]
    page = client_for(world.staff).get(p.get_absolute_url()).content.decode()
    assert all(part in page for part in expected)  # the page says it
    text = docx_text(client_for(world.staff).get(reverse("documents:proposal_form", args=[p.pk, "docx"])))
    review_line = next(line for line in text.split("\n") if line.startswith("审查结果:"))
    for part in expected:
        assert part in review_line, (part, review_line)


def _second_reply_released(world, p) -> Reply:
    """The lead unit's reply after rehandling, co-signed and approved."""
    lead = p.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="再次答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000")
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    reply = handling.reply_cosign(reply=reply, by=world.assisting_handler).reply
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    return Reply.objects.get(pk=reply.pk)


def test_second_round_reply_is_printed_as_the_reply_after_rehandling(world, client_for):
    """Defect. After the lead proposer was dissatisfied, the unit's second reply is the reply after rehandling: the
    proposal page and the portal head it 重新办理后的答复. The 提案单 prints both letters with the same words and the
    standalone Word letter of round 2 is word for word a first reply (关于2023年度第N号提案的回复, nothing else), so
    the clerk files the second reply as if it were the first."""
    p = in_rehandling_today(world)
    reply = _second_reply_released(world, p)
    assert reply.round == 2 and reply.is_released
    staff = client_for(world.staff)
    assert "重新办理后的答复" in staff.get(p.get_absolute_url()).content.decode()  # the page marks it
    form = docx_lines(staff.get(reverse("documents:proposal_form", args=[p.pk, "docx"])))
    assert any("重新办理" in line for line in form), "the proposal form does not mark the second reply"
    letter = docx_text(staff.get(reverse("documents:reply_letter", args=[reply.pk, "docx"])))
    assert "重新办理" in letter, "the second-round letter reads as a first reply"


def test_assignment_notice_in_rehandling_gives_the_rehandling_deadline(world, client_for):
    """Defect. In rehandling every unit works to the proposal's new deadline (``deadlines.status.unit_due``; the
    unit's work page and inbox show it). The 交办通知 the office prints for 区民政局 still gives 办理期限:2023年6月16日,
    the first reply's deadline, long past: the unit is told the wrong date in an official notice."""
    p = in_rehandling_today(world)
    unit = world.units["区民政局"]
    text = docx_text(client_for(world.staff).get(reverse("documents:assignment_notice", args=[unit.pk, "docx"])))
    line = next(line for line in text.split("\n") if p.number_year in line)
    due = p.rehandling_deadline
    assert f"办理期限:{due.year}年{due.month}月{due.day}日" in line, line
    assert "2023年6月16日" not in line, line


def test_collective_proposals_letter_greets_the_member_merged_into_it(world, client_for):
    """Defect. domain.md: a merged proposal's proposers keep credit, and the letter's salutation greets every proposer.
    刘安泽's proposal was merged into 民盟朝天区支部's collective proposal; the proposal form credits him, but the reply
    letter says only ``尊敬的民盟朝天区支部:`` (``letters.salutation`` greets a collective alone), so the letter the
    clerk sends never addresses a member it answers."""
    collective = _submitted(world, by=world.collective, title="关于加强全区未成年人关爱保护工作的建议",
                            collective=world.collective_org)
    mine = _submitted(world, by=world.member, title="关于加强未成年人保护的建议", lead_member=world.member.member)
    services.proposal_merge(proposal=mine, into=collective, by=world.staff)
    p = services.proposal_register(proposal=Proposal.objects.get(pk=collective.pk), by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]])
    reply = _released_lead_reply(world, p)
    staff = client_for(world.staff)
    form = docx_text(staff.get(reverse("documents:proposal_form", args=[p.pk, "docx"])))
    assert "刘安泽" in form  # credited on the form
    letter = docx_lines(staff.get(reverse("documents:reply_letter", args=[reply.pk, "docx"])))
    salutation = next(line for line in letter if line.startswith("尊敬的"))
    assert "民盟朝天区支部" in salutation and "刘安泽" in salutation, salutation


def test_proposal_form_of_a_rehandled_proposal_keeps_the_first_rounds_rating(world, client_for):
    """Defect. The lead proposer's 不满意 with the first reply is why the proposal was rehandled; the proposal page lists
    each rating with its round. The 提案单 prints 满意评价 once, after all the letters, from the latest rating only, so
    once the second reply is rated 满意 the filed form shows two letters and a single 满意评价:满意 — the dissatisfaction
    (and its 反馈意见) that sent it back is gone from the paper record."""
    p = first_reply_released(world, assigned(world))
    handling.evaluation_submit(proposal=p, by=world.member, result="dissatisfied", feedback="未解决实际问题")
    p = Proposal.objects.get(pk=p.pk)
    assert p.state == "rehandling"
    _second_reply_released(world, p)
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member, result="satisfied",
                               feedback="问题已解决")
    lines = docx_lines(client_for(world.staff).get(reverse("documents:proposal_form", args=[p.pk, "docx"])))
    ratings = [line for line in lines if line.startswith("满意评价:")]
    feedback = [line for line in lines if line.startswith("反馈意见:")]
    assert any("不满意" in line for line in ratings), ratings
    assert any("未解决实际问题" in line for line in feedback), feedback


# --- holds -----------------------------------------------------------------------------------------------------


def test_holds_proposal_form_gives_the_leads_feedback_to_staff_only_and_masks_mobiles_for_co_signers(
        world, client_for, seed):  # noqa: F811
    """Holds. Seed page: 反馈意见:非常满意 is the lead proposer's; the co-signer 徐丽娟 may read the rating, not the lead's
    feedback, and reads the handler's mobile masked in the letter's contact line, in Word and PDF alike."""
    staff = docx_text(client_for(world.staff).get(reverse("documents:proposal_form", args=[seed.pk, "docx"])))
    assert "反馈意见:非常满意" in staff and "13795952836" in staff
    cosigner = client_for(world.cosigner)
    for fmt in ("docx", "pdf"):
        response = cosigner.get(reverse("documents:proposal_form", args=[seed.pk, fmt]))
        text = docx_text(response) if fmt == "docx" else pdf_text(response)
        assert "满意评价:满意" in text.replace(" ", ""), fmt
        assert "非常满意" not in text and "13795952836" not in text, fmt
        assert "137****2836" in text, fmt
