"""Bad input over the socket: each frame is refused with a clear code, or the socket is closed
with the documented close code, and the server and everyone else carry on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.realtime.support import Camp, Socket, announcement_frame, db, run, subscribed
from unkonf.chat.models import ChatMessage
from unkonf.events.models import Announcement
from unkonf.events.services import send_announcement
from unkonf.realtime import consumers, groups

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, **extra}


NEEDS_TYPE = error("bad_frame", "A message needs a type.")
BAD_SINCE = error("bad_since", "'since' must be a sequence number.")

# What is sent (text, or bytes for a binary frame) and the error it is answered with.
BAD_FRAMES: dict[str, tuple[str | bytes, dict[str, Any]]] = {
    "malformed JSON": ('{"type": "ping"', error("bad_json", "The message is not valid JSON.")),
    "not JSON at all": ("hello", error("bad_json", "The message is not valid JSON.")),
    "JSON list": ("[1, 2]", NEEDS_TYPE),
    "JSON string": ('"ping"', NEEDS_TYPE),
    "no type": ('{"stream": "event.1"}', NEEDS_TYPE),
    "type not a string": ('{"type": 5}', NEEDS_TYPE),
    "unknown type": (
        '{"type": "admin.delete_everything"}',
        error("unknown_type", "Unknown message type.", type="admin.delete_everything"),
    ),
    "binary frame": (
        b"\x00\x01binary",
        error("bad_frame", "Only text frames with JSON are understood."),
    ),
    "unknown stream name": (
        '{"type": "subscribe", "stream": "../../etc/passwd"}',
        error("bad_stream", "Unknown stream."),
    ),
    "since a string": ('{"type": "subscribe", "stream": "event.1", "since": "7"}', BAD_SINCE),
    "since negative": ('{"type": "subscribe", "stream": "event.1", "since": -1}', BAD_SINCE),
    "since a boolean": ('{"type": "subscribe", "stream": "event.1", "since": true}', BAD_SINCE),
    "since a fraction": ('{"type": "subscribe", "stream": "event.1", "since": 1.5}', BAD_SINCE),
    "room not a number": ('{"type": "enter", "room": "12"}', error("bad_room", "Unknown room.")),
    "chat without text": (
        '{"type": "chat.post", "stream": "event.1.chat"}',
        error("bad_frame", "A chat message needs a stream and a text."),
    ),
}


async def others_carry_on(camp: Camp, *sockets: Socket) -> list[dict[str, Any]]:
    """Send an announcement; return what each of ``sockets`` receives of it."""
    await db(send_announcement)(camp.event, actor=camp.organiser, text="Weiter geht's")
    return [await socket.recv() for socket in sockets]


@pytest.mark.parametrize("case", BAD_FRAMES)
def test_bad_frame_is_answered_with_an_error_and_the_socket_stays_usable(
    camp: Camp, case: str
) -> None:
    sent, expected = BAD_FRAMES[case]
    anna_cookie = camp.cookie(camp.anna)
    answers: dict[str, Any] = {}

    async def scenario() -> None:
        sender = await Socket.open(camp.event, cookie=anna_cookie)
        bystander = await Socket.open(camp.event)
        if isinstance(sent, bytes):
            await sender.comm.send_to(bytes_data=sent)
        else:
            await sender.send_text(sent)
        answers["error"] = await sender.recv()
        answers["still answers"] = await sender.roundtrip()
        answers["announcement"] = await others_carry_on(camp, sender, bystander)
        await sender.close()
        await bystander.close()

    run(scenario)

    announcement = Announcement.objects.get()
    assert answers == {
        "error": expected,
        "still answers": [],
        "announcement": [announcement_frame(announcement, 1)] * 2,
    }


def test_entering_a_room_of_another_barcamp_is_refused(camp: Camp) -> None:
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        await visitor.send({"type": "enter", "room": camp.other_room.pk})
        answers.append(await visitor.recv())
        await visitor.close()

    run(scenario)

    assert answers == [error("forbidden", "Unknown room.")]


def test_forbidden_stream_is_refused_and_none_of_its_messages_arrive(camp: Camp) -> None:
    anna_cookie, carla_cookie = camp.cookie(camp.anna), camp.cookie(camp.carla)
    other_room_chat = groups.room_chat_stream(camp.other_room.pk)
    answers: dict[str, Any] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        carla = await Socket.open(camp.other_event, cookie=carla_cookie)
        answers["anna"] = await anna.subscribe(other_room_chat, since=0)
        answers["carla"] = await carla.subscribe(other_room_chat)
        await carla.send(
            {"type": "chat.post", "stream": other_room_chat, "text": "Nur für uns", "ref": 1}
        )
        answers["carla gets"] = sorted([f["type"] for f in await carla.recv_many(2)])
        answers["anna gets nothing"] = await anna.nothing()
        await anna.close()
        await carla.close()

    run(scenario)

    assert ChatMessage.objects.get().room == camp.other_room
    assert answers == {
        "anna": [error("forbidden", "You may not follow this stream.", stream=other_room_chat)],
        "carla": [subscribed(other_room_chat, 0)],
        "carla gets": ["ack", "chat.message_posted"],
        "anna gets nothing": True,
    }


def test_oversized_frame_closes_with_1009_and_others_carry_on(camp: Camp) -> None:
    padding = "x" * consumers.MAX_FRAME
    results: dict[str, Any] = {}

    async def scenario() -> None:
        sender = await Socket.open(camp.event)
        bystander = await Socket.open(camp.event)
        # Exactly at the limit is fine.
        at_limit = json.dumps({"type": "ping", "p": ""})
        at_limit = json.dumps({"type": "ping", "p": "x" * (consumers.MAX_FRAME - len(at_limit))})
        assert len(at_limit) == consumers.MAX_FRAME
        await sender.send_text(at_limit)
        results["at the limit"] = (await sender.recv())["type"]
        await sender.send({"type": "ping", "padding": padding})
        results["close code"] = await sender.closed_with()
        results["others"] = await others_carry_on(camp, bystander)
        await bystander.close()

    run(scenario)

    assert results == {
        "at the limit": "pong",
        "close code": 1009,
        "others": [announcement_frame(Announcement.objects.get(), 1)],
    }


def test_flood_closes_with_4029_and_others_carry_on(camp: Camp) -> None:
    flood = consumers.BURST * 3
    results: dict[str, Any] = {}

    async def scenario() -> None:
        flooder = await Socket.open(camp.event)
        bystander = await Socket.open(camp.event)
        for _ in range(flood):
            await flooder.send({"type": "ping"})
        pongs = 0
        while True:
            output = await flooder.comm.receive_output(timeout=3)
            if output["type"] == "websocket.close":
                results["close code"] = output["code"]
                break
            pongs += 1
        results["answered before the close"] = consumers.BURST <= pongs < flood
        results["others"] = await others_carry_on(camp, bystander)
        await bystander.close()

    run(scenario)

    assert results == {
        "close code": 4029,
        "answered before the close": True,
        "others": [announcement_frame(Announcement.objects.get(), 1)],
    }


def test_too_many_bad_frames_close_with_4400_and_others_carry_on(camp: Camp) -> None:
    results: dict[str, Any] = {}

    async def scenario() -> None:
        sender = await Socket.open(camp.event)
        bystander = await Socket.open(camp.event)
        errors = []
        for _ in range(consumers.MAX_BAD_FRAMES):
            await sender.send_text("{")
            errors.append((await sender.recv())["code"])
        results["errors"] = errors
        await sender.send_text("{")
        results["close code"] = await sender.closed_with()
        results["others"] = await others_carry_on(camp, bystander)
        await bystander.close()

    run(scenario)

    assert results == {
        "errors": ["bad_json"] * consumers.MAX_BAD_FRAMES,
        "close code": 4400,
        "others": [announcement_frame(Announcement.objects.get(), 1)],
    }
