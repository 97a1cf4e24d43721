"""Property tests of "Suggest a grid" from the database to the applied grid (hypothesis).

For random barcamps — rooms with and without equipment and video links, blocked slots, breaks,
two-slot sessions, shared hosts, hosts' unavailable slots, pinned entries, entries that have
begun, entries on another day — every suggestion keeps every hard rule once applied, never
moves what is pinned, has begun, or lies on another day, and "only the remaining" never
moves anything that is in the grid.
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import EventFactory, ProposalFactory, RoomFactory, UserFactory
from unkonf.events.enums import EventMode, Role
from unkonf.events.models import Day, EventRole
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest, ProposalHost
from unkonf.scheduling.enums import SlotKind, SuggestionScope, SuggestionState
from unkonf.scheduling.exceptions import SchedulingError
from unkonf.scheduling.models import ScheduleEntry, Suggestion, TimeSlot, Unavailability
from unkonf.scheduling.selectors.grid import covered_slots, get_schedule, next_slots
from unkonf.scheduling.services.grid import Place, apply_places
from unkonf.scheduling.services.suggestions import apply_suggestion, run_suggestion
from unkonf.venues.enums import Equipment

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


barcamps = st.fixed_dictionaries(
    {
        "rooms": st.lists(
            st.tuples(st.integers(5, 60), st.booleans(), st.booleans()), min_size=1, max_size=3
        ),
        "slots": st.lists(st.sampled_from(["s", "s", "s", "b", "x"]), min_size=2, max_size=6),
        "sessions": st.lists(
            st.tuples(
                st.integers(0, 3),  # host
                st.sampled_from([1, 1, 1, 2]),  # length
                st.booleans(),  # needs a projector
                st.sampled_from([EventMode.ON_SITE, EventMode.ON_SITE, EventMode.ONLINE]),
            ),
            min_size=1,
            max_size=9,
        ),
        "wishes": st.lists(st.lists(st.integers(0, 8), max_size=4), max_size=8),
        "away": st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5)), max_size=3),
        "placed": st.lists(
            st.tuples(st.integers(0, 8), st.integers(0, 2), st.integers(0, 5), st.booleans()),
            max_size=5,
        ),
        "now_after": st.integers(-1, 3),  # how many slots have begun
        "scope": st.sampled_from(list(SuggestionScope)),
    }
)


def _build(spec: dict, moderator):
    event = EventFactory()
    EventRole.objects.create(event=event, user=moderator, role=Role.MODERATOR)
    day = event.days.get()
    other_day = Day.objects.create(event=event, date=day.date + datetime.timedelta(days=1))
    rooms = [
        RoomFactory(
            event=event,
            capacity=cap,
            position=i,
            equipment=[Equipment.PROJECTOR] if projector else [],
            video_url="https://video.example/r" if video else "",
        )
        for i, (cap, projector, video) in enumerate(spec["rooms"])
    ]
    now = timezone.now()
    first = now - datetime.timedelta(hours=spec["now_after"]) - datetime.timedelta(minutes=30)
    slots = []
    for i, kind in enumerate(spec["slots"]):
        start = first + datetime.timedelta(hours=i)
        slots.append(
            TimeSlot.objects.create(
                event=event,
                day=day,
                start=start,
                end=start + datetime.timedelta(minutes=50),
                kind=SlotKind.BREAK if kind == "b" else SlotKind.SESSION,
                is_blocked=kind == "x",
                blocked_reason="Keynote" if kind == "x" else "",
            )
        )
    elsewhere = TimeSlot.objects.create(
        event=event,
        day=other_day,
        start=first + datetime.timedelta(days=1),
        end=first + datetime.timedelta(days=1, minutes=50),
    )
    hosts = [UserFactory() for _ in range(4)]
    proposals = []
    for host, length, projector, mode in spec["sessions"]:
        p = ProposalFactory(
            event=event,
            host=hosts[host],
            state=ProposalState.PITCHED,
            slots=length,
            needs=[Equipment.PROJECTOR] if projector else [],
            mode=mode,
        )
        proposals.append(p)
    people = [UserFactory() for _ in spec["wishes"]]
    for person, wished in zip(people, spec["wishes"], strict=True):
        for i in set(wished):
            if i < len(proposals):
                Interest.objects.create(event=event, proposal=proposals[i], user=person)
    for host, s in spec["away"]:
        if s < len(slots):
            Unavailability.objects.get_or_create(event=event, user=hosts[host], slot=slots[s])
    # the moderators' own grid, rules or not (they may override what the planner must keep)
    for i, r, s, pinned in spec["placed"]:
        if i >= len(proposals) or r >= len(rooms) or s >= len(slots):
            continue
        try:
            apply_places(
                event,
                {proposals[i].pk: Place(rooms[r].pk, slots[s].pk, pinned)},
                actor=moderator,
                action="place",
            )
        except SchedulingError:  # a taken cell or a break: that grid is simply smaller
            continue
    if proposals and len(proposals) > 1:
        # one session on the other day: never touched by a plan of this day
        with contextlib.suppress(SchedulingError):
            apply_places(
                event,
                {proposals[-1].pk: Place(rooms[0].pk, elsewhere.pk, False)},
                actor=moderator,
                action="place",
            )
    return event, day, rooms, slots, proposals, now


def _assert_hard_rules(event, slots, before, scope, now, day) -> None:
    entries = list(ScheduleEntry.objects.filter(event=event).select_related("room", "slot"))
    following = next_slots(TimeSlot.objects.filter(event=event))
    cells = set()
    host_at = defaultdict(set)
    hosts = dict(ProposalHost.objects.values_list("proposal_id", "user_id"))
    away = set(Unavailability.objects.values_list("user_id", "slot_id"))
    for entry in entries:
        covered = covered_slots(entry, following)
        assert len(covered) == entry.length  # two-slot sessions take two consecutive slots
        for slot_id in covered:
            assert (entry.room_id, slot_id) not in cells  # one session per cell
            cells.add((entry.room_id, slot_id))
        was = before.get(entry.proposal_id)
        if was == (entry.room_id, entry.slot_id, entry.pinned):
            continue  # untouched: the moderators' choice, not the planner's
        # what the planner placed keeps every rule
        slot_objs = [TimeSlot.objects.get(pk=s) for s in covered]
        assert all(s.kind == SlotKind.SESSION and not s.is_blocked for s in slot_objs)
        assert all(s.start > now for s in slot_objs)  # never into what has begun
        assert all(s.day_id == day.pk for s in slot_objs) or scope != SuggestionScope.REST_OF_DAY
        proposal = entry.proposal
        assert all(tag in entry.room.equipment for tag in proposal.needs)
        assert proposal.mode == EventMode.ON_SITE or entry.room.video_url
        host = hosts[entry.proposal_id]
        assert not any((host, s) in away for s in covered)
        for s in covered:
            host_at[(host, s)].add(entry.proposal_id)
    for (host, s), pids in host_at.items():
        others = {
            e.proposal_id
            for e in entries
            if hosts[e.proposal_id] == host and s in covered_slots(e, following)
        }
        assert others == pids, "a planned session puts its host in two places at once"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=barcamps)
def test_an_applied_suggestion_keeps_every_rule_and_touches_only_what_it_may(spec) -> None:
    moderator = UserFactory()
    event, day, _rooms, slots, _proposals, now = _build(spec, moderator)
    before = {
        e.proposal_id: (e.room_id, e.slot_id, e.pinned)
        for e in ScheduleEntry.objects.filter(event=event)
    }
    slot_day = dict(TimeSlot.objects.filter(event=event).values_list("pk", "day_id"))
    suggestion = Suggestion.objects.create(
        event=event,
        created_by=moderator,
        scope=spec["scope"],
        day=day,
        after=now,
        time_budget=1.0,
        base_version=get_schedule(event).version,
    )
    suggestion = run_suggestion(suggestion.pk)
    assert suggestion.state == SuggestionState.READY
    started = {s.pk for s in TimeSlot.objects.filter(event=event, start__lte=now)}
    for key in suggestion.assignment:
        pid = int(key)
        if pid not in before:
            continue
        _room, slot, pinned = before[pid]
        assert not pinned, "a pinned session moved"
        assert slot not in started, "a session that has begun moved"
        assert slot_day[slot] == day.pk, "a session on another day moved"
        assert spec["scope"] != SuggestionScope.REMAINING, "'only the remaining' moved one"

    def cell(pid: int) -> tuple[int, int] | None:
        return before[pid][:2] if pid in before else None

    changed = [
        k for k, v in suggestion.assignment.items() if (tuple(v) if v else None) != cell(int(k))
    ]
    if changed:
        apply_suggestion(suggestion, actor=moderator)
    _assert_hard_rules(event, slots, before, spec["scope"], now, day)
