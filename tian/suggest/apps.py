from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestConfig(AppConfig):
    name = "tian.suggest"
    verbose_name = _("Suggested units")

    def ready(self):
        # Django's place for wiring that needs the models loaded: importing the module registers the follower that
        # records whether an assignment took the suggestion.
        from tian.suggest import followers  # noqa: F401
