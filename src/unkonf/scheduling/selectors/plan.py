"""Reads of the plan as participants see it: who may see it, every session with its times,
a day as rows of slots, now and next per room, a person's starred sessions with clashes, and
the slots a host may mark as unavailable.

Everything takes the moment ``now`` from the caller (the views pass the server's time), so the
same reads answer "what runs now" for a page, a screen and a test alike.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.http import Http404

from unkonf.events.models import Day, Event
from unkonf.events.selectors import access_event
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Proposal, ProposalHost
from unkonf.proposals.permissions import can_moderate_proposals
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.models import Schedule, ScheduleEntry, Star, TimeSlot, Unavailability
from unkonf.scheduling.selectors.grid import entry_end, find_schedule, list_entries, next_slots
from unkonf.venues.models import Room

# --- who may see the plan -----------------------------------------------------------------------


def may_see_plan(actor: Any, event: Event, schedule: Schedule | None) -> bool:
    """Everyone who sees the barcamp, once the plan is published; before that the team that
    builds it (organisers and moderators). The caller has checked access to the barcamp."""
    if schedule is not None and schedule.is_published:
        return True
    return can_moderate_proposals(actor, event)


@dataclass(frozen=True)
class PlanAccess:
    event: Event
    schedule: Schedule | None

    @property
    def published(self) -> bool:
        return self.schedule is not None and self.schedule.is_published

    @property
    def version(self) -> int:
        return self.schedule.version if self.schedule is not None else 0


def access_plan(actor: Any, slug: str) -> PlanAccess:
    """The barcamp and its grid if the actor may see the plan; otherwise the uniform 404
    (an unpublished plan does not exist for participants)."""
    event = access_event(actor, slug)
    schedule = find_schedule(event)
    if not may_see_plan(actor, event, schedule):
        raise Http404
    return PlanAccess(event=event, schedule=schedule)


# --- the sessions of the plan -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    """A session in the plan: its entry (room, first slot, proposal with confirmed hosts) and
    when it ends (a two-slot session ends with the second slot)."""

    entry: ScheduleEntry
    end: datetime.datetime
    #: the barcamp's time zone (what "another day" means)
    zone: datetime.tzinfo = datetime.UTC
    starred: bool = False
    #: titles of other starred sessions that overlap this one ("my plan" only)
    clashes: tuple[str, ...] = ()

    @property
    def proposal(self) -> Proposal:
        return self.entry.proposal

    @property
    def room(self) -> Room:
        return self.entry.room

    @property
    def slot(self) -> TimeSlot:
        return self.entry.slot

    @property
    def start(self) -> datetime.datetime:
        return self.entry.slot.start

    @property
    def day_id(self) -> int:
        return self.entry.slot.day_id

    @property
    def moved(self) -> bool:
        return self.entry.moved_at is not None

    @property
    def room_changed(self) -> bool:
        """It moved to another room (not only to another time)."""
        return self.moved and self.entry.previous_room != self.entry.room.name

    @property
    def moved_other_day(self) -> bool:
        """It moved from another day: the note then names the day, not only the time."""
        previous = self.entry.previous_start
        if previous is None:
            return False
        zone = self.zone
        return previous.astimezone(zone).date() != self.start.astimezone(zone).date()

    def runs_at(self, moment: datetime.datetime) -> bool:
        return self.start <= moment < self.end

    def overlaps(self, other: PlanItem) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Plan:
    event: Event
    days: list[Day]
    rooms: list[Room]
    #: every slot of every day (sessions, plenaries, breaks), by start
    slots: list[TimeSlot]
    #: every session in the grid, by start and room
    items: list[PlanItem]

    def day_of(self, pk: int) -> Day | None:
        return next((day for day in self.days if day.pk == pk), None)

    def items_of_day(self, day: Day) -> list[PlanItem]:
        return [item for item in self.items if item.day_id == day.pk]

    def items_in_room(self, room: Room) -> list[PlanItem]:
        return [item for item in self.items if item.entry.room_id == room.pk]

    def slots_of_day(self, day: Day) -> list[TimeSlot]:
        return [slot for slot in self.slots if slot.day_id == day.pk]


def starred_ids(event: Event, user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Star.objects.filter(event=event, user=user).values_list("proposal_id", flat=True))


def get_plan(event: Event, *, user: Any = None) -> Plan:
    """The whole plan in a fixed number of queries, however many sessions it has: days,
    rooms, slots, entries, their proposals and hosts, and the user's stars."""
    days = list(Day.objects.filter(event=event).order_by("date"))
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    slots = list(TimeSlot.objects.filter(event=event).order_by("start"))
    for slot in slots:
        slot.event = event
    slot_of = {slot.pk: slot for slot in slots}
    room_of = {room.pk: room for room in rooms}
    following = next_slots(slots)
    stars = starred_ids(event, user)
    items = []
    for entry in list_entries(event):
        entry.slot, entry.room = slot_of[entry.slot_id], room_of[entry.room_id]
        entry.proposal.event = event
        items.append(
            PlanItem(
                entry=entry,
                end=entry_end(entry, following),
                zone=event.zone,
                starred=entry.proposal_id in stars,
            )
        )
    items.sort(key=lambda item: (item.start, item.room.position, item.room.pk))
    return Plan(event=event, days=days, rooms=rooms, slots=slots, items=items)


