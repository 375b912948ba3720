from django.contrib import admin

from tian.audit.models import AuditEntry
from tian.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read only: the audit log cannot be edited or deleted through the admin."""

    list_display = ["at", "username", "action", "object_type", "object_id", "address"]
    list_filter = ["action"]
    search_fields = ["username", "object_id", "detail"]
