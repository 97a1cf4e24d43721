"""The plan in the JSON API: ``GET /api/v1/events/{slug}/plan``.

An adapter like the plan's pages: the same rule for who sees it (everyone who may see the
barcamp once the plan is published, the team before that; 404 otherwise) and the same rule as
the proposals' API for hosts' names (only for the people of the barcamp). The router is added to
the project's API object in ``unkonf/urls.py``, so that its errors are the API's JSON errors.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from unkonf.events.enums import EventMode
from unkonf.proposals.api import NOT_FOUND, Slug
from unkonf.proposals.enums import ProposalFormat, ProposalLanguage
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.exports import room_guid, session_guid
from unkonf.scheduling.selectors import exports as selectors
from unkonf.scheduling.selectors.exports import PlanData, PlanItem
from unkonf.scheduling.selectors.plan import access_plan, starred_ids
from unkonf.venues.enums import RoomKind

router = Router(tags=["plan"])


class SlotOut(Schema):
    id: int
    start: datetime.datetime
    end: datetime.datetime
    kind: SlotKind
    title: str = Field(description="e.g. Opening, Lunch; empty for most session slots")
    blocked: bool = Field(
        description="Kept free: the planner puts no session there (moderators may, with a warning)"
    )


class DayOut(Schema):
    id: int
    date: datetime.date
    label: str
    slots: list[SlotOut]


class RoomOut(Schema):
    id: int
    guid: uuid.UUID = Field(description="Stable, the same as in schedule.xml and schedule.json")
    name: str
    kind: RoomKind
    capacity: int = Field(ge=1)
    location: str
    online: bool = Field(description="Whether the room has a video link")


class EntryOut(Schema):
    guid: uuid.UUID = Field(
        description="The session's stable id: the same in every export and after every move"
    )
    proposal: int = Field(description="The proposal's id (see the proposals' operations)")
    title: str
    url: str = Field(description="Path of the session's page")
    day: int
    room: int
    slots: list[int] = Field(description="The slots it takes: one, or two in a row")
    start: datetime.datetime
    end: datetime.datetime
    format: ProposalFormat
    language: ProposalLanguage
    mode: EventMode
    hosts: list[str] = Field(
        description="Hosts' names; empty for visitors who do not take part in the barcamp"
    )
    starred: bool = Field(description="Whether the requesting person starred it")
    version: int = Field(ge=1, description="Grows with every change of this entry")
    moved: bool = Field(description="It moved after the plan was published")
    previous_room: str | None = Field(description="Where it was before its last move")
    previous_start: datetime.datetime | None = Field(
        description="When it began before its last move"
    )


class PlanOut(Schema):
    version: int = Field(ge=0, description="Grows with every change of the grid")
    published: bool = Field(description="False only in the team's preview before publishing")
    published_at: datetime.datetime | None
    days: list[DayOut]
    rooms: list[RoomOut]
    entries: list[EntryOut] = Field(description="Every session in the plan, by start and room")


def _entry(plan: PlanData, item: PlanItem, starred: set[int]) -> dict[str, Any]:
    zone = plan.event.zone
    entry, proposal = item.entry, item.proposal
    moved = entry.moved_at is not None
    return {
        "guid": session_guid(proposal.pk),
        "proposal": proposal.pk,
        "title": proposal.title,
        "url": proposal.get_absolute_url(),
        "day": item.day.pk,
        "room": item.room.pk,
        "slots": [slot.pk for slot in item.slots],
        "start": item.start.astimezone(zone),
        "end": item.end.astimezone(zone),
        "format": proposal.format,
        "language": proposal.language,
        "mode": proposal.mode,
        "hosts": list(item.hosts),
        "starred": proposal.pk in starred,
        "version": entry.version,
        "moved": moved,
        "previous_room": entry.previous_room if moved else None,
        "previous_start": (
            entry.previous_start.astimezone(zone)
            if moved and entry.previous_start is not None
            else None
        ),
    }


@router.get(
    "events/{slug}/plan",
    response={200: PlanOut, **NOT_FOUND},
    auth=None,
    summary="The plan of a barcamp",
)
def get_plan(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """Days with their slots, rooms, and every session with its room and times. Times are in
    the barcamp's time zone. 404 alike for a barcamp you may not see and a plan that is not
    published yet (organisers and moderators see it before)."""
    access = access_plan(request.user, slug)
    plan = selectors.plan_for(request.user, access)
    zone = plan.event.zone
    starred = starred_ids(plan.event, request.user)
    return {
        "version": plan.version,
        "published": plan.is_published,
        "published_at": plan.published_at.astimezone(zone) if plan.published_at else None,
        "days": [
            {
                "id": day.pk,
                "date": day.date,
                "label": day.label,
                "slots": [
                    {
                        "id": slot.pk,
                        "start": slot.start.astimezone(zone),
                        "end": slot.end.astimezone(zone),
                        "kind": slot.kind,
                        "title": slot.title,
                        "blocked": slot.is_blocked,
                    }
                    for slot in plan.slots_of_day.get(day.pk, [])
                ],
            }
            for day in plan.days
        ],
        "rooms": [
            {
                "id": room.pk,
                "guid": room_guid(room.pk),
                "name": room.name,
                "kind": room.kind,
                "capacity": room.capacity,
                "location": room.location,
                "online": room.is_online,
            }
            for room in plan.rooms
        ],
        "entries": [_entry(plan, item, starred) for item in plan.items],
    }
