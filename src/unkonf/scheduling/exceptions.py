from __future__ import annotations

from unkonf.core.exceptions import DomainError


class SchedulingError(DomainError):
    """A rule about the grid refused the change."""


class SlotOverlap(SchedulingError):
    """Two slots of a day would overlap."""
