"""WSGI entry point (gunicorn tian.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tian.settings")
application = get_wsgi_application()

# Load the segmentation dictionary as the worker starts, not during its first search (tian/search/text.py).
from tian.search.text import warm  # noqa: E402 - after Django is set up

warm()
