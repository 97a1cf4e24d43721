"""The exports of the plan as files: the schedule XML and JSON validate against the frab/pretalx
schemas (c3voc), the iCal parses with the icalendar library, GUIDs stay the same across formats
and moves, and the PDFs hold the plan as text.

``build_camp`` (also used by the view and API tests) makes a published two-day plan with a
two-slot session, an online session, a spontaneous one, and umlauts, ``<`` and ``&`` in titles.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import icalendar
import jsonschema
import pytest
import xmlschema
from django.utils import translation

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from unkonf.accounts.models import User
from unkonf.events.enums import EventMode, Role
from unkonf.events.models import Day, Event
from unkonf.proposals.enums import ProposalLanguage, ProposalState
from unkonf.proposals.models import Proposal, Topic
from unkonf.scheduling import exports
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.models import ScheduleEntry, TimeSlot
from unkonf.scheduling.selectors.exports import PlanData, get_plan_data
from unkonf.scheduling.selectors.plan import find_schedule
from unkonf.scheduling.services.grid import place_entry, publish_schedule, unplace_entry
from unkonf.venues.models import Room

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# The c3voc schemas (EUPL-1.2), copied unchanged into tests/data (see its README).
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schedule"
SITE = "https://barcamp.example.org"
LINKS = exports.Links(site_url=SITE)
T = datetime.time

TRICKY_TITLE = "Übergänge & <Grenzen> in der „Verwaltung“"
STRANGE_TITLE = "Daten < Regeln & Ämter"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def load_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))


def load_json_schema() -> dict:
    return json.loads((SCHEMAS / "schema.json").read_text())


def parse_xml(raw: bytes) -> ET.Element:
    return ET.fromstring(raw)  # noqa: S314 - our own export, not untrusted input


@pytest.fixture(scope="module")
def xsd() -> xmlschema.XMLSchema:
    return load_xsd()


@pytest.fixture(scope="module")
def json_schema() -> dict:
    return load_json_schema()


@dataclass
class Camp:
    event: Event
    moderator: User
    anna: User  # registered, hosts the tricky title
    ben: User  # registered
    day1: Day
    day2: Day
    saal: Room
    online_room: Room
    slots1: list[TimeSlot]  # 10:00, 11:00, 12:00 lunch, 13:00
    slots2: list[TimeSlot]  # 10:00, 11:00
    tricky: Proposal  # Saal, day 1 10:00, hosted by Anna, with a topic
    online: Proposal  # online, English, the online room, day 1 10:00
    two_slots: Proposal  # Saal, day 2 10:00–11:45
    spontaneous: Proposal  # only a host's name, online room, day 2 11:00
    strange: Proposal  # Saal, day 1 13:00


def place(proposal: Proposal, room: Room, slot: TimeSlot, actor: User, version: int = 0) -> None:
    place_entry(proposal, room=room, slot=slot, actor=actor, expected_version=version)


def build_camp(*, publish: bool = True) -> Camp:
    event = EventFactory(name="Barcamp Export & Co", slug="barcamp-export", days=2)
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR).user
    anna, ben = UserFactory(name="Jürgen Müller"), UserFactory(name="Ben Becker")
    for person in (anna, ben):
        RegistrationFactory(event=event, user=person)
    day1, day2 = event.days.order_by("date")
    saal = RoomFactory(event=event, name="Saal", capacity=80, location="EG", position=1)
    online_room = RoomFactory(event=event, name="Online-Raum", online=True, position=2)
    slots1 = [
        TimeSlotFactory(day=day1, start_time=T(10, 0)),
        TimeSlotFactory(day=day1, start_time=T(11, 0)),
        TimeSlotFactory(
            day=day1, start_time=T(12, 0), minutes=60, kind=SlotKind.BREAK, title="Mittag"
        ),
        TimeSlotFactory(day=day1, start_time=T(13, 0)),
    ]
    slots2 = [
        TimeSlotFactory(day=day2, start_time=T(10, 0)),
        TimeSlotFactory(day=day2, start_time=T(11, 0)),
    ]
    pitched = ProposalState.PITCHED
    tricky = ProposalFactory(
        event=event,
        host=anna,
        state=pitched,
        title=TRICKY_TITLE,
        description="Wir reden über **Grenzen**.\n\nUnd über <b>Markup</b> & Co.",
    )
    tricky.topics.add(Topic.objects.create(event=event, name="Verwaltung"))
    online = ProposalFactory(
        event=event,
        host=ben,
        state=pitched,
        title="Learning from Estonia",
        mode=EventMode.ONLINE,
        language=ProposalLanguage.ENGLISH,
    )
    two_slots = ProposalFactory(
        event=event, host=ben, state=pitched, title="Design Thinking: Zwei Slots", slots=2
    )
    spontaneous = ProposalFactory(
        event=event, host=False, state=pitched, title="Kassenautomat", host_name="Nils Petersen"
    )
    strange = ProposalFactory(event=event, host=anna, state=pitched, title=STRANGE_TITLE)
    place(tricky, saal, slots1[0], moderator)
    place(online, online_room, slots1[0], moderator)
    place(strange, saal, slots1[3], moderator)
    place(two_slots, saal, slots2[0], moderator)
    place(spontaneous, online_room, slots2[1], moderator)
    if publish:
        publish_schedule(event, actor=moderator)
    return Camp(
        event, moderator, anna, ben, day1, day2, saal, online_room, slots1, slots2,
        tricky, online, two_slots, spontaneous, strange,
    )  # fmt: skip


@pytest.fixture
def camp() -> Camp:
    return build_camp()


def plan_of(event: Event, *, show_hosts: bool = True) -> PlanData:
    return get_plan_data(event, find_schedule(event), show_hosts=show_hosts)


def xml_of(event: Event, **kw: bool) -> bytes:
    return exports.build_schedule_xml(plan_of(event, **kw), links=LINKS, url=f"{SITE}/s.xml")


def json_of(event: Event, **kw: bool) -> dict:
    raw = exports.build_schedule_json(plan_of(event, **kw), links=LINKS, url=f"{SITE}/s.json")
    return json.loads(raw)


def ical_of(event: Event, **kw: bool) -> icalendar.Calendar:
    raw = exports.build_ical(plan_of(event, **kw), name="Plan", links=LINKS)
    return icalendar.Calendar.from_ical(raw)


def validate_json(data: dict, schema: dict) -> None:
    """Against the schema, its formats (uri, date, date-time, uuid) included."""
    jsonschema.validate(data, schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def xml_events(raw: bytes) -> dict[str, ET.Element]:
    return {e.findtext("title"): e for e in parse_xml(raw).iter("event")}


def json_events(data: dict) -> dict[str, dict]:
    days = data["schedule"]["conference"]["days"]
    return {e["title"]: e for day in days for events in day["rooms"].values() for e in events}


def vevents(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


# --- the schedule XML and JSON ------------------------------------------------------------------


def test_schedule_xml_of_a_two_day_plan_validates_against_the_xsd(camp, xsd):
    raw = xml_of(camp.event)

    xsd.validate(raw.decode())
    root = parse_xml(raw)
    assert root.findtext("version") == str(find_schedule(camp.event).version)
    assert root.findtext("conference/acronym") == "barcamp_export"
    assert root.findtext("conference/days") == "2"
    assert root.findtext("conference/time_zone_name") == "Europe/Berlin"
    assert root.findtext("conference/timeslot_duration") == "00:15"
    days = root.findall("day")
    assert [(d.get("index"), d.get("date")) for d in days] == [
        ("1", camp.day1.date.isoformat()),
        ("2", camp.day2.date.isoformat()),
    ]
    assert [r.get("name") for r in days[0].findall("room")] == ["Saal", "Online-Raum"]
    assert [e.findtext("title") for e in days[0].iter("event")] == [
        TRICKY_TITLE,
        STRANGE_TITLE,
        "Learning from Estonia",
    ]
    zone = camp.event.zone
    assert days[0].get("start") == camp.slots1[0].start.astimezone(zone).isoformat()
    assert days[0].get("end") == camp.slots1[3].end.astimezone(zone).isoformat()


def test_schedule_json_of_a_two_day_plan_validates_against_the_schema(camp, json_schema):
    data = json_of(camp.event)

    validate_json(data, json_schema)
    conference = data["schedule"]["conference"]
    assert conference["daysCount"] == 2
    assert [room["name"] for room in conference["rooms"]] == ["Saal", "Online-Raum"]
    assert [list(day["rooms"]) for day in conference["days"]] == [["Saal", "Online-Raum"]] * 2
    assert sorted(json_events(data)) == sorted(
        [TRICKY_TITLE, STRANGE_TITLE, "Learning from Estonia", "Design Thinking: Zwei Slots",
         "Kassenautomat"]
    )  # fmt: skip


def test_empty_published_plan_validates_in_both_formats(xsd, json_schema):
    camp = build_camp()
    for proposal in (camp.tricky, camp.online, camp.two_slots, camp.spontaneous, camp.strange):
        unplace_entry(proposal, actor=camp.moderator, expected_version=1)

    raw, data = xml_of(camp.event), json_of(camp.event)

    assert find_schedule(camp.event).is_published
    xsd.validate(raw.decode())
    validate_json(data, json_schema)
    assert list(parse_xml(raw).iter("event")) == []
    assert json_events(data) == {}
    assert len(data["schedule"]["conference"]["days"]) == 2


def test_barcamp_without_days_or_rooms_still_validates(xsd, json_schema):
    event = EventFactory(slug="bc", days=0)

    raw, data = xml_of(event), json_of(event)

    xsd.validate(raw.decode())
    validate_json(data, json_schema)
    assert data["schedule"]["conference"]["acronym"] == "bc__"
    assert data["schedule"]["version"] == "0"


def test_two_slot_session_runs_through_both_slots(camp):
    xml_event = xml_events(xml_of(camp.event))["Design Thinking: Zwei Slots"]
    json_event = json_events(json_of(camp.event))["Design Thinking: Zwei Slots"]

    assert (xml_event.findtext("start"), xml_event.findtext("duration")) == ("10:00", "01:45")
    assert (json_event["start"], json_event["duration"]) == ("10:00", "01:45")
    assert json_event["end"] == camp.slots2[1].end.astimezone(camp.event.zone).isoformat()
    assert json_event["date"] == camp.slots2[0].start.astimezone(camp.event.zone).isoformat()


def test_online_session_is_in_its_room_and_says_how_to_join(camp):
    event = json_events(json_of(camp.event))["Learning from Estonia"]

    assert event["room"] == "Online-Raum"
    assert event["language"] == "en"
    assert "Online session: join through the session's page." in event["description"]
    assert event["url"] == f"{SITE}/en/barcamp-export/proposals/{camp.online.pk}/"


def test_umlauts_and_markup_in_titles_come_back_unchanged(camp):
    raw = xml_of(camp.event)
    data = json_of(camp.event)
    calendar = ical_of(camp.event)

    assert b"&lt;Grenzen&gt;" in raw
    assert set(xml_events(raw)) >= {TRICKY_TITLE, STRANGE_TITLE}
    assert set(json_events(data)) >= {TRICKY_TITLE, STRANGE_TITLE}
    assert set(vevents(calendar)) >= {TRICKY_TITLE, STRANGE_TITLE}
    tricky = json_events(data)[TRICKY_TITLE]
    assert tricky["slug"] == f"barcamp_export-{camp.tricky.pk}-ubergange-grenzen-in-der-verwaltung"
    assert tricky["abstract"] == "Wir reden über **Grenzen**."
    assert tricky["track"] == "Verwaltung"


def test_control_characters_are_left_out_of_the_xml(camp, xsd):
    Proposal.objects.filter(pk=camp.strange.pk).update(title="Bell\x07 and\x1b escape")

    raw = xml_of(camp.event)

    xsd.validate(raw.decode())
    assert "Bell and escape" in xml_events(raw)


def test_persons_are_the_hosts_with_stable_guids(camp):
    events = json_events(json_of(camp.event))

    assert events[TRICKY_TITLE]["persons"] == [
        {"name": "Jürgen Müller", "guid": str(exports.person_guid(camp.anna.pk))}
    ]
    assert events["Kassenautomat"]["persons"] == [
        {
            "name": "Nils Petersen",
            "guid": str(exports.host_name_guid(camp.spontaneous.pk, "Nils Petersen")),
        }
    ]
    xml_person = xml_events(xml_of(camp.event))[TRICKY_TITLE].find("persons/person")
    assert (xml_person.text, xml_person.get("guid")) == (
        "Jürgen Müller",
        str(exports.person_guid(camp.anna.pk)),
    )


def test_hidden_host_names_leave_persons_and_descriptions_empty_of_names(camp, xsd):
    raw = xml_of(camp.event, show_hosts=False)
    data = json_of(camp.event, show_hosts=False)
    calendar = ical_of(camp.event, show_hosts=False)

    xsd.validate(raw.decode())
    assert "Jürgen" not in raw.decode()
    assert "Petersen" not in raw.decode()
    assert all(event["persons"] == [] for event in json_events(data).values())
    assert "Jürgen" not in json.dumps(data, ensure_ascii=False)
    assert "Jürgen" not in calendar.to_ical().decode()


def test_guids_are_the_same_in_every_format_and_after_a_move(camp):
    guid = str(exports.session_guid(camp.tricky.pk))
    before_xml = xml_events(xml_of(camp.event))[TRICKY_TITLE].get("guid")
    before_json = json_events(json_of(camp.event))[TRICKY_TITLE]["guid"]
    before_uid = str(vevents(ical_of(camp.event))[TRICKY_TITLE]["UID"])

    place(camp.tricky, camp.saal, camp.slots1[1], camp.moderator, version=1)

    after = json_events(json_of(camp.event))[TRICKY_TITLE]
    assert before_xml == before_json == after["guid"] == guid
    assert before_uid == str(vevents(ical_of(camp.event))[TRICKY_TITLE]["UID"])
    assert before_uid == f"{guid}@unkonf"
    assert after["start"] == "11:00"
    assert uuid.UUID(guid).version == 5
    rooms = json_of(camp.event)["schedule"]["conference"]["rooms"]
    assert [room["guid"] for room in rooms] == [
        str(exports.room_guid(camp.saal.pk)),
        str(exports.room_guid(camp.online_room.pk)),
    ]


def test_guids_are_derived_from_a_fixed_namespace():
    assert exports.session_guid(1) == uuid.uuid5(exports.GUID_NAMESPACE, "session:1")
    assert exports.room_guid(1) == uuid.uuid5(exports.GUID_NAMESPACE, "room:1")
    assert exports.session_guid(1) != exports.room_guid(1)
    assert str(exports.GUID_NAMESPACE) == "5d0c5a1e-6b1f-4c33-9d0e-7f2a8c1b4e60"


def test_acronym_fits_both_schemas():
    assert exports.acronym("verwaltung-digital") == "verwaltung_digital"
    assert exports.acronym("BC") == "bc__"
    assert re.fullmatch(r"[a-z0-9_-][a-z0-9_]{3,}", exports.acronym("a-b-c"))


# --- iCal ---------------------------------------------------------------------------------------


def test_ical_has_one_event_per_session_in_utc(camp):
    calendar = ical_of(camp.event)
    events = vevents(calendar)
    tricky = events[TRICKY_TITLE]

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Plan"
    assert len(events) == 5
    assert tricky.decoded("DTSTART") == camp.slots1[0].start
    assert tricky.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert tricky.decoded("DTEND") == camp.slots1[0].end
    assert str(tricky["LOCATION"]) == "Saal (EG)"
    assert str(tricky["URL"]) == f"{SITE}/en/barcamp-export/proposals/{camp.tricky.pk}/"
    assert tricky.decoded("SEQUENCE") == 1
    entry = ScheduleEntry.objects.get(proposal=camp.tricky)
    assert tricky.decoded("LAST-MODIFIED") == entry.updated_at.replace(microsecond=0)
    description = str(tricky["DESCRIPTION"])
    assert description.startswith("Wir reden über **Grenzen**.")
    assert "Hosts: Jürgen Müller" in description
    assert "Room: Saal (EG)" in description
    assert events["Design Thinking: Zwei Slots"].decoded("DTEND") == camp.slots2[1].end


def test_ical_follows_a_move_with_a_higher_sequence_and_a_note(camp):
    place(camp.tricky, camp.saal, camp.slots1[1], camp.moderator, version=1)

    tricky = vevents(ical_of(camp.event))[TRICKY_TITLE]

    assert tricky.decoded("SEQUENCE") == 2
    assert tricky.decoded("DTSTART") == camp.slots1[1].start
    assert "Moved: it was in Saal at" in str(tricky["DESCRIPTION"])


def test_ical_of_an_empty_plan_is_a_calendar_without_events():
    event = EventFactory(days=0)

    calendar = ical_of(event)

    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"]) == "-//unkonf//plan//EN"


# --- PDF ------------------------------------------------------------------------------------------

needs_pango = pytest.mark.skipif(
    not exports.pdf_available(), reason="WeasyPrint cannot load Pango on this machine"
)


def texts_of(document) -> list[str]:
    """The text of every page of a laid-out document (what the PDF will hold as text)."""
    from weasyprint.formatting_structure import boxes

    return [
        " ".join(box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox))
        for page in document.pages
    ]


@needs_pango
def test_day_pdf_shows_the_grid_of_the_day_as_text(camp):
    html = exports.render_day_html(plan_of(camp.event), camp.day1, language="en")
    document = exports.pdf_document(html)

    text = " ".join(texts_of(document))
    assert document.metadata.title == f"Plan of {camp.day1} · Barcamp Export & Co"
    assert document.metadata.lang == "en"
    assert TRICKY_TITLE in text
    assert STRANGE_TITLE in text
    assert "Learning from Estonia" in text
    assert "Mittag" in text
    assert "Jürgen Müller" in text
    assert "Design Thinking" not in text  # day 2
    assert exports.write_pdf(document).startswith(b"%PDF-")


@needs_pango
def test_room_pdf_lists_the_rooms_sessions_of_every_day(camp):
    html = exports.render_room_html(plan_of(camp.event), camp.saal, language="en")

    text = " ".join(texts_of(exports.pdf_document(html)))

    assert TRICKY_TITLE in text
    assert "Design Thinking: Zwei Slots" in text
    assert "10:00–11:45" in text
    assert "Learning from Estonia" not in text  # the online room


@needs_pango
def test_door_signs_give_one_page_per_session_with_a_qr_code(camp):
    html = exports.render_door_signs_html(
        plan_of(camp.event), camp.day1, links=LINKS, language="de"
    )
    document = exports.pdf_document(html)

    pages = texts_of(document)
    assert len(pages) == 3  # Saal 10:00 and 13:00, online room 10:00
    assert TRICKY_TITLE in pages[0]
    assert "Jürgen Müller" in pages[0]
    assert "Saal" in pages[0]
    assert STRANGE_TITLE in pages[1]
    assert "Learning from Estonia" in pages[2]
    assert html.count('src="data:image/svg+xml') == 3
    assert f"{SITE}/en/barcamp-export/proposals/{camp.tricky.pk}/" in pages[0]
    assert document.metadata.lang == "de"


def test_qr_code_is_an_svg_data_uri():
    uri = exports.qr_data_uri("https://barcamp.example.org/x/proposals/1/")

    assert uri.startswith("data:image/svg+xml")
