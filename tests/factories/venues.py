"""Rooms of a barcamp."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from tests.factories.events import EventFactory
from unkonf.venues.enums import Equipment, RoomKind
from unkonf.venues.models import Room

ROOM_NAMES = ("Ratssaal", "Raum Spree", "Raum Havel", "Bibliothek", "Foyer", "Werkstatt", "Kantine")


def _room_name(n: int) -> str:
    base = ROOM_NAMES[n % len(ROOM_NAMES)]
    return base if n < len(ROOM_NAMES) else f"{base} {n // len(ROOM_NAMES) + 1}"


class RoomFactory(DjangoModelFactory[Room]):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(_room_name)
    kind = RoomKind.WORKSHOP
    capacity = 30
    location = "2. OG, links neben der Treppe"
    equipment = factory.LazyFunction(
        lambda: [Equipment.PROJECTOR.value, Equipment.WHITEBOARD.value]
    )
    video_url = ""
    position = factory.Sequence(lambda n: n + 1)

    class Params:
        online = factory.Trait(
            location="", video_url="https://meet.musterstadt.example/barcamp-raum"
        )
