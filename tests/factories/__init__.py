"""factory_boy factories for the whole suite; import them from here."""

from tests.factories.accounts import UserFactory
from tests.factories.events import (
    DayFactory,
    EventFactory,
    EventRoleFactory,
    RegistrationFactory,
)
from tests.factories.proposals import ProposalFactory
from tests.factories.scheduling import TimeSlotFactory
from tests.factories.venues import RoomFactory

__all__ = [
    "DayFactory",
    "EventFactory",
    "EventRoleFactory",
    "ProposalFactory",
    "RegistrationFactory",
    "RoomFactory",
    "TimeSlotFactory",
    "UserFactory",
]
