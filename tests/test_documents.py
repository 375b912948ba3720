"""Official documents in Word and PDF: the seed letter's text, Chinese that renders, who may download."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document as WordDocument
from pypdf import PdfReader

from tian.handling.models import Reply
from tian.importers.legacy import parse
from tian.importers.legacy_import import import_record
from tian.proposals.models import Proposal

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "000_e27d693f035c4dc2.txt"


@pytest.fixture
def seed(world):
    if not SEED.exists():
        pytest.skip("the seed page is not beside the repository")
    import_record(parse(SEED.read_text(encoding="utf-8")), by=world.staff, committee=world.committee)
    return Proposal.objects.get(year=2023, number=15)


def seed_letter_paragraphs():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    return [line.strip() for line in lines[15:23]]  # salutation … contact line


def test_reply_letter_docx_contains_the_seed_letter_in_order(world, client_for, seed):
    reply = Reply.objects.get(proposal=seed)
    # The unit that wrote it reads the letter exactly as sent; the proposer's copy masks the handler's mobile
    # as the proposal page does (the disclosure policy).
    member_copy = client_for(world.member).get(reverse("documents:reply_letter", args=[reply.pk, "docx"]))
    member_text = [p.text for p in WordDocument(io.BytesIO(member_copy.content)).paragraphs]
    assert "(联系人:贺威 联系电话:137****2836)" in member_text
    response = client_for(seed.assignments.get(role="lead").unit.handlers.first()).get(
        reverse("documents:reply_letter", args=[reply.pk, "docx"]))
    assert response.status_code == 200
    paragraphs = [p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs if p.text.strip()]
    assert paragraphs[0] == "( A )类"
    assert paragraphs[1] == "关于2023年度第15号提案的回复"
    expected = seed_letter_paragraphs()
    start = paragraphs.index(expected[0])
    assert paragraphs[start:start + len(expected)] == expected
    assert "广元市朝天区妇女联合会" in paragraphs and "2023年10月20日" in paragraphs


def test_reply_letter_pdf_embeds_a_cjk_font_and_its_text(world, client_for, seed):
    reply = Reply.objects.get(proposal=seed)
    response = client_for(world.member).get(reverse("documents:reply_letter", args=[reply.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "关于2023年度第15号提案的回复" in text.replace(" ", "")
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("CJK" in f or "Han" in f or "Song" in f for f in fonts), fonts


def test_proposal_form_and_print_view(world, client_for, seed):
    response = client_for(world.staff).get(reverse("documents:proposal_form", args=[seed.pk, "docx"]))
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs)
    for part in ("关于加强全区未成年人关爱保护工作的建议", "第〔15〕号", "提案人:刘安泽", "联名人:徐丽娟", "主办单位:区民政局",
                 "未成年人是祖国的未来"):
        assert part in text, part
    page = client_for(world.member).get(reverse("documents:proposal_print", args=[seed.pk])).content.decode()
    assert "第〔15〕号" in page and "<nav" not in page


def test_assignment_notice_for_the_office_and_the_unit_itself(world, client_for, seed):
    from tian.proposals.models import State

    Proposal.objects.filter(pk=seed.pk).update(state=State.HANDLING)
    unit = world.units["区民政局"]
    url = reverse("documents:assignment_notice", args=[unit.pk, "docx"])
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(client_for(world.staff).get(url).content)).paragraphs)
    assert "提案交办通知" in text and "2023年度第15号" in text and "主办单位" in text
    assert client_for(world.lead_handler).get(url).status_code == 200
    assert client_for(world.other_handler).get(url).status_code == 403
    assert client_for(world.member).get(url).status_code == 403


def test_compilation_of_a_session(world, client_for, seed):
    url = reverse("documents:compilation", args=[world.session.pk, "docx"])
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(client_for(world.staff).get(url).content)).paragraphs)
    assert "七届三次全会提案汇编" in text and "目录" in text and "2023年度第15号 关于加强全区未成年人关爱保护工作的建议" in text
    assert client_for(world.member).get(url).status_code == 403
    pdf = client_for(world.staff).get(reverse("documents:compilation", args=[world.session.pk, "pdf"]))
    assert pdf.status_code == 200 and len(PdfReader(io.BytesIO(pdf.content)).pages) >= 3


def test_a_letter_not_yet_released_is_not_downloadable_by_the_proposer(world, client_for, seed):
    reply = Reply.objects.get(proposal=seed)
    Reply.objects.filter(pk=reply.pk).update(status=Reply.Status.SUPERVISION)
    assert client_for(world.member).get(reverse("documents:reply_letter", args=[reply.pk, "docx"])).status_code == 404
    form = reverse("documents:proposal_form", args=[seed.pk, "docx"])
    assert client_for(world.stranger).get(form).status_code == 200  # the seed is public
    Proposal.objects.filter(pk=seed.pk).update(is_public=False)
    assert client_for(world.stranger).get(form).status_code == 404


def test_documents_are_made_at_most_so_many_a_minute_for_one_account(world, client_for, seed, settings, monkeypatch):
    """A Word or PDF document is made while the request waits (a compilation for seconds): past the minute's share
    an account is told to wait (429, Retry-After) and nothing is made or audited, while another account goes on."""
    import types

    from tian.audit.models import AuditEntry
    from tian.core import throttle

    # One clock minute for the whole test: on a slow machine its four documents could straddle two minutes.
    monkeypatch.setattr(throttle, "time", types.SimpleNamespace(time=lambda: 1_800_000_030.0))
    settings.DOCUMENTS_PER_MINUTE = 3
    staff = client_for(world.staff)
    url = reverse("documents:proposal_form", args=[seed.pk, "docx"])
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).count
    before = downloads()
    for _n in range(3):
        assert staff.get(url).status_code == 200
    refused = staff.get(reverse("documents:compilation", args=[world.session.pk, "pdf"]))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "每人每分钟最多下载 3 份" in refused.content.decode()
    assert downloads() == before + 3
    assert client_for(world.member).get(url).status_code == 200  # counted per account
