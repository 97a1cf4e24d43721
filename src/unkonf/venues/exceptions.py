from __future__ import annotations

from unkonf.core.exceptions import DomainError


class RoomError(DomainError):
    """A rule about rooms refused the change."""
