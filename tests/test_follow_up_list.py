"""The office's list of follow-ups (回头看, /proposals/follow-ups/): which units have reported what was done a year
after their B-class replies, which have not, and which are late; its tile on the office's home, its Excel file, and
nobody but the office opens it."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.test_authorization_matrix import LOGIN, ROLES, only, outcome
from tests.test_followup_collective_review import A_YEAR_ON, _b_replied, _category
from tian.deadlines import services as deadlines
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import Proposal

URL = "/proposals/follow-ups/"
TODAY = timezone.localdate()


def zh(message: str) -> str:
    """A word of this list as the Chinese catalogue gives it (待报告, 已报告, 回头看待报告 …)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _assigned(world, title, unit_name):
    """A proposal of 刘安泽's assigned to ``unit_name`` alone."""
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=_category(world))
    p = services.proposal_register(proposal=services.proposal_submit(proposal=p, by=world.member), by=world.staff)
    return handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units[unit_name]])


def _followed_up(world, title, unit_name):
    """The unit's B-class reply is rated and the proposal closed; a year on, the scan asks the unit for its follow-up."""
    p, reply = _b_replied(world, _assigned(world, title, unit_name))
    handling.evaluation_submit(proposal=p, by=world.member, result="satisfied")
    services.proposal_close(proposal=Proposal.objects.get(pk=p.pk), by=world.staff)
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    return FollowUp.objects.get(reply=reply)


def _due(follow_up, day):
    """The follow-up's report day moved (the scan ran on a day of its own: its day is that day's window on)."""
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=day)


@pytest.fixture
def scene(world):
    """Three follow-ups: 区民政局's pending (due in 20 days), 区教科局's overdue (due 10 days ago), 区司法局's reported
    (its proposal of 2023)."""
    pending = _followed_up(world, "关于加强全区未成年人关爱保护工作的建议", "区民政局")
    overdue = _followed_up(world, "关于推进城乡义务教育均衡发展的建议", "区教科局")
    reported = _followed_up(world, "关于加强社区矫正工作的建议", "区司法局")
    _due(pending, TODAY + datetime.timedelta(days=20))
    _due(overdue, TODAY - datetime.timedelta(days=10))
    deadlines.follow_up_report(follow_up=reported, by=world.handler_for("区司法局"),
                               report="已建成12个社区矫正工作站。\n经费已列入年度预算。")
    Proposal.objects.filter(pk=reported.reply.proposal_id).update(year=2023)
    return {"pending": FollowUp.objects.get(pk=pending.pk), "overdue": FollowUp.objects.get(pk=overdue.pk),
            "reported": FollowUp.objects.get(pk=reported.pk)}


