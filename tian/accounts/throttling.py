"""Slowing down a storm of wrong passwords from one address without locking anybody's account.

django-axes locks an account after too many wrong passwords for it, never an address: a government office
shares one address, and one person's typos must not lock out their colleagues. Instead, after
``SIGNIN_FAILURES_PER_ADDRESS`` failed sign-ins from one address within a clock minute, sign-in from that address
is refused (429) until the minute is over; no account is locked by it. Counted in Django's cache: exact when the
cache is shared by the server processes (``CACHES``), per process with the default local-memory cache.
"""

from django.conf import settings

from tian.audit.log import client_address
from tian.core import throttle


def address_throttled(request) -> bool:
    address = client_address(request)
    return address is not None and throttle.counted("signin-failures", address) >= settings.SIGNIN_FAILURES_PER_ADDRESS


def count_failure(request) -> None:
    address = client_address(request)
    if address is not None:
        throttle.count("signin-failures", address)
