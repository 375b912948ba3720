"""The one place views ask whether the signed-in user may do something."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from tian.accounts.roles import Perm, has_permission


def require_permission(*perms: Perm):
    """View decorator: anonymous users go to the login page, signed-in users lacking all ``perms`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(has_permission(request.user, p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permissions = perms
        return wrapped

    return decorator


def require_role(*roles):
    """View decorator for pages that belong to a role rather than to a permission (role home pages)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(r in request.user.roles for r in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
