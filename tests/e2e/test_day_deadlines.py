"""Issue #22 points 5, 6, 2 (calendar) and 1 (the unit's forms) in a real browser, on a desktop (1280 px) and a
phone (390 px): the lead unit sees which assisting unit its reply waits for and reminds it, and a contact with an
error comes back as typed; a lead official's page lists every proposal they lead, key ones marked, sorted by
urgency; staff correct the calendar by a range and by a pasted list, with a preview, and bad lines are named.
Screenshots of the new pages go to docs/screenshots/."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import shot
from tian.core.models import CalendarDay
from tian.deadlines.models import Reminder
from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import TopicCategory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1280, 900, False), "phone": (390, 844, True)}
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
CAPTION = "按紧迫程度排序：已逾期的在前，其次是期限最近的"


def signed_proposal(world, title, *, key=False):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=category)
    p = services.proposal_submit(proposal=p, by=world.member)
    p = services.proposal_register(proposal=p, by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assisting_units=[world.units["区教科局"]], is_key=key,
                                 lead_officials=[world.lead_official],
                                 supervising_offices=[world.offices["区政府办公室"]])
    for a in p.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    return p


@pytest.mark.parametrize("size", SIZES)
def test_the_lead_unit_reminds_the_assisting_unit_its_reply_waits_for(world, open_as, size):
    width, height, mobile = SIZES[size]
    p = signed_proposal(world, "关于完善社区养老服务设施的建议")
    page = open_as(world.lead_handler, width=width, height=height, mobile=mobile)
    page.goto(page.base + reverse("handling:work", args=[p.pk]))
    waiting = page.locator("#waiting")
    assert "区教科局" in waiting.inner_text() and "协办意见" in waiting.inner_text()
    assert page.evaluate(FITS)
    # A contact without its date comes back with the summary kept and the error beside the date.
    page.fill("#id_summary", "电话沟通了办理思路")
    page.fill("#id_contacted_on", "")
    page.get_by_role("button", name="记录办前沟通").click()
    page.wait_for_load_state()
    assert page.input_value("#id_summary") == "电话沟通了办理思路"
    assert "这个字段是必填项" in page.locator(".field--error").first.inner_text()
    shot(page, f"unit-waiting-for-{size}")
    page.locator("#waiting").get_by_role("button", name="提醒区教科局").click()
    page.wait_for_load_state()
    assert "已向区教科局发送催办" in page.content()
    assert Reminder.objects.filter(assignment__unit__name="区教科局", sent_by=world.lead_handler).count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_a_lead_official_sees_every_proposal_they_lead(world, open_as, size):
    width, height, mobile = SIZES[size]
    key = signed_proposal(world, "关于完善社区养老服务设施的建议", key=True)
    plain = signed_proposal(world, "关于建设口袋公园的建议")
    page = open_as(world.official, width=width, height=height, mobile=mobile)
    page.goto(page.base + reverse("supervision:key_proposals"))
    text = page.inner_text("main")
    assert "我牵头的提案" in text and key.title in text and plain.title in text and CAPTION in text
    contents = page.locator("nav[aria-label=目录] li")
    assert contents.filter(has_text=key.title).locator(".badge", has_text="重点").count() == 1
    assert contents.filter(has_text=plain.title).locator(".badge", has_text="重点").count() == 0
    assert page.evaluate(FITS)
    shot(page, f"lead-official-proposals-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_staff_correct_the_calendar_by_range_and_by_list(world, open_as, size):
    width, height, mobile = SIZES[size]
    page = open_as(world.staff, width=width, height=height, mobile=mobile)
    page.goto(f"{page.base}/manage/calendar-days/")
    page.fill("#id_range-start", "2035-10-01")
    page.fill("#id_range-end", "2035-10-07")
    page.fill("#id_range-note", "国庆节")
    page.locator("#range").get_by_role("button", name="预览").click()
    page.wait_for_load_state()
    assert "预览：7 天" in page.inner_text("#range")
    assert page.evaluate(FITS)
    shot(page, f"calendar-range-preview-{size}")
    assert not CalendarDay.objects.exists()
    page.locator("#range").get_by_role("button", name="保存这 7 天").click()
    page.wait_for_load_state()
    assert "已保存日历中的 7 天" in page.content() and CalendarDay.objects.count() == 7
    # A pasted list with an unreadable line: the line is named, the text kept, nothing saved.
    page.fill("#id_list-dates_text", "2035-12-31\n2035年13月1日")
    page.locator("#list").get_by_role("button", name="预览").click()
    page.wait_for_load_state()
    assert "第 2 行" in page.inner_text("#list") and "2035-12-31" in page.input_value("#id_list-dates_text")
    assert CalendarDay.objects.count() == 7


@pytest.mark.parametrize("size", SIZES)
def test_finished_work_reads_done_and_the_inbox_puts_the_most_urgent_first(world, open_as, size):
    """Point 5: the unit's queue lists the overdue reply before the one due later and says how it is sorted; a
    proposal whose handling is finished reads 已完成 for every unit, though its deadline passed long ago."""
    import datetime

    from django.utils import timezone

    from tests.test_deadline_truth import assign, sign_all, submit_reply
    from tian.handling.models import Assignment, Reply
    from tian.supervision import services as supervision

    width, height, mobile = SIZES[size]
    today = timezone.localdate()
    soon = signed_proposal(world, "关于建设口袋公园的建议")
    late = signed_proposal(world, "关于整治占道经营的建议")
    Assignment.objects.filter(proposal=late, role="lead").update(deadline=today - datetime.timedelta(days=30))
    Assignment.objects.filter(proposal=soon, role="lead").update(deadline=today + datetime.timedelta(days=20))
    finished = assign(world, "关于完善社区养老服务的建议", days_ago=200, reply_days=-100, assisting=False)
    sign_all(world, finished)
    supervision.reply_approve(reply=Reply.objects.get(pk=submit_reply(world, finished).pk), by=world.supervisor)

    unit = open_as(world.lead_handler, width=width, height=height, mobile=mobile)
    unit.goto(unit.base + reverse("handling:inbox"))
    text = unit.inner_text("main")
    assert CAPTION in text and text.index(late.title) < text.index(soon.title)
    assert unit.evaluate(FITS)

    staff = open_as(world.staff, width=width, height=height, mobile=mobile)
    staff.goto(staff.base + finished.get_absolute_url())
    units = staff.locator("table.list.small").inner_text()
    assert "已完成" in units and "已逾期" not in units and "按期办理中" not in units
    shot(staff, f"finished-proposal-units-{size}")



def test_a_form_sent_is_not_sent_again_by_a_second_click(world, open_as):
    """tian.js drops a second submission of a form within a few seconds (a clerk's double click recorded a contact
    twice). Read in the browser: a listener on the window, which hears each submission after tian.js's, records
    whether it was dropped, and keeps the page from leaving."""
    p = signed_proposal(world, "关于完善社区养老服务设施的建议")
    page = open_as(world.lead_handler, width=1280, height=900, mobile=False)
    page.goto(page.base + reverse("handling:work", args=[p.pk]))
    page.fill("#id_summary", "电话沟通了办理思路")
    dropped = page.evaluate("""() => {
        const form = document.querySelector("#id_summary").form, seen = [];
        window.addEventListener("submit", (e) => { seen.push(e.defaultPrevented); e.preventDefault(); });
        form.requestSubmit(); form.requestSubmit();
        return seen;
    }""")
    assert dropped == [False, True]
