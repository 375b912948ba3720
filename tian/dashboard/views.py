"""Role home pages and small site-wide views."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from tian.accounts.permissions import require_role
from tian.accounts.roles import ROLE_HOME, Role
from tian.audit.log import NotShown, audit_refusal
from tian.dashboard.home import home_context


@login_required
def home(request):
    role = request.user.primary_role
    if role is None:
        return render(request, "dashboard/no_role.html")
    return redirect(ROLE_HOME[role])


def _role_home(role: Role):
    @require_role(role)
    def view(request):
        return render(request, "dashboard/home.html", home_context(request.user, role))

    view.__name__ = f"home_{role.value}"
    return view


home_staff = _role_home(Role.STAFF)
home_unit = _role_home(Role.UNIT_HANDLER)
home_supervisor = _role_home(Role.SUPERVISOR)
home_lead_official = _role_home(Role.LEAD_OFFICIAL)
home_member = _role_home(Role.MEMBER)
home_collective = _role_home(Role.COLLECTIVE)
home_admin = _role_home(Role.ADMIN)


def toggle_large_text(request):
    """Switch the large-text mode (适老化) on or off; remembered in a cookie, works signed in or not."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    on = request.COOKIES.get("tian_large_text") != "1"
    response.set_cookie("tian_large_text", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def csrf_failure(request, reason=""):
    """A form whose security token no longer matches (the page was open past a sign-in or sign-out elsewhere, or
    very long): the site's own page, saying what to do, instead of Django's developer page."""
    return render(request, "403_csrf.html", status=403)


def page_not_found(request, exception=None):
    """404: what is missing, and what exists but the user may not see, answered alike; the latter audited."""
    if isinstance(exception, NotShown):
        audit_refusal(request, exception)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    """403 for a signed-in user without the right role; every refusal is audited."""
    audit_refusal(request, exception)
    return render(request, "403.html", status=403)
