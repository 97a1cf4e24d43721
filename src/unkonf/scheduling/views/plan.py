"""The plan for participants: by day, by room, now and next, my plan (stars), the hallway
screen, and the times in which a host cannot host.

Who sees it: everyone who may see the barcamp once the plan is published; before that only
organisers and moderators, with a note (`selectors.plan.access_plan`). Every page works
without JavaScript (the star is a form that posts and comes back). With JavaScript the pages
follow the barcamp's stream (``static/unkonf/js/plan.js``, ``screen.js``): a `plan.changed`
or `timer.changed` message makes them fetch their live part again from the same address with
``?fragment=1`` — the socket says what changed, HTTP shows what it looks like.
"""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.core.exceptions import DomainError
from unkonf.core.forms import add_domain_error
from unkonf.events import permissions as event_permissions
from unkonf.events.models import Day, Event
from unkonf.events.selectors import access_event
from unkonf.proposals import permissions as proposal_permissions
from unkonf.proposals.selectors import access_proposal
from unkonf.realtime import groups, streams
from unkonf.scheduling.models import TimeSlot
from unkonf.scheduling.selectors import plan as selectors
from unkonf.scheduling.selectors.grid import find_schedule
from unkonf.scheduling.selectors.plan import ExtendedUntil, Plan, PlanAccess, PlanItem
from unkonf.scheduling.selectors.timer import TimerBoard
from unkonf.scheduling.services.stars import set_unavailability, star_session
from unkonf.venues.selectors import access_room

# --- helpers ------------------------------------------------------------------------------------


def _wants_fragment(request: HttpRequest) -> bool:
    return request.GET.get("fragment") == "1"


def _page_path(request: HttpRequest) -> str:
    """This page's address without the fragment switch (where forms come back to)."""
    params = request.GET.copy()
    params.pop("fragment", None)
    query = params.urlencode()
    return request.path + (f"?{query}" if query else "")


def _fragment_url(request: HttpRequest) -> str:
    params = request.GET.copy()
    params["fragment"] = "1"
    return f"{request.path}?{params.urlencode()}"


def _live(request: HttpRequest, access: PlanAccess) -> dict[str, Any]:
    """Where the page's live part listens, read before the plan (so nothing sent in between
    is missed). The team's preview of an unpublished plan also follows the grid's stream."""
    if _wants_fragment(request):
        return {}
    event_id = access.event.pk
    live: dict[str, Any] = {"stream": groups.event_stream(event_id)}
    live["seq"] = streams.last_seq(live["stream"])
    if not access.published:
        live["grid_stream"] = groups.grid_stream(event_id)
        live["grid_seq"] = streams.last_seq(live["grid_stream"])
    return live


def _context(request: HttpRequest, access: PlanAccess, **extra: Any) -> dict[str, Any]:
    event, user = access.event, request.user
    takes_part = proposal_permissions.takes_part(user, event)
    return {
        "event": event,
        "published": access.published,
        "plan_version": access.version,
        "can_manage": event_permissions.can_manage_event(user, event),
        "can_announce": event_permissions.can_send_announcements(user, event),
        "can_chat": takes_part,
        "can_moderate": proposal_permissions.can_moderate_proposals(user, event),
        "takes_part": takes_part,
        "show_names": proposal_permissions.can_see_host_names(user, event),
        "page_path": _page_path(request),
        "fragment_url": _fragment_url(request),
        **extra,
    }


