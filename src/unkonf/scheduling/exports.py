"""The plan in the formats other software reads: iCal, the frab/pretalx schedule XML and JSON,
and PDF (the plan per day and per room, door signs with a QR code).

Pure functions over `selectors.exports.PlanData`: they read nothing from the database and decide
nothing about who may see what (the selectors did that: hosts' names are already left out for
viewers who may not see them). Every export is built per request, so it always shows the plan as
it is now.

Stable identifiers: rooms, sessions and hosts get uuid5 GUIDs from a fixed namespace and their
primary key, the same in every export and after every move; the iCal UID is the session's GUID
with ``@unkonf``.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import icalendar
import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from unkonf.events.enums import EventMode
from unkonf.events.models import Day
from unkonf.proposals.enums import ProposalLanguage
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.selectors.exports import PlanData, PlanItem
from unkonf.venues.enums import RoomKind
from unkonf.venues.models import Room

#: a laid-out ``weasyprint.Document`` (WeasyPrint has no type hints)
Document = Any

#: never change: every GUID of every export is derived from it
GUID_NAMESPACE = uuid.UUID("5d0c5a1e-6b1f-4c33-9d0e-7f2a8c1b4e60")

JSON_SCHEMA_URL = "https://c3voc.de/schedule/schema.json"

#: a calendar app may ask again this often (the plan changes during the day)
REFRESH_INTERVAL = datetime.timedelta(minutes=15)


def room_guid(pk: int) -> uuid.UUID:
    return uuid.uuid5(GUID_NAMESPACE, f"room:{pk}")


def session_guid(proposal_pk: int) -> uuid.UUID:
    return uuid.uuid5(GUID_NAMESPACE, f"session:{proposal_pk}")


def person_guid(user_pk: int) -> uuid.UUID:
    return uuid.uuid5(GUID_NAMESPACE, f"person:{user_pk}")


def host_name_guid(proposal_pk: int, name: str) -> uuid.UUID:
    """A host without an account (a spontaneous session): known by name only."""
    return uuid.uuid5(GUID_NAMESPACE, f"host:{proposal_pk}:{name}")


def ical_uid(proposal_pk: int) -> str:
    return f"{session_guid(proposal_pk)}@unkonf"


def _generator_version() -> str:
    try:
        return metadata.version("unkonf")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "0"


@dataclass(frozen=True)
class Links:
    """Absolute addresses: ``site_url`` (no trailing slash) and the current language's paths."""

    site_url: str

    def absolute(self, path: str) -> str:
        return self.site_url + path

    def session(self, item: PlanItem) -> str:
        return self.absolute(
            reverse(
                "proposals:proposal-detail",
                kwargs={"slug": item.proposal.event.slug, "pk": item.proposal.pk},
            )
        )

    def event(self, plan: PlanData) -> str:
        return self.absolute(plan.event.get_absolute_url())


# --- texts shared by the formats ----------------------------------------------------------------


