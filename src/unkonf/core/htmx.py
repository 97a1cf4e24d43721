"""Small helpers for views that answer htmx requests and full page loads alike."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
