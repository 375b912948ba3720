"""Importing rosters and proposal lists from Excel templates: members, units, users, proposals.

Each kind has a template (downloadable, Chinese headers). A file is checked row by row first; if any row
is wrong, the report lists every error by row and column and nothing is written; otherwise all rows are
written in one transaction, through the services the management pages use (``named_save_all``: audited). Rows
whose key already exists (member name, unit short name, user name, proposal number of the year) update that
record instead of creating a second one; a key given twice in one file is refused. Names are compared as rosters
write them: "张　三", padded to the width of a three-character name, is 张三.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import iterparse

from tian.accounts import services as accounts
from tian.accounts.forms import USERNAME_TAKEN
from tian.accounts.models import User
from tian.accounts.roles import ONLY_ADMIN_CHANGES_ADMIN, Role, may_change, role_change_refusal
from tian.core.request_limits import clean_text
from tian.importers.legacy import LegacyRecord
from tian.importers.legacy_import import Importer, ImportProblem
from tian.importers.names import plain_name
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
from tian.organisations.services import named_save_all, names_changed
from tian.proposals.events import quiet
from tian.proposals.models import Proposal
from tian.proposals.services import one_line
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
        Column("交办日期", "assigned_on", hint="2023-03-16、2023/3/16 或 2023年3月16日"), Column("主办单位", "lead_units"),
        Column("协办单位", "assisting_units", hint="多个用、分隔"), Column("督办单位", "supervising_offices"),
        Column("牵头领导", "lead_officials"), Column("是否重点", "key", hint="是/否"), Column("是否公开", "public", hint="是/否"),
    ],
}
# The proposal list's keys are the fields of the record it is imported as (LegacyRecord), so that a problem the
# import finds with a field (ImportProblem.field) is reported under its column.
HEADERS = {kind: {c.key: c.header for c in columns} for kind, columns in KINDS.items()}
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


# What each template (its file and its first sheet) is called: the files are in Chinese, as their columns are.
TEMPLATE_NAMES = {"members": "委员名单", "units": "承办单位", "users": "用户账号", "proposals": "提案"}


def template(kind: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_NAMES[kind]
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


# Names in one cell are separated by 、 , ; or spaces, but not by the ideographic space, which pads a name.
_SEPARATORS = re.compile(r"(?:[、,，;；]|[^\S\u3000])+")


def _names(value) -> list[str]:
    return [n for n in map(plain_name, _SEPARATORS.split(str(value or ""))) if n]


def _by_name(model, committee) -> dict:
    """The committee's rows of ``model`` by name, read once for the whole file."""
    return {plain_name(obj.name): obj for obj in model.objects.filter(committee=committee)}


# The ways the office writes a date (the calendar page reads the same: pages/manage/calendar.parse_date, in a
# layer the importers may not import).
_DATES = [re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"), re.compile(r"(\d{4})(年)(\d{1,2})月(\d{1,2})日?")]


def _date(value) -> datetime.date | None:
    """A date cell, or a text cell holding 2023-03-16, 2023-3-16, 2023/3/16, 2023.3.16 or 2023年3月16日; ValueError
    for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for pattern in _DATES:
        if match := pattern.fullmatch(str(value).strip()):
            year, _separator, month, day = match.groups()
            return datetime.date(int(year), int(month), int(day))  # ValueError for 2023-2-30
    raise ValueError(value)


def _whole(value) -> int:
    """A whole number as a cell holds it (7, 7.0, "7"); ValueError for 14.5, which int() would cut to 14."""
    if isinstance(value, float):
        if not value.is_integer():  # also infinity, from a cell holding 1E999
            raise ValueError(value)
        return int(value)
    if isinstance(value, bool | datetime.date):
        raise ValueError(value)
    return int(str(value).strip())


def _merged_ranges(content: bytes) -> list[tuple[int, int, int, int]]:
    """The merged ranges (min column, min row, max column, max row) of the workbook's first sheet, which openpyxl
    does not read in read-only mode. They follow the rows in the sheet's XML, which is walked once, row by row."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relationships = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = next(element for _event, element in iterparse(archive.open("xl/workbook.xml"))
                     if element.tag == f"{main}sheet")
        targets = {element.get("Id"): element.get("Target")
                   for _event, element in iterparse(archive.open("xl/_rels/workbook.xml.rels"))}
        target = targets[sheet.get(f"{relationships}id")]
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        ranges = []
        for _event, element in iterparse(archive.open(path)):
            if element.tag == f"{main}row":
                element.clear()  # the rows are read by openpyxl; keep none of them
            elif element.tag == f"{main}mergeCell":
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                if min_row <= MAX_ROWS + 1 and min_col <= MAX_COLUMNS:
                    ranges.append((min_col, min_row, max_col, max_row))
        return ranges


