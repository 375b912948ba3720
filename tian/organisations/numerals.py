"""Chinese numerals as used in term and session names (第七届, 七届三次全会)."""

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 20 → 二十, 99 → 九十九. Terms and sessions never exceed 99."""
    if not 0 < n < 100:
        raise ValueError(f"{n} is outside 1..99")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    prefix = "" if tens == 1 else _DIGITS[tens]
    return prefix + "十" + (_DIGITS[ones] if ones else "")
