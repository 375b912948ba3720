from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "tian.proposals"
    verbose_name = _("Proposals")

    def ready(self):
        from django.db.models.signals import post_migrate

        from tian.proposals.derived import forget

        # Kept values are keyed on markers made of ids: a flushed database (the transactional tests) starts the ids
        # again, so what was kept under them goes.
        post_migrate.connect(forget, dispatch_uid="tian.proposals.derived.migrated")