def _filled_down(rows, ranges):
    """The sheet's rows, with the value of a cell merged over several rows (a 界别 over its members) in each of
    them: openpyxl gives it to the first row only. Rows are numbered from 1, as in Excel."""
    starts = {(min_row, min_col - 1): max_row for min_col, min_row, _max_col, max_row in ranges if max_row > min_row}
    carried = {}  # column index → (value, last row of its merge)
    for number, row in enumerate(rows, start=1):
        row = list(row)
        for index, (value, last) in list(carried.items()):
            if number > last:
                del carried[index]
            elif index < len(row):
                row[index] = value
        for index, value in enumerate(row):
            if (number, index) in starts:
                carried[index] = (value, starts[number, index])
        yield row


def _read(kind: str, content: bytes, report: Report) -> list[tuple[int, dict]]:
    if problem := workbook_problem(content, max_rows=MAX_ROWS):  # size, unpacked size, rows: before reading
        report.errors.append(problem)
        return []
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        merged = _merged_ranges(content)
    except Exception:  # noqa: BLE001 - anything openpyxl cannot open is "not an Excel file"
        report.errors.append(_("The file is not an Excel workbook (.xlsx)."))
        return []
    rows = _filled_down(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), merged)
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


def _invalid(report, row, error: ValidationError, headers: dict, column: str) -> None:
    """A model's refusal, each message under the column of its field; one that names no field under ``column``."""
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field_name, texts in messages.items():
        for text in texts:
            _error(report, row, headers.get(field_name, column), text)


def _twice(report, row, column, name) -> None:
    _error(report, row, column, _("“%(name)s” appears twice in the file.") % {"name": name})


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


def _lookup(known: dict, value, report, row, column):
    """The row ``value`` names among ``known`` (``_by_name``); an error if it names none."""
    name = plain_name(value)
    if not name:
        return None
    obj = known.get(name)
    if obj is None:
        _error(report, row, column, _("“%(name)s” is not known; add it first.") % {"name": name})
    return obj


def _save(objs, by, report) -> None:
    """Write the rows of a file found right (none if any row is wrong: the file is imported whole or not at all)."""
    if report.errors:
        return
    created = sum(obj._state.adding for obj in objs)
    named_save_all(objs, by=by)
    report.created += created
    report.updated += len(objs) - created


