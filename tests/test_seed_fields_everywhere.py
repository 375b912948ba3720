"""Every field of the seed page (../shared/seeds/000_e27d693f035c4dc2.txt) has a home and is shown where a user
expects it: the printable proposal, the letters, the Excel list, the API. Each test failed on the code before its
mend."""

import io
import json
import re

import openpyxl
from django.urls import reverse
from docx import Document as WordDocument

from tests.test_documents import seed  # noqa: F401 - a fixture: the seed page's proposal, imported
from tian.handling import services as handling
from tian.proposals.models import Proposal, State


def docx_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return "\n".join(p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs)


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_proposal_form_shows_review_result_and_disclosure(world, client_for, seed):  # noqa: F811
    """Seed page, line 10: ``审查结果:已立案 信息公开:是``. The proposal form (提案单, Word/PDF and the print view) is
    the printable proposal page, but it has no line for the review result nor the disclosure consent."""
    text = docx_text(client_for(world.staff).get(reverse("documents:proposal_form", args=[seed.pk, "docx"])))
    assert "审查结果:已立案" in text
    assert "信息公开:是" in text
    page = flat(client_for(world.staff).get(reverse("documents:proposal_print", args=[seed.pk])).content.decode())
    assert "审查结果:已立案" in page and "信息公开:是" in page


def test_proposal_form_shows_the_evaluation_parts(world, client_for, seed):  # noqa: F811
    """Seed page, after the letters: ``落实情况:全部或主要问题已解决(A) 督办审核:已通过 满意评价:满意 反馈意见:非常满意``.
    The proposal form prints the reply letters but none of the evaluation's four parts, so a printed proposal
    (and the session compilation built from the same blocks) loses the outcome, the supervision review and the
    proposer's rating and feedback."""
    text = docx_text(client_for(world.staff).get(reverse("documents:proposal_form", args=[seed.pk, "docx"])))
    for part in ("落实情况:全部或主要问题已解决(A)", "督办审核:已通过", "满意评价:满意", "反馈意见:非常满意"):
        assert part in text, part


def test_official_documents_stay_chinese_in_the_english_interface(world, client_for, seed):  # noqa: F811
    """domain.md: the numbers and letters are official Chinese documents (``KIND_OFFICIAL`` exists for this); the
    seed page prints ``所属类别:委员提案``. With the interface switched to English, the Word proposal form prints
    ``所属类别:Member proposal`` (``get_kind_display()`` is translated), a Chinese official form with English in it."""
    client = client_for(world.staff)
    client.cookies["django_language"] = "en"
    text = docx_text(client.get(reverse("documents:proposal_form", args=[seed.pk, "docx"])))
    assert "所属类别:委员提案" in text


def test_assignment_notice_role_stays_chinese_in_the_english_interface(world, client_for, seed):  # noqa: F811
    """Seed page: ``主办单位:区民政局 协办单位:…``. The 交办通知 is an official document, but its 办理方式 is
    ``get_role_display()``, which prints ``Lead unit`` for a user whose interface is English."""

    Proposal.objects.filter(pk=seed.pk).update(state=State.HANDLING)
    client = client_for(world.staff)
    client.cookies["django_language"] = "en"
    url = reverse("documents:assignment_notice", args=[world.units["区民政局"].pk, "docx"])
    text = docx_text(client.get(url))
    assert "办理方式:主办单位" in text or "办理方式:主办" in text, text


def test_proposal_list_excel_has_the_seed_pages_handling_fields(world, client_for, seed):  # noqa: F811
    """Seed page: 联名人, 主办单位, 协办单位, 交办时间, 落实情况 and 满意评价 are the facts of a proposal. The office's
    proposal list export (the only Excel export of proposals; ``stats.exports.PROPOSALS``) has none of them, so the
    co-signer 徐丽娟, the units, the assignment date, the A class and 满意 have no home in any Excel file."""
    response = client_for(world.staff).get(reverse("proposals:list") + "?format=xlsx")
    assert response.status_code == 200
    rows = [[("" if c.value is None else str(c.value)) for c in row]
            for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    row = " | ".join(next(r for r in rows if "2023年度第15号" in r))
    for value in ("徐丽娟", "区民政局", "区教科局", "区妇联", "2023", "满意"):
        assert value in row, (value, row)
    assert any("03-16" in cell or "3月16日" in cell for cell in row.split(" | ")), row


def test_reply_letter_prints_document_number_and_signer(world, client_for, assigned):
    """domain.md, Handling: the system generates the letter around the body with "the unit's own document number
    (文号), signer (签发人, the unit's leader), contact person and phone". The reply stores ``document_number`` and
    ``signer`` but ``build_letter`` drops both, so neither the Word nor the PDF letter carries them."""

    lead = assigned.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="现答复如下。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000",
                                document_number="朝民函〔2023〕45号", signer="王建国")
    text = docx_text(client_for(world.lead_handler).get(reverse("documents:reply_letter", args=[reply.pk, "docx"])))
    assert "朝民函〔2023〕45号" in text
    assert "王建国" in text


def test_api_reply_carries_the_letters_signature(world, client_for, seed):  # noqa: F811
    """Seed page, end of the letter: ``广元市朝天区民政局 / 2023年10月11日`` and the co-signature block
    ``广元市朝天区民政局 广元市朝天区教育和科学技术局 … 广元市朝天区妇女联合会 / 2023年10月20日``. The API's reply has
    the title, salutation, body, date and contact line but no signature: only the short unit name 区民政局, no unit's
    full name and no co-signing date, so a client cannot print the letter as the seed shows it."""
    data = json.loads(client_for(world.staff).get(f"/api/v1/proposals/{seed.pk}").content)
    reply = json.dumps(data["replies"][0], ensure_ascii=False)
    for part in ("广元市朝天区民政局", "广元市朝天区教育和科学技术局", "广元市朝天区妇女联合会", "2023年10月20日"):
        assert part in reply, part


def test_api_lists_the_lead_unit_before_assisting_units(world, client_for, seed):  # noqa: F811
    """Seed page: ``主办单位:区民政局 协办单位:区教科局 区司法局 区公安分局 区妇联`` — the lead unit first, the
    assisting units in their order. ``Assignment.Meta.ordering = ["role", "id"]`` sorts the role codes
    alphabetically (assisting < lead), so the API detail (and the staff page's unit table) lists the four assisting
    units before the lead unit."""
    data = json.loads(client_for(world.staff).get(f"/api/v1/proposals/{seed.pk}").content)
    assert [(a["role"], a["unit"]["name"]) for a in data["assignments"]] == [
        ("lead", "区民政局"), ("assisting", "区教科局"), ("assisting", "区司法局"), ("assisting", "区公安分局"),
        ("assisting", "区妇联")]
