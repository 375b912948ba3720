"""Each role's main page, on a desktop and on a phone, saved as screenshots (var/screenshots/)."""

import pytest

from tests.e2e.conftest import SCREENSHOTS, shot

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {"member": "/home/member/", "staff": "/proposals/review/", "lead_handler": "/unit/",
         "supervisor": "/supervision/", "official": "/supervision/key/", "admin": "/manage/",
         "collective": "/home/collective/"}


def test_each_roles_main_page_on_desktop_and_phone(world, open_as):
    for role, path in PAGES.items():
        for size, (width, height, mobile) in {"desktop": (1280, 900, False), "phone": (390, 844, True)}.items():
            page = open_as(getattr(world, role), width=width, height=height, mobile=mobile)
            page.goto(page.base + path)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (role, size)
            shot(page, f"{role}-{size}")
    assert len(list(SCREENSHOTS.glob("*-phone.png"))) >= len(PAGES)
