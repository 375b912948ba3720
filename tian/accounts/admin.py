from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from tian.accounts.models import RoleGrant, User
from tian.accounts.roles import Role, last_admin_refusal
from tian.accounts.services import user_add, user_roles_set, user_update
from tian.organisations.models import Committee


def _admin_only(request) -> bool:
    """The Django admin is for administrators (the ``admin`` role) and the operator (a superuser of no committee, made
    with ``createsuperuser``, who gives the first administrator its role here). It reads every table whole, so where the
    database holds several committees it is the operator's alone (an account of no committee, ``User.committee``):
    a committee's administrators keep to the management pages, which show their committee's rows."""
    user = request.user
    if not (user.is_active and user.is_authenticated):
        return False
    if user.is_superuser and user.committee_id is None:  # the operator's, from ``createsuperuser``: it gives the roles
        return True
    return Role.ADMIN in user.roles and (user.committee_id is None or Committee.objects.count() <= 1)


admin.site.has_permission = _admin_only
admin.site.site_header = _("TiAn system administration")
admin.site.site_title = _("TiAn administration")


# The account's own columns the admin's form may change (its groups and permissions are saved by the form).
ACCOUNT_FIELDS = {field.name for field in User._meta.concrete_fields} - {"id", "password"}


class RoleGrantFormSet(BaseInlineFormSet):
    """The account's roles as the admin's form lists them, checked against what the account is bound to (its unit,
    office …, as the same form changes them) before anything is saved."""

    def roles(self) -> set[str]:
        return {form.cleaned_data["role"] for form in self.forms
                if form.cleaned_data.get("role") and not form.cleaned_data.get("DELETE")}

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            self.instance.check_role_bindings(self.roles())
        except ValidationError as e:
            raise ValidationError([message for messages in e.message_dict.values() for message in messages]) from None
        # The account as the form changes it (its "active" box included): the last active administrator keeps both,
        # said here rather than refused by the service once the form is saved.
        refusal = last_admin_refusal(self.instance, self.roles(), is_active=self.instance.is_active)
        if refusal:
            raise ValidationError(refusal)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    formset = RoleGrantFormSet
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "office", "is_active"]
    search_fields = ["username", "full_name"]
    inlines = [RoleGrantInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("TiAn"), {"fields": ["full_name", "phone", "member", "collective", "unit", "office", "lead_official"]}),
    )

    # Saved through the audited services, as TiAn's own pages save accounts: a change of the account's fields and of
    # its roles each writes its audit entry, a new name shows on every page at once (``user_update``), and the roles
    # are checked against what the account is bound to.
    def save_model(self, request, obj, form, change):
        if not change:  # the add form: a user name and a password (its roles are saved with it, in save_related)
            obj.must_change_password = True  # one an administrator chose: the person sets their own at first sign-in
            user_add(user=obj, by=request.user)
        # A changed account is saved with its roles, in save_related.

    def user_change_password(self, request, id, form_url=""):
        """A password is set on the account's own page (``accounts:user_edit``), where it is one audited service that
        ends the person's sessions and tokens and asks them to choose their own (``user_set_password``)."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        messages.info(request, _("Set the password on the account's page."))
        return redirect("accounts:user_edit", pk=user.pk)

    def save_related(self, request, form, formsets, change):
        grants = next((formset for formset in formsets if formset.model is RoleGrant), None)
        roles = grants.roles() if grants is not None else form.instance.roles
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in ACCOUNT_FIELDS}
            user_update(user=form.instance, roles=roles, by=request.user, **fields)
        else:
            user_roles_set(user=form.instance, roles=roles, by=request.user)
        form.save_m2m()
        if grants is not None:  # what the admin's own history note reads of a saved inline (TiAn's audit has it)
            grants.new_objects, grants.changed_objects, grants.deleted_objects = [], [], []
