"""The one error type that services raise when a rule refuses an action."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the barcamp refused an action; ``message`` is translated and safe to show."""

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
