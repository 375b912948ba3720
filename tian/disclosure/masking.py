"""Masking personal data in free text: mobile numbers however written, ID card numbers, and (where the
committee chooses) fixed lines with an area code.

A mobile number is eleven digits starting 13x–19x. People write them with spaces or hyphens between the
digits (``139 1234 5678``, ``139-8765-4321``), with a country code (``+86``, ``0086``, ``86``) and with
full-width digits (``１３９…``), with spaces around the hyphens (``137 - 9595 - 2836``) and the first three in
brackets (``(137)9595-2836``, ``+86 (137) 9595 2836``). All of these read as ``139****5678`` once masked; the
country code, if any, stays. The patterns allow at most three separator characters between two digits, none of
them a digit, so matching stays linear in the text's length whatever it holds.
"""

import re

DIGIT = "[0-9０-９]"
# Up to three separator characters between two digits (" - "): spaces (also no-break and ideographic), hyphens,
# dashes and dots.
SEP = "[ \u00a0\u3000\\-\u2010\u2011\u2012\u2013\u2014\uff0d.]{0,3}"
OPEN, CLOSE = "[(（]?", "[)）]?"
NOT_DIGIT_BEFORE = "(?<![0-9０-９])"
NOT_DIGIT_AFTER = "(?![0-9０-９])"

MOBILE = re.compile(
    NOT_DIGIT_BEFORE
    + r"(?P<prefix>(?:(?:\+|＋|00|００)[ \u00a0]?)?(?:86|８６)" + SEP + ")?"
    + f"(?P<number>{OPEN}[1１]{SEP}{DIGIT}{SEP}{DIGIT}{CLOSE}" + f"(?:{SEP}{DIGIT}){{8}})" + NOT_DIGIT_AFTER
)
# 18-digit resident ID numbers (the last may be X); 15-digit old ones.
ID_NUMBER = re.compile(NOT_DIGIT_BEFORE + f"(?P<number>{DIGIT}{{17}}[0-9０-９Xx]|{DIGIT}{{15}})" + r"(?![0-9０-９Xx])")
# Fixed lines with an area code: 0839-8622541, (0839)8622541, 010 6512 3456.
LANDLINE = re.compile(
    NOT_DIGIT_BEFORE + r"(?P<area>[(（]?[0０]" + f"{DIGIT}{{2,3}}" + r"[)）]?)"
    + SEP + f"(?P<number>{DIGIT}(?:{SEP}{DIGIT}){{6,7}})" + NOT_DIGIT_AFTER
)

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _digits(text: str) -> str:
    return "".join(ch for ch in text.translate(_FULL_WIDTH) if ch.isdigit())


def _mask_mobile(match: re.Match) -> str:
    number = match["number"]
    digits = _digits(number)
    if digits[1] not in "3456789":
        return match[0]
    # A bracket opened before the number and not closed after its first three digits closes after the number
    # ("(13795952836)"): it is kept.
    bracket = number[0] if number[0] in "(（" and not any(c in number for c in ")）") else ""
    return f"{match['prefix'] or ''}{bracket}{digits[:3]}****{digits[-4:]}"


def _mask_id(match: re.Match) -> str:
    number = match["number"].translate(_FULL_WIDTH)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def _mask_landline(match: re.Match) -> str:
    digits = _digits(match["number"])
    return f"{match['area']}-{'*' * (len(digits) - 4)}{digits[-4:]}"


def mask_personal(text: str | None, *, landlines: bool = False) -> str:
    """``text`` with ID numbers and mobile numbers masked (and fixed lines too when ``landlines``)."""
    if not text:
        return ""
    text = ID_NUMBER.sub(_mask_id, text)
    text = MOBILE.sub(_mask_mobile, text)
    if landlines:
        text = LANDLINE.sub(_mask_landline, text)
    return text
