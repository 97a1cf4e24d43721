"""Who may read, write and moderate chat in a barcamp."""

from __future__ import annotations

from typing import Any

from unkonf.events import permissions as event_permissions
from unkonf.events.enums import Role
from unkonf.events.models import Event

MODERATOR_ROLES: frozenset[str] = frozenset({Role.ORGANISER, Role.MODERATOR})


def can_read_chat(user: Any, event: Event) -> bool:
    """Chat shows names: registered participants and the team, not the whole internet."""
    return event_permissions.takes_part(user, event)


def can_write_chat(user: Any, event: Event) -> bool:
    return can_read_chat(user, event)


def can_moderate_chat(user: Any, event: Event) -> bool:
    return event_permissions.is_superuser(user) or bool(
        MODERATOR_ROLES & event_permissions.roles_of(user, event)
    )