def _rows(html: str) -> list[str]:
    """The table's rows, each as its HTML, in order (none without a table)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.split("<tr>")[1:]


def _page(client, query="") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


# --- what the list shows -----------------------------------------------------------------------------------------

def test_the_office_sees_the_units_not_reported_yet_the_overdue_first(world, scene, client_for):
    html = _page(client_for(world.staff))
    rows = _rows(html)
    assert len(rows) == 2
    assert "区教科局" in rows[0] and "已逾期" in rows[0] and "关于推进城乡义务教育均衡发展的建议" in rows[0]
    assert "区民政局" in rows[1] and zh("To report") in rows[1]
    overdue = scene["overdue"].reply.proposal
    assert f'href="{overdue.get_absolute_url()}"' in rows[0] and overdue.number_year in rows[0]
    assert scene["overdue"].reply.reply_date.isoformat() in rows[0]
    assert "badge--danger" in rows[0] and "个工作日" in rows[0]  # the deadline badge, in working days
    assert "区司法局" not in html  # reported: not in the first view
    assert 'data-label="承办单位"' in rows[0] and 'class="list"' in html  # the phone's stacked cards


def test_the_reported_ones_show_their_date_and_the_reports_first_line(world, scene, client_for):
    rows = _rows(_page(client_for(world.staff), "?status=reported"))
    assert len(rows) == 1
    day = timezone.localdate(scene["reported"].reported_at).isoformat()
    assert "区司法局" in rows[0] and zh("Reported") in rows[0] and day in rows[0]
    assert "已建成12个社区矫正工作站。" in rows[0] and "经费已列入年度预算" not in rows[0]


@pytest.mark.parametrize(("status", "units"), [
    ("pending", ["区民政局"]), ("overdue", ["区教科局"]), ("reported", ["区司法局"]),
    ("all", ["区教科局", "区民政局", "区司法局"]), ("", ["区教科局", "区民政局"]), ("nonsense", ["区教科局", "区民政局"]),
])
def test_the_status_filter(world, scene, client_for, status, units):
    rows = _rows(_page(client_for(world.staff), f"?status={status}"))
    assert [next(u for u in ("区民政局", "区教科局", "区司法局") if u in row) for row in rows] == units


def test_the_year_filter_reads_the_proposals_year(world, scene, client_for):
    staff = client_for(world.staff)
    rows = _rows(_page(staff, "?status=all&year=2023"))
    assert len(rows) == 1 and "区司法局" in rows[0]
    this_year = scene["pending"].reply.proposal.year
    rows = _rows(_page(staff, f"?status=all&year={this_year}"))
    assert len(rows) == 2 and not any("区司法局" in r for r in rows)
    assert zh("No follow-up matches these filters.") in _page(staff, "?status=overdue&year=2023")


def test_a_report_sent_moves_the_row_from_the_open_list_to_the_reported(world, scene, client_for):
    deadlines.follow_up_report(follow_up=scene["overdue"], by=world.assisting_handler, report="已完成校舍改造。")
    staff = client_for(world.staff)
    assert "区教科局" not in _page(staff)
    assert "区教科局" in _page(staff, "?status=reported")


def test_the_list_is_paged(world, scene, client_for, monkeypatch):
    monkeypatch.setattr("tian.pages.proposals.follow_ups.PER_PAGE", 2)
    staff = client_for(world.staff)
    first, second = _page(staff, "?status=all"), _page(staff, "?status=all&page=2")
    assert len(_rows(first)) == 2 and len(_rows(second)) == 1 and "区司法局" in second
    assert "共 2 页(共 3 条)" in first


# --- the tile on the office's home -------------------------------------------------------------------------------

def _tile(html: str) -> str:
    return next(part for part in html.split('class="card stat"')[1:] if zh("Follow-ups to report") in part).split("</a>", 1)[0]


def test_the_offices_home_counts_the_follow_ups_not_reported_and_marks_an_overdue_one(world, scene, client_for):
    staff = client_for(world.staff)
    tile = _tile(staff.get(reverse("dashboard:home_staff")).content.decode())
    assert '<span class="stat__number">2</span>' in tile and "待处理" in tile and URL in tile
    deadlines.follow_up_report(follow_up=scene["overdue"], by=world.assisting_handler, report="已完成校舍改造。")
    tile = _tile(staff.get(reverse("dashboard:home_staff")).content.decode())
    assert '<span class="stat__number">1</span>' in tile and "待处理" not in tile  # pending, none late


# --- the Excel file -------------------------------------------------------------------------------------------------

def test_the_excel_file_holds_the_filtered_rows_and_is_named_in_chinese(world, scene, client_for):
    response = client_for(world.staff).get(URL + "?status=all&format=xlsx")
    assert response.status_code == 200
    assert quote(f"{zh('Follow-ups')}-全部") in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == f"{zh('Follow-ups')}-全部"
    header = rows[1]
    assert header[:6] == ["编号", "案由", "承办单位", "答复日期", "报告期限", "状态"]
    data = rows[2:]
    assert [r[2] for r in data] == ["区教科局", "区民政局", "区司法局"]
    assert [r[5] for r in data] == ["已逾期", zh("To report"), zh("Reported")]
    assert data[2][-1] == "已建成12个社区矫正工作站。\n经费已列入年度预算。"
    overdue = client_for(world.staff).get(URL + "?status=overdue&year=2023&format=xlsx")
    assert len(list(load_workbook(io.BytesIO(overdue.content)).active.iter_rows())) == 2  # title and header


def test_a_report_read_as_a_formula_is_written_as_text(world, scene, client_for):
    deadlines.follow_up_report(follow_up=scene["overdue"], by=world.assisting_handler, report="=HYPERLINK(\"x\")")
    response = client_for(world.staff).get(URL + "?status=reported&format=xlsx")
    values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    assert "'=HYPERLINK(\"x\")" in values


# --- who may open it -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_opens_the_list_and_its_file(world, scene, role):
    expected = only("staff", anon=LOGIN)[role]
    client = Client()
    if role != "anon":
        client.force_login(getattr(world, role))
    assert outcome(client.get(URL)) == expected
    assert outcome(client.get(URL + "?format=xlsx")) == expected


def test_no_tile_for_those_who_may_not_open_the_list(world, scene, client_for):
    for user, home in ((world.admin, "dashboard:home_admin"), (world.lead_handler, "dashboard:home_unit")):
        assert zh("Follow-ups to report") not in client_for(user).get(reverse(home)).content.decode()


# --- queries ----------------------------------------------------------------------------------------------------

def test_the_page_reads_a_fixed_number_of_queries(world, scene, client_for, django_assert_max_num_queries):
    staff = client_for(world.staff)
    staff.get(URL + "?status=all")  # the session's first visit
    with django_assert_max_num_queries(8) as few:
        _page(staff, "?status=all")
    for n in range(3):
        _followed_up(world, f"关于第{n}件事的建议", "区妇联")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_rows(_page(staff, "?status=all"))) == 6


def test_a_follow_up_of_a_proposal_handled_again_is_no_longer_awaited_anywhere(world, client_for):
    """The follow-up was asked of 区民政局 a year on, the proposal not yet closed; then the lead proposer's late 不满意
    sent the proposal back to the units. The unit cannot report on it now (the report is a step of an answered
    proposal) and the second round's reply will void it: it leaves the office's tile and open list (listed under
    全部 as no longer due), the unit's inbox and work page, and the proposal page's pending follow-ups, and is not
    chased (``FollowUp.objects.awaited``, one rule)."""
    p, reply = _b_replied(world, _assigned(world, "关于加强全区未成年人关爱保护工作的建议", "区民政局"))
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    follow_up = FollowUp.objects.get(reply=reply)
    staff, unit = client_for(world.staff), client_for(world.lead_handler)
    tile = lambda: next(t for t in staff.get(reverse("dashboard:home_staff")).context["tiles"]  # noqa: E731
                        if t["url"] == reverse("proposals:follow_ups"))
    assert tile()["count"] == 1 and len(_rows(_page(staff))) == 1
    assert p.title in unit.get(reverse("handling:inbox") + "?group=follow_up").content.decode()
    late = timezone.make_aware(datetime.datetime.combine(A_YEAR_ON + datetime.timedelta(days=1),
                                                         datetime.time(10)))
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member, result="dissatisfied",
                               at=late)
    assert Proposal.objects.get(pk=p.pk).state == "rehandling"
    assert tile()["count"] == 0 and _rows(_page(staff)) == []
    [row] = _rows(_page(staff, "?status=all"))
    assert zh("No longer due (handled again)") in row
    assert p.title not in unit.get(reverse("handling:inbox") + "?group=follow_up").content.decode()
    assert staff.get(p.get_absolute_url()).context["follow_ups"] == []
    assert deadlines.chase_overdue_follow_ups(follow_up.due_on + datetime.timedelta(days=10)) == 0
