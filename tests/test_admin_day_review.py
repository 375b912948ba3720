"""Review of the system administrator's day (系统管理员 and the office staff who keep the reference data): accounts
and roles, the management pages under /manage/, the Excel imports, the audit log, backups and settings.

Each test but those marked "holds" showed a defect found walking through that day (since mended) and failed on the
code it was written against; its docstring says what the administrator saw and why it was wrong."""

import datetime
import io
import re

import pytest
from django.contrib import messages as django_messages
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from tests.conftest import PASSWORD
from tests.test_security_accounts import users_file
from tian.accounts import services
from tian.accounts.models import ApiToken, User
from tian.accounts.roles import Role
from tian.importers.excel import KINDS, import_file
from tian.organisations.forms import CommitteeSettingsForm
from tian.organisations.models import Committee, LeadOfficial, Member, Unit
from tian.organisations.selectors import session_for_date


def _user_post(user, **overrides):
    """The user page's form as it stands for ``user``, with ``overrides``."""
    data = {"username": user.username, "full_name": user.full_name, "phone": user.phone, "email": user.email,
            "roles": [r.value for r in user.roles], "password": ""}
    if user.is_active:
        data["is_active"] = "on"
    for name in ("member", "collective", "unit", "office", "lead_official"):
        value = getattr(user, f"{name}_id")
        if value:
            data[name] = value
    data.update(overrides)
    return data


def _messages(response) -> list:
    return list(response.context["messages"]) if response.context and "messages" in response.context else []


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- accounts and roles ----------------------------------------------------------------------------------------


def test_the_only_administrator_cannot_take_away_their_own_administrator_role(world, client_for):
    """The committee's only administrator unticks 系统管理员 on their own account (or disables it) and the page says
    "saved": no administrator is left to grant the supervisor or administrator role or change settings again."""
    assert User.objects.filter(role_grants__role=Role.ADMIN, is_active=True).count() == 1
    admin = client_for(world.admin)
    url = reverse("accounts:user_edit", args=[world.admin.pk])
    admin.post(url, _user_post(world.admin, roles=[Role.STAFF.value]))
    admin.post(url, _user_post(User.objects.get(pk=world.admin.pk), is_active=""))
    left = User.objects.filter(role_grants__role=Role.ADMIN, is_active=True)
    assert left.exists(), "the last active administrator's role or account was taken away without a word"


def test_disabling_an_account_revokes_its_api_tokens(world, client_for):
    """A leaver's account is disabled and later enabled again for the successor: the leaver's API token works again,
    because disabling revoked nothing (a password or two-factor reset does)."""
    handler = world.lead_handler
    _token, raw = services.token_create(user=handler, name="办公系统对接")
    admin = client_for(world.admin)
    url = reverse("accounts:user_edit", args=[handler.pk])
    assert admin.post(url, _user_post(handler, is_active="")).status_code == 302
    assert not User.objects.get(pk=handler.pk).is_active
    assert admin.post(url, _user_post(User.objects.get(pk=handler.pk), is_active="on")).status_code == 302
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401, "a token made before the account was disabled works again after enabling"
    assert ApiToken.objects.filter(user=handler, revoked_at__isnull=True).count() == 0


def test_the_audit_log_says_whether_an_account_was_disabled_and_to_which_unit_a_handler_moved(world, client_for):
    """Disabling 刘安泽's account is logged as "管理员 修改了 刘安泽 的账户信息：在用" (reads as "switched on"), and moving
    a handler to 区财政局 as "…：承办单位" without the unit: the auditor cannot tell what was done."""
    admin = client_for(world.admin)
    admin.post(reverse("accounts:user_edit", args=[world.member.pk]), _user_post(world.member, is_active=""))
    admin.post(reverse("accounts:user_edit", args=[world.lead_handler.pk]),
               _user_post(world.lead_handler, unit=world.units["区财政局"].pk))
    assert not User.objects.get(pk=world.member.pk).is_active
    assert User.objects.get(pk=world.lead_handler.pk).unit == world.units["区财政局"]
    page = _text(admin.get(reverse("audit:search"), {"action": "account"}).content.decode())
    disabled = re.search(r"管理员 修改了 刘安泽 的账户信息：[^ ]*", page).group(0)
    moved = re.search(r"管理员 修改了 区民政局 的账户信息：[^ ]*", page).group(0)
    assert ("停用" in disabled or "禁用" in disabled) and "区财政局" in moved, (disabled, moved)


