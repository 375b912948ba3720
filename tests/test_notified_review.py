"""Review: what each person is told, and how, across a proposal's life (tian/notifications, the reminders of
tian/deadlines). Each test but those marked "holds" failed on the code it was written against (since mended)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_notifications import sms_outbox
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.deadlines import services as deadlines
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.notifications import services as notifications
from tian.notifications.models import Delivery, Notification
from tian.organisations.models import Member
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory


@pytest.fixture(autouse=True)
def _recording_sms(settings):
    settings.SMS_BACKEND = "tests.test_notifications.RecordingSMS"
    sms_outbox.clear()


def _draft(world, title="关于发展普惠托育服务的建议"):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    return services.proposal_create_draft(by=world.member, committee=world.committee,
                                          lead_member=world.member.member, title=title, body="建议如下。",
                                          category=category)


def _registered(world):
    p = services.proposal_submit(proposal=_draft(world), by=world.member)
    return services.proposal_register(proposal=p, by=world.staff)


def _member_account(world, username, name, mobile):
    member = Member.objects.create(committee=world.committee, name=name, sector=world.sector, mobile=mobile)
    member.terms.add(world.term, world.current_term)
    user = account_services.user_create(username=username, full_name=name, password="correct-horse-battery-9",
                                        roles=[Role.MEMBER], member=member, phone=mobile, validate=False)
    return member, user


# --- defects -------------------------------------------------------------------------------------------------------


def test_proposer_is_told_when_another_unit_takes_over_the_reply(world, assigned,
                                                                 django_capture_on_commit_callbacks):
    """The member was told by SMS that 区民政局 handles the proposal and will contact them (rules.assigned names the
    units for 办前沟通). When the office re-routes it to 区司法局, only the units hear of it: the member still expects
    区民政局 and gets a call from a unit no message ever named."""
    lead = assigned.assignments.get(role="lead")
    request = handling.reassignment_request(assignment=lead, by=world.lead_handler, reason="本单位职能不涉及此事项。")
    world.handler_for("区司法局")
    with django_capture_on_commit_callbacks(execute=True):
        handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"])
    assert Notification.objects.filter(user=world.member, message__contains="区司法局").exists()
    assert any(phone == "13700000001" and "区司法局" in text for phone, text in sms_outbox)


def test_proposer_is_told_the_reply_deadline_an_extension_gave(world, assigned, django_capture_on_commit_callbacks):
    """At assignment the member read "答复期限<day>" (rules.assigned). The office then grants the lead unit an
    extension: only the unit is told the new day, so on the old day the member believes the unit is late and
    nothing in their messages says otherwise."""
    lead = assigned.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    lead.refresh_from_db()
    new_deadline = lead.deadline + datetime.timedelta(days=30)
    extension = deadlines.extension_request(assignment=lead, by=world.lead_handler, requested_deadline=new_deadline,
                                            reason="需协调多个部门。")
    with django_capture_on_commit_callbacks(execute=True):
        extension = deadlines.extension_approve(extension=extension, by=world.staff)
    granted = lead.__class__.objects.get(pk=lead.pk).deadline.isoformat()
    assert Notification.objects.filter(user=world.member, message__contains=granted).exists()


def test_a_member_is_invited_once_though_another_member_has_the_same_name(world, django_capture_on_commit_callbacks):
    """Two members named 张伟 (common names are common in a committee of 200). The lead invites the first, then the
    second: the first 张伟 gets the invitation SMS twice, because rules.cosign_invited finds the invitations to tell
    by the names in the event (member__name__in), not by who was invited by this event."""
    first, first_user = _member_account(world, "zhangwei1", "张伟", "13700000011")
    second, second_user = _member_account(world, "zhangwei2", "张伟", "13700000012")
    proposal = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=proposal, by=world.member, members=[first])
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_invite(proposal=Proposal.objects.get(pk=proposal.pk), by=world.member, members=[second])
    assert Notification.objects.filter(user=second_user, kind="cosign.invited").count() == 1
    assert Notification.objects.filter(user=first_user, kind="cosign.invited").count() == 1
    assert [phone for phone, _text in sms_outbox].count("13700000011") == 1


def test_escalation_does_not_blame_a_unit_whose_reply_waits_for_supervision(world, assigned,
                                                                            django_capture_on_commit_callbacks):
    """区民政局 replied on time; the reply has waited since with the supervising office. Past the deadline the scan
    tells the office (REVIEW_MESSAGES) — and also escalates (STAGE_MESSAGES[ESCALATED], to the office, the lead
    official and the proposal office) "区民政局承办的提案…已逾期,请督促办理": the wrong party is chased, by the very
    office that holds the reply."""
    for a in assigned.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    lead = assigned.assignments.get(role="lead")
    handling.opinion_send(assignment=assigned.assignments.get(role="assisting"), by=world.assisting_handler,
                          body="同意。")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="现答复如下。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=timezone.localdate())
    handling.reply_submit(reply=reply, by=world.lead_handler)
    handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler)
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.SUPERVISION
    lead.refresh_from_db()
    later = timezone.make_aware(datetime.datetime.combine(lead.deadline + datetime.timedelta(days=20),
                                                          datetime.time(9)))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.scan(now=later)
    told = list(Notification.objects.filter(kind="reminder").values_list("user__username", "message"))
    assert told  # the late review is chased
    assert not [m for _u, m in told if "区民政局承办的提案" in m], told


def test_invitee_is_told_when_the_invitation_is_withdrawn(world, client_for, django_capture_on_commit_callbacks):
    """The co-signer read by SMS "请于…前答复". The lead then withdraws the invitation: the co-signer is told nothing,
    and the link of the message they have (the draft) now answers 404 — an old member is left wondering what went
    wrong. cosign.invitation_withdrawn has no rule."""
    proposal = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = services.cosign_invite(proposal=proposal, by=world.member, members=[world.cosigner.member])
    invited = Notification.objects.get(user=world.cosigner, kind="cosign.invited")
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_withdraw_invitation(cosignature=invitation, by=world.member)
    assert client_for(world.cosigner).get(invited.url).status_code == 404  # as the policy wants
    assert Notification.objects.filter(user=world.cosigner).exclude(pk=invited.pk).exists()


def test_lead_official_is_told_when_the_proposal_becomes_key(world, django_capture_on_commit_callbacks):
    """The office assigned the proposal naming 杨金军 as lead official and 区政府办公室 as supervising office; the chair's
    meeting later selects it as a key proposal (proposal_set_key) with the same people. Nobody is told: rules.assigned
    tells officials only of key proposals, and rules.key_set only officials and offices *newly* named. The leader who
    must now lead it personally never hears of it."""
    p = _registered(world)
    with django_capture_on_commit_callbacks(execute=True):
        p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                     lead_officials=[world.lead_official],
                                     supervising_offices=[world.offices["区政府办公室"]])
    with django_capture_on_commit_callbacks(execute=True):
        handling.proposal_set_key(proposal=Proposal.objects.get(pk=p.pk), by=world.staff, is_key=True,
                                  lead_officials=[world.lead_official],
                                  supervising_offices=[world.offices["区政府办公室"]])
    assert Notification.objects.filter(user=world.official, message__contains="重点提案").exists()
    assert Notification.objects.filter(user=world.supervisor, message__contains="重点提案").exists()


def test_an_sms_is_not_given_up_after_a_gateway_outage_of_one_night(world, settings,
                                                                     django_capture_on_commit_callbacks):
    """The package promises mail and SMS "retried until they succeed" (notifications/__init__, Delivery). The gateway
    is down overnight (12 hours, the scan running every 10 minutes as README says): after 8 attempts, 4 h 16 min,
    deliver() marks the SMS gave_up (MAX_ATTEMPTS) and it is never sent — the member's registration SMS is lost; the
    backoff's 6-hour cap (min(2**n, 360)) is never even reached."""
    settings.SMS_BACKEND = "tests.test_notifications.BrokenSMS"
    p = services.proposal_submit(proposal=_draft(world), by=world.member)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_register(proposal=p, by=world.staff)
    start = timezone.now()
    for minutes in range(10, 12 * 60, 10):
        notifications.retry_due_deliveries(now=start + datetime.timedelta(minutes=minutes))
    settings.SMS_BACKEND = "tests.test_notifications.RecordingSMS"  # the gateway is back in the morning
    for minutes in range(12 * 60, 20 * 60, 10):
        notifications.retry_due_deliveries(now=start + datetime.timedelta(minutes=minutes))
    assert Delivery.objects.get(channel="sms").status == Delivery.Status.SENT
    assert [phone for phone, _text in sms_outbox] == ["13700000001"]


