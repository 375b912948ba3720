"""Each role's page lists what they answer for (issue #22 point 6) and keeps their input (point 1): a lead official
sees every proposal they lead, key ones marked; a lead unit sees which assisting unit its reply waits for and
reminds it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tian.dashboard.home import lead_official_tiles
from tian.deadlines import services as deadlines
from tian.deadlines.models import Reminder
from tian.handling import services as handling
from tian.notifications.models import Notification
from tian.proposals import services
from tian.proposals.models import Event, TopicCategory
from tian.proposals.workflow import WorkflowError

TODAY = timezone.localdate()


def proposal(world, title, *, key=False, official=True):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=category)
    p = services.proposal_submit(proposal=p, by=world.member)
    p = services.proposal_register(proposal=p, by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assisting_units=[world.units["区教科局"]], is_key=key,
                                 lead_officials=[world.lead_official] if official else [],
                                 supervising_offices=[world.offices["区政府办公室"]])
    for a in p.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    return p


def test_a_lead_official_sees_every_proposal_they_lead_with_the_key_ones_marked(world, client_for):
    key = proposal(world, "关于完善社区养老服务的建议", key=True)
    plain = proposal(world, "关于建设口袋公园的建议")
    other = proposal(world, "关于整治占道经营的建议", official=False)
    page = client_for(world.official).get(reverse("supervision:key_proposals")).content.decode()
    assert "我牵头的提案" in page and key.title in page and plain.title in page and other.title not in page
    contents = page[page.index("<nav aria-label=\"目录\""):]
    contents = contents[:contents.index("</nav>")]
    key_line = contents[contents.index(key.title):].split("</li>")[0]
    plain_line = contents[contents.index(plain.title):].split("</li>")[0]
    assert "重点" in key_line and "重点" not in plain_line
    # Supervision activities stay for key proposals only (the workflow's rule).
    assert reverse("supervision:record_activity", args=[key.pk]) in page
    assert reverse("supervision:record_activity", args=[plain.pk]) not in page
    (tile,) = lead_official_tiles(world.official, world.committee)
    assert tile["count"] == 2 and tile["label"] == "我牵头的提案"


def test_a_supervising_office_still_sees_its_key_proposals_only(world, client_for):
    key = proposal(world, "关于完善社区养老服务的建议", key=True)
    plain = proposal(world, "关于建设口袋公园的建议")
    page = client_for(world.supervisor).get(reverse("supervision:key_proposals")).content.decode()
    assert key.title in page and plain.title not in page


def test_an_activity_with_errors_comes_back_as_typed(world, client_for):
    key = proposal(world, "关于完善社区养老服务的建议", key=True)
    response = client_for(world.official).post(reverse("supervision:record_activity", args=[key.pk]), {
        f"p{key.pk}-kind": "座谈", f"p{key.pk}-held_on": TODAY.isoformat(), f"p{key.pk}-participants": "",
        f"p{key.pk}-notes": "听取区民政局汇报"})
    page = response.content.decode()
    assert response.status_code == 200 and "听取区民政局汇报" in page
    field = page[page.index(f'for="id_p{key.pk}-participants"'):]
    assert "这个字段是必填项。" in field[:field.index("</div>")]
    assert not key.supervision_activities.exists()


def test_the_lead_unit_sees_which_assisting_unit_its_reply_waits_for(world, client_for):
    p = proposal(world, "关于完善社区养老服务的建议")
    client = client_for(world.lead_handler)
    page = client.get(reverse("handling:work", args=[p.pk])).content.decode()
    waiting = page[page.index('id="waiting"'):page.index("</section>", page.index('id="waiting"'))]
    assert "区教科局" in waiting and "协办意见" in waiting
    handling.opinion_send(assignment=p.assignments.get(role="assisting"), by=world.assisting_handler, body="同意。")
    lead = p.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8622541", reply_date=TODAY)
    handling.reply_submit(reply=reply, by=world.lead_handler)
    page = client.get(reverse("handling:work", args=[p.pk])).content.decode()
    waiting = page[page.index('id="waiting"'):page.index("</section>", page.index('id="waiting"'))]
    assert "区教科局" in waiting and "会签我单位的答复" in waiting
    assert reverse("handling:remind_assisting", args=[p.assignments.get(role="assisting").pk]) in waiting


def test_the_lead_unit_reminds_the_assisting_unit_once_a_day(world, client_for, django_capture_on_commit_callbacks):
    p = proposal(world, "关于完善社区养老服务的建议")
    assisting = p.assignments.get(role="assisting")
    client = client_for(world.lead_handler)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("handling:remind_assisting", args=[assisting.pk]), follow=True)
    assert "已向区教科局发送催办。" in response.content.decode()
    reminder = Reminder.objects.get(assignment=assisting)
    assert reminder.sent_by == world.lead_handler and reminder.deadline == assisting.deadline
    event = Event.objects.filter(proposal=p, action="reminder.sent").get()
    assert event.actor == world.lead_handler and event.data["unit"] == "区教科局"
    notice = Notification.objects.get(user=world.assisting_handler, kind="reminder")
    assert "区民政局提醒贵单位发送协办意见" in notice.message
    assert not Notification.objects.filter(user=world.lead_handler, kind="reminder").exists()
    # A second reminder the same day is refused and changes nothing.
    response = client.post(reverse("handling:remind_assisting", args=[assisting.pk]), follow=True)
    assert "今天已提醒过区教科局" in response.content.decode()
    assert Reminder.objects.filter(assignment=assisting).count() == 1


def test_nobody_else_may_remind_and_nothing_done_is_reminded(world):
    p = proposal(world, "关于完善社区养老服务的建议")
    assisting = p.assignments.get(role="assisting")
    for user in (world.assisting_handler, world.member, world.other_handler):
        with pytest.raises(WorkflowError) as refused:
            deadlines.assisting_remind(assignment=assisting, by=user)
        assert refused.value.code == "not_allowed"
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意。")
    with pytest.raises(WorkflowError) as refused:
        deadlines.assisting_remind(assignment=assisting, by=world.lead_handler)
    assert refused.value.code == "invalid_state"
    assert not Reminder.objects.exists()


def test_a_contact_with_errors_comes_back_as_typed_beside_its_field(world, client_for):
    p = proposal(world, "关于完善社区养老服务的建议")
    lead = p.assignments.get(role="lead")
    response = client_for(world.lead_handler).post(reverse("handling:contact", args=[lead.pk]), {
        "method": "phone", "contacted_on": "", "summary": "电话沟通了办理思路"})
    page = response.content.decode()
    assert response.status_code == 200 and "电话沟通了办理思路" in page
    field = page[page.index('for="id_contacted_on"'):]
    assert "这个字段是必填项。" in field[:field.index("</div>")]
    assert not lead.contacts.exists()


def test_the_reply_form_marks_the_contact_phone_required(world, client_for):
    p = proposal(world, "关于完善社区养老服务的建议")
    page = client_for(world.lead_handler).get(reverse("handling:work", args=[p.pk])).content.decode()
    field_start = page.rindex('<div class="field', 0, page.index('for="id_contact_phone"'))
    assert "required" in page[field_start:page.index('for="id_contact_phone"')]
