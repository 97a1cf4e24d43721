"""The countdown on any page of a barcamp: a session's page, a room page, now and next, the
hallway screen and the timekeeper's own page.

``{% include "scheduling/_countdown.html" %}`` (context: ``slot``, ``room`` or None) shows the
clock that counts for that slot and room; it reads every clock of the barcamp once per request
(``TimerBoard``), so a screen with ten rooms asks the database once, not ten times.
``{% session_countdown proposal %}`` shows a session's countdown on its page, once the plan is
published (the proposals app cannot import scheduling; its template loads this library).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.translation import gettext as _

from unkonf.events.models import Event
from unkonf.events.permissions import can_send_announcements
from unkonf.realtime import groups, streams
from unkonf.scheduling.models import Schedule, ScheduleEntry, TimeSlot
from unkonf.scheduling.selectors.timer import (
    TimerBoard,
    TimerState,
    can_keep_time,
    clock_text,
    session_place,
)
from unkonf.venues.models import Room

register = template.Library()

#: an ended clock says "time is up" this long; afterwards only when it ended
UP_SHOWN_FOR = 15 * 60

_CACHE = "_unkonf_timekeeping"


@dataclass(frozen=True)
class Countdown:
    """What a countdown shows when the page is made; countdown.js takes over from there."""

    state: TimerState
    stream: str
    since: int
    server_now: float
    clock: str
    label: str
    note: str
    phase: str  # "" (more than 10 minutes), "ten", "five", "up"
    signal: str

    @property
    def timezone(self) -> str:
        return str(self.state.slot.event.timezone)

    # Unix seconds as plain strings for data attributes (a float in a template would be
    # localised: "1718000000,5" in German).

    @property
    def started(self) -> str:
        return _unix_text(self.state.started_at)

    @property
    def ends(self) -> str:
        return _unix_text(self.state.ends_at)

    @property
    def ended(self) -> str:
        return _unix_text(self.state.ended_at)

    @property
    def server(self) -> str:
        return f"{self.server_now:.3f}"

    @property
    def version(self) -> str:
        return str(self.state.timer.version) if self.state.timer else "0"

    @property
    def key(self) -> str:
        timer = self.state.timer
        if timer is None:
            return ""
        return f"{timer.slot_id}:{timer.room_id or ''}"


def _unix_text(moment: datetime.datetime | None) -> str:
    return "" if moment is None else f"{moment.timestamp():.3f}"


def minutes_seconds(seconds: int) -> str:
    """ "44:59" (minutes may go beyond 59: "89:59")."""
    seconds = max(0, seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def signal_texts() -> dict[str, str]:
    return {
        "ten": _("10 minutes left: time to write down results"),
        "five": _("5 minutes left: time to write down results"),
        "up": _("Time is up: please change rooms"),
    }


def _cache(context: template.Context) -> dict[Any, Any]:
    """Per request: boards and stream positions (without a request, e.g. in a test that
    renders a template alone, nothing is kept)."""
    request = context.get("request")
    if request is None:
        return {}
    cache: dict[Any, Any] = request.__dict__.setdefault(_CACHE, {})
    return cache


def board_for(context: template.Context, event_id: int) -> TimerBoard:
    given = context.get("timer_board")
    if isinstance(given, TimerBoard) and given.event.pk == event_id:
        return given
    cache = _cache(context)
    board: TimerBoard | None = cache.get(("board", event_id))
    if board is None:
        board = cache[("board", event_id)] = TimerBoard(Event.objects.get(pk=event_id))
    return board


def _since(context: template.Context, stream: str) -> int:
    cache = _cache(context)
    if ("seq", stream) not in cache:
        cache[("seq", stream)] = streams.last_seq(stream)
    return int(cache[("seq", stream)])


def make_countdown(
    state: TimerState, *, stream: str, since: int, server_now: float | None = None
) -> Countdown:
    now = state.now.timestamp() if server_now is None else server_now
    zone = state.zone
    texts = signal_texts()
    label, clock, note, phase = _("Time left"), "", "", ""
    if state.state == "not_started":
        label = _("Not started yet")
        note = _("Planned %(start)s–%(end)s") % {
            "start": clock_text(state.planned_start, zone),
            "end": clock_text(state.planned_end, zone),
        }
    elif state.state == "ended":
        assert state.ended_at is not None
        clock = minutes_seconds(0)
        note = _("ended at %(time)s") % {"time": clock_text(state.ended_at, zone)}
        if now - state.ended_at.timestamp() < UP_SHOWN_FOR:
            phase = "up"
    else:
        assert state.ends_at is not None
        assert state.seconds_left is not None
        left = state.seconds_left
        clock = minutes_seconds(left)
        note = _("ends at %(time)s") % {"time": clock_text(state.ends_at, zone)}
        phase = "up" if left <= 0 else "five" if left <= 300 else "ten" if left <= 600 else ""
    return Countdown(
        state=state,
        stream=stream,
        since=since,
        server_now=now,
        clock=clock,
        label=label,
        note=note,
        phase=phase,
        signal=texts.get(phase, ""),
    )


@register.simple_tag(takes_context=True)
def countdown_state(
    context: template.Context, slot: TimeSlot, room: Room | None = None
) -> Countdown:
    """The countdown of ``slot`` in ``room`` (None or "": the clock for all rooms)."""
    board = board_for(context, slot.event_id)
    stream = groups.event_stream(slot.event_id)
    state = board.state(slot, room if isinstance(room, Room) else None)
    return make_countdown(state, stream=stream, since=_since(context, stream))


@register.simple_tag
def countdown_texts() -> dict[str, str]:
    """The signals, for the script (at 10 and 5 minutes left, and at the end)."""
    return signal_texts()


@register.inclusion_tag("scheduling/_timekeeper_session.html", takes_context=True)
def session_countdown(context: template.Context, proposal: Any) -> dict[str, Any]:
    """A session's countdown on its page: shown once it is in the published plan."""
    entry = ScheduleEntry.objects.filter(proposal_id=proposal.pk).select_related("room").first()
    shown = (
        entry is not None
        and Schedule.objects.filter(event_id=entry.event_id, published_at__isnull=False).exists()
    )
    if entry is None or not shown:
        return {"shown": False}
    board = board_for(context, entry.event_id)
    return {
        "shown": True,
        "request": context.get("request"),
        "timer_board": board,
        "slot": session_place(entry, board),
        "room": entry.room,
        "proposal": proposal,
    }


@register.inclusion_tag("scheduling/_timekeeper_nav_link.html", takes_context=True)
def timekeeper_nav_link(context: template.Context, event: Event) -> dict[str, Any]:
    """A "Timekeeper" link in the barcamp's navigation for timekeepers who are not moderators
    (moderators and organisers reach the page through "Manage")."""
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = (
        getattr(user, "is_authenticated", False)
        and can_keep_time(user, event)
        and not can_send_announcements(user, event)
    )
    return {"shown": shown, "event": event}
