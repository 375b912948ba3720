"""The office records a follow-up report received on paper (回头看, a unit abolished at a reform): from the office's
follow-up list, the link opens the proposal page with the form unfolded, on a phone; the page passes axe-core."""

from tests.e2e.test_accessibility import axe, violations  # noqa: F401 - the axe fixture
from tests.test_follow_up_list import _followed_up
from tian.deadlines.models import FollowUp
from tian.organisations.models import Unit


def test_the_office_records_a_disabled_units_report_from_its_list_on_a_phone(world, open_as, axe):  # noqa: F811
    follow_up = _followed_up(world, "关于加强全区未成年人关爱保护工作的建议", "区民政局")
    Unit.objects.filter(pk=follow_up.reply.unit_id).update(is_active=False)
    page = open_as(world.staff, width=390, height=844, mobile=True, bypass_csp=True)
    page.goto(page.base + "/proposals/follow-ups/")
    page.get_by_role("link", name="录入纸质报告").click()
    page.wait_for_load_state()
    details = page.locator("#do-record_paper_follow_up")
    assert details.evaluate("d => d.open")  # the link's target is unfolded
    assert not violations(page, axe)
    details.get_by_label("落实情况").fill("已由承接单位区民政事务中心书面报告:建成站点3个。")
    details.get_by_role("button", name="录入").click()
    page.wait_for_load_state()
    follow_up = FollowUp.objects.get(pk=follow_up.pk)
    assert follow_up.on_paper and follow_up.reported_by == world.staff
    assert "纸质报送" in page.content()
