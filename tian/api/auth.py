"""Who is calling: a personal token (``Authorization: Bearer …``) or the site's own signed-in session.

Either way the account must not owe a new password (403 ``password_change_required``: the pages send it to the
password form, the API can only say so), and a session call must carry the page's CSRF token like any form
(403 ``csrf_failed``). Unknown, revoked and expired tokens are not a caller at all (401)."""

from django.contrib.auth.middleware import get_user
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tian.accounts.services import password_change_due, token_user


class PasswordChangeRequired(Exception):
    """The account must set a new password of its own on the site before it may use the API."""


class CsrfRefused(Exception):
    """A call with the site's session cookie but without the page's CSRF token."""


def _usable(user):
    if password_change_due(user):
        raise PasswordChangeRequired
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is None:
            return None
        request.user = user
        return _usable(user)


class SiteSession(APIKeyCookie):
    """The browser session of the site's own htmx calls; CSRF-protected like any form."""

    param_name = "sessionid"

    def __init__(self):
        # Django Ninja's own check answers a missing token with a bare HttpError before anyone is known; it is
        # made below instead, for a signed-in session only, and answered in the API's error shape.
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        # The user AuthenticationMiddleware read for this request, as the model instance rather than the lazy
        # wrapper ``request.user`` (code that asks the user's class for its fields failed on the wrapper: a 500).
        user = get_user(request)
        if not (user.is_authenticated and user.is_active):
            return None
        if check_csrf(request) is not None:
            raise CsrfRefused
        request.user = user
        return _usable(user)
