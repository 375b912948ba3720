"""A follow-up report (回头看) sent on paper, entered by the proposal office: a unit that answers by letter, or one
abolished at a reform (机构改革) whose successor sends the report of its old work. The office records it on the
proposal page (and through the API); it is marked as received on paper wherever the report is read, the history names
it so, and the office's list offers it beside every report awaited, a disabled unit's marked as such."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document

from tests.test_api_protocol import Api, shaped
from tests.test_follow_up_list import _assigned, _followed_up, _page, _rows
from tests.test_followup_collective_review import A_YEAR_ON, _b_replied, _release
from tian.deadlines import services as deadlines
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.notifications.models import Notification
from tian.organisations.models import Unit
from tian.proposals.models import Event, Proposal

REPORT = "已建成社区养老服务站3个,联系人王科长13795952836。"


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


@pytest.fixture
def awaited(world):
    """区民政局's B-class reply, rated and closed; a year on, its report is asked for."""
    return _followed_up(world, "关于加强全区未成年人关爱保护工作的建议", "区民政局")


def _record(client, follow_up, report=REPORT, state=None):
    proposal = follow_up.reply.proposal
    return client.post(reverse("proposals:action", args=[proposal.pk, "record_paper_follow_up"]),
                       {"state": state or Proposal.objects.get(pk=proposal.pk).state, "follow_up": follow_up.pk,
                        "report": report})


def test_the_office_records_a_report_received_on_paper_and_it_reads_so_everywhere(world, client_for, awaited):
    staff = client_for(world.staff)
    proposal = awaited.reply.proposal
    page = staff.get(proposal.get_absolute_url()).content.decode()
    assert zh("Record a follow-up report received on paper") in page and 'id="do-record_paper_follow_up"' in page

    response = _record(staff, awaited)
    assert response.status_code == 302
    follow_up = FollowUp.objects.get(pk=awaited.pk)
    assert follow_up.report == REPORT and follow_up.on_paper and follow_up.reported_by == world.staff
    event = Event.objects.get(proposal=proposal, action="follow_up.reported")
    assert event.actor == world.staff and event.data["on_paper"] is True and event.data["unit"] == "区民政局"

    page = staff.get(proposal.get_absolute_url()).content.decode()
    assert zh("Follow-up report received on paper recorded") in page  # the history says who entered it, and how
    assert zh("received on paper") in page and "已建成社区养老服务站3个" in page
    assert 'id="do-record_paper_follow_up"' not in page  # nothing awaited any more: no form
    [row] = _rows(_page(staff, "?status=reported"))
    assert zh("received on paper") in row
    # The proposer reads it as the unit's report, marked as sent on paper.
    member_page = client_for(world.member).get(proposal.get_absolute_url()).content.decode()
    assert "已建成社区养老服务站3个" in member_page and zh("received on paper") in member_page


