"""The API's request parser: django-ninja's, with control characters removed from every string of a JSON body
(the query parameters and form fields were cleaned by ``core.request_limits``, which says why they are removed
rather than refused)."""

import re

from ninja.parser import Parser

from tian.core.request_limits import clean_data

# Strict JSON holds a control character or a surrogate only as an escape (``\u0000``, ``\ud800``); a body without
# one is used as it was decoded.
_ESCAPE = re.compile(rb"\\u(?:00|[dD][89a-fA-F])")


class CleaningParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        return clean_data(data) if _ESCAPE.search(request.body) else data
