"""Two real server processes (``unkonf serve``) on one PostgreSQL and one Redis.

The processes serve the test database (the test runs with ``transaction=True`` so they see its
rows) and a ``redis-server`` of the test's own, which the test may stop and start without
disturbing other tests. Clients are real websocket clients (the ``websockets`` library) with a
login session cookie, behaving as the documented client does: they ignore a ``seq`` they have
already seen, and re-subscribe with their last ``seq`` after a gap or a ``resync``.

Shown here:
- a chat message sent through one process reaches the clients of the other;
- presence is counted over both processes;
- a process killed with SIGKILL loses no stored message: its client reconnects to the other
  process and receives everything it missed, in order;
- Redis restarted during a chat of 50 clients: every client is back within 10 s, with every
  message, in order, without duplicates kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.factories import RegistrationFactory, UserFactory
from tests.realtime.support import Camp, RedisServer, db, free_port, posted_frame, run
from unkonf.accounts.models import User
from unkonf.chat import services as chat_services
from unkonf.chat.models import ChatMessage
from unkonf.realtime import hub
from unkonf.realtime.models import StreamEvent

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    """The live test database, as a URL for the server processes."""
    db_settings = connection.settings_dict
    user = quote(str(db_settings["USER"] or ""), safe="")
    password = quote(str(db_settings["PASSWORD"] or ""), safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = db_settings["HOST"] or "127.0.0.1"
    port = db_settings["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{db_settings['NAME']}"


class AppServer:
    """``unkonf serve`` in a process of its own."""

    def __init__(self, *, redis_url: str, data_dir: Path) -> None:
        self.port = free_port()
        self.log = data_dir / f"server-{self.port}.log"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("UNKONF_") and key != "DJANGO_SETTINGS_MODULE"
        } | {
            "DJANGO_SETTINGS_MODULE": "unkonf.settings.base",
            "UNKONF_SECRET_KEY": settings.SECRET_KEY,
            "UNKONF_SECURE": "0",
            "UNKONF_DEBUG": "0",
            "UNKONF_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "UNKONF_DATABASE_URL": database_url(),
            "UNKONF_REDIS_URL": redis_url,
            "UNKONF_DATA_DIR": str(data_dir),
            "UNKONF_HOST": "127.0.0.1",
            "UNKONF_PORT": str(self.port),
            "UNKONF_LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "unkonf.cli", "serve"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"server exited:\n{self.log.read_text()[-3000:]}")
            probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.1)
        raise AssertionError(f"server did not answer:\n{self.log.read_text()[-3000:]}")

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@contextlib.contextmanager
def servers(count: int, *, redis_url: str, data_dir: Path) -> Iterator[list[AppServer]]:
    started = [AppServer(redis_url=redis_url, data_dir=data_dir) for _ in range(count)]
    try:
        for server in started:
            server.start()
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.kill()


class Tab:
    """One browser tab on a barcamp page, following one chat stream."""

    def __init__(self, camp: Camp, cookie: str, stream: str) -> None:
        self.slug = camp.event.slug
        self.cookie = cookie
        self.stream = stream
        self.last = 0
        self.messages: list[dict[str, Any]] = []  # the chat messages kept, in order
        self.frames: list[dict[str, Any]] = []  # everything received, for exact checks
        self.presence: list[dict[str, Any]] = []
        self.acks: list[Any] = []
        self.errors: list[dict[str, Any]] = []
        self.duplicates = self.gaps = self.resyncs = self.reloads = 0
        self.subscribed = asyncio.Event()
        self.closed = asyncio.Event()
        self.ws: ClientConnection | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def connect(self, server: AppServer) -> None:
        self.ws = await connect(
            f"ws://127.0.0.1:{server.port}/ws/events/{self.slug}/?lang=en",
            origin=server.origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}"},
            open_timeout=10,
            compression=None,
            proxy=None,
        )
        self.subscribed.clear()
        self.closed.clear()
        self._spawn(self._read(self.ws))
        await self.send({"type": "subscribe", "stream": self.stream, "since": self.last})

    async def send(self, frame: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps(frame))

    async def post(self, text: str, ref: str) -> None:
        await self.send({"type": "chat.post", "stream": self.stream, "text": text, "ref": ref})

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _resubscribe(self) -> None:
        self.subscribed.clear()
        self._spawn(self.send({"type": "subscribe", "stream": self.stream, "since": self.last}))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for text in ws:
                self.handle(json.loads(text))
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()

    def handle(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        kind, seq = frame["type"], frame.get("seq")
        if kind == "subscribed" and frame["stream"] == self.stream:
            self.subscribed.set()
        elif frame.get("stream") == self.stream and isinstance(seq, int):
            if seq <= self.last:
                self.duplicates += 1
            elif seq == self.last + 1:
                self.last = seq
                self.messages.append(frame)
            else:
                self.gaps += 1
                self._resubscribe()
        elif kind == "resync":
            self.resyncs += 1
            self._resubscribe()
        elif kind == "presence.changed":
            self.presence.append(frame["data"])
        elif kind == "ack":
            self.acks.append(frame["ref"])
        elif kind == "error":
            self.errors.append(frame)
        elif kind == "reload":
            self.reloads += 1

    def stream_frames(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("stream") == self.stream]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        for task in list(self._tasks):
            task.cancel()


async def until(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Wait until ``condition()`` holds; return how long it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def post_and_wait(tab: Tab, text: str) -> None:
    """Post through the tab's process and wait until it is stored (the ``ack``)."""
    await tab.post(text, text)
    await until(lambda: text in tab.acks, timeout=5, what=f"ack of {text!r}")


