"""The office changes a handling unit (调整承办单位) on a phone, from the proposal page to the changed proposal; the page
and the key-proposal page pass axe-core."""

from tests.e2e.conftest import shot
from tests.e2e.test_accessibility import axe, violations  # noqa: F401 - the axe fixture
from tian.handling.models import Assignment


def test_the_office_changes_the_lead_unit_on_a_phone(world, open_as, assigned, axe):  # noqa: F811
    new_handler = world.handler_for("区司法局")
    page = open_as(world.staff, width=390, height=844, mobile=True, bypass_csp=True)
    page.goto(f"{page.base}{assigned.get_absolute_url()}")
    page.get_by_role("link", name="调整承办单位").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="调整承办单位").is_visible()
    assert not violations(page, axe)
    shot(page, "office-adjust-unit-phone")
    page.get_by_label("区民政局").check()
    page.get_by_label("调整后的承办单位").select_option(label="区司法局")
    page.get_by_role("button", name="调整承办单位").click()  # refused without a reason: nothing changes
    page.wait_for_load_state()
    assert "请填写调整理由" in page.content() or page.locator("#id_reason:invalid").count() == 1
    assert Assignment.objects.filter(proposal=assigned, unit__name="区民政局", status="assigned").exists()
    page.get_by_label("区民政局").check()
    page.get_by_label("调整后的承办单位").select_option(label="区司法局")
    page.fill("#id_reason", "机构改革,原区民政局该项职能划入区司法局。")
    page.get_by_role("button", name="调整承办单位").click()
    page.wait_for_url(f"**{assigned.get_absolute_url()}")
    assert "已调整承办单位" in page.content()
    # The width of a phone holds the page: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    new = Assignment.objects.get(proposal=assigned, unit__name="区司法局")
    assert new.role == "lead" and new.status == "assigned" and new_handler.unit_id == new.unit_id
    page.goto(f"{page.base}/proposals/{assigned.pk}/key/")
    assert not violations(page, axe)


def test_the_office_hands_a_units_work_over_at_200_percent_zoom_and_on_a_phone(world, open_as, assigned, axe):  # noqa: F811
    """The hand-over page (机构改革) holds at 200 % zoom (640 px) and on a 360 px phone, passes axe-core, and hands the
    work over."""
    from tests.e2e.test_day_phone import FITS

    world.handler_for("区司法局")
    path = f"/manage/units/{world.units['区民政局'].pk}/hand-over/"
    for width, height in ((640, 450), (360, 740)):
        page = open_as(world.staff, width=width, height=height, mobile=width == 360, bypass_csp=True)
        page.goto(page.base + path)
        assert page.evaluate(FITS), width
        assert not violations(page, axe), width
    page.get_by_label("调整后的承办单位").select_option(label="区司法局")
    page.fill("#id_reason", "机构改革,区民政局该项职能划入区司法局。")
    page.get_by_role("button", name="移交").click()
    page.wait_for_load_state()
    assert "已移交" in page.content()
    assert Assignment.objects.filter(proposal=assigned, unit__name="区司法局", role="lead").exists()
