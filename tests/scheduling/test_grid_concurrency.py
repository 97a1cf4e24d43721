"""A grid cell is scarce: moderators who move sessions into the same cell at the same moment,
from laptops and tablets, get exactly one winner; the others a clear refusal, and nothing is
lost. Real threads on PostgreSQL."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.events.test_concurrency import run_together
from tests.factories import EventFactory, ProposalFactory, RoomFactory, TimeSlotFactory, UserFactory
from unkonf.events.enums import Role
from unkonf.events.models import EventRole
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Proposal
from unkonf.scheduling.exceptions import CellTaken, GridConflict
from unkonf.scheduling.models import GridChange, Schedule, ScheduleEntry
from unkonf.scheduling.services.grid import place_entry, undo_change

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _barcamp(n_moderators: int, n_proposals: int):
    event = EventFactory()
    moderators = [UserFactory(name=f"Moderator {i}") for i in range(n_moderators)]
    for m in moderators:
        EventRole.objects.create(event=event, user=m, role=Role.MODERATOR)
    day = event.days.get()
    rooms = [RoomFactory(event=event, position=i) for i in range(3)]
    slots = [TimeSlotFactory(day=day, start_time=datetime.time(9 + i, 0)) for i in range(3)]
    proposals = [
        ProposalFactory(event=event, state=ProposalState.PITCHED) for _ in range(n_proposals)
    ]
    return event, moderators, rooms, slots, proposals


def test_moderators_moving_different_sessions_into_one_cell_at_once_exactly_one_wins() -> None:
    _event, moderators, rooms, slots, proposals = _barcamp(2, 2)
    cell = (rooms[1], slots[1])

    def move(i: int) -> object:
        with translation.override("en"):
            return place_entry(
                Proposal.objects.get(pk=proposals[i].pk),
                room=cell[0],
                slot=cell[1],
                actor=moderators[i],
                expected_version=0,
            )

    for _round in range(5):  # the race goes either way; every round must end the same
        ScheduleEntry.objects.all().delete()
        Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
            state=ProposalState.PITCHED
        )
        results = run_together(move, [0, 1], workers=2)
        winners = [r for r in results if isinstance(r, GridChange)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1
        assert len(losers) == 1
        assert isinstance(losers[0], CellTaken)
        assert "is already taken by" in str(losers[0])
        assert "Nothing has been changed" in str(losers[0])
        entry = ScheduleEntry.objects.get(room=cell[0], slot=cell[1])
        won = results.index(winners[0])
        assert entry.proposal_id == proposals[won].pk
        loser = Proposal.objects.get(pk=proposals[1 - won].pk)
        assert loser.state == ProposalState.PITCHED  # back in the backlog, not lost
        assert not ScheduleEntry.objects.filter(proposal=loser).exists()


def test_many_moderators_filling_the_grid_at_once_never_share_a_cell() -> None:
    event, moderators, rooms, slots, proposals = _barcamp(6, 12)
    cells = [(room, slot) for room in rooms for slot in slots]  # 9 cells for 12 sessions

    def work(item: tuple[int, int]) -> object:
        i, c = item
        room, slot = cells[c]
        with translation.override("en"):
            return place_entry(
                Proposal.objects.get(pk=proposals[i].pk),
                room=room,
                slot=slot,
                actor=moderators[i % len(moderators)],
                expected_version=0,
            )

    # every session is tried in three cells, many of them wanted by others at the same time
    items = [(i, (i * 2 + k) % len(cells)) for i in range(12) for k in range(3)]
    results = run_together(work, items, workers=6)

    refusals = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, CellTaken | GridConflict) for r in refusals), refusals
    entries = list(ScheduleEntry.objects.all())
    assert len({(e.room_id, e.slot_id) for e in entries}) == len(entries)
    assert len({e.proposal_id for e in entries}) == len(entries)
    assert len(entries) == sum(1 for r in results if isinstance(r, GridChange))
    scheduled = set(
        Proposal.objects.filter(state=ProposalState.SCHEDULED).values_list("pk", flat=True)
    )
    assert scheduled == {e.proposal_id for e in entries}
    assert Schedule.objects.get(event=event).version == len(entries)


def test_undo_racing_a_move_of_the_same_session_never_loses_it() -> None:
    event, moderators, rooms, slots, proposals = _barcamp(2, 1)
    proposal = proposals[0]
    place_entry(proposal, room=rooms[0], slot=slots[0], actor=moderators[0], expected_version=0)

    def act(i: int) -> object:
        with translation.override("en"):
            if i == 0:
                return undo_change(event, actor=moderators[0])
            return place_entry(
                Proposal.objects.get(pk=proposal.pk),
                room=rooms[2],
                slot=slots[2],
                actor=moderators[1],
                expected_version=1,
            )

    results = run_together(act, [0, 1], workers=2)
    outcomes = {type(r).__name__ for r in results}
    entries = list(ScheduleEntry.objects.filter(proposal=proposal))
    if isinstance(results[0], GridChange) and isinstance(results[1], GridChange):
        pytest.fail("the undo and the move cannot both apply to the same entry")
    if isinstance(results[0], GridChange):  # undo first: the move saw a stale version
        assert isinstance(results[1], GridConflict)
        assert entries == []
    else:  # move first: the undo refuses, the session stays where the move put it
        assert isinstance(results[0], GridConflict), outcomes
        assert [(e.room_id, e.slot_id) for e in entries] == [(rooms[2].pk, slots[2].pk)]
