from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tian.accounts import checks  # noqa: F401 - registers the check of TWO_FACTOR_REQUIRED_ROLES


class AccountsConfig(AppConfig):
    name = "tian.accounts"
    verbose_name = _("Accounts")
