"""What every page's layout shows besides its content: the committee's names (header, title, footer) and, for a
signed-in user, the navigation and their role homes."""

from django.utils.functional import SimpleLazyObject

from tian.dashboard.navigation import nav_for, role_homes_for
from tian.organisations.selectors import current_committee


def navigation(request):
    user = getattr(request, "user", None)
    # Read afresh on every request that shows it (one small query), so a renamed committee shows at once.
    context = {"committee": SimpleLazyObject(current_committee)}
    if user is not None and user.is_authenticated:
        context["nav_items"] = nav_for(user, request.path)
        context["role_homes"] = role_homes_for(user)
    return context