def _local(plan: PlanData, moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(plan.event.zone)


def _mode_note(item: PlanItem) -> str:
    if item.proposal.mode == EventMode.ONLINE:
        return _("Online session: join through the session's page.")
    if item.proposal.mode == EventMode.HYBRID:
        return _("Hybrid session: on site and online (join through the session's page).")
    return ""


def _place(item: PlanItem) -> str:
    room = item.room
    return f"{room.name} ({room.location})" if room.location else room.name


def _moved_note(plan: PlanData, item: PlanItem) -> str:
    entry = item.entry
    if entry.moved_at is None or entry.previous_start is None:
        return ""
    return _("Moved: it was in %(room)s at %(time)s before.") % {
        "room": entry.previous_room,
        "time": date_format(_local(plan, entry.previous_start), "D j.n. H:i"),
    }


def plain_description(plan: PlanData, item: PlanItem, links: Links) -> str:
    """What a calendar shows of a session: its text (Markdown is plain text already), hosts,
    room, how to take part, a move, and its address."""
    parts = [item.proposal.description.strip()]
    if item.hosts:
        parts.append(_("Hosts: %(names)s") % {"names": ", ".join(item.hosts)})
    parts.append(_("Room: %(room)s") % {"room": _place(item)})
    parts.extend(note for note in (_mode_note(item), _moved_note(plan, item)) if note)
    parts.append(links.session(item))
    return "\n\n".join(part for part in parts if part)


LANGUAGES = {ProposalLanguage.GERMAN.value: "de", ProposalLanguage.ENGLISH.value: "en"}


def _language(item: PlanItem) -> str:
    """A language code as schedule apps know them; both languages: ``de, en``."""
    return LANGUAGES.get(str(item.proposal.language), "de, en")


def _abstract(text: str, limit: int = 300) -> str:
    """The first paragraph, at most ``limit`` characters."""
    first = text.strip().split("\n\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    return first[: limit - 1].rstrip() + "…"


# --- iCal -----------------------------------------------------------------------------------------


def build_ical(plan: PlanData, *, name: str, links: Links) -> bytes:
    """An iCalendar (RFC 5545) with one VEVENT per session, times in UTC.

    SEQUENCE is the entry's version (it grows with every move), LAST-MODIFIED its last change,
    so calendar apps update what moved.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//unkonf//plan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", plan.event.timezone)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_INTERVAL)
    for item in plan.items:
        changed = item.entry.updated_at.astimezone(datetime.UTC)
        event = icalendar.Event()
        event.add("uid", ical_uid(item.proposal.pk))
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("sequence", item.entry.version)
        event.add("dtstart", item.start.astimezone(datetime.UTC))
        event.add("dtend", item.end.astimezone(datetime.UTC))
        event.add("summary", item.proposal.title)
        event.add("location", _place(item))
        event.add("description", plain_description(plan, item, links))
        event.add("url", links.session(item))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        event.add("categories", [str(item.proposal.get_format_display())])
        calendar.add_component(event)
    return bytes(calendar.to_ical())


# --- the frab/pretalx schedule (XML and JSON) ---------------------------------------------------

_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TIME_ZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")  # what the JSON schema accepts
ROOM_TYPES = {RoomKind.STAGE: "stage", RoomKind.WORKSHOP: "workshop"}


def acronym(slug: str) -> str:
    """The barcamp's short name as the formats want it: lower case, digits and underscores,
    at least four characters."""
    text = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return text.ljust(4, "_")


def session_slug(plan: PlanData, item: PlanItem) -> str:
    """``<acronym>-<id>-<title>``, unique per barcamp (the id is), ASCII only."""
    title = slugify(item.proposal.title)[:50].strip("-_")
    rest = f"{item.proposal.pk}-{title}" if title else f"{item.proposal.pk}-session"
    return f"{acronym(plan.event.slug)}-{rest}"


def _hhmm(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _timeslot_duration(plan: PlanData) -> str:
    """The grid's granularity: the largest step that all slot starts and lengths are made of."""
    steps = []
    for slot in plan.slots:
        local = _local(plan, slot.start)
        steps.append(local.minute)
        steps.append(int(slot.duration.total_seconds() // 60))
    step = math.gcd(*steps) if steps else 0
    return _hhmm(datetime.timedelta(minutes=step or 15))


def _day_bounds(plan: PlanData, day: Day) -> tuple[datetime.datetime, datetime.datetime]:
    slots = plan.slots_of_day.get(day.pk, [])
    if slots:
        return _local(plan, slots[0].start), _local(plan, max(s.end for s in slots))
    start = datetime.datetime.combine(day.date, datetime.time(0, 0), tzinfo=plan.event.zone)
    return start, start + datetime.timedelta(hours=23, minutes=59)


def _persons(item: PlanItem) -> list[dict[str, str]]:
    persons = [{"name": name, "guid": str(person_guid(pk))} for pk, name in item.host_accounts]
    if item.hosts and item.proposal.host_name:
        name = item.proposal.host_name
        persons.append({"name": name, "guid": str(host_name_guid(item.proposal.pk, name))})
    return persons


def _track(item: PlanItem) -> str | None:
    topics = sorted(topic.name for topic in item.proposal.topics.all())
    return topics[0] if topics else None


def _event_json(plan: PlanData, item: PlanItem, links: Links) -> dict[str, Any]:
    description = plain_description(plan, item, links)
    start = _local(plan, item.start)
    return {
        "guid": str(session_guid(item.proposal.pk)),
        "id": item.proposal.pk,
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "end": _local(plan, item.end).isoformat(),
        "duration": _hhmm(item.duration),
        "room": item.room.name,
        "slug": session_slug(plan, item),
        "url": links.session(item),
        "title": item.proposal.title,
        "subtitle": "",
        "track": _track(item),
        "type": item.proposal.format,
        "language": _language(item),
        "abstract": _abstract(item.proposal.description),
        "description": description,
        "recording_license": "",
        "do_not_record": True,  # barcamp sessions are conversations, not recorded
        "persons": _persons(item),
        "links": [],
        "attachments": [],
    }


def _room_json(room: Room) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": room.name,
        "guid": str(room_guid(room.pk)),
        "capacity": room.capacity,
        "description": room.location or None,
    }
    if room.kind in ROOM_TYPES:
        data["type"] = ROOM_TYPES[RoomKind(room.kind)]
    return data


def schedule_json(plan: PlanData, *, links: Links, url: str) -> dict[str, Any]:
    """The schedule as pretalx and frab publish it (``schedule.json``), validating against the
    c3voc schema."""
    event = plan.event
    days = []
    for index, day in enumerate(plan.days, start=1):
        start, end = _day_bounds(plan, day)
        rooms: dict[str, list[dict[str, Any]]] = {room.name: [] for room in plan.rooms}
        for item in plan.items_of_day(day):
            rooms[item.room.name].append(_event_json(plan, item, links))
        days.append(
            {
                "index": index,
                "date": day.date.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": rooms,
            }
        )
    first = plan.days[0].date if plan.days else timezone.localdate()
    last = plan.days[-1].date if plan.days else first
    conference: dict[str, Any] = {
        "acronym": acronym(event.slug),
        "title": event.name,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "daysCount": len(plan.days),
        "timeslot_duration": _timeslot_duration(plan),
        "url": links.event(plan),
        "rooms": [_room_json(room) for room in plan.rooms],
        "days": days,
    }
    if _TIME_ZONE.search(event.timezone):
        conference["time_zone_name"] = event.timezone
    return {
        "$schema": JSON_SCHEMA_URL,
        "generator": {"name": "unkonf", "version": _generator_version()},
        "schedule": {
            "url": url,
            "version": str(plan.version),
            "base_url": links.event(plan),
            "conference": conference,
        },
    }


def build_schedule_json(plan: PlanData, *, links: Links, url: str) -> bytes:
    data = schedule_json(plan, links=links, url=url)
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _text(value: object) -> str:
    """Text that XML can hold (control characters are not allowed in XML 1.0)."""
    return _XML_INVALID.sub("", str(value))


def _sub(parent: ET.Element, tag: str, text: object = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attributes.items()})
    element.text = _text(text) if text is not None else ""
    return element


def build_schedule_xml(plan: PlanData, *, links: Links, url: str) -> bytes:
    """The schedule as ``schedule.xml`` (frab, pretalx, the c3voc XSD): the same content as
    the JSON, in the XML shape."""
    data = schedule_json(plan, links=links, url=url)
    conference = data["schedule"]["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": "unkonf", "version": _generator_version()})
    _sub(root, "url", url)
    _sub(root, "version", data["schedule"]["version"])
    head = ET.SubElement(root, "conference")
    for tag in ("title", "acronym", "start", "end"):
        _sub(head, tag, conference[tag])
    _sub(head, "days", conference["daysCount"])
    _sub(head, "timeslot_duration", conference["timeslot_duration"])
    _sub(head, "base_url", data["schedule"]["base_url"])
    _sub(head, "url", conference["url"])
    if "time_zone_name" in conference:
        _sub(head, "time_zone_name", conference["time_zone_name"])
    guids = {room.name: str(room_guid(room.pk)) for room in plan.rooms}
    days = conference["days"] or [_empty_day(plan, conference["start"])]
    for day in days:
        day_element = ET.SubElement(
            root,
            "day",
            {
                "index": str(day["index"]),
                "date": day["date"],
                "start": day["day_start"],
                "end": day["day_end"],
            },
        )
        for room_name, events in day["rooms"].items():
            room_element = ET.SubElement(
                day_element, "room", {"name": _text(room_name), "guid": guids[room_name]}
            )
            for event in events:
                _event_xml(room_element, event)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def _empty_day(plan: PlanData, date: str) -> dict[str, Any]:
    """The XSD wants at least one day: a barcamp without days gets its first date, empty."""
    start = datetime.datetime.combine(
        datetime.date.fromisoformat(date), datetime.time(0, 0), tzinfo=plan.event.zone
    )
    end = start + datetime.timedelta(hours=23, minutes=59)
    return {
        "index": 1,
        "date": date,
        "day_start": start.isoformat(),
        "day_end": end.isoformat(),
        "rooms": {},
    }


def _event_xml(parent: ET.Element, event: dict[str, Any]) -> None:
    element = ET.SubElement(parent, "event", {"guid": event["guid"], "id": str(event["id"])})
    for tag in ("date", "start", "duration", "room", "slug", "title", "subtitle", "type"):
        _sub(element, tag, event[tag])
    _sub(element, "track", event["track"] or "")
    _sub(element, "language", event["language"])
    _sub(element, "abstract", event["abstract"])
    _sub(element, "description", event["description"])
    persons = ET.SubElement(element, "persons")
    for person in event["persons"]:
        _sub(persons, "person", person["name"], guid=person["guid"])
    recording = ET.SubElement(element, "recording")
    _sub(recording, "license", event["recording_license"])
    _sub(recording, "optout", "true" if event["do_not_record"] else "false")
    ET.SubElement(element, "links")
    ET.SubElement(element, "attachments")
    _sub(element, "url", event["url"])


# --- PDF ------------------------------------------------------------------------------------------


class PdfUnavailable(Exception):
    """WeasyPrint cannot run here: it needs the Pango library of the operating system."""


def _weasyprint() -> Any:
    try:
        import weasyprint  # type: ignore[import-untyped]  # only for PDFs, and it may be missing
    except (ImportError, OSError) as error:  # OSError: Pango's shared library is missing
        raise PdfUnavailable(str(error)) from error
    return weasyprint


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def pdf_document(html: str) -> Document:
    """Lay the page out (text stays text; fonts are the system's, nothing is fetched from the
    network: only ``data:`` URIs such as the QR codes are read)."""
    weasyprint = _weasyprint()
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=fetcher).render()


