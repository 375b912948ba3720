"""Work a request leaves until its response has gone.

What is kept per process (``tian.proposals.derived``) and the statistics' figures (``tian.stats.freshness``)
may be slow to compute anew at 100,000 proposals. The request that finds such a value outdated gets the
previous one, and the new one is computed once its response has gone (``request_finished``), so that no
visitor waits for it. ``later(key, work)`` queues ``work`` for the end of the current request (once per key),
to run in the language the request used; outside a request (commands, the task worker) it queues nothing and
returns False, and the caller computes at once. A failure is logged: the value it was to replace stays, and the
next request that finds it outdated tries again.
"""

import logging
import threading

from django.core.signals import request_finished, request_started
from django.utils import translation

logger = logging.getLogger(__name__)
_state = threading.local()  # per thread: the work queued by the request being answered, or None


def later(key, work) -> bool:
    """Queue ``work()`` for when the current response has gone; False outside a request."""
    queued = getattr(_state, "queued", None)
    if queued is None:
        return False
    queued.setdefault(key, (work, translation.get_language()))
    return True


def _started(**kwargs):
    _state.queued = {}


def _finished(**kwargs):
    queued, _state.queued = getattr(_state, "queued", None), None
    for key, (work, language) in (queued or {}).items():
        try:
            with translation.override(language):
                work()
        except Exception:
            logger.exception("work left until after the response failed: %r", key)


def connect() -> None:
    request_started.connect(_started, dispatch_uid="tian.core.after_response.started")
    request_finished.connect(_finished, dispatch_uid="tian.core.after_response.finished")
