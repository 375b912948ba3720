"""A unit clerk's day (承办单位) walked through the web pages, as the templates' forms post them: each test shows a
defect found on the way (since mended) and failed on the code it was written against. 区民政局 leads, 区教科局 assists,
区政府办公室 supervises (the standing people of ``tests/conftest.py``)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.test_handling_pages import REPLY, assigned_proposal, signed, submitted_reply, text
from tian.core.calendar import add_months, is_workday
from tian.deadlines import services as deadlines
from tian.deadlines.models import ExtensionRequest
from tian.handling import services as handling
from tian.handling.models import Assignment, ContactRecord, ReassignmentRequest, Reply, ReplyCoSignature
from tian.proposals import services as proposals
from tian.proposals.models import Event, TopicCategory
from tian.supervision import services as supervision

TODAY = timezone.localdate()


def _actions(proposal) -> list[str]:
    return list(Event.objects.filter(proposal=proposal).values_list("action", flat=True))


def _assigned_on(world, day: datetime.date, title="关于完善社区养老服务的建议"):
    """A proposal of 刘安泽 assigned on ``day`` (区民政局 leads, 区教科局 assists), everything done on that day."""
    moment = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC)
    return assigned_proposal(world, title, at=moment)


# --- 退办: reassignment --------------------------------------------------------------------------------------


def test_after_the_reassignment_window_the_work_page_says_why_it_is_no_longer_offered(world, client_for):
    """domain.md "Reassignment": a unit "asks within a window (e.g. 7 working days)". Once the window has ended the
    work page silently drops the whole 退办 section: the clerk who finds the proposal is not the unit's business has
    no button and no word of why (only a crafted POST gets "申请退办的期限已于…截止")."""
    old = _assigned_on(world, datetime.date(2023, 3, 1))
    lead = old.assignments.get(role="lead")
    page = text(client_for(world.lead_handler).get(reverse("handling:work", args=[old.pk])))
    assert "退办" in page and lead.reassignment_deadline.isoformat() in page


def test_a_refused_reassignment_request_shows_the_unit_the_decision_and_its_reason(world, client_for):
    """domain.md "Reassignment": "staff approve and re-route, or refuse". The unit's work page lists its extension
    requests with the office's decision and note, but nothing of its reassignment request: once refused, the page
    looks as if it was never sent (and offers to send it again), and the office's reason is shown nowhere to the
    unit (the timeline hides it as internal, the notification leaves it out), though docs/decisions.md says the
    requesting unit "reads them ... on its own page"."""
    p = signed(world, assigned_proposal(world))
    lead = p.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    client.post(reverse("handling:reassign", args=[lead.pk]), {"reason": "不属于本单位职责", "suggested_unit": "区财政局"})
    request = ReassignmentRequest.objects.get(assignment=lead)
    handling.reassignment_refuse(request=request, by=world.staff, note="该事项属民政职责范围,请继续办理")
    page = text(client.get(reverse("handling:work", args=[p.pk])))
    assert "该事项属民政职责范围,请继续办理" in page


# --- 办前沟通: contact with the proposer ------------------------------------------------------------------------


def test_a_contact_dated_before_the_assignment_is_refused(world, client_for):
    """domain.md "Handling": the unit signs for the proposal, then "contacts the proposer before replying". A contact
    dated before the proposal was assigned to the unit cannot be one of its handling, yet it is recorded (only the
    future and years before 2000 are refused), and counts for 面商率."""
    p = signed(world, assigned_proposal(world))
    lead = p.assignments.get(role="lead")
    before = (p.assigned_on - datetime.timedelta(days=40)).isoformat()
    response = client_for(world.lead_handler).post(reverse("handling:contact", args=[lead.pk]), {
        "method": "visit", "contacted_on": before, "summary": "走访了提案人"}, follow=True)
    assert not ContactRecord.objects.exists()
    assert "contact.recorded" not in _actions(p)
    assert "走访了提案人" in text(response)  # the form comes back as typed


# --- 答复: the reply letter ------------------------------------------------------------------------------------


def test_a_reply_dated_before_the_assignment_is_refused(world, client_for):
    """domain.md "Handling": the letter carries its date. A reply dated months before the proposal was even
    assigned is submitted, printed as the letter's date (and a B-class one would get its 回头看 a year after that
    date, too early)."""
    p = signed(world, assigned_proposal(world))
    lead = p.assignments.get(role="lead")
    before = (p.assigned_on - datetime.timedelta(days=200)).isoformat()
    client_for(world.lead_handler).post(reverse("handling:reply", args=[lead.pk]), {
        **REPLY, "reply_date": before, "submit": "1"}, follow=True)
    assert not Reply.objects.filter(status__in=Reply.SUBMITTED).exists()
    assert "reply.submitted" not in _actions(p)


def test_a_reply_contact_phone_that_is_no_phone_number_is_refused(world, client_for):
    """domain.md "Handling": the letter ends with the "contact person and phone" ((联系人:贺威 联系电话:13795952836)
    on the seed page). Anything typed into 联系电话 is accepted and printed in the official letter, here words
    without a digit, while every other phone the system keeps is checked (``accounts.models.phone_validator``)."""
    p = signed(world, assigned_proposal(world))
    lead = p.assignments.get(role="lead")
    client_for(world.lead_handler).post(reverse("handling:reply", args=[lead.pk]), {
        **REPLY, "contact_phone": "请联系办公室", "submit": "1"}, follow=True)
    assert not Reply.objects.filter(status__in=Reply.SUBMITTED).exists()
    assert "reply.submitted" not in _actions(p)


# --- 会签: co-signing -------------------------------------------------------------------------------------------


def test_an_assisting_unit_that_has_not_signed_for_the_proposal_cannot_co_sign(world, client_for):
    """domain.md "Handling": handling starts with the unit signing for it (签收); the assignment's lifecycle refuses an
    opinion or a contact before that ("请先签收"), but co-signing the lead unit's reply is taken from a unit that never
    signed for the proposal. Its assignment then stays 待签收 in its inbox next to a reply it has already signed."""
    p = assigned_proposal(world)
    handling.assignment_sign_for(assignment=p.assignments.get(role="lead"), by=world.lead_handler)
    submitted_reply(world, p)
    signature = ReplyCoSignature.objects.get()
    client_for(world.assisting_handler).post(reverse("handling:cosign", args=[signature.pk]), follow=True)
    signature.refresh_from_db()
    assert p.assignments.get(role="assisting").status == Assignment.Status.ASSIGNED
    assert signature.signed_at is None
    assert "reply.cosigned" not in _actions(p)


# --- 延期申请: extensions ---------------------------------------------------------------------------------------


def test_an_extension_ending_in_the_past_is_refused(world, client_for):
    """domain.md "Deadlines": "at most 6 months with an approved extension". A unit long late (deadline 2023-06-01)
    asks for a new deadline later than its old one but years past (2023-08-01): the request is taken (only "later than the current
    deadline" and the cap are checked), and once approved the late reply counts as on time (按时办复率 counts
    extensions)."""
    p = signed(world, _assigned_on(world, datetime.date(2023, 3, 1)))
    lead = p.assignments.get(role="lead")
    assert lead.deadline == datetime.date(2023, 6, 1)  # long overdue; the cap is 2023-09-01
    past = datetime.date(2023, 8, 1)
    client_for(world.lead_handler).post(reverse("handling:extension", args=[lead.pk]), {
        "requested_deadline": past.isoformat(), "reason": "需要进一步调研"}, follow=True)
    assert not ExtensionRequest.objects.exists()
    assert "extension.requested" not in _actions(p)


def test_no_extension_is_offered_or_taken_for_a_reply_already_released(world, client_for):
    """domain.md "Deadlines": an extension (延期申请) is for replying later. A separate unit whose reply is released
    (its deadline reads 已完成) while the other unit still works is still offered 申请延期, and the request is sent to
    the office; approved, it would move the deadline of finished work after the fact."""
    p = signed(world, assigned_proposal(world, separate=["区民政局", "区司法局"]))
    mine = p.assignments.get(unit=world.units["区民政局"])
    reply = handling.reply_save(assignment=mine, by=world.lead_handler, **{**REPLY, "reply_date": TODAY})
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    supervision.reply_approve(reply=reply, by=world.supervisor)
    assert Reply.objects.get(pk=reply.pk).is_released
    client = client_for(world.lead_handler)
    html = client.get(reverse("handling:work", args=[p.pk])).content.decode()
    url = reverse("handling:extension", args=[mine.pk])
    client.post(url, {"requested_deadline": add_months(TODAY, 4).isoformat(), "reason": "再议"}, follow=True)
    assert url not in html
    assert not ExtensionRequest.objects.exists()


# --- deadlines on the working calendar -------------------------------------------------------------------------


def test_a_reply_deadline_falling_on_a_public_holiday_moves_to_the_next_working_day(world, client_for):
    """domain.md "Deadlines (committee settings, on the Chinese working calendar)". Three calendar months from
    2023-07-03 end on 2023-10-03, in the National Day holiday (9-29 to 10-6); the unit's deadline is set and shown as
    that day off, so the week the office is closed is taken from the unit. A period whose last day is a statutory
    holiday ends on the first working day after it (民法典 第二百零三条)."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    moment = datetime.datetime(2023, 7, 3, 10, tzinfo=datetime.UTC)
    p = proposals.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                        title="关于加强校园周边交通安全的建议", body="建议。", category=category,
                                        at=moment)
    p = proposals.proposal_submit(proposal=p, by=world.member, at=moment)
    p = proposals.proposal_register(proposal=p, by=world.staff, at=moment)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assisting_units=[world.units["区教科局"]], assigned_on=datetime.date(2023, 7, 3),
                                 at=moment)
    lead = p.assignments.get(role="lead")
    page = text(client_for(world.lead_handler).get(reverse("handling:work", args=[p.pk])))
    assert lead.deadline.isoformat() in page
    assert is_workday(lead.deadline), lead.deadline


