"""The clerk's and the member's day (issue #22): the office registers and assigns many proposals at once from
its review queue, a wrong deadline keeps everything entered (in bulk and on a proposal page), and the member
rates a reply below it and sees the rating saved. On a desktop and on a 390 px phone."""

import datetime
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import submitted_on
from tests.e2e.test_people import no_horizontal_scroll
from tests.test_bulk import registered, replied, submitted
from tian.proposals import services
from tian.proposals.models import Proposal, State

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
SIZES = [(1280, 900, False, "desktop"), (390, 844, True, "phone")]


def save(page, name):
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width,height,mobile,device", SIZES)
def test_the_office_registers_and_assigns_many_at_once(world, open_as, width, height, mobile, device):
    titles = [f"关于第{i}个社区建设养老驿站的建议" for i in range(1, 4)]
    waiting = [submitted(world, title) for title in titles]
    for proposal in waiting:  # submitted before the day they are assigned below (2024-05-10)
        submitted_on(proposal, datetime.date(2024, 5, 6))
    page = open_as(world.staff, width=width, height=height, mobile=mobile)
    page.goto(page.base + "/proposals/review/")
    bar = page.locator('[data-bulk="bulk-review"]')
    bar.locator("[data-bulk-page]").check()  # all on this page: the rows are ticked
    assert page.locator('input[name="ids"][form="bulk-review"]:checked').count() == 3
    assert "3" in bar.locator("[data-bulk-count]").inner_text()
    assert no_horizontal_scroll(page)
    save(page, f"office-review-queue-bulk-{device}")
    bar.locator('button[value="register"]').click()
    page.wait_for_load_state()
    assert "立案 3 件提案" in page.locator("h1").inner_text()
    # Meanwhile a colleague registers one of them from its own page.
    services.proposal_register(proposal=waiting[1], by=world.staff)
    page.locator('form[action$="/proposals/bulk/"] button[type="submit"]').first.click()
    page.wait_for_load_state()
    summary = page.locator(".bulk-summary").inner_text()
    assert "2 件已完成，1 件未执行" in summary and "已立案" in summary
    assert titles[1] in page.locator("#refused-h + ul").inner_text()
    assert no_horizontal_scroll(page)
    save(page, f"office-bulk-result-{device}")
    assert Proposal.objects.filter(pk__in=[p.pk for p in waiting], state=State.REGISTERED).count() == 3

    # Assign the three to the same units: a deadline before the assignment date keeps every input.
    page.goto(page.base + "/proposals/review/")
    bar = page.locator('[data-bulk="bulk-assign"]')
    bar.locator("[data-bulk-page]").check()
    bar.locator('button[value="assign"]').click()
    page.wait_for_load_state()
    page.select_option("#id_lead_unit", label="区民政局")
    page.check(f'input[name="assisting_units"][value="{world.units["区教科局"].pk}"]')
    page.fill("#id_assigned_on", "2024-05-10")
    page.fill("#id_reply_deadline", "2024-05-01")
    page.locator('form[action$="/proposals/bulk/"] button[type="submit"]').first.click()
    page.wait_for_load_state()
    error = page.locator(".field--error").filter(has=page.locator("#id_reply_deadline"))
    assert "答复期限必须晚于交办日期" in error.inner_text()
    assert page.input_value("#id_lead_unit") == str(world.units["区民政局"].pk)
    assert page.is_checked(f'input[name="assisting_units"][value="{world.units["区教科局"].pk}"]')
    assert page.input_value("#id_assigned_on") == "2024-05-10"
    assert no_horizontal_scroll(page)
    save(page, f"office-bulk-assign-error-{device}")
    page.fill("#id_reply_deadline", "2024-08-01")
    page.locator('form[action$="/proposals/bulk/"] button[type="submit"]').first.click()
    page.wait_for_load_state()
    assert "3 件已完成，0 件未执行" in page.locator(".bulk-summary").inner_text()
    for p in waiting:
        p.refresh_from_db()
        assert p.state == State.ASSIGNED and p.assignments.get(role="lead").deadline == datetime.date(2024, 8, 1)

    # The list, filtered to the assigned ones: all matching the filter, exported as they are.
    other = submitted(world, "关于不在筛选结果中的建议")
    page.goto(page.base + "/proposals/?state=assigned")
    bar = page.locator('[data-bulk="bulk"]')
    bar.locator("[data-bulk-everything]").check()
    assert "符合筛选条件的全部 3 件" in bar.inner_text()
    assert no_horizontal_scroll(page)
    save(page, f"office-list-bulk-{device}")
    with page.expect_download() as download:
        bar.locator('button[value="export"]').click()
    workbook = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    cells = [c.value for row in workbook.active.iter_rows() for c in row]
    assert all(title in cells for title in titles) and other.title not in cells


@pytest.mark.parametrize("width,height,mobile,device", SIZES)
def test_a_wrong_deadline_on_the_proposal_page_loses_nothing(world, open_as, width, height, mobile, device):
    proposal = registered(world, "关于完善农村道路养护机制的建议")
    page = open_as(world.staff, width=width, height=height, mobile=mobile)
    page.goto(page.base + proposal.get_absolute_url())
    assert page.input_value("#id_assigned_on") == timezone.localdate().isoformat()  # 交办日期: today
    assert "各自独立办理" in page.locator("#do-assign").inner_text()  # 分办单位 explained
    page.select_option("#id_lead_unit", label="区民政局")
    page.check(f'input[name="assisting_units"][value="{world.units["区司法局"].pk}"]')
    page.check("#id_is_key")
    page.fill("#id_reply_deadline", (timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    page.locator("#do-assign button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("#do-assign")
    error = page.locator(".field--error").filter(has=page.locator("#id_reply_deadline"))
    assert "答复期限必须晚于交办日期" in error.inner_text()
    assert page.input_value("#id_lead_unit") == str(world.units["区民政局"].pk)
    assert page.is_checked(f'input[name="assisting_units"][value="{world.units["区司法局"].pk}"]')
    assert page.is_checked("#id_is_key")
    assert no_horizontal_scroll(page)
    save(page, f"proposal-assign-error-{device}")
    proposal.refresh_from_db()
    assert proposal.state == State.REGISTERED


@pytest.mark.parametrize("width,height,mobile,device", SIZES)
def test_the_member_rates_the_reply_below_it_and_sees_it_saved(world, open_as, width, height, mobile, device):
    proposal = replied(world, "关于加快城区停车场建设的建议")
    page = open_as(world.member, width=width, height=height, mobile=mobile)
    page.goto(page.base + proposal.get_absolute_url())
    reply_top = page.locator("#reply-h").bounding_box()["y"]
    form_top = page.locator("#my-evaluation").bounding_box()["y"]
    assert reply_top < form_top < reply_top + 3 * height  # the reply first, the form right after it
    page.check('#my-evaluation input[name="result"][value="satisfied"]')
    page.fill("#my-evaluation textarea[name=feedback]", "答复具体，感谢")
    page.locator("#my-evaluation button[type=submit]").click()
    page.wait_for_load_state()
    saved = page.locator("#my-evaluation").inner_text()
    assert f"已评价 · {timezone.localdate().isoformat()}" in saved and "答复具体，感谢" in saved
    assert page.locator('#my-evaluation input[name="result"]').count() == 0
    assert no_horizontal_scroll(page)
    page.locator("#my-evaluation").scroll_into_view_if_needed()
    save(page, f"member-evaluation-saved-{device}")