def _render(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    return render(request, fragment if _wants_fragment(request) else page, context)


def _day_or_404(plan: Plan, pk: int) -> Day:
    day = plan.day_of(pk)
    if day is None:
        raise Http404
    return day


def _timestamp(moment: datetime.datetime | None) -> int | None:
    """Unix milliseconds, for scripts that correct their clock by the server's."""
    return None if moment is None else int(moment.timestamp() * 1000)


def _other_day(event: Event, slot: TimeSlot | None, now: datetime.datetime) -> bool:
    if slot is None:
        return False
    return slot.start.astimezone(event.zone).date() != now.astimezone(event.zone).date()


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- the plan by day, by room, now and next, mine ----------------------------------------------


@require_GET
def plan_day(request: HttpRequest, slug: str, day_pk: int | None = None) -> HttpResponse:
    """A day as a table of rooms and slots (a list per slot on small screens): without a day,
    today while the barcamp runs, else the next day to come."""
    access = selectors.access_plan(request.user, slug)
    live = _live(request, access)
    now = timezone.now()
    plan = selectors.get_plan(access.event, user=request.user)
    day = selectors.default_day(plan, now) if day_pk is None else _day_or_404(plan, day_pk)
    context = _context(
        request,
        access,
        plan=plan,
        day=day,
        rows=selectors.day_rows(plan, day) if day is not None else [],
        section="day",
        **live,
    )
    return _render(request, "scheduling/plan_day.html", "scheduling/_plan_day.html", context)


def _clocks(event: Event, now: datetime.datetime) -> tuple[ExtendedUntil, list[datetime.datetime]]:
    """What the timekeeper's clocks say: until when an extended session runs on, and when the
    running clocks run out (pages look again then)."""
    board = TimerBoard(event, now=now)

    def extended_until(item: PlanItem) -> datetime.datetime | None:
        state = board.state(board.slot(item.entry.slot_id), item.entry.room)
        if state.state == "running" and state.ends_at is not None and state.ends_at > item.end:
            return state.ends_at
        return None

    ends = [
        timer.ends_at
        for timer in board.timers.values()
        if timer.ends_at is not None and timer.started_at is not None and timer.ended_at is None
    ]
    return extended_until, ends


@require_GET
def plan_room(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A room's page: where it is, how big, its video link, now and next, all its sessions."""
    access = selectors.access_plan(request.user, slug)
    room = access_room(access.event, pk)
    live = _live(request, access)
    now = timezone.now()
    plan = selectors.get_plan(access.event, user=request.user)
    items = plan.items_in_room(room)
    extended_until, clock_ends = _clocks(access.event, now)
    here = next(
        r
        for r in selectors.now_and_next(plan, now, extended_until=extended_until)
        if r.room.pk == room.pk
    )
    context = _context(
        request,
        access,
        plan=plan,
        room=room,
        here=here,
        days=[(day, [i for i in items if i.day_id == day.pk]) for day in plan.days],
        next_change=_timestamp(selectors.next_change(plan.slots, now, also=clock_ends)),
        section="room",
        **live,
    )
    return _render(request, "scheduling/plan_room.html", "scheduling/_plan_room.html", context)


@require_GET
def plan_now(request: HttpRequest, slug: str) -> HttpResponse:
    """Per room what runs now and what comes next, by the server's clock."""
    access = selectors.access_plan(request.user, slug)
    live = _live(request, access)
    now = timezone.now()
    plan = selectors.get_plan(access.event, user=request.user)
    coming = selectors.next_slot(plan.slots, now)
    extended_until, clock_ends = _clocks(access.event, now)
    context = _context(
        request,
        access,
        plan=plan,
        now=now,
        rooms_now=selectors.now_and_next(plan, now, extended_until=extended_until),
        current_slot=selectors.slot_at(plan.slots, now),
        coming_slot=coming,
        coming_other_day=_other_day(access.event, coming, now),
        next_change=_timestamp(selectors.next_change(plan.slots, now, also=clock_ends)),
        section="now",
        **live,
    )
    return _render(request, "scheduling/plan_now.html", "scheduling/_plan_now.html", context)


@login_required
@require_GET
def plan_mine(request: AuthedRequest, slug: str) -> HttpResponse:
    """The sessions I starred, by time, with clashes marked."""
    access = selectors.access_plan(request.user, slug)
    live = _live(request, access)
    plan = selectors.get_plan(access.event, user=request.user)
    mine = selectors.get_my_plan(plan, request.user)
    context = _context(
        request,
        access,
        plan=plan,
        mine=mine,
        days=[(day, [i for i in mine.items if i.day_id == day.pk]) for day in plan.days],
        section="mine",
        **live,
    )
    return _render(request, "scheduling/plan_mine.html", "scheduling/_plan_mine.html", context)


# --- stars --------------------------------------------------------------------------------------


@login_required
@require_POST
def plan_star(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """``want=1`` puts a session of the plan into my plan, ``want=0`` takes it out. htmx gets
    the new button; a plain form goes back to the page it came from."""
    access = selectors.access_plan(request.user, slug)
    proposal = access_proposal(request.user, access.event, pk)
    want = request.POST.get("want") == "1"
    error = ""
    try:
        starred = star_session(proposal, actor=request.user, starred=want)
    except DomainError as refused:
        error, starred = str(refused), not want
    if getattr(request, "htmx", False):
        key = request.POST.get("key", "")
        context = {
            "event": access.event,
            "proposal": proposal,
            "starred": starred,
            "star_key": key if key.isalnum() else "p",
            "star_error": error,
            "page_path": _back(request, proposal.get_absolute_url()),
        }
        return render(request, "scheduling/_plan_star.html", context)
    if error:
        messages.error(request, error)
    elif starred:
        messages.success(request, _("“%(title)s” is in your plan.") % {"title": proposal.title})
    else:
        messages.success(
            request, _("“%(title)s” is no longer in your plan.") % {"title": proposal.title}
        )
    return redirect(_back(request, proposal.get_absolute_url()))


# --- the hallway screen -------------------------------------------------------------------------


def _qr_svg(url: str) -> SafeString:
    """The QR code of `url` as inline SVG (drawn here: no image service, no script)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True)
    return mark_safe(svg)  # noqa: S308 - segno's own markup, the URL is encoded as modules


@require_GET
def plan_screen(request: HttpRequest, slug: str) -> HttpResponse:
    """For the TVs in the hallway: per room now and next, changes, a clock and a QR code to
    the plan. ``?day=<pk>`` shows that day's sessions (default: as the plan's first page)."""
    access = selectors.access_plan(request.user, slug)
    live = _live(request, access)
    now = timezone.now()
    plan = selectors.get_plan(access.event, user=request.user)
    chosen = request.GET.get("day", "")
    day: Day | None = None
    if chosen:
        if not chosen.isdigit() or len(chosen) > 12:
            raise Http404
        day = _day_or_404(plan, int(chosen))
    else:
        day = selectors.default_day(plan, now)
    slots = plan.slots_of_day(day) if day is not None else []
    coming = selectors.next_slot(slots, now)
    plan_url = settings.SITE_URL + reverse("scheduling:plan", args=[access.event.slug])
    extended_until, clock_ends = _clocks(access.event, now)
    context = _context(
        request,
        access,
        plan=plan,
        day=day,
        now=now,
        server_now=_timestamp(now),
        rooms_now=(
            selectors.now_and_next(plan, now, day=day, extended_until=extended_until)
            if day is not None
            else []
        ),
        current_slot=selectors.slot_at(slots, now),
        coming_slot=coming,
        coming_other_day=_other_day(access.event, coming, now),
        next_change=_timestamp(selectors.next_change(slots, now, also=clock_ends)),
        plan_url=plan_url,
        qr_svg=_qr_svg(plan_url),
        **live,
    )
    return _render(request, "scheduling/screen.html", "scheduling/_plan_screen.html", context)


# --- hosts' unavailable times -------------------------------------------------------------------


class UnavailabilityForm(forms.Form):
    slots = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Times in which you cannot host"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, slots: list[TimeSlot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slots"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(slot.pk, str(slot)) for slot in slots]


@login_required
@require_http_methods(["GET", "POST"])
def plan_unavailable(request: AuthedRequest, slug: str) -> HttpResponse:
    """A host ticks the session slots in which they cannot host; the grid editor warns about
    them and the planner leaves them free. Works before the plan is published."""
    event = access_event(request.user, slug)
    access = PlanAccess(event=event, schedule=find_schedule(event))
    slots = selectors.list_session_slots(event)
    chosen = selectors.unavailable_slot_ids(event, request.user)
    form = UnavailabilityForm(
        request.POST if request.method == "POST" else None,
        slots=slots,
        initial={"slots": sorted(chosen)},
    )
    back = reverse("scheduling:plan-unavailable", args=[event.slug])
    if request.method == "POST" and form.is_valid():
        try:
            set_unavailability(event, actor=request.user, slot_ids=form.cleaned_data["slots"])
        except DomainError as error:
            if error.field is None:
                messages.error(request, str(error.message))
                return redirect(back)
            add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you. Your times are saved."))
            return redirect(back)
    if form.is_bound:
        chosen = {int(v) for v in request.POST.getlist("slots") if v.isdigit() and len(v) < 12}
    days: dict[int, tuple[Day, list[TimeSlot]]] = {}
    for slot in slots:
        days.setdefault(slot.day_id, (slot.day, []))[1].append(slot)
    context = _context(
        request,
        access,
        form=form,
        hosted=selectors.hosted_proposals(event, request.user),
        days=list(days.values()),
        chosen=chosen,
        plan_visible=selectors.may_see_plan(request.user, event, access.schedule),
        section="unavailable",
    )
    return render(
        request,
        "scheduling/plan_unavailable.html",
        context,
        status=400 if form.errors else 200,
    )
