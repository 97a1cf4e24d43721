"""Websocket clients for the realtime tests, through the real ASGI application.

- ``realtime``: a fixture that gives every test a fresh hub and presence (they bind to the
  event loop of the test's ``asyncio.run``), keeps presence announcements out of the way unless
  a test asks for them (``presence_every``), and, with Redis, a Redis database per test process
  (``worker_redis_url``): the bus channel carries the database number, so parallel test
  processes never hear each other, and their presence entries stay apart.
- ``session_cookie(user)``: a real login session, as the browser would send it.
- ``camp``: a published barcamp with a room, an organiser, two participants (one on the
  public list), a logged-in stranger, and a second barcamp with its own participant.
- ``Socket.open(event, cookie=…)``: a ``WebsocketCommunicator`` on ``/ws/events/<slug>/`` with
  the Origin and Host a browser on this site sends; ``attempt`` for connections that are refused.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from tests.factories import EventFactory, RegistrationFactory, RoomFactory, UserFactory
from unkonf.accounts.models import User
from unkonf.asgi import application
from unkonf.chat.models import ChatMessage
from unkonf.events.models import Announcement, Event
from unkonf.realtime import dbthread, groups, hub, presence
from unkonf.venues.models import Room

ORIGIN = "http://localhost"
TIMEOUT = 3.0


def worker_redis_url(url: str) -> str:
    """``url`` with a database number of this test process's own (pytest-xdist's gw0, gw1 …
    take the given number, the next one …)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + index) % 16}"))


@pytest.fixture
def realtime(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Callable[[float], None]]:
    """Fresh hub and presence; presence announcements only after ``presence_every(seconds)``."""
    hub.reset_hub()
    presence.reset_presence()
    # A timing constant: an hour keeps presence frames out of tests about other messages.
    monkeypatch.setattr(presence, "COALESCE", 3600.0)
    if settings.REDIS_URL:
        settings.REDIS_URL = worker_redis_url(settings.REDIS_URL)
        client = redis.Redis.from_url(settings.REDIS_URL)
        try:  # people counted by an earlier test (or run) in a barcamp of the same id
            for key in client.scan_iter("presence:*"):
                client.delete(key)
        finally:
            client.close()

    def presence_every(seconds: float) -> None:
        monkeypatch.setattr(presence, "COALESCE", seconds)

    yield presence_every
    hub.reset_hub()
    presence.reset_presence()
    # The consumers' database thread keeps its connection; the test database is flushed or
    # dropped after the test.
    asyncio.run(dbthread.close_connections())


def session_cookie(user: User) -> str:
    """The ``sessionid`` of a real login session for ``user`` (call it outside the loop)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(
    slug: str, *, cookie: str | None = None, origin: str = ORIGIN, lang: str = "en"
) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, f"/ws/events/{slug}/?lang={lang}", headers=headers)


async def attempt(
    slug: str, *, cookie: str | None = None, origin: str = ORIGIN
) -> tuple[bool, int | str | None]:
    """Connect and return what the server said: ``(True, None)`` or ``(False, close code)``."""
    comm = communicator(slug, cookie=cookie, origin=origin)
    connected, detail = await comm.connect(timeout=TIMEOUT)
    if connected:
        await comm.disconnect()
    return connected, detail


async def wait_for_bus() -> None:
    """With Redis: until this process's hub has subscribed to its bus channel."""
    if not settings.REDIS_URL:
        return
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        for _ in range(200):
            counts = await client.pubsub_numsub(hub.get_hub().bus_channel)
            if counts and counts[0][1] >= 1:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the hub did not subscribe to its bus")
    finally:
        await client.aclose()


class Socket:
    """One browser tab's websocket."""

    def __init__(self, comm: WebsocketCommunicator) -> None:
        self.comm = comm

    @classmethod
    async def open(cls, event: Event, *, cookie: str | None = None) -> Socket:
        comm = communicator(event.slug, cookie=cookie)
        connected, code = await comm.connect(timeout=TIMEOUT)
        assert connected, f"refused with {code}"
        await wait_for_bus()
        return cls(comm)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.comm.send_json_to(frame)

    async def send_text(self, text: str) -> None:
        await self.comm.send_to(text_data=text)

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        frame: dict[str, Any] = await self.comm.receive_json_from(timeout=timeout)
        return frame

    async def recv_many(self, n: int) -> list[dict[str, Any]]:
        return [await self.recv() for _ in range(n)]

    async def nothing(self, timeout: float = 0.3) -> bool:
        """True if no frame arrives within ``timeout`` seconds."""
        return bool(await self.comm.receive_nothing(timeout=timeout))

    async def roundtrip(self) -> list[dict[str, Any]]:
        """Ping and wait for the pong: every frame sent before is handled. Returns the frames
        that arrived before the pong."""
        await self.send({"type": "ping"})
        frames = []
        while (frame := await self.recv())["type"] != "pong":
            frames.append(frame)
        return frames

    async def subscribe(self, stream: str, since: int | None = None) -> list[dict[str, Any]]:
        """Subscribe; return the frames up to and including ``subscribed`` (or ``reload``)."""
        await self.send({"type": "subscribe", "stream": stream, "since": since})
        frames = []
        while True:
            frame = await self.recv()
            frames.append(frame)
            if frame["type"] in ("subscribed", "reload", "error"):
                return frames

    async def closed_with(self) -> int:
        """Wait for the server to close the socket; return the close code."""
        while True:
            output = await self.comm.receive_output(timeout=TIMEOUT)
            if output["type"] == "websocket.close":
                code: int = output.get("code", 1000)
                return code

    async def close(self) -> None:
        await self.comm.disconnect(timeout=TIMEOUT)


