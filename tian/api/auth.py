"""Who is calling: a personal token (``Authorization: Bearer …``) or the site's own signed-in session."""

from ninja.security import APIKeyCookie, HttpBearer

from tian.accounts.services import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class SiteSession(APIKeyCookie):
    """The browser session of the site's own htmx calls; CSRF-protected like any form."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None
