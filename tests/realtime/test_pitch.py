"""The pitch over the websocket: ``pitch.changed`` (stored, with seq), coalesced
``proposal.interest_changed`` counts, and taps sent as ``interest.set`` frames."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import EventRoleFactory, ProposalFactory
from tests.realtime.support import Camp, Socket, db, frame_of, run, subscribed
from unkonf.events.enums import Role
from unkonf.proposals import selectors
from unkonf.proposals import services as proposal_services
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest, Proposal, ProposalSettings
from unkonf.realtime import groups

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def pitch_frame(seq: int, pitch_data: dict[str, Any], stream: str) -> dict[str, Any]:
    return frame_of("pitch.changed", stream, seq, pitch_data)


def test_pitch_changed_reaches_everyone_who_sees_the_barcamp_after_commit(camp: Camp) -> None:
    moderator = EventRoleFactory(event=camp.event, role=Role.MODERATOR).user
    first = ProposalFactory(event=camp.event, host=camp.anna)
    stream = groups.pitch_stream(camp.event.pk)
    anna_cookie, carla_cookie = camp.cookie(camp.anna), camp.cookie(camp.carla)
    frames: dict[str, list[dict[str, Any]]] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        visitor = await Socket.open(camp.event)  # public barcamp: the screen needs no login
        carla = await Socket.open(camp.other_event, cookie=carla_cookie)
        assert await anna.subscribe(stream) == [subscribed(stream, 0)]
        assert await visitor.subscribe(stream) == [subscribed(stream, 0)]
        assert (await carla.subscribe(stream))[0]["code"] == "forbidden"
        await db(proposal_services.open_pitch)(camp.event, actor=moderator)
        await db(proposal_services.next_pitch)(camp.event, actor=moderator)
        frames["anna"] = await anna.recv_many(2)
        frames["visitor"] = await visitor.recv_many(2)
        assert await carla.nothing()
        # A refused action sends nothing.
        with pytest.raises(proposal_services.PitchError):
            await db(proposal_services.open_pitch)(camp.event, actor=moderator)
        assert await anna.nothing()
        for socket in (anna, visitor, carla):
            await socket.close()

    run(scenario)

    assert frames["anna"] == frames["visitor"]
    opened, started = frames["anna"]
    assert (opened["type"], opened["seq"], opened["data"]["state"]) == ("pitch.changed", 1, "open")
    assert opened["data"]["current"] is None
    assert (started["seq"], started["data"]["current"]) == (2, first.pk)
    assert started["data"]["timer_running"] is True
    assert started["data"]["duration"] == 60
    assert 59 <= started["data"]["remaining"] <= 60
    # what a phone shows comes with the message: no fetch from a thousand phones at once
    assert (started["data"]["title"], started["data"]["next_title"]) == (first.title, "")
    assert (started["data"]["count"], started["data"]["count_version"]) == (0, 0)


def test_pitch_replays_what_a_reconnecting_screen_missed(camp: Camp) -> None:
    moderator = EventRoleFactory(event=camp.event, role=Role.MODERATOR).user
    ProposalFactory(event=camp.event)
    stream = groups.pitch_stream(camp.event.pk)
    proposal_services.open_pitch(camp.event, actor=moderator)
    proposal_services.next_pitch(camp.event, actor=moderator)
    proposal_services.control_timer(camp.event, actor=moderator, action="pause")
    replayed: list[dict[str, Any]] = []

    async def scenario() -> None:
        screen = await Socket.open(camp.event)
        replayed.extend(await screen.subscribe(stream, since=1))
        await screen.close()

    run(scenario)

    assert [f.get("seq") for f in replayed] == [2, 3, 3]
    assert replayed[-1] == subscribed(stream, 3)
    assert replayed[1]["data"]["timer_running"] is False


def test_interest_set_counts_once_and_the_screen_gets_a_coalesced_count(camp: Camp) -> None:
    proposal = ProposalFactory(event=camp.event, host=camp.anna)
    stream = groups.pitch_stream(camp.event.pk)
    cookies = {"anna": camp.cookie(camp.anna), "ben": camp.cookie(camp.ben)}
    got: dict[str, Any] = {}

    async def scenario() -> None:
        screen = await Socket.open(camp.event)
        assert await screen.subscribe(stream) == [subscribed(stream, 0)]
        anna = await Socket.open(camp.event, cookie=cookies["anna"])
        ben = await Socket.open(camp.event, cookie=cookies["ben"])
        tap = {"type": "interest.set", "proposal": proposal.pk, "want": True}
        await anna.send({**tap, "ref": "a1"})
        await anna.send({**tap, "ref": "a2"})  # a double tap
        got["anna"] = await anna.recv_many(2)
        await ben.send({**tap, "ref": "b1"})
        got["ben"] = await ben.recv()
        # Counts come coalesced: keep reading until the screen shows the final count.
        counts: list[list[int]] = []
        while not counts or counts[-1][0] != 2:
            frame = await screen.recv()
            assert frame["type"] == "proposal.interest_changed"
            assert frame["seq"] is None  # not stored: screens fetch counts with the page
            counts.append(frame["data"]["counts"][str(proposal.pk)])
        got["counts"] = counts
        for socket in (screen, anna, ben):
            await socket.close()

    run(scenario)

    assert Interest.objects.filter(proposal=proposal).count() == 2
    assert Proposal.objects.get(pk=proposal.pk).interest_count == 2
    assert got["anna"][0] == {
        "type": "ack",
        "ref": "a1",
        "data": {"proposal": proposal.pk, "interested": True, "count": 1, "version": 1},
    }
    assert got["anna"][1]["data"]["count"] == 1  # the double tap counted once
    assert got["ben"]["data"] == {
        "proposal": proposal.pk,
        "interested": True,
        "count": 2,
        "version": 2,
    }
    versions = [version for _count, version in got["counts"]]
    assert versions == sorted(versions)
    assert got["counts"][-1] == [2, 2]
    assert len(got["counts"]) <= 2  # three taps in a burst, at most two messages


def test_interest_set_refusals_say_why_and_change_nothing(camp: Camp) -> None:
    withdrawn = ProposalFactory(event=camp.event, state=ProposalState.WITHDRAWN)
    other = ProposalFactory(event=camp.other_event)
    open_one = ProposalFactory(event=camp.event)
    cookies = {"anna": camp.cookie(camp.anna), "stranger": camp.cookie(camp.stranger)}
    frames: dict[str, Any] = {}

    async def scenario() -> None:
        anna = await Socket.open(camp.event, cookie=cookies["anna"])
        stranger = await Socket.open(camp.event, cookie=cookies["stranger"])
        visitor = await Socket.open(camp.event)
        await anna.send({"type": "interest.set", "proposal": withdrawn.pk, "want": True, "ref": 1})
        frames["withdrawn"] = await anna.recv()
        await anna.send({"type": "interest.set", "proposal": other.pk, "want": True, "ref": 2})
        frames["other_barcamp"] = await anna.recv()
        await anna.send({"type": "interest.set", "proposal": open_one.pk, "want": "yes"})
        frames["bad"] = await anna.recv()
        await stranger.send({"type": "interest.set", "proposal": open_one.pk, "want": True})
        frames["stranger"] = await stranger.recv()
        await visitor.send({"type": "interest.set", "proposal": open_one.pk, "want": True})
        frames["visitor"] = await visitor.recv()
        for socket in (anna, stranger, visitor):
            await socket.close()

    run(scenario)

    assert frames["withdrawn"] == {
        "type": "error",
        "code": "refused",
        "message": "This proposal is not open for interest.",
        "ref": 1,
    }
    assert frames["other_barcamp"]["message"] == "Unknown proposal."
    assert frames["bad"]["code"] == "bad_frame"
    assert frames["stranger"]["message"] == "Only registered participants can show interest."
    assert frames["visitor"]["message"] == "Please log in to show interest."
    assert not Interest.objects.exists()


def test_hidden_counts_are_not_sent_before_the_pitch(camp: Camp) -> None:
    ProposalSettings.objects.create(event=camp.event, hide_counts_until_pitch=True)
    proposal = ProposalFactory(event=camp.event)
    stream = groups.pitch_stream(camp.event.pk)
    anna_cookie = camp.cookie(camp.anna)
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        screen = await Socket.open(camp.event)
        await screen.subscribe(stream)
        anna = await Socket.open(camp.event, cookie=anna_cookie)
        await anna.send({"type": "interest.set", "proposal": proposal.pk, "want": True, "ref": 1})
        frames.append(await anna.recv())
        assert await screen.nothing(0.6)
        for socket in (screen, anna):
            await socket.close()

    run(scenario)

    assert frames[0]["data"] == {
        "proposal": proposal.pk,
        "interested": True,
        "count": None,
        "version": 1,
    }
    assert selectors.interested_ids(camp.event, camp.anna) == {proposal.pk}
