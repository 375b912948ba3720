"""The idle timeout without a session write on every request."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

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
