"""What every page's layout shows besides its content: the committee's names (header, title, footer) and, for a
signed-in user, the navigation and their role homes — but not while the session still owes its second factor:
then the layout offers nothing but signing out (the pages behind the links would only send it back)."""

from django.utils.functional import SimpleLazyObject

from tian.accounts import twofactor
from tian.dashboard.navigation import nav_for, role_homes_for
from tian.organisations.selectors import current_committee


def navigation(request):
    user = getattr(request, "user", None)
    # Read afresh on every request that shows it (one small query), so a renamed committee shows at once.
    context = {"committee": SimpleLazyObject(current_committee),
               "large_text": request.COOKIES.get("tian_large_text") == "1"}
    if user is None or not user.is_authenticated:
        return context
    session = getattr(request, "session", None)
    if session is not None and session.get(twofactor.PENDING):
        context["second_factor_pending"] = True
        return context
    # Worked out only where the layout renders them: the header is kept in Django's cache per user, roles, page
    # and language (``{% cache %}`` in base.html), under ``layout_roles``, the roles in a stable order.
    context["nav_items"] = SimpleLazyObject(lambda: nav_for(user, request.path))
    context["role_homes"] = SimpleLazyObject(lambda: role_homes_for(user))
    context["layout_roles"] = ",".join(sorted(user.roles))
    return context
