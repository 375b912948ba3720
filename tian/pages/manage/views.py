"""Management pages for people, organisations, the calendar and committee settings."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.cache import never_cache

from tian.accounts.forms import HolderLoginForm
from tian.accounts.models import User, phone_validator
from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, grantable_roles, has_permission
from tian.accounts.services import HOLDER_FIELD, user_create_with_holder
from tian.accounts.views import pop_new_login, remember_new_login
from tian.core.calendar_days import calendar_day_save
from tian.core.models import CalendarDay
from tian.core.request_limits import whole_number
from tian.handling.services import open_parts
from tian.organisations.forms import CommitteeSettingsForm, managed_form_class
from tian.organisations.models import LeadOfficial, SupervisingOffice, Unit
from tian.organisations.selectors import current_committee, page_holding
from tian.organisations.services import named_save
from tian.pages.manage.registry import MANAGED, MANAGED_GROUPS
from tian.proposals.models import FINISHED, Proposal

PER_PAGE = 50


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


@never_cache  # shows a new account's initial password once: no browser keeps it
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
    # Back from saving a row: the page that holds it, the row marked (the list's order may put it anywhere).
    saved = whole_number(request.GET.get("saved"))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page") or page_holding(qs, saved, PER_PAGE))
    headers = [_header(entry.model, c) for c in entry.columns]
    rows = [(obj, [(h, _cell(obj, c)) for h, c in zip(headers, entry.columns, strict=True)]) for obj in page]
    return render(request, "organisations/list.html",
                  {"entry": entry, "page": page, "rows": rows, "headers": headers, "q": q, "saved": saved,
                   "new_login": pop_new_login(request)})


def _login_form(request, entry, instance):
    """The "create a sign-in account" part of a row's form, where the row has a kind of account, the person may
    grant its role, and a person (a member, a lead official) has none yet."""
    if entry.login is None or entry.login not in grantable_roles(request.user):
        return None
    if entry.person and instance is not None and User.objects.filter(**{HOLDER_FIELD[entry.login]: instance}).exists():
        return None
    return HolderLoginForm(request.POST if request.method == "POST" else None, role=entry.login,
                           person_named=entry.person)


def _accounts_of(entry, instance) -> list:
    if entry.login is None or instance is None:
        return []
    return list(User.objects.filter(**{HOLDER_FIELD[entry.login]: instance}).order_by("username"))


def _phone_of(obj) -> str:
    """The member's mobile for their account (password resets by SMS), where it is a number the account takes."""
    mobile = getattr(obj, "mobile", "") or ""
    try:
        phone_validator(mobile)
    except ValidationError:
        return ""
    return mobile


def _save(request, entry, form, login_form):
    """Save the row, with its new account where one is asked for; the account's problems go next to its fields
    (the row is then not saved either). Returns the row, or None."""
    obj = form.save(commit=False)
    account = login_form.account(obj.name) if login_form is not None else None
    if isinstance(obj, CalendarDay):  # a correction of the calendar: every deadline follows, and it is audited
        return calendar_day_save(obj, by=request.user)
    if account is None:
        # Saved with the committee's names version moved, so that every page showing the name shows the new one.
        return named_save(obj, save_related=form.save_m2m, by=request.user)
    was_new = obj.pk is None
    try:
        user, generated = user_create_with_holder(holder=obj, role=entry.login, save_related=form.save_m2m,
                                                  phone=_phone_of(obj), by=request.user, **account)
    except ValidationError as e:  # a user name taken between the check and the save
        if was_new:
            obj.pk = None  # rolled back with the account
        problems = e.message_dict if hasattr(e, "error_dict") else {NON_FIELD_ERRORS: e.messages}
        for field, texts in problems.items():
            for text in texts:
                login_form.add_error(field if field in login_form.fields else None, text)
        return None
    remember_new_login(request, user, generated)
    return obj


STILL_HOLDS_WORK = {
    Unit: ngettext_lazy(
        "%(kind)s “%(name)s” is inactive now but still holds %(count)s open assignment of a proposal not yet closed; "
        "it stays with the unit until the office reassigns it.",
        "%(kind)s “%(name)s” is inactive now but still holds %(count)s open assignments of proposals not yet closed; "
        "they stay with the unit until the office reassigns them.", "count"),
    SupervisingOffice: ngettext_lazy(
        "%(kind)s “%(name)s” is inactive now but still supervises %(count)s proposal not yet closed.",
        "%(kind)s “%(name)s” is inactive now but still supervises %(count)s proposals not yet closed.", "count"),
    LeadOfficial: ngettext_lazy(
        "%(kind)s “%(name)s” is inactive now but still leads %(count)s key proposal not yet closed.",
        "%(kind)s “%(name)s” is inactive now but still leads %(count)s key proposals not yet closed.", "count"),
}


