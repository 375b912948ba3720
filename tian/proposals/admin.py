from django.contrib import admin

from tian.core.admin import ReadOnlyAdmin
from tian.organisations.admin import NamedAdmin
from tian.proposals import models as m


@admin.register(m.Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Read-only: proposals change only through the workflow's service functions."""

    list_display = ["number", "year", "title", "state", "kind", "is_key", "is_public"]
    list_filter = ["year", "state", "kind", "is_key", "is_public"]
    search_fields = ["title"]


@admin.register(m.Event)
class EventAdmin(ProposalAdmin):
    list_display = ["at", "proposal", "action", "from_state", "to_state", "actor"]
    list_filter = ["action"]
    search_fields = ["proposal__title", "note"]


admin.site.register(m.TopicCategory, NamedAdmin)
admin.site.register(m.DeclineGround, NamedAdmin)
