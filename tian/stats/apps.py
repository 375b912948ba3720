from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "tian.stats"
    verbose_name = _("Statistics")

    def ready(self):
        # Importing the module registers the follower that computes the figures again after a change.
        from tian.stats import warming  # noqa: F401
