"""A wrong file uploaded to a draft is taken off it by its author (the draft page's 删除), the file deleted with it;
nobody else may, and nothing is removed once the proposal is submitted."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tian.proposals import services
from tian.proposals.models import Attachment, TopicCategory
from tian.proposals.workflow import WorkflowError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于甲的建议", body="建议。", category=category)
    services.attachment_add(proposal=p, by=world.member, file=SimpleUploadedFile("错传的文件.pdf", PDF))
    services.attachment_add(proposal=p, by=world.member, file=SimpleUploadedFile("调研报告.pdf", PDF))
    return p


def _fields(p) -> dict:
    return {"title": p.title, "category": p.category_id, "body": p.body, "disclosure_consent": "on",
            "revision": services.draft_revision(p)}


def test_the_author_removes_a_wrong_file_on_the_draft_page(world, client_for, draft,
                                                          django_capture_on_commit_callbacks):
    wrong = draft.attachments.get(name="错传的文件.pdf")
    stored = wrong.file.path
    page = client_for(world.member)
    assert "删除" in page.get(f"/proposals/{draft.pk}/edit/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the removal is committed
        answer = page.post(f"/proposals/{draft.pk}/edit/", {**_fields(draft), "remove_attachment": wrong.pk},
                           follow=True)
    assert "已删除附件“错传的文件.pdf”" in answer.content.decode()
    assert list(draft.attachments.values_list("name", flat=True)) == ["调研报告.pdf"]
    assert not Path(stored).exists()


def test_nobody_else_removes_it_and_nothing_is_removed_after_submission(world, client_for, draft):
    wrong = draft.attachments.get(name="错传的文件.pdf")
    with pytest.raises(WorkflowError):
        services.attachment_remove(attachment=wrong, by=world.cosigner)
    services.proposal_submit(proposal=draft, by=world.member)
    with pytest.raises(WorkflowError):
        services.attachment_remove(attachment=wrong, by=world.member)
    assert Attachment.objects.filter(pk=wrong.pk).exists()


def test_an_attachment_of_another_proposal_is_not_found(world, client_for, draft):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    other = services.proposal_create_draft(by=world.cosigner, committee=world.committee,
                                           lead_member=world.cosigner.member, title="关于乙的建议", body="建议。",
                                           category=category)
    foreign = services.attachment_add(proposal=other, by=world.cosigner, file=SimpleUploadedFile("乙.pdf", PDF))
    answer = client_for(world.member).post(f"/proposals/{draft.pk}/edit/",
                                           {**_fields(draft), "remove_attachment": foreign.pk})
    assert answer.status_code == 404
    assert Attachment.objects.filter(pk=foreign.pk).exists()


def test_a_proposal_holds_a_bounded_number_of_files(world, client_for, draft, settings):
    settings.ATTACHMENTS_PER_PROPOSAL = 2
    page = client_for(world.member)
    answer = page.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile("第三个.pdf", PDF)},
                       follow=True)
    assert "每件提案最多上传 2 个附件" in answer.content.decode()
    assert draft.attachments.count() == 2
