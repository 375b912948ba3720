from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "tian.organisations"
    verbose_name = _("People and organisations")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from tian.core.context_processors import forget_committee
        from tian.organisations.models import Committee

        # The layout keeps the committee for a minute; saving it in this process forgets it at once.
        post_save.connect(forget_committee, sender=Committee, dispatch_uid="tian.core.forget_committee")
        post_delete.connect(forget_committee, sender=Committee, dispatch_uid="tian.core.forget_committee_deleted")
