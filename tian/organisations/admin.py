from django.contrib import admin

from tian.organisations import models as m
from tian.organisations.services import delete_refusal, named_delete, named_save


class NamedAdmin(admin.ModelAdmin):
    """Rows that pages show by name: the admin saves and deletes them through the same services as the management
    pages, which move the committee's names version (a rename shows on every page at once)."""

    def save_model(self, request, obj, form, change):
        named_save(obj, by=request.user)

    def get_deleted_objects(self, objs, request):
        """The admin's confirmation page lists a row still named where deleting would drop it without a word
        (``delete_refusal``) as protected: the page says why and offers no delete."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [refusal for obj in objs if (refusal := delete_refusal(obj))]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        named_delete(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            named_delete(obj, by=request.user)


admin.site.register(m.Committee, NamedAdmin)


@admin.register(m.Term)
class TermAdmin(NamedAdmin):
    list_display = ["__str__", "committee", "start_date", "end_date"]


@admin.register(m.Session)
class SessionAdmin(NamedAdmin):
    list_display = ["__str__", "year", "plenary_start", "plenary_end", "plenary_deadline"]


@admin.register(m.Member)
class MemberAdmin(NamedAdmin):
    list_display = ["name", "sector", "party", "workplace", "is_active"]
    list_filter = ["sector", "party", "is_active"]
    search_fields = ["name", "workplace"]


@admin.register(m.Unit)
class UnitAdmin(NamedAdmin):
    list_display = ["name", "full_name", "kind", "office_phone", "is_active"]
    search_fields = ["name", "full_name"]


for model in (m.Sector, m.Party, m.CollectiveProposer, m.SupervisingOffice, m.LeadOfficial):
    admin.site.register(model, NamedAdmin)
