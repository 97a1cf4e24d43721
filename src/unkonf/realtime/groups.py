"""The only place where stream and group names are built.

A *stream* is what a client subscribes to; stored streams (chat, notices) keep every message
with a sequence number. Presence is counted per *place* (the barcamp, a room).
"""

from __future__ import annotations

import re

STREAM_NAME = re.compile(r"^(event\.\d+(\.chat|\.pitch|\.grid)?|room\.\d+\.chat|user\.\d+)$")


def event_stream(event_id: int) -> str:
    """Announcements and changes everyone at the barcamp sees."""
    return f"event.{event_id}"


def lobby_chat_stream(event_id: int) -> str:
    return f"event.{event_id}.chat"


def pitch_stream(event_id: int) -> str:
    """The pitch at the opening: who is on stage, the timer, the queue, live interest counts."""
    return f"event.{event_id}.pitch"


def grid_stream(event_id: int) -> str:
    """The grid as the moderators edit it (before and after it is published)."""
    return f"event.{event_id}.grid"


def room_chat_stream(room_id: int) -> str:
    return f"room.{room_id}.chat"


def user_stream(user_id: int) -> str:
    """Notices for one person (e.g. "your session moved")."""
    return f"user.{user_id}"


def event_place(event_id: int) -> str:
    return f"event.{event_id}"


def room_place(event_id: int, room_id: int) -> str:
    return f"event.{event_id}.room.{room_id}"


def place_event_stream(place: str) -> str:
    """Presence of a place is announced on its barcamp's stream."""
    return ".".join(place.split(".")[:2])


def is_stream_name(name: str) -> bool:
    return bool(STREAM_NAME.match(name))
