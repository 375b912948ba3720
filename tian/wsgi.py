"""WSGI entry point (gunicorn tian.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tian.settings")
application = get_wsgi_application()

# Load the segmentation dictionary as the worker starts, not during its first search (tian/search/text.py).
from tian.search.text import warm  # noqa: E402 - after Django is set up

warm()

# What the worker loaded so far (Django, every view through the URLs, the dictionary) lives as long as the worker: moved out of the
# garbage collector's generations, so that a full collection during a request does not walk it again (Python's
# gc.freeze, meant for servers that load first and then serve).
import gc  # noqa: E402

from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - imports every view now, before the freeze, not in a first request
gc.freeze()
