"""The demo barcamp's published grid for both days, made the way the team would make it.

After the proposals and their interest (``demo_proposals``), the moderator runs the pitch
through its services (every submitted proposal is pitched, then the pitch is closed, which fixes
the interest for planning), the planner suggests a grid for both days, the moderator applies it
as one step and publishes the plan. A few participants star sessions, and one session on the
second day moves to a bigger room, as happens when more people come than expected: its page,
the plan and the exports show the move.

The planner runs with a fixed seed and a fixed amount of search (``iterations``), so the demo
is the same on every run and does not depend on the speed of the machine.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from unkonf.accounts.models import User
from unkonf.events.enums import EventMode
from unkonf.events.models import Event
from unkonf.proposals import services as proposal_services
from unkonf.proposals.models import Proposal
from unkonf.scheduling.enums import SuggestionScope
from unkonf.scheduling.models import ScheduleEntry, TimeSlot
from unkonf.scheduling.planner.planning import plan
from unkonf.scheduling.selectors.grid import covered_slots, next_slots, planning_input
from unkonf.scheduling.services.grid import Place, apply_places, place_entry, publish_schedule
from unkonf.scheduling.services.stars import star_session
from unkonf.venues.models import Room

PLANNER_SEED = 2017
#: a fixed amount of search, independent of the machine's speed: on the demo it finds the
#: same grid cost (missed wishes, overflow) as a 5-second budget
PLANNER_ITERATIONS = 400

PARTICIPANT_EMAIL = "teilnehmerin@example.org"
#: who stars what (by position in the plan, most wanted first): the demo participant, and two
#: others, so "my plan" and the private calendar feed have something to show
STARS = {
    PARTICIPANT_EMAIL: (0, 3, 5),
    "lena.hartmann@example.org": (1, 2),
    "felix.wagner@example.org": (0, 4),
}


def seed_grid(event: Event, *, people: Mapping[str, User], moderator: User) -> None:
    """Pitch, plan, publish, star, and move one session of the second day."""
    _run_pitch(event, moderator)
    _plan_both_days(event, moderator)
    publish_schedule(event, actor=moderator)
    _star(event, people)
    _move_one_on_the_second_day(event, moderator)


def _run_pitch(event: Event, moderator: User) -> None:
    """Every submitted proposal gets its minute, then the pitch closes."""
    pitch = proposal_services.open_pitch(event, actor=moderator)
    while True:
        pitch = proposal_services.next_pitch(event, actor=moderator)
        if pitch.current_id is None:
            break
    proposal_services.close_pitch(event, actor=moderator)


def _plan_both_days(event: Event, moderator: User) -> None:
    data = planning_input(event, scope=SuggestionScope.ALL, day=None, now=timezone.now())
    result = plan(data.problem, seed=PLANNER_SEED, iterations=PLANNER_ITERATIONS)
    target = {
        data.proposals[i]: Place(room=data.rooms[room], slot=data.slots[slot])
        for i, (room, slot) in enumerate(result.assignment)
        if i in data.movable
    }
    apply_places(event, target, actor=moderator, action="suggestion")


def _star(event: Event, people: Mapping[str, User]) -> None:
    by_interest = list(
        Proposal.objects.filter(event=event, entry__isnull=False).order_by("-interest_count", "pk")
    )
    for email, positions in STARS.items():
        for position in positions:
            star_session(by_interest[position], actor=people[email], starred=True)


def _move_one_on_the_second_day(event: Event, moderator: User) -> None:
    """The fullest session of the second day moves to the biggest free room that suits it."""
    second_day = event.days.order_by("date")[1]
    following = next_slots(TimeSlot.objects.filter(event=event))
    placed = list(
        ScheduleEntry.objects.filter(event=event).select_related("room", "slot", "proposal")
    )
    taken = {(e.room_id, slot) for e in placed for slot in covered_slots(e, following)}
    candidates = sorted(
        (e for e in placed if e.slot.day_id == second_day.pk),
        key=lambda e: (e.room.capacity - e.proposal.interest_count, e.pk),
    )
    rooms = list(Room.objects.filter(event=event).order_by("-capacity", "position"))
    for entry in candidates:
        proposal, cells = entry.proposal, covered_slots(entry, following)
        for room in rooms:
            if room.capacity <= entry.room.capacity:
                continue
            if any((room.pk, slot) in taken for slot in cells):
                continue
            if any(tag not in room.equipment for tag in proposal.needs):
                continue
            if proposal.mode != EventMode.ON_SITE and not room.video_url:
                continue
            place_entry(
                proposal,
                room=room,
                slot=entry.slot,
                actor=moderator,
                expected_version=entry.version,
            )
            return
