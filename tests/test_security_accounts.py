"""Accounts against misuse (issue #19): who may change whom is one rule for the user pages and the Excel import;
sign-in lockout per account behind a trusted proxy, with a storm from one address slowed down; sessions and
tokens end when the password or the second factor changes, expire, and owe a new password first."""

import datetime
import io
import types

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from tests.conftest import PASSWORD
from tian.accounts import services, twofactor
from tian.accounts.models import ApiToken, User
from tian.accounts.roles import Role
from tian.audit.log import client_address
from tian.audit.models import AuditEntry
from tian.importers.excel import KINDS, import_file
from tian.proposals.models import TopicCategory

ADMIN_ONLY = "只有系统管理员可以修改系统管理员的账户。"
NOT_GRANTABLE = "您无权授予或取消“{}”角色，请联系系统管理员。"
PROXY = "10.0.0.1"


def users_file(*rows):
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in KINDS["users"]])
    for row in rows:
        sheet.append(list(row) + [""] * (len(KINDS["users"]) - len(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _user_post(user, **overrides):
    data = {"username": user.username, "full_name": user.full_name, "phone": user.phone, "email": user.email,
            "is_active": "on", "roles": [r.value for r in user.roles], "password": "",
            "office": user.office_id or "", "unit": user.unit_id or "", "member": user.member_id or ""}
    data.update(overrides)
    return data


def _api(token=None, client=None):
    client = client or Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return lambda path: client.get(f"/api/v1{path}", **headers)


# Who may change whom -------------------------------------------------------------------------------------------

def test_staff_cannot_change_an_administrator_through_the_excel_import(world):
    content = users_file(["新委员", "新委员", "集体提案单位", "a-good-secret-1", "", "", "", "", "", "", "民盟朝天区支部"],
                         ["admin", "改名", "提案委工作人员", "a-good-secret-2"])
    report = import_file("users", content, committee=world.committee, by=world.staff)
    assert not report.ok
    assert f"第3行，“用户名”列：{ADMIN_ONLY}" in report.errors, report.errors
    admin = User.objects.get(pk=world.admin.pk)
    assert admin.is_superuser and admin.is_staff and admin.full_name == "管理员" and admin.roles == {Role.ADMIN}
    assert not User.objects.filter(username="新委员").exists()  # the file is all or nothing


def test_an_administrator_may_change_an_administrator_through_the_import(world):
    report = import_file("users", users_file(["admin", "系统管理员乙", "系统管理员", "a-good-secret-2"]),
                         committee=world.committee, by=world.admin)
    assert report.ok, report.errors
    assert User.objects.get(pk=world.admin.pk).full_name == "系统管理员乙"


def test_staff_cannot_give_themselves_the_supervisor_role(world, client_for):
    office = world.offices["区政府办公室"]
    report = import_file("users", users_file(["tiwei", "提案委", "提案委工作人员、督办单位", "a-good-secret-1", "", "", "",
                                              "", "区政府办公室"]), committee=world.committee, by=world.staff)
    assert f"第2行，“角色”列：{NOT_GRANTABLE.format('督办单位')}" in report.errors, report.errors
    response = client_for(world.staff).post(reverse("accounts:user_edit", args=[world.staff.pk]), _user_post(
        world.staff, roles=[Role.STAFF.value, Role.SUPERVISOR.value], office=office.pk))
    assert response.status_code == 200
    assert NOT_GRANTABLE.format("督办单位") in response.content.decode()
    staff = User.objects.get(pk=world.staff.pk)
    assert staff.roles == {Role.STAFF} and staff.office_id is None


def test_staff_cannot_create_a_supervisor_or_take_the_role_away_but_an_administrator_can(world, client_for):
    office = world.offices["区委目标绩效办"]
    new = {"username": "绩效办", "full_name": "绩效办", "is_active": "on", "roles": [Role.SUPERVISOR.value],
           "office": office.pk, "password": "a-good-secret-77"}
    response = client_for(world.staff).post(reverse("accounts:user_create"), new)
    assert NOT_GRANTABLE.format("督办单位") in response.content.decode()
    assert not User.objects.filter(username="绩效办").exists()
    response = client_for(world.staff).post(reverse("accounts:user_edit", args=[world.supervisor.pk]),
                                            _user_post(world.supervisor, roles=[Role.MEMBER.value],
                                                       member=world.stranger.member_id))
    assert NOT_GRANTABLE.format("督办单位") in response.content.decode()
    assert User.objects.get(pk=world.supervisor.pk).roles == {Role.SUPERVISOR}
    assert client_for(world.admin).post(reverse("accounts:user_create"), new).status_code == 302
    assert User.objects.get(username="绩效办").roles == {Role.SUPERVISOR}


def test_staff_may_still_edit_the_details_of_an_account_whose_role_they_cannot_grant(world, client_for):
    response = client_for(world.staff).post(reverse("accounts:user_edit", args=[world.supervisor.pk]),
                                            _user_post(world.supervisor, phone="13800000009"))
    assert response.status_code == 302
    supervisor = User.objects.get(pk=world.supervisor.pk)
    assert supervisor.phone == "13800000009" and supervisor.roles == {Role.SUPERVISOR}


def test_the_services_refuse_whoever_calls_them(world):
    with pytest.raises(PermissionDenied):
        services.user_update(user=world.admin, roles=[Role.STAFF], full_name="改名", by=world.staff)
    with pytest.raises(PermissionDenied):
        services.user_set_password(user=world.admin, password="Another-secret-9", by=world.staff)
    with pytest.raises(PermissionDenied):
        services.user_create(username="boss", full_name="boss", password=None, roles=[Role.ADMIN], by=world.staff)
    admin = User.objects.get(pk=world.admin.pk)
    assert admin.full_name == "管理员" and admin.roles == {Role.ADMIN} and admin.check_password(PASSWORD)
    assert not User.objects.filter(username="boss").exists()


@pytest.mark.parametrize("action", ["user_edit", "user_unlock", "user_reset_two_factor"])
def test_staff_cannot_touch_an_administrator_or_superuser_on_the_pages(world, client_for, action):
    root = User.objects.create_superuser("root", password=PASSWORD, full_name="root")  # createsuperuser, no role
    for target in (world.admin, root):
        assert client_for(world.staff).post(reverse(f"accounts:{action}", args=[target.pk])).status_code == 403
    assert User.objects.get(pk=root.pk).is_superuser


def test_accounts_created_by_the_excel_import_must_change_their_password(world):
    report = import_file("users", users_file(["区档案馆", "档案馆", "承办单位经办人", "a-good-secret-1", "", "", "",
                                              "区妇联"]), committee=world.committee, by=world.staff)
    assert report.ok, report.errors
    assert User.objects.get(username="区档案馆").must_change_password
    client = Client()
    _login(client, "区档案馆", "a-good-secret-1")
    assert client.get(reverse("dashboard:home")).url == reverse("accounts:password_change")


def test_every_role_change_is_audited_with_who_whom_before_and_after(world, client_for):
    client_for(world.admin).post(reverse("accounts:user_edit", args=[world.staff.pk]), _user_post(
        world.staff, roles=[Role.STAFF.value, Role.SUPERVISOR.value], office=world.offices["区政府办公室"].pk))
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT, object_type="user",
                                      object_id=str(world.staff.pk), detail__startswith="roles of").first()
    assert entry.actor == world.admin
    assert entry.detail == "roles of tiwei changed from Proposal office staff to Proposal office staff, Supervisor"
    assert (entry.data["before"], entry.data["after"]) == (["staff"], ["staff", "supervisor"])
    import_file("users", users_file(["区档案馆", "档案馆", "承办单位经办人", "a-good-secret-1", "", "", "", "区妇联"]),
                committee=world.committee, by=world.staff)
    created = User.objects.get(username="区档案馆")
    entry = AuditEntry.objects.get(object_type="user", object_id=str(created.pk), detail__startswith="roles of")
    assert entry.actor == world.staff and entry.detail == "roles of 区档案馆 changed from none to Unit handler"
    assert (entry.data["before"], entry.data["after"]) == ([], ["unit_handler"])


def test_unlocks_password_changes_and_resets_are_audited(world, client_for):
    staff = client_for(world.staff)
    staff.post(reverse("accounts:user_unlock", args=[world.member.pk]))
    staff.post(reverse("accounts:user_edit", args=[world.member.pk]), _user_post(world.member,
                                                                                 password="Reset-by-staff-7"))
    client = Client()
    _login(client, "刘安泽", "Reset-by-staff-7")
    client.post(reverse("accounts:password_change"), {"old_password": "Reset-by-staff-7",
                                                      "new_password1": "My-own-secret-9",
                                                      "new_password2": "My-own-secret-9"})
    details = list(AuditEntry.objects.filter(object_type="user", object_id=str(world.member.pk)).order_by("id")
                   .values_list("actor__username", "detail"))
    assert ("tiwei", "sign-in unlocked for 刘安泽") in details
    assert ("tiwei", "password reset for 刘安泽") in details
    assert ("刘安泽", "password changed for 刘安泽") in details


# Sign-in throttling ---------------------------------------------------------------------------------------------

def test_the_client_address_comes_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "192.168.0.0/16"]
    factory = RequestFactory()
    forged = "6.6.6.6, 203.0.113.7, 192.168.3.4"
    assert client_address(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged)) == "203.0.113.7"
    # Not from a trusted proxy: whatever the header says, the connection's own address.
    assert client_address(factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forged)) == "203.0.113.9"
    assert client_address(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="junk")) == PROXY
    assert client_address(factory.get("/", REMOTE_ADDR=PROXY)) == PROXY


