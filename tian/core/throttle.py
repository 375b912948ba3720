"""Counting what one person or address asks for within a clock window, in Django's cache: exact when the cache is
shared by the server processes (Redis, the file cache), per process with a local-memory cache. Used to slow down a
storm of wrong passwords from one address (``accounts.throttling``) and of documents made for one account
(``documents.views``)."""

import time

from django.core.cache import cache


def _key(scope: str, who, window: int) -> str:
    return f"tian:{scope}:{who}:{int(time.time() // window)}"


def counted(scope: str, who, *, window: int = 60) -> int:
    """How many times ``who`` was counted for ``scope`` in the current window."""
    return cache.get(_key(scope, who, window), 0)


def count(scope: str, who, *, window: int = 60) -> int:
    """Count ``who`` once more for ``scope`` in the current window; the count now."""
    key = _key(scope, who, window)
    if cache.add(key, 1, timeout=2 * window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=2 * window)
        return 1


def seconds_left(window: int = 60) -> int:
    """Seconds until the current window ends (for a Retry-After header)."""
    return max(1, int(window - time.time() % window))
