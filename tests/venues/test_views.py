"""The organiser's room pages through Django's test client (under ``/en/``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpResponse

from tests.factories import EventFactory, RoomFactory, UserFactory
from tests.pages import CheckedClient, Page, en, field_errors, messages_of, text
from unkonf.accounts.models import User
from unkonf.events.models import Event
from unkonf.venues.models import Room

pytestmark = pytest.mark.integration


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def organiser(db: None) -> User:
    return UserFactory(name="Olga Organisatorin", language="en")


@pytest.fixture
def event(organiser: User) -> Event:
    return EventFactory(name="Barcamp Räume", slug="raeume", organiser=organiser)


@pytest.fixture
def organiser_client(client: CheckedClient, organiser: User) -> CheckedClient:
    client.force_login(organiser)
    return client


def room_form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Raum Spree",
        "kind": "workshop",
        "capacity": "25",
        "location": "1. OG, rechts",
        "equipment": ["projector", "step_free"],
        "video_url": "https://meet.musterstadt.example/spree",
    }
    return {**data, **changes}


def room_rows(response: HttpResponse) -> list[list[str]]:
    """The room table: name, kind, capacity, location, equipment, online."""
    rows = re.findall(r"<tr>\s*(<td>.*?)</tr>", response.content.decode(), re.S)
    return [
        [Page(cell).text for cell in re.findall(r"<td>(.*?)</td>", row, re.S)[:6]] for row in rows
    ]


def order_of(event: Event) -> list[str]:
    return list(
        Room.objects.filter(event=event).order_by("position").values_list("name", flat=True)
    )


# --- Journeys ---------------------------------------------------------------------------------


def test_room_list_adds_room_with_equipment_and_video_link(
    organiser_client: CheckedClient, event: Event
) -> None:
    path = en("venues:room-list", slug=event.slug)

    empty = organiser_client.get(path)
    response = organiser_client.post(path, room_form(), follow=True)

    assert "No rooms yet." in text(empty)
    assert response.redirect_chain == [(path, 302)]
    assert messages_of(response) == ["The room has been added."]
    room = Room.objects.get(event=event)
    assert (room.name, room.kind, room.capacity, room.location, room.equipment, room.video_url) == (
        "Raum Spree",
        "workshop",
        25,
        "1. OG, rechts",
        ["projector", "step_free"],
        "https://meet.musterstadt.example/spree",
    )
    assert room_rows(response) == [
        [
            "Raum Spree",
            "Workshop room",
            "25",
            "1. OG, rechts",
            "Projector, Step-free access",
            "video link",
        ]
    ]


def test_room_video_link_without_scheme_gets_https(
    organiser_client: CheckedClient, event: Event
) -> None:
    organiser_client.post(
        en("venues:room-list", slug=event.slug),
        room_form(video_url="meet.musterstadt.example/havel", equipment=[]),
    )

    room = Room.objects.get(event=event)
    assert (room.video_url, room.equipment) == ("https://meet.musterstadt.example/havel", [])


def test_room_edit_shows_current_values_and_saves_changes(
    organiser_client: CheckedClient, event: Event
) -> None:
    room = RoomFactory(event=event, name="Ratssaal", equipment=["microphone"], capacity=80)
    path = en("venues:room-edit", slug=event.slug, pk=room.pk)

    form_page = organiser_client.get(path)
    response = organiser_client.post(
        path,
        room_form(name="Großer Ratssaal", kind="stage", capacity="120", equipment=["screen"]),
        follow=True,
    )

    page = form_page.content.decode()
    assert "Edit Ratssaal" in text(form_page)
    assert 'value="Ratssaal"' in page
    assert re.search(
        r'<input type="checkbox" name="equipment" value="microphone"[^>]*checked', page
    )
    assert response.redirect_chain == [(en("venues:room-list", slug=event.slug), 302)]
    assert messages_of(response) == ["The room has been saved."]
    room.refresh_from_db()
    assert (room.name, room.kind, room.capacity, room.equipment) == (
        "Großer Ratssaal",
        "stage",
        120,
        ["screen"],
    )


def test_room_move_buttons_reorder_rooms(organiser_client: CheckedClient, event: Event) -> None:
    first, second, third = (
        RoomFactory(event=event, name=name, position=n)
        for n, name in enumerate(["Ratssaal", "Raum Spree", "Foyer"], start=1)
    )
    move = lambda room: en("venues:room-move", slug=event.slug, pk=room.pk)  # noqa: E731

    list_page = organiser_client.get(en("venues:room-list", slug=event.slug))
    up = organiser_client.post(move(third), {"direction": "up"}, follow=True)
    order_after_up = order_of(event)
    organiser_client.post(move(first), {"direction": "down"})
    order_after_down = order_of(event)
    organiser_client.post(move(third), {"direction": "up"})  # already first: stays
    organiser_client.post(move(second), {"direction": "down"})  # already last: stays

    buttons = re.findall(
        r'name="direction" value="(up|down)"[^>]*>([^<]*)<', list_page.content.decode()
    )
    assert buttons == [
        ("down", "Move Ratssaal down"),
        ("up", "Move Raum Spree up"),
        ("down", "Move Raum Spree down"),
        ("up", "Move Foyer up"),
    ]
    assert messages_of(up) == ["The order of the rooms has been changed."]
    assert [row[0] for row in room_rows(up)] == ["Ratssaal", "Foyer", "Raum Spree"]
    assert order_after_up == ["Ratssaal", "Foyer", "Raum Spree"]
    assert order_after_down == ["Foyer", "Ratssaal", "Raum Spree"]
    assert order_of(event) == ["Foyer", "Ratssaal", "Raum Spree"]


def test_room_delete_removes_only_that_room(organiser_client: CheckedClient, event: Event) -> None:
    keep, gone = RoomFactory(event=event, name="Ratssaal"), RoomFactory(event=event, name="Foyer")

    response = organiser_client.post(
        en("venues:room-delete", slug=event.slug, pk=gone.pk), follow=True
    )

    assert messages_of(response) == ["The room “Foyer” has been deleted."]
    assert list(Room.objects.filter(event=event)) == [keep]
    assert [row[0] for row in room_rows(response)] == ["Ratssaal"]


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        (
            {"name": "R" * 10_000},
            "name",
            "Ensure this value has at most 120 characters (it has 10000).",
        ),
        ({"capacity": ""}, "capacity", "This field is required."),
        ({"capacity": "0"}, "capacity", "Ensure this value is greater than or equal to 1."),
        ({"capacity": "-3"}, "capacity", "Ensure this value is greater than or equal to 1."),
        ({"capacity": "100001"}, "capacity", "Ensure this value is less than or equal to 100000."),
        ({"capacity": "9" * 40}, "capacity", "Ensure this value is less than or equal to 100000."),
        ({"capacity": "zwanzig"}, "capacity", "Enter a whole number."),
        ({"capacity": "2.5"}, "capacity", "Enter a whole number."),
        (
            {"kind": "bunker"},
            "kind",
            "Select a valid choice. bunker is not one of the available choices.",
        ),
        (
            {"equipment": ["projector", "teleporter"]},
            "equipment",
            "Select a valid choice. teleporter is not one of the available choices.",
        ),
        ({"video_url": "javascript:alert(1)"}, "video_url", "Enter a valid URL."),
        (
            {"video_url": "data:text/html,<script>alert(1)</script>"},
            "video_url",
            "Enter a valid URL.",
        ),
        ({"video_url": "https://"}, "video_url", "Enter a valid URL."),
        (
            {"video_url": "https://x.example/" + "a" * 500},
            "video_url",
            "Ensure this value has at most 500 characters (it has 518).",
        ),
    ],
)
def test_room_with_bad_input_shows_error_on_field_and_saves_nothing(
    organiser_client: CheckedClient,
    event: Event,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = organiser_client.post(en("venues:room-list", slug=event.slug), room_form(**changes))

    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}
    assert "Please check your input" in text(response)
    assert Room.objects.count() == 0


@pytest.mark.parametrize("url", ["ftp://files.example/raum", "ftps://files.example/raum"])
def test_room_video_link_must_be_http_or_https(
    organiser_client: CheckedClient, event: Event, url: str
) -> None:
    response = organiser_client.post(
        en("venues:room-list", slug=event.slug), room_form(video_url=url)
    )

    assert response.status_code == 400
    assert field_errors(response) == {"video_url": ["Enter a valid URL."]}
    assert Room.objects.count() == 0


def test_room_with_name_of_another_room_is_refused(
    organiser_client: CheckedClient, event: Event
) -> None:
    RoomFactory(event=event, name="Ratssaal")

    response = organiser_client.post(
        en("venues:room-list", slug=event.slug), room_form(name="RATSSAAL")
    )

    assert response.status_code == 400
    assert field_errors(response) == {"name": ["There is already a room with this name."]}
    assert Room.objects.count() == 1


def test_room_name_of_another_barcamp_is_fine(
    organiser_client: CheckedClient, event: Event
) -> None:
    RoomFactory(event=EventFactory(), name="Raum Spree")

    response = organiser_client.post(en("venues:room-list", slug=event.slug), room_form())

    assert response.status_code == 302
    assert Room.objects.filter(name="Raum Spree").count() == 2


def test_room_edit_with_bad_input_changes_nothing(
    organiser_client: CheckedClient, event: Event
) -> None:
    room = RoomFactory(event=event, name="Ratssaal", capacity=80)
    before = Room.objects.filter(pk=room.pk).values().get()

    response = organiser_client.post(
        en("venues:room-edit", slug=event.slug, pk=room.pk),
        room_form(name="Neu", capacity="-1", video_url="javascript:alert(1)"),
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "capacity": ["Ensure this value is greater than or equal to 1."],
        "video_url": ["Enter a valid URL."],
    }
    assert Room.objects.filter(pk=room.pk).values().get() == before


@pytest.mark.parametrize("pk", ["abc", "0x10", "1e3", "-1", "99999999999999999999999"])
def test_room_with_malformed_or_unknown_pk_is_404(
    organiser_client: CheckedClient, event: Event, pk: str
) -> None:
    response = organiser_client.get(f"/en/{event.slug}/manage/rooms/{pk}/")

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_room_of_another_barcamp_is_404_under_own_slug(
    organiser_client: CheckedClient, event: Event
) -> None:
    foreign = RoomFactory(event=EventFactory(), name="Fremder Raum")

    edit = organiser_client.post(
        en("venues:room-edit", slug=event.slug, pk=foreign.pk), room_form(name="Gekapert")
    )
    delete = organiser_client.post(en("venues:room-delete", slug=event.slug, pk=foreign.pk))

    assert (edit.status_code, delete.status_code) == (404, 404)
    foreign.refresh_from_db()
    assert foreign.name == "Fremder Raum"


def test_get_on_room_delete_and_move_is_405_and_changes_nothing(
    organiser_client: CheckedClient, event: Event
) -> None:
    room = RoomFactory(event=event)

    delete = organiser_client.get(en("venues:room-delete", slug=event.slug, pk=room.pk))
    move = organiser_client.get(en("venues:room-move", slug=event.slug, pk=room.pk))

    assert (delete.status_code, delete["Allow"]) == (405, "POST")
    assert (move.status_code, move["Allow"]) == (405, "POST")
    assert Room.objects.filter(pk=room.pk).exists()
