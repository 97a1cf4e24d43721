"""Who may read, write and moderate the chat of a barcamp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory, UserFactory
from unkonf.chat.permissions import can_moderate_chat, can_read_chat, can_write_chat
from unkonf.events.enums import Role
from unkonf.events.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _role(role: str) -> Callable[[Event], Any]:
    def make(event: Event) -> Any:
        return EventRoleFactory(event=event, role=role).user

    return make


# who → (may read and write, may moderate)
PEOPLE: dict[str, tuple[Callable[[Event], Any], bool, bool]] = {
    "anonymous visitor": (lambda event: AnonymousUser(), False, False),
    "logged in, not registered": (lambda event: UserFactory(), False, False),
    "participant": (lambda event: RegistrationFactory(event=event).user, True, False),
    "on the waiting list": (
        lambda event: RegistrationFactory(event=event, waiting=True).user,
        False,
        False,
    ),
    "cancelled": (
        lambda event: RegistrationFactory(event=event, cancelled=True).user,
        False,
        False,
    ),
    "participant of another barcamp": (
        lambda event: RegistrationFactory(event=EventFactory()).user,
        False,
        False,
    ),
    "organiser": (_role(Role.ORGANISER), True, True),
    "moderator": (_role(Role.MODERATOR), True, True),
    "timekeeper": (_role(Role.TIMEKEEPER), True, False),
    "organiser of another barcamp": (
        lambda event: EventRoleFactory(event=EventFactory(), role=Role.ORGANISER).user,
        False,
        False,
    ),
    "superuser": (lambda event: UserFactory(superuser=True), True, True),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_chat_permissions_of(who: str) -> None:
    make, may_talk, may_moderate = PEOPLE[who]
    event = EventFactory()
    user = make(event)

    assert (
        can_read_chat(user, event),
        can_write_chat(user, event),
        can_moderate_chat(user, event),
    ) == (may_talk, may_talk, may_moderate)


def test_participant_of_an_unpublished_barcamp_cannot_read_its_chat() -> None:
    event = EventFactory(unpublished=True)
    participant = RegistrationFactory(event=event).user
    organiser = EventRoleFactory(event=event, role=Role.ORGANISER).user

    assert (can_read_chat(participant, event), can_read_chat(organiser, event)) == (False, True)


def test_participant_of_an_invite_only_barcamp_reads_its_chat() -> None:
    event = EventFactory(invite_only=True)
    participant = RegistrationFactory(event=event).user

    assert (can_read_chat(participant, event), can_read_chat(UserFactory(), event)) == (True, False)