def default_day(plan: Plan, now: datetime.datetime) -> Day | None:
    """Today if the barcamp runs today, else the next day to come, else its last day."""
    today = now.astimezone(plan.event.zone).date()
    for day in plan.days:
        if day.date >= today:
            return day
    return plan.days[-1] if plan.days else None


# --- a day as rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanCell:
    room: Room
    item: PlanItem | None
    rowspan: int = 1


@dataclass(frozen=True)
class PlanRow:
    slot: TimeSlot
    #: one per room, without the cells that a two-slot session above already spans
    cells: list[PlanCell]
    #: the sessions that begin in this slot (the list shown on small screens)
    starting: list[PlanItem]
    #: two-slot sessions that began in the slot before and go on in this one
    continuing: list[PlanItem]

    @property
    def is_session_slot(self) -> bool:
        return self.slot.kind == SlotKind.SESSION


def day_rows(plan: Plan, day: Day) -> list[PlanRow]:
    slots = plan.slots_of_day(day)
    at: dict[tuple[int, int], PlanItem] = {}
    span: dict[tuple[int, int], int] = {}
    covering: dict[int, list[PlanItem]] = defaultdict(list)
    covered: set[tuple[int, int]] = set()
    for index, slot in enumerate(slots):
        for item in plan.items:
            if item.entry.slot_id == slot.pk:
                cell = (item.entry.room_id, slot.pk)
                at[cell] = item
                later_slots = slots[index + 1 : index + item.entry.length]
                span[cell] = 1 + len(later_slots)
                for later in later_slots:
                    covered.add((item.entry.room_id, later.pk))
                    covering[later.pk].append(item)
    rows = []
    for slot in slots:
        cells = []
        for room in plan.rooms:
            if (room.pk, slot.pk) in covered:
                continue
            cells.append(
                PlanCell(
                    room=room,
                    item=at.get((room.pk, slot.pk)),
                    rowspan=span.get((room.pk, slot.pk), 1),
                )
            )
        starting = [item for item in plan.items if item.entry.slot_id == slot.pk]
        rows.append(
            PlanRow(slot=slot, cells=cells, starting=starting, continuing=covering[slot.pk])
        )
    return rows


# --- now and next -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomNow:
    room: Room
    #: the session running in the room at this moment
    current: PlanItem | None
    #: the slot running at this moment (for the countdown of the current session)
    current_slot: TimeSlot | None
    #: the next session to begin in the room
    next: PlanItem | None
    #: sessions that were to be here and have moved elsewhere (not over yet)
    moved_away: list[PlanItem]


def slot_at(slots: Iterable[TimeSlot], moment: datetime.datetime) -> TimeSlot | None:
    return next((slot for slot in slots if slot.start <= moment < slot.end), None)


def next_slot(slots: Iterable[TimeSlot], moment: datetime.datetime) -> TimeSlot | None:
    return next((slot for slot in slots if slot.start > moment), None)


def next_change(
    slots: Iterable[TimeSlot],
    moment: datetime.datetime,
    *,
    also: Iterable[datetime.datetime] = (),
) -> datetime.datetime | None:
    """The next moment a slot begins or ends (or a clock in `also` runs out): screens look
    again then."""
    times = [t for slot in slots for t in (slot.start, slot.end) if t > moment]
    times += [t for t in also if t > moment]
    return min(times, default=None)


