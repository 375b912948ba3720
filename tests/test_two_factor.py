"""Two-factor sign-in: required for office staff, supervisors and administrators, optional for the others,
with recovery codes; staff reset it for a person who lost their phone."""

import re

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tian.accounts import twofactor
from tian.audit.models import AuditEntry


def code_for(device: TOTPDevice) -> str:
    """The code the person's app shows now. A code is accepted once only; a test that signs in again at
    once stands for one that waits for the next code, so the record of the last code used is forgotten."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(user, next_url=""):
    client = Client()
    response = client.post("/accounts/login/" + (f"?next={next_url}" if next_url else ""),
                           {"username": user.username, "password": PASSWORD})
    return client, response


def set_up(client) -> tuple[TOTPDevice, list[str]]:
    """Go through the set-up page as the person would: read the key, type the app's first code."""
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    device = TOTPDevice.objects.get(confirmed=False)
    assert secret.replace(" ", "") == twofactor.secret_text(device).replace(" ", "")
    response = client.post("/accounts/2fa/setup/", {"code": code_for(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    return TOTPDevice.objects.get(pk=device.pk), codes


@pytest.mark.parametrize("who", ["staff", "supervisor", "admin"])
def test_required_roles_must_set_up_an_app_before_anything_else(world, who):
    client, response = sign_in(getattr(world, who))
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    for path in ("/", "/proposals/", "/accounts/tokens/", "/audit/", "/accounts/password/"):
        refused = client.get(path)
        assert refused.status_code == 302 and refused["Location"] == "/accounts/2fa/setup/", path
    assert client.get("/api/v1/proposals").status_code == 401
    page = client.get("/accounts/2fa/setup/")
    assert "<svg" in page.content.decode() and "双因素" in page.content.decode()


def test_setting_up_gives_ten_recovery_codes_and_opens_the_site(world):
    client, _ = sign_in(world.staff, next_url="/proposals/")
    device, codes = set_up(client)
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=world.staff).count() == 10
    assert client.get("/proposals/").status_code == 200
    assert AuditEntry.objects.filter(actor=world.staff, action=AuditEntry.Action.ACCOUNT,
                                     detail="two-factor sign-in set up").exists()


def test_a_wrong_first_code_confirms_nothing(world):
    client, _ = sign_in(world.staff)
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user=world.staff)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = client.post("/accounts/2fa/setup/", {"code": wrong})
    assert "这个验证码不对" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not StaticToken.objects.exists()
    assert client.get("/proposals/").status_code == 302


def test_next_sign_in_asks_for_a_code_and_refuses_a_wrong_one(world):
    client, _ = sign_in(world.staff)
    device, _codes = set_up(client)
    client, response = sign_in(world.staff, next_url="/proposals/")
    assert response["Location"] == "/accounts/2fa/verify/"
    assert client.get("/proposals/").status_code == 302
    wrong = client.post("/accounts/2fa/verify/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不对" in wrong.content.decode()
    assert AuditEntry.objects.filter(actor=world.staff, action=AuditEntry.Action.LOGIN_FAILED).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    ok = client.post("/accounts/2fa/verify/", {"code": code_for(device)})
    assert ok.status_code == 302 and ok["Location"] == "/proposals/"
    assert client.get("/proposals/").status_code == 200


def test_bad_input_on_the_code_form_gets_a_chinese_field_error(world):
    client, _ = sign_in(world.staff)
    for bad in ("", "12ab", "1" * 30, "<script>"):
        response = client.post("/accounts/2fa/setup/", {"code": bad})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_recovery_code_signs_in_once(world):
    client, _ = sign_in(world.staff)
    _device, codes = set_up(client)
    client, _ = sign_in(world.staff)
    assert client.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 302
    assert client.get("/proposals/").status_code == 200
    assert StaticToken.objects.filter(device__user=world.staff).count() == 9
    client, _ = sign_in(world.staff)
    again = client.post("/accounts/2fa/verify/", {"code": codes[0]})
    assert again.status_code == 200 and client.get("/proposals/").status_code == 302


def test_members_sign_in_with_a_password_only_unless_they_turn_it_on(world):
    client, response = sign_in(world.member)
    assert response.status_code == 302 and "/2fa/" not in response["Location"]
    assert client.get("/accounts/2fa/").status_code == 200
    device, codes = set_up(client)
    assert len(codes) == 10
    client, response = sign_in(world.member)
    assert response["Location"] == "/accounts/2fa/verify/"
    assert client.post("/accounts/2fa/verify/", {"code": code_for(device)}).status_code == 302
    # A member may turn it off again (with a code from the app); staff may not.
    off = client.post("/accounts/2fa/", {"action": "disable", "code": code_for(device)})
    assert off.status_code == 302 and not twofactor.enabled(world.member)
    _client, response = sign_in(world.member)
    assert "/2fa/" not in response["Location"]


def test_staff_cannot_turn_it_off(world):
    client, _ = sign_in(world.staff)
    device, _codes = set_up(client)
    response = client.post("/accounts/2fa/", {"action": "disable", "code": code_for(device)})
    assert response.status_code == 200 and twofactor.enabled(world.staff)


def test_new_recovery_codes_replace_the_old_ones(world):
    client, _ = sign_in(world.staff)
    device, old = set_up(client)
    response = client.post("/accounts/2fa/", {"action": "recovery", "code": code_for(device)})
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=world.staff).values_list("token", flat=True)) == set(new)


