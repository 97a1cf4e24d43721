from __future__ import annotations

from unkonf.core.exceptions import DomainError


class ProposalError(DomainError):
    """A rule about session proposals refused an action."""


class InterestRefused(ProposalError):
    pass


class PitchError(ProposalError):
    pass
