"""Rooms of a barcamp, through the services."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import EventFactory, RoomFactory, UserFactory
from unkonf.core.models import AuditLogEntry
from unkonf.venues.enums import Equipment, RoomKind
from unkonf.venues.exceptions import RoomError
from unkonf.venues.models import Room
from unkonf.venues.services import create_room, delete_room, move_room, update_room

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def names(event) -> list[str]:
    return list(
        Room.objects.filter(event=event).order_by("position", "pk").values_list("name", flat=True)
    )


def test_create_room_appends_at_the_end():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    RoomFactory(event=event, name="Ratssaal", position=4)

    room = create_room(
        event,
        actor=organiser,
        name="Raum Spree",
        kind=RoomKind.WORKSHOP,
        capacity=25,
        location="1. OG",
        equipment=[Equipment.PINBOARD, Equipment.STEP_FREE],
        video_url="https://meet.musterstadt.example/spree",
    )

    room.refresh_from_db()
    assert (room.name, room.capacity, room.position) == ("Raum Spree", 25, 5)
    assert room.equipment == ["pinboard", "step_free"]
    assert room.equipment_labels() == ["Pinboard", "Step-free access"]
    assert room.is_online
    assert names(event) == ["Ratssaal", "Raum Spree"]
    assert list(
        AuditLogEntry.objects.filter(action="room.created").values_list("actor_id", "event_id")
    ) == [(organiser.pk, event.pk)]


def test_create_room_first_room_gets_position_one():
    event = EventFactory()

    room = create_room(event, actor=UserFactory(), name="Foyer", capacity=80)

    assert room.position == 1
    assert not room.is_online


def test_create_room_name_taken_in_any_case_is_refused():
    event = EventFactory()
    RoomFactory(event=event, name="Ratssaal")

    with pytest.raises(RoomError, match=r"There is already a room with this name.") as excinfo:
        create_room(event, actor=UserFactory(), name="RATSSAAL", capacity=10)

    assert excinfo.value.field == "name"
    assert names(event) == ["Ratssaal"]


def test_create_room_same_name_in_another_event_is_fine():
    RoomFactory(name="Ratssaal")
    event = EventFactory()

    create_room(event, actor=UserFactory(), name="Ratssaal", capacity=10)

    assert names(event) == ["Ratssaal"]


def test_create_room_unknown_equipment_is_refused():
    event = EventFactory()

    with pytest.raises(RoomError, match=r"Unknown equipment: beamer, kaffee") as excinfo:
        create_room(
            event,
            actor=UserFactory(),
            name="Raum",
            capacity=10,
            equipment=["projector", "beamer", "kaffee"],
        )

    assert excinfo.value.field == "equipment"
    assert not Room.objects.filter(event=event).exists()


def test_create_room_invalid_capacity_is_refused():
    event = EventFactory()

    with pytest.raises(RoomError) as excinfo:
        create_room(event, actor=UserFactory(), name="Raum", capacity=0)

    assert excinfo.value.field == "capacity"
    assert str(excinfo.value) == "Ensure this value is greater than or equal to 1."
    assert not Room.objects.filter(event=event).exists()


def test_create_room_unknown_field_is_a_programming_error():
    with pytest.raises(TypeError, match=r"unknown room fields"):
        create_room(EventFactory(), actor=UserFactory(), name="Raum", capacity=10, position=3)


def test_update_room_keeps_its_own_name_and_records_audit():
    organiser = UserFactory()
    room = RoomFactory(name="Bibliothek", capacity=20)

    update_room(room, actor=organiser, name="Bibliothek", capacity=35)

    assert Room.objects.values_list("name", "capacity").get(pk=room.pk) == ("Bibliothek", 35)
    assert list(
        AuditLogEntry.objects.filter(action="room.updated").values_list("actor_id", "event_id")
    ) == [(organiser.pk, room.event_id)]


def test_update_room_to_the_name_of_another_room_is_refused():
    event = EventFactory()
    RoomFactory(event=event, name="Ratssaal")
    room = RoomFactory(event=event, name="Foyer")

    with pytest.raises(RoomError) as excinfo:
        update_room(room, actor=UserFactory(), name="ratssaal")

    assert excinfo.value.field == "name"
    assert Room.objects.get(pk=room.pk).name == "Foyer"


def test_delete_room_removes_it():
    organiser = UserFactory()
    room = RoomFactory(name="Werkstatt")
    event_id = room.event_id

    delete_room(room, actor=organiser)

    assert not Room.objects.filter(event_id=event_id).exists()
    entry = AuditLogEntry.objects.get(action="room.deleted")
    assert (entry.actor_id, entry.event_id, entry.data) == (
        organiser.pk,
        event_id,
        {"name": "Werkstatt"},
    )


@pytest.mark.parametrize(
    ("moved", "offset", "expected"),
    [
        ("C", -1, ["A", "C", "B"]),
        ("A", +1, ["B", "A", "C"]),
        ("C", -5, ["C", "A", "B"]),
    ],
)
def test_move_room_changes_the_order(moved, offset, expected):
    organiser = UserFactory()
    event = EventFactory()
    rooms = {
        name: RoomFactory(event=event, name=name, position=10 * i) for i, name in enumerate("ABC")
    }

    move_room(rooms[moved], actor=organiser, offset=offset)

    assert names(event) == expected
    assert list(
        Room.objects.filter(event=event).order_by("position").values_list("position", flat=True)
    ) == [1, 2, 3]
    assert (
        AuditLogEntry.objects.filter(
            action="room.moved", actor=organiser, event_id=event.pk
        ).count()
        == 1
    )


@pytest.mark.parametrize(("moved", "offset"), [("A", -1), ("C", +1)])
def test_move_room_at_the_edge_changes_nothing(moved, offset):
    event = EventFactory()
    rooms = {
        name: RoomFactory(event=event, name=name, position=i)
        for i, name in enumerate("ABC", start=1)
    }

    move_room(rooms[moved], actor=UserFactory(), offset=offset)

    assert names(event) == ["A", "B", "C"]
    assert not AuditLogEntry.objects.filter(action="room.moved").exists()


def test_move_room_leaves_other_events_alone():
    event = EventFactory()
    a, b = (
        RoomFactory(event=event, name="A", position=1),
        RoomFactory(event=event, name="B", position=2),
    )
    other = RoomFactory(name="X", position=1)

    move_room(b, actor=UserFactory(), offset=-1)

    assert names(event) == ["B", "A"]
    assert Room.objects.get(pk=other.pk).position == 1
    assert Room.objects.get(pk=a.pk).position == 2
