"""Deadlines on the Chinese working calendar, extensions, reminders and escalation, follow-ups."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tian.core.calendar import add_months, add_working_days, is_workday
from tian.core.models import CalendarDay
from tian.deadlines import services as deadlines
from tian.deadlines.models import FollowUp, Reminder
from tian.deadlines.status import deadline_status, working_days_between
from tian.handling import services as handling
from tian.notifications.models import Notification
from tian.proposals import services
from tian.proposals.models import Event, Proposal, TopicCategory
from tian.proposals.workflow import WorkflowError
from tian.supervision import services as supervision

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m=None, d=None, h=10):
    if d is None:  # at(month, day) means 2023
        y, m, d = 2023, y, m
    return datetime.datetime(y, m, d, h, tzinfo=TZ)


def test_working_days_skip_national_day_and_count_make_up_days(db):
    # 2023: 9-29 to 10-6 off (Mid-Autumn and National Day); Saturday 10-7 and Sunday 10-8 are make-up workdays.
    assert not is_workday(datetime.date(2023, 10, 2))
    assert is_workday(datetime.date(2023, 10, 7))
    assert add_working_days(datetime.date(2023, 9, 27), 2) == datetime.date(2023, 10, 7)
    assert add_working_days(datetime.date(2023, 9, 28), 3) == datetime.date(2023, 10, 9)
    assert working_days_between(datetime.date(2023, 9, 28), datetime.date(2023, 10, 9)) == 3


def test_a_year_the_package_does_not_know_uses_the_staff_table(db):
    day = datetime.date(2035, 10, 1)  # a Monday in a year no package release knows
    assert is_workday(day)
    CalendarDay.objects.create(date=day, is_workday=False, note="国庆节")
    CalendarDay.objects.create(date=datetime.date(2035, 9, 29), is_workday=True, note="调休上班")
    assert not is_workday(day)
    assert add_working_days(datetime.date(2035, 9, 28), 1) == datetime.date(2035, 9, 29)
    assert add_working_days(datetime.date(2035, 9, 29), 1) == datetime.date(2035, 10, 2)


def test_working_days_between_counts_as_day_by_day_across_years_and_corrections(db):
    def one_by_one(start, end):
        low, high = sorted((start, end))
        n = sum(is_workday(low + datetime.timedelta(days=i)) for i in range(1, (high - low).days + 1))
        return n if end >= start else -n

    pairs = [(datetime.date(2022, 12, 20), datetime.date(2024, 1, 10)), (datetime.date(2023, 12, 31),
             datetime.date(2024, 1, 2)), (datetime.date(2024, 3, 1), datetime.date(2023, 2, 28)),
             (datetime.date(2023, 5, 5), datetime.date(2023, 5, 5)), (datetime.date(2034, 12, 1),
             datetime.date(2036, 2, 1))]
    for start, end in pairs:
        assert working_days_between(start, end) == one_by_one(start, end), (start, end)
    # A staff correction counts at once: saving it drops the kept running totals.
    before = working_days_between(datetime.date(2035, 9, 1), datetime.date(2035, 10, 31))
    CalendarDay.objects.create(date=datetime.date(2035, 10, 1), is_workday=False, note="国庆节")
    assert working_days_between(datetime.date(2035, 9, 1), datetime.date(2035, 10, 31)) == before - 1


def test_calendar_months_keep_the_day_or_end_of_month():
    assert add_months(datetime.date(2023, 3, 16), 3) == datetime.date(2023, 6, 16)
    assert add_months(datetime.date(2023, 8, 31), 6) == datetime.date(2024, 2, 29)


def test_deadline_status_levels(db):
    deadline = datetime.date(2023, 10, 9)
    assert deadline_status(deadline, datetime.date(2023, 9, 1)).level == "due"
    assert deadline_status(deadline, datetime.date(2023, 9, 28)).level == "due_soon"
    overdue = deadline_status(deadline, datetime.date(2023, 10, 11))
    assert overdue.level == "overdue" and overdue.working_days_left == -2


def assigned(world, *, key=False):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于加强校园周边交通安全的建议", body="建议。", category=category,
                                       at=at(2023, 2, 15))
    p = services.proposal_submit(proposal=p, by=world.member, at=at(2023, 2, 15))
    p = services.proposal_register(proposal=p, by=world.staff, at=at(2023, 3, 1))
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assisting_units=[world.units["区教科局"]], assigned_on=datetime.date(2023, 3, 16),
                                 supervising_offices=[world.offices["区政府办公室"]], is_key=key,
                                 lead_officials=[world.lead_official] if key else [], at=at(2023, 3, 16))
    return p


def test_assignment_keeps_its_own_deadlines_when_rules_change(world):
    proposal = assigned(world)
    lead = proposal.assignments.get(role="lead")
    assert lead.deadline == datetime.date(2023, 6, 16)
    world.committee.reply_months = 5
    world.committee.save()
    lead.refresh_from_db()
    assert lead.deadline == datetime.date(2023, 6, 16)


def test_extension_is_capped_and_approval_moves_the_deadline(world):
    proposal = assigned(world)
    lead = proposal.assignments.get(role="lead")
    # The cap, six months from 2023-03-16, ends on the first working day after Saturday 2023-09-16: Monday the 18th.
    with pytest.raises(WorkflowError) as e:
        deadlines.extension_request(assignment=lead, by=world.lead_handler, requested_deadline=datetime.date(2023, 9, 19),
                                    reason="需要调研", at=at(2023, 5, 1))
    assert e.value.code == "invalid_input"
    request = deadlines.extension_request(assignment=lead, by=world.lead_handler,
                                          requested_deadline=datetime.date(2023, 9, 16), reason="需要调研",
                                          at=at(2023, 5, 1))
    with pytest.raises(WorkflowError):
        deadlines.extension_approve(extension=request, by=world.lead_handler)
    # A new deadline before the current one is refused for what it is, not as too late.
    with pytest.raises(WorkflowError, match="新期限必须晚于当前期限"):
        deadlines.extension_approve(extension=request, by=world.staff, deadline=datetime.date(2023, 6, 1),
                                    at=at(2023, 5, 2))
    deadlines.extension_approve(extension=request, by=world.staff, at=at(2023, 5, 2))
    lead.refresh_from_db()
    assert lead.deadline == datetime.date(2023, 9, 16)
    assert Event.objects.filter(proposal=proposal, action="extension.approved").exists()


def test_reminders_are_sent_once_per_stage(world, django_capture_on_commit_callbacks):
    proposal = assigned(world)
    # 2023-06-16 is the deadline; 10 working days before it is within the first-reminder window.
    with django_capture_on_commit_callbacks(execute=True):
        first = deadlines.scan(now=at(2023, 6, 5))
        again = deadlines.scan(now=at(2023, 6, 5, 15))
    # the lead unit's reply is due soon; the assisting unit's opinion (due 2023-04-16) is long overdue
    assert first["reminders"] == 3
    assert again["reminders"] == 0
    assert set(Reminder.objects.values_list("assignment__role", "stage")) == {
        ("lead", "before"), ("assisting", "overdue"), ("assisting", "escalated")}
    assert Notification.objects.filter(user=world.lead_handler, kind="reminder").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.scan(now=at(2023, 6, 16))
    assert Reminder.objects.filter(assignment__proposal=proposal, stage="on", assignment__role="lead").count() == 1


def test_overdue_work_is_escalated_to_the_supervising_office_and_lead_official(world,
                                                                                django_capture_on_commit_callbacks):
    assigned(world, key=True)
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.scan(now=at(2023, 7, 3))  # more than 5 working days after 2023-06-16
    assert Reminder.objects.filter(stage="escalated").exists()
    assert Notification.objects.filter(user=world.supervisor, kind="reminder", message__contains="督办").exists()
    assert Notification.objects.filter(user=world.official, kind="reminder").exists()
    assert not Notification.objects.filter(user=world.other_handler).exists()


def test_no_reminder_for_work_that_is_done(world, django_capture_on_commit_callbacks):
    proposal = assigned(world)
    for assignment in proposal.assignments.all():
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name),
                                     at=at(2023, 3, 17))
    opinion_unit = proposal.assignments.get(role="assisting")
    handling.opinion_send(assignment=opinion_unit, by=world.assisting_handler, body="同意", at=at(2023, 4, 1))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.scan(now=at(2023, 6, 5))
    assert list(Reminder.objects.values_list("assignment__role", flat=True)) == ["lead"]


def test_a_unit_is_reminded_of_what_every_page_shows_it_owes(world, django_capture_on_commit_callbacks):
    # A reply counts as done when it is released, as the pages show it (deadlines.status.unit_due), not when the
    # unit hands it on: reminders, by hand and by the scan, follow the same rule.
    from tian.deadlines.status import unit_due

    proposal = assigned(world)
    for assignment in proposal.assignments.all():
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name),
                                     at=at(2023, 3, 17))
    lead, assisting = proposal.assignments.get(role="lead"), proposal.assignments.get(role="assisting")
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意", at=at(2023, 4, 1))
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="正在推进。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000",
                                reply_date=datetime.date(2023, 6, 20), at=at(2023, 6, 20))
    reply = handling.reply_submit(reply=reply, by=world.lead_handler, at=at(2023, 6, 20))

    def owes(assignment) -> bool:
        return not unit_due(assignment.__class__.objects.get(pk=assignment.pk)).done

    # The reply waits for the assisting unit's co-signature: both units still owe something, and both are reminded.
    assert owes(lead) and owes(assisting)
    deadlines.remind_manually(assignment=lead, by=world.staff, note="请尽快办结")
    deadlines.remind_manually(assignment=assisting, by=world.staff, note="请会签")
    reply = handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(2023, 6, 21)).reply
    # In supervision the assisting unit's part is done; the lead unit's reply is not out, and the scan chases it:
    # with the supervising office, which holds it (the unit has done its part), not with the unit.
    assert owes(lead) and not owes(assisting)
    with pytest.raises(WorkflowError, match="没有待办事项|nothing outstanding"):
        deadlines.remind_manually(assignment=assisting, by=world.staff)
    unit_told = Notification.objects.filter(user=world.lead_handler, kind="reminder").count()
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.scan(now=at(2023, 7, 3))
    assert set(Reminder.objects.filter(stage="overdue").values_list("assignment__role", flat=True)) == {"lead"}
    assert Notification.objects.filter(user=world.supervisor, kind="reminder", message__contains="待督办审核").exists()
    assert Notification.objects.filter(user=world.lead_handler, kind="reminder").count() == unit_told
    supervision.reply_approve(reply=reply, by=world.supervisor, at=at(2023, 7, 4))
    assert not owes(lead)
    with pytest.raises(WorkflowError):
        deadlines.remind_manually(assignment=lead, by=world.staff)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_send_each_reminder_once(world):
    assigned(world)
    errors = []

    def run():
        try:
            deadlines.scan(now=at(2023, 6, 5))
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Reminder.objects.count() == 3


def test_manual_reminder_by_staff_but_not_by_a_member(world, django_capture_on_commit_callbacks):
    proposal = assigned(world)
    lead = proposal.assignments.get(role="lead")
    with pytest.raises(WorkflowError):
        deadlines.remind_manually(assignment=lead, by=world.member)
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.remind_manually(assignment=lead, by=world.staff, note="请加快办理")
        deadlines.remind_manually(assignment=lead, by=world.supervisor)
    assert Notification.objects.filter(user=world.lead_handler, kind="reminder").count() == 2


def test_b_class_follow_up_a_year_later(world):
    proposal = assigned(world)
    for assignment in proposal.assignments.all():
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name))
    lead = proposal.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="正在推进。", outcome="B",
                                contact_name="贺威", contact_phone="0839-8620000",
                                reply_date=datetime.date(2023, 10, 11))
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    reply = handling.reply_cosign(reply=reply, by=world.assisting_handler).reply
    supervision.reply_approve(reply=reply, by=world.supervisor)
    assert deadlines.create_due_follow_ups(datetime.date(2024, 10, 10)) == 0
    assert deadlines.create_due_follow_ups(datetime.date(2024, 10, 11)) == 1
    assert deadlines.create_due_follow_ups(datetime.date(2024, 10, 12)) == 0
    follow_up = FollowUp.objects.get(reply__pk=reply.pk)
    with pytest.raises(WorkflowError):
        deadlines.follow_up_report(follow_up=follow_up, by=world.assisting_handler, report="已完成")
    deadlines.follow_up_report(follow_up=follow_up, by=world.lead_handler, report="已建成12个工作站")
    follow_up.refresh_from_db()
    assert follow_up.report == "已建成12个工作站"
    events = Event.objects.count()
    with pytest.raises(WorkflowError, match="已报送"):  # sent twice (a double click): the first stays
        deadlines.follow_up_report(follow_up=follow_up, by=world.lead_handler, report="另一份")
    follow_up.refresh_from_db()
    assert follow_up.report == "已建成12个工作站" and Event.objects.count() == events


def test_a_b_class_reply_answered_again_after_rehandling_gets_no_follow_up(world):
    """The follow-up (回头看) asks what became of a B-class reply; one superseded by the unit's second reply after
    rehandling (here A) is not what the unit answers for any more."""
    from tian.handling.models import Reply

    proposal = assigned(world)
    for assignment in proposal.assignments.all():
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name))
    lead = proposal.assignments.get(role="lead")

    def released(body, outcome, day):
        reply = handling.reply_save(assignment=lead, by=world.lead_handler, body=body, outcome=outcome,
                                    contact_name="贺威", contact_phone="0839-8620000", reply_date=day)
        reply = handling.reply_submit(reply=reply, by=world.lead_handler)
        reply = handling.reply_cosign(reply=reply, by=world.assisting_handler).reply
        return supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)

    first = released("正在推进。", "B", datetime.date(2023, 10, 11))
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=proposal.pk), by=world.member, result="dissatisfied")
    assert Proposal.objects.get(pk=proposal.pk).state == "rehandling"
    released("已全部解决。", "A", datetime.date(2023, 12, 1))
    assert Reply.objects.filter(assignment=lead, status="released").count() == 2
    assert deadlines.create_due_follow_ups(datetime.date(2024, 12, 31)) == 0
    assert not FollowUp.objects.filter(reply__pk=first.pk).exists()


def test_supervision_activities_only_by_the_key_proposals_own_officials(world):
    proposal = assigned(world, key=True)
    with pytest.raises(WorkflowError, match="请检查年份"):  # a date that cannot be one (1900 for 2023)
        deadlines.supervision_activity_record(proposal=proposal, by=world.official, kind="inspection",
                                              held_on=datetime.date(1900, 5, 1), participants="杨金军", notes="视察")
    with pytest.raises(WorkflowError):
        deadlines.supervision_activity_record(proposal=proposal, by=world.member, kind="inspection",
                                              held_on=datetime.date(2023, 5, 1), participants="杨金军", notes="视察")
    deadlines.supervision_activity_record(proposal=proposal, by=world.official, kind="inspection",
                                          held_on=datetime.date(2023, 5, 1), participants="杨金军等", notes="现场视察")
    assert proposal.supervision_activities.count() == 1


def test_staff_filter_overdue_proposals_and_remind_from_the_page(world, client_for):
    from django.urls import reverse

    proposal = assigned(world)  # its reply deadline 2023-06-16 is long past
    staff = client_for(world.staff)
    page = staff.get(reverse("proposals:list") + "?deadline=overdue").content.decode()
    assert proposal.title in page
    assert proposal.title not in staff.get(reverse("proposals:list") + "?deadline=due_soon").content.decode()
    detail = staff.get(proposal.get_absolute_url()).content.decode()
    assert "已逾期" in detail
    lead = proposal.assignments.get(role="lead")
    staff.post(reverse("proposals:remind", args=[lead.pk]), {"note": "请尽快答复"})
    assert Reminder.objects.filter(assignment=lead, stage="manual").exists()
    client_for(world.member).post(reverse("proposals:remind", args=[lead.pk]))
    assert Reminder.objects.filter(assignment=lead, stage="manual").count() == 1


def test_staff_decide_an_extension_on_the_proposal_page(world, client_for):
    from django.urls import reverse

    proposal = assigned(world)
    lead = proposal.assignments.get(role="lead")
    request = deadlines.extension_request(assignment=lead, by=world.lead_handler,
                                          requested_deadline=datetime.date(2023, 8, 16), reason="需协调资金",
                                          at=at(2023, 5, 1))
    staff = client_for(world.staff)
    assert "需协调资金" in staff.get(proposal.get_absolute_url()).content.decode()
    staff.post(reverse("proposals:extension_decide", args=[request.pk]), {"decision": "refuse", "note": ""})
    request.refresh_from_db()
    assert request.status == "pending"  # a refusal needs a reason
    staff.post(reverse("proposals:extension_decide", args=[request.pk]), {"decision": "approve"})
    lead.refresh_from_db()
    assert lead.deadline == datetime.date(2023, 8, 16)


def test_lists_show_the_deadline_status_as_text(world, client_for):
    from django.urls import reverse

    proposal = assigned(world)
    page = client_for(world.staff).get(reverse("proposals:list")).content.decode()
    assert proposal.title in page and "已逾期" in page and "逾期" in page


def test_key_proposals_page_shows_only_the_officials_own(world, client_for):
    from django.urls import reverse

    from tian.accounts import services as accounts
    from tian.accounts.roles import Role
    from tian.organisations.models import LeadOfficial

    mine = assigned(world, key=True)
    other_official = LeadOfficial.objects.create(committee=world.committee, name="王副区长")
    other_user = accounts.user_create(username="王副区长", full_name="王副区长", password=None,
                                      roles=[Role.LEAD_OFFICIAL], lead_official=other_official)
    assert mine.title in client_for(world.official).get(reverse("supervision:key_proposals")).content.decode()
    assert mine.title not in client_for(other_user).get(reverse("supervision:key_proposals")).content.decode()


def cosigned_reply(world):
    """A proposal whose lead unit's reply (of 2023-06-01) the assisting unit has co-signed: it waits for supervision."""
    proposal = assigned(world)
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name), at=at(3, 17))
    handling.opinion_send(assignment=proposal.assignments.get(role="assisting"), by=world.assisting_handler,
                          body="同意", at=at(4, 1))
    reply = handling.reply_save(assignment=proposal.assignments.get(role="lead"), by=world.lead_handler, body="答复",
                                outcome="A", contact_name="贺威", contact_phone="0839-1",
                                reply_date=datetime.date(2023, 6, 1), at=at(6, 1))
    reply = handling.reply_submit(reply=reply, by=world.lead_handler, at=at(6, 1))
    reply = handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(6, 2)).reply
    return proposal, reply


