"""A sliding-window rate limit in the cache (shared across processes when Redis is configured).

The count of the current window plus the previous window's count, weighted by how much of it
still lies within the last ``window_seconds``: a burst across a window boundary is counted as
one burst (a fixed window would let twice the limit through). If the cache is unreachable the
request is let through and a warning is logged: a Redis hiccup must not stop a barcamp's chat.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; return False when it goes beyond ``limit`` per ``window_seconds``."""
    now = time.time()
    window, into = divmod(now, window_seconds)
    current_key = f"rl:{scope}:{key}:{int(window)}"
    previous_key = f"rl:{scope}:{key}:{int(window) - 1}"
    try:
        if cache.add(current_key, 1, timeout=2 * window_seconds + 1):
            current = 1
        else:
            try:
                current = cache.incr(current_key)
            except ValueError:  # expired between add and incr
                cache.set(current_key, 1, timeout=2 * window_seconds + 1)
                current = 1
        previous = int(cache.get(previous_key) or 0)
    except Exception:  # the cache backend's own errors (Redis down) have no common base class
        logger.warning("rate limit %s not checked: cache unavailable", scope, exc_info=True)
        return True
    weight = 1.0 - into / window_seconds
    return previous * weight + current <= limit