def write_pdf(document: Document) -> bytes:
    """A tagged PDF: its structure (headings, tables) is there for screen readers."""
    return bytes(document.write_pdf(pdf_tags=True))


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI (for an ``<img>`` in the PDF)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


@dataclass(frozen=True)
class GridCell:
    item: PlanItem | None
    rowspan: int = 1


@dataclass(frozen=True)
class GridRow:
    start: datetime.datetime
    end: datetime.datetime
    kind: str
    title: str
    #: per room a cell, or None where a two-slot session above spans into this row
    cells: list[GridCell | None]

    @property
    def is_session(self) -> bool:
        return self.kind == SlotKind.SESSION


def day_rows(plan: PlanData, day: Day) -> list[GridRow]:
    """The day as a table: a row per slot, a column per room."""
    slots = plan.slots_of_day.get(day.pk, [])
    at: dict[tuple[int, int], PlanItem] = {}
    spanned: set[tuple[int, int]] = set()
    for item in plan.items_of_day(day):
        at[(item.room.pk, item.slots[0].pk)] = item
        for slot in item.slots[1:]:
            spanned.add((item.room.pk, slot.pk))
    rows = []
    for slot in slots:
        cells: list[GridCell | None] = []
        for room in plan.rooms:
            if (room.pk, slot.pk) in spanned:
                cells.append(None)
                continue
            here = at.get((room.pk, slot.pk))
            cells.append(GridCell(item=here, rowspan=len(here.slots) if here else 1))
        rows.append(
            GridRow(
                start=_local(plan, slot.start),
                end=_local(plan, slot.end),
                kind=slot.kind,
                title=slot.title or str(slot.get_kind_display()),
                cells=cells,
            )
        )
    return rows


