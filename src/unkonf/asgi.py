"""The one ASGI application: HTTP (pages, static files) and websockets in one process."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unkonf.settings.base")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from unkonf.realtime.auth import BatchedAuthMiddleware  # noqa: E402
from unkonf.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            # Django's session and user rules, looked up in batches (realtime/auth.py).
            BatchedAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
