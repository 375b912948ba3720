"""Writing audit entries. ``audit(...)`` never raises: a failing audit write must not break the request,
but is itself logged as an error."""

import contextvars
import functools
import ipaddress
import logging

from django.conf import settings

from tian.audit.models import AuditEntry

logger = logging.getLogger("tian.audit")
_address = contextvars.ContextVar("tian_request_address", default=None)


class AuditAddressMiddleware:
    """Remembers the client's address for the request, so that changes made deep in a service function
    are audited with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)


def client_address(request) -> str | None:
    """The address of the person's computer: the connection's own, or, when the connection comes from one of
    ``settings.TRUSTED_PROXIES``, the nearest address in ``X-Forwarded-For`` that is not a trusted proxy (read
    from the right: everything left of it was written by the client and can be anything). The one definition
    for the audit log, the sign-in lockout (``AXES_CLIENT_IP_CALLABLE``) and the throttles."""
    if request is None:
        return _address.get()
    address = request.META.get("REMOTE_ADDR") or None
    if address is None or not _trusted(address):
        return address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: what the proxies wrote ends here
        if not _trusted(hop):
            return hop
        address = hop
    return address


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def audit_event(event) -> None:
    """The audit entry of a proposal event, written in the same transaction as the event."""
    actor = event.actor
    AuditEntry.objects.create(action=AuditEntry.Action.CHANGE, actor=actor, at=event.at,
                              username=actor.get_username() if actor else "system", address=_address.get(),
                              object_type="proposal", object_id=str(event.proposal_id),
                              detail=f"{event.action} {event.from_state}→{event.to_state}"[:500])


def audit(action: str, *, request=None, user=None, username: str = "", object_type: str = "", object_id="",
          detail: str = "") -> None:
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    try:
        AuditEntry.objects.create(
            action=action, actor=user, username=username or (user.get_username() if user else ""),
            address=client_address(request), object_type=object_type, object_id=str(object_id or ""),
            detail=str(detail)[:500])
    except Exception:
        logger.exception("could not write the audit entry %s %s %s", action, object_type, object_id)


def audit_refusal(request, error) -> None:
    """A refused action (wrong role or not the user's business), outside the rolled-back transaction."""
    if getattr(error, "code", "not_allowed") == "not_allowed":
        audit(AuditEntry.Action.DENIED, request=request, object_type="path", object_id="",
              detail=f"{request.method} {request.path}"[:500])


def audit_download(request, what: str, object_type: str = "", object_id="") -> None:
    audit(AuditEntry.Action.DOWNLOAD, request=request, object_type=object_type, object_id=object_id, detail=what)
