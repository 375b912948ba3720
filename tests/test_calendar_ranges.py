"""Calendar corrections many days at a time (issue #22 point 2): a range, a pasted list, a year's statutory holidays;
previewed, then confirmed; one audit entry a change; every deadline follows at once; bad input changes nothing."""

import datetime

import pytest
from django.urls import reverse

from tian.audit.models import AuditEntry
from tian.core.calendar import add_working_days, corrections_version, is_workday
from tian.core.calendar_days import calendar_days_set, statutory_days
from tian.core.models import CalendarDay
from tian.pages.manage.calendar import parse_date

URL = "/manage/calendar-days/"


def post(client, form, data, *, confirm=False):
    """Preview ``data`` in ``form``; with ``confirm``, then save what was previewed."""
    fields = {"form": form, **{f"{form}-{k}": v for k, v in data.items()}}
    response = client.post(URL, {**fields, "preview": "1"})
    if not confirm:
        return response
    digest = response.context["digest"]
    return client.post(URL, {**fields, "confirm": "1", "digest": digest}, follow=True)


def test_the_page_is_the_calendar_list_and_for_staff_only(world, client_for):
    assert reverse("organisations:list", args=["calendar-days"]) == URL
    assert client_for(world.staff).get(URL).status_code == 200
    for user in (world.member, world.lead_handler, world.supervisor):
        assert client_for(user).get(URL).status_code == 403


def test_a_range_is_previewed_then_saved_as_one_audited_change(world, client_for):
    client = client_for(world.staff)
    start, end = datetime.date(2035, 10, 1), datetime.date(2035, 10, 7)  # a year no package knows
    before = add_working_days(datetime.date(2035, 9, 28), 2)
    preview = post(client, "range", {"start": start, "end": end, "kind": "holiday", "note": "国庆节"})
    page = preview.content.decode()
    assert "预览：7 天" in page and "其中 5 天的上班/休息状态会改变" in page
    assert not CalendarDay.objects.exists() and not AuditEntry.objects.filter(object_type="calendar").exists()
    version = corrections_version()
    response = post(client, "range", {"start": start, "end": end, "kind": "holiday", "note": "国庆节"}, confirm=True)
    assert "已保存日历中的 7 天" in response.content.decode()
    assert CalendarDay.objects.filter(is_workday=False, note="国庆节").count() == 7
    assert corrections_version() != version
    assert not is_workday(datetime.date(2035, 10, 2))
    # Deadlines move with it at once: two working days after Friday 28 September now skip the holiday week.
    assert add_working_days(datetime.date(2035, 9, 28), 2) != before
    (entry,) = AuditEntry.objects.filter(object_type="calendar")
    assert entry.actor == world.staff and entry.data["changed"] == 7 and entry.data["first"] == "2035-10-01"
    assert "更正了工作日历：2035-10-01 至 2035-10-07 之间的 7 天" in client.get(reverse("audit:search")).content.decode()


@pytest.mark.parametrize("start,end,error", [
    ("2035-10-07", "2035-10-01", "结束日期不能早于开始日期。"),
    ("2035-01-01", "2036-01-02", "一次最多 366 天，这里是 367 天。"),
])
def test_a_bad_range_changes_nothing_and_keeps_the_input(world, client_for, start, end, error):
    client = client_for(world.staff)
    response = post(client, "range", {"start": start, "end": end, "kind": "workday", "note": "调休上班"})
    page = response.content.decode()
    end_field = page[page.index('for="id_range-end"'):]
    assert error in end_field[:end_field.index("</div>")]  # beside its own field
    assert f'value="{start}"' in page and 'value="调休上班"' in page
    # Confirming a bad form saves nothing either.
    client.post(URL, {"form": "range", "range-start": start, "range-end": end, "range-kind": "workday",
                      "confirm": "1", "digest": "x"})
    assert not CalendarDay.objects.exists() and not AuditEntry.objects.filter(object_type="calendar").exists()


def test_a_pasted_list_accepts_the_usual_ways_of_writing_dates(world, client_for):
    client = client_for(world.staff)
    text = "2035-10-01\n2035/10/2, 2035年10月3日  2035.10.4\n\n2035-10-01"
    post(client, "list", {"dates_text": text, "kind": "holiday", "note": "国庆节"}, confirm=True)
    assert sorted(CalendarDay.objects.values_list("date", flat=True)) == [
        datetime.date(2035, 10, d) for d in (1, 2, 3, 4)]


def test_a_pasted_list_names_the_lines_it_cannot_read_and_changes_nothing(world, client_for):
    client = client_for(world.staff)
    response = post(client, "list", {"dates_text": "2035-10-01\n2035-13-01\n明天", "kind": "holiday"})
    page = response.content.decode()
    assert "第 2 行：“2035-13-01”" in page and "第 3 行：“明天”" in page and "未作任何更改" in page
    assert "2035-10-01\n2035-13-01\n明天" in page  # the text is kept as typed
    assert not CalendarDay.objects.exists()


