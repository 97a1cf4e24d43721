"""The timekeeper's page: the day's slots, each with Start / Extend by N minutes / End for all
rooms and the same per room; live countdowns; late starts and overruns as text.

Without JavaScript every button is a plain form that posts and redirects back, with the
outcome as a message (bad input: the page again with the message, status 400). With JavaScript
(``static/unkonf/js/timekeeper.js``) the same forms post with ``HX-Request``; the answer is the
board (``_timekeeper_board.html``) with the outcome in ``data-feedback`` (400 when refused).
The page follows the barcamp's stream and fetches the board again on every ``timer.changed``
(a GET of the page with ``HX-Request`` gives the board alone).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.core.exceptions import DomainError
from unkonf.core.htmx import is_htmx
from unkonf.events.models import Day, Event
from unkonf.events.permissions import can_manage_event, can_send_announcements
from unkonf.events.selectors import access_event
from unkonf.realtime import groups, streams
from unkonf.scheduling.models import SlotTimer, TimeSlot
from unkonf.scheduling.selectors import access_day, access_slot
from unkonf.scheduling.selectors.timer import (
    TimerBoard,
    can_keep_time,
    clock_text,
    default_day,
    list_day_timers,
)
from unkonf.scheduling.services.timer import (
    MAX_EXTEND_MINUTES,
    end_slot,
    extend_slot,
    start_slot,
)
from unkonf.venues.models import Room

ACTIONS = ("start", "extend", "end")
DEFAULT_EXTEND = 5


class BadInput(Exception):
    """The form was not filled in as it should be (message translated)."""


def _access_timekeeping_event(user: Any, slug: str) -> Event:
    """The barcamp, if the user keeps its time; else one uniform 404."""
    event = access_event(user, slug)
    if not can_keep_time(user, event):
        raise Http404
    return event


def _day(event: Event, raw: str | None) -> Day | None:
    if raw and raw.isdecimal() and len(raw) < 12:
        return access_day(event, int(raw))
    if raw:
        raise Http404
    return default_day(event)


def _context(event: Event, day: Day | None, **extra: Any) -> dict[str, Any]:
    board = TimerBoard(event)
    stream = groups.event_stream(event.pk)
    return {
        "event": event,
        "section": "timekeeper",
        "can_manage": False,
        "days": list(Day.objects.filter(event=event).order_by("date")),
        "day": day,
        "rows": list_day_timers(event, day, board=board) if day is not None else [],
        "timer_board": board,
        "stream": stream,
        "seq": streams.last_seq(stream),
        "max_minutes": MAX_EXTEND_MINUTES,
        "default_minutes": DEFAULT_EXTEND,
        **extra,
    }


def _page_url(event: Event, day: Day | None) -> str:
    url = reverse("scheduling:timekeeper", kwargs={"slug": event.slug})
    return f"{url}?day={day.pk}" if day is not None else url


def _render(
    request: AuthedRequest, event: Event, day: Day | None, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _context(event, day, **extra)
    context["can_manage"] = can_manage_event(request.user, event)
    # a timekeeper who is not a moderator sees only this page in the manage menu
    context["timekeeper_only"] = not can_send_announcements(request.user, event)
    context["page_url"] = _page_url(event, day)
    template = (
        "scheduling/_timekeeper_board.html" if is_htmx(request) else "scheduling/timekeeper.html"
    )
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def timekeeper(request: AuthedRequest, slug: str) -> HttpResponse:
    """The page (``?day=<id>``, else today's day); with ``HX-Request`` the board alone."""
    event = _access_timekeeping_event(request.user, slug)
    return _render(request, event, _day(event, request.GET.get("day")))


def _room(event: Event, raw: str) -> Room | None:
    if raw == "":
        return None
    room = None
    if raw.isdecimal() and len(raw) < 12:
        room = Room.objects.filter(event=event, pk=int(raw)).first()
    if room is None:
        raise BadInput(_("Please choose a room of this barcamp."))
    return room


def _minutes(raw: str) -> int:
    raw = raw.strip()
    if not raw.isdecimal() or len(raw) > 4 or not 1 <= int(raw) <= MAX_EXTEND_MINUTES:
        raise BadInput(
            _("Please enter the minutes to extend by: a whole number from 1 to %(max)d.")
            % {"max": MAX_EXTEND_MINUTES}
        )
    return int(raw)


def _where(slot: TimeSlot, room: Room | None) -> str:
    if room is None:
        return _("%(slot)s (all rooms)") % {"slot": str(slot)}
    return _("%(slot)s in %(room)s") % {"slot": str(slot), "room": room.name}


def _act(request: AuthedRequest, slot: TimeSlot, action: str, room: Room | None) -> str:
    """Run the action; return what happened, in words."""
    zone = slot.event.zone
    where = _where(slot, room)
    timer: SlotTimer
    if action == "start":
        timer = start_slot(slot, room=room, actor=request.user)
        assert timer.ends_at is not None
        return _("%(where)s has started. It ends at %(time)s.") % {
            "where": where,
            "time": clock_text(timer.ends_at, zone),
        }
    if action == "extend":
        minutes = _minutes(request.POST.get("minutes", ""))
        timer = extend_slot(slot, room=room, minutes=minutes, actor=request.user)
        assert timer.ends_at is not None
        return _("%(where)s is extended by %(minutes)d min. It now ends at %(time)s.") % {
            "where": where,
            "minutes": minutes,
            "time": clock_text(timer.ends_at, zone),
        }
    end_slot(slot, room=room, actor=request.user)
    return _("%(where)s has ended: time to change rooms.") % {"where": where}


@login_required
@require_POST
def timer_control(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Start, extend (``minutes``) or end a slot, for all rooms or for ``room``."""
    event = _access_timekeeping_event(request.user, slug)
    slot = access_slot(event, pk)
    day = slot.day
    action = request.POST.get("action", "")
    ok = False
    try:
        if action not in ACTIONS:
            raise BadInput(_("Please choose: start, extend or end."))
        room = _room(event, request.POST.get("room", ""))
        text = _act(request, slot, action, room)
        ok = True
    except (BadInput, DomainError) as error:
        text = str(error)
    if is_htmx(request):
        return _render(
            request,
            event,
            day,
            status=200 if ok else 400,
            feedback=text,
            feedback_ok=ok,
            focus=request.POST.get("focus", ""),
        )
    if ok:
        messages.success(request, text)
        return redirect(f"{_page_url(event, day)}#slot-{slot.pk}")
    messages.error(request, text)
    # the minutes as typed stay in their field, marked, so nothing is lost
    entered = {
        "slot": slot.pk,
        "tail": request.POST.get("room") or "all",
        "minutes": request.POST.get("minutes", "")[:10],
    }
    return _render(request, event, day, status=400, entered=entered if action == "extend" else None)
