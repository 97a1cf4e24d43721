"""Time slots and copying a barcamp, through the services."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import translation

from tests.factories import (
    EventFactory,
    RegistrationFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import Role
from unkonf.events.exceptions import EventError
from unkonf.events.models import Event, EventRole, Invitation, Registration
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.exceptions import SchedulingError, SlotOverlap
from unkonf.scheduling.generator import DayPlan
from unkonf.scheduling.models import TimeSlot
from unkonf.scheduling.services import (
    create_slot,
    delete_slot,
    duplicate_event,
    generate_slots,
    update_slot,
)
from unkonf.venues.enums import Equipment, RoomKind
from unkonf.venues.models import Room

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

T = datetime.time
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC

EXAMPLE = DayPlan(
    start=T(9, 30), end=T(17, 0), session_minutes=45, changeover_minutes=15,
    lunch_start=T(12, 30), lunch_end=T(13, 30), opening_minutes=30, closing_minutes=30,
)  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def local_rows(slots) -> list[tuple[str, str, str]]:
    return [(f"{s.local_start():%H:%M}", f"{s.local_end():%H:%M}", s.kind) for s in slots]


# --- generating a day -------------------------------------------------------------------------


def test_generate_slots_replaces_the_days_slots():
    organiser = UserFactory()
    event = EventFactory(
        days=[datetime.date(2027, 5, 6), datetime.date(2027, 5, 7)], organiser=organiser
    )
    day, other_day = event.days.all()
    TimeSlotFactory(day=day, start_time=T(8, 0), minutes=60, title="Handgemacht")
    kept = TimeSlotFactory(day=other_day, start_time=T(8, 0))

    slots = generate_slots(day, actor=organiser, plan=EXAMPLE)

    assert local_rows(slots) == [
        ("09:30", "10:00", SlotKind.PLENARY),
        ("10:15", "11:00", SlotKind.SESSION),
        ("11:15", "12:00", SlotKind.SESSION),
        ("12:30", "13:30", SlotKind.BREAK),
        ("13:30", "14:15", SlotKind.SESSION),
        ("14:30", "15:15", SlotKind.SESSION),
        ("15:30", "16:15", SlotKind.SESSION),
        ("16:30", "17:00", SlotKind.PLENARY),
    ]
    assert list(TimeSlot.objects.filter(day=day).order_by("start")) == slots
    assert slots[0].start == datetime.datetime(2027, 5, 6, 9, 30, tzinfo=BERLIN)
    assert slots[0].start == datetime.datetime(2027, 5, 6, 7, 30, tzinfo=UTC)
    assert {s.event_id for s in slots} == {event.pk}
    assert [s.title for s in slots if s.title] == ["Opening", "Lunch", "Closing"]
    assert not TimeSlot.objects.filter(title="Handgemacht").exists()
    assert list(TimeSlot.objects.filter(day=other_day)) == [kept]
    entry = AuditLogEntry.objects.get(action="slots.generated")
    assert (entry.actor_id, entry.event_id) == (organiser.pk, event.pk)
    assert entry.data == {"count": 8, "start": "09:30:00", "end": "17:00:00"}


def test_generate_slots_invalid_plan_keeps_the_days_slots():
    day = EventFactory().days.get()
    existing = TimeSlotFactory(day=day)
    plan = DayPlan(start=T(17, 0), end=T(9, 0), session_minutes=45, changeover_minutes=15)

    with pytest.raises(SchedulingError, match=r"The day must end after it starts."):
        generate_slots(day, actor=UserFactory(), plan=plan)

    assert list(TimeSlot.objects.filter(day=day)) == [existing]


# --- editing by hand --------------------------------------------------------------------------


def test_create_slot_overlapping_is_refused():
    day = EventFactory().days.get()
    TimeSlotFactory(day=day, start_time=T(10, 15), minutes=45)

    with pytest.raises(SlotOverlap) as excinfo:
        create_slot(day, actor=UserFactory(), start=T(10, 45), end=T(11, 30))

    assert (
        str(excinfo.value) == "This overlaps the slot 10:15–11:00. Slots of a day must not overlap."
    )
    assert TimeSlot.objects.filter(day=day).count() == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [(T(10, 0), T(10, 30)), (T(10, 30), T(10, 45)), (T(9, 0), T(12, 0)), (T(10, 15), T(11, 0))],
    ids=["start-inside", "inside", "around", "same"],
)
def test_create_slot_every_kind_of_overlap_is_refused(start, end):
    day = EventFactory().days.get()
    TimeSlotFactory(day=day, start_time=T(10, 15), minutes=45)

    with pytest.raises(SlotOverlap):
        create_slot(day, actor=UserFactory(), start=start, end=end)


def test_create_slot_touching_or_on_another_day_is_fine():
    organiser = UserFactory()
    event = EventFactory(days=2)
    day, other_day = event.days.all()
    TimeSlotFactory(day=day, start_time=T(10, 15), minutes=45)

    after = create_slot(day, actor=organiser, start=T(11, 0), end=T(11, 45), title="Direkt danach")
    before = create_slot(day, actor=organiser, start=T(9, 30), end=T(10, 15))
    elsewhere = create_slot(other_day, actor=organiser, start=T(10, 15), end=T(11, 0))

    assert local_rows([before, after, elsewhere]) == [
        ("09:30", "10:15", SlotKind.SESSION),
        ("11:00", "11:45", SlotKind.SESSION),
        ("10:15", "11:00", SlotKind.SESSION),
    ]
    assert after.title == "Direkt danach"
    assert (
        AuditLogEntry.objects.filter(
            action="slot.created", actor=organiser, event_id=event.pk
        ).count()
        == 3
    )


def test_create_slot_ending_before_it_starts_is_refused():
    day = EventFactory().days.get()

    with pytest.raises(SchedulingError, match=r"A slot must end after it starts.") as excinfo:
        create_slot(day, actor=UserFactory(), start=T(11, 0), end=T(11, 0))

    assert excinfo.value.field == "end"
    assert not TimeSlot.objects.exists()


def test_create_slot_blocked_needs_a_reason():
    day = EventFactory().days.get()

    with pytest.raises(
        SchedulingError, match=r"Please give a reason for blocking the slot."
    ) as excinfo:
        create_slot(
            day,
            actor=UserFactory(),
            start=T(12, 0),
            end=T(13, 0),
            is_blocked=True,
            blocked_reason="  ",
        )

    assert excinfo.value.field == "blocked_reason"
    assert not TimeSlot.objects.exists()


def test_create_slot_blocked_with_reason_keeps_it():
    day = EventFactory().days.get()

    slot = create_slot(
        day, actor=UserFactory(), start=T(12, 0), end=T(13, 0), kind=SlotKind.BREAK,
        is_blocked=True, blocked_reason=" Aufbau Catering ",
    )  # fmt: skip

    slot.refresh_from_db()
    assert (slot.is_blocked, slot.blocked_reason, slot.kind) == (
        True,
        "Aufbau Catering",
        SlotKind.BREAK,
    )


def test_update_slot_overlapping_another_is_refused():
    day = EventFactory().days.get()
    TimeSlotFactory(day=day, start_time=T(10, 15), minutes=45)
    second = TimeSlotFactory(day=day, start_time=T(11, 15), minutes=45)

    with pytest.raises(SlotOverlap, match=r"This overlaps the slot 10:15–11:00."):
        update_slot(
            second, actor=UserFactory(), start=T(10, 30), end=T(11, 30), kind=SlotKind.SESSION,
            title="", is_blocked=False, blocked_reason="",
        )  # fmt: skip

    assert str(TimeSlot.objects.get(pk=second.pk)) == "11:15–12:00"


def test_update_slot_within_its_own_time_is_fine():
    organiser = UserFactory()
    day = EventFactory().days.get()
    slot = TimeSlotFactory(
        day=day, start_time=T(10, 15), minutes=45, is_blocked=True, blocked_reason="Presse"
    )

    update_slot(
        slot, actor=organiser, start=T(10, 0), end=T(11, 0), kind=SlotKind.PLENARY,
        title="Begrüßung", is_blocked=False, blocked_reason="Presse",
    )  # fmt: skip

    slot = TimeSlot.objects.get(pk=slot.pk)
    assert (str(slot), slot.kind, slot.title) == ("10:00–11:00", SlotKind.PLENARY, "Begrüßung")
    assert (slot.is_blocked, slot.blocked_reason) == (False, "")
    assert AuditLogEntry.objects.filter(action="slot.updated", actor=organiser).count() == 1


def test_update_slot_blocking_without_reason_is_refused():
    slot = TimeSlotFactory()

    with pytest.raises(SchedulingError) as excinfo:
        update_slot(
            slot, actor=UserFactory(), start=T(10, 15), end=T(11, 0), kind=SlotKind.SESSION,
            title="", is_blocked=True, blocked_reason="",
        )  # fmt: skip

    assert excinfo.value.field == "blocked_reason"
    assert TimeSlot.objects.get(pk=slot.pk).is_blocked is False


def test_delete_slot_removes_it():
    organiser = UserFactory()
    slot = TimeSlotFactory(start_time=T(14, 30), minutes=45)

    delete_slot(slot, actor=organiser)

    assert not TimeSlot.objects.exists()
    entry = AuditLogEntry.objects.get(action="slot.deleted")
    assert (entry.actor_id, entry.event_id, entry.data) == (
        organiser.pk,
        slot.event_id,
        {"time": "14:30–15:15"},
    )


# --- copying a barcamp ------------------------------------------------------------------------


@pytest.fixture
def past_barcamp():
    """Two days just before the change to summer time (29 March 2026), rooms, slots, people."""
    organiser = UserFactory()
    source = EventFactory(
        name="Barcamp Frühjahr 2026",
        days=[datetime.date(2026, 3, 26), datetime.date(2026, 3, 27)],
        organiser=organiser,
        capacity=80,
    )
    first, second = source.days.all()
    RoomFactory(
        event=source, name="Ratssaal", kind=RoomKind.STAGE, capacity=120, position=1,
        equipment=[Equipment.MICROPHONE, Equipment.INDUCTION_LOOP],
    )  # fmt: skip
    RoomFactory(event=source, name="Raum Spree", capacity=25, position=2, online=True)
    TimeSlotFactory(
        day=first, start_time=T(9, 30), minutes=30, kind=SlotKind.PLENARY, title="Begrüßung"
    )
    TimeSlotFactory(day=first, start_time=T(10, 15), minutes=45)
    TimeSlotFactory(
        day=second,
        start_time=T(12, 30),
        minutes=60,
        kind=SlotKind.BREAK,
        is_blocked=True,
        blocked_reason="Mittag",
    )
    RegistrationFactory.create_batch(2, event=source)
    Invitation.objects.create(event=source, email="gast@kreis.example", role=Role.MODERATOR)
    return source


def test_duplicate_event_copies_days_rooms_and_slots_to_the_new_date(past_barcamp):
    source = past_barcamp
    actor = UserFactory()

    copy = duplicate_event(
        source,
        actor=actor,
        name="Barcamp Frühjahr 2026 (Nachholtermin)",
        slug="fruehjahr-nachholtermin",
        first_day=datetime.date(2026, 4, 9),
    )

    copy = Event.objects.get(pk=copy.pk)
    assert copy.pk != source.pk
    assert (copy.name, copy.slug) == (
        "Barcamp Frühjahr 2026 (Nachholtermin)",
        "fruehjahr-nachholtermin",
    )
    assert (copy.copied_from, copy.published_at, copy.registration_counter) == (source, None, 0)
    assert (copy.capacity, copy.imprint, copy.timezone) == (80, source.imprint, "Europe/Berlin")
    assert list(copy.days.values_list("date", "label")) == [
        (datetime.date(2026, 4, 9), "Tag 1"),
        (datetime.date(2026, 4, 10), "Tag 2"),
    ]
    assert list(
        Room.objects.filter(event=copy).values_list(
            "name", "kind", "capacity", "equipment", "video_url", "position"
        )
    ) == list(
        Room.objects.filter(event=source).values_list(
            "name", "kind", "capacity", "equipment", "video_url", "position"
        )
    )
    slots = TimeSlot.objects.filter(event=copy).select_related("day", "event").order_by("start")
    assert [
        (
            s.day.date,
            f"{s.local_start():%H:%M}",
            f"{s.local_end():%H:%M}",
            s.kind,
            s.title,
            s.blocked_reason,
        )
        for s in slots
    ] == [
        (datetime.date(2026, 4, 9), "09:30", "10:00", SlotKind.PLENARY, "Begrüßung", ""),
        (datetime.date(2026, 4, 9), "10:15", "11:00", SlotKind.SESSION, "", ""),
        (datetime.date(2026, 4, 10), "12:30", "13:30", SlotKind.BREAK, "", "Mittag"),
    ]
    assert {s.day.event_id for s in slots} == {copy.pk}


def test_duplicate_event_keeps_wall_clock_time_across_the_change_to_summer_time(past_barcamp):
    source = past_barcamp

    copy = duplicate_event(
        source,
        actor=UserFactory(),
        name="Nachholtermin",
        slug="nachholtermin",
        first_day=datetime.date(2026, 4, 9),
    )

    original = TimeSlot.objects.filter(event=source).order_by("start").first()
    copied = TimeSlot.objects.filter(event=copy).order_by("start").first()
    assert original.start == datetime.datetime(2026, 3, 26, 8, 30, tzinfo=UTC)  # 09:30 CET
    assert copied.start == datetime.datetime(2026, 4, 9, 7, 30, tzinfo=UTC)  # 09:30 CEST


def test_duplicate_event_makes_only_the_actor_organiser_and_copies_no_people(past_barcamp):
    source = past_barcamp
    actor = UserFactory()

    copy = duplicate_event(
        source, actor=actor, name="Kopie", slug="kopie", first_day=datetime.date(2027, 3, 25)
    )

    assert list(EventRole.objects.filter(event=copy).values_list("user_id", "role")) == [
        (actor.pk, Role.ORGANISER)
    ]
    assert not Registration.objects.filter(event=copy).exists()
    assert not Invitation.objects.filter(event=copy).exists()
    assert Registration.objects.filter(event=source).count() == 2
    assert TimeSlot.objects.filter(event=source).count() == 3
    assert list(
        AuditLogEntry.objects.filter(action="event.duplicated").values_list(
            "actor_id", "event_id", "data"
        )
    ) == [(actor.pk, copy.pk, {"from": source.pk})]


def test_duplicate_event_refuses_a_taken_slug(past_barcamp):
    source = past_barcamp
    EventFactory(slug="schon-da")
    before = Event.objects.count()

    with pytest.raises(EventError, match=r"This short name is already taken.") as excinfo:
        duplicate_event(
            source,
            actor=UserFactory(),
            name="Kopie",
            slug="schon-da",
            first_day=datetime.date(2027, 3, 25),
        )

    assert excinfo.value.field == "slug"
    assert Event.objects.count() == before
