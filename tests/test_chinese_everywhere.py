"""Text a Chinese user met in English (or wrong) with the default language (zh-hans), found by a review: error
pages, the expired-form page, the session form's label, the awards' 撤销, the delivery log's reasons, the names of the
Excel, CSV and JSON downloads, the Word files' author, the proposal form's 信息公开. Each comment says what was shown."""

import io
import re
from urllib.parse import unquote

import docx
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from lxml import html as lhtml
from openpyxl import load_workbook

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _visible(content: bytes) -> str:
    doc = lhtml.fromstring(content.decode())
    for bad in doc.xpath("//script|//style"):
        bad.drop_tree()
    return doc.text_content()


def _filename(response) -> str:
    """The downloaded file's name, as the browser saves it (``filename*=UTF-8''…`` or ``filename="…"``)."""
    return re.search(r"filename\*?=(?:UTF-8'')?\"?([^\"]+)", unquote(response["Content-Disposition"]))[1]


# --- Pages -----------------------------------------------------------------------------------------------------

def test_session_form_labels_its_term_in_chinese(world, client_for):
    # 人员与单位 › 会议 › 七届三次全会: the first field of the form is labelled "Term" (Session.term has no
    # verbose_name); it should read 届次 like every other label around it.
    page = client_for(world.admin).get(reverse("organisations:edit", args=["sessions", world.session.pk]))
    labels = [label.text_content().strip() for label in lhtml.fromstring(page.content.decode()).xpath("//main//label")]
    assert "Term" not in labels, labels
    assert any("届" in label for label in labels), labels


def test_awards_page_takes_back_an_outstanding_mark_without_saying_withdraw_proposal(world, client_for, assigned):
    # 年度评优: next to a proposal already marked 优秀 the button that takes the mark back reads "撤案" (withdraw the
    # proposal — the msgid "Withdraw" is shared with the proposal's own 撤案 step). It should read 撤销 (as the
    # timeline's 撤销优秀提案).
    from tian.stats import awards

    awards.toggle_proposal(proposal=assigned, by=world.staff)
    page = client_for(world.staff).get(reverse("stats:awards") + f"?year={assigned.year}")
    doc = lhtml.fromstring(page.content.decode())
    buttons = [b.text_content().strip() for b in doc.xpath("//main//form[.//input[@name='proposal']]//button")]
    assert buttons and "撤案" not in buttons, buttons
    assert any("撤销" in b for b in buttons), buttons


def test_deliveries_page_says_in_chinese_why_nothing_was_sent(world, client_for):
    # 邮件和短信发送记录: for an account deactivated since, the 最近错误 column shows "account deactivated".
    from tian.notifications.models import Delivery, Notification
    from tian.notifications.tasks import deliver

    world.cosigner.is_active = False
    world.cosigner.save(update_fields=["is_active"])
    note = Notification.objects.create(user=world.cosigner, key="review:1", kind="proposal.registered",
                                       message="您的提案《关于甲的建议》已立案,编号2026年度第1号。")
    delivery = Delivery.objects.create(notification=note, channel=Delivery.Channel.SMS, address="13700000002")
    deliver(delivery.pk)
    page = _visible(client_for(world.admin).get(reverse("notifications:deliveries")).content)
    assert "account deactivated" not in page


# --- Error pages -----------------------------------------------------------------------------------------------

def _error_page(code):
    request = RequestFactory(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/proposals/")
    handler = get_resolver().resolve_error_handler(code)
    return handler(request) if code == 500 else handler(request, exception=Exception())


def test_server_error_page_is_in_chinese(db):
    # Any server error shows Django's bare "Server Error (500)" page (no 500.html, no handler500), in English.
    response = _error_page(500)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Server Error" not in text and re.search(r"[\u4e00-\u9fff]", text), text


def test_bad_request_page_is_in_chinese(db):
    # A refused request (e.g. a bad Host header) shows Django's bare "Bad Request (400)" page, in English.
    response = _error_page(400)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Bad Request" not in text and re.search(r"[\u4e00-\u9fff]", text), text


def test_csrf_failure_page_is_the_sites_own(world):
    # A form sent with a stale security token (a page left open, a sign-in in another tab) gets Django's CSRF page:
    # tab title "403 Forbidden" and the developer's hint "更多可用信息请设置选项DEBUG＝True。".
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.member)
    response = client.post(reverse("proposals:new"), {"title": "关于甲的建议"})
    assert response.status_code == 403
    text = _visible(response.content)
    assert "Forbidden" not in text, text
    assert "DEBUG" not in text, text