# --- holds ---------------------------------------------------------------------------------------------------------


def test_holds_notification_centre_answers_bad_input_without_500(world, client_for):
    """holds: an id past any integer, another user's id, a page that is not a number or past the end: 404 or the
    list, never a server error."""
    other = Notification.objects.create(user=world.stranger, key="x", kind="proposal.registered", message="别人的消息")
    c = client_for(world.member)
    assert c.post(reverse("notifications:open", args=[99999999999999999999])).status_code == 404
    assert c.post(reverse("notifications:open", args=[other.pk])).status_code == 404
    for page in ["abc", "-1", "99999999999999999999999", "0"]:
        assert c.get(reverse("notifications:list"), {"page": page}).status_code == 200
    other.refresh_from_db()
    assert other.read_at is None


def test_holds_thousands_of_notifications_page_and_count(world, client_for):
    """holds: a busy clerk with 3,000 messages: the last page opens with its oldest message, the bell counts the
    unread, and "mark all read" clears only their own."""
    Notification.objects.bulk_create([
        Notification(user=world.lead_handler, key=f"k{i}", kind="reminder", message=f"消息{i:04d}",
                     created_at=timezone.now() - datetime.timedelta(minutes=i)) for i in range(3000)])
    Notification.objects.create(user=world.stranger, key="s", kind="reminder", message="别人的")
    c = client_for(world.lead_handler)
    page = c.get(reverse("notifications:list"), {"page": 100}).content.decode()
    assert "消息2999" in page and 'class="bell__count">3000<' in page
    c.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=world.lead_handler, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.stranger, read_at__isnull=True).exists()


def test_the_unit_hears_its_reply_was_approved_and_of_a_class_the_office_changed(world, django_capture_on_commit_callbacks):
    """The unit sent its reply as class A; the supervising office approved it as class B and released it. The unit heard
    nothing of either: not that its letter went out, nor that its mark changed."""
    from tests.test_lifecycle_services import build
    from tian.supervision import services as supervision_services

    case = build(world, "supervision")
    with django_capture_on_commit_callbacks(execute=True):
        supervision_services.reply_approve(reply=case.reply, by=world.supervisor, outcome="B")
    told = Notification.objects.filter(user=world.lead_handler, kind="supervision.approved")
    assert told.exists(), "the unit is not told its reply was approved"
    assert "由A类调整为B类" in told.get().message
