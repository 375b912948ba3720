"""Account rules: lockout with staff unlock, password complexity, history and expiry, forced change at
first sign-in, idle timeout."""

import datetime

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tian.accounts import services
from tian.accounts.models import User


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_lockout_after_repeated_failures_and_staff_unlock(world, client_for):
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "刘安泽", "wrong-password")
    response = _login(client, "刘安泽", PASSWORD)  # even the right password is refused now
    assert "登录已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other_address = Client(REMOTE_ADDR="10.9.9.10")
    assert "登录已锁定" in _login(other_address, "刘安泽", PASSWORD).content.decode()  # locked per account
    client_for(world.staff).post(reverse("accounts:user_unlock", args=[world.member.pk]))
    response = _login(Client(REMOTE_ADDR="10.9.9.11"), "刘安泽", PASSWORD)
    assert response.status_code == 302


def test_account_created_by_staff_must_change_its_password_first(world, client_for):
    client_for(world.staff).post(reverse("accounts:user_create"), {
        "username": "newmember", "full_name": "新委员", "is_active": "on", "roles": ["collective"],
        "collective": world.collective_org.pk, "password": "Initial-pass-1"})
    user = User.objects.get(username="newmember")
    assert user.must_change_password
    client = Client()
    _login(client, "newmember", "Initial-pass-1")
    response = client.get(reverse("dashboard:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_change")
    client.post(reverse("accounts:password_change"), {"old_password": "Initial-pass-1",
                                                      "new_password1": "My-own-secret-9",
                                                      "new_password2": "My-own-secret-9"})
    user.refresh_from_db()
    assert not user.must_change_password and user.password_changed_at is not None
    assert client.get(reverse("dashboard:home")).status_code == 302
    assert client.get(reverse("dashboard:home_collective")).status_code == 200


def test_simple_and_recent_passwords_are_refused(world, client_for):
    client = client_for(world.member)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "simplepassword", "new_password2": "simplepassword"})
    assert "至少包含" in response.content.decode()
    services.user_set_password(user=world.member, password="Second-secret-2", by_staff=False)
    services.user_set_password(user=world.member, password="Third-secret-3", by_staff=False)
    client = Client()
    _login(client, "刘安泽", "Third-secret-3")
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "Third-secret-3", "new_password1": "Second-secret-2", "new_password2": "Second-secret-2"})
    assert "最近使用过" in response.content.decode()


def test_expired_password_must_be_changed(world, client_for, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=world.member.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    response = client_for(world.member).get(reverse("dashboard:home_member"))
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")


def test_sessions_end_after_idle_time_and_requests_renew_them(world, client_for):
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    assert settings.SESSION_COOKIE_AGE <= 3600
    client = client_for(world.member)
    client.get(reverse("dashboard:home_member"))
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    # Within the minute a request does not write the session again …
    client.get(reverse("dashboard:home_member"))
    assert Session.objects.get(pk=key).expire_date == first
    # … after it, a request pushes the end of the session a whole idle time from now.
    session = client.session
    session["tian_touched"] -= settings.SESSION_TOUCH_SECONDS
    session.save()
    Session.objects.filter(pk=key).update(expire_date=first - datetime.timedelta(minutes=5))
    client.get(reverse("dashboard:home_member"))
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > first - datetime.timedelta(minutes=1)
    assert renewed >= timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)
    # An expired session is not accepted.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    cache.clear()  # the cached copy (cached_db) lives as long as the session did
    assert client.get(reverse("dashboard:home_member")).status_code == 302


def test_a_sign_in_lasts_at_most_the_absolute_timeout_however_busy(world, settings):
    """The idle timeout alone kept a session used every few minutes (or a copied cookie replayed) for ever: a sign-in
    now ends SESSION_ABSOLUTE_TIMEOUT after it was made, says why, and the audit log says the system ended it."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    from tian.accounts.middleware import SIGNED_IN_AT
    from tian.audit.models import AuditEntry

    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600
    client = Client()
    assert _login(client, "刘安泽", PASSWORD).status_code == 302
    home = reverse("dashboard:home_member")
    assert client.get(home).status_code == 200
    signed_in_at = client.session[SIGNED_IN_AT]
    assert abs(signed_in_at - timezone.now().timestamp()) < 60  # kept by the sign-in itself
    # Eleven hours later, busy all along: still signed in, and the time of signing in is not moved.
    session = client.session
    session[SIGNED_IN_AT] -= 11 * 3600
    session.save()
    assert client.get(home).status_code == 200
    assert client.session[SIGNED_IN_AT] == signed_in_at - 11 * 3600
    # Twelve hours after signing in the session ends, whatever the idle timeout says.
    session = client.session
    session[SIGNED_IN_AT] -= 3600
    session.save()
    key = session.session_key
    response = client.get(home)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    cache.clear()
    assert not Session.objects.filter(pk=key).exists()  # the old session is gone, not just left
    notice = client.get(response.url).content.decode()
    assert "您已连续登录 12 小时" in notice
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, actor=world.member).latest("at")
    assert entry.data.get("reason") == "absolute_timeout"
    history = Client()
    history.force_login(world.admin)
    assert "被自动退出登录" in history.get(reverse("audit:search")).content.decode()


def test_a_session_from_before_the_absolute_timeout_counts_from_its_next_request(world, client_for):
    """A session signed in before the rule existed holds no time of signing in: its length counts from its next
    request rather than ending it at once (which would sign everybody out at an upgrade)."""
    from tian.accounts.middleware import SIGNED_IN_AT

    client = client_for(world.member)
    session = client.session
    session.pop(SIGNED_IN_AT, None)
    session.save()
    assert client.get(reverse("dashboard:home_member")).status_code == 200
    assert abs(client.session[SIGNED_IN_AT] - timezone.now().timestamp()) < 60
