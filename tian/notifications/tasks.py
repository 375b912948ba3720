"""Sending one delivery (e-mail or SMS), as a background task (django-tasks; the database backend's worker is
``manage.py db_worker``). A failing gateway marks the delivery failed with its error and a next attempt time."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from tian.core.sms import get_sms_backend
from tian.core.tasks import task
from tian.notifications.models import Delivery, Notification

logger = logging.getLogger("tian.notifications")

# A message not sent is tried again, at most every six hours, until it is this old: a gateway down for a night or a
# long weekend loses nothing (eight attempts, as before, gave up after four hours); a message older than this is news
# no longer worth an SMS.
GIVE_UP_AFTER = timedelta(days=3)


@task()
def send_delivery(delivery_id: int) -> str:
    return deliver(delivery_id)


def deliver(delivery_id: int) -> str:
    """Send one delivery now. Never raises for a gateway failure: the failure is recorded for a retry."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().select_related("notification__user")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status in (Delivery.Status.SENT, Delivery.Status.GAVE_UP):
            return delivery.status if delivery else "missing"
        if not delivery.notification.user.is_active:  # deactivated since: nothing more is sent to the account
            delivery.status, delivery.last_error = Delivery.Status.GAVE_UP, Delivery.ACCOUNT_DEACTIVATED
            delivery.save(update_fields=["status", "last_error"])
            return delivery.status
        delivery.attempts += 1
        try:
            text = delivery.notification.message
            if delivery.channel == Delivery.Channel.EMAIL:
                send_mail(subject=" ".join(text.split())[:60], message=_email_body(delivery.notification),
                          from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[delivery.address])
            else:
                get_sms_backend().send(delivery.address, text)
        except Exception as e:  # noqa: BLE001 - any gateway error is recorded and retried
            delivery.last_error = f"{type(e).__name__}: {e}"[:2000]
            too_old = timezone.now() - delivery.notification.created_at >= GIVE_UP_AFTER
            delivery.status = Delivery.Status.GAVE_UP if too_old else Delivery.Status.FAILED
            delivery.next_attempt_at = timezone.now() + timedelta(minutes=min(2 ** delivery.attempts, 360))
            logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, delivery.last_error)
        else:
            delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, timezone.now(), ""
        delivery.save()
        return delivery.status


def _email_body(notification: Notification) -> str:
    link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url and settings.SITE_URL else ""
    return f"{notification.message}{link}"
