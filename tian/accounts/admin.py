from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tian.accounts.models import RoleGrant, User
from tian.accounts.roles import Role
from tian.organisations.services import names_changed_everywhere


def _admin_only(request) -> bool:
    """The Django admin is for administrators (the ``admin`` role) only."""
    user = request.user
    return user.is_active and user.is_authenticated and Role.ADMIN in user.roles


admin.site.has_permission = _admin_only
admin.site.site_header = _("TiAn system administration")
admin.site.site_title = _("TiAn administration")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "office", "is_active"]
    search_fields = ["username", "full_name"]
    inlines = [RoleGrantInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("TiAn"), {"fields": ["full_name", "phone", "member", "collective", "unit", "office", "lead_official"]}),
    )

    def save_model(self, request, obj, form, change):
        # A user's name shows wherever they worked (timelines, letters): every committee's pages show the new one.
        super().save_model(request, obj, form, change)
        names_changed_everywhere()
