"""Writing audit entries. ``audit(...)`` never raises: a failing audit write must not break the request,
but is itself logged as an error."""

import contextvars
import logging

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
    if request is None:
        return _address.get()
    return request.META.get("REMOTE_ADDR") or None


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
