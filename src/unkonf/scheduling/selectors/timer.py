"""Reads of the timekeeper's clocks: which clock counts for a slot in a room, and its state.

A slot has at most one clock for all rooms (``room`` empty) and one per room. For a room the
clock that counts ("effective") is, in this order:

1. the room's own clock in this slot;
2. when the slot is the second half of a two-slot session in this room: the room's own clock
   of the session's first slot (it runs through both slots);
3. the clock of the slot for all rooms.

Times are the server's; late starts and overruns are measured against the slot's planned start
and the clock's end.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from unkonf.events.models import Day, Event
from unkonf.events.permissions import is_event_staff
from unkonf.scheduling.models import ScheduleEntry, SlotTimer, TimeSlot
from unkonf.scheduling.selectors import list_slots
from unkonf.scheduling.selectors.grid import next_slots
from unkonf.venues.models import Room

#: a start more than this after the planned start counts as late
LATE_AFTER = datetime.timedelta(minutes=1)

Source = Literal["room", "covering", "slot", ""]
State = Literal["not_started", "running", "overrun", "ended"]

#: how strongly a clock's kind binds a (slot, room): a stronger one overrides a weaker one
RANK: dict[str, int] = {"room": 3, "covering": 2, "slot": 1, "": 0}


def can_keep_time(user: object, event: Event) -> bool:
    """Organisers, moderators and timekeepers run the clocks."""
    return is_event_staff(user, event)


def unix(moment: datetime.datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def whole_minutes(delta: datetime.timedelta) -> int:
    return max(0, math.floor(delta.total_seconds() / 60))


def clock_text(moment: datetime.datetime, zone: datetime.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


@dataclass(frozen=True)
class TimerState:
    """What the clock of ``slot`` in ``room`` (None: all rooms) says at ``now``."""

    slot: TimeSlot
    room: Room | None
    #: the clock that counts, or None when there is none yet
    timer: SlotTimer | None
    source: Source
    now: datetime.datetime
    planned_start: datetime.datetime
    planned_end: datetime.datetime
    #: the first slot of a two-slot session in this room that covers ``slot`` (or None)
    first_slot_id: int | None = None

    @property
    def started_at(self) -> datetime.datetime | None:
        return self.timer.started_at if self.timer else None

    @property
    def ends_at(self) -> datetime.datetime | None:
        return self.timer.ends_at if self.timer else None

    @property
    def ended_at(self) -> datetime.datetime | None:
        return self.timer.ended_at if self.timer else None

    @property
    def rank(self) -> int:
        return RANK[self.source]

    @property
    def state(self) -> State:
        if self.started_at is None or self.ends_at is None:
            return "not_started"
        if self.ended_at is not None:
            return "ended"
        if self.now >= self.ends_at:
            return "overrun"
        return "running"

    @property
    def is_running(self) -> bool:
        return self.state in ("running", "overrun")

    @property
    def seconds_left(self) -> int | None:
        """Whole seconds until the end (negative: over time); None when not running."""
        if not self.is_running or self.ends_at is None:
            return None
        return math.floor((self.ends_at - self.now).total_seconds())

    @property
    def late_minutes(self) -> int:
        """How late the clock started, in whole minutes (0: on time, or less than a minute)."""
        if self.started_at is None or self.started_at - self.planned_start <= LATE_AFTER:
            return 0
        return whole_minutes(self.started_at - self.planned_start)

    @property
    def overdue_minutes(self) -> int:
        """Not started although the planned start has passed: by how many minutes."""
        if self.state != "not_started" or self.now - self.planned_start <= LATE_AFTER:
            return 0
        return whole_minutes(self.now - self.planned_start)

    @property
    def overrun_minutes(self) -> int:
        """How far beyond its end the clock ran (until it was ended, or until now)."""
        if self.ends_at is None or self.state == "not_started":
            return 0
        until = self.ended_at or self.now
        return whole_minutes(until - self.ends_at)

    # --- texts for the moderator ----------------------------------------------------------------

    @property
    def zone(self) -> datetime.tzinfo:
        return self.slot.event.zone

    @property
    def status_text(self) -> str:
        state, zone = self.state, self.zone
        if state == "not_started":
            return _("Not started")
        if state == "ended" and self.ended_at is not None:
            return _("Ended at %(time)s") % {"time": clock_text(self.ended_at, zone)}
        assert self.ends_at is not None
        if state == "overrun":
            return _("Time is up (it was %(time)s)") % {"time": clock_text(self.ends_at, zone)}
        return _("Running, ends at %(time)s") % {"time": clock_text(self.ends_at, zone)}

    @property
    def late_text(self) -> str:
        if self.late_minutes:
            return _("started %(minutes)d min late") % {"minutes": self.late_minutes}
        if self.overdue_minutes:
            return _("not started, due %(minutes)d min ago") % {"minutes": self.overdue_minutes}
        return ""

    @property
    def overrun_text(self) -> str:
        if self.overrun_minutes:
            return _("%(minutes)d min over time") % {"minutes": self.overrun_minutes}
        return ""

    @property
    def source_text(self) -> str:
        if self.room is None:
            return ""
        if self.source == "room":
            return _("own clock")
        if self.source == "covering":
            return _("clock of the two-slot session")
        return _("follows the slot")


class TimerBoard:
    """Every clock of a barcamp, read once, and the two-slot sessions they may run through."""

    def __init__(self, event: Event, *, now: datetime.datetime | None = None) -> None:
        self.event = event
        self.now = now or timezone.now()
        self.slots = {slot.pk: slot for slot in list_slots(event)}
        self.following = next_slots(self.slots.values())
        self.timers = {
            (timer.slot_id, timer.room_id): timer for timer in SlotTimer.objects.filter(event=event)
        }
        #: (room, first slot) -> the second slot of a two-slot session there
        self.two_slot: dict[tuple[int, int], TimeSlot] = {}
        #: (room, second slot) -> its first slot
        self.covered: dict[tuple[int, int], int] = {}
        for room_id, slot_id in ScheduleEntry.objects.filter(event=event, length=2).values_list(
            "room_id", "slot_id"
        ):
            after = self.following.get(slot_id)
            if after is not None:
                self.two_slot[(room_id, slot_id)] = after
                self.covered[(room_id, after.pk)] = slot_id

    def slot(self, slot: TimeSlot | int) -> TimeSlot:
        """The board's copy of a slot (with its event loaded)."""
        return self.slots[slot if isinstance(slot, int) else slot.pk]

    def planned_end(self, slot: TimeSlot, room: Room | None) -> datetime.datetime:
        """The slot's end; for a room with a two-slot session starting here, the second's."""
        if room is not None:
            after = self.two_slot.get((room.pk, slot.pk))
            if after is not None:
                return after.end
        return slot.end

    def planned_duration(self, slot: TimeSlot, room: Room | None) -> datetime.timedelta:
        return self.planned_end(slot, room) - slot.start

    def two_slot_rooms(self, slot: TimeSlot) -> list[int]:
        """Rooms in which a two-slot session starts in this slot."""
        return sorted(room for room, first in self.two_slot if first == slot.pk)

    def state(self, slot: TimeSlot, room: Room | None) -> TimerState:
        slot = self.slots.get(slot.pk, slot)
        first = self.covered.get((room.pk, slot.pk)) if room is not None else None
        timer: SlotTimer | None = None
        source: Source = ""
        planned_start, planned_end = slot.start, slot.end
        if room is not None and (slot.pk, room.pk) in self.timers:
            timer, source = self.timers[(slot.pk, room.pk)], "room"
            planned_end = self.planned_end(slot, room)
        elif room is not None and first is not None and (first, room.pk) in self.timers:
            timer, source = self.timers[(first, room.pk)], "covering"
            planned_start = self.slots[first].start
        elif (slot.pk, None) in self.timers:
            timer, source = self.timers[(slot.pk, None)], "slot"
        return TimerState(
            slot=slot,
            room=room,
            timer=timer,
            source=source,
            now=self.now,
            planned_start=planned_start,
            planned_end=planned_end,
            first_slot_id=first,
        )


