"""Websocket routes."""

from __future__ import annotations

from typing import Any

from django.urls import path

from unkonf.realtime.consumers import EventConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/events/<slug:slug>/", EventConsumer.as_asgi()),
]
