"""Management pages for people, organisations, the calendar and committee settings."""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, has_permission
from tian.organisations.forms import CommitteeSettingsForm, managed_form_class
from tian.organisations.selectors import current_committee
from tian.organisations.services import named_save
from tian.pages.manage.registry import MANAGED, MANAGED_GROUPS


def _entry_for(request, slug):
    entry = MANAGED.get(slug)
    if entry is None:
        raise Http404
    if not has_permission(request.user, entry.perm):
        raise PermissionDenied
    return entry


def _scope(entry, committee) -> dict:
    """The filter that keeps an entry's rows to the committee (the calendar is shared by all)."""
    return {entry.committee_path: committee} if entry.committee_path else {}


def _cell(obj, column):
    value = getattr(obj, column)
    display = getattr(obj, f"get_{column}_display", None)
    if display is not None:
        return display()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else value


def _header(model, column):
    try:
        return model._meta.get_field(column).verbose_name
    except FieldDoesNotExist:  # a property such as Term.name
        return _("Name")


@require_permission(Perm.MANAGE_PEOPLE, Perm.MANAGE_SETTINGS)
def index(request):
    groups = [
        (label, [MANAGED[slug] for slug in slugs if has_permission(request.user, MANAGED[slug].perm)])
        for label, slugs in MANAGED_GROUPS
    ]
    return render(request, "organisations/index.html", {"groups": [g for g in groups if g[1]]})


@require_permission(Perm.MANAGE_PEOPLE, Perm.MANAGE_SETTINGS)
def object_list(request, slug):
    entry = _entry_for(request, slug)
    committee = current_committee()
    qs = entry.model.objects.filter(**_scope(entry, committee))
    related = [f.name for f in entry.model._meta.fields if f.is_relation and f.name in entry.columns]
    if related:
        qs = qs.select_related(*related)
    q = request.GET.get("q", "").strip()
    if q and entry.search:
        condition = Q()
        for name in entry.search:
            condition |= Q(**{f"{name}__icontains": q})
        qs = qs.filter(condition)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    headers = [_header(entry.model, c) for c in entry.columns]
    rows = [(obj, [(h, _cell(obj, c)) for h, c in zip(headers, entry.columns, strict=True)]) for obj in page]
    return render(request, "organisations/list.html",
                  {"entry": entry, "page": page, "rows": rows, "headers": headers, "q": q})


@require_permission(Perm.MANAGE_PEOPLE, Perm.MANAGE_SETTINGS)
def object_edit(request, slug, pk=None):
    entry = _entry_for(request, slug)
    committee = current_committee()
    instance = None
    if pk is not None:
        instance = get_object_or_404(entry.model, pk=pk, **_scope(entry, committee))
    form = managed_form_class(entry, committee)(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        # Saved with the committee's names version moved, so that every page showing the name shows the new one.
        obj = named_save(form.save(commit=False), save_related=form.save_m2m)
        messages.success(request, _("%(kind)s “%(name)s” was saved.") % {"kind": entry.singular, "name": obj})
        return redirect("organisations:list", slug=slug)
    return render(request, "organisations/form.html", {"entry": entry, "form": form, "instance": instance})


@require_permission(Perm.MANAGE_SETTINGS)
def committee_settings(request):
    committee = current_committee()
    if committee is None:
        raise Http404
    form = CommitteeSettingsForm(request.POST or None, instance=committee)
    if request.method == "POST" and form.is_valid():
        named_save(form.save(commit=False), save_related=form.save_m2m)
        messages.success(request, _("The committee settings were saved."))
        return redirect("organisations:settings")
    return render(request, "organisations/settings.html", {"form": form})
