"""Excel imports: templates, row-by-row validation in Chinese, all or nothing per file."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.importers.excel import KINDS, import_file
from tian.organisations.models import Member, Unit
from tian.proposals.models import Proposal


def workbook(kind, rows):
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in KINDS[kind]])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_has_chinese_headers(world, client_for):
    response = client_for(world.staff).get(reverse("importers:excel_template", args=["members"]))
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:3] == ("姓名*", "性别", "界别")


def test_members_are_imported_and_updated(world):
    content = workbook("members", [["王芳", "女", "社会福利和社会保障界", "中国民主同盟", "13900000001", "", "区人民医院医生"],
                                   ["刘安泽", "男", "", "", "13700000009", "", "区一中校长"]])
    report = import_file("members", content, committee=world.committee, by=world.staff)
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert Member.objects.get(name="王芳").workplace == "区人民医院医生"
    assert Member.objects.get(name="刘安泽").mobile == "13700000009"


def test_one_bad_row_imports_nothing_and_names_row_and_column(world):
    content = workbook("members", [["李雷", "男", "", "", "13900000002", "", ""],
                                   ["韩梅梅", "女", "不存在的界别", "", "12345", "", ""],
                                   ["", "男", "", "", "", "", "无名"]])
    report = import_file("members", content, committee=world.committee, by=world.staff)
    assert not report.ok
    assert any(e.startswith("第3行，“界别”列") for e in report.errors), report.errors
    assert any("手机" in e for e in report.errors) and any("姓名" in e for e in report.errors)
    assert not Member.objects.filter(name__in=["李雷", "韩梅梅"]).exists()


def test_units_and_users(world):
    report = import_file("units", workbook("units", [["区档案馆", "广元市朝天区档案馆", "政府部门", "0839-8621111", "李明"]]),
                         committee=world.committee, by=world.staff)
    assert report.ok and Unit.objects.get(name="区档案馆").full_name == "广元市朝天区档案馆"
    users = workbook("users", [["区档案馆", "档案馆经办人", "承办单位经办人", "a-good-secret-1", "", "", "", "区档案馆", "", "", ""],
                               ["nounit", "无单位", "承办单位经办人", "a-good-secret-2", "", "", "", "", "", "", ""]])
    report = import_file("users", users, committee=world.committee, by=world.staff)
    assert not report.ok and any("承办单位经办人必须属于一个承办单位" in e for e in report.errors)
    assert not User.objects.filter(username="区档案馆").exists()
    users = workbook("users", [["区档案馆", "档案馆经办人", "承办单位经办人", "a-good-secret-1", "", "", "", "区档案馆", "", "", ""]])
    assert import_file("users", users, committee=world.committee, by=world.staff).ok
    assert User.objects.get(username="区档案馆").roles == {Role.UNIT_HANDLER}


def test_proposal_list_through_the_services(world):
    content = workbook("proposals", [[2023, 7, "关于发展特色农业的建议", "刘安泽", "徐丽娟", "建议发展特色农业。", "2023-03-16",
                                      "区民政局", "区教科局", "区政府办公室", "杨金军", "否", "是"]])
    report = import_file("proposals", content, committee=world.committee, by=world.staff)
    assert report.ok, report.errors
    proposal = Proposal.objects.get(year=2023, number=7)
    assert proposal.state == "assigned" and proposal.assignments.count() == 2
    assert proposal.events.filter(action="proposal.registered").exists()


def test_upload_page(world, client_for):
    content = workbook("units", [["区档案馆", "广元市朝天区档案馆", "火星部门", "", ""]])
    response = client_for(world.staff).post(reverse("importers:excel"), {
        "kind": "units", "file": SimpleUploadedFile("units.xlsx", content)})
    page = response.content.decode()
    assert "未导入" in page or "没有导入" in page
    assert "火星部门" in page
    assert client_for(world.member).get(reverse("importers:excel")).status_code == 403