def test_no_evaluation_within_the_window_counts_as_no_opinion(world, client_for):
    from tian.handling.models import Reply

    proposal, reply = cosigned_reply(world)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor, at=at(6, 5))
    page = client_for(world.staff).get(proposal.get_absolute_url()).content.decode()
    assert "未表态" in page and "委员未评价" not in page  # 15 working days after 2023-06-05 passed long ago
    queue = client_for(world.staff).get("/proposals/review/").content.decode()
    # Disclosure was due 20 working days after the reply: said as the office's date, never as late handling.
    assert proposal.title in queue and "应于 2023-07-04 前公开，已过" in queue and "办理已完成" in queue


def test_a_committee_can_count_the_reply_deadline_in_working_days(world):
    world.committee.reply_working_days = 60
    world.committee.save()
    proposal = assigned(world)
    lead = proposal.assignments.get(role="lead")
    assert lead.deadline == add_working_days(datetime.date(2023, 3, 16), 60)
    # still a month: 2023-04-16 is a Sunday, so the first working day after it
    assert proposal.assignments.get(role="assisting").deadline == datetime.date(2023, 4, 17)


def test_the_portal_and_the_proposal_page_say_the_same_of_satisfaction_and_review(world, client_for):
    """One sentence each for the satisfaction (deadlines.services.satisfaction) and the supervision review
    (supervision.selectors.review_text), in the reader's language: the portal said "not evaluated yet" of a
    proposal whose evaluation window had closed, and the proposal page wrote its words in Chinese whatever the
    language."""
    from django.test import Client
    from django.urls import reverse

    from tian.handling.models import Reply

    proposal, reply = cosigned_reply(world)
    staff = client_for(world.staff)
    page = staff.get(proposal.get_absolute_url()).content.decode()
    assert "督办未审核" in page
    api = staff.get(f"/api/v1/proposals/{proposal.pk}").json()
    assert api["replies"][0]["supervision_review"] == "督办未审核" and api["satisfaction"] == ""
    staff.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Not yet reviewed by supervision" in staff.get(proposal.get_absolute_url()).content.decode()
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor, at=at(6, 5))
    proposal = services.proposal_close(proposal=Proposal.objects.get(pk=proposal.pk), by=world.staff, at=at(7, 1))
    services.proposal_disclose(proposal=proposal, by=world.staff, at=at(7, 2))
    english = staff.get(proposal.get_absolute_url()).content.decode()
    assert "No opinion" in english and "Review passed" in english and "未表态" not in english
    public = Client().get(reverse("portal:detail", args=[proposal.pk])).content.decode()
    assert "未表态" in public and "委员未评价" not in public and "已通过" in public
    public_api = Client().get(f"/api/v1/public/proposals/{proposal.pk}").json()
    assert public_api["satisfaction"] == "未表态" and public_api["evaluation_open_until"] is None
    assert public_api["replies"][0]["supervision_review"] == "已通过"
    export = Client().get(reverse("portal:export", args=[proposal.session_id, "json"]))
    content = b"".join(export.streaming_content) if export.streaming else export.content
    assert "未表态" in content.decode("utf-8-sig")  # the open data too


