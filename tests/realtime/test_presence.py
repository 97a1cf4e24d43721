"""Presence across processes (Redis): counts are global, and a dead process's people expire.

Each ``Presence`` here stands for one server process; they share the test Redis. The time
constants (``TTL``, ``HEARTBEAT``) are shortened, the logic is the real one. The counting through
the websocket, with and without Redis, is in ``test_consumers.py``.
"""

from __future__ import annotations

import asyncio

import pytest
from django.conf import settings

from tests.realtime.support import run
from unkonf.realtime import presence
from unkonf.realtime.presence import Presence

pytestmark = [pytest.mark.integration]


@pytest.mark.redis
def test_presence_is_counted_over_all_processes_with_names_of_the_listed() -> None:
    snapshots: list[tuple[int, list[str]]] = []

    async def scenario() -> None:
        first, second = Presence(settings.REDIS_URL), Presence(settings.REDIS_URL)
        await first.join("event.1", "conn-a", "Anna S.")
        await second.join("event.1", "conn-b", "")
        await second.join("event.2", "conn-c", "Carla")
        snapshots.append(await first.snapshot("event.1"))
        await first.leave("event.1", "conn-a")
        snapshots.append(await second.snapshot("event.1"))
        await second.leave("event.1", "conn-b")
        snapshots.append(await second.snapshot("event.1"))
        snapshots.append(await first.snapshot("event.2"))

    run(scenario)

    assert snapshots == [(2, ["Anna S."]), (1, []), (0, []), (1, ["Carla"])]


@pytest.mark.redis
def test_people_of_a_process_that_died_expire_and_the_living_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(presence, "TTL", 0.6)
    monkeypatch.setattr(presence, "HEARTBEAT", 0.1)
    snapshots: list[tuple[int, list[str]]] = []

    async def scenario() -> None:
        dying, living = Presence(settings.REDIS_URL), Presence(settings.REDIS_URL)
        await dying.join("event.1", "conn-a", "Anna S.")
        await living.join("event.1", "conn-b", "Ben B.")
        snapshots.append(await living.snapshot("event.1"))
        # The process dies: no leave, no more heartbeats.
        assert dying._heartbeat is not None
        dying._heartbeat.cancel()
        await asyncio.sleep(1.0)
        snapshots.append(await living.snapshot("event.1"))

    run(scenario)

    assert snapshots == [(2, ["Anna S.", "Ben B."]), (1, ["Ben B."])]


@pytest.mark.redis
def test_the_sweep_announces_a_count_that_changed_because_a_dead_process_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(presence, "TTL", 0.3)
    monkeypatch.setattr(presence, "COALESCE", 0.05)
    announced: list[tuple[str, int, list[str]]] = []
    swept: list[list[str]] = []

    async def record(place: str, count: int, names: list[str]) -> None:
        announced.append((place, count, names))

    async def scenario() -> None:
        dying, living = Presence(settings.REDIS_URL), Presence(settings.REDIS_URL)
        await dying.join("event.1", "conn-a", "Anna S.")
        await dying.join("event.1.room.2", "conn-a", "Anna S.")
        # The process dies: no leave, no more heartbeats.
        assert dying._heartbeat is not None
        dying._heartbeat.cancel()
        await asyncio.sleep(0.5)  # past the expiry of its entries
        await living.join("event.1", "conn-b", "Ben B.")
        living.on_change = record
        swept.append(await living.sweep())
        swept.append(await living.sweep())  # nothing more expired: nothing to announce
        await asyncio.sleep(0.2)

    run(scenario)

    assert swept == [["event.1", "event.1.room.2"], []]
    assert sorted(announced) == [("event.1", 1, ["Ben B."]), ("event.1.room.2", 0, [])]


def test_without_redis_the_process_counts_itself() -> None:
    snapshots: list[tuple[int, list[str]]] = []

    async def scenario() -> None:
        alone = Presence("")
        await alone.join("event.1", "conn-a", "Anna S.")
        await alone.join("event.1", "conn-b", "")
        await alone.join("event.1.room.4", "conn-a", "Anna S.")
        snapshots.append(await alone.snapshot("event.1"))
        snapshots.append(await alone.snapshot("event.1.room.4"))
        await alone.leave("event.1", "conn-b")
        await alone.leave("event.1", "conn-b")  # twice is harmless
        snapshots.append(await alone.snapshot("event.1"))

    run(scenario)

    assert snapshots == [(2, ["Anna S."]), (1, ["Anna S."]), (1, ["Anna S."])]
