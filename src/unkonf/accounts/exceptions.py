from __future__ import annotations

from unkonf.core.exceptions import DomainError


class AccountError(DomainError):
    """A rule about accounts refused the change."""
