"""Websocket routes. The realtime backbone (issue 3) adds its consumers here."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