def participants(camp: Camp, count: int) -> list[User]:
    people = []
    for n in range(count):
        user = UserFactory(name=f"Teilnehmerin {n}")
        RegistrationFactory(event=camp.event, user=user)
        people.append(user)
    return people


def test_message_through_one_process_reaches_the_other_presence_is_global_and_a_killed_process_loses_nothing(  # noqa: E501
    camp: Camp, tmp_path: Path
) -> None:
    bus = RedisServer()
    anna_cookie, ben_cookie = camp.cookie(camp.anna), camp.cookie(camp.ben)
    place = f"event.{camp.event.pk}"
    anna_after: list[dict[str, Any]] = []
    tabs: dict[str, Tab] = {}
    bus.start()
    try:
        with servers(2, redis_url=bus.url, data_dir=tmp_path) as (a, b):

            async def scenario() -> None:
                anna = tabs["anna"] = Tab(camp, anna_cookie, camp.lobby)
                ben = tabs["ben"] = Tab(camp, ben_cookie, camp.lobby)
                await anna.connect(a)
                await ben.connect(b)
                await until(
                    lambda: anna.subscribed.is_set() and ben.subscribed.is_set(),
                    timeout=5,
                    what="both subscribed",
                )
                await until(
                    lambda: bus.subscribers(hub.bus_channel(bus.url)) == 2,
                    timeout=5,
                    what="both on the bus",
                )
                both = {"place": place, "count": 2, "names": ["Anna S."]}
                await until(
                    lambda: both in anna.presence and both in ben.presence,
                    timeout=5,
                    what="presence 2 seen by both",
                )

                await anna.post("Hallo aus Prozess A", "a1")
                await until(lambda: len(ben.messages) == 1, timeout=5, what="A → B")
                await ben.post("Hallo aus Prozess B", "b1")
                await until(lambda: len(anna.messages) == 2, timeout=5, what="B → A")

                a.kill()
                await asyncio.wait_for(anna.closed.wait(), timeout=5)
                for n in range(3, 6):
                    await ben.post(f"Während A weg ist {n}", f"b{n}")
                await until(lambda: len(ben.messages) == 5, timeout=5, what="posted meanwhile")

                seen = len(anna.frames)
                await anna.connect(b)  # since=2, her last seq
                await asyncio.wait_for(anna.subscribed.wait(), timeout=5)
                anna_after.extend(f for f in anna.frames[seen:] if f["type"] != "presence.changed")
                await anna.close()
                await ben.close()

            run(scenario)
    finally:
        bus.kill()

    anna, ben = tabs["anna"], tabs["ben"]
    messages = list(ChatMessage.objects.select_related("author").order_by("id"))
    assert [m.text for m in messages] == [
        "Hallo aus Prozess A",
        "Hallo aus Prozess B",
        "Während A weg ist 3",
        "Während A weg ist 4",
        "Während A weg ist 5",
    ]
    expected = [posted_frame(m, seq) for seq, m in enumerate(messages, start=1)]
    assert ben.messages == expected
    assert anna.messages == expected
    # After reconnecting to B she received exactly what she missed, in order, then subscribed.
    assert anna_after == [
        *expected[2:],
        {"type": "subscribed", "stream": camp.lobby, "seq": 5},
    ]
    assert (anna.acks, ben.acks) == (["a1"], ["b1", "b3", "b4", "b5"])
    assert (anna.duplicates, anna.gaps, ben.duplicates, ben.gaps) == (0, 0, 0, 0)
    assert list(StreamEvent.objects.order_by("seq").values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


CLIENTS = 50
PEOPLE = 10  # five tabs each


def test_redis_restart_during_a_chat_every_client_is_back_within_10_s_with_every_message(
    camp: Camp, tmp_path: Path
) -> None:
    bus = RedisServer()
    people = participants(camp, PEOPLE)
    cookies = [camp.cookie(person) for person in people]
    report: dict[str, Any] = {}
    tabs: list[Tab] = []
    bus.start()
    try:
        with servers(2, redis_url=bus.url, data_dir=tmp_path) as (a, b):

            async def scenario() -> None:
                for n in range(CLIENTS):
                    tabs.append(Tab(camp, cookies[n % PEOPLE], camp.lobby))
                await asyncio.gather(
                    *(tab.connect(a if n % 2 else b) for n, tab in enumerate(tabs))
                )
                await until(
                    lambda: all(t.subscribed.is_set() for t in tabs), timeout=10, what="subscribed"
                )
                await until(
                    lambda: bus.subscribers(hub.bus_channel(bus.url)) == 2,
                    timeout=5,
                    what="both on the bus",
                )

                def everyone_has(count: int) -> Callable[[], bool]:
                    return lambda: all(len(t.messages) == count for t in tabs)

                for n, tab in enumerate(tabs[:3]):
                    await post_and_wait(tab, f"Vor dem Ausfall {n + 1}")
                await until(everyone_has(3), timeout=10, what="3 messages before the outage")

                report["outage at"] = time.monotonic()
                bus.kill()
                # During the outage messages are still stored; the bus cannot carry them. They
                # are posted through a process of its own whose hub uses the dead Redis.
                with override_settings(REDIS_URL=bus.url):
                    hub.reset_hub()
                    for n in range(4, 8):
                        await db(chat_services.post_message)(
                            camp.event, room=None, actor=people[n], text=f"Während {n}"
                        )
                    hub.reset_hub()
                await asyncio.sleep(1.5)  # Redis stays away for a while
                report["delivered during the outage"] = max(len(t.messages) for t in tabs)

                bus.start()
                report["outage"] = time.monotonic() - report["outage at"]
                report["back within"] = await until(
                    everyone_has(7), timeout=10, what="everyone back with 7 messages"
                )
                for n, tab in enumerate(tabs[-2:]):
                    await post_and_wait(tab, f"Nach dem Ausfall {n + 8}")
                await until(everyone_has(9), timeout=10, what="9 messages after the outage")
                await asyncio.sleep(0.3)  # anything late would show up as a duplicate
                await asyncio.gather(*(tab.close() for tab in tabs))

            run(scenario)
    finally:
        bus.kill()

    messages = list(ChatMessage.objects.select_related("author").order_by("id"))
    assert [m.text for m in messages] == [
        "Vor dem Ausfall 1",
        "Vor dem Ausfall 2",
        "Vor dem Ausfall 3",
        *(f"Während {n}" for n in range(4, 8)),
        "Nach dem Ausfall 8",
        "Nach dem Ausfall 9",
    ]
    expected = [posted_frame(m, seq) for seq, m in enumerate(messages, start=1)]
    assert report["delivered during the outage"] == 3
    assert report["outage"] >= 1.5
    assert report["back within"] <= 10
    for tab in tabs:
        assert tab.messages == expected
        assert (tab.resyncs, tab.gaps, tab.reloads, tab.errors) == (1, 0, 0, [])
