"""The timekeeper's clocks over the websocket: ``timer.changed`` on the barcamp's stream, with
the server's times, after commit, to everyone at the barcamp and nobody else."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from django.db import transaction

from tests.factories import TimeSlotFactory
from tests.realtime.support import Camp, Socket, db, frame_of, run, subscribed
from unkonf.scheduling.exceptions import TimerError
from unkonf.scheduling.models import SlotTimer
from unkonf.scheduling.services.timer import end_slot, extend_slot, start_slot

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def timer_frame(seq: int, timer: SlotTimer, now: float) -> dict[str, Any]:
    return frame_of(
        "timer.changed",
        f"event.{timer.event_id}",
        seq,
        {
            "slot": timer.slot_id,
            "room": timer.room_id,
            "started_at": timer.started_at.timestamp() if timer.started_at else None,
            "ends_at": timer.ends_at.timestamp() if timer.ends_at else None,
            "ended_at": timer.ended_at.timestamp() if timer.ended_at else None,
            "now": now,
            "version": timer.version,
        },
    )


def test_timer_changed_reaches_everyone_at_the_barcamp_and_no_one_else(camp: Camp) -> None:
    slot = TimeSlotFactory(day=camp.event.days.get())
    anna_cookie, carla_cookie = camp.cookie(camp.anna), camp.cookie(camp.carla)
    frames: dict[str, list[dict[str, Any]]] = {}
    window: list[float] = []

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        screen = await Socket.open(camp.event)  # the hallway screen: no login
        carla = await Socket.open(camp.other_event, cookie=carla_cookie)
        assert await screen.subscribe(camp.event_stream) == [subscribed(camp.event_stream, 0)]
        window.append(time.time())
        await db(start_slot)(slot, actor=camp.organiser)
        await db(extend_slot)(slot, room=camp.room, minutes=5, actor=camp.organiser)
        await db(end_slot)(slot, actor=camp.organiser)
        window.append(time.time())
        frames["anna"] = await anna.recv_many(3)
        frames["screen"] = await screen.recv_many(3)
        assert await carla.nothing()
        for socket in (anna, screen, carla):
            await socket.close()

    run(scenario)

    assert frames["anna"] == frames["screen"]
    started, extended, ended = frames["screen"]
    slot_clock = SlotTimer.objects.get(slot=slot, room=None)
    room_clock = SlotTimer.objects.get(slot=slot, room=camp.room)
    assert [f["seq"] for f in (started, extended, ended)] == [1, 2, 3]
    assert ended == timer_frame(3, slot_clock, ended["data"]["now"])
    assert extended == timer_frame(2, room_clock, extended["data"]["now"])
    assert started["data"]["version"] == 1
    assert started["data"]["ends_at"] - started["data"]["started_at"] == 45 * 60
    assert started["data"]["ended_at"] is None
    # the room got its own clock, five minutes longer than the slot's
    assert extended["data"]["ends_at"] - started["data"]["ends_at"] == 5 * 60
    # server times: the server's clock while the test ran
    for frame in (started, extended, ended):
        assert window[0] <= frame["data"]["now"] <= window[1]
    assert window[0] <= started["data"]["started_at"] <= started["data"]["now"]


def test_timer_changed_is_sent_after_commit_and_not_at_all_on_rollback(camp: Camp) -> None:
    slot = TimeSlotFactory(day=camp.event.days.get())
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        inside = threading.Event()
        go_on = threading.Event()

        def start_then(outcome: str) -> None:
            with transaction.atomic():
                start_slot(slot, actor=camp.organiser)
                inside.set()
                assert go_on.wait(5)
                if outcome == "roll back":
                    transaction.set_rollback(True)

        for outcome in ("roll back", "commit"):
            inside.clear()
            go_on.clear()
            task = asyncio.ensure_future(db(start_then)(outcome))
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

    timer = SlotTimer.objects.get()
    assert frames == [timer_frame(1, timer, frames[0]["data"]["now"])]


def test_a_refused_timer_change_sends_nothing(camp: Camp) -> None:
    slot = TimeSlotFactory(day=camp.event.days.get())

    async def scenario() -> None:
        visitor = await Socket.open(camp.event)
        with pytest.raises(TimerError):
            await db(extend_slot)(slot, minutes=5, actor=camp.organiser)
        with pytest.raises(TimerError):
            await db(start_slot)(slot, actor=camp.anna)  # a participant
        assert await visitor.nothing()
        await visitor.close()

    run(scenario)

    assert not SlotTimer.objects.exists()


def test_a_page_that_was_away_gets_the_timer_changes_it_missed(camp: Camp) -> None:
    slot = TimeSlotFactory(day=camp.event.days.get())
    start_slot(slot, actor=camp.organiser)
    timer = extend_slot(slot, minutes=10, actor=camp.organiser)
    replayed: list[dict[str, Any]] = []

    async def scenario() -> None:
        screen = await Socket.open(camp.event)
        replayed.extend(await screen.subscribe(camp.event_stream, since=1))
        await screen.close()

    run(scenario)

    assert replayed == [
        timer_frame(2, timer, replayed[0]["data"]["now"]),
        subscribed(camp.event_stream, 2),
    ]