def test_the_api_throttles_key_on_the_same_address(settings):
    from tian.api.throttles import AnonymousThrottle

    settings.TRUSTED_PROXIES = [PROXY]
    throttle = AnonymousThrottle("60/m")
    factory = RequestFactory()
    assert throttle.get_ident(factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")) == \
        "203.0.113.9"
    assert throttle.get_ident(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1")) == "1.1.1.1"


def test_behind_the_proxy_wrong_passwords_lock_that_account_only_and_the_audit_names_the_client(world, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    typist = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="172.16.5.20")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(typist, "刘安泽", "wrong-password")
    assert "登录已锁定" in _login(typist, "刘安泽").content.decode()
    assert "登录已锁定" in _login(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="172.16.5.21"),
                                 "刘安泽").content.decode()  # the account, from anywhere
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="172.16.5.21")
    assert _login(colleague, "徐丽娟").status_code == 302  # everyone else still signs in
    assert set(AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).values_list("address", flat=True)) \
        == {"172.16.5.20", "172.16.5.21"}
    assert AccessAttempt.objects.filter(ip_address="172.16.5.20").exists()


def test_one_persons_typos_do_not_lock_out_colleagues_on_the_same_address(world, settings):
    office = "10.20.30.40"
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        _login(Client(REMOTE_ADDR=office), "刘安泽", "wrong-password")
    assert "登录已锁定" in _login(Client(REMOTE_ADDR=office), "刘安泽").content.decode()
    assert _login(Client(REMOTE_ADDR=office), "徐丽娟").status_code == 302


