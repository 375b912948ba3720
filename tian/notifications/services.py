"""Creating notifications from events and delivering them.

``dispatch_event`` runs after the transaction that wrote the event has committed (``events.record``
schedules it with ``transaction.on_commit``): in-app notifications are written at once, email and SMS are
queued as tasks for the worker (``tasks.py``, which also sends them). A failing gateway marks the delivery failed with its error and a next
attempt time; ``retry_due_deliveries`` (run by the ``send_reminders`` scan) queues it again.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tian.accounts.backends import of_committee
from tian.disclosure.policy import message_text
from tian.notifications.models import Delivery, Notification
from tian.notifications.rules import RULES, users
from tian.notifications.tasks import send_delivery
from tian.organisations.models import mobile_number, mobile_validator
from tian.proposals.models import Event

logger = logging.getLogger("tian.notifications")


def notify(*, user_condition, key: str, kind: str, message: str, url: str = "", proposal=None, event=None) -> int:
    """Create one notification per matching user (at most one per user and key) and queue its deliveries.
    The message leaves the system by e-mail and SMS: it is written as the disclosure policy lets any text
    that leaves it be read (``message_text``: personal numbers masked)."""
    message = message_text(message, proposal)
    created = []
    for user in users(user_condition, committee_id=getattr(proposal, "committee_id", None)):
        notification, new = Notification.objects.get_or_create(
            user=user, key=key, defaults={"kind": kind, "message": message[:300], "url": url,
                                          "proposal": proposal, "event": event})
        if new:
            created.append(notification)
            _create_deliveries(notification)
    return len(created)


def sms_number(user) -> str:
    """Where a text message to ``user`` goes: the account's own mobile; else, for a member's account, the member's
    mobile (the member list's, kept in the form SMS takes: ``organisations.models.MobileField``); else, for a
    collective proposer's, its contact's phone if that is a mobile. Empty: no text message."""
    if user.phone:
        return user.phone
    if user.member_id and user.member.mobile:
        return user.member.mobile
    if user.collective_id:
        number = mobile_number(user.collective.contact_phone)
        if mobile_validator.regex.search(number):  # the member list's rule of a mobile
            return number
    return ""


def _create_deliveries(notification: Notification) -> None:
    user = notification.user
    channels = []
    if settings.NOTIFY_BY_EMAIL and user.email:
        channels.append((Delivery.Channel.EMAIL, user.email))
    if settings.NOTIFY_BY_SMS and (number := sms_number(user)):
        channels.append((Delivery.Channel.SMS, number))
    for channel, address in channels:
        delivery = Delivery.objects.create(notification=notification, channel=channel, address=address)
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))


def _enqueue(delivery_id: int) -> None:
    try:
        send_delivery.enqueue(delivery_id)
    except Exception:  # the queue itself is down: the periodic scan will pick the delivery up
        logger.exception("could not queue delivery %s", delivery_id)


@transaction.atomic
def dispatch_event(event_id: int) -> int:
    event = Event.objects.select_related("proposal").filter(pk=event_id).first()
    rule = RULES.get(event.action) if event else None
    if rule is None:
        return 0
    count = 0
    for index, (who, message, url, *key) in enumerate(rule(event)):  # a rule may name what the message is about
        count += notify(user_condition=who, key=key[0] if key else f"event:{event.pk}:{index}", kind=event.action,
                        message=message, url=url, proposal=event.proposal, event=event)
    return count


def retry_due_deliveries(now=None, committee=None) -> int:
    """Queue again every delivery that is pending or failed and due (of ``committee``'s people, and the operators',
    where given: the scan's installation's). Safe to run at any time."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
                                  next_attempt_at__lte=now)
    if committee is not None:
        due = due.filter(of_committee(committee, through="notification__user__"))
    due = list(due.values_list("pk", flat=True)[:500])
    for pk in due:
        _enqueue(pk)
    return len(due)


def mark_read(*, user, notification_ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