def _import_members(rows, committee, by, report):
    known, sectors, parties = _by_name(Member, committee), _by_name(Sector, committee), _by_name(Party, committee)
    seen, members = set(), []
    for row, v in rows:
        name = plain_name(v["name"])
        if name in seen:
            _twice(report, row, "姓名", name)
            continue
        seen.add(name)
        gender = {"男": "male", "女": "female", "": "", None: ""}.get(v["gender"])
        if gender is None:
            _error(report, row, "性别", _("use 男 or 女"))
        sector = _lookup(sectors, v["sector"], report, row, "界别")
        party = _lookup(parties, v["party"], report, row, "党派")
        mobile = mobile_number(v["mobile"])
        if mobile and not re.fullmatch(mobile_validator.regex, mobile):
            _error(report, row, "手机", mobile_validator.message)
        if _row_failed(report, row):
            continue
        member = known.get(name) or Member(committee=committee, name=name)
        member.gender, member.sector, member.party, member.mobile = gender or "", sector, party, mobile
        member.office_phone, member.workplace = str(v["office_phone"] or ""), str(v["workplace"] or "")
        try:  # what the member's form checks (a length, a number's shape), so that a file cannot store what it refuses
            # (the committee, sector and party are the committee's own rows, just read: not read again to check them)
            member.full_clean(exclude=["committee", "sector", "party"], validate_unique=False,
                              validate_constraints=False)
        except ValidationError as e:
            _invalid(report, row, e, HEADERS["members"], "姓名")
            continue
        members.append(member)
    _save(members, by, report)


def _import_units(rows, committee, by, report):
    known = _by_name(Unit, committee)
    seen, units = set(), []
    for row, v in rows:
        name = plain_name(v["name"])
        if name in seen:
            _twice(report, row, "简称", name)
            continue
        seen.add(name)
        kind = UNIT_KINDS.get(str(v["kind"] or "政府部门"))
        if kind is None:
            _error(report, row, "类别", _("unknown kind “%(kind)s”") % {"kind": v["kind"]})
            continue
        unit = known.get(name) or Unit(committee=committee, name=name)
        unit.full_name, unit.kind = str(v["full_name"]), kind
        unit.office_phone, unit.leader = str(v["office_phone"] or ""), str(v["leader"] or "")
        try:
            unit.full_clean()
        except ValidationError as e:
            _invalid(report, row, e, HEADERS["units"], "简称")
            continue
        units.append(unit)
    _save(units, by, report)


USER_BINDINGS = {"member": (Member, "关联委员"), "unit": (Unit, "承办单位"), "office": (SupervisingOffice, "督办单位"),
                 "lead_official": (LeadOfficial, "牵头领导"), "collective": (CollectiveProposer, "集体提案单位")}


def _import_users(rows, committee, by, report):
    known = {key: _by_name(model, committee) for key, (model, _header) in USER_BINDINGS.items()}
    seen, kept_passwords = set(), []
    for row, v in rows:
        username = str(v["username"])
        if username in seen:
            _twice(report, row, "用户名", username)
            continue
        seen.add(username)
        roles = []
        for name in _names(v["roles"]):
            if name not in ROLE_NAMES:
                _error(report, row, "角色", _("unknown role “%(role)s”") % {"role": name})
            else:
                roles.append(ROLE_NAMES[name])
        user = User.objects.filter(username=username).first()
        # The same rules as the user pages (accounts/roles.py, accounts.services.account_here): the row is refused
        # and, by the file's all-or-nothing rule, nothing is written. A name of another committee's account (user
        # names are the database's) is taken, as on the page.
        if user is not None and not accounts.account_here(user, by):
            _error(report, row, "用户名", USERNAME_TAKEN)
        elif user is not None and not may_change(by, user):
            _error(report, row, "用户名", ONLY_ADMIN_CHANGES_ADMIN)
        elif refusal := role_change_refusal(by, user, roles):
            _error(report, row, "角色", refusal)
        bindings = {key: _lookup(known[key], v[key], report, row, header)
                    for key, (_model, header) in USER_BINDINGS.items()}
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
                # An existing account keeps its password: a roster imported again would otherwise reset everyone's
                # to the one on paper. The report says so, for the slips not to be handed out.
                if str(v["password"] or "").strip():
                    kept_passwords.append(str(row))
        except ValidationError as e:
            # The account's fields name themselves; the password rules (validate_password, for a new account) do not.
            _invalid(report, row, e, HEADERS["users"], "初始密码" if user is None else "用户名")
    if kept_passwords and not report.errors:
        report.messages.append(
            _("Rows %(rows)s are accounts that exist already: their passwords were not changed, and the column "
              "%(column)s was not used for them. Reset a password on the account's page.")
            % {"rows": "、".join(kept_passwords), "column": "初始密码"})


