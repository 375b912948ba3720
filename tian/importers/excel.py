"""Importing rosters and proposal lists from Excel templates: members, units, users, proposals.

Each kind has a template (downloadable, Chinese headers). A file is checked row by row first; if any row
is wrong, the report lists every error by row and column and nothing is written; otherwise all rows are
written in one transaction. Rows whose key already exists (member name, unit short name, user name,
proposal number of the year) update that record instead of creating a second one.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from tian.accounts import services as accounts
from tian.accounts.models import User
from tian.accounts.roles import ONLY_ADMIN_CHANGES_ADMIN, Role, may_change, role_change_refusal
from tian.core.request_limits import clean_text
from tian.importers.legacy import LegacyRecord
from tian.importers.legacy_import import Importer, ImportProblem
from tian.importers.workbook_check import MAX_COLUMNS, workbook_problem
from tian.organisations.models import (
    CollectiveProposer,
    LeadOfficial,
    Member,
    Party,
    Sector,
    SupervisingOffice,
    Unit,
    mobile_number,
    mobile_validator,
)
from tian.organisations.services import names_changed
from tian.proposals.events import quiet
from tian.proposals.workflow import WorkflowError

MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    hint: str = ""


KINDS: dict[str, list[Column]] = {
    "members": [
        Column("姓名", "name", True), Column("性别", "gender", hint="男/女"), Column("界别", "sector"),
        Column("党派", "party"), Column("手机", "mobile"), Column("办公电话", "office_phone"),
        Column("工作单位及职务", "workplace"),
    ],
    "units": [
        Column("简称", "name", True, "如 区民政局"), Column("全称", "full_name", True, "如 广元市朝天区民政局"),
        Column("类别", "kind", hint="政府部门/党委部门/人民团体/法院、检察院/乡镇/企事业单位/其他"),
        Column("办公电话", "office_phone"), Column("负责人", "leader"),
    ],
    "users": [
        Column("用户名", "username", True), Column("姓名", "full_name", True),
        Column("角色", "roles", True, "委员/集体提案单位/提案委工作人员/承办单位经办人/督办单位/牵头领导/系统管理员,多个用、分隔"),
        Column("初始密码", "password", True, "至少8位"), Column("手机", "phone"), Column("邮箱", "email"),
        Column("关联委员", "member"), Column("承办单位", "unit"), Column("督办单位", "office"),
        Column("牵头领导", "lead_official"), Column("集体提案单位", "collective"),
    ],
    "proposals": [
        Column("年度", "year", True), Column("编号", "number", True), Column("案由", "title", True),
        Column("提案人", "proposer", True), Column("联名人", "cosigners", hint="多人用、分隔"), Column("正文", "body"),
        Column("交办日期", "assigned_on", hint="2023-03-16"), Column("主办单位", "lead_units"),
        Column("协办单位", "assisting_units", hint="多个用、分隔"), Column("督办单位", "offices"),
        Column("牵头领导", "officials"), Column("是否重点", "key", hint="是/否"), Column("是否公开", "public", hint="是/否"),
    ],
}
UNIT_KINDS = {str(label): value for value, label in Unit.Kind.choices} | {
    "政府部门": "government", "党委部门": "party_committee", "人民团体": "organisation", "法院、检察院": "judicial",
    "乡镇": "township", "企事业单位": "enterprise", "其他": "other"}
ROLE_NAMES = {"委员": Role.MEMBER, "集体提案单位": Role.COLLECTIVE, "提案委工作人员": Role.STAFF,
              "承办单位经办人": Role.UNIT_HANDLER, "督办单位": Role.SUPERVISOR, "牵头领导": Role.LEAD_OFFICIAL,
              "系统管理员": Role.ADMIN}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    messages: list[str] = field(default_factory=list)
    failed_rows: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


def template(kind: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append([c.header + ("*" if c.required else "") for c in KINDS[kind]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    notes = workbook.create_sheet("说明")
    notes.append(["列", "必填", "说明"])
    for c in KINDS[kind]:
        notes.append([c.header, "是" if c.required else "", c.hint])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _names(value) -> list[str]:
    return [n for n in re.split(r"[\s、,，;；]+", str(value or "")) if n]


def _read(kind: str, content: bytes, report: Report) -> list[tuple[int, dict]]:
    if problem := workbook_problem(content, max_rows=MAX_ROWS):  # size, unpacked size, rows: before reading
        report.errors.append(problem)
        return []
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:  # noqa: BLE001 - anything openpyxl cannot open is "not an Excel file"
        report.errors.append(_("The file is not an Excel workbook (.xlsx)."))
        return []
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header = [str(h or "").strip().rstrip("*") for h in next(rows, [])]
    columns = KINDS[kind]
    missing = [c.header for c in columns if c.header not in header]
    if missing:
        report.errors.append(_("Columns missing from the first row: %(cols)s. Please use the template.")
                             % {"cols": "、".join(missing)})
        return []
    index = {c.key: header.index(c.header) for c in columns}
    result = []
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            report.errors.append(_("More than %(n)s rows; please split the file.") % {"n": MAX_ROWS})
            break
        values = {key: (row[i] if i < len(row) else None) for key, i in index.items()}
        values = {k: (clean_text(v).strip() if isinstance(v, str) else v) for k, v in values.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        missing_required = False
        for c in columns:
            if c.required and values[c.key] in (None, ""):
                report.errors.append(_("Row %(row)s, column %(col)s: required.") % {"row": number, "col": c.header})
                missing_required = True
        if not missing_required:  # the other rows are still checked, so that every error is reported at once
            result.append((number, values))
    return result


def _error(report, row, column, message):
    report.failed_rows.add(row)
    report.errors.append(_("Row %(row)s, column %(col)s: %(msg)s") % {"row": row, "col": column, "msg": message})


def import_file(kind: str, content: bytes, *, committee, by, dry_run: bool = False) -> Report:
    if kind not in KINDS:
        raise ValueError(kind)
    report = Report()
    rows = _read(kind, content, report)
    if not rows and report.errors:
        return report
    try:
        with transaction.atomic():
            globals()[f"_import_{kind}"](rows, committee, by, report)
            # Members, units and users are shown by name: every page shows the imported names at once.
            names_changed(committee_id=committee.pk)
            if report.errors or dry_run:
                raise _Rollback
    except _Rollback:
        if not report.errors:
            report.messages.append(_("Checked: no errors. Nothing was written (check only)."))
    return report


class _Rollback(Exception):
    pass


def _row_failed(report, row) -> bool:
    return row in report.failed_rows


def _lookup(model, committee, name, report, row, column):
    if not name:
        return None
    obj = model.objects.filter(committee=committee, name=name).first()
    if obj is None:
        _error(report, row, column, _("“%(name)s” is not known; add it first.") % {"name": name})
    return obj


MEMBER_HEADERS = {c.key: c.header for c in KINDS["members"]}


def _import_members(rows, committee, by, report):
    seen = set()
    for row, v in rows:
        name = str(v["name"] or "")
        if name in seen:
            _error(report, row, "姓名", _("“%(name)s” appears twice in the file.") % {"name": name})
            continue
        seen.add(name)
        gender = {"男": "male", "女": "female", "": "", None: ""}.get(v["gender"])
        if gender is None:
            _error(report, row, "性别", _("use 男 or 女"))
        sector = _lookup(Sector, committee, v["sector"], report, row, "界别")
        party = _lookup(Party, committee, v["party"], report, row, "党派")
        mobile = mobile_number(v["mobile"])
        if mobile and not re.fullmatch(mobile_validator.regex, mobile):
            _error(report, row, "手机", mobile_validator.message)
        if _row_failed(report, row):
            continue
        member = Member.objects.filter(committee=committee, name=name).first() or Member(committee=committee, name=name)
        created = member.pk is None
        member.gender, member.sector, member.party, member.mobile = gender or "", sector, party, mobile
        member.office_phone, member.workplace = str(v["office_phone"] or ""), str(v["workplace"] or "")
        try:  # what the member's form checks (a length, a number's shape), so that a file cannot store what it refuses
            member.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                for message in messages:
                    _error(report, row, MEMBER_HEADERS.get(field, "姓名"), message)
            continue
        member.save()
        report.created += created
        report.updated += not created


def _import_units(rows, committee, by, report):
    for row, v in rows:
        kind = UNIT_KINDS.get(str(v["kind"] or "政府部门"))
        if kind is None:
            _error(report, row, "类别", _("unknown kind “%(kind)s”") % {"kind": v["kind"]})
            continue
        unit = Unit.objects.filter(committee=committee, name=v["name"]).first() or Unit(committee=committee)
        created = unit.pk is None
        unit.name, unit.full_name, unit.kind = str(v["name"]), str(v["full_name"]), kind
        unit.office_phone, unit.leader = str(v["office_phone"] or ""), str(v["leader"] or "")
        try:
            unit.full_clean()
        except ValidationError as e:
            for message in e.messages:
                _error(report, row, "简称", message)
            continue
        unit.save()
        report.created += created
        report.updated += not created


def _import_users(rows, committee, by, report):
    for row, v in rows:
        roles = []
        for name in _names(v["roles"]):
            if name not in ROLE_NAMES:
                _error(report, row, "角色", _("unknown role “%(role)s”") % {"role": name})
            else:
                roles.append(ROLE_NAMES[name])
        username = str(v["username"])
        user = User.objects.filter(username=username).first()
        # The same rule as the user pages (accounts/roles.py): the row is refused and, by the file's all-or-nothing
        # rule, nothing is written.
        if user is not None and not may_change(by, user):
            _error(report, row, "用户名", ONLY_ADMIN_CHANGES_ADMIN)
        elif refusal := role_change_refusal(by, user, roles):
            _error(report, row, "角色", refusal)
        bindings = {
            "member": _lookup(Member, committee, v["member"], report, row, "关联委员"),
            "unit": _lookup(Unit, committee, v["unit"], report, row, "承办单位"),
            "office": _lookup(SupervisingOffice, committee, v["office"], report, row, "督办单位"),
            "lead_official": _lookup(LeadOfficial, committee, v["lead_official"], report, row, "牵头领导"),
            "collective": _lookup(CollectiveProposer, committee, v["collective"], report, row, "集体提案单位"),
        }
        if _row_failed(report, row):
            continue
        try:
            if user is None:
                # The initial password is on paper: the person sets their own at the first sign-in.
                accounts.user_create(username=username, full_name=str(v["full_name"]), password=str(v["password"]),
                                     roles=roles, phone=str(v["phone"] or ""), email=str(v["email"] or ""),
                                     must_change_password=True, by=by,
                                     **{k: b for k, b in bindings.items() if b is not None})
                report.created += 1
            else:
                accounts.user_update(user=user, roles=roles, full_name=str(v["full_name"]), by=by,
                                     phone=str(v["phone"] or ""), email=str(v["email"] or ""), **bindings)
                report.updated += 1
        except ValidationError as e:
            for message in e.messages:
                _error(report, row, "用户名", message)


def _import_proposals(rows, committee, by, report):
    for row, v in rows:
        try:
            year, number = int(v["year"]), int(v["number"])
        except (TypeError, ValueError, OverflowError):  # OverflowError: a cell holding 1E999
            _error(report, row, "年度/编号", _("year and number must be whole numbers"))
            continue
        assigned = v["assigned_on"]
        if isinstance(assigned, datetime.datetime):
            assigned = assigned.date()
        if assigned and not isinstance(assigned, datetime.date):
            try:
                assigned = datetime.date.fromisoformat(str(assigned))
            except ValueError:
                _error(report, row, "交办日期", _("write dates as 2023-03-16"))
                continue
        record = LegacyRecord(
            number=number, year=year, session=None, kind="委员提案", title=str(v["title"]), proposer=str(v["proposer"]),
            cosigners=_names(v["cosigners"]), body=str(v["body"] or ""), review_result="已立案",
            public=str(v["public"] or "") == "是", assigned_on=assigned.isoformat() if assigned else None,
            key=str(v["key"] or "") == "是", supervising_offices=_names(v["offices"]),
            lead_officials=_names(v["officials"]), lead_units=_names(v["lead_units"]),
            assisting_units=_names(v["assisting_units"]), separate_units=[], replies=[], outcome=None,
            outcome_text=None, supervision_review=None, satisfaction=None, feedback=None)
        try:
            with quiet():
                message = Importer(record, by, committee).run()
        except (ImportProblem, WorkflowError) as e:
            _error(report, row, "案由", str(getattr(e, "message", e)))
            continue
        report.messages.append(f"第{row}行:{message}")
        report.created += 1
