"""Names as the importers compare them."""

import re

# Spaces next to a Chinese character pad a name ("张　三", "张 三": two characters aligned with three); spaces
# between the words of other scripts are part of it.
_PADDING = re.compile(r"\s+(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\s+")


def plain_name(value) -> str:
    """A name (of a person, a unit, a sector …) in the form names are compared and stored in: without the padding
    of a Chinese name, whichever import brings it (a roster, a proposal list, a legacy page)."""
    return _PADDING.sub("", str(value or "").strip())
