"""The account middleware: the idle timeout without a session write on every request, the longest a session may
last however busy, a password change that must come first, and a second factor still owed."""

import time
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from tian.accounts import twofactor
from tian.accounts.services import password_change_due
from tian.audit.signals import SIGNED_OUT_BECAUSE

TOUCHED = "tian_touched"
SIGNED_IN_AT = "tian_signed_in_at"


class IdleTimeoutMiddleware:
    """Renew a signed-in session's expiry (``SESSION_COOKIE_AGE`` from now) at most once a
    ``SESSION_TOUCH_SECONDS``: the session ends after that long without a request, give or take the interval,
    and a busy page costs no session write (Django's SESSION_SAVE_EVERY_REQUEST writes on every request,
    which on SQLite also takes the database's write lock)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Only a session someone signed in to: an API call with a token has none, and must not get a new one.
        if (session is not None and user is not None and user.is_authenticated and not session.modified
                and SESSION_KEY in session):
            now = int(time.time())
            if now - session.get(TOUCHED, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now  # marks the session modified: SessionMiddleware saves it with a new expiry
        return response


def _signed_in(request) -> bool:
    session, user = getattr(request, "session", None), getattr(request, "user", None)
    return session is not None and user is not None and user.is_authenticated and SESSION_KEY in session


class SessionLifetimeMiddleware:
    """A session signed in to ends ``SESSION_ABSOLUTE_TIMEOUT`` seconds after signing in, however busy it has been
    (the idle timeout alone would keep a session used every half hour, or a stolen cookie replayed, for ever). The
    request that finds its session too old is signed out before its view, so it is answered as any request without
    a session is (the sign-in page, with what a form sent said to be unsaved: ``ExpiredFormMiddleware``), and told
    why. The time of signing in is kept in the session by the first response that finds it signed in: the sign-in
    itself, or the first request of a session older than this rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request):
            started = request.session.get(SIGNED_IN_AT)
            if started is not None and time.time() - started >= settings.SESSION_ABSOLUTE_TIMEOUT:
                setattr(request, SIGNED_OUT_BECAUSE, "absolute_timeout")
                logout(request)
                messages.info(request, _("You have been signed in for %(hours)d hours, the longest a sign-in lasts: "
                                         "please sign in again.") % {"hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600})
        response = self.get_response(request)
        if _signed_in(request) and SIGNED_IN_AT not in request.session:
            # The save renews the session's expiry too: a touch (``IdleTimeoutMiddleware``).
            request.session[SIGNED_IN_AT] = request.session[TOUCHED] = int(time.time())
        return response


class ExpiredFormMiddleware:
    """A form sent after the session ended (the idle timeout) is sent to the sign-in page, and Django names the
    form's address as where to go next: a POST-only address, which after signing in answers a blank "method not
    allowed". The sign-in page is told instead to go back to the page the form was on (the Referer, on this site)
    and to say that what was sent was not saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.method != "POST" or response.status_code != 302
                or getattr(request, "user", None) is None or request.user.is_authenticated):
            return response
        login = resolve_url(settings.LOGIN_URL)
        location = urlsplit(response["Location"])
        # The sign-in page asked to come back to this very form (``redirect_to_login``), not a sign-out's redirect.
        if location.path != login or parse_qs(location.query).get("next") != [request.get_full_path()]:
            return response
        referer = request.META.get("HTTP_REFERER", "")
        back = urlsplit(referer)
        if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) or not back.path:
            back_to = settings.LOGIN_REDIRECT_URL and resolve_url(settings.LOGIN_REDIRECT_URL)
        else:
            back_to = back.path + (f"?{back.query}" if back.query else "")
        again = f"{login}?{urlencode({'next': back_to, 'expired': 1})}"
        if request.headers.get("HX-Request") == "true":
            # A part of the page sent by itself (the draft's autosave, the similar proposals): htmx would follow the
            # redirect and put the whole sign-in page into that part. It says instead, in its place, that the typed
            # text is no longer saved, with a sign-in in a new tab so that the page and its text stay.
            return HttpResponse(format_html(
                '<span class="error" role="alert">{}</span> <a href="{}" target="_blank" rel="noopener">{}</a>',
                _("Your session has ended: what you type now is not saved. Copy it, then sign in again."),
                again, _("Sign in again")))
        response["Location"] = again
        return response


class PasswordChangeRequiredMiddleware:
    """An account created or reset by staff, or whose password has expired, may do nothing but change it. The
    API answers such an account (signed-in session or token) with 403 ``password_change_required``
    (``tian.api.auth``)."""

    ALLOWED = ("/accounts/password/", "/accounts/logout/", "/accounts/2fa/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.ALLOWED):
            if password_change_due(user):
                messages.warning(request, _("Please set a new password of your own before you continue."))
                return redirect("accounts:password_change")
        return self.get_response(request)


class TwoFactorMiddleware:
    """A session signed in with a password but still owing its second factor (``twofactor.PENDING``) may reach
    only the pages that set up or check it, and sign out. The API answers such a session as unauthenticated."""

    ALLOWED = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (session is not None and session.get(twofactor.PENDING) and user is not None
                and user.is_authenticated and not request.path.startswith(self.ALLOWED)):
            if request.path.startswith("/api/"):  # in the API's error shape (tian/api/errors.py)
                response = JsonResponse({"code": "unauthenticated", "fields": {},
                                         "message": _("Finish signing in with your two-factor code first.")},
                                        status=401)
                response["WWW-Authenticate"] = 'Bearer realm="TiAn API"'
                return response
            return redirect(twofactor.second_step_page(user))
        return self.get_response(request)
