"""Branches no other test walked: a calendar correction moving a rehandling deadline off a day off
(``deadlines.services.move_deadlines_off_days_off``), and the invitation rules' fallbacks for whom to tell and by what
name (``notifications.rules.cosign_invited``, ``invitation_withdrawn``)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tian.core.calendar import is_workday
from tian.core.calendar_days import calendar_days_set
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.notifications.models import Notification
from tian.notifications.services import dispatch_event
from tian.proposals import services
from tian.proposals.models import Event, Proposal, State, TopicCategory
from tian.supervision import services as supervision


def _draft(world, *, collective=False):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    if collective:
        return services.proposal_create_draft(by=world.collective, committee=world.committee,
                                              collective=world.collective_org, title="关于发展普惠托育服务的建议",
                                              body="建议如下。", category=category)
    return services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                          title="关于发展普惠托育服务的建议", body="建议如下。", category=category)


# --- A rehandling deadline the calendar now says is a day off -------------------------------------------------------


def _three_working_days_from(day: datetime.date) -> datetime.date:
    """The first Monday on or after ``day`` that starts three working days in a row, as the calendar says now."""
    day += datetime.timedelta(days=-day.weekday() % 7)
    while not all(is_workday(day + datetime.timedelta(days=i)) for i in range(3)):
        day += datetime.timedelta(days=7)
    return day


def _rehandling(world, assigned, deadline: datetime.date) -> Proposal:
    lead = assigned.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    handling.assignment_sign_for(assignment=assigned.assignments.get(role="assisting"), by=world.assisting_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="现答复如下。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=timezone.localdate())
    handling.reply_submit(reply=reply, by=world.lead_handler)
    handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    p = handling.proposal_rehandle(proposal=Proposal.objects.get(pk=assigned.pk), by=world.staff, deadline=deadline)
    assert p.state == State.REHANDLING and p.rehandling_deadline == deadline
    return p


def test_a_rehandling_deadline_the_calendar_makes_a_day_off_moves_to_the_next_working_day(world, assigned):
    """The office set a rehandling deadline on a Monday; it then enters that Monday and Tuesday as days off (a holiday
    entered late). The units' new deadline moves to Wednesday, and the history says so."""
    monday = _three_working_days_from(timezone.localdate() + datetime.timedelta(days=30))
    p = _rehandling(world, assigned, monday)
    calendar_days_set(days={monday: (False, "调休"), monday + datetime.timedelta(days=1): (False, "调休")},
                      by=world.staff, source="range")
    wednesday = monday + datetime.timedelta(days=2)
    assert Proposal.objects.get(pk=p.pk).rehandling_deadline == wednesday
    moved = Event.objects.get(proposal=p, action="deadline.moved")
    assert (moved.from_state, moved.actor) == (State.REHANDLING, world.staff)
    assert moved.data == {"deadline": wednesday.isoformat(), "previous": monday.isoformat()}


def test_a_rehandling_deadline_on_a_day_that_stays_a_working_day_is_not_moved(world, assigned):
    """The correction's range spans the deadline, but the deadline itself stays a working day: nothing moves and
    nothing is recorded."""
    monday = _three_working_days_from(timezone.localdate() + datetime.timedelta(days=30))
    tuesday = monday + datetime.timedelta(days=1)
    p = _rehandling(world, assigned, tuesday)
    calendar_days_set(days={monday: (False, "调休"), tuesday + datetime.timedelta(days=1): (False, "调休")},
                      by=world.staff, source="list")
    assert Proposal.objects.get(pk=p.pk).rehandling_deadline == tuesday
    assert not Event.objects.filter(proposal=p, action="deadline.moved").exists()


# --- The invitation rules -------------------------------------------------------------------------------------------


def test_an_invitation_event_written_by_names_alone_tells_those_still_invited(world):
    """A ``cosign.invited`` event written before events named the invitees by id (its task queued before, run after)
    names them by name: the rule tells those of them still invited, with until when, and not one who has already
    declined."""
    proposal = _draft(world)
    invitations = services.cosign_invite(proposal=proposal, by=world.member,
                                         members=[world.cosigner.member, world.stranger.member])
    services.cosign_respond(cosignature=invitations[1], by=world.stranger, accept=False)
    event = Event.objects.create(proposal=proposal, actor=world.member, action="cosign.invited",
                                 from_state=proposal.state, to_state=proposal.state,
                                 data={"members": [world.cosigner.member.name, world.stranger.member.name]})
    assert dispatch_event(event.pk) == 1
    [told] = Notification.objects.filter(event=event)
    expires = timezone.localtime(invitations[0].expires_at)
    assert told.user == world.cosigner
    assert f"于{expires.month}月{expires.day}日 {expires:%H:%M}前答复" in told.message
    assert told.url == proposal.get_absolute_url()


@pytest.mark.parametrize(("collective", "proposer"), [(False, "刘安泽"), (True, "民盟朝天区支部")])
def test_the_withdrawn_invitee_alone_is_told_by_the_proposers_name(world, django_capture_on_commit_callbacks,
                                                                   collective, proposer):
    """The message names who withdrew the invitation: the lead member, or for a collective proposal (no lead member)
    the organisation. It leaves the title out and links to the member's home; another invitee still invited hears
    nothing."""
    proposal = _draft(world, collective=collective)
    by = world.collective if collective else world.member
    withdrawn, _kept = services.cosign_invite(proposal=proposal, by=by,
                                              members=[world.cosigner.member, world.stranger.member])
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_withdraw_invitation(cosignature=withdrawn, by=by)
    [told] = Notification.objects.filter(kind="cosign.invitation_withdrawn")
    assert told.user == world.cosigner
    assert told.message == f"{proposer}已撤回对您的联名邀请,无需再答复。"
    assert told.url == reverse("dashboard:home_member")