def _proposal_units(value, units: dict, report, row, column) -> list[str]:
    """The units a cell names, by short or full name, as their short names; an error for a unit not known, which
    the proposal list does not add (a mistyped name would be a unit nobody signs for)."""
    found = []
    for name in _names(value):
        if unit := _lookup(units, name, report, row, column):
            found.append(unit.name)
    return found


def _import_proposals(rows, committee, by, report):
    units = {plain_name(unit.full_name): unit for unit in Unit.objects.filter(committee=committee)} | _by_name(Unit, committee)
    numbered = {(year, number): title for year, number, title in Proposal.objects.filter(
        committee=committee, number__isnull=False).values_list("year", "number", "title")}
    headers = HEADERS["proposals"]
    seen = set()
    for row, v in rows:
        try:
            year = _whole(v["year"])
        except (TypeError, ValueError):
            _error(report, row, "年度", _("Enter a whole number."))
        try:
            number = _whole(v["number"])
        except (TypeError, ValueError):
            _error(report, row, "编号", _("Enter a whole number."))
        if _row_failed(report, row):
            continue
        title = one_line(str(v["title"]))  # as the proposal saves it
        if (year, number) in seen:
            _twice(report, row, "编号", f"{year}年度第{number}号")
            continue
        seen.add((year, number))
        if numbered.get((year, number), title) != title:
            _error(report, row, "编号", _("No. %(number)s of %(year)s is already another proposal: %(title)s")
                   % {"number": number, "year": year, "title": numbered[year, number]})
        try:
            assigned = _date(v["assigned_on"])
        except ValueError:
            _error(report, row, "交办日期", _("write dates as 2023-03-16"))
            assigned = None
        if assigned and assigned.year != year:
            _error(report, row, "交办日期", _("%(day)s is not in the proposal's year %(year)s.")
                   % {"day": assigned.isoformat(), "year": year})
        lead = _proposal_units(v["lead_units"], units, report, row, "主办单位")
        assisting = _proposal_units(v["assisting_units"], units, report, row, "协办单位")
        for index, name in enumerate(assisting):
            if name in lead or name in assisting[:index]:
                _error(report, row, "协办单位", _("%(unit)s is chosen twice.") % {"unit": name})
        if assisting and not lead:  # the assignment would not be made, and the units dropped without a word
            _error(report, row, "主办单位", _("Assisting units need a lead unit."))
        if (v["lead_units"] or v["assisting_units"]) and v["assigned_on"] in (None, ""):
            _error(report, row, "交办日期", _("The proposal is given to units: write the day it was assigned."))
        if _row_failed(report, row):
            continue
        record = LegacyRecord(
            number=number, year=year, session=None, kind="委员提案", title=title, proposer=plain_name(v["proposer"]),
            cosigners=_names(v["cosigners"]), body=str(v["body"] or ""), review_result="已立案",
            public=str(v["public"] or "") == "是", assigned_on=assigned.isoformat() if assigned else None,
            key=str(v["key"] or "") == "是", supervising_offices=_names(v["supervising_offices"]),
            lead_officials=_names(v["lead_officials"]), lead_units=lead, assisting_units=assisting,
            separate_units=[], replies=[], outcome=None, outcome_text=None, supervision_review=None,
            satisfaction=None, feedback=None)
        importer = Importer(record, by, committee)
        try:
            # A row refused leaves nothing that the next rows would find (its proposal half made).
            with transaction.atomic(), quiet():
                message = importer.run()
        except (ImportProblem, WorkflowError) as e:
            _error(report, row, headers.get(getattr(e, "field", None), "案由"), str(getattr(e, "message", e)))
            continue
        report.messages.append(f"第{row}行:{message}")
        report.created += importer.new
        report.updated += not importer.new and bool(importer.done)