def test_a_storm_from_one_address_slows_that_address_down_without_locking_accounts(world, settings, monkeypatch):
    from tian.core import throttle

    settings.SIGNIN_FAILURES_PER_ADDRESS = 5
    # The storm is counted per clock minute: the test holds one minute, which a loaded machine could otherwise leave
    # between two guesses (the count would start again).
    now = throttle.time.time()
    monkeypatch.setattr(throttle, "time", types.SimpleNamespace(time=lambda: now))
    storm = Client(REMOTE_ADDR="198.51.100.7")
    for name in ("a1", "a2", "a3", "a4", "a5"):  # guesses at many accounts, each under the lockout limit
        assert _login(storm, name, "guess").status_code == 200
    refused = _login(storm, "徐丽娟")  # even a right password gets no further this minute
    assert refused.status_code == 429 and "登录失败的次数过多" in refused.content.decode()
    assert "_auth_user_id" not in storm.session
    assert _login(Client(REMOTE_ADDR="198.51.100.8"), "徐丽娟").status_code == 302  # other addresses are not slowed
    assert not AccessAttempt.objects.filter(username="徐丽娟").exists()  # and no account was locked
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED, address="198.51.100.7",
                                     detail__contains="too many failed sign-ins").exists()
    later = now + 60
    monkeypatch.setattr(throttle, "time", types.SimpleNamespace(time=lambda: later))
    assert _login(storm, "徐丽娟").status_code == 302


# Sessions and tokens --------------------------------------------------------------------------------------------

