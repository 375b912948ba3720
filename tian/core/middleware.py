"""Language: Chinese unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office PC with an English browser
would get English pages. Committees work in Chinese: we use zh-hans unless the language cookie (set by the
language switch in the footer) asks for another supported language.
"""

from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """A Content Security Policy without 'unsafe-inline' (every script and style is a file served by the
    app), no framing, and no browser features the app does not use."""

    POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
              "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
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
            from tian.accounts.services import password_change_due

            if password_change_due(user):
                from django.contrib import messages
                from django.shortcuts import redirect
                from django.utils.translation import gettext as _

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
        from tian.accounts import twofactor

        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (session is not None and session.get(twofactor.PENDING) and user is not None
                and user.is_authenticated and not request.path.startswith(self.ALLOWED)):
            from django.http import JsonResponse
            from django.shortcuts import redirect
            from django.utils.translation import gettext as _

            if request.path.startswith("/api/"):  # in the API's error shape (tian/api/errors.py)
                return JsonResponse({"code": "unauthenticated",
                                     "message": _("Finish signing in with your two-factor code first.")}, status=401)
            return redirect(twofactor.second_step_page(user))
        return self.get_response(request)
