from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "tian.supervision"
    verbose_name = _("Supervision")