def get_timer_state(slot: TimeSlot, room: Room | None = None) -> TimerState:
    """The clock that counts for ``slot`` in ``room`` (or for all rooms), now."""
    return TimerBoard(slot.event).state(slot, room)


# --- the timekeeper's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomRow:
    room: Room
    state: TimerState
    #: the session in this room and slot (or running through it from the slot before)
    title: str
    two_slots: bool


@dataclass(frozen=True)
class SlotRow:
    slot: TimeSlot
    state: TimerState
    rooms: list[RoomRow]
    is_current: bool

    @property
    def own_clocks(self) -> int:
        """How many rooms do not follow the slot's clock."""
        return sum(1 for row in self.rooms if row.state.source in ("room", "covering"))


def default_day(event: Event, *, today: datetime.date | None = None) -> Day | None:
    """Today's day of the barcamp, else the next one, else its last."""
    days = list(Day.objects.filter(event=event).order_by("date"))
    if not days:
        return None
    today = today or timezone.localdate(timezone=event.zone)
    for day in days:
        if day.date >= today:
            return day
    return days[-1]


def list_day_timers(event: Event, day: Day, *, board: TimerBoard | None = None) -> list[SlotRow]:
    """The day's slots in order, each with its clock for all rooms and per room.

    The current slot is the one whose clock runs (the latest started), else the one whose
    planned time contains now.
    """
    board = board or TimerBoard(event)
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    titles: dict[tuple[int, int], tuple[str, bool]] = {}
    for entry in ScheduleEntry.objects.filter(event=event, slot__day=day).select_related(
        "proposal"
    ):
        titles[(entry.room_id, entry.slot_id)] = (entry.proposal.title, entry.length == 2)
        after = board.following.get(entry.slot_id)
        if entry.length == 2 and after is not None:
            titles[(entry.room_id, after.pk)] = (entry.proposal.title, True)
    slots = [s for s in board.slots.values() if s.day_id == day.pk]
    slots.sort(key=lambda s: s.start)
    states = {slot.pk: board.state(slot, None) for slot in slots}
    running = [s for s in slots if states[s.pk].is_running]
    current: int | None = None
    if running:
        current = max(running, key=lambda s: states[s.pk].started_at or s.start).pk
    else:
        current = next((s.pk for s in slots if s.start <= board.now < s.end), None)
    rows = []
    for slot in slots:
        room_rows = [
            RoomRow(
                room=room,
                state=board.state(slot, room),
                title=titles.get((room.pk, slot.pk), ("", False))[0],
                two_slots=titles.get((room.pk, slot.pk), ("", False))[1],
            )
            for room in rooms
        ]
        rows.append(
            SlotRow(
                slot=slot, state=states[slot.pk], rooms=room_rows, is_current=slot.pk == current
            )
        )
    return rows


def session_place(entry: ScheduleEntry, board: TimerBoard) -> TimeSlot:
    """The slot whose clock a session's page shows: its first slot, or its second when the
    room has its own clock there."""
    after = board.following.get(entry.slot_id)
    if entry.length == 2 and after is not None:
        own = board.timers.get((after.pk, entry.room_id))
        if own is not None and own.started_at is not None:
            return board.slot(after)
    return board.slot(entry.slot_id)
