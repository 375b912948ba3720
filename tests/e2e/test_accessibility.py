"""axe-core (installed from the npm registry into var/axe by .ci/run, injected from the test's own files) on every
main page, issue #22's new ones included: no serious or critical violations. Without var/axe the test is skipped,
except under E2E_REQUIRED=1 (CI), where that is a failure."""

import os
from pathlib import Path

import pytest

from tian.proposals import services
from tian.proposals.models import TopicCategory

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent.parent.parent / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe():
    if not AXE.exists():
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"axe-core is missing at {AXE} (npm install --prefix var/axe axe-core@4)")
        pytest.skip("axe-core is not installed")
    return AXE


def violations(page, axe_path):
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_main_pages_have_no_serious_violations(world, open_as, axe):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于无障碍的建议", body="建议。", category=category)
    p = services.proposal_submit(proposal=p, by=world.member)
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于适老化的建议", body="建议。")
    services.cosign_invite(proposal=draft, by=world.member, members=[world.cosigner.member])
    pages = {
        None: ["/", "/accounts/login/", "/public/", "/public/search/", "/public/data/"],
        world.member: ["/home/member/", "/proposals/mine/", "/proposals/new/", f"/proposals/{draft.pk}/edit/",
                       f"/proposals/{p.pk}/", "/notifications/", "/search/"],
        # the office's bulk work starts on the list and the review queue; the calendar and the admin forms
        world.staff: ["/home/staff/", "/proposals/", "/proposals/review/", "/proposals/follow-ups/",
                      f"/proposals/{p.pk}/", "/stats/", "/manage/", "/manage/members/", "/manage/members/new/",
                      "/manage/calendar-days/",
                      "/manage/calendar-days/new/", "/accounts/users/", "/accounts/users/new/", "/audit/"],
        world.lead_handler: ["/home/unit/", "/unit/"],
        world.supervisor: ["/home/supervisor/", "/supervision/", "/supervision/key/"],
        world.admin: ["/home/admin/"],
    }
    found = []
    for user, paths in pages.items():
        page = open_as(user, bypass_csp=True)
        for path in paths:
            response = page.goto(page.base + path)
            assert response.ok, (path, response.status)
            found += [f"{path}: {v}" for v in violations(page, axe)]
    assert not found, "\n".join(found)


def test_the_draft_page_and_the_open_user_menu_on_a_phone(world, open_as, axe):
    """The phone layout has its own arrangement (the menu across the header, the tools wrapped under the name)."""
    page = open_as(world.member, width=390, height=844, mobile=True, bypass_csp=True)
    found = []
    for path in ("/home/member/", "/proposals/new/"):
        page.goto(page.base + path)
        page.click(".user-menu summary")
        found += [f"{path}: {v}" for v in violations(page, axe)]
    assert not found, "\n".join(found)