# --- the management pages --------------------------------------------------------------------------------------


def test_disabling_a_unit_that_still_has_open_assignments_is_not_done_without_a_word(world, client_for, assigned):
    """Staff disable 区民政局 (an institutional reform) while it is the lead unit of an unanswered proposal and see only
    "已保存承办单位“区民政局”": nothing says the unit still holds open work that must be handed over."""
    unit = world.units["区民政局"]
    assert unit.assignments.filter(proposal=assigned).exists()
    response = client_for(world.staff).post(reverse("organisations:edit", args=["units", unit.pk]), {
        "name": unit.name, "full_name": unit.full_name, "kind": unit.kind, "office_phone": unit.office_phone,
        "leader": unit.leader, "order": unit.order}, follow=True)
    still_active = Unit.objects.get(pk=unit.pk).is_active
    warned = [m for m in _messages(response) if m.level >= django_messages.WARNING]
    assert still_active or warned, "a unit with open assignments was disabled with only “saved”"


def test_a_second_member_with_the_same_name_is_not_accepted_silently(world, client_for):
    """A second 刘安泽 (a roster typed twice) is saved without a word; the Excel and legacy imports find members by
    name, so the next import updates or credits the newer duplicate, not the member who holds the proposals."""
    response = client_for(world.staff).post(reverse("organisations:create", args=["members"]), {
        "name": "刘安泽", "gender": "", "sector": world.sector.pk, "party": world.party.pk, "mobile": "",
        "office_phone": "", "workplace": "", "terms": [world.term.pk], "is_active": "on"}, follow=True)
    warned = [m for m in _messages(response) if m.level >= django_messages.WARNING]
    count = Member.objects.filter(committee=world.committee, name="刘安泽").count()
    assert count == 1 or warned, "a second member named 刘安泽 was saved with only “saved”"


def test_a_second_session_in_a_year_that_has_one_is_refused(world, client_for):
    """七届四次全会 with the year 2023 is saved beside 七届三次全会 (2023), and from then on every proposal of 2023 is
    filed under 七届四次全会, since a date's session is looked up by its year (``session_for_date``)."""
    response = client_for(world.admin).post(reverse("organisations:create", args=["sessions"]), {
        "term": world.term.pk, "number": 4, "year": 2023, "submissions_open_on": "2023-03-01",
        "plenary_start": "2023-03-10", "plenary_end": "2023-03-12", "plenary_deadline": "2023-03-12"})
    assert response.status_code == 200, "a second session of 2023 was saved"
    assert session_for_date(world.committee, datetime.date(2023, 2, 15)) == world.session


def test_a_reply_deadline_longer_than_the_extension_cap_is_refused_in_the_settings(world, client_for, assigned):
    """Reply deadlines of 5 months with an extension cap of 4 are saved as settings; from then on every assignment
    fails for the office with "答复期限不能晚于…" instead of the settings page refusing the combination."""
    data = {k: v for k, v in model_to_dict(world.committee, fields=CommitteeSettingsForm.Meta.fields).items()
            if v is not None and v is not False}
    data.update(reply_months=5, reply_months_plenary=5, extension_cap_months=4)
    response = client_for(world.admin).post(reverse("organisations:settings"), data)
    assert response.status_code == 200, "reply deadlines longer than the extension cap were saved"
    assert Committee.objects.get(pk=world.committee.pk).extension_cap_months == 6


