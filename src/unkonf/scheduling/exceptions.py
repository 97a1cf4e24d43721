from __future__ import annotations

from unkonf.core.exceptions import DomainError


class SchedulingError(DomainError):
    """A rule about the grid refused the change."""


class SlotOverlap(SchedulingError):
    """Two slots of a day would overlap."""


class CellTaken(SchedulingError):
    """Another session is already in this room and slot."""


class GridConflict(SchedulingError):
    """The grid changed since the editor saw it; the change was refused, nothing lost."""


class TimerError(SchedulingError):
    """The timekeeper's clock refused the change."""