def render_day_html(plan: PlanData, day: Day, *, language: str) -> str:
    return render_to_string(
        "scheduling/print_day.html",
        {
            "plan": plan,
            "event": plan.event,
            "day": day,
            "rooms": plan.rooms,
            "rows": day_rows(plan, day),
            "wide": len(plan.rooms) > 5,
            "language": language,
        },
    )


def render_room_html(plan: PlanData, room: Room, *, language: str) -> str:
    days = [
        (day, [item for item in plan.items_of_day(day) if item.room.pk == room.pk])
        for day in plan.days
    ]
    return render_to_string(
        "scheduling/print_room.html",
        {
            "plan": plan,
            "event": plan.event,
            "room": room,
            "days": days,
            "zone": plan.event.zone,
            "language": language,
        },
    )


def render_door_signs_html(plan: PlanData, day: Day, *, links: Links, language: str) -> str:
    """One page per session of the day, in order of room and time."""
    position = {room.pk: i for i, room in enumerate(plan.rooms)}
    items = sorted(plan.items_of_day(day), key=lambda i: (position[i.room.pk], i.start))
    signs = [
        {
            "item": item,
            "start": _local(plan, item.start),
            "end": _local(plan, item.end),
            "url": links.session(item),
            "qr": qr_data_uri(links.session(item)),
            "mode": _mode_note(item),
        }
        for item in items
    ]
    return render_to_string(
        "scheduling/door_signs.html",
        {"plan": plan, "event": plan.event, "day": day, "signs": signs, "language": language},
    )
