"""A check of the roles ``TWO_FACTOR_REQUIRED_ROLES`` names: a misspelt role would silently leave its people to sign in
with a password alone (run by ``manage.py check``, ``migrate`` and ``runserver``)."""

from django.conf import settings
from django.core.checks import Error, register

from tian.accounts.roles import Role


@register()
def two_factor_roles(app_configs=None, **kwargs) -> list[Error]:
    unknown = [role for role in settings.TWO_FACTOR_REQUIRED_ROLES if role not in Role.values]
    if not unknown:
        return []
    return [Error(f"TWO_FACTOR_REQUIRED_ROLES names no such role: {', '.join(unknown)}",
                  hint=f"The roles: {', '.join(Role.values)}.", id="tian.E002")]