def _open_work(obj) -> int:
    """How much unfinished work a unit, supervising office or lead official still has: a unit's active assignments of
    proposals not closed, the proposals not closed an office supervises or an official leads."""
    if isinstance(obj, Unit):
        return open_parts(obj).count()
    if isinstance(obj, SupervisingOffice):
        return Proposal.objects.filter(supervising_offices=obj).exclude(state__in=FINISHED).count()
    return Proposal.objects.filter(lead_officials=obj).exclude(state__in=FINISHED).count()


def _warn_of_open_work(request, entry, obj, was_active) -> None:
    """Disabling a unit, office or official keeps it from new work only: what it holds stays with it and must be
    handed over. Said with the count, so that the office does not take "saved" for "handed over"."""
    if type(obj) not in STILL_HOLDS_WORK or not was_active or obj.is_active:
        return
    count = _open_work(obj)
    if not count:
        return
    warning = STILL_HOLDS_WORK[type(obj)] % {"kind": entry.singular, "name": obj, "count": count}
    hand_over = _hand_over_url(request, obj)
    if hand_over:  # the way to hand it over, with the warning that says it must be
        warning = format_html('{} <a href="{}">{}</a>', warning, hand_over, _("Hand its open work over to another unit"))
    messages.warning(request, warning)


def _hand_over_url(request, obj) -> str:
    """The page that hands a unit's open work over to another unit (机构改革), for those who may change handling units."""
    if not isinstance(obj, Unit) or obj.pk is None or not has_permission(request.user, Perm.ASSIGN):
        return ""
    return reverse("organisations:unit_hand_over", args=[obj.pk])


@require_permission(Perm.MANAGE_PEOPLE, Perm.MANAGE_SETTINGS)
def object_edit(request, slug, pk=None):
    entry = _entry_for(request, slug)
    committee = current_committee()
    instance = None
    if pk is not None:
        instance = get_object_or_404(entry.model, pk=pk, **_scope(entry, committee))
    was_active = getattr(instance, "is_active", False)  # read before the form puts its values on the instance
    # Bound on every POST, an empty one too (with ``or None`` an empty POST left the form unbound, without
    # cleaned_data, and the login form's check failed).
    form = managed_form_class(entry, committee)(request.POST if request.method == "POST" else None,
                                                instance=instance)
    login_form = _login_form(request, entry, instance)
    if request.method == "POST":
        valid = [f.is_valid() for f in (form, login_form) if f is not None]  # every form checked: all errors show
        if login_form is not None:  # the user name defaults to the name typed above
            login_form.check_against(form.cleaned_data.get("name") or "")
            valid.append(not login_form.errors)
        if all(valid) and (obj := _save(request, entry, form, login_form)) is not None:
            messages.success(request, _("%(kind)s “%(name)s” was saved.") % {"kind": entry.singular, "name": obj})
            _warn_of_open_work(request, entry, obj, was_active)
            return redirect(f"{reverse('organisations:list', args=[slug])}?saved={obj.pk}#row-{obj.pk}")
    hand_over = _hand_over_url(request, instance)
    return render(request, "organisations/form.html", {"entry": entry, "form": form, "instance": instance,
                                                       "login_form": login_form,
                                                       "accounts": _accounts_of(entry, instance),
                                                       "hand_over": hand_over,
                                                       "open_work": _open_work(instance) if hand_over else 0})


@require_permission(Perm.MANAGE_SETTINGS)
def committee_settings(request):
    committee = current_committee()
    if committee is None:
        raise Http404
    form = CommitteeSettingsForm(request.POST or None, instance=committee)
    if request.method == "POST" and form.is_valid():
        named_save(form.save(commit=False), save_related=form.save_m2m, by=request.user)
        messages.success(request, _("The committee settings were saved."))
        return redirect("organisations:settings")
    return render(request, "organisations/settings.html", {"form": form})
