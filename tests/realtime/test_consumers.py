"""The barcamp websocket, message type by message type and frame by frame.

Every test connects real clients through ``unkonf.asgi.application`` (Origin check, session
login, routing) and changes state through the same services an HTTP view calls. Each message
must reach exactly the people who may see it, after the commit, and only when the change
happened; refused changes send nothing and store nothing.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import translation

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory
from tests.realtime.support import (
    Camp,
    Socket,
    announcement_frame,
    attempt,
    db,
    frame_of,
    fresh_rate_window,
    last_message,
    posted_frame,
    run,
    subscribed,
)
from unkonf.accounts.models import User
from unkonf.chat import services as chat_services
from unkonf.chat.exceptions import ChatError
from unkonf.chat.models import MAX_LENGTH, ChatMessage, ChatMute
from unkonf.chat.services import RATE_LIMIT, RATE_WINDOW
from unkonf.events.enums import Role
from unkonf.events.exceptions import EventError
from unkonf.events.models import Announcement
from unkonf.events.services import send_announcement
from unkonf.realtime import consumers, groups, streams
from unkonf.realtime.messages import AnnouncementSent, ChatMessageDeleted
from unkonf.realtime.models import Stream, StreamEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


# --- chat.message_posted ------------------------------------------------------------------------


def test_chat_message_posted_reaches_the_stream_s_readers_only(camp: Camp) -> None:
    cookies = {u.pk: camp.cookie(u) for u in (camp.anna, camp.ben, camp.stranger, camp.carla)}
    received: dict[str, list[dict[str, Any]]] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=cookies[camp.anna.pk])
        ben = await Socket.open(camp.event, cookie=cookies[camp.ben.pk])
        visitor = await Socket.open(camp.event)
        stranger = await Socket.open(camp.event, cookie=cookies[camp.stranger.pk])
        carla = await Socket.open(camp.other_event, cookie=cookies[camp.carla.pk])
        assert await anna.subscribe(camp.lobby) == [subscribed(camp.lobby, 0)]
        assert await ben.subscribe(camp.lobby) == [subscribed(camp.lobby, 0)]
        other_lobby = groups.lobby_chat_stream(camp.other_event.pk)
        assert await carla.subscribe(other_lobby) == [subscribed(other_lobby, 0)]
        forbidden = {
            "type": "error",
            "code": "forbidden",
            "message": "You may not follow this stream.",
            "stream": camp.lobby,
        }
        assert await visitor.subscribe(camp.lobby) == [forbidden]
        assert await stranger.subscribe(camp.lobby) == [forbidden]
        # Carla may not read this barcamp's lobby from her own barcamp's socket either.
        assert await carla.subscribe(camp.lobby) == [forbidden]

        await anna.send(
            {"type": "chat.post", "stream": camp.lobby, "text": "Hallo **zusammen**", "ref": "c1"}
        )
        own = await anna.recv_many(2)
        received["anna"] = sorted(own, key=lambda f: str(f["type"]))
        received["ben"] = [await ben.recv()]
        for bystander in (visitor, stranger, carla):
            assert await bystander.nothing()
        for socket in (anna, ben, visitor, stranger, carla):
            await socket.close()

    run(scenario)

    message = last_message()
    assert message.text == "Hallo **zusammen**"
    assert message.html == "<p>Hallo <strong>zusammen</strong></p>"
    assert received["anna"] == [{"type": "ack", "ref": "c1"}, posted_frame(message, 1)]
    assert received["ben"] == [posted_frame(message, 1)]
    assert posted_frame(message, 1)["data"] == {
        "id": message.pk,
        "author": "Anna Schmidt",
        "author_id": message.author_id,
        "html": "<p>Hallo <strong>zusammen</strong></p>",
        "created": message.created_at.isoformat(),
    }


def test_room_chat_message_reaches_the_room_s_readers_not_the_lobby_s(camp: Camp) -> None:
    anna_cookie, ben_cookie = camp.cookie(camp.anna), camp.cookie(camp.ben)
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        ben = await Socket.open(camp.event, cookie=ben_cookie)
        assert await anna.subscribe(camp.room_chat) == [subscribed(camp.room_chat, 0)]
        assert await ben.subscribe(camp.lobby) == [subscribed(camp.lobby, 0)]
        await db(chat_services.post_message)(
            camp.event, room=camp.room, actor=camp.ben, text="Wer hat den Beamer?"
        )
        frames.append(await anna.recv())
        assert await ben.nothing()
        await anna.close()
        await ben.close()

    run(scenario)

    message = last_message()
    assert message.room == camp.room
    assert frames == [posted_frame(message, 1)]


@dataclass(frozen=True)
class Refusal:
    arrange: Callable[[Camp], User]
    message: str


def _muted(camp: Camp) -> User:
    chat_services.mute_user(camp.event, actor=camp.organiser, user=camp.anna, minutes=10)
    return camp.anna


REFUSALS = {
    "muted": Refusal(_muted, "A moderator has paused your messages in this barcamp."),
    "not registered": Refusal(
        lambda camp: camp.stranger, "Only registered participants can write in the chat."
    ),
    "participant of another barcamp": Refusal(
        lambda camp: camp.carla, "Only registered participants can write in the chat."
    ),
}


@pytest.mark.parametrize("reason", REFUSALS)
def test_refused_chat_post_sends_and_stores_nothing(camp: Camp, reason: str) -> None:
    author = REFUSALS[reason].arrange(camp)
    author_cookie, ben_cookie = camp.cookie(author), camp.cookie(camp.ben)
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        # The author may not even read the lobby (stranger, Carla): posting is checked anyway.
        writer = await Socket.open(camp.event, cookie=author_cookie)
        ben = await Socket.open(camp.event, cookie=ben_cookie)
        await ben.subscribe(camp.lobby)
        await writer.send({"type": "chat.post", "stream": camp.lobby, "text": "Hallo", "ref": 7})
        answers.append(await writer.recv())
        assert await ben.nothing()
        await writer.close()
        await ben.close()

    run(scenario)

    assert answers == [
        {"type": "error", "code": "refused", "message": REFUSALS[reason].message, "ref": 7}
    ]
    assert ChatMessage.objects.count() == 0
    assert StreamEvent.objects.count() == 0
    assert streams.last_seq(camp.lobby) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (MAX_LENGTH + 1), f"A message can have at most {MAX_LENGTH} characters."),
        ("   \n ", "Please write a message."),
    ],
    ids=["too long", "empty"],
)
def test_chat_post_with_bad_text_is_refused_and_sends_nothing(
    camp: Camp, text: str, message: str
) -> None:
    anna_cookie, ben_cookie = camp.cookie(camp.anna), camp.cookie(camp.ben)
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        ben = await Socket.open(camp.event, cookie=ben_cookie)
        await anna.subscribe(camp.lobby)
        await ben.subscribe(camp.lobby)
        await anna.send({"type": "chat.post", "stream": camp.lobby, "text": text, "ref": "r"})
        answers.append(await anna.recv())
        assert await anna.nothing()
        assert await ben.nothing()
        await anna.close()
        await ben.close()

    run(scenario)

    assert answers == [{"type": "error", "code": "refused", "message": message, "ref": "r"}]
    assert ChatMessage.objects.count() == 0
    assert StreamEvent.objects.count() == 0


def test_chat_post_beyond_the_rate_limit_is_refused_and_sends_nothing(camp: Camp) -> None:
    anna_cookie, ben_cookie = camp.cookie(camp.anna), camp.cookie(camp.ben)
    seen: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        ben = await Socket.open(camp.event, cookie=ben_cookie)
        await ben.subscribe(camp.lobby)
        fresh_rate_window(RATE_WINDOW)
        for n in range(RATE_LIMIT + 1):
            await anna.send({"type": "chat.post", "stream": camp.lobby, "text": f"#{n}", "ref": n})
            answers.append(await anna.recv())
        seen.extend(await ben.recv_many(RATE_LIMIT))
        assert await ben.nothing()
        await anna.close()
        await ben.close()

    run(scenario)

    assert answers == [{"type": "ack", "ref": n} for n in range(RATE_LIMIT)] + [
        {
            "type": "error",
            "code": "refused",
            "message": "You are writing very fast. Please wait a few seconds.",
            "ref": RATE_LIMIT,
        }
    ]
    texts = [m.text for m in ChatMessage.objects.order_by("id")]
    assert texts == [f"#{n}" for n in range(RATE_LIMIT)]
    assert [f["seq"] for f in seen] == list(range(1, RATE_LIMIT + 1))
    assert streams.last_seq(camp.lobby) == RATE_LIMIT


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        ("event.{other_event}.chat", "Chat messages go to a chat stream."),
        ("room.{other_room}.chat", "Unknown room."),
        ("event.{event}", "Chat messages go to a chat stream."),
        ("user.{anna}", "Chat messages go to a chat stream."),
    ],
    ids=["other barcamp's lobby", "other barcamp's room", "event stream", "user stream"],
)
def test_chat_post_to_a_foreign_or_non_chat_stream_is_refused(
    camp: Camp, stream: str, message: str
) -> None:
    target = stream.format(
        other_event=camp.other_event.pk,
        other_room=camp.other_room.pk,
        event=camp.event.pk,
        anna=camp.anna.pk,
    )
    anna_cookie, carla_cookie = camp.cookie(camp.anna), camp.cookie(camp.carla)
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        carla = await Socket.open(camp.other_event, cookie=carla_cookie)
        await carla.subscribe(groups.lobby_chat_stream(camp.other_event.pk))
        await carla.subscribe(groups.room_chat_stream(camp.other_room.pk))
        await anna.send({"type": "chat.post", "stream": target, "text": "Hallo", "ref": "x"})
        answers.append(await anna.recv())
        assert await carla.nothing()
        await anna.close()
        await carla.close()

    run(scenario)

    assert answers == [{"type": "error", "code": "refused", "message": message, "ref": "x"}]
    assert ChatMessage.objects.count() == 0


def test_anonymous_visitor_cannot_post(camp: Camp) -> None:
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        await visitor.send({"type": "chat.post", "stream": camp.lobby, "text": "Hi", "ref": 1})
        answers.append(await visitor.recv())
        await visitor.close()

    run(scenario)

    assert answers == [
        {
            "type": "error",
            "code": "refused",
            "message": "Please log in to write in the chat.",
            "ref": 1,
        }
    ]
    assert ChatMessage.objects.count() == 0


# --- chat.message_deleted -----------------------------------------------------------------------


def test_chat_message_deleted_reaches_the_stream_s_readers_only(camp: Camp) -> None:
    message = chat_services.post_message(camp.event, room=None, actor=camp.anna, text="Ups")
    cookies = [camp.cookie(u) for u in (camp.anna, camp.ben, camp.carla)]
    frames: dict[str, list[dict[str, Any]]] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=cookies[0])
        ben = await Socket.open(camp.event, cookie=cookies[1])
        carla = await Socket.open(camp.other_event, cookie=cookies[2])
        visitor = await Socket.open(camp.event)
        assert await anna.subscribe(camp.lobby, since=1) == [subscribed(camp.lobby, 1)]
        assert await ben.subscribe(camp.lobby, since=1) == [subscribed(camp.lobby, 1)]
        await carla.subscribe(groups.lobby_chat_stream(camp.other_event.pk))
        # Ben may not delete Anna's message: refused, nothing sent.
        with translation.override("en"), pytest.raises(ChatError, match="only delete your own"):
            await db(chat_services.delete_message)(message, actor=camp.ben)
        assert await anna.nothing()
        await db(chat_services.delete_message)(message, actor=camp.organiser)
        frames["anna"] = [await anna.recv()]
        frames["ben"] = [await ben.recv()]
        assert await carla.nothing()
        assert await visitor.nothing()
        for socket in (anna, ben, carla, visitor):
            await socket.close()

    run(scenario)

    expected = frame_of("chat.message_deleted", camp.lobby, 2, {"id": message.pk})
    assert frames == {"anna": [expected], "ben": [expected]}
    message.refresh_from_db()
    assert message.deleted_by == camp.organiser


# --- announcement.sent --------------------------------------------------------------------------


def test_announcement_reaches_everyone_at_the_barcamp_and_no_one_else(camp: Camp) -> None:
    cookies = [camp.cookie(u) for u in (camp.anna, camp.stranger, camp.carla)]
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=cookies[0])
        stranger = await Socket.open(camp.event, cookie=cookies[1])
        visitor = await Socket.open(camp.event)
        carla = await Socket.open(camp.other_event, cookie=cookies[2])
        await db(send_announcement)(
            camp.event, actor=camp.organiser, text="Eröffnung in 5 Minuten im **Ratssaal**"
        )
        for socket in (anna, stranger, visitor):
            frames.append(await socket.recv())
        assert await carla.nothing()
        for socket in (anna, stranger, visitor, carla):
            await socket.close()

    run(scenario)

    announcement = Announcement.objects.get()
    assert announcement.html == "<p>Eröffnung in 5 Minuten im <strong>Ratssaal</strong></p>"
    assert frames == [announcement_frame(announcement, 1)] * 3


def test_announcement_is_sent_after_commit_and_not_at_all_on_rollback(camp: Camp) -> None:
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        inside = threading.Event()
        go_on = threading.Event()

        def announce_then(outcome: str) -> None:
            with transaction.atomic():
                send_announcement(camp.event, actor=camp.organiser, text=outcome)
                inside.set()
                assert go_on.wait(5)
                if outcome == "roll back":
                    transaction.set_rollback(True)

        for outcome in ("roll back", "commit"):
            inside.clear()
            go_on.clear()
            work = db(announce_then)(outcome)
            task = asyncio.ensure_future(work)
            assert await asyncio.get_running_loop().run_in_executor(None, inside.wait, 5)
            assert await visitor.nothing(0.3)  # the transaction is still open
            go_on.set()
            await task
            if outcome == "roll back":
                assert await visitor.nothing(0.3)
            else:
                frames.append(await visitor.recv())
        await visitor.close()

    run(scenario)

    announcement = Announcement.objects.get()
    assert announcement.text == "commit"
    assert frames == [announcement_frame(announcement, 1)]


@pytest.mark.parametrize("text", ["  ", "x" * 1001], ids=["empty", "too long"])
def test_refused_announcement_sends_and_stores_nothing(camp: Camp, text: str) -> None:
    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        with pytest.raises(EventError):
            await db(send_announcement)(camp.event, actor=camp.organiser, text=text)
        assert await visitor.nothing()
        await visitor.close()

    run(scenario)

    assert Announcement.objects.count() == 0
    assert StreamEvent.objects.count() == 0


# --- user.<id> ------------------------------------------------------------------------------------


def test_personal_stream_reaches_its_person_only(camp: Camp) -> None:
    anna_cookie, ben_cookie = camp.cookie(camp.anna), camp.cookie(camp.ben)
    anna_stream = groups.user_stream(camp.anna.pk)
    notice = AnnouncementSent(id=1, html="<p>Ihre Session wurde verschoben.</p>", created="now")
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        ben = await Socket.open(camp.event, cookie=ben_cookie)
        visitor = await Socket.open(camp.event)
        # Her own stream is followed from the start; someone else's may not be.
        assert await anna.subscribe(anna_stream) == [subscribed(anna_stream, 0)]
        forbidden = {
            "type": "error",
            "code": "forbidden",
            "message": "You may not follow this stream.",
            "stream": anna_stream,
        }
        assert await ben.subscribe(anna_stream) == [forbidden]
        assert await visitor.subscribe(anna_stream) == [forbidden]
        await db(streams.append)(anna_stream, notice)
        frames.append(await anna.recv())
        assert await anna.nothing()  # once, though she subscribed a second time
        assert await ben.nothing()
        assert await visitor.nothing()
        for socket in (anna, ben, visitor):
            await socket.close()

    run(scenario)

    assert frames == [frame_of("announcement.sent", anna_stream, 1, notice.to_payload())]


# --- presence.changed ---------------------------------------------------------------------------


def test_presence_counts_everyone_and_names_only_the_publicly_listed(
    camp: Camp, realtime: Callable[[float], None]
) -> None:
    realtime(0.05)
    cookies = [camp.cookie(u) for u in (camp.anna, camp.ben, camp.carla)]
    place = groups.event_place(camp.event.pk)
    final: dict[str, list[dict[str, Any]]] = {}

    def presence(count: int, names: list[str], where: str = place) -> dict[str, Any]:
        return frame_of(
            "presence.changed",
            camp.event_stream,
            None,
            {"place": where, "count": count, "names": names},
        )

    async def settled(*sockets: Socket) -> list[dict[str, Any]]:
        """What each socket was last told, once no announcement has come for a moment.

        Announcements are coalesced: while people arrive, a socket may hear the count rise
        in steps (or the same count twice), never anything else."""
        last = []
        for socket in sockets:
            frames = [await socket.recv()]
            while not await socket.nothing(0.25):
                frames.append(await socket.recv())
            for frame in frames:
                assert frame["type"] == "presence.changed"
                assert frame["data"]["place"] == frames[-1]["data"]["place"]
            last.append(frames[-1])
        return last

    async def scenario() -> None:
        carla = await Socket.open(camp.other_event, cookie=cookies[2])
        anna = await Socket.open(camp.event, cookie=cookies[0])
        ben = await Socket.open(camp.event, cookie=cookies[1])
        visitor = await Socket.open(camp.event)
        final["all three"] = await settled(anna, ben, visitor)
        await ben.close()
        final["after ben left"] = await settled(anna, visitor)
        await anna.send({"type": "enter", "room": camp.room.pk})
        final["anna entered"] = await settled(anna, visitor)
        await anna.send({"type": "leave", "room": camp.room.pk})
        final["anna left"] = await settled(anna, visitor)
        await visitor.close()
        final["visitor left"] = await settled(anna)
        await anna.close()
        # Carla's barcamp hears nothing but her own arrival.
        final["carla"] = await settled(carla)
        await carla.close()

    run(scenario)

    room_place = groups.room_place(camp.event.pk, camp.room.pk)
    assert room_place == f"event.{camp.event.pk}.room.{camp.room.pk}"
    assert final == {
        "all three": [presence(3, ["Anna S."])] * 3,
        "after ben left": [presence(2, ["Anna S."])] * 2,
        "anna entered": [presence(1, ["Anna S."], room_place)] * 2,
        "anna left": [presence(0, [], room_place)] * 2,
        "visitor left": [presence(1, ["Anna S."])],
        "carla": [
            frame_of(
                "presence.changed",
                groups.event_stream(camp.other_event.pk),
                None,
                {
                    "place": groups.event_place(camp.other_event.pk),
                    "count": 1,
                    "names": ["Carla Clausen"],
                },
            )
        ],
    }


# --- subscribed, reload, pong, ack ---------------------------------------------------------------


def test_subscribe_with_since_replays_exactly_what_was_missed_then_subscribed(camp: Camp) -> None:
    posted = [
        chat_services.post_message(camp.event, room=None, actor=author, text=f"Nachricht {n}")
        for n, author in enumerate([camp.anna, camp.ben, camp.anna, camp.ben, camp.anna], start=1)
    ]
    chat_services.delete_message(posted[1], actor=camp.ben)
    posted = [ChatMessage.objects.select_related("author").get(pk=m.pk) for m in posted]
    anna_cookie = camp.cookie(camp.anna)
    answers: dict[str, list[dict[str, Any]]] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        answers["since 3"] = await anna.subscribe(camp.lobby, since=3)
        answers["since 6"] = await anna.subscribe(camp.lobby, since=6)
        answers["since none"] = await anna.subscribe(camp.lobby, since=None)
        answers["since 0"] = await anna.subscribe(camp.lobby, since=0)
        await anna.close()

    run(scenario)

    deleted = frame_of("chat.message_deleted", camp.lobby, 6, {"id": posted[1].pk})
    assert answers == {
        "since 3": [
            posted_frame(posted[3], 4),
            posted_frame(posted[4], 5),
            deleted,
            subscribed(camp.lobby, 6),
        ],
        "since 6": [subscribed(camp.lobby, 6)],
        "since none": [subscribed(camp.lobby, 6)],
        "since 0": [
            posted_frame(posted[0], 1),
            # A deleted message is replayed without its text; its deletion follows.
            posted_frame(posted[1], 2, html=""),
            posted_frame(posted[2], 3),
            posted_frame(posted[3], 4),
            posted_frame(posted[4], 5),
            deleted,
            subscribed(camp.lobby, 6),
        ],
    }


def test_subscribe_further_behind_than_the_replay_limit_is_told_to_reload(camp: Camp) -> None:
    notice = AnnouncementSent(id=1, html="<p>x</p>", created="now")
    for _ in range(streams.REPLAY_LIMIT + 1):
        streams.append(camp.event_stream, notice)
    last = streams.REPLAY_LIMIT + 1
    answers: dict[str, list[dict[str, Any]]] = {}

    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        answers["since 0"] = await visitor.subscribe(camp.event_stream, since=0)
        answers["since 1"] = await visitor.subscribe(camp.event_stream, since=1)
        await visitor.close()

    run(scenario)

    assert answers["since 0"] == [{"type": "reload", "stream": camp.event_stream}]
    assert answers["since 1"] == [
        frame_of("announcement.sent", camp.event_stream, seq, notice.to_payload())
        for seq in range(2, last + 1)
    ] + [subscribed(camp.event_stream, last)]


def test_subscribe_while_messages_arrive_gives_every_message_once_in_order(camp: Camp) -> None:
    """A subscriber never sees a message before an older one it is still being replayed."""
    total, tabs = 100, 8
    notice = ChatMessageDeleted(id=1)
    anna_cookie = camp.cookie(camp.anna)
    seqs: list[list[int]] = []

    async def scenario() -> None:
        sockets = [await Socket.open(camp.event, cookie=anna_cookie) for _ in range(tabs)]
        loop = asyncio.get_running_loop()

        def write() -> None:
            try:
                for _ in range(total):
                    streams.append(camp.lobby, notice)
            finally:
                connection.close()

        writer = loop.run_in_executor(None, write)
        # The tabs subscribe one after the other while the messages are being written.
        for socket in sockets:
            await asyncio.sleep(0.01)
            await socket.send({"type": "subscribe", "stream": camp.lobby, "since": 0})
        await writer
        for socket in sockets:
            got: list[int] = []
            while not got or got[-1] != total:
                frame = await socket.recv()
                if frame["type"] == ChatMessageDeleted.kind:
                    got.append(int(frame["seq"]))
            seqs.append(got)
            await socket.close()

    run(scenario)

    assert len(seqs) == tabs
    for got in seqs:
        # What a client keeps (it ignores a seq it has already seen) has no gap and no reorder.
        kept: list[int] = []
        for seq in got:
            if kept and seq <= kept[-1]:
                continue
            assert seq == (kept[-1] if kept else 0) + 1, got
            kept.append(seq)
        assert kept == list(range(1, total + 1))


def test_ping_is_answered_with_pong_and_the_server_time(camp: Camp) -> None:
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        await visitor.send({"type": "ping"})
        answers.append(await visitor.recv())
        await visitor.close()

    before = time.time()
    run(scenario)
    after = time.time()

    assert [a["type"] for a in answers] == ["pong"]
    assert before <= float(answers[0]["time"]) <= after
    assert set(answers[0]) == {"type", "time"}


def test_unsubscribed_stream_is_no_longer_delivered(camp: Camp) -> None:
    anna_cookie = camp.cookie(camp.anna)

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        await anna.subscribe(camp.lobby)
        await anna.send({"type": "unsubscribe", "stream": camp.lobby})
        # The barcamp's own stream cannot be left.
        await anna.send({"type": "unsubscribe", "stream": camp.event_stream})
        assert await anna.roundtrip() == []  # both are handled
        await db(chat_services.post_message)(camp.event, room=None, actor=camp.ben, text="Hi")
        assert await anna.nothing()
        await db(send_announcement)(camp.event, actor=camp.organiser, text="Pause")
        assert (await anna.recv())["type"] == "announcement.sent"
        await anna.close()

    run(scenario)


# --- connecting ----------------------------------------------------------------------------------


def test_connect_is_refused_for_unknown_barcamp_foreign_origin_and_strangers(camp: Camp) -> None:
    draft = EventFactory(unpublished=True)
    EventRoleFactory(event=draft, user=camp.ben, role=Role.ORGANISER)
    secret = EventFactory(invite_only=True)
    RegistrationFactory(event=secret, user=camp.anna)
    anna, ben, stranger = (camp.cookie(u) for u in (camp.anna, camp.ben, camp.stranger))
    results: dict[str, tuple[bool, int | str | None]] = {}

    async def scenario() -> None:
        results["unknown slug"] = await attempt("gibt-es-nicht")
        results["foreign origin"] = await attempt(camp.event.slug, origin="https://evil.example")
        results["draft, visitor"] = await attempt(draft.slug)
        results["draft, stranger"] = await attempt(draft.slug, cookie=stranger)
        results["draft, organiser"] = await attempt(draft.slug, cookie=ben)
        results["invite-only, visitor"] = await attempt(secret.slug)
        results["invite-only, participant"] = await attempt(secret.slug, cookie=anna)
        results["public, visitor"] = await attempt(camp.event.slug)

    run(scenario)

    assert results == {
        "unknown slug": (False, consumers.CLOSE_NOT_FOUND),
        "foreign origin": (False, 1000),
        "draft, visitor": (False, consumers.CLOSE_FORBIDDEN),
        "draft, stranger": (False, consumers.CLOSE_FORBIDDEN),
        "draft, organiser": (True, None),
        "invite-only, visitor": (False, consumers.CLOSE_FORBIDDEN),
        "invite-only, participant": (True, None),
        "public, visitor": (True, None),
    }


def test_mute_is_lifted_and_posting_works_again(camp: Camp) -> None:
    """A refused post leaves the connection usable: after the pause is lifted she posts."""
    chat_services.mute_user(camp.event, actor=camp.organiser, user=camp.anna, minutes=None)
    anna_cookie = camp.cookie(camp.anna)
    answers: list[dict[str, Any]] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        await anna.subscribe(camp.lobby)
        await anna.send({"type": "chat.post", "stream": camp.lobby, "text": "Eins", "ref": 1})
        answers.append(await anna.recv())
        mute = await db(ChatMute.objects.get)(user=camp.anna)
        await db(chat_services.unmute_user)(mute, actor=camp.organiser)
        await anna.send({"type": "chat.post", "stream": camp.lobby, "text": "Zwei", "ref": 2})
        answers.extend(sorted(await anna.recv_many(2), key=lambda f: str(f["type"])))
        await anna.close()

    run(scenario)

    message = last_message()
    assert message.text == "Zwei"
    assert answers == [
        {
            "type": "error",
            "code": "refused",
            "message": "A moderator has paused your messages in this barcamp.",
            "ref": 1,
        },
        {"type": "ack", "ref": 2},
        posted_frame(message, 1),
    ]
    assert Stream.objects.get(key=camp.lobby).last_seq == 1
