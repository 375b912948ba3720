import time

from tian.dashboard.navigation import nav_for, role_homes_for
from tian.organisations.selectors import current_committee

# The committee as the layout shows it (names, office phones), kept per process: it changes a few times a year.
# Saving it in this process forgets it at once (``CoreConfig.ready``); other processes read it again within a minute.
TTL_SECONDS = 60
_committee: tuple[float, object] | None = None


def layout_committee():
    global _committee
    if _committee is None or time.monotonic() - _committee[0] > TTL_SECONDS:
        _committee = (time.monotonic(), current_committee())
    return _committee[1]


def forget_committee(**kwargs) -> None:
    global _committee
    _committee = None


def navigation(request):
    user = getattr(request, "user", None)
    context = {"committee": layout_committee()}
    if user is not None and user.is_authenticated:
        context["nav_items"] = nav_for(user, request.path)
        context["role_homes"] = role_homes_for(user)
    return context
