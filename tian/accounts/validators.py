"""Password rules beyond Django's own: complexity and no reuse of recent passwords."""

import re

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    def validate(self, password, user=None):
        kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
        if kinds < 3:
            raise ValidationError(_("Use at least three of: lower-case letters, capitals, digits and symbols."),
                                  code="password_too_simple")

    def get_help_text(self):
        return _("Use at least three of: lower-case letters, capitals, digits and symbols.")


class NotRecentlyUsedValidator:
    def __init__(self, count=None):
        self.count = count or getattr(settings, "PASSWORD_HISTORY_COUNT", 5)

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        recent = list(user.password_history.values_list("password", flat=True)[: self.count])
        if user.password:
            recent.append(user.password)
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(_("You used this password recently; choose another one."),
                                  code="password_reused")

    def get_help_text(self):
        return _("It must differ from your last %(n)d passwords.") % {"n": self.count}