def test_an_account_that_must_change_its_password_can_use_no_api(world, client_for, settings):
    _token, raw = services.token_create(user=world.member, name="小程序")
    User.objects.filter(pk=world.member.pk).update(must_change_password=True)
    for response in (_api(raw)("/me"), client_for(world.member).get("/api/v1/me"),
                     client_for(world.member).post("/api/v1/proposals", {}, content_type="application/json")):
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "password_change_required"
        assert "设置您自己的新密码" in response.json()["message"]
    User.objects.filter(pk=world.member.pk).update(must_change_password=False)
    assert _api(raw)("/me").status_code == 200
    settings.PASSWORD_MAX_AGE_DAYS = 90  # an expired password counts the same
    User.objects.filter(pk=world.member.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    assert _api(raw)("/me").json()["code"] == "password_change_required"


def test_a_password_change_ends_the_other_sessions_and_the_tokens(world):
    here, elsewhere = Client(), Client()
    _login(here, "刘安泽")
    _login(elsewhere, "刘安泽")
    _token, raw = services.token_create(user=world.member, name="小程序")
    response = here.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "My-own-secret-9", "new_password2": "My-own-secret-9"})
    assert response.status_code == 302
    assert here.get(reverse("dashboard:home_member")).status_code == 200  # the session it was changed in goes on
    assert not Session.objects.filter(session_key=elsewhere.session.session_key).exists()
    assert elsewhere.get(reverse("dashboard:home_member")).status_code == 302
    assert _api(raw)("/me").status_code == 401
    assert not ApiToken.objects.get().is_active


def test_a_password_reset_by_staff_ends_every_session_and_token(world, client_for):
    member = Client()
    _login(member, "刘安泽")
    _token, raw = services.token_create(user=world.member, name="小程序")
    client_for(world.staff).post(reverse("accounts:user_edit", args=[world.member.pk]),
                                 _user_post(world.member, password="Reset-by-staff-7"))
    assert member.get(reverse("dashboard:home_member")).status_code == 302
    assert _api(raw)("/me").status_code == 401


def test_a_two_factor_reset_ends_every_session_and_token(world, client_for):
    member = Client()
    _login(member, "刘安泽")
    _token, raw = services.token_create(user=world.member, name="小程序")
    assert _api(raw)("/me").status_code == 200
    client_for(world.staff).post(reverse("accounts:user_reset_two_factor", args=[world.member.pk]))
    assert member.get(reverse("dashboard:home_member")).status_code == 302
    assert _api(raw)("/me").status_code == 401
    assert not twofactor.enabled(world.member)


def test_tokens_expire_after_180_days_and_the_page_says_when(world, client_for):
    token, raw = services.token_create(user=world.member, name="小程序")
    expected = timezone.now() + datetime.timedelta(days=180)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    page = client_for(world.member).get(reverse("accounts:tokens")).content.decode()
    assert "有效期至" in page and "180 天内有效" in page
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") in page
    assert 'name="revoke"' in page
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _api(raw)("/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    page = client_for(world.member).get(reverse("accounts:tokens")).content.decode()
    assert "已过期" in page and 'name="revoke"' not in page


def test_the_api_with_the_sites_session_answers_json_and_asks_for_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.member)
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    body = {"title": "关于会话调用接口的建议", "body": "建议。", "category": category.pk, "disclosure_consent": True}
    refused = browser.post("/api/v1/proposals", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed" and "安全令牌" in refused.json()["message"]
    browser.get(reverse("dashboard:home_member"))  # the page sets the CSRF cookie its scripts send back
    created = browser.post("/api/v1/proposals", body, content_type="application/json",
                           HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "draft"


def test_a_session_owing_its_second_factor_gets_the_apis_error_shape(world):
    client = Client()
    _login(client, "tiwei")
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_the_signed_in_api_rate_is_counted_per_account_not_per_name(world):
    from types import SimpleNamespace

    from tian.accounts import services as account_services
    from tian.api.throttles import SignedInThrottle

    namesake = account_services.user_create(username="徐丽娟2", full_name=world.cosigner.full_name,
                                            password="correct-horse-battery-9", roles=[Role.UNIT_HANDLER],
                                            unit=world.units["区司法局"], validate=False)
    assert str(namesake) == str(world.cosigner)  # two people of the same name
    throttle = SignedInThrottle("10/m")
    keys = {throttle.get_cache_key(SimpleNamespace(auth=user, META={})) for user in (world.cosigner, namesake)}
    assert len(keys) == 2