def test_staff_reset_a_lost_phone_and_the_person_sets_up_again(world, client_for):
    client, _ = sign_in(world.supervisor)
    set_up(client)
    assert client.get("/supervision/").status_code == 200
    # A member may not reset anybody's; staff may, and the person's sessions end.
    assert client_for(world.member).post(f"/accounts/users/{world.supervisor.pk}/2fa-reset/").status_code == 403
    assert twofactor.enabled(world.supervisor)
    response = client_for(world.staff).post(f"/accounts/users/{world.supervisor.pk}/2fa-reset/")
    assert response.status_code == 302
    assert not twofactor.enabled(world.supervisor) and not StaticToken.objects.exists()
    assert client.get("/supervision/").status_code == 302  # signed out
    assert AuditEntry.objects.filter(actor=world.staff, detail__startswith="two-factor sign-in reset").exists()
    _client, response = sign_in(world.supervisor)
    assert response["Location"] == "/accounts/2fa/setup/"


def test_staff_may_not_reset_an_administrator(world, client_for):
    client, _ = sign_in(world.admin)
    set_up(client)
    assert client_for(world.staff).post(f"/accounts/users/{world.admin.pk}/2fa-reset/").status_code == 403
    assert twofactor.enabled(world.admin)


def test_the_admin_site_signs_in_through_the_same_page(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"


def test_the_next_address_cannot_leave_the_site(world):
    client, _ = sign_in(world.staff, next_url="https://evil.example/")
    device, _codes = set_up(client)
    client, _ = sign_in(world.staff, next_url="https://evil.example/")
    response = client.post("/accounts/2fa/verify/", {"code": code_for(device)})
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_roles_that_require_it_are_a_setting(world, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    _client, response = sign_in(world.staff)
    assert "/2fa/" not in response["Location"]


def test_too_many_wrong_codes_make_the_person_wait(world):
    from django.utils import timezone

    client, _ = sign_in(world.staff)
    device, _codes = set_up(client)
    client, _ = sign_in(world.staff)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=10,
                                                   throttling_failure_timestamp=timezone.now())
    response = client.post("/accounts/2fa/verify/", {"code": code_for(device)})
    assert response.status_code == 200 and "请稍等一分钟再试" in response.content.decode()
    assert client.get("/proposals/").status_code == 302
