"""Proposers hear of each unit's reply as it is released when units handle a proposal separately (分办)."""

import datetime

from django.urls import reverse

from tests.test_notified_review import _recording_sms, _registered  # noqa: F401 - the fixture records SMS
from tian.handling import services as handling
from tian.notifications.models import Notification

BODY = "经研究,现答复如下:" + "我局高度重视,已将该建议纳入年度工作计划,逐项落实。" * 4


def _reply(assignment, handler):
    handling.assignment_sign_for(assignment=assignment, by=handler)
    reply = handling.reply_save(assignment=assignment, by=handler, body=BODY, outcome="B", contact_name="经办人",
                                contact_phone="0839-8620000")
    return handling.reply_submit(reply=reply, by=handler)


def test_each_separate_units_reply_is_announced_and_the_last_asks_for_the_rating(world,
                                                                                 django_capture_on_commit_callbacks):
    """The member hears when 区民政局's reply is out, though 区财政局 is still writing; the second release completes the
    round and asks for the rating once, without a second "released" message."""
    with django_capture_on_commit_callbacks(execute=True):
        p = handling.proposal_assign(proposal=_registered(world), by=world.staff,
                                     separate_units=[world.units["区民政局"], world.units["区财政局"]],
                                     assigned_on=datetime.date.today())
    with django_capture_on_commit_callbacks(execute=True):
        _reply(p.assignments.get(unit__name="区民政局"), world.lead_handler)
    first = Notification.objects.filter(user=world.member, message__contains="答复已发布")
    assert first.count() == 1 and "区民政局" in first.get().message
    assert not Notification.objects.filter(user=world.member, message__contains="请对办理结果进行评价。").exclude(
        pk=first.get().pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _reply(p.assignments.get(unit__name="区财政局"), world.other_handler)
    p.refresh_from_db()
    assert p.state == "replied"
    assert Notification.objects.filter(user=world.member, message__contains="答复已发布").count() == 1
    assert Notification.objects.filter(user=world.member, message__contains="已答复,请对办理结果进行评价").count() == 1


def test_a_single_units_reply_tells_the_proposer_once(world, django_capture_on_commit_callbacks):
    """One replying unit: its release completes the round, so the member is asked to rate and not told twice."""
    with django_capture_on_commit_callbacks(execute=True):
        p = handling.proposal_assign(proposal=_registered(world), by=world.staff, lead_units=[world.units["区民政局"]],
                                     assigned_on=datetime.date.today())
    with django_capture_on_commit_callbacks(execute=True):
        _reply(p.assignments.get(role="lead"), world.lead_handler)
    assert not Notification.objects.filter(user=world.member, message__contains="答复已发布").exists()
    assert Notification.objects.filter(user=world.member, message__contains="已答复,请对办理结果进行评价").count() == 1


def test_the_lead_unit_hears_when_the_last_cosignature_releases_its_reply(world, django_capture_on_commit_callbacks):
    """No office supervises the proposal: 区民政局 submits its reply, 区教科局 co-signs it, and the co-signature sends it
    out. 区民政局 took no step of its own then and is told (as a supervising office's approval tells it); a reply it
    releases itself (no unit to co-sign) tells it nothing more."""
    with django_capture_on_commit_callbacks(execute=True):
        p = handling.proposal_assign(proposal=_registered(world), by=world.staff, lead_units=[world.units["区民政局"]],
                                     assisting_units=[world.units["区教科局"]], assigned_on=datetime.date.today())
    assert not p.supervising_offices.exists()
    handling.assignment_sign_for(assignment=p.assignments.get(role="assisting"), by=world.assisting_handler)
    with django_capture_on_commit_callbacks(execute=True):
        reply = _reply(p.assignments.get(role="lead"), world.lead_handler)
    assert not Notification.objects.filter(user=world.lead_handler, message__contains="会签完毕并发布").exists()
    with django_capture_on_commit_callbacks(execute=True):
        handling.reply_cosign(reply=reply, by=world.assisting_handler)
    p.refresh_from_db()
    assert p.state == "replied"
    told = Notification.objects.filter(user=world.lead_handler, message__contains="会签完毕并发布")
    assert told.count() == 1 and told.get().url == reverse("handling:work", args=[p.pk])
    assert not Notification.objects.filter(user=world.assisting_handler, message__contains="会签完毕并发布").exists()


def test_a_reply_the_lead_unit_releases_itself_tells_it_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p = handling.proposal_assign(proposal=_registered(world), by=world.staff, lead_units=[world.units["区民政局"]],
                                     assigned_on=datetime.date.today())
    with django_capture_on_commit_callbacks(execute=True):
        _reply(p.assignments.get(role="lead"), world.lead_handler)
    assert not Notification.objects.filter(user=world.lead_handler, message__contains="发布").exists()
