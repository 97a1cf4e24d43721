"""Days' slots and the copy of a barcamp, through Django's test client (under ``/en/``)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.http import HttpResponse

from tests.factories import EventFactory, RoomFactory, TimeSlotFactory, UserFactory
from tests.pages import CheckedClient, Page, en, field_errors, form_errors, messages_of, text
from unkonf.accounts.models import User
from unkonf.events.enums import Role
from unkonf.events.models import Day, Event, EventRole
from unkonf.scheduling.models import TimeSlot
from unkonf.venues.models import Room

pytestmark = pytest.mark.integration


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def organiser(db: None) -> User:
    return UserFactory(name="Olga Organisatorin", language="en")


@pytest.fixture
def event(organiser: User) -> Event:
    return EventFactory(
        name="Barcamp Zeitplan",
        slug="zeitplan",
        organiser=organiser,
        days=[datetime.date(2027, 3, 4), datetime.date(2027, 3, 5)],
    )


@pytest.fixture
def day(event: Event) -> Day:
    return event.days.get(date=datetime.date(2027, 3, 4))


@pytest.fixture
def organiser_client(client: CheckedClient, organiser: User) -> CheckedClient:
    client.force_login(organiser)
    return client


def slots_path(day: Day) -> str:
    return en("scheduling:day-slots", slug=day.event.slug, day_pk=day.pk)


def plan(**changes: Any) -> dict[str, Any]:
    """The generator form as sent: 09:30–17:00, 45-minute sessions, lunch 12:30–13:30."""
    data = {
        "start": "09:30", "end": "17:00", "session_minutes": "45", "changeover_minutes": "15",
        "lunch_start": "12:30", "lunch_end": "13:30", "opening_minutes": "30",
        "closing_minutes": "30",
    }  # fmt: skip
    return {"action": "generate", **{f"gen-{k}": v for k, v in {**data, **changes}.items()}}


def slot(prefix: str = "slot-", **changes: Any) -> dict[str, Any]:
    """The single-slot form of the day page (``prefix=""``: the slot's own edit form)."""
    data = {"start": "18:00", "end": "19:00", "kind": "plenary", "title": "Abendprogramm"}
    data.update(changes)
    fields = {f"{prefix}{key}": value for key, value in data.items()}
    return {"action": "add", **fields} if prefix else fields


def local_slots(day: Day) -> list[tuple[str, str, str, str]]:
    zone = day.event.zone
    return [
        (
            f"{s.start.astimezone(zone):%H:%M}",
            f"{s.end.astimezone(zone):%H:%M}",
            s.kind,
            s.title,
        )
        for s in TimeSlot.objects.filter(day=day).order_by("start")
    ]


def slot_table(response: HttpResponse) -> list[list[str]]:
    """The slot table: time, kind, title, blocked."""
    rows = re.findall(r"<tr>(<td>.*?)</tr>", response.content.decode(), re.S)
    return [
        [Page(cell).text for cell in re.findall(r"<td>(.*?)</td>", row, re.S)[:4]] for row in rows
    ]


# --- Laying out slots -------------------------------------------------------------------------

LAID_OUT = [
    ("09:30", "10:00", "plenary", "Opening"),
    ("10:15", "11:00", "session", ""),
    ("11:15", "12:00", "session", ""),
    ("12:30", "13:30", "break", "Lunch"),
    ("13:30", "14:15", "session", ""),
    ("14:30", "15:15", "session", ""),
    ("15:30", "16:15", "session", ""),
    ("16:30", "17:00", "plenary", "Closing"),
]


def test_generator_lays_out_the_day(
    organiser_client: CheckedClient, event: Event, day: Day
) -> None:
    empty = organiser_client.get(slots_path(day))
    response = organiser_client.post(slots_path(day), plan(), follow=True)

    assert "No slots yet. Lay them out below in one step." in text(empty)
    assert 'value="09:30"' in empty.content.decode()  # the form's defaults
    assert response.redirect_chain == [(slots_path(day), 302)]
    assert messages_of(response) == ["8 slots have been laid out."]
    assert local_slots(day) == LAID_OUT
    assert slot_table(response)[:4] == [
        ["09:30–10:00", "Plenary (opening, closing)", "Opening", "—"],
        ["10:15–11:00", "Sessions", "—", "—"],
        ["11:15–12:00", "Sessions", "—", "—"],
        ["12:30–13:30", "Break", "Lunch", "—"],
    ]
    other_day = event.days.exclude(pk=day.pk).get()
    assert local_slots(other_day) == []


def test_generator_replaces_the_days_slots(organiser_client: CheckedClient, day: Day) -> None:
    TimeSlotFactory(day=day, start_time=datetime.time(8, 0))

    organiser_client.post(
        slots_path(day),
        plan(start="10:00", end="12:00", lunch_start="", lunch_end="", session_minutes="60",
             opening_minutes="0", closing_minutes="0", changeover_minutes="0"),
    )  # fmt: skip

    assert local_slots(day) == [
        ("10:00", "11:00", "session", ""),
        ("11:00", "12:00", "session", ""),
    ]


def test_add_single_slot(organiser_client: CheckedClient, day: Day) -> None:
    response = organiser_client.post(slots_path(day), slot(), follow=True)

    assert messages_of(response) == ["The slot has been added."]
    assert local_slots(day) == [("18:00", "19:00", "plenary", "Abendprogramm")]
    assert slot_table(response) == [
        ["18:00–19:00", "Plenary (opening, closing)", "Abendprogramm", "—"]
    ]


def test_add_blocked_slot_with_reason_shows_it(organiser_client: CheckedClient, day: Day) -> None:
    response = organiser_client.post(
        slots_path(day),
        slot(is_blocked="on", blocked_reason="Rundgang durchs Rathaus"),
        follow=True,
    )

    assert slot_table(response) == [
        [
            "18:00–19:00",
            "Plenary (opening, closing)",
            "Abendprogramm",
            "yes: Rundgang durchs Rathaus",
        ]
    ]


def test_add_blocked_slot_without_reason_shows_error_on_that_field(
    organiser_client: CheckedClient, day: Day
) -> None:
    response = organiser_client.post(slots_path(day), slot(is_blocked="on", blocked_reason="  "))

    assert response.status_code == 400
    assert field_errors(response) == {
        "slot-blocked_reason": ["Please give a reason for blocking the slot."]
    }
    assert local_slots(day) == []


def test_edit_slot_saves_changes_and_blocks_it(
    organiser_client: CheckedClient, event: Event, day: Day
) -> None:
    existing = TimeSlotFactory(day=day, start_time=datetime.time(10, 15))
    path = en("scheduling:slot-edit", slug=event.slug, pk=existing.pk)

    form_page = organiser_client.get(path)
    response = organiser_client.post(
        path,
        slot(prefix="", start="10:30", end="11:30", kind="session", title="Workshop",
             is_blocked="on", blocked_reason="Reserviert für die Presse"),
        follow=True,
    )  # fmt: skip

    assert "Edit slot 10:15–11:00" in text(form_page)
    assert 'value="10:15"' in form_page.content.decode()
    assert response.redirect_chain == [(slots_path(day), 302)]
    assert messages_of(response) == ["The slot has been saved."]
    existing.refresh_from_db()
    assert local_slots(day) == [("10:30", "11:30", "session", "Workshop")]
    assert (existing.is_blocked, existing.blocked_reason) == (True, "Reserviert für die Presse")


def test_edit_slot_blocked_without_reason_shows_error_on_that_field(
    organiser_client: CheckedClient, event: Event, day: Day
) -> None:
    existing = TimeSlotFactory(day=day)
    before = TimeSlot.objects.filter(pk=existing.pk).values().get()

    response = organiser_client.post(
        en("scheduling:slot-edit", slug=event.slug, pk=existing.pk),
        slot(prefix="", start="10:15", end="11:00", is_blocked="on", blocked_reason=""),
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "blocked_reason": ["Please give a reason for blocking the slot."]
    }
    assert form_errors(response) == [
        "Reason for blocking: Please give a reason for blocking the slot."
    ]
    assert TimeSlot.objects.filter(pk=existing.pk).values().get() == before


def test_delete_slot(organiser_client: CheckedClient, event: Event, day: Day) -> None:
    keep = TimeSlotFactory(day=day, start_time=datetime.time(9, 0))
    gone = TimeSlotFactory(day=day, start_time=datetime.time(11, 0))

    response = organiser_client.post(
        en("scheduling:slot-delete", slug=event.slug, pk=gone.pk), follow=True
    )

    assert response.redirect_chain == [(slots_path(day), 302)]
    assert messages_of(response) == ["The slot has been deleted."]
    assert list(TimeSlot.objects.all()) == [keep]


# --- Bad input for slots -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": "17:00", "start": "18:00"}, "slot-end", "A slot must end after it starts."),
        ({"end": "18:00"}, "slot-end", "A slot must end after it starts."),
        ({"start": ""}, "slot-start", "This field is required."),
        ({"start": "25:00"}, "slot-start", "Enter a valid time."),
        ({"start": "abends"}, "slot-start", "Enter a valid time."),
        (
            {"kind": "party"},
            "slot-kind",
            "Select a valid choice. party is not one of the available choices.",
        ),
        (
            {"title": "T" * 10_000},
            "slot-title",
            "Ensure this value has at most 120 characters (it has 10000).",
        ),
    ],
)
def test_add_slot_with_bad_input_adds_nothing(
    organiser_client: CheckedClient, day: Day, changes: dict[str, str], field: str, message: str
) -> None:
    response = organiser_client.post(slots_path(day), slot(**changes))

    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}
    assert TimeSlot.objects.count() == 0


