from __future__ import annotations

from unkonf.core.exceptions import DomainError


class ChatError(DomainError):
    """A chat rule refused the action."""


class Muted(ChatError):
    """A moderator has muted this person in this barcamp."""


class TooFast(ChatError):
    """Too many messages in a short time."""
