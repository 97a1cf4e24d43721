"""htmx helpers shared by the apps' views."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Did htmx (or a script that sends its header) make the request? django-htmx's middleware
    sets ``request.htmx``; requests made without it (tests with a bare request) count as no."""
    return bool(getattr(request, "htmx", False))