#: when a session's clock has been extended past its planned end: the extended end, else None
ExtendedUntil = Callable[["PlanItem"], datetime.datetime | None]


def now_and_next(
    plan: Plan,
    moment: datetime.datetime,
    *,
    day: Day | None = None,
    extended_until: ExtendedUntil | None = None,
) -> list[RoomNow]:
    """Per room what runs at `moment` and what comes next (only sessions of `day`, if given).

    A session whose clock the timekeeper extended past its planned end stays "now" until the
    clock runs out or is ended; the session planned after it is then "next".
    """
    items = plan.items if day is None else plan.items_of_day(day)
    slots = plan.slots if day is None else plan.slots_of_day(day)
    running_slot = slot_at(slots, moment)
    result = []
    for room in plan.rooms:
        here = [item for item in items if item.entry.room_id == room.pk]
        current = next((item for item in here if item.runs_at(moment)), None)
        upcoming = next((item for item in here if item.start > moment), None)
        held = None
        if extended_until is not None:
            held = next(
                (
                    item
                    for item in here
                    if item.end <= moment and (extended_until(item) or item.end) > moment
                ),
                None,
            )
        if held is not None:
            current, upcoming = held, (current or upcoming)
        moved_away = [
            item
            for item in items
            if item.moved
            and item.entry.room_id != room.pk
            and item.entry.previous_room == room.name
            and item.end > moment
        ]
        result.append(
            RoomNow(
                room=room,
                current=current,
                current_slot=(
                    held.entry.slot
                    if held is not None
                    else (running_slot if current is not None else None)
                ),
                next=upcoming,
                moved_away=moved_away,
            )
        )
    return result


# --- my plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyPlan:
    #: the starred sessions in the plan, by time, each with the starred ones it clashes with
    items: list[PlanItem]
    #: starred proposals that are not in the plan (any more)
    not_in_plan: list[Proposal]

    @property
    def clash_count(self) -> int:
        return sum(1 for item in self.items if item.clashes)


def get_my_plan(plan: Plan, user: Any) -> MyPlan:
    mine = [item for item in plan.items if item.starred]
    with_clashes = [
        replace(
            item,
            clashes=tuple(
                other.proposal.title for other in mine if other is not item and other.overlaps(item)
            ),
        )
        for item in mine
    ]
    not_in_plan = list(
        Proposal.objects.filter(event=plan.event, stars__user=user, entry__isnull=True)
        .exclude(state=ProposalState.MERGED)
        .order_by("title", "pk")
    )
    return MyPlan(items=with_clashes, not_in_plan=not_in_plan)


# --- hosts' unavailable times -------------------------------------------------------------------


def hosted_proposals(event: Event, user: Any) -> list[Proposal]:
    """What the user hosts (confirmed) in this barcamp, merged proposals left out."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = ProposalHost.objects.filter(
        proposal__event=event, user=user, confirmed_at__isnull=False
    ).values_list("proposal_id", flat=True)
    return list(
        Proposal.objects.filter(pk__in=ids)
        .exclude(state__in=(ProposalState.MERGED, ProposalState.WITHDRAWN))
        .order_by("title", "pk")
    )


def list_session_slots(event: Event) -> list[TimeSlot]:
    """The session slots of the barcamp (the ones a host may be unavailable in), by start."""
    slots = list(
        TimeSlot.objects.filter(event=event, kind=SlotKind.SESSION)
        .select_related("day")
        .order_by("start")
    )
    for slot in slots:
        slot.event = event
    return slots


def unavailable_slot_ids(event: Event, user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Unavailability.objects.filter(event=event, user=user).values_list("slot_id", flat=True)
    )


def find_plan_item(proposal: Proposal) -> PlanItem | None:
    """The proposal's place in the grid (room, slot, until when), or None."""
    entry = (
        ScheduleEntry.objects.filter(proposal=proposal)
        .select_related("room", "slot", "slot__day")
        .first()
    )
    if entry is None:
        return None
    entry.proposal = proposal
    end = entry.slot.end
    if entry.length > 1:
        second = (
            TimeSlot.objects.filter(day_id=entry.slot.day_id, start__gte=entry.slot.end)
            .order_by("start")
            .first()
        )
        end = second.end if second is not None else end
    return PlanItem(entry=entry, end=end, zone=proposal.event.zone)


def is_starred(proposal: Proposal, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Star.objects.filter(proposal=proposal, user=user).exists()
