from __future__ import annotations

from unkonf.core.exceptions import DomainError


class EventError(DomainError):
    """A rule about a barcamp's setup refused the change."""


class PublishError(EventError):
    """The barcamp cannot be published yet."""


class RegistrationError(DomainError):
    """A registration rule refused the change."""


class AlreadyRegistered(RegistrationError):
    """This e-mail address already holds an active registration for the barcamp."""


class RegistrationClosed(RegistrationError):
    """Registration is not open."""


class RoleError(DomainError):
    """A rule about roles refused the change."""