def test_add_overlapping_slot_is_refused(organiser_client: CheckedClient, day: Day) -> None:
    TimeSlotFactory(day=day, start_time=datetime.time(10, 15))

    response = organiser_client.post(slots_path(day), slot(start="10:45", end="11:30"))

    assert response.status_code == 400
    assert form_errors(response) == [
        "This overlaps the slot 10:15–11:00. Slots of a day must not overlap."
    ]
    assert local_slots(day) == [("10:15", "11:00", "session", "")]


def test_slot_on_another_day_does_not_count_as_overlap(
    organiser_client: CheckedClient, event: Event, day: Day
) -> None:
    TimeSlotFactory(day=event.days.exclude(pk=day.pk).get(), start_time=datetime.time(18, 0))

    response = organiser_client.post(slots_path(day), slot())

    assert response.status_code == 302
    assert local_slots(day) == [("18:00", "19:00", "plenary", "Abendprogramm")]


AT_LEAST_5 = "Ensure this value is greater than or equal to 5."
AT_MOST_120 = "Ensure this value is less than or equal to 120."


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"session_minutes": "0"}, {"gen-session_minutes": [AT_LEAST_5]}),
        ({"session_minutes": "-45"}, {"gen-session_minutes": [AT_LEAST_5]}),
        ({"session_minutes": "lang"}, {"gen-session_minutes": ["Enter a whole number."]}),
        ({"changeover_minutes": "121"}, {"gen-changeover_minutes": [AT_MOST_120]}),
        ({"start": "9 Uhr"}, {"gen-start": ["Enter a valid time."]}),
        ({"end": ""}, {"gen-end": ["This field is required."]}),
    ],
)  # fmt: skip
def test_generator_with_bad_numbers_shows_error_on_field_and_keeps_slots(
    organiser_client: CheckedClient, day: Day, changes: dict[str, str], errors: dict[str, list[str]]
) -> None:
    TimeSlotFactory(day=day)

    response = organiser_client.post(slots_path(day), plan(**changes))

    assert response.status_code == 400
    assert field_errors(response) == errors
    assert local_slots(day) == [("10:15", "11:00", "session", "")]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"start": "17:00", "end": "09:30"}, "The day must end after it starts."),
        ({"lunch_start": "07:00", "lunch_end": "08:00"}, "Lunch must lie within the day."),
        ({"lunch_start": "16:30", "lunch_end": "17:30"}, "Lunch must lie within the day."),
        (
            {"lunch_start": "09:30", "lunch_end": "09:50"},
            "Lunch must lie between the opening and the closing.",
        ),
        ({"lunch_start": "13:30", "lunch_end": "12:30"}, "Lunch must end after it starts."),
        ({"lunch_end": ""}, "Please give both the start and the end of lunch, or neither."),
        (
            {"opening_minutes": "240", "closing_minutes": "240"},
            "Opening and closing leave no time for sessions.",
        ),
    ],
)  # fmt: skip
def test_generator_with_impossible_plan_explains_and_keeps_slots(
    organiser_client: CheckedClient, day: Day, changes: dict[str, str], problem: str
) -> None:
    TimeSlotFactory(day=day)

    response = organiser_client.post(slots_path(day), plan(**changes))

    assert response.status_code == 400
    assert form_errors(response) == [problem]
    assert local_slots(day) == [("10:15", "11:00", "session", "")]


