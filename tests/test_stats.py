"""Statistics on a small hand-built committee year with known answers."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.stats import kpis
from tian.supervision import services as supervision

TZ = ZoneInfo("Asia/Shanghai")


def at(m, d, y=2023):
    return datetime.datetime(y, m, d, 10, tzinfo=TZ)


def _submitted(world, title, member=None):
    member = member or world.member
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=member, committee=world.committee, lead_member=member.member, title=title,
                                       body="建议。", category=category, at=at(2, 15))
    return services.proposal_submit(proposal=p, by=member, at=at(2, 15))


def _assigned(world, title, unit):
    p = _submitted(world, title)
    p = services.proposal_register(proposal=p, by=world.staff, at=at(3, 1))
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units[unit]],
                                 assigned_on=datetime.date(2023, 3, 16), supervising_offices=[world.offices["区政府办公室"]],
                                 at=at(3, 16))
    assignment = p.assignments.get()
    handling.assignment_sign_for(assignment=assignment, by=world.handler_for(unit), at=at(3, 17))
    p.refresh_from_db()
    return p, assignment


def _reply(world, assignment, outcome, released_on):
    handler = world.handler_for(assignment.unit.name)
    reply = handling.reply_save(assignment=assignment, by=handler, body="答复。", outcome=outcome,
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=released_on.date(),
                                at=released_on)
    reply = handling.reply_submit(reply=reply, by=handler, at=released_on)
    supervision.reply_approve(reply=reply, by=world.supervisor, at=released_on)


@pytest.fixture
def year(world):
    p1, a1 = _assigned(world, "提案一", "区民政局")
    p4 = _submitted(world, "提案四", member=world.cosigner)
    services.proposal_merge(proposal=p4, into=p1, by=world.staff, at=at(3, 1))
    p1.refresh_from_db()
    handling.contact_record(assignment=a1, by=world.lead_handler, method="phone",
                            contacted_on=datetime.date(2023, 4, 1), summary="电话沟通", at=at(4, 1))
    _reply(world, a1, "A", at(6, 1))  # before the 2023-06-16 deadline
    p1.refresh_from_db()
    handling.evaluation_submit(proposal=p1, by=world.member, result="satisfied", at=at(6, 10))
    p2, a2 = _assigned(world, "提案二", "区教科局")
    _reply(world, a2, "B", at(7, 1))  # after the deadline
    p2.refresh_from_db()
    handling.evaluation_submit(proposal=p2, by=world.member, result="dissatisfied", at=at(7, 10))
    p3 = _submitted(world, "提案三")
    services.proposal_decline(proposal=p3, by=world.staff, ground=world.committee.decline_grounds.first(),
                              forward="opinion", at=at(3, 1))
    _assigned(world, "提案五", "区司法局")  # never replied: overdue
    return kpis.Scope(world.committee, year=2023)


def test_overall_figures(year):
    figures = kpis.summary(kpis.gather(year))
    assert figures["received"] == 5
    assert (figures["registered"], figures["registered_rate"]) == (3, 60.0)
    assert figures["declined"] == 1 and figures["merged"] == 1
    assert figures["assigned"] == 3
    assert (figures["replied"], figures["replied_rate"]) == (2, 66.7)
    assert (figures["on_time"], figures["on_time_rate"]) == (1, 33.3)
    assert figures["classes"] == {"A": 1, "B": 1} and figures["class_shares"] == {"A": 50.0, "B": 50.0}
    assert (figures["contacted"], figures["contact_rate"]) == (1, 50.0)
    assert (figures["evaluated"], figures["satisfaction_rate"]) == (2, 50.0)
    assert figures["rehandled"] == 1
    assert figures["overdue"] == 2  # 提案五 never replied; 提案二's rehandling deadline has passed


def test_by_unit(year):
    rows = {r["unit"]: r for r in kpis.by_unit(year, kpis.gather(year))}
    assert rows["区民政局"]["on_time"] == 1 and rows["区民政局"]["satisfaction_rate"] == 100.0
    assert rows["区教科局"]["replied"] == 1 and rows["区教科局"]["on_time"] == 0
    assert rows["区司法局"]["overdue"] == 1 and rows["区司法局"]["replied_rate"] == 0.0


def test_by_member_counts_led_and_cosigned(year):
    rows = {r["member"]: r for r in kpis.by_member(kpis.gather(year))}
    assert rows["刘安泽"]["led"] == 4 and rows["刘安泽"]["registered"] == 3
    assert rows["徐丽娟"]["led"] == 1


def test_page_links_each_number_to_its_proposals(world, client_for, year):
    staff = client_for(world.staff)
    page = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    assert "60.0%" in page and "<svg" in page and "https://" not in page
    listing = staff.get(reverse("stats:behind") + "?year=2023&measure=overdue").content.decode()
    assert "提案五" in listing and "提案一" not in listing


def test_excel_equals_the_page(world, client_for, year):
    response = client_for(world.staff).get(reverse("stats:download", args=["units"]) + "?year=2023")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "承办单位" and "办复率(%)" in rows[1]
    units = {row[0]: row for row in rows[2:]}
    assert units["区司法局"][7] == 1  # overdue now


def test_only_permitted_roles_see_statistics(world, client_for, year):
    assert client_for(world.supervisor).get(reverse("stats:index")).status_code == 200
    for who in ("member", "lead_handler", "collective"):
        assert client_for(getattr(world, who)).get(reverse("stats:index")).status_code == 403
        assert client_for(getattr(world, who)).get(reverse("stats:download", args=["units"])).status_code == 403


def test_bad_scope_shows_a_message(world, client_for):
    page = client_for(world.staff).get(reverse("stats:index") + "?start=2023-05-01&end=2023-01-01").content.decode()
    assert "结束日期不能早于开始日期" in page


def test_proposal_list_downloads_with_its_filters(world, client_for, year):
    response = client_for(world.staff).get(reverse("proposals:list") + "?q=提案五&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("编号", "案由")
    assert [r[1] for r in rows[2:]] == ["提案五"]


def test_year_end_awards_with_statistics_beside_candidates(world, client_for, year):
    from tian.stats.models import Award

    staff = client_for(world.staff)
    page = staff.get(reverse("stats:awards") + "?year=2023").content.decode()
    assert "提案一" in page and "区民政局" in page
    p1 = Proposal.objects.get(title="提案一")
    staff.post(reverse("stats:awards") + "?year=2023", {"proposal": p1.pk})
    staff.post(reverse("stats:awards") + "?year=2023", {"unit": world.units["区民政局"].pk})
    assert Award.objects.filter(year=2023, proposal=p1).exists()
    assert Award.objects.filter(year=2023, unit=world.units["区民政局"]).exists()
    staff.post(reverse("stats:awards") + "?year=2023", {"proposal": p1.pk})
    assert not Award.objects.filter(proposal=p1).exists()
    assert client_for(world.supervisor).get(reverse("stats:awards")).status_code == 403


def test_group_numbers_link_to_their_proposals(world, client_for, year):
    staff = client_for(world.staff)
    page = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    assert "group_by=category&amp;group=%E7%A4%BE%E4%BC%9A%E5%BB%BA%E8%AE%BE" in page
    listing = staff.get(reverse("stats:behind"), {"year": 2023, "measure": "registered", "group_by": "category",
                                                   "group": "社会建设"}).content.decode()
    assert "提案一" in listing and "提案三" not in listing


def test_member_numbers_link_to_their_proposals(world, client_for, year):
    staff = client_for(world.staff)
    member_id = world.member.member.pk
    led = staff.get(reverse("stats:behind"), {"year": 2023, "measure": "received", "member": member_id}).content.decode()
    assert "提案一" in led and "提案四" not in led  # 提案四 was 徐丽娟's
    registered = staff.get(reverse("stats:behind"), {"year": 2023, "measure": "registered",
                                                    "member": member_id}).content.decode()
    assert "提案三" not in registered  # declined, never registered


def test_the_page_shows_the_first_key_proposals_and_links_to_all(world, client_for, year, monkeypatch):
    from tian.proposals.models import Proposal
    from tian.stats import views

    Proposal.objects.filter(title__in=["提案一", "提案二", "提案五"]).update(is_key=True)
    monkeypatch.setattr(views, "KEY_PROPOSALS_SHOWN", 2)
    staff = client_for(world.staff)
    page = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    shown = [title for title in ("提案一", "提案二", "提案五") if f">{title}</a>" in page]
    assert len(shown) == 2 and "全部 3 件重点提案" in page
    listing = staff.get(reverse("stats:behind") + "?year=2023&measure=key").content.decode()
    assert all(f">{title}</a>" in listing for title in ("提案一", "提案二", "提案五"))
    assert ">提案三</a>" not in listing and ">提案四</a>" not in listing  # not key proposals


def test_the_statistics_and_the_lists_offer_the_same_years(world, client_for, year):
    """The years with proposals, newest first, drafts included: one definition for every page that offers them."""
    import re

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                   title="今年的草稿", body="建议。", category=category)
    this_year = world.current_session.year
    staff = client_for(world.staff)

    def years(url):
        page = staff.get(url).content.decode()
        select = re.search(r'<select name="year"[^>]*>(.*?)</select>', page, re.S).group(1)
        return [int(v) for v in re.findall(r'<option value="(\d+)"', select)]

    assert years(reverse("stats:index")) == [this_year, 2023]
    assert years(reverse("proposals:list")) == [this_year, 2023]
    assert years(reverse("search:search")) == [this_year, 2023]


def test_a_duty_record_longer_than_the_page_says_how_many_it_shows(world, client_for, year, monkeypatch):
    from tian.stats import page

    monkeypatch.setattr(page, "MEMBERS_SHOWN", 1)
    text = client_for(world.staff).get(reverse("stats:index") + "?year=2023").content.decode()
    duty = text[text.index('id="member-h"'):]
    assert "刘安泽" in duty and "徐丽娟" not in duty  # 刘安泽 led four, 徐丽娟 one
    assert "1 of 2 members" in duty or "1 名" in duty, duty  # the English source or its translation
    assert f'{reverse("stats:download", args=["members"])}?year=2023' in duty