def fresh_rate_window(window: int, *, needed: float = 3.0) -> None:
    """Rate limits count in fixed windows of ``window`` seconds (``core.ratelimit``): a burst
    that crosses into the next window would start counting again. Wait, if need be, until
    ``needed`` seconds of the current window are left."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.05)


def run(scenario: Callable[[], Any]) -> None:
    """Run an async scenario on a fresh event loop (the test itself stays synchronous)."""
    asyncio.run(scenario())


db = database_sync_to_async


def frame_of(kind: str, stream: str, seq: int | None, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "stream": stream, "seq": seq, "data": data}


# --- a barcamp with its people -------------------------------------------------------------------


@dataclass
class Camp:
    """A published barcamp with a room, its people, and a second barcamp next door."""

    event: Event
    room: Room
    organiser: User
    anna: User  # participant on the public list, listed as "Anna S."
    ben: User  # participant, not on the public list
    stranger: User  # logged in, not registered
    other_event: Event
    other_room: Room
    carla: User  # participant of the other barcamp

    def cookie(self, user: User) -> str:
        return session_cookie(user)

    @property
    def lobby(self) -> str:
        return groups.lobby_chat_stream(self.event.pk)

    @property
    def room_chat(self) -> str:
        return groups.room_chat_stream(self.room.pk)

    @property
    def event_stream(self) -> str:
        return groups.event_stream(self.event.pk)


@pytest.fixture
def camp() -> Camp:
    organiser = UserFactory(name="Olga Orga")
    event = EventFactory(organiser=organiser)
    anna = UserFactory(name="Anna Schmidt")
    RegistrationFactory(event=event, user=anna, name="Anna S.", public_listing=True)
    ben = UserFactory(name="Ben Becker")
    RegistrationFactory(event=event, user=ben, name="Ben Becker", public_listing=False)
    other_event = EventFactory()
    carla = UserFactory(name="Carla Clausen")
    RegistrationFactory(event=other_event, user=carla, public_listing=True)
    return Camp(
        event=event,
        room=RoomFactory(event=event),
        organiser=organiser,
        anna=anna,
        ben=ben,
        stranger=UserFactory(name="Sven Fremd"),
        other_event=other_event,
        other_room=RoomFactory(event=other_event),
        carla=carla,
    )


def posted_frame(message: ChatMessage, seq: int, *, html: str | None = None) -> dict[str, Any]:
    """The frame of a posted chat message (``html`` for a deleted one: replayed without text)."""
    return frame_of(
        "chat.message_posted",
        message.stream,
        seq,
        {
            "id": message.pk,
            "author": message.author.display_name,
            "author_id": message.author_id,
            "html": message.html if html is None else html,
            "created": message.created_at.isoformat(),
        },
    )


def announcement_frame(announcement: Announcement, seq: int) -> dict[str, Any]:
    return frame_of(
        "announcement.sent",
        groups.event_stream(announcement.event_id),
        seq,
        {
            "id": announcement.pk,
            "html": announcement.html,
            "created": announcement.created_at.isoformat(),
        },
    )


def subscribed(stream: str, seq: int) -> dict[str, Any]:
    return {"type": "subscribed", "stream": stream, "seq": seq}


def last_message() -> ChatMessage:
    return ChatMessage.objects.select_related("author").latest("id")


# --- servers of our own: Redis, uvicorn --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """A ``redis-server`` of the test's own, on a free port, that the test may stop and start.

    The shared test Redis must never be stopped: other tests (and test processes) use it.
    """

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
            finally:
                client.close()

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def subscribers(self, channel: str) -> int:
        client = redis.Redis.from_url(self.url)
        try:
            counts = client.pubsub_numsub(channel)
            return int(counts[0][1]) if counts else 0
        finally:
            client.close()
