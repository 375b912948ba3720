"""Errors as JSON with a stable machine code and a Chinese message."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from tian.api.auth import CsrfRefused, PasswordChangeRequired
from tian.audit.log import audit_refusal
from tian.proposals.workflow import WorkflowError

STATUS = {"not_allowed": 403, "invalid_state": 409, "conflict": 409, "invalid_input": 422}


class FieldErrors(Exception):
    """A form refused the input: field → messages."""

    def __init__(self, errors: dict):
        self.errors = errors


def install(api):
    def reply(request, status, code, message, **extra):
        return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)

    @api.exception_handler(WorkflowError)
    def workflow_error(request, exc):
        audit_refusal(request, exc)
        return reply(request, STATUS.get(exc.code, 400), exc.code, exc.message)

    @api.exception_handler(FieldErrors)
    def field_errors(request, exc):
        return reply(request, 422, "invalid_input", _("Please correct the fields listed."), errors=exc.errors)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        return reply(request, 422, "invalid_input", _("Please correct the fields listed."),
                     errors={".".join(str(p) for p in e.get("loc", [])): [e.get("msg", "")] for e in exc.errors})

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return reply(request, 404, "not_found", _("Not found, or not visible to you."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        audit_refusal(request, exc)
        return reply(request, 403, "not_allowed", _("You are not allowed to do this."))

    @api.exception_handler(AuthorizationError)
    def forbidden2(request, exc):
        return reply(request, 403, "not_allowed", _("You are not allowed to do this."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return reply(request, 401, "unauthenticated", _("Sign in or send a valid API token."))

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
