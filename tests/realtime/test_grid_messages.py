"""The grid over the websocket: ``grid.changed`` only for the barcamp's moderators,
``plan.changed`` for everyone once the plan is published, and ``plan.session_moved`` only to
the people who wanted the session — each after commit, nothing for a refused change."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.factories import EventRoleFactory, ProposalFactory, TimeSlotFactory
from tests.realtime.support import Camp, Socket, db, run, subscribed
from unkonf.events.enums import Role
from unkonf.proposals.enums import ProposalState
from unkonf.realtime import groups
from unkonf.scheduling.exceptions import CellTaken
from unkonf.scheduling.models import Star
from unkonf.scheduling.services.grid import place_entry, publish_schedule
from unkonf.venues.models import Room

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_grid_stream_is_for_moderators_and_carries_each_change(camp: Camp) -> None:
    moderator = EventRoleFactory(event=camp.event, role=Role.MODERATOR).user
    day = camp.event.days.get()
    slot = TimeSlotFactory(day=day, start_time=datetime.time(10, 0))
    first = ProposalFactory(event=camp.event, state=ProposalState.PITCHED)
    second = ProposalFactory(event=camp.event, state=ProposalState.PITCHED)
    stream = groups.grid_stream(camp.event.pk)
    cookies = {
        "mod": camp.cookie(moderator),
        "orga": camp.cookie(camp.organiser),
        "anna": camp.cookie(camp.anna),
    }
    got: dict[str, Any] = {}

    async def scenario() -> None:
        mod = await Socket.open(camp.event, cookie=cookies["mod"])
        orga = await Socket.open(camp.event, cookie=cookies["orga"])
        anna = await Socket.open(camp.event, cookie=cookies["anna"])
        visitor = await Socket.open(camp.event)
        assert await mod.subscribe(stream) == [subscribed(stream, 0)]
        assert await orga.subscribe(stream) == [subscribed(stream, 0)]
        assert (await anna.subscribe(stream))[0]["code"] == "forbidden"
        assert (await visitor.subscribe(stream))[0]["code"] == "forbidden"
        await db(place_entry)(first, room=camp.room, slot=slot, actor=moderator, expected_version=0)
        got["mod"] = await mod.recv_many(1)
        got["orga"] = await orga.recv_many(1)
        with pytest.raises(CellTaken):
            await db(place_entry)(
                second, room=camp.room, slot=slot, actor=moderator, expected_version=0
            )
        assert await mod.nothing()
        assert await anna.nothing()  # not published: nothing on the barcamp's stream
        for socket in (mod, orga, anna, visitor):
            await socket.close()

    run(scenario)

    assert got["mod"] == got["orga"]
    (frame,) = got["mod"]
    assert (frame["type"], frame["stream"], frame["seq"]) == ("grid.changed", stream, 1)
    assert frame["data"]["proposals"] == [first.pk]
    assert frame["data"]["action"] == "place"
    assert frame["data"]["version"] == 1


def test_after_publishing_everyone_sees_plan_changes_and_fans_get_a_notice(camp: Camp) -> None:
    moderator = EventRoleFactory(event=camp.event, role=Role.MODERATOR).user
    day = camp.event.days.get()
    slot = TimeSlotFactory(day=day, start_time=datetime.time(10, 0))
    other_room = Room.objects.create(event=camp.event, name="Raum Süd", capacity=30)
    proposal = ProposalFactory(event=camp.event, state=ProposalState.PITCHED)
    Star.objects.create(event=camp.event, proposal=proposal, user=camp.anna)
    place_entry(proposal, room=camp.room, slot=slot, actor=moderator, expected_version=0)
    publish_schedule(camp.event, actor=moderator)
    cookies = {"anna": camp.cookie(camp.anna), "ben": camp.cookie(camp.ben)}
    got: dict[str, Any] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=cookies["anna"])
        ben = await Socket.open(camp.event, cookie=cookies["ben"])
        await db(place_entry)(
            proposal, room=other_room, slot=slot, actor=moderator, expected_version=1
        )
        got["anna"] = await anna.recv_many(2)
        got["ben"] = await ben.recv_many(1)
        assert await ben.nothing()  # ben did not star it: no notice
        for socket in (anna, ben):
            await socket.close()

    run(scenario)

    by_type = {f["type"]: f for f in got["anna"]}
    assert set(by_type) == {"plan.changed", "plan.session_moved"}
    assert by_type["plan.changed"]["stream"] == groups.event_stream(camp.event.pk)
    assert by_type["plan.changed"]["data"]["moved"] == [proposal.pk]
    notice = by_type["plan.session_moved"]
    assert notice["stream"] == groups.user_stream(camp.anna.pk)
    assert notice["data"]["id"] == proposal.pk
    assert "Raum Süd" in notice["data"]["text"]
    assert [f["type"] for f in got["ben"]] == ["plan.changed"]
