from django.contrib import admin

from tian.organisations.admin import NamedAdmin
from tian.proposals import models as m

# Proposals and their events are not in the admin site: what anyone reads of a proposal goes through the disclosure
# policy on TiAn's own pages, and the administrator, who holds no tie to any proposal, would read every member's
# draft and the office's internal notes here (the workflow's services are the only way they change anyway).
admin.site.register(m.TopicCategory, NamedAdmin)
admin.site.register(m.DeclineGround, NamedAdmin)
