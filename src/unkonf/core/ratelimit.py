"""A fixed-window rate limit in the cache (shared across processes when Redis is configured)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; return False when the limit for this window is exceeded."""
    window = int(time.time()) // window_seconds
    cache_key = f"rl:{scope}:{key}:{window}"
    added = cache.add(cache_key, 1, timeout=window_seconds + 1)
    if added:
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window_seconds + 1)
            count = 1
    return count <= limit
