"""Less-travelled forms: bad input gets a clear Chinese message and changes nothing; what a clerk typed is never
lost; the pages and the API agree. Each test failed on the code before its mend."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tian.deadlines.models import Reminder
from tian.handling import services as handling
from tian.organisations.models import Member, Unit
from tian.proposals.models import Proposal, TopicCategory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_office_reminder_with_an_over_long_message_is_refused_not_sent_without_it(world, client_for, assigned):
    """催办 from the proposal page with a message over 500 characters: RemindForm refuses it, and the view then sends
    the reminder anyway with an empty note (pages/proposals/office.py: assignment_remind, ``note = … if
    form.is_valid() else ""``). The unit is reminded without the message, the message typed is lost, and the API
    refuses the same request (422, RemindRequest.note max 500). It should be refused, nothing sent, with the
    Chinese reason and the text kept."""
    lead = assigned.assignments.get(role="lead")
    response = client_for(world.staff).post(reverse("proposals:remind", args=[lead.pk]), {"note": "请抓紧办理。" * 100},
                                            follow=True)
    assert not Reminder.objects.filter(assignment=lead).exists()
    page = _text(response)
    assert "500" in page and "请抓紧办理。" in page  # the reason, and what was typed to copy


def test_the_lead_units_reminder_with_an_over_long_message_is_refused_not_sent_without_it(world, client_for,
                                                                                          assigned):
    """The lead unit's 催办 of an assisting unit (pages/handling/views.py: remind_assisting) does the same: a message
    over 500 characters is dropped and the reminder sent without it. Nothing should be sent, and the message should
    come back with its Chinese reason."""
    handling.assignment_sign_for(assignment=assigned.assignments.get(role="lead"), by=world.lead_handler)
    assisting = assigned.assignments.get(role="assisting")
    response = client_for(world.lead_handler).post(reverse("handling:remind_assisting", args=[assisting.pk]),
                                                   {"note": "请尽快报送会办意见。" * 60}, follow=True)
    assert not Reminder.objects.filter(assignment=assisting).exists()
    page = _text(response)
    assert "500" in page and "请尽快报送会办意见。" in page


def test_a_unit_name_with_a_zero_width_space_is_not_a_second_unit_of_the_same_name(world, client_for):
    """区民政局 followed by an invisible zero-width space (pasted from a web page or a chat) is saved as a new unit
    beside 区民政局: the unique name (unit_unique_name) compares the invisible character, and no form removes it
    (organisations/forms.py: managed_form_class; core/request_limits only removes control characters, not format
    characters such as U+200B/U+FEFF). Two units then look the same in every list of units; assignments split
    between them. The name should be refused as existing, beside its field."""
    response = client_for(world.admin).post(reverse("organisations:create", args=["units"]), {
        "name": "区民政局\u200b", "full_name": "广元市朝天区民政局", "kind": "government", "order": "0",
        "is_active": "on"})
    assert Unit.objects.filter(committee=world.committee, name__startswith="区民政局").count() == 1
    assert response.status_code == 200 and "存在" in _text(response)


def test_a_category_named_by_an_invisible_character_alone_is_refused(world, client_for):
    """A topic category whose name is a zero-width space only passes "required" (it is not whitespace to
    str.strip): an invisible, empty-looking category is offered to every member's draft. It should be refused as
    empty ("此字段是必填项。")."""
    response = client_for(world.admin).post(reverse("organisations:create", args=["topic-categories"]),
                                            {"name": "\u200b\ufeff", "order": "9", "is_active": "on"})
    assert not TopicCategory.objects.filter(committee=world.committee, name__in=["\u200b\ufeff", "\ufeff"]).exists()
    assert response.status_code == 200


def _workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("members.xlsx", out.getvalue())


def test_the_excel_member_import_refuses_what_the_member_form_refuses(world, client_for):
    """The member import (importers/excel.py: _import_members) writes its rows with update_or_create, without the
    model's checks that the member form and the unit import (full_clean) make: a name of 40 characters (the column
    holds 30), an office phone of 50 (30) and a workplace of 300 (120) are saved on SQLite, and on PostgreSQL the
    whole import is a server error (value too long). The row should be reported, by row and column, in Chinese,
    with nothing written."""
    upload = _workbook([["姓名*", "性别", "界别", "党派", "手机", "办公电话", "工作单位及职务"],
                        ["王" * 40, "男", "", "", "", "0839-8622541" * 4, "广元市朝天区人民医院" * 30]])
    response = client_for(world.staff).post(reverse("importers:excel"), {"kind": "members", "file": upload})
    assert not Member.objects.filter(name__startswith="王王王").exists()
    assert response.status_code == 200 and "2" in _text(response)


def test_an_attachment_with_a_dated_long_file_name_is_taken_or_refused_in_chinese_keeping_the_draft(world,
                                                                                                  client_for):
    """A PDF named as offices name them, "2023.03.16 关于……的补充材料.pdf", uploaded with a new draft: the
    storage keeps everything after the first dot as the extension, cannot shorten the path to the FileField's 100
    characters (proposals/models.py: attachment_path puts the whole name in the path; Attachment.file has the
    default max_length) and raises SuspiciousFileOperation: the answer is Django's bare English "Bad Request (400)"
    and the draft the member typed, saved in the same step, is rolled back and lost. The file should be taken
    (under a short stored name, its own name kept in ``name``) or refused in Chinese beside the field, the draft
    kept."""
    client = client_for(world.member)
    client.raise_request_exception = False
    name = "2023.03.16 " + "关于加强全区未成年人关爱保护工作的建议的补充材料" * 3 + ".pdf"
    response = client.post(reverse("proposals:new"), {
        "title": "关于加强全区托育服务的建议", "body": "我写了很长的正文。", "upload": "1",
        "file": SimpleUploadedFile(name, PDF, content_type="application/pdf")})
    assert response.status_code in (200, 302, 422)
    draft = Proposal.objects.get(title="关于加强全区托育服务的建议")
    [attachment] = draft.attachments.all()
    assert attachment.name == name and attachment.file.name.endswith(".pdf")
    download = client.get(reverse("proposals:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