def test_day_slots_of_another_barcamps_day_is_404(
    organiser_client: CheckedClient, event: Event
) -> None:
    foreign_day = EventFactory().days.get()

    get_response = organiser_client.get(
        en("scheduling:day-slots", slug=event.slug, day_pk=foreign_day.pk)
    )
    post_response = organiser_client.post(
        en("scheduling:day-slots", slug=event.slug, day_pk=foreign_day.pk), slot()
    )

    assert (get_response.status_code, post_response.status_code) == (404, 404)
    assert TimeSlot.objects.count() == 0


@pytest.mark.parametrize("pk", ["abc", "1.0", "-2"])
def test_slot_with_malformed_pk_is_404(
    organiser_client: CheckedClient, event: Event, pk: str
) -> None:
    response = organiser_client.get(f"/en/{event.slug}/manage/slots/{pk}/")

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_day_in_year_1_is_refused_before_slots_can_break(
    organiser_client: CheckedClient, event: Event
) -> None:
    response = organiser_client.post(
        en("events:manage-days", slug=event.slug), {"date": "0001-01-01"}
    )

    assert response.status_code == 400
    assert "date" in field_errors(response)
    assert not Day.objects.filter(date=datetime.date(1, 1, 1)).exists()


def test_slot_on_a_day_in_year_1_is_refused_not_a_500(
    organiser_client: CheckedClient, event: Event
) -> None:
    ancient = Day.objects.create(event=event, date=datetime.date(1, 1, 1))

    response = organiser_client.post(slots_path(ancient), slot(start="00:00", end="00:45"))

    assert response.status_code == 400
    assert TimeSlot.objects.count() == 0


