"""Masking personal mobile numbers wherever the public reads free text (137****2836).

The letter's contact line is masked by ``build_letter(public=True)``; bodies, titles and feedback are free
text and may quote a mobile number too. Office phones (0839-8622541) are not mobile numbers and stay."""

import re

# Eleven digits starting 13x–19x, not part of a longer run of digits.
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_mobiles(text: str | None) -> str:
    return MOBILE.sub(r"\1****\2", text or "")