def test_the_filed_form_says_the_report_came_on_paper(world, client_for, awaited):
    deadlines.follow_up_report(follow_up=awaited, by=world.staff, report=REPORT)
    proposal = awaited.reply.proposal
    response = client_for(world.staff).get(reverse("documents:proposal_form", args=[proposal.pk, "docx"]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "回头看(区民政局," in text and "报告,纸质报告)" in text


def test_a_unit_still_reports_its_own_and_it_is_not_marked_paper(world, awaited):
    follow_up = deadlines.follow_up_report(follow_up=awaited, by=world.lead_handler, report="已完成。")
    assert not follow_up.on_paper
    assert Event.objects.get(proposal=awaited.reply.proposal, action="follow_up.reported").data["on_paper"] is False


def test_an_empty_report_comes_back_with_the_form_and_changes_nothing(world, client_for, awaited):
    response = _record(client_for(world.staff), awaited, report="   ")
    assert response.status_code == 422
    assert 'id="do-record_paper_follow_up" open' in response.content.decode()
    assert FollowUp.objects.get(pk=awaited.pk).reported_at is None
    assert not Event.objects.filter(action="follow_up.reported").exists()


def test_nobody_but_the_office_records_on_paper(world, client_for, awaited):
    proposal = awaited.reply.proposal
    for user in (world.member, world.other_handler, world.supervisor):
        _record(client_for(user), awaited)
    with pytest.raises(handling.WorkflowError):
        deadlines.follow_up_report(follow_up=awaited, by=world.other_handler, report=REPORT)
    assert FollowUp.objects.get(pk=awaited.pk).reported_at is None
    for user in (world.member, world.lead_handler):
        assert 'id="do-record_paper_follow_up"' not in client_for(user).get(proposal.get_absolute_url()).content.decode()


def test_a_second_recording_is_refused_and_keeps_the_first(world, client_for, awaited):
    deadlines.follow_up_report(follow_up=awaited, by=world.lead_handler, report="单位自己报送的。")
    staff = client_for(world.staff)
    response = _record(staff, awaited)  # from a page read before the unit's report came
    assert response.status_code == 302
    page = staff.get(response["Location"]).content.decode()
    assert zh("This follow-up report has already been sent.") in page
    assert "已建成社区养老服务站3个" in page  # what the clerk typed, kept on the page to copy
    assert FollowUp.objects.get(pk=awaited.pk).report == "单位自己报送的。"
    assert Event.objects.filter(action="follow_up.reported").count() == 1


def test_a_follow_up_a_later_round_superseded_cannot_be_reported(world):
    """After rehandling, the second round's reply answers the proposal: the first round's follow-up is history, and
    neither the unit nor the office may report on it (through the API either)."""
    p, reply = _b_replied(world, _assigned(world, "关于推进城乡义务教育均衡发展的建议", "区民政局"))
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    follow_up = FollowUp.objects.get(reply=reply)
    late = timezone.make_aware(datetime.datetime.combine(A_YEAR_ON, datetime.time(10)))
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member, result="dissatisfied", at=late)
    p = Proposal.objects.get(pk=p.pk)
    assert p.state == "rehandling"
    _release(world, p.assignments.get(role="lead"), "第二轮答复:已落实。", "A")
    assert Proposal.objects.get(pk=p.pk).state == "replied"
    for user in (world.staff, world.lead_handler):
        body = shaped(Api(user).post(f"/follow-ups/{follow_up.pk}/report", {"report": REPORT}), 409, "invalid_state")
        assert body["message"] == zh("This follow-up report is no longer awaited: the proposal was handled again "
                                     "and answered by a later reply.")
    assert FollowUp.objects.get(pk=follow_up.pk).reported_at is None


def test_the_api_records_on_paper_for_the_office_and_names_the_follow_up(world, awaited):
    proposal = awaited.reply.proposal
    api = Api(world.staff)
    detail = api.get(f"/proposals/{proposal.pk}").json()
    assert "record_paper_follow_up" in detail["actions"]
    [item] = detail["follow_ups"]
    assert item["id"] == awaited.pk and item["on_paper"] is False and item["reported_at"] is None
    shaped(Api(world.other_handler).post(f"/follow-ups/{awaited.pk}/report", {"report": REPORT}), 404, "not_found")
    response = api.post(f"/follow-ups/{awaited.pk}/report", {"report": REPORT})
    assert response.status_code == 200, response.json()
    assert response.json()["on_paper"] is True
    detail = api.get(f"/proposals/{proposal.pk}").json()
    assert "record_paper_follow_up" not in detail["actions"]
    assert detail["follow_ups"][0]["on_paper"] is True


def test_the_list_marks_a_disabled_units_report_and_links_to_record_it(world, client_for, awaited):
    """机构改革: 区民政局 was merged away after its reply; its report is awaited from nobody who signs in. The office's
    list says the unit is disabled and offers to record the report its successor sends on paper; the overdue scan
    tells the office so."""
    Unit.objects.filter(pk=awaited.reply.unit_id).update(is_active=False)
    staff = client_for(world.staff)
    [row] = _rows(_page(staff))
    assert zh("Disabled") in row and zh("Record a report received on paper") in row
    assert f'{awaited.reply.proposal.get_absolute_url()}#do-record_paper_follow_up' in row
    assert deadlines.chase_overdue_follow_ups(awaited.due_on + datetime.timedelta(days=1)) == 1
    told = Notification.objects.filter(user=world.staff, kind="reminder").values_list("message", flat=True)
    assert any("该单位已停用" in m for m in told)
    _record(staff, awaited)
    assert FollowUp.objects.get(pk=awaited.pk).on_paper
    assert _rows(_page(staff)) == []


def test_the_hand_over_page_says_the_follow_ups_stay_with_the_unit(world, client_for, awaited):
    """机构改革: the hand-over moves open assignments; a follow-up asked of the unit is not one, and the page says
    where it is answered."""
    page = client_for(world.staff).get(reverse("organisations:unit_hand_over", args=[awaited.reply.unit_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "该单位尚有 1 件回头看报告待报送" in text and reverse("proposals:follow_ups") in text
    deadlines.follow_up_report(follow_up=awaited, by=world.staff, report=REPORT)
    text = client_for(world.staff).get(reverse("organisations:unit_hand_over", args=[awaited.reply.unit_id]))
    assert "回头看报告待报送" not in text.content.decode()
