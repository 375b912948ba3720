"""The unit inbox with more open tasks than it shows at once: on a phone and at 200% zoom every group is
reachable page by page, without sideways scrolling, and the pages pass the accessibility checker."""

import pytest

from tests.e2e.conftest import shot
from tests.e2e.test_accessibility import violations
from tests.e2e.test_people import no_horizontal_scroll
from tests.test_handling_pages import assigned_proposal
from tian.pages.handling import inbox as tasks

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = [f"关于改善第{i}社区养老服务设施和运营补贴机制的建议" for i in range(1, 8)]


@pytest.fixture
def busy(world, monkeypatch):
    """区民政局 has more to sign for than the overview shows, on three pages of three."""
    monkeypatch.setattr(tasks, "PAGE_SIZE", 3)
    return [assigned_proposal(world, title) for title in TITLES]


@pytest.mark.parametrize("width,height,mobile", [(390, 844, True), (640, 900, False)])  # a phone; 200% zoom
def test_every_task_is_reachable_on_a_phone_and_at_200_percent(world, open_as, busy, width, height, mobile):
    page = open_as(world.lead_handler, width=width, height=height, mobile=mobile)
    page.goto(page.base + "/unit/")
    assert no_horizontal_scroll(page)
    assert page.locator("#sign tbody tr").count() == tasks.PREVIEW
    page.click("#sign a[href='?group=sign']")
    seen = []
    for number in (1, 2, 3):
        page.wait_for_load_state()
        assert no_horizontal_scroll(page)
        seen += page.locator("tbody a").all_inner_texts()
        if number < 3:
            page.locator("nav.pagination a").last.click()  # the next page
    assert sorted(seen) == sorted(TITLES)
    shot(page, f"unit-inbox-group-{width}")


def test_the_group_pages_have_no_serious_violations(world, open_as, busy):
    from tests.e2e.test_accessibility import AXE

    if not AXE.exists():
        pytest.skip("axe-core is not installed")
    page = open_as(world.lead_handler, bypass_csp=True)
    found = []
    for path in ("/unit/", "/unit/?group=sign", "/unit/?group=sign&page=2", "/unit/?group=cosign"):
        page.goto(page.base + path)
        found += [f"{path}: {v}" for v in violations(page, AXE)]
    assert not found, "\n".join(found)