def test_an_extension_asked_while_the_reply_was_owed_may_still_be_granted_after_it_went_out(world):
    """An extension asked in time, while the reply was owed, and decided by the office only after the unit released
    its reply: the office's delay must not make the unit late, so it may still grant it, and the deadline moves.
    Asked after the reply went out, it is refused (``test_no_extension_is_offered_or_taken_for_a_reply_…``)."""
    day = TODAY - datetime.timedelta(days=80)
    moment = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC)
    p = signed(world, assigned_proposal(world, "关于事后延期的建议", at=moment, separate=["区民政局", "区司法局"]))
    mine = p.assignments.get(unit=world.units["区民政局"])  # the other separate unit still works: the proposal is handled
    asked = handling_extension(world, mine, add_months(mine.assigned_on, 5))
    reply = handling.reply_save(assignment=mine, by=world.lead_handler, **{**REPLY, "reply_date": TODAY})
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    assert Reply.objects.get(pk=reply.pk).is_released
    deadlines.extension_approve(extension=asked, by=world.staff)
    assert Assignment.objects.get(pk=mine.pk).deadline == asked.requested_deadline
    assert ExtensionRequest.objects.get(pk=asked.pk).status == ExtensionRequest.Status.APPROVED


def handling_extension(world, assignment, day):
    return deadlines.extension_request(assignment=assignment, by=world.lead_handler, requested_deadline=day,
                                       reason="需要进一步调研")
