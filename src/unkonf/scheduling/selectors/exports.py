"""Reads for the exports of the plan: the private calendar feeds, and the plan as plain data
(days, rooms, slots, and each session with its room, start, end and hosts) that the iCal,
schedule XML/JSON, API and PDF builders (``scheduling.exports``) turn into their formats.

Who may see the plan is the rule of the plan's pages (``selectors.plan.access_plan``); hosts'
names follow the proposals' rule (``can_see_host_names``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import Http404

from unkonf.events.models import Day, Event
from unkonf.events.selectors import access_event
from unkonf.proposals.models import Proposal
from unkonf.proposals.permissions import can_see_host_names
from unkonf.scheduling.models import CalendarFeed, Schedule, ScheduleEntry, TimeSlot
from unkonf.scheduling.selectors.grid import covered_slots, find_schedule, list_entries, next_slots
from unkonf.scheduling.selectors.plan import PlanAccess, may_see_plan, starred_ids
from unkonf.venues.models import Room


def access_feed(slug: str, token: str) -> CalendarFeed:
    """The private feed behind an address: the token is the credential. A wrong or renewed
    token, another barcamp's slug, or an owner who may no longer see the barcamp: 404."""
    feed = (
        CalendarFeed.objects.select_related("event", "user")
        .filter(token=token, event__slug=slug, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    access_event(feed.user, slug)  # the same 404 once the owner may no longer see it
    return feed


def find_feed(event: Event, user: Any) -> CalendarFeed | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CalendarFeed.objects.filter(event=event, user=user).first()


@dataclass(frozen=True)
class PlanItem:
    """One session of the plan."""

    entry: ScheduleEntry
    proposal: Proposal
    room: Room
    day: Day
    #: the slots it takes (two for a two-slot session)
    slots: tuple[TimeSlot, ...]
    start: datetime.datetime
    end: datetime.datetime
    #: hosts' names; empty when the viewer may not see them
    hosts: tuple[str, ...]
    #: hosts with an account: (user id, name); empty when the names are hidden
    host_accounts: tuple[tuple[int, str], ...]

    @property
    def duration(self) -> datetime.timedelta:
        return self.end - self.start


@dataclass
class PlanData:
    event: Event
    #: the grid's version (0: never touched) and when it was published (None: not yet)
    version: int
    published_at: datetime.datetime | None
    days: list[Day]
    rooms: list[Room]
    slots: list[TimeSlot]
    items: list[PlanItem]
    show_hosts: bool
    slots_of_day: dict[int, list[TimeSlot]] = field(default_factory=dict)

    def items_of_day(self, day: Day) -> list[PlanItem]:
        return [item for item in self.items if item.day.pk == day.pk]

    def items_in_room(self, room: Room) -> list[PlanItem]:
        return [item for item in self.items if item.room.pk == room.pk]

    @property
    def last_modified(self) -> datetime.datetime | None:
        """The latest change of what the export shows (an entry, or the publication)."""
        moments = [item.entry.updated_at for item in self.items]
        if self.published_at is not None:
            moments.append(self.published_at)
        return max(moments, default=None)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def _host_names(proposal: Proposal) -> tuple[tuple[tuple[int, str], ...], tuple[str, ...]]:
    accounts = tuple(
        (host.user_id, host.user.display_name)
        for host in proposal.confirmed_hosts  # type: ignore[attr-defined]
    )
    names = [name for _pk, name in accounts]
    if proposal.host_name:
        names.append(proposal.host_name)
    return accounts, tuple(names)


def get_plan_data(
    event: Event,
    schedule: Schedule | None,
    *,
    show_hosts: bool,
    only: set[int] | None = None,
) -> PlanData:
    """The plan as data, in order of start and room. ``only``: just these proposals (a
    person's starred sessions)."""
    days = list(Day.objects.filter(event=event).order_by("date"))
    day_of = {day.pk: day for day in days}
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    slots = list(TimeSlot.objects.filter(event=event).order_by("start"))
    for slot in slots:
        slot.event = event
    following = next_slots(slots)
    slot_of = {slot.pk: slot for slot in slots}
    entries = list_entries(event)
    prefetch_related_objects([entry.proposal for entry in entries], "topics")
    items = []
    for entry in entries:
        if only is not None and entry.proposal_id not in only:
            continue
        covered = tuple(slot_of[pk] for pk in covered_slots(entry, following) if pk in slot_of)
        proposal = entry.proposal
        proposal.event = event
        accounts, names = _host_names(proposal)
        items.append(
            PlanItem(
                entry=entry,
                proposal=proposal,
                room=entry.room,
                day=day_of[entry.slot.day_id],
                slots=covered,
                start=covered[0].start,
                end=covered[-1].end,
                hosts=names if show_hosts else (),
                host_accounts=accounts if show_hosts else (),
            )
        )
    position = {room.pk: i for i, room in enumerate(rooms)}
    items.sort(key=lambda item: (item.start, position.get(item.room.pk, 0), item.proposal.pk))
    slots_of_day: dict[int, list[TimeSlot]] = {day.pk: [] for day in days}
    for slot in slots:
        slots_of_day.setdefault(slot.day_id, []).append(slot)
    return PlanData(
        event=event,
        version=schedule.version if schedule is not None else 0,
        published_at=schedule.published_at if schedule is not None else None,
        days=days,
        rooms=rooms,
        slots=slots,
        items=items,
        show_hosts=show_hosts,
        slots_of_day=slots_of_day,
    )


def plan_for(actor: Any, access: PlanAccess) -> PlanData:
    """The plan as the actor may see it (hosts' names only for the barcamp's people)."""
    return get_plan_data(
        access.event, access.schedule, show_hosts=can_see_host_names(actor, access.event)
    )


def feed_plan(feed: CalendarFeed) -> PlanData:
    """The starred sessions of the feed's owner, as they may see them; nothing while the plan
    is not published (unless the owner is a moderator)."""
    event = feed.event
    schedule = find_schedule(event)
    if not may_see_plan(feed.user, event, schedule):
        only: set[int] = set()
    else:
        only = starred_ids(event, feed.user)
    return get_plan_data(
        event, schedule, show_hosts=can_see_host_names(feed.user, event), only=only
    )
