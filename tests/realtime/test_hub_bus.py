"""The hub's Redis bus: its channel name, the start-up gap, publishing from the event loop.

The hubs here are real (``Hub``), with the test Redis or a Redis server of the test's own; the
members are plain recorders of what the hub hands them.
"""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from django.conf import settings

from tests.realtime.support import run, worker_redis_url
from unkonf.realtime.hub import Hub, bus_channel

pytestmark = [pytest.mark.integration]


class Recorder:
    """A member of a hub: keeps what it is handed."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.resyncs = 0

    def deliver(self, text: str) -> None:
        self.frames.append(text)

    def resync(self) -> None:
        self.resyncs += 1


def test_bus_channel_carries_the_redis_database_number() -> None:
    assert [
        bus_channel("redis://127.0.0.1:6379/0"),
        bus_channel("redis://127.0.0.1:6379"),
        bus_channel("redis://127.0.0.1:6379/14"),
        bus_channel("redis://:secret@redis.example.org:6380/3"),
    ] == ["unkonf:realtime:0", "unkonf:realtime:0", "unkonf:realtime:14", "unkonf:realtime:3"]


@pytest.mark.redis
def test_installations_on_other_databases_of_one_redis_do_not_hear_each_other() -> None:
    ours_url = settings.REDIS_URL
    theirs_url = worker_redis_url(ours_url.rsplit("/", 1)[0] + "/8")
    received: dict[str, list[str]] = {}

    async def scenario() -> None:
        ours, theirs = Hub(ours_url), Hub(theirs_url)
        ours_member, theirs_member = Recorder(), Recorder()
        await ours.start()
        await theirs.start()
        ours.join("event.1", ours_member)
        theirs.join("event.1", theirs_member)
        await ours.apublish("event.1", "für uns")
        await theirs.apublish("event.1", "für die anderen")
        await asyncio.sleep(0.3)
        received["ours"] = ours_member.frames
        received["theirs"] = theirs_member.frames

    run(scenario)

    assert received == {"ours": ["für uns"], "theirs": ["für die anderen"]}


@pytest.mark.redis
def test_start_returns_once_the_subscription_is_confirmed() -> None:
    subscribers: list[int] = []

    async def scenario() -> None:
        hub = Hub(settings.REDIS_URL)
        await hub.start()
        client = aioredis.Redis.from_url(settings.REDIS_URL)
        try:
            counts = await client.pubsub_numsub(hub.bus_channel)
            subscribers.append(int(counts[0][1]))
        finally:
            await client.aclose()

    run(scenario)

    assert subscribers == [1]


@pytest.mark.redis
def test_members_who_joined_before_the_subscription_are_told_to_resync() -> None:
    seen: dict[str, object] = {}

    async def scenario() -> None:
        hub = Hub(settings.REDIS_URL)
        early = Recorder()
        hub.join("event.1", early)  # before the subscription exists: it may miss messages
        await hub.start()
        late = Recorder()
        hub.join("event.1", late)
        await hub.apublish("event.1", "danach")
        await asyncio.sleep(0.3)
        seen["early"] = (early.resyncs, early.frames)
        seen["late"] = (late.resyncs, late.frames)

    run(scenario)

    assert seen == {"early": (1, ["danach"]), "late": (0, ["danach"])}


def test_apublish_without_redis_delivers_in_the_process() -> None:
    member = Recorder()

    async def scenario() -> None:
        hub = Hub("")
        await hub.start()
        hub.join("event.1", member)
        await hub.apublish("event.1", "hallo")

    run(scenario)

    assert member.frames == ["hallo"]


def test_apublish_to_a_redis_that_hangs_leaves_the_loop_free_and_gives_up_quietly() -> None:
    seen: dict[str, object] = {}

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)  # takes the command, never answers
        await asyncio.sleep(30)

    async def scenario() -> None:
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        hub = Hub(f"redis://127.0.0.1:{port}/0")
        publishing = asyncio.create_task(hub.apublish("event.1", "ins Leere"))
        await asyncio.sleep(0.2)
        seen["while waiting for Redis, the loop runs and the publish waits"] = not publishing.done()
        seen["gives up without an exception"] = await publishing
        server.close()

    run(scenario)

    assert seen == {
        "while waiting for Redis, the loop runs and the publish waits": True,
        "gives up without an exception": None,
    }
