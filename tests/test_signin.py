"""Signing in, role home pages and navigation."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tian.accounts.roles import ROLE_HOME, Role


def test_wrong_password_shows_a_chinese_message_and_signs_nobody_in(world):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "刘安泽", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_member_signs_in_by_name_and_lands_on_the_member_home(world):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "刘安泽", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard:home_member")
    assert "刘安泽" in response.content.decode()


@pytest.mark.parametrize(
    "who,home",
    [("member", "dashboard:home_member"), ("staff", "dashboard:home_staff"), ("lead_handler", "dashboard:home_unit"),
     ("supervisor", "dashboard:home_supervisor"), ("official", "dashboard:home_lead_official"),
     ("collective", "dashboard:home_collective"), ("admin", "dashboard:home_admin")],
)
def test_each_role_lands_on_its_own_home(world, client_for, who, home):
    response = client_for(getattr(world, who)).get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response.url == reverse(home)


def test_role_home_pages_refuse_other_roles(world, client_for):
    member = client_for(world.member)
    for role, url_name in ROLE_HOME.items():
        status = member.get(reverse(url_name)).status_code
        assert status == (200 if role == Role.MEMBER else 403), url_name


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(reverse("dashboard:home_staff"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_navigation_shows_only_what_the_role_may_use(world, client_for):
    member_page = client_for(world.member).get(reverse("dashboard:home_member")).content.decode()
    staff_page = client_for(world.staff).get(reverse("dashboard:home_staff")).content.decode()
    assert reverse("accounts:user_list") not in member_page
    assert reverse("accounts:user_list") in staff_page
    assert reverse("organisations:index") in staff_page


def test_the_page_is_in_chinese(world, client_for):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert 'lang="zh-hans"' in page
    assert "登录" in page


def test_password_change(world, client_for):
    client = client_for(world.member)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "a-new-secret-2024", "new_password2": "a-new-secret-2024"})
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("a-new-secret-2024")


def test_logout_needs_post_and_ends_the_session(world, client_for):
    client = client_for(world.member)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("dashboard:home_member")).status_code == 302


def test_large_text_mode_is_remembered(world, client_for):
    client = client_for(world.member)
    client.get(reverse("dashboard:toggle_large_text") + "?next=/home/member/")
    assert 'class="large-text"' in client.get(reverse("dashboard:home_member")).content.decode()


def test_large_text_redirect_stays_on_this_site(world):
    response = Client().get(reverse("dashboard:toggle_large_text") + "?next=https://evil.example/")
    assert response.url == "/"


def test_chinese_even_for_an_english_browser(world):
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("accounts:login")).content.decode()
    assert "登录" in page


def test_english_when_the_user_chooses_it(world):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign in" in client.get(reverse("accounts:login")).content.decode()


def test_the_stylesheet_and_scripts_are_served_locally(world):
    from django.contrib.staticfiles import finders

    for path in ("tian/tian.css", "tian/tian.js", "django_htmx/htmx-2.min.js"):
        assert finders.find(path), path
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "//cdn" not in page and "https://" not in page


def test_security_headers(world):
    response = Client().get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_a_form_sent_after_the_session_ended_leads_back_to_its_page_after_signing_in(world, client_for):
    """The form's POST-only address was where signing in led, which answered a blank "method not allowed": the
    sign-in page now says what happened and leads back to the page the form was on. A sign-out says nothing."""
    page = "/unit/assignments/1/"
    expired = Client()  # the session has ended: no one is signed in
    response = expired.post(reverse("proposals:action", args=[1, "register"]), {"note": "x"},
                            HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("accounts:login")) and "expired=1" in location
    assert "next=%2Funit%2Fassignments%2F1%2F" in location
    notice = expired.get(location).content.decode()
    assert "刚才提交的内容没有保存" in notice
    # From another site, the way back is the home page, never the other site.
    response = expired.post(reverse("proposals:action", args=[1, "register"]), {"note": "x"},
                            HTTP_REFERER="https://elsewhere.example/page")
    assert "elsewhere" not in response["Location"]
    # Signing out leads to the sign-in page without the notice.
    member = client_for(world.member)
    out = member.post(reverse("accounts:logout"))
    assert "expired" not in out["Location"]
