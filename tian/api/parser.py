"""The API's request parser: django-ninja's, with control and invisible format characters removed from every string
of a JSON body (the query parameters and form fields were cleaned by ``core.request_limits``, which says why they
are removed rather than refused)."""

import re

from ninja.parser import Parser

from tian.core.request_limits import clean_data

# Strict JSON holds a control character or a surrogate only as an escape (``\u0000``, ``\ud800``); the invisible
# format characters ``clean_text`` removes come as an escape (``\u200b``) or as themselves (their UTF-8 bytes). A
# body with none of these is used as it was decoded.
_ESCAPE = re.compile(rb"\\u(?:00|[dD][89a-fA-F]|20[0-6]|[fF][eE][fF][fF])"
                     rb"|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf")


class CleaningParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        return clean_data(data) if _ESCAPE.search(request.body) else data