# --- Downloads -------------------------------------------------------------------------------------------------

def test_statistics_excel_is_titled_and_named_in_chinese(world, client_for, assigned):
    # 统计分析 › 按委员 › 下载 Excel: the file is "2026年度-members.xlsx" and its first line reads "2026年度-members"
    # (the table's address slug); likewise overview/units/categories/sectors/parties.
    staff = client_for(world.staff)
    for table in ("overview", "units", "categories", "sectors", "parties", "members"):
        response = staff.get(reverse("stats:download", args=[table]) + f"?year={assigned.year}")
        assert response.status_code == 200
        title = load_workbook(io.BytesIO(response.content)).active["A1"].value
        assert not LATIN_WORD.search(str(title)), (table, title)
        assert table not in _filename(response), _filename(response)


def test_statistics_proposal_list_excel_is_titled_in_chinese(world, client_for, assigned):
    # 统计分析 › a number › 下载: the sheet's first line and the file name are "2026年度-received".
    response = client_for(world.staff).get(reverse("stats:behind"),
                                           {"year": assigned.year, "measure": "received", "format": "xlsx"})
    title = load_workbook(io.BytesIO(response.content)).active["A1"].value
    assert not LATIN_WORD.search(str(title)), title
    assert "received" not in _filename(response), _filename(response)


def test_excel_import_templates_are_named_in_chinese(world, client_for):
    # 从 Excel 导入 › 模板: the file is "tian-members-template.xlsx" and its first sheet is named "members" (the
    # second one is "说明"); also units/users/proposals.
    for kind, user in (("members", world.admin), ("units", world.admin), ("users", world.admin),
                       ("proposals", world.staff)):
        response = client_for(user).get(reverse("importers:excel_template", args=[kind]))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert not LATIN_WORD.search(sheet.title), (kind, sheet.title)
        assert not LATIN_WORD.search(_filename(response).rsplit(".", 1)[0]), _filename(response)


def test_public_data_downloads_are_named_in_chinese(world):
    # 公开网站 › 开放数据: the public saves "proposals-2026-6.csv" / ".json"; every other download of the system has a
    # Chinese name (提案单 2023年度第15号.docx, …提案汇编.docx).
    for fmt in ("csv", "json"):
        response = Client().get(reverse("portal:export", args=[world.current_session.pk, fmt]))
        assert response.status_code == 200
        name = _filename(response).rsplit(".", 1)[0]
        assert not LATIN_WORD.search(name), _filename(response)


def test_word_documents_do_not_name_python_docx_as_their_author(world, client_for, assigned):
    # Every .docx (提案单, 答复函, 交办通知, 提案汇编) shows in Word's 文件 › 信息: 作者 "python-docx", 备注
    # "generated by python-docx".
    response = client_for(world.staff).get(reverse("documents:proposal_form", args=[assigned.pk, "docx"]))
    properties = docx.Document(io.BytesIO(response.content)).core_properties
    assert "python-docx" not in properties.author, properties.author
    assert "python-docx" not in properties.comments, properties.comments


def test_proposal_form_shows_the_proposers_consent_to_disclosure(world, client_for, assigned):
    # 提案单 (Word/PDF/打印视图): "信息公开:否" for a proposal whose proposer agreed to disclosure, while the proposal
    # page says 信息公开 是 — the form prints whether it is published yet, not the proposal's 信息公开 field (是/否).
    assert assigned.disclosure_consent and not assigned.is_public
    staff = client_for(world.staff)
    response = staff.get(reverse("documents:proposal_form", args=[assigned.pk, "docx"]))
    lines = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs if "信息公开" in p.text]
    assert lines and "信息公开:是" in lines[0], lines
    printed = _visible(staff.get(reverse("documents:proposal_print", args=[assigned.pk])).content)
    assert "信息公开:是" in printed
