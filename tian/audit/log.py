"""Writing audit entries. ``audit(...)`` never raises: a failing audit write must not break the request,
but is itself logged as an error. Each entry gets its ``kind`` and parameters (``AuditEntry.data``, see
``models.Kind``) and a plain-text ``detail`` in English."""

import contextvars
import functools
import ipaddress
import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404

from tian.audit.models import AuditEntry, Kind

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
    moved = event.from_state and event.from_state != event.to_state
    detail = (f"{event.action}: from {event.from_state} to {event.to_state}" if moved
              else f"{event.action} while {event.to_state}")
    AuditEntry.objects.create(action=AuditEntry.Action.CHANGE, actor=actor, at=event.at,
                              username=actor.get_username() if actor else "system", address=_address.get(),
                              object_type="proposal", object_id=str(event.proposal_id), detail=detail[:500],
                              data={"kind": str(Kind.EVENT), "event": event.action, "from": event.from_state,
                                    "to": event.to_state})


def entry(action: str, *, request=None, user=None, username: str = "", object_type: str = "", object_id="",
          detail: str = "", kind: str = "", data: dict | None = None) -> AuditEntry:
    """One entry, not yet written: ``kind`` (``models.Kind``) and its parameters ``data`` say what happened,
    ``detail`` says it in plain English. (``audit`` writes one; an import writes many at once.)"""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEntry(
        action=action, actor=user, username=username or (user.get_username() if user else ""),
        address=client_address(request), object_type=object_type[:40], object_id=str(object_id or "")[:40],
        detail=str(detail)[:500], data={"kind": str(kind), **(data or {})} if kind else dict(data or {}))


def audit(action: str, **fields) -> None:
    """Write one entry (``entry``'s fields)."""
    try:
        # In a savepoint of its own: an entry that cannot be written must not break the caller's transaction
        # (PostgreSQL refuses every later statement of a transaction once one has failed).
        with transaction.atomic():
            entry(action, **fields).save()
    except Exception:
        logger.exception("could not write the audit entry %s %s %s", action, fields.get("object_type"),
                         fields.get("object_id"))


class NotShown(Http404):
    """What exists but the user may not see: answered exactly as a missing id is (404), so that nobody learns it
    exists, and audited as a refusal (``dashboard.views.page_not_found``, the API's ``not_found``), so that someone
    trying ids one after another shows in the log."""


def audit_refusal(request, error) -> None:
    """A refused action (wrong role or not the user's business), outside the rolled-back transaction."""
    if getattr(error, "code", "not_allowed") == "not_allowed":
        audit(AuditEntry.Action.DENIED, request=request, object_type="path", object_id="",
              detail=f"{request.method} {request.path}"[:500], kind=Kind.REFUSED,
              data={"method": request.method, "path": request.path[:300]})


def audit_download(request, what: str, object_type: str = "", object_id="") -> None:
    """A file downloaded or exported: ``what`` is its name, the object what it was made from (a proposal …)."""
    audit(AuditEntry.Action.DOWNLOAD, request=request, object_type=object_type, object_id=object_id,
          detail=f"downloaded {what}", kind=Kind.DOWNLOAD, data={"file": str(what)[:200]})
