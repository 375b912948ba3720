"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium), never a downloaded
browser. Without a browser they are skipped, unless E2E_REQUIRED=1 (CI), where that is a failure."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"

# Playwright's sync API keeps an event loop in this thread; the test's own database work is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser():
    if not _browser_available():
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"E2E_REQUIRED=1 but no browser at {CHROMIUM} or Playwright is not installed")
        pytest.skip("no browser for end-to-end tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def authenticator_code(user) -> str:
    """What the user's authenticator app shows now; the app is set up (confirmed) if it was not yet."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tian.accounts import twofactor

    device = twofactor.authenticator(user)
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=twofactor.DEVICE_NAME, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # a code is taken once; each sign-in waits for the next
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def open_as(browser, live_server):
    """A page signed in as a user through the sign-in form: ``open_as(world.member)``."""
    contexts = []

    def make(user, *, width=1280, height=900, mobile=False, bypass_csp=False):
        # bypass_csp: only for injecting the accessibility checker; the pages themselves never need it.
        context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile,
                                      has_touch=mobile, locale="zh-CN", bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before irreversible actions
        page.set_default_timeout(15000)
        page.base = live_server.url
        if user is not None:
            from tian.accounts import twofactor

            if twofactor.required_for(user):
                authenticator_code(user)  # the app was set up at an earlier sign-in
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            if "/accounts/2fa/" in page.url:  # staff, supervisors, admins: the code from their app
                page.fill("#id_code", authenticator_code(user))
                page.click("form:not([action]) button[type=submit]")
                page.wait_for_load_state()
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
