from django.contrib import admin

from tian.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the audit log cannot be edited or deleted through the admin."""

    list_display = ["at", "username", "action", "object_type", "object_id", "address"]
    list_filter = ["action"]
    search_fields = ["username", "object_id", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
