"""Who is told what (tian/notifications), as domain.md says: each test failed on the code before its mend."""

import datetime

import pytest
from django.utils import timezone, translation

from tests.test_notifications import sms_outbox
from tian.accounts.models import RoleGrant
from tian.accounts.roles import Role
from tian.deadlines import services as deadlines
from tian.disclosure.policy import disclosure_for
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.notifications import services as notifications
from tian.notifications.models import Delivery, Notification
from tian.proposals import services
from tian.proposals.models import Event, Proposal, TopicCategory
from tian.supervision import services as supervision


@pytest.fixture(autouse=True)
def _recording_sms(settings):
    settings.SMS_BACKEND = "tests.test_notifications.RecordingSMS"
    sms_outbox.clear()


def _draft(world):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    return services.proposal_create_draft(by=world.member, committee=world.committee,
                                          lead_member=world.member.member, title="关于发展普惠托育服务的建议",
                                          body="建议如下。", category=category)


def _signed(world, proposal):
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    return proposal.assignments.get(role="lead")


def _reply(world, proposal):
    lead = _signed(world, proposal)
    return handling.reply_save(assignment=lead, by=world.lead_handler, body="现答复如下。", outcome="A",
                               contact_name="贺威", contact_phone="0839-8620000", reply_date=timezone.localdate())


def test_staff_told_of_rehandling_can_open_the_link(world, assigned, client_for, django_capture_on_commit_callbacks):
    """domain.md, lifecycle: rehandling (重新办理) is started by the office; staff are told
    (rules.rehandling) — but the link they get is the unit's work page (handling:work, Perm.HANDLE),
    which answers 403 to the proposal office. A notification must lead to a page its reader can open."""
    reply = _reply(world, assigned)
    handling.reply_submit(reply=reply, by=world.lead_handler)
    handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        handling.proposal_rehandle(proposal=Proposal.objects.get(pk=assigned.pk), by=world.staff)
    notice = Notification.objects.get(user=world.staff, kind="proposal.rehandling")
    assert client_for(world.staff).get(notice.url).status_code == 200


def _reassignment_requested(world, proposal):
    assisting = proposal.assignments.get(role="assisting")
    return handling.reassignment_request(assignment=assisting, by=world.assisting_handler,
                                         reason="本单位职能不涉及此事项。")


def test_unit_taken_off_by_reassignment_gets_a_link_it_can_open(world, assigned, client_for,
                                                                 django_capture_on_commit_callbacks):
    """domain.md, Reassignment (退办): staff approve and re-route. The unit that asked is told of the
    decision, but its link is the work page of an assignment it no longer holds (404)."""
    request = _reassignment_requested(world, assigned)
    world.handler_for("区司法局")
    with django_capture_on_commit_callbacks(execute=True):
        handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"])
    notice = Notification.objects.get(user=world.assisting_handler, kind="reassignment.approved")
    assert client_for(world.assisting_handler).get(notice.url).status_code == 200


def test_reassignment_decision_note_is_not_told_to_the_unit_when_policy_hides_it(
        world, assigned, django_capture_on_commit_callbacks):
    """domain.md, Who sees what: 'Review notes of the office are internal (staff only)', applied to every
    output including notifications. The policy (INTERNAL_NOTES) hides the note of reassignment.refused from the
    unit, yet rules.reassignment_decided puts event.note into the unit's message (and its SMS)."""
    request = _reassignment_requested(world, assigned)
    with django_capture_on_commit_callbacks(execute=True):
        handling.reassignment_refuse(request=request, by=world.staff, note="内部意见:该局历年均承办此类提案")
    event = Event.objects.get(proposal=assigned, action="reassignment.refused")
    assert disclosure_for(world.assisting_handler, Proposal.objects.get(pk=assigned.pk)).note(event) == ""
    notice = Notification.objects.get(user=world.assisting_handler, kind="reassignment.refused")
    assert "内部意见" not in notice.message


def test_office_is_told_of_an_extension_request(world, assigned, django_capture_on_commit_callbacks):
    """domain.md, Deadlines: 'at most 6 months with an approved extension (延期申请)' — the office approves it,
    so the office must be told when a request is made (as for reassignment requests). No rule exists for
    extension.requested: nobody is told."""
    lead = _signed(world, assigned)
    lead.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.extension_request(assignment=lead, by=world.lead_handler,
                                    requested_deadline=lead.deadline + datetime.timedelta(days=20),
                                    reason="需协调多个部门。")
    assert Notification.objects.filter(user=world.staff, proposal=assigned).filter(
        kind__startswith="extension").exists()


def test_manual_reminder_is_in_chinese_whatever_the_sender_page_language(world, assigned,
                                                                        django_capture_on_commit_callbacks):
    """domain.md, Deadlines: overdue work is chased (催办); notifications leave by SMS and are in the
    committee's language (rules.py docstring). remind_manually builds the text with gettext in the sender's
    language, so an office clerk using the English UI sends the unit an English SMS."""
    lead = assigned.assignments.get(role="lead")
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        deadlines.remind_manually(assignment=lead, by=world.staff)
    notice = Notification.objects.get(user=world.lead_handler, kind="reminder")
    assert "Reminder" not in notice.message and "催办" in notice.message


def test_account_without_member_role_is_not_told_of_an_invitation(world, client_for,
                                                                  django_capture_on_commit_callbacks):
    """domain.md, roles / Who sees what: a draft is seen only by its author and those invited. An account whose
    member role was taken away (binding left behind) no longer acts as the member (User.acting_member_id), and
    cannot open the proposal — yet rules.cosign_invited matches on member binding alone and tells it the
    draft's title by SMS."""
    RoleGrant.objects.filter(user=world.cosigner, role=Role.MEMBER).delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=_draft(world), by=world.member, members=[world.cosigner.member])
    assert not Notification.objects.filter(user=world.cosigner).exists()


def test_office_is_told_once_that_a_reply_waits_for_review(world, assigned, django_capture_on_commit_callbacks):
    """domain.md, Supervision review: the supervising office is told a reply waits for review — once per
    event. Followers run later on the worker; rules.reply_progress reads the reply's *current* status, so when
    the assisting unit co-signs before the worker runs the submission's task, the office is told twice."""
    reply = _reply(world, assigned)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        handling.reply_submit(reply=reply, by=world.lead_handler)
        handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler)
    for callback in callbacks:  # the worker gets to both events after both commits
        callback()
    told = Notification.objects.filter(user=world.supervisor, message__contains="待督办审核")
    assert told.count() == 1


def test_no_sms_to_an_account_deactivated_before_the_retry(world, settings, django_capture_on_commit_callbacks):
    """domain.md, roles: an account that is deactivated (a member who left, a handler who moved on) is no longer
    told anything. A failed SMS is retried later without looking at the account: deliver() sends it anyway."""
    settings.SMS_BACKEND = "tests.test_notifications.BrokenSMS"
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=_draft(world), by=world.member, members=[world.cosigner.member])
    world.cosigner.is_active = False
    world.cosigner.save()
    settings.SMS_BACKEND = "tests.test_notifications.RecordingSMS"
    notifications.retry_due_deliveries(now=timezone.now() + datetime.timedelta(hours=1))
    assert sms_outbox == []
    assert not Delivery.objects.filter(status=Delivery.Status.SENT).exists()
