from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "tian.search"
    verbose_name = _("Search")

    def ready(self):
        # Django's place for wiring that needs the models loaded: importing the module registers the follower.
        from tian.search import followers  # noqa: F401
