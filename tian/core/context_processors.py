from tian.core.navigation import nav_for, role_homes_for
from tian.organisations.selectors import current_committee


def navigation(request):
    user = getattr(request, "user", None)
    context = {"committee": current_committee()}
    if user is not None and user.is_authenticated:
        context["nav_items"] = nav_for(user, request.path)
        context["role_homes"] = role_homes_for(user)
    return context
