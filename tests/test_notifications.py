"""Notifications follow events after commit; mail and SMS are retried until they go through."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tian.handling import services as handling
from tian.notifications import services as notifications
from tian.notifications.models import Delivery, Notification
from tian.proposals import services
from tian.proposals.models import Event, TopicCategory

sms_outbox = []


class RecordingSMS:
    def send(self, phone, text):
        sms_outbox.append((phone, text))


class BrokenSMS:
    def send(self, phone, text):
        raise ConnectionError("gateway unreachable")


def _draft(world):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    return services.proposal_create_draft(by=world.member, committee=world.committee,
                                          lead_member=world.member.member, title="关于发展普惠托育服务的建议",
                                          body="建议如下。", category=category)


@pytest.fixture(autouse=True)
def _recording_sms(settings):
    settings.SMS_BACKEND = "tests.test_notifications.RecordingSMS"
    sms_outbox.clear()


def test_an_invitation_reaches_the_invitee_after_commit(world, client_for, django_capture_on_commit_callbacks):
    proposal = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=proposal, by=world.member, members=[world.cosigner.member])
    notification = Notification.objects.get(user=world.cosigner)
    assert "邀请您联名" in notification.message and notification.url == proposal.get_absolute_url()
    assert sms_outbox == [("13700000002", notification.message)] or world.cosigner.phone == ""
    page = client_for(world.cosigner).get(reverse("dashboard:home_member")).content.decode()
    assert 'class="bell__count">1<' in page


def test_nothing_is_sent_for_a_rolled_back_change(world, django_capture_on_commit_callbacks):
    proposal = _draft(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Exception):  # noqa: B017 - any failure inside the transaction
            services.cosign_invite(proposal=proposal, by=world.member, members=[world.member.member])
    assert callbacks == [] and not Notification.objects.exists()


def test_registration_and_assignment_notify_proposers_and_units(world, django_capture_on_commit_callbacks):
    proposal = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_submit(proposal=proposal, by=world.member)
        proposal = services.proposal_register(proposal=proposal, by=world.staff)
        handling.proposal_assign(proposal=proposal, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assisting_units=[world.units["区教科局"]], assigned_on=timezone.localdate())
    assert Notification.objects.filter(user=world.staff, kind="proposal.submitted").exists()
    assert Notification.objects.filter(user=world.member, kind="proposal.registered").exists()
    assert Notification.objects.filter(user=world.lead_handler, kind="proposal.assigned").exists()
    assert Notification.objects.filter(user=world.assisting_handler, kind="proposal.assigned").exists()
    assert not Notification.objects.filter(user=world.other_handler).exists()


def test_dispatching_an_event_twice_notifies_once(world, django_capture_on_commit_callbacks):
    proposal = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=proposal, by=world.member)
    event = Event.objects.get(proposal=proposal, action="proposal.submitted")
    assert notifications.dispatch_event(event.pk) == 0
    assert Notification.objects.filter(user=world.staff).count() == 1


def test_a_failing_gateway_keeps_the_message_and_retries(world, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.test_notifications.BrokenSMS"
    proposal = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=proposal, by=world.member, members=[world.cosigner.member])
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "gateway unreachable" in delivery.last_error
    assert Notification.objects.filter(user=world.cosigner).exists()  # the in-app message is there anyway
    settings.SMS_BACKEND = "tests.test_notifications.RecordingSMS"
    assert notifications.retry_due_deliveries(now=timezone.now()) == 0  # not due yet
    assert notifications.retry_due_deliveries(now=timezone.now() + datetime.timedelta(hours=1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2


def test_staff_see_delivery_status_and_members_do_not(world, client_for, settings,
                                                       django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.test_notifications.BrokenSMS"
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=_draft(world), by=world.member, members=[world.cosigner.member])
    page = client_for(world.staff).get(reverse("notifications:deliveries")).content.decode()
    assert "gateway unreachable" in page
    assert client_for(world.member).get(reverse("notifications:deliveries")).status_code == 403


def test_opening_marks_read_and_only_for_the_owner(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=_draft(world), by=world.member, members=[world.cosigner.member])
    notification = Notification.objects.get(user=world.cosigner)
    assert client_for(world.stranger).post(reverse("notifications:open", args=[notification.pk])).status_code == 404
    response = client_for(world.cosigner).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


@override_settings(NOTIFY_BY_SMS=False)
def test_sms_can_be_switched_off(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=_draft(world), by=world.member, members=[world.cosigner.member])
    assert not Delivery.objects.filter(channel="sms").exists()


def test_a_co_signer_hears_that_the_proposal_was_not_registered_or_merged(world, django_capture_on_commit_callbacks):
    """Registration tells every proposer; so do 不予立案 and 并案 (they told the lead proposer alone)."""
    from tian.proposals.models import DeclineGround, Proposal

    declined, merged = _draft(world), _draft(world)
    target = services.proposal_submit(proposal=_draft(world), by=world.member)
    for p in (declined, merged):
        [invitation] = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
        services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True)
        services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decline(proposal=Proposal.objects.get(pk=declined.pk), by=world.staff,
                                  ground=DeclineGround.objects.filter(committee=world.committee).first(),
                                  forward="opinion")
        services.proposal_merge(proposal=Proposal.objects.get(pk=merged.pk), into=target, by=world.staff)
    kinds = set(Notification.objects.filter(user=world.cosigner).values_list("kind", flat=True))
    assert {"proposal.declined", "proposal.merged"} <= kinds
    assert set(Notification.objects.filter(user=world.member).values_list("kind", flat=True)) >= kinds
