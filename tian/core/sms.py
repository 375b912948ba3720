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


class HTTPGatewaySMSBackend:
    """Posts ``{"phone": …, "text": …}`` as JSON to ``SMS_GATEWAY_URL`` with a bearer token; any answer
    other than 2xx is a failure (the delivery is then retried)."""

    def send(self, phone: str, text: str) -> None:
        import json
        import urllib.request

        if not settings.SMS_GATEWAY_URL.startswith(("http://", "https://")):
            raise ValueError("SMS_GATEWAY_URL must be an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            settings.SMS_GATEWAY_URL, data=json.dumps({"phone": phone, "text": text}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")
