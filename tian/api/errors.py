"""Errors as JSON in one shape, ``{code, message, fields}``: a stable machine code, a message in the request's
language (Chinese by default) and the fields at fault (field name as in the request schema → messages).

The handlers here answer what Django Ninja's operations raise; ``middleware.py`` gives the same shape to what
never reaches an operation under /api/ (an unknown address, a method not allowed, a body too large)."""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from tian.api.auth import CsrfRefused, PasswordChangeRequired
from tian.audit.log import NotShown, audit_refusal
from tian.proposals.workflow import WorkflowError

STATUS = {"not_allowed": 403, "invalid_state": 409, "conflict": 409, "invalid_input": 422}
MSG_FIELDS = gettext_lazy("Please correct the fields listed.")
MSG_NOT_FOUND = gettext_lazy("Not found, or not visible to you.")
MSG_UNAUTHENTICATED = gettext_lazy("Sign in or send a valid API token.")
AUTHENTICATE = 'Bearer realm="TiAn API"'

# Pydantic's refusals by type, said in the request's language; ``%(…)s`` come from the error's context.
_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("Unknown field: it is not part of this request."),
    "string_type": gettext_lazy("Enter a text."),
    "string_too_short": gettext_lazy("This field cannot be empty."),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "list_type": gettext_lazy("Enter a list."),
    "too_short": gettext_lazy("Enter at least %(min_length)s items."),
    "too_long": gettext_lazy("Enter at most %(max_length)s items."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
}


class FieldErrors(Exception):
    """A form refused the input: field → messages."""

    def __init__(self, errors: dict):
        self.errors = errors


class Refused(Exception):
    """A refusal of the API's own (a stale ETag, a reused idempotency key …)."""

    def __init__(self, status: int, code: str, message):
        self.status, self.code, self.message = status, code, message


def _choices(expected: str) -> str:
    """The values pydantic lists ("'member' or 'collective'"), in the answer's language: 'member'、'collective'."""
    values = re.findall(r"'[^']*'", expected)
    return _(", ").join(values) if values else expected


def field_message(error: dict) -> str:
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return _("This value is not valid.")
    ctx = dict(error.get("ctx") or {})
    if "expected" in ctx:
        ctx["expected"] = _choices(str(ctx["expected"]))
    try:
        return str(template) % ctx
    except (KeyError, TypeError, ValueError):
        return _("This value is not valid.")


def field_name(loc) -> str:
    """The request schema's field from pydantic's location: ``("body", "payload", "note")`` → ``note``; an item
    of a list keeps its index (``members.2``); a query or header parameter its own name."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
        if loc[0] == "body" and parts and parts[0] == "payload":
            parts = parts[1:]
        if loc[0] == "query" and parts and parts[0] == "filters":
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def install(api):
    def reply(request, status, code, message, fields=None):
        response = api.create_response(request, error_body(code, message, fields), status=status)
        if status == 401:
            response["WWW-Authenticate"] = AUTHENTICATE
        return response

    @api.exception_handler(WorkflowError)
    def workflow_error(request, exc):
        audit_refusal(request, exc)
        return reply(request, STATUS.get(exc.code, 400), exc.code, exc.message)

    @api.exception_handler(FieldErrors)
    def field_errors(request, exc):
        return reply(request, 422, "invalid_input", MSG_FIELDS, exc.errors)

    @api.exception_handler(Refused)
    def refused(request, exc):
        return reply(request, exc.status, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        fields: dict[str, list[str]] = {}
        for e in exc.errors:
            fields.setdefault(field_name(e.get("loc", ())), []).append(field_message(e))
        return reply(request, 422, "invalid_input", MSG_FIELDS, fields)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        if isinstance(exc, NotShown):  # exists, but not for this caller: answered alike, audited
            audit_refusal(request, exc)
        return reply(request, 404, "not_found", MSG_NOT_FOUND)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        audit_refusal(request, exc)
        return reply(request, 403, "not_allowed", _("You are not allowed to do this."))

    @api.exception_handler(AuthorizationError)
    def forbidden2(request, exc):
        return reply(request, 403, "not_allowed", _("You are not allowed to do this."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return reply(request, 401, "unauthenticated", MSG_UNAUTHENTICATED)

    @api.exception_handler(PasswordChangeRequired)
    def password_change_required(request, exc):
        return reply(request, 403, "password_change_required",
                     _("Please sign in on the site and set a new password of your own first; until then the API "
                       "refuses your calls."))

    @api.exception_handler(CsrfRefused)
    def csrf_refused(request, exc):
        audit_refusal(request, exc)
        return reply(request, 403, "csrf_failed",
                     _("The request lacks the page's security token (CSRF). Reload the page and try again; other "
                       "systems send an API token instead of the session cookie."))

    @api.exception_handler(OverflowError)
    def too_large(request, exc):
        # An id or number beyond what the database stores (SQLite refuses integers over 2**63): bad input.
        return reply(request, 422, "invalid_input", _("A number in the request is too large."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        code = {400: "bad_request", 429: "throttled"}.get(exc.status_code, "error")
        message = {429: _("Too many requests; please slow down."),
                   400: _("The request could not be read; send a JSON object.")}.get(exc.status_code, str(exc))
        return reply(request, exc.status_code, code, message)
