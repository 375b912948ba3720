"""The account middleware: the idle timeout without a session write on every request, a password change
that must come first, and a second factor still owed."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tian.accounts import twofactor
from tian.accounts.services import password_change_due

TOUCHED = "tian_touched"


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
