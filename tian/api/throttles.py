"""Django Ninja's throttles, keyed on the client's address as the audit log sees it.

Ninja's own ``get_ident`` believes any ``X-Forwarded-For`` header (unless ``NINJA_NUM_PROXIES`` is set), so a
caller could pick a fresh address for every request; ``client_address`` believes only ``TRUSTED_PROXIES``."""

from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from tian.audit.log import client_address


class AnonymousThrottle(AnonRateThrottle):
    def get_ident(self, request):
        return client_address(request)


class SignedInThrottle(AuthRateThrottle):
    """Per account: Ninja's own key is the text of ``request.auth`` (here the user's display name), which two
    people of the same name would share."""

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request):
        user_id = getattr(getattr(request, "auth", None), "pk", None)
        if user_id is None:
            return super().get_cache_key(request)
        return self.cache_format % {"scope": self.scope, "ident": f"user-{user_id}"}
