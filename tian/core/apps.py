from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tian.core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_migrate

        from tian.core.context_processors import forget_committee

        # Saving the committee forgets it too: wired in OrganisationsConfig, which owns the model.
        post_migrate.connect(forget_committee, dispatch_uid="tian.core.forget_committee_migrated")  # a flushed database
