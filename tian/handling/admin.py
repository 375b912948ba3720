from django.contrib import admin

from tian.handling.models import OutcomeClass
from tian.organisations.admin import NamedAdmin

admin.site.register(OutcomeClass, NamedAdmin)