def test_a_changed_input_after_the_preview_is_previewed_again_not_saved(world, client_for):
    client = client_for(world.staff)
    first = post(client, "range", {"start": "2035-10-01", "end": "2035-10-03", "kind": "holiday"})
    client.post(URL, {"form": "range", "range-start": "2035-10-01", "range-end": "2035-10-09",
                      "range-kind": "holiday", "confirm": "1", "digest": first.context["digest"]})
    assert not CalendarDay.objects.exists()


def test_the_statutory_holidays_of_a_known_year_load_in_one_step(world, client_for):
    client = client_for(world.staff)
    days = statutory_days(2026)
    assert days[datetime.date(2026, 10, 1)] == (False, "国庆节")
    assert days[datetime.date(2026, 9, 20)][0] is True  # a Sunday worked for the National Day week
    assert datetime.date(2026, 10, 3) not in days  # a Saturday holiday: off anyway
    post(client, "year", {"year": 2026}, confirm=True)
    assert CalendarDay.objects.count() == len(days)
    assert AuditEntry.objects.filter(object_type="calendar", data__source="statutory").count() == 1


def test_a_year_the_package_does_not_know_gets_a_clear_message(world, client_for):
    response = post(client_for(world.staff), "year", {"year": 2099})
    assert "系统还不知道 2099 年的法定节假日安排" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_the_service_replaces_existing_corrections_and_refuses_too_many_days(world):
    CalendarDay.objects.create(date=datetime.date(2035, 10, 1), is_workday=True, note="旧")
    calendar_days_set(days={datetime.date(2035, 10, 1): (False, "国庆节")}, by=world.staff, source="list")
    assert CalendarDay.objects.get().note == "国庆节"
    start = datetime.date(2035, 1, 1)
    with pytest.raises(ValueError):
        calendar_days_set(days={start + datetime.timedelta(days=i): (False, "") for i in range(367)},
                          by=world.staff, source="range")
    assert CalendarDay.objects.count() == 1


def test_dates_are_read_in_three_spellings():
    assert parse_date("2027/1/1") == parse_date("2027年1月1日") == parse_date("2027-01-01") == datetime.date(2027, 1, 1)
    assert parse_date("2027-02-30") is None and parse_date("1/1") is None


def test_one_day_added_or_edited_in_the_list_is_audited_and_moves_the_deadlines(world, client_for):
    """The list's own form (new, edit) saves one correction: one audit entry each, the calendar's version moved."""
    client = client_for(world.staff)
    day = datetime.date(2035, 10, 8)  # a Monday of a year no package knows
    assert is_workday(day)
    version = corrections_version()
    response = client.post(reverse("organisations:create", args=["calendar-days"]),
                           {"date": "2035-10-08", "note": "调休"})  # the box unticked: a day off
    assert response.status_code == 302
    assert not is_workday(day) and corrections_version() != version
    row = CalendarDay.objects.get(date=day)
    version = corrections_version()
    response = client.post(reverse("organisations:edit", args=["calendar-days", row.pk]),
                           {"date": "2035-10-08", "is_workday": "on", "note": "上班"})
    assert response.status_code == 302
    assert is_workday(day) and corrections_version() != version
    entries = list(AuditEntry.objects.filter(object_type="calendar").order_by("pk"))
    assert [(e.actor, e.data["changed"], e.data["first"], e.data["source"]) for e in entries] == [
        (world.staff, 1, "2035-10-08", "day"), (world.staff, 1, "2035-10-08", "day")]
    assert "更正了工作日历：2035-10-08" in client.get(reverse("audit:search")).content.decode()


def test_the_office_is_told_on_its_home_page_when_a_years_holidays_are_not_in_the_calendar(world, client_for,
                                                                                              monkeypatch):
    """Deadlines counted in working days reach into next year weeks before it starts; a year whose holidays neither
    the chinesecalendar package knows nor staff entered treats its Spring Festival as working days. Those who correct
    the calendar are told on their home page, from six weeks before the year, until they enter a holiday of it."""
    from django.utils import timezone

    from tian.core.calendar_days import years_to_enter

    assert years_to_enter(datetime.date(2024, 12, 20)) == []  # the package knows 2024 and 2025
    assert years_to_enter(datetime.date(2099, 11, 1)) == [2099]  # next year still far
    assert years_to_enter(datetime.date(2099, 11, 17)) == [2099]  # 45 days before 2100: not yet six weeks
    assert years_to_enter(datetime.date(2099, 11, 20)) == [2099, 2100]
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2099, 12, 1))
    page = client_for(world.staff).get(reverse("dashboard:home_staff")).content.decode()
    assert "2099年的法定节假日" in page and "2100年的法定节假日" in page
    assert reverse("organisations:calendar_days") in page
    CalendarDay.objects.create(date=datetime.date(2100, 1, 1), is_workday=False, note="元旦")
    page = client_for(world.staff).get(reverse("dashboard:home_staff")).content.decode()
    assert "2099年的法定节假日" in page and "2100年的法定节假日" not in page
    assert "法定节假日" not in client_for(world.member).get(reverse("dashboard:home_member")).content.decode()
