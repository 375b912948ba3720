"""A phone number as people write one on a form: whether what was typed into a phone field can be one."""

import re
import unicodedata

from django.utils.translation import gettext as _

# Digits with the usual separators, an extension (转 123, 分机), or two numbers; full-width ones read as digits.
WRITTEN_PHONE = re.compile(r"^[\d\s+\-()（）－—/、,，;；转分机]*$")


def phone_refusal(value: str) -> str | None:
    """Why ``value`` is not a phone number (a letter's contact line, a proposer's contact phone), or None: it holds
    only what a phone is written with, and at least five digits (a district's short office numbers included)."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if value and (not WRITTEN_PHONE.match(value) or sum(ch.isdigit() for ch in value) < 5):
        return _("Please enter a phone number (digits, with an area code or an extension if needed).")
    return None
