"""Every answer under /api/ that is an error is JSON in the API's one shape, ``{code, message, fields}``.

The API's operations answer that way themselves (``errors.py``). What never reaches one is answered here: an
address under /api/ that names no operation (Django's 404 page), a method the address does not take (Django
Ninja's plain-text 405, its ``Allow`` header kept), a body too large (``core.request_limits``, 413), a server
error; and every 401 carries ``WWW-Authenticate: Bearer``. Other addresses are left alone."""

import json
import logging

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from tian.api.errors import AUTHENTICATE, MSG_NOT_FOUND, MSG_UNAUTHENTICATED, error_body

logger = logging.getLogger("tian.api")

PREFIX = "/api/"
_CODES = {400: "bad_request", 401: "unauthenticated", 403: "not_allowed", 404: "not_found",
          405: "method_not_allowed", 406: "not_acceptable", 412: "precondition_failed", 413: "too_large",
          414: "too_large", 415: "unsupported_media_type", 429: "throttled", 500: "server_error"}


def _message(status: int) -> str:
    return {
        401: str(MSG_UNAUTHENTICATED),
        403: _("You are not allowed to do this."),
        404: str(MSG_NOT_FOUND),
        405: _("This address does not take this method (see the Allow header)."),
        413: _("What you sent is too large and was not accepted."),
        429: _("Too many requests; please slow down."),
    }.get(status, _("The request could not be served."))


def _json(response) -> dict | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith(PREFIX) or response.status_code < 400 or response.streaming:
            return response
        data = _json(response)
        if data is None or "code" not in data or "fields" not in data:
            status = response.status_code
            base = data if data is not None and "code" in data else error_body(
                _CODES.get(status, "error"), _message(status))
            shaped = JsonResponse(error_body(base["code"], base.get("message", _message(status)),
                                             base.get("fields") or base.get("errors")),
                                  status=status, json_dumps_params={"ensure_ascii": False})
            for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
                if header in response:
                    shaped[header] = response[header]
            response = shaped
        if response.status_code == 401 and "WWW-Authenticate" not in response:
            response["WWW-Authenticate"] = AUTHENTICATE
        return response

    def process_exception(self, request, exception):
        """A server error under /api/ is JSON too (the details go to the log, never to the caller)."""
        if not request.path_info.startswith(PREFIX):
            return None
        if isinstance(exception, Http404):
            return JsonResponse(error_body("not_found", MSG_NOT_FOUND), status=404,
                                json_dumps_params={"ensure_ascii": False})
        logger.exception("API server error at %s", request.path_info)
        return JsonResponse(error_body("server_error", _message(500)), status=500,
                            json_dumps_params={"ensure_ascii": False})