def test_deleting_a_lead_official_of_a_key_proposal_in_the_admin_site_is_refused(world, client_for, assigned):
    """Deleting lead official 杨金军 in the Django admin silently removes him from the key proposal he leads (no
    event) and leaves his account a 牵头领导 bound to nothing; a unit with assignments is protected, he is not."""
    official = world.lead_official
    assert list(assigned.lead_officials.all()) == [official]
    client_for(world.admin).post(reverse("admin:organisations_leadofficial_delete", args=[official.pk]),
                                 {"post": "yes"})
    assert LeadOfficial.objects.filter(pk=official.pk).exists(), "the key proposal lost its lead official"
    assert list(assigned.lead_officials.all()) == [official]


# --- imports -------------------------------------------------------------------------------------------------


def test_the_users_import_does_not_silently_drop_the_initial_password_of_existing_accounts(world):
    """The users' file gives an existing account a new 初始密码 (a required column): the report says "1 updated", no
    error, yet the password is unchanged and nothing says the column was ignored, so the slips handed out fail."""
    report = import_file("users", users_file(["刘安泽", "刘安泽", "委员", "Xin-mima-2024", "13700000001", "", "刘安泽"]),
                         committee=world.committee, by=world.admin)
    assert report.ok and report.updated == 1
    user = User.objects.get(pk=world.member.pk)
    told = any("密码" in m for m in report.messages + report.errors)
    assert (user.check_password("Xin-mima-2024") and user.must_change_password) or told


# holds: a members' file with one bad row writes nothing, also where the other rows would update existing members.
def test_holds_a_members_file_with_one_bad_row_changes_no_existing_member(world):
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in KINDS["members"]])
    sheet.append(["刘安泽", "男", "", "", "13700000099", "", "新单位"])
    sheet.append(["徐丽娟", "女", "没有这个界别", "", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    report = import_file("members", out.getvalue(), committee=world.committee, by=world.admin)
    assert not report.ok
    member = Member.objects.get(pk=world.member.member.pk)
    assert (member.mobile, member.workplace) == ("13700000001", "")


# --- backups -------------------------------------------------------------------------------------------------


def test_restoring_a_damaged_archive_says_so_instead_of_a_traceback(tmp_path):
    """``manage.py restore`` on a truncated or wrong file dies with a traceback ending in ``tarfile.ReadError: not a
    gzip file`` instead of the command's one-line error: only BackupError and OSError are turned into it."""
    damaged = tmp_path / "tian-20260101-023000.tar.gz"
    damaged.write_bytes(b"\x1f\x8b truncated")
    with pytest.raises(CommandError):
        call_command("restore", str(damaged))


# holds: staff cannot lock administrators out, and a disabled account's session does nothing at once.
def test_holds_a_disabled_accounts_open_session_ends_at_its_next_request(world, client_for):
    member = client_for(world.member)
    assert member.get(reverse("dashboard:home_member")).status_code == 200
    client_for(world.staff).post(reverse("accounts:user_edit", args=[world.member.pk]),
                                 _user_post(world.member, is_active=""))
    response = member.get(reverse("dashboard:home_member"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_disabled_account_signing_in_with_its_right_password_is_told_it_is_disabled(world, client_for):
    """A disabled member typing his right password reads "用户名或密码错误" (and is locked after five tries); the form's
    "该账户已停用，请联系提案委。" is never shown, as the backend refuses inactive users before the form can say so."""
    client_for(world.staff).post(reverse("accounts:user_edit", args=[world.member.pk]),
                                 _user_post(world.member, is_active=""))
    response = Client().post(reverse("accounts:login"), {"username": "刘安泽", "password": PASSWORD})
    page = _text(response.content.decode())
    assert response.status_code == 200 and "停用" in page, re.search(r"用户名或密码错误[^ ]*", page)
