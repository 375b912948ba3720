"""Limits every request meets before a view (or Django's own body parsing) sees it.

- Size: a body is refused from its Content-Length, before a byte of it is read (413). Form and file uploads
  (multipart) may be up to ``UPLOAD_MAX_BYTES``, any other body (JSON, plain forms; under ``/api/``, which takes no
  uploads, every body) up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``; a query string up to ``MAX_QUERY_CHARS`` (414).
- Control characters (Unicode's control characters but tab, line feed and carriage return: NUL, the other C0 and
  the C1 controls, DEL; and lone surrogates, which only a JSON ``\\ud800`` escape can carry) and invisible format
  characters (zero-width, direction and byte order marks) never reach a view, a query or the database (PostgreSQL
  refuses NUL in text). They are removed, not refused: from query parameters
  and form fields here, from the API's JSON bodies by its parser (``tian/api/parser.py``), from imported files
  by the importers. A text pasted from an office program is thus kept, its line and page breaks (vertical tab,
  form feed) as line breaks, rather than refused with the work in it; and the API's published schema, which
  accepts any string, stays true. A path holding one names no page (404); a cookie holding one is ignored; a
  header loses them.

Refusals are JSON in the API's shape (``tian/api/errors.py``) under ``/api/`` and a short page elsewhere.
"""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

# Unicode's control characters (category Cc) but tab, line feed and carriage return, and lone surrogates; and the
# invisible format characters a paste brings along (zero-width space and joiners, direction marks and overrides, word
# joiner, byte order mark): 区民政局 with a zero-width space after it would be a second unit that looks the same, and
# a name of one of them alone would pass as filled in.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
                     r"\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Vertical tab and form feed are the line and page breaks of office programs' pasted text; the rest goes.
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
MAX_QUERY_CHARS = 8192
MAX_PAGE_NUMBER = 100_000


def clean_text(value: str) -> str:
    """``value`` without control characters (vertical tab and form feed become line feeds)."""
    if not CONTROL.search(value):
        return value
    return CONTROL.sub("", value.translate(_LINE_BREAKS))


def clean_data(value):
    """Decoded JSON with ``clean_text`` applied to every string in it, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(key): clean_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    return value


def whole_number(raw, *, default: int | None = None, maximum: int = 2**63 - 1) -> int | None:
    """A query parameter (a page, an id) as a whole number from 1 to ``maximum``, else ``default``: never an error
    (``int()`` refuses 5,000 digits and ``²``), never a number the database cannot take."""
    text = str(raw or "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return default
    number = int(text)
    return number if 1 <= number <= maximum else default


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(_language(request)):
            refused = _check(request, api=request.path_info.startswith("/api/"))
        return refused if refused is not None else self.get_response(request)


def _language(request) -> str:
    """The language of a refusal, chosen as ``core.middleware.LanguageMiddleware`` will choose it."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _check(request, api: bool) -> HttpResponse | None:
    if CONTROL.search(request.path_info):  # no address of TiAn holds one
        if api:
            return _refuse(api, 404, "not_found", _("Not found, or not visible to you."))
        raise Http404
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_CHARS:
        return _refuse(api, 414, "too_large", _("The address is too long (at most %(n)s characters after the "
                                                "question mark).") % {"n": MAX_QUERY_CHARS})
    refused = _too_large(request, api)
    if refused is not None:
        return refused
    _clean_headers_and_cookies(request)
    try:
        _clean_fields(request, api)
    except RequestDataTooBig:
        return _refuse(api, 413, "too_large", _too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    except (TooManyFieldsSent, TooManyFilesSent):
        return _refuse(api, 400, "bad_request", _("The request holds too many fields or files."))
    except (MultiPartParserError, SuspiciousOperation, OSError):
        return _refuse(api, 400, "bad_request", _("The request could not be read."))
    return None


def _too_large(request, api: bool) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0:
        return _refuse(api, 400, "bad_request", _("The request could not be read."))
    # The API takes no uploads: its bodies, whatever they claim to be, are read whole (below), as JSON is.
    multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/") and not api
    limit = settings.UPLOAD_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return _refuse(api, 413, "too_large", _too_large_message(limit))
    return None


def _too_large_message(limit: int) -> str:
    return _("What you sent is larger than %(mb)s MB and was not accepted. Please send a smaller file, or send it "
             "in parts.") % {"mb": f"{limit / (1024 * 1024):g}"}


def _clean_headers_and_cookies(request) -> None:
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and CONTROL.search(value):
            request.META[key] = clean_text(value)
    cookies = request.COOKIES
    for name in [name for name, value in cookies.items() if CONTROL.search(name) or CONTROL.search(value)]:
        del cookies[name]


def _clean_fields(request, api: bool) -> None:
    if request.META.get("QUERY_STRING"):
        request.GET = _cleaned(request.GET)
    if api:
        # The API reads its body whole, as JSON (its parser cleans that), and no form field. Reading it here keeps
        # it readable: a form's body parsed from the stream (here, or by the CSRF check of a session call) could not
        # be read again, and Django Ninja, reading it next, failed with a server error instead of refusing a body
        # that is no JSON (400 bad_request).
        _ = request.body
        return
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith(("multipart/form-data",
                                                             "application/x-www-form-urlencoded")):
        request.POST = _cleaned(request.POST)


def _cleaned(data: QueryDict) -> QueryDict:
    """``data`` itself when no name or value holds a control character, else a cleaned copy."""
    if not any(CONTROL.search(key) or any(CONTROL.search(v) for v in values) for key, values in data.lists()):
        return data
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(v) for v in values])
    return QueryDict(cleaned.urlencode())  # immutable, as Django's own


def _refuse(api: bool, status: int, code: str, message: str) -> HttpResponse:
    if api:
        return JsonResponse({"code": code, "message": message}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    titles = {413: _("Too large"), 414: _("Address too long")}
    html = render_to_string("request_refused.html", {
        "title": titles.get(status, _("Request refused")), "message": message})
    return HttpResponse(html, status=status)
