from django.contrib import admin

from tian.organisations import models as m

admin.site.register(m.Committee)


@admin.register(m.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["__str__", "committee", "start_date", "end_date"]


@admin.register(m.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "plenary_start", "plenary_end", "plenary_deadline"]


@admin.register(m.Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "party", "workplace", "is_active"]
    list_filter = ["sector", "party", "is_active"]
    search_fields = ["name", "workplace"]


@admin.register(m.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "kind", "office_phone", "is_active"]
    search_fields = ["name", "full_name"]


for model in (m.Sector, m.Party, m.CollectiveProposer, m.SupervisingOffice, m.LeadOfficial):
    admin.site.register(model)
