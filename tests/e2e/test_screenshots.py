"""Each role's main page, on a desktop and on a phone, saved as screenshots (var/screenshots/); and the pages
issue #22 added or changed, saved for the documentation (docs/screenshots/)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.e2e.conftest import SCREENSHOTS, shot
from tian.proposals import services
from tian.proposals.models import Attachment, TopicCategory

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


DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def test_the_new_pages_of_issue_22_are_pictured_in_the_docs(world, open_as, settings, tmp_path):
    """docs/screenshots/: the pages issue #22 added or changed, as a person sees them (phone unless named)."""
    settings.MEDIA_ROOT = tmp_path
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于完善社区养老服务设施的建议",
                                           body="社区养老服务设施不足。建议加大投入。", category=category)
    services.cosign_invite(proposal=draft, by=world.member, members=[world.cosigner.member])
    Attachment.objects.create(proposal=draft, file=SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 report"),
                              name="调研报告.pdf", size=15, uploaded_by=world.member)
    submitted = services.proposal_create_draft(by=world.member, committee=world.committee,
                                               lead_member=world.member.member, title="关于加强老年助餐服务的建议",
                                               body="建议。", category=category)
    services.proposal_submit(proposal=submitted, by=world.member)
    phone, desktop = (390, 844, True), (1280, 900, False)
    # name: (who, address, size, what to do on the page first)
    pictures = {
        "phone-menu": (world.member, "/home/member/", phone, lambda page: page.click(".user-menu summary")),
        "member-draft": (world.member, f"/proposals/{draft.pk}/edit/", phone, None),
        "member-draft-desktop": (world.member, f"/proposals/{draft.pk}/edit/", desktop, None),
        "member-new-draft": (world.member, "/proposals/new/", phone, None),
        "large-text-phone": (world.member, "/home/member/", phone,
                             lambda page: page.click("a.header-button:has-text('大字模式')")),
        "office-list-bulk": (world.staff, "/proposals/", desktop, None),
        "review-queue-bulk": (world.staff, "/proposals/review/", desktop, None),
        "calendar-days": (world.staff, "/manage/calendar-days/new/", desktop, None),
        "admin-member-form": (world.staff, "/manage/members/new/", desktop, None),
        "admin-user-form": (world.admin, "/accounts/users/new/", desktop, None),
        "portal-home-phone": (None, "/", phone, None),
        "portal-home-desktop": (None, "/", desktop, None),
    }
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, (user, path, (width, height, mobile), prepare) in pictures.items():
        page = open_as(user, width=width, height=height, mobile=mobile)
        response = page.goto(page.base + path)
        assert response.ok, (name, response.status)
        if prepare is not None:
            prepare(page)
            page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)
        assert (DOCS / f"{name}.png").stat().st_size > 1000, name
