"""Searching the audit log (office staff and administrators) and each user's own sign-in history."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.audit.models import AuditEntry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditSearchForm(forms.Form):
    person = forms.CharField(label=_("Person (user name or name)"), required=False, max_length=150)
    object = forms.CharField(label=_("Object (e.g. proposal:15)"), required=False, max_length=80)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("All actions")), *AuditEntry.Action.choices])
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE)


@require_permission(Perm.VIEW_AUDIT)
def search(request):
    form = AuditSearchForm(request.GET or None)
    qs = AuditEntry.objects.select_related("actor")
    if form.is_valid():
        d = form.cleaned_data
        if d["person"]:
            qs = qs.filter(Q(username=d["person"]) | Q(actor__full_name=d["person"]))
        if d["object"]:
            kind, _sep, ident = d["object"].partition(":")
            qs = qs.filter(object_type=kind.strip(), **({"object_id": ident.strip()} if ident.strip() else {}))
        if d["action"]:
            qs = qs.filter(action=d["action"])
        if d["start"]:
            qs = qs.filter(at__date__gte=d["start"])
        if d["end"]:
            qs = qs.filter(at__date__lte=d["end"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/search.html", {"form": form, "page": page})


@login_required
def my_history(request):
    """The user's own sign-ins and failed sign-ins."""
    since = datetime.date.today() - datetime.timedelta(days=180)
    qs = AuditEntry.objects.filter(Q(actor=request.user) | Q(username=request.user.get_username()),
                                   action__in=[AuditEntry.Action.LOGIN, AuditEntry.Action.LOGIN_FAILED,
                                               AuditEntry.Action.LOGOUT], at__date__gte=since)
    return render(request, "audit/history.html", {"entries": qs[:100]})