# --- Copying a barcamp as template -------------------------------------------------------------


def test_duplicate_copies_settings_days_rooms_and_slots_but_not_people(
    organiser_client: CheckedClient, organiser: User, event: Event, day: Day
) -> None:
    RoomFactory(
        event=event, name="Ratssaal", equipment=["projector"], video_url="https://v.example/r"
    )
    TimeSlotFactory(day=day, start_time=datetime.time(9, 30), minutes=30, title="Eröffnung")
    EventRole.objects.create(event=event, user=UserFactory(), role=Role.MODERATOR)
    path = en("scheduling:event-duplicate", slug=event.slug)

    form_page = organiser_client.get(path)
    response = organiser_client.post(
        path,
        {"name": "Barcamp Zeitplan 2028", "slug": "zeitplan-2028", "first_day": "2028-03-02"},
        follow=True,
    )

    assert 'value="zeitplan-neu"' in form_page.content.decode()
    copy = Event.objects.get(slug="zeitplan-2028")
    assert response.redirect_chain == [(en("events:manage-overview", slug=copy.slug), 302)]
    assert messages_of(response) == [
        "“Barcamp Zeitplan 2028” has been created from “Barcamp Zeitplan”."
    ]
    assert (copy.name, copy.published_at, copy.copied_from, copy.imprint) == (
        "Barcamp Zeitplan 2028",
        None,
        event,
        event.imprint,
    )
    assert list(copy.days.values_list("date", flat=True)) == [
        datetime.date(2028, 3, 2),
        datetime.date(2028, 3, 3),
    ]
    assert list(Room.objects.filter(event=copy).values_list("name", "equipment", "video_url")) == [
        ("Ratssaal", ["projector"], "https://v.example/r")
    ]
    assert local_slots(copy.days.get(date=datetime.date(2028, 3, 2))) == [
        ("09:30", "10:00", "session", "Eröffnung")
    ]
    assert list(EventRole.objects.filter(event=copy).values_list("user", "role")) == [
        (organiser.pk, Role.ORGANISER)
    ]
    assert copy.registrations.count() == 0
    assert local_slots(day) == [("09:30", "10:00", "session", "Eröffnung")]  # source untouched


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"slug": "zeitplan"}, "slug", "This short name is already taken."),
        (
            {"slug": "neu und besser"},
            "slug",
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        ),
        ({"first_day": "2028-02-30"}, "first_day", "Enter a valid date."),
        ({"first_day": ""}, "first_day", "This field is required."),
    ],
)
def test_duplicate_with_bad_input_creates_nothing(
    organiser_client: CheckedClient, event: Event, changes: dict[str, str], field: str, message: str
) -> None:
    data = {"name": "Kopie", "slug": "kopie", "first_day": "2028-03-02", **changes}

    response = organiser_client.post(en("scheduling:event-duplicate", slug=event.slug), data)

    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}
    assert list(Event.objects.all()) == [event]


def test_duplicate_with_reserved_slug_says_so(
    organiser_client: CheckedClient, event: Event
) -> None:
    response = organiser_client.post(
        en("scheduling:event-duplicate", slug=event.slug),
        {"name": "Kopie", "slug": "admin", "first_day": "2028-03-02"},
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "slug": ["This short name is reserved. Please choose another one."]
    }
    assert list(Event.objects.all()) == [event]


def test_duplicate_to_the_end_of_the_calendar_says_so(
    organiser_client: CheckedClient, event: Event
) -> None:
    response = organiser_client.post(
        en("scheduling:event-duplicate", slug=event.slug),
        {"name": "Kopie", "slug": "kopie", "first_day": "9999-12-31"},
    )

    assert response.status_code == 400
    assert "first_day" in field_errors(response)
    assert list(Event.objects.all()) == [event]
