"""Helpers shared by the proposal views."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tian.audit.log import audit_refusal
from tian.proposals.workflow import WorkflowError


def first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return ""


def field_error(form) -> str:
    """The first error of ``form``, with the label of the field it is about: for a form the page does not show."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        if field is None:
            return errors[0]
        return _("%(field)s: %(error)s") % {"field": field.label, "error": errors[0]}
    return ""


def run_action(request, action, success_message, *, redirect_to):
    """Call a service; a refusal becomes an error message and changes nothing."""
    try:
        result = action()
    except WorkflowError as e:

        audit_refusal(request, e)
        messages.error(request, e.message)
        return redirect(redirect_to), None
    messages.success(request, success_message)
    return redirect(redirect_to), result


def safe_next(request, default: str) -> str:
    """The ``next`` parameter if it points into this site, else ``default``."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default
