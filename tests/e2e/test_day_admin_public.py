"""Issue #22 in the browser, on a desktop (1280 px) and a phone (390 px): the office creates a member with their
sign-in account on one form and the member signs in with it (point 7); a visitor at the site's address reads the
public portal, finds "登录", searches and unfolds the filters (point 8); the words people meet on the audit log,
the two-factor page and a form's errors are Chinese, and what was typed stays (points 3 and 1)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.test_portal import portal  # noqa: F401 - a disclosed proposal, and one not disclosed
from tian.accounts.models import User
from tian.organisations.models import Member

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844, "mobile": True}}


def doc_shot(page, name):
    """A screenshot of a new page for docs/screenshots (the first screen: what a person sees on arriving)."""
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"))


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_office_creates_a_member_with_their_login_and_the_member_signs_in(world, open_as, screen):
    page = open_as(world.staff, **VIEWPORTS[screen])
    page.goto(page.base + "/manage/members/new/")
    page.fill("#id_name", "王小红")
    page.fill("#id_mobile", "13912345678")
    page.check("#id_login-create")
    page.fill("#id_login-password", "abc")  # too weak: refused next to the field, nothing lost
    page.click("form.card button[type=submit]")
    assert page.locator("#id_login-password_errors").is_visible()
    assert not re.search(r"[A-Za-z]{3,}", page.inner_text("#id_login-password_errors"))  # in Chinese
    assert page.input_value("#id_name") == "王小红" and page.input_value("#id_mobile") == "13912345678"
    assert page.is_checked("#id_login-create")
    page.locator("#id_login-password").scroll_into_view_if_needed()
    doc_shot(page, f"admin-member-form-error-{screen}")
    page.fill("#id_login-password", "")  # let the system make one
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=刚保存")
    member = Member.objects.get(name="王小红")
    assert page.locator(f"#row-{member.pk}").is_visible()
    password = page.inner_text(".secret").strip()
    assert fits(page)
    doc_shot(page, f"admin-member-with-login-{screen}")
    user = User.objects.get(member=member)
    assert user.username == "王小红" and user.check_password(password)

    # The member signs in with their Chinese name and the password they were told, and sets their own.
    visitor = open_as(None, **VIEWPORTS[screen])
    visitor.goto(visitor.base + "/accounts/login/")
    visitor.fill("#id_username", "王小红")
    visitor.fill("#id_password", password)
    visitor.click("button[type=submit]")
    visitor.wait_for_url(re.compile(r".*/accounts/password/"))


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_a_visitor_reads_searches_and_finds_sign_in(world, portal, open_as, screen):  # noqa: F811
    page = open_as(None, **VIEWPORTS[screen])
    page.goto(page.base + "/")
    assert page.inner_text("h1") == "公开提案"
    assert page.locator(".portal-signin a").is_visible()  # 登录, on the first screen
    first = page.locator(f"a[href='/public/proposals/{portal.public.pk}/']")
    if screen == "phone":  # the filters are folded: the first screen shows a proposal
        assert not page.locator("details.portal-filters").evaluate("d => d.open")
        assert first.bounding_box()["y"] + first.bounding_box()["height"] <= 844
    assert fits(page)
    doc_shot(page, f"public-front-{screen}")
    page.click("details.portal-filters summary")
    assert page.locator("details.portal-filters select").first.is_visible()
    page.fill("#portal-q", "托育")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r".*/public/search/\?q=.*"))
    assert portal.public.title in page.inner_text("main")
    page.click(".portal-signin a")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_audit_log_and_the_two_factor_page_speak_chinese(world, open_as, screen):
    Client().get("/audit/")  # a visitor: sent to sign in
    refused = Client()
    refused.force_login(world.member)
    refused.get("/audit/")  # a member: refused, and audited
    page = open_as(world.admin, **VIEWPORTS[screen])
    page.goto(page.base + "/audit/?action=denied")
    text = page.inner_text("main")
    assert "拒绝访问" in text and "不同意" not in text
    assert "刘安泽试图打开「审计日志」页面，被拒绝" in text.replace(" ", "")
    assert fits(page)
    doc_shot(page, f"audit-refusals-{screen}")
    page.goto(page.base + "/accounts/2fa/")
    page.fill("#id_code", "12ab")
    page.click("main form button[type=submit]")
    error = page.inner_text("#id_code_errors")
    assert re.search(r"[\u4e00-\u9fff]", error) and not re.search(r"[A-Za-z]{3,}", error)
    assert page.input_value("#id_code") == "12ab"
