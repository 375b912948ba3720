"""Django Ninja's throttles, keyed on the client's address as the audit log sees it.

Ninja's own ``get_ident`` believes any ``X-Forwarded-For`` header (unless ``NINJA_NUM_PROXIES`` is set), so a
caller could pick a fresh address for every request; ``client_address`` believes only ``TRUSTED_PROXIES``."""

from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from tian.audit.log import client_address


class AnonymousThrottle(AnonRateThrottle):
    def get_ident(self, request):
        return client_address(request)


class SignedInThrottle(AuthRateThrottle):
    def get_ident(self, request):
        return client_address(request)
