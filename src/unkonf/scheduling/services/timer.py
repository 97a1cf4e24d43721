"""The timekeeper: start, extend and end the clock of a slot, for all rooms or for one room.

Every change locks the slot's row (two timekeepers never interleave on one slot), counts up the
clock's version, writes an audit entry and sends ``timer.changed`` on the barcamp's stream after
commit, with the server's times, so every page counts down from the same moment.

- A clock for all rooms is the slot's; a room's own clock overrides it for that room.
- Starting a slot for all rooms also starts an own clock for each room whose session takes two
  slots and starts here: it runs through both slots, so that room is not told to change rooms
  halfway.
- Extending or ending a room that follows the slot's clock gives the room its own clock first
  (a copy of the slot's), so the other rooms are not touched.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.core.services import record_audit
from unkonf.realtime import groups, streams
from unkonf.realtime.messages import TimerChanged
from unkonf.scheduling.exceptions import TimerError
from unkonf.scheduling.models import SlotTimer, TimeSlot
from unkonf.scheduling.selectors.timer import TimerBoard, TimerState, can_keep_time, unix
from unkonf.venues.models import Room

#: an extension of more than this is a mistake (an hour at most)
MAX_EXTEND_MINUTES = 60


def _prepare(slot: TimeSlot, room: Room | None, actor: User) -> TimerBoard:
    """Check who and where, lock the slot, and read its clocks under the lock."""
    event = slot.event
    if not can_keep_time(actor, event):
        raise TimerError(_("Only organisers, moderators and timekeepers keep the time."))
    if room is not None and room.event_id != event.pk:
        raise TimerError(_("This room does not belong to this barcamp."))
    TimeSlot.objects.select_for_update().filter(pk=slot.pk).values_list("pk", flat=True).get()
    return TimerBoard(event)


def _locked_timer(slot: TimeSlot, room: Room | None) -> SlotTimer:
    timer, _created = SlotTimer.objects.get_or_create(event_id=slot.event_id, slot=slot, room=room)
    return SlotTimer.objects.select_for_update().get(pk=timer.pk)


def _send(timer: SlotTimer) -> None:
    """``timer.changed`` to everyone at the barcamp, after commit."""
    streams.append(
        groups.event_stream(timer.event_id),
        TimerChanged(
            slot=timer.slot_id,
            room=timer.room_id,
            started_at=unix(timer.started_at),
            ends_at=unix(timer.ends_at),
            ended_at=unix(timer.ended_at),
            now=timezone.now().timestamp(),
            version=timer.version,
        ),
    )


def _save(timer: SlotTimer, action: str, actor: User, **data: object) -> SlotTimer:
    timer.version += 1
    timer.save()
    record_audit(
        f"timer.{action}",
        actor=actor,
        obj=timer,
        event_id=timer.event_id,
        data={
            "slot": timer.slot_id,
            "room": timer.room_id,
            "started_at": timer.started_at.isoformat() if timer.started_at else None,
            "ends_at": timer.ends_at.isoformat() if timer.ends_at else None,
            "ended_at": timer.ended_at.isoformat() if timer.ended_at else None,
            **data,
        },
    )
    _send(timer)
    return timer


def _start(
    slot: TimeSlot, room: Room | None, duration: datetime.timedelta, now: datetime.datetime
) -> SlotTimer:
    timer = _locked_timer(slot, room)
    timer.started_at, timer.ends_at, timer.ended_at = now, now + duration, None
    timer.extended_minutes = 0
    return timer


def _running_timer(state: TimerState, slot: TimeSlot, room: Room | None) -> SlotTimer:
    """The clock to change for ``room`` (or all rooms): refused unless it runs. A room that
    follows the slot's clock gets its own copy of it."""
    if state.state == "ended":
        raise TimerError(_("This clock has been ended already. Start it again first."))
    if not state.is_running or state.timer is None:
        raise TimerError(_("This clock is not running. Start it first."))
    if room is None or state.source in ("room", "covering"):
        return SlotTimer.objects.select_for_update().get(pk=state.timer.pk)
    own = _locked_timer(slot, room)
    own.started_at, own.ends_at = state.timer.started_at, state.timer.ends_at
    own.ended_at, own.extended_minutes = None, state.timer.extended_minutes
    return own


@transaction.atomic
def start_slot(slot: TimeSlot, *, room: Room | None = None, actor: User) -> SlotTimer:
    """Start the clock now, for the slot's planned length (through the second slot for a room
    whose session takes two). Starting again after an end (or while it runs) starts anew."""
    board = _prepare(slot, room, actor)
    now = timezone.now()
    timer = _save(
        _start(slot, room, board.planned_duration(board.slot(slot), room), now), "started", actor
    )
    if room is None:
        rooms = {r.pk: r for r in Room.objects.filter(pk__in=board.two_slot_rooms(slot))}
        for room_id, two_slot_room in sorted(rooms.items()):
            if (slot.pk, room_id) in board.timers:
                continue  # the room runs its own clock already
            duration = board.planned_duration(board.slot(slot), two_slot_room)
            _save(_start(slot, two_slot_room, duration, now), "started", actor, two_slots=True)
    return timer


@transaction.atomic
def extend_slot(
    slot: TimeSlot, *, room: Room | None = None, minutes: int, actor: User
) -> SlotTimer:
    """Give the slot (or one room) ``minutes`` more: from its end, or from now if it is over
    time already."""
    board = _prepare(slot, room, actor)
    if not 1 <= minutes <= MAX_EXTEND_MINUTES:
        raise TimerError(
            _("Extend by 1 to %(max)d minutes.") % {"max": MAX_EXTEND_MINUTES}, field="minutes"
        )
    timer = _running_timer(board.state(slot, room), slot, room)
    assert timer.ends_at is not None
    timer.ends_at = max(timer.ends_at, timezone.now()) + datetime.timedelta(minutes=minutes)
    timer.extended_minutes += minutes
    return _save(timer, "extended", actor, minutes=minutes)


@transaction.atomic
def end_slot(slot: TimeSlot, *, room: Room | None = None, actor: User) -> SlotTimer:
    """Stop the clock now: time is up, everybody changes rooms."""
    board = _prepare(slot, room, actor)
    timer = _running_timer(board.state(slot, room), slot, room)
    timer.ended_at = timezone.now()
    return _save(timer, "ended", actor)
