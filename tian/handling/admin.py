from django.contrib import admin

from tian.handling.models import OutcomeClass

admin.site.register(OutcomeClass)
