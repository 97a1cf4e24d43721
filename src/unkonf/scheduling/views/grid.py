"""The grid editor for moderators: a day of the grid beside the backlog, every change to it,
undo, publishing, and the planner's suggestions.

Every page works without JavaScript: each session has a plain form (room, time, swap) that
posts and redirects back, with the outcome as a message. With JavaScript
(``static/unkonf/js/grid-editor.js``) the same forms, the "choose a session, choose a cell"
buttons and drag and drop post with the header ``HX-Request``; the answer is then the editor's
state (``_grid_state.html``) with the outcome in ``data-feedback``: 200 when the change was
made, 409 when the grid refused it (a taken cell, a change by someone else meanwhile), 400 for
input that does not fit. Other moderators' pages follow the stream ``event.<id>.grid`` and
fetch the state again (``grid_state``).

Every change carries the version of the session the page showed (``expected_version``, 0 for
the backlog), so a change made meanwhile by someone else is refused instead of overwritten.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.core.exceptions import DomainError
from unkonf.core.forms import add_domain_error
from unkonf.core.htmx import is_htmx
from unkonf.events import permissions as event_permissions
from unkonf.events.models import Day, Event
from unkonf.proposals.models import Proposal
from unkonf.proposals.selectors import access_moderated_event, access_proposal
from unkonf.realtime import groups, streams
from unkonf.scheduling import selectors
from unkonf.scheduling.enums import SuggestionState
from unkonf.scheduling.forms import GridEntryForm, GridPinForm, GridPlaceForm, SuggestForm
from unkonf.scheduling.models import GridChange, ScheduleEntry, Suggestion, TimeSlot
from unkonf.scheduling.selectors.grid import (
    DayGrid,
    get_day_grid,
    get_schedule,
    grid_figures,
    grid_warnings,
    list_backlog,
    list_entries,
)
from unkonf.scheduling.services.grid import (
    last_undoable,
    place_entry,
    publish_schedule,
    set_pinned,
    undo_change,
    unplace_entry,
    unpublish_schedule,
)
from unkonf.scheduling.services.suggestions import (
    apply_suggestion,
    discard_suggestion,
    is_stale,
    start_suggestion,
)
from unkonf.venues.models import Room
from unkonf.venues.selectors import access_room, list_rooms

# --- Helpers ------------------------------------------------------------------------------------


def _days(event: Event) -> list[Day]:
    return list(Day.objects.filter(event=event).order_by("date"))


def _page_context(request: AuthedRequest, event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "section": "grid",
        "can_manage": event_permissions.can_manage_event(request.user, event),
        "can_announce": event_permissions.can_send_announcements(request.user, event),
        "can_chat": event_permissions.takes_part(request.user, event),
    }


def _editor_context(request: AuthedRequest, event: Event, day: Day) -> dict[str, Any]:
    """Everything the editor of one day shows; a fixed number of queries however full the grid
    is (the page's query-count test holds it to that)."""
    slots = list(selectors.list_slots(event))
    entries = list_entries(event)
    warnings = grid_warnings(event, entries, slots)
    grid = get_day_grid(event, day, entries=entries, warnings=warnings)
    return {
        **_page_context(request, event),
        "day": day,
        "days": _days(event),
        "schedule": get_schedule(event),
        "grid": grid,
        "backlog": list_backlog(event),
        "session_slots": [row.slot for row in grid.rows if row.is_session_slot],
        "figures": grid_figures(event),
        "undoable": last_undoable(event, request.user),
        "grid_stream": groups.grid_stream(event.pk),
        "seq": streams.last_seq(groups.grid_stream(event.pk)),
    }


def _editor_page(
    request: AuthedRequest, event: Event, day: Day, *, status: int = 200, error: str = ""
) -> HttpResponse:
    context = _editor_context(request, event, day)
    context["suggest_form"] = SuggestForm(event=event, initial={"day": day.pk})
    context["input_error"] = error
    return render(request, "scheduling/grid_editor.html", context, status=status)


def _outcome(
    request: AuthedRequest, event: Event, day: Day, text: str, *, status: int = 200
) -> HttpResponse:
    """The editor's state with the outcome for a script; a message and a redirect back to the
    day for a plain form (a page with the error and status 400 for input that does not fit)."""
    if is_htmx(request):
        context = _editor_context(request, event, day)
        context.update(feedback=text, feedback_ok=status == 200)
        return render(request, "scheduling/_grid_state.html", context, status=status)
    if status == 400:
        return _editor_page(request, event, day, status=400, error=text)
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect("scheduling:grid-day", slug=event.slug, pk=day.pk)


def _time(slot: TimeSlot) -> str:
    return date_format(slot.local_start(), "H:i")


def _where(room: Room, slot: TimeSlot) -> str:
    """ "Saal, Thu 4.3. 10:00" """
    return _("%(room)s, %(day)s %(time)s") % {
        "room": room.name,
        "day": date_format(slot.local_start(), "D j.n."),
        "time": _time(slot),
    }


def _titles(event: Event, ids: list[int]) -> dict[int, str]:
    return dict(Proposal.objects.filter(event=event, pk__in=ids).values_list("pk", "title"))


def _placed_text(
    event: Event, proposal: Proposal, change: GridChange, room: Room, slot: TimeSlot
) -> str:
    """What a place, move or swap did, in a sentence for the live region."""
    others = [int(k) for k in change.after if int(k) != proposal.pk]
    here = _where(room, slot)
    if not others:
        return _("“%(title)s” is now in %(place)s.") % {"title": proposal.title, "place": here}
    other = others[0]
    other_title = _titles(event, [other]).get(other, "")
    if change.after[str(other)] is None:
        return _("“%(title)s” is now in %(place)s; “%(other)s” is back in the backlog.") % {
            "title": proposal.title,
            "place": here,
            "other": other_title,
        }
    return _("“%(title)s” and “%(other)s” have swapped places.") % {
        "title": proposal.title,
        "other": other_title,
    }


# --- The editor ---------------------------------------------------------------------------------


@login_required
@require_GET
def grid_start(request: AuthedRequest, slug: str) -> HttpResponse:
    """The editor of today, or of the first day."""
    event = access_moderated_event(request.user, slug)
    days = _days(event)
    if not days:
        return render(request, "scheduling/grid_editor.html", _page_context(request, event))
    today = timezone.localdate(timezone=event.zone)
    day = next((d for d in days if d.date == today), days[0])
    return redirect("scheduling:grid-day", slug=event.slug, pk=day.pk)


@login_required
@require_GET
def grid_day(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_moderated_event(request.user, slug)
    return _editor_page(request, event, selectors.access_day(event, pk))


@login_required
@require_GET
def grid_state(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """The editor's state as it is now: what a page fetches when the grid changed."""
    event = access_moderated_event(request.user, slug)
    day = selectors.access_day(event, pk)
    return render(request, "scheduling/_grid_state.html", _editor_context(request, event, day))


@login_required
@require_POST
def grid_place(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Put a session into a cell: from the backlog, from another cell, or swapped."""
    event = access_moderated_event(request.user, slug)
    day = selectors.access_day(event, pk)
    form = GridPlaceForm(request.POST)
    if not form.is_valid():
        return _outcome(request, event, day, str(form.invalid_text), status=400)
    data = form.cleaned_data
    proposal = access_proposal(request.user, event, data["proposal"])
    room = access_room(event, data["room"])
    slot = selectors.access_slot(event, data["slot"])
    try:
        change = place_entry(
            proposal,
            room=room,
            slot=slot,
            actor=request.user,
            expected_version=data["expected_version"],
            swap=data["swap"],
        )
    except DomainError as error:
        return _outcome(request, event, day, str(error), status=409)
    return _outcome(request, event, day, _placed_text(event, proposal, change, room, slot))


@login_required
@require_POST
def grid_unplace(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Take a session out of the grid, back into the backlog."""
    event = access_moderated_event(request.user, slug)
    day = selectors.access_day(event, pk)
    form = GridEntryForm(request.POST)
    if not form.is_valid():
        return _outcome(request, event, day, str(form.invalid_text), status=400)
    proposal = access_proposal(request.user, event, form.cleaned_data["proposal"])
    try:
        unplace_entry(
            proposal, actor=request.user, expected_version=form.cleaned_data["expected_version"]
        )
    except DomainError as error:
        return _outcome(request, event, day, str(error), status=409)
    text = _("“%(title)s” is back in the backlog.") % {"title": proposal.title}
    return _outcome(request, event, day, text)


@login_required
@require_POST
def grid_pin(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Pin a session to its cell, or release it."""
    event = access_moderated_event(request.user, slug)
    day = selectors.access_day(event, pk)
    form = GridPinForm(request.POST)
    if not form.is_valid():
        return _outcome(request, event, day, str(form.invalid_text), status=400)
    proposal = access_proposal(request.user, event, form.cleaned_data["proposal"])
    pinned: bool = form.cleaned_data["pinned"]
    try:
        set_pinned(
            proposal,
            pinned=pinned,
            actor=request.user,
            expected_version=form.cleaned_data["expected_version"],
        )
    except DomainError as error:
        return _outcome(request, event, day, str(error), status=409)
    if pinned:
        text = _("“%(title)s” is pinned: the planner leaves it where it is.")
    else:
        text = _("“%(title)s” is no longer pinned.")
    return _outcome(request, event, day, text % {"title": proposal.title})


@login_required
@require_POST
def grid_undo(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Take back the moderator's own last change."""
    event = access_moderated_event(request.user, slug)
    day = selectors.access_day(event, pk)
    try:
        undo_change(event, actor=request.user)
    except DomainError as error:
        return _outcome(request, event, day, str(error), status=409)
    return _outcome(request, event, day, _("Your last change has been undone."))


@login_required
@require_POST
def grid_publish(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Publish the grid as the plan (``action=publish``) or withdraw it (``unpublish``)."""
    event = access_moderated_event(request.user, slug)
    day = selectors.access_day(event, pk)
    action = request.POST.get("action", "")
    if action not in ("publish", "unpublish"):
        return _outcome(request, event, day, _("Unknown action."), status=400)
    if action == "unpublish" and request.POST.get("confirm") != "1":
        text = _(
            "Please confirm that participants and hallway screens will no longer see the plan."
        )
        return _outcome(request, event, day, text, status=400)
    try:
        if action == "publish":
            publish_schedule(event, actor=request.user)
            text = _("The plan is published. From now on every change is live for everyone.")
        else:
            unpublish_schedule(event, actor=request.user)
            text = _("The plan is no longer published. Only moderators see the grid.")
    except DomainError as error:
        return _outcome(request, event, day, str(error), status=409)
    return _outcome(request, event, day, text)


# --- Suggestions of the planner -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def grid_suggest(request: AuthedRequest, slug: str) -> HttpResponse:
    """Ask the planner for a grid; it plans in the background, the next page shows progress."""
    event = access_moderated_event(request.user, slug)
    initial = {"day": request.GET["day"]} if request.GET.get("day", "").isdecimal() else {}
    form = SuggestForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = start_suggestion(
                event,
                actor=request.user,
                scope=data["scope"],
                day=data["day"],
                time_budget=float(data["time_budget"]),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("scheduling:grid-suggestion", slug=event.slug, pk=suggestion.pk)
    return render(
        request,
        "scheduling/grid_suggest.html",
        {**_page_context(request, event), "suggest_form": form},
        status=400 if form.errors else 200,
    )


@dataclass(frozen=True)
class Move:
    """A session the suggestion puts somewhere else (or takes out of the grid)."""

    title: str
    before: str  # "" = from the backlog
    after: str  # "" = back to the backlog
    order: tuple[datetime.datetime, int]


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _preview(event: Event, suggestion: Suggestion) -> dict[str, Any]:
    """The suggested grid (unsaved entries, read-only) and the moves it makes."""
    entries = list_entries(event)
    proposals = {e.proposal_id: e.proposal for e in entries}
    proposals.update({p.pk: p for p in list_backlog(event)})
    current = {e.proposal_id: e for e in entries}
    rooms = {r.pk: r for r in list_rooms(event)}
    slots = list(selectors.list_slots(event))
    slot_of = {s.pk: s for s in slots}
    assignment: dict[str, list[int] | None] = suggestion.assignment or {}
    suggested = [e for e in entries if str(e.proposal_id) not in assignment]
    moves: list[Move] = []
    latest = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    for key, place in assignment.items():
        proposal = proposals.get(int(key))
        if proposal is None:
            continue  # merged or withdrawn since: applying will say so
        old = current.get(proposal.pk)
        before = _where(old.room, slot_of[old.slot_id]) if old is not None else ""
        after, order = "", (latest, 0)
        if place is not None:
            room, slot = rooms.get(place[0]), slot_of.get(place[1])
            if room is None or slot is None:
                continue
            same = old is not None and (old.room_id, old.slot_id) == (room.pk, slot.pk)
            entry = ScheduleEntry(
                event=event,
                proposal=proposal,
                room=room,
                slot=slot,
                length=old.length if same and old is not None else proposal.slots,
                pinned=old.pinned if old is not None else False,
            )
            suggested.append(entry)
            after, order = _where(room, slot), (slot.start, room.position)
        if before != after:
            moves.append(Move(title=proposal.title, before=before, after=after, order=order))
    warnings = grid_warnings(event, suggested, slots)
    days = [suggestion.day] if suggestion.day is not None else _days(event)
    grids: list[DayGrid] = [
        get_day_grid(event, day, entries=suggested, warnings=warnings) for day in days
    ]
    return {"moves": sorted(moves, key=lambda m: (m.order, m.title)), "grids": grids}


def _suggestion_context(
    request: AuthedRequest, event: Event, suggestion: Suggestion
) -> dict[str, Any]:
    stale = is_stale(suggestion)
    figures: dict[str, Any] = suggestion.figures or {}
    total = int(figures.get("total_wishes", 0))
    elapsed = (timezone.now() - suggestion.created_at).total_seconds()
    context: dict[str, Any] = {
        **_page_context(request, event),
        "suggestion": suggestion,
        "running": suggestion.state == SuggestionState.RUNNING and not stale,
        "stale": stale,
        "figures": figures,
        "percent": round(100 * suggestion.progress),
        "elapsed": int(min(elapsed, suggestion.time_budget)),
        "budget": int(suggestion.time_budget),
        "missed_share": _percent(int(figures.get("missed", 0)), total),
        "lower_share": _percent(int(figures.get("missed_lower_bound", 0)), total),
        "outdated": suggestion.state == SuggestionState.READY
        and get_schedule(event).version != suggestion.base_version,
        "back_day": suggestion.day_id or next(iter(d.pk for d in _days(event)), None),
    }
    if suggestion.state == SuggestionState.READY:
        context.update(_preview(event, suggestion))
    return context


def _suggestion(request: AuthedRequest, slug: str, pk: int) -> tuple[Event, Suggestion]:
    event = access_moderated_event(request.user, slug)
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("day", "created_by"), event=event, pk=pk
    )
    return event, suggestion


@login_required
@require_GET
def grid_suggestion(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """The planner's progress, then its preview: figures, moves, the suggested grid."""
    event, suggestion = _suggestion(request, slug, pk)
    context = _suggestion_context(request, event, suggestion)
    return render(request, "scheduling/grid_suggestion.html", context)


@login_required
@require_GET
def grid_suggestion_state(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """The suggestion as it is now (progress or preview), fetched about twice a second."""
    event, suggestion = _suggestion(request, slug, pk)
    context = _suggestion_context(request, event, suggestion)
    return render(request, "scheduling/_grid_suggestion_state.html", context)


def _back_to_editor(event: Event, suggestion: Suggestion) -> HttpResponse:
    day_pk = suggestion.day_id or next(iter(d.pk for d in _days(event)), None)
    if day_pk is None:
        return redirect("scheduling:grid", slug=event.slug)
    return redirect("scheduling:grid-day", slug=event.slug, pk=day_pk)


@login_required
@require_POST
def grid_suggestion_apply(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Apply the suggestion as one undoable step."""
    event, suggestion = _suggestion(request, slug, pk)
    try:
        change = apply_suggestion(suggestion, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("scheduling:grid-suggestion", slug=event.slug, pk=suggestion.pk)
    count = len(change.after)
    messages.success(
        request,
        ngettext(
            "The suggestion has been applied: %(count)d session changed place. "
            "“Undo my last change” takes it back in one step.",
            "The suggestion has been applied: %(count)d sessions changed place. "
            "“Undo my last change” takes it back in one step.",
            count,
        )
        % {"count": count},
    )
    return _back_to_editor(event, suggestion)


@login_required
@require_POST
def grid_suggestion_discard(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event, suggestion = _suggestion(request, slug, pk)
    discard_suggestion(suggestion, actor=request.user)
    messages.success(request, _("The suggestion has been discarded. The grid is unchanged."))
    return _back_to_editor(event, suggestion)
