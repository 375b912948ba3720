"""Pluggable SMS sending. ``settings.SMS_BACKEND`` names the class; the default only logs."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("tian.sms")


class LoggingSMSBackend:
    """Writes each message to the log instead of sending it (development and intranets without a gateway)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
