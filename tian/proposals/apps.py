from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "tian.proposals"
    verbose_name = _("Proposals")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from tian.proposals.derived import forget
        from tian.proposals.models import Event

        # In this process a new event is seen at once; a flushed database (tests) starts the ids again.
        post_save.connect(forget, sender=Event, dispatch_uid="tian.proposals.derived.saved")
        post_delete.connect(forget, sender=Event, dispatch_uid="tian.proposals.derived.deleted")
        post_migrate.connect(forget, dispatch_uid="tian.proposals.derived.migrated")

        from tian.proposals import revisions

        revisions.connect()