def test_the_api_gives_the_deadline_a_unit_works_to_as_its_pages_do(world, client_for):
    """An assisting unit owing its co-signature works to the reply's deadline (deadlines.status.unit_due): the
    API's assignment says so in ``due``, and the inbox's co-sign task carries that date (it carried none)."""
    proposal = assigned(world)
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name), at=at(3, 17))
    assisting = proposal.assignments.get(role="assisting")
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意", at=at(4, 1))
    lead = proposal.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复", outcome="A",
                                contact_name="贺威", contact_phone="0839-1", reply_date=datetime.date(2023, 6, 1),
                                at=at(6, 1))
    handling.reply_submit(reply=reply, by=world.lead_handler, at=at(6, 1))
    unit = client_for(world.assisting_handler)
    answer = unit.get(f"/api/v1/assignments/{assisting.pk}").json()
    assert answer["deadline"] == str(assisting.deadline)
    assert answer["due"] == {"day": str(lead.deadline), "task": "cosign", "done": False}
    [task] = [t for t in unit.get("/api/v1/inbox").json() if t["kind"] == "cosign"]
    assert task["deadline"] == str(lead.deadline)
    lead_answer = client_for(world.lead_handler).get(f"/api/v1/assignments/{lead.pk}").json()
    assert lead_answer["due"] == {"day": str(lead.deadline), "task": "reply", "done": False}


def test_due_soon_means_the_same_in_the_badge_and_the_filter(world):
    """The badge counts the working days left (deadline_status); the lists' filter asks the database for the
    deadlines before due_soon_before. A deadline on the Saturday after the fifth working day is due soon by both
    (the filter once missed it, and with it every deadline falling in a holiday week)."""
    from tian.deadlines.filters import deadline_filter
    from tian.deadlines.status import DUE_SOON, due_soon_before

    today = datetime.date(2025, 9, 24)  # a Wednesday before the National Day week
    for offset in range(0, 30):
        deadline = today + datetime.timedelta(days=offset)
        badge = deadline_status(deadline, today, due_soon_days=5).level == DUE_SOON
        assert badge == (deadline < due_soon_before(today, 5)), deadline
    proposal = assigned(world)
    saturday = datetime.date(2025, 3, 15)
    proposal.assignments.filter(role="lead").update(deadline=saturday)
    friday = datetime.date(2025, 3, 7)
    assert deadline_status(saturday, friday, due_soon_days=world.committee.due_soon_days).level == DUE_SOON
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=friday):
        assert proposal.pk in set(deadline_filter(world.committee, "due_soon").values_list("proposal_id", flat=True))
