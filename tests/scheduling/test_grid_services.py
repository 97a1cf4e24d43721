"""Editing the grid through its services: place, move, swap, unplace, pin, undo, publish, and
suggestions of the planner (previewed, applied as one undoable step)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from tests.factories import (
    EventFactory,
    ProposalFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import Role
from unkonf.events.models import EventRole
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest
from unkonf.realtime.models import StreamEvent
from unkonf.scheduling.enums import SlotKind, SuggestionScope, SuggestionState
from unkonf.scheduling.exceptions import CellTaken, GridConflict, SchedulingError
from unkonf.scheduling.models import GridChange, ScheduleEntry, Star, Unavailability
from unkonf.scheduling.selectors.grid import get_day_grid, grid_figures, grid_warnings, list_entries
from unkonf.scheduling.services.grid import (
    place_entry,
    publish_schedule,
    set_pinned,
    undo_change,
    unplace_entry,
)
from unkonf.scheduling.services.suggestions import apply_suggestion, start_suggestion
from unkonf.venues.enums import Equipment

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

T = datetime.time


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def barcamp():
    moderator = UserFactory(name="Mo Derator")
    event = EventFactory()
    EventRole.objects.create(event=event, user=moderator, role=Role.MODERATOR)
    day = event.days.get()
    rooms = [
        RoomFactory(event=event, name="Saal", capacity=80, position=0),
        RoomFactory(event=event, name="Raum B", capacity=20, position=1),
    ]
    slots = [
        TimeSlotFactory(day=day, start_time=T(10, 0)),
        TimeSlotFactory(day=day, start_time=T(11, 0)),
        TimeSlotFactory(day=day, start_time=T(12, 0), kind=SlotKind.BREAK),
        TimeSlotFactory(day=day, start_time=T(13, 0)),
    ]
    proposals = [
        ProposalFactory(event=event, state=ProposalState.PITCHED, title=f"Session {i}")
        for i in range(4)
    ]
    return event, moderator, rooms, slots, proposals


def _place(proposal, room, slot, actor, **kw):
    return place_entry(proposal, room=room, slot=slot, actor=actor, expected_version=0, **kw)


def test_place_entry_puts_the_proposal_in_the_cell_and_marks_it_scheduled(barcamp):
    event, mod, rooms, slots, (p, *_rest) = barcamp
    change = _place(p, rooms[0], slots[0], mod)
    entry = ScheduleEntry.objects.get(proposal=p)
    assert (entry.room, entry.slot, entry.version) == (rooms[0], slots[0], 1)
    p.refresh_from_db()
    assert p.state == ProposalState.SCHEDULED
    assert change.before == {str(p.pk): None}
    assert change.after == {str(p.pk): [rooms[0].pk, slots[0].pk, False]}
    assert AuditLogEntry.objects.filter(action="grid.place", event_id=event.pk).count() == 1
    message = StreamEvent.objects.get(stream=f"event.{event.pk}.grid")
    assert message.kind == "grid.changed"
    assert message.payload["proposals"] == [p.pk]
    assert message.payload["actor"] == "Mo Derator"


def test_placing_into_a_taken_cell_is_refused_and_changes_nothing(barcamp):
    _event, mod, rooms, slots, (p1, p2, *_rest) = barcamp
    _place(p1, rooms[0], slots[0], mod)
    with pytest.raises(CellTaken, match="already taken by “Session 0”"):
        _place(p2, rooms[0], slots[0], mod)
    assert list(ScheduleEntry.objects.values_list("proposal_id", flat=True)) == [p1.pk]
    p2.refresh_from_db()
    assert p2.state == ProposalState.PITCHED


def test_swap_exchanges_two_sessions(barcamp):
    _event, mod, rooms, slots, (p1, p2, *_rest) = barcamp
    _place(p1, rooms[0], slots[0], mod)
    _place(p2, rooms[1], slots[1], mod)
    change = place_entry(p1, room=rooms[1], slot=slots[1], actor=mod, expected_version=1, swap=True)
    assert change.action == "swap"
    places = {e.proposal_id: (e.room_id, e.slot_id) for e in ScheduleEntry.objects.all()}
    assert places == {p1.pk: (rooms[1].pk, slots[1].pk), p2.pk: (rooms[0].pk, slots[0].pk)}


def test_swap_from_the_backlog_sends_the_occupant_back(barcamp):
    _event, mod, rooms, slots, (p1, p2, *_rest) = barcamp
    _place(p1, rooms[0], slots[0], mod)
    _place(p2, rooms[0], slots[0], mod, swap=True)
    assert list(ScheduleEntry.objects.values_list("proposal_id", flat=True)) == [p2.pk]
    p1.refresh_from_db()
    assert p1.state == ProposalState.PITCHED


def test_a_stale_version_is_refused_with_a_clear_message(barcamp):
    _event, mod, rooms, slots, (p1, *_rest) = barcamp
    _place(p1, rooms[0], slots[0], mod)
    with pytest.raises(GridConflict, match="changed by someone else"):
        # an editor that still shows p1 in the backlog
        _place(p1, rooms[1], slots[1], mod)
    assert ScheduleEntry.objects.get(proposal=p1).room == rooms[0]


def test_two_slot_session_takes_two_consecutive_slots_not_across_a_break(barcamp):
    event, mod, rooms, slots, (p1, p2, *_rest) = barcamp
    p1.slots = 2
    p1.save()
    with pytest.raises(SchedulingError, match="takes two slots"):
        _place(p1, rooms[0], slots[1], mod)  # the next slot is the lunch break
    _place(p1, rooms[0], slots[0], mod)
    with pytest.raises(CellTaken):
        _place(p2, rooms[0], slots[1], mod)
    grid = get_day_grid(event, slots[0].day)
    assert grid.rows[0].cells[0].rowspan == 2
    assert grid.rows[1].cells[0].covered


def test_breaks_take_no_sessions(barcamp):
    _event, mod, rooms, slots, (p1, *_rest) = barcamp
    with pytest.raises(SchedulingError, match="not a session slot"):
        _place(p1, rooms[0], slots[2], mod)


def test_undo_reverts_the_actors_last_change(barcamp):
    _event, mod, rooms, slots, (p1, *_rest) = barcamp
    _place(p1, rooms[0], slots[0], mod)
    place_entry(p1, room=rooms[1], slot=slots[1], actor=mod, expected_version=1)
    undo_change(p1.event, actor=mod)
    entry = ScheduleEntry.objects.get(proposal=p1)
    assert (entry.room, entry.slot) == (rooms[0], slots[0])
    undo_change(p1.event, actor=mod)
    assert not ScheduleEntry.objects.exists()
    with pytest.raises(SchedulingError, match="nothing of yours to undo"):
        undo_change(p1.event, actor=mod)


def test_undo_refuses_when_someone_changed_it_since(barcamp):
    event, mod, rooms, slots, (p1, *_rest) = barcamp
    other = UserFactory()
    EventRole.objects.create(event=event, user=other, role=Role.ORGANISER)
    _place(p1, rooms[0], slots[0], mod)
    place_entry(p1, room=rooms[1], slot=slots[0], actor=other, expected_version=1)
    with pytest.raises(GridConflict, match="changed again since"):
        undo_change(event, actor=mod)
    assert ScheduleEntry.objects.get(proposal=p1).room == rooms[1]


def test_pin_and_unplace(barcamp):
    _event, mod, rooms, slots, (p1, *_rest) = barcamp
    _place(p1, rooms[0], slots[0], mod)
    set_pinned(p1, pinned=True, actor=mod, expected_version=1)
    assert ScheduleEntry.objects.get(proposal=p1).pinned
    unplace_entry(p1, actor=mod, expected_version=2)
    assert not ScheduleEntry.objects.exists()
    assert GridChange.objects.filter(action="unplace").count() == 1


def test_after_publishing_a_move_notifies_people_who_starred_or_wanted_it(barcamp):
    event, mod, rooms, slots, (p1, *_rest) = barcamp
    fan, starrer, bystander = UserFactory(), UserFactory(language="en"), UserFactory()
    Interest.objects.create(event=event, proposal=p1, user=fan)
    Star.objects.create(event=event, proposal=p1, user=starrer)
    _place(p1, rooms[0], slots[0], mod)
    publish_schedule(event, actor=mod)
    assert StreamEvent.objects.filter(stream=f"event.{event.pk}", kind="plan.changed").exists()
    place_entry(p1, room=rooms[1], slot=slots[1], actor=mod, expected_version=1)
    entry = ScheduleEntry.objects.get(proposal=p1)
    assert entry.previous_room == "Saal"
    assert entry.moved_at is not None
    notices = {e.stream: e.payload for e in StreamEvent.objects.filter(kind="plan.session_moved")}
    assert set(notices) == {f"user.{fan.pk}", f"user.{starrer.pk}"}
    assert "now Raum B" in notices[f"user.{starrer.pk}"]["text"]
    assert f"user.{bystander.pk}" not in notices
    plan = StreamEvent.objects.filter(kind="plan.changed").order_by("-seq").first()
    assert plan.payload["moved"] == [p1.pk]


def test_warnings_name_what_a_moderator_should_look_at(barcamp):
    event, mod, rooms, slots, (p1, p2, *_rest) = barcamp
    host = p1.hosts.get().user
    p2.hosts.update(user=host)
    p1.needs = [Equipment.PROJECTOR]
    p1.interest_count = 50
    p1.mode = "online"
    p1.save()
    rooms[1].equipment = []
    rooms[1].save()
    Unavailability.objects.create(event=event, user=host, slot=slots[0])
    slots[0].is_blocked = True
    slots[0].blocked_reason = "Keynote"
    slots[0].save()
    _place(p1, rooms[1], slots[0], mod)
    _place(p2, rooms[0], slots[0], mod)
    entries = list_entries(event)
    codes = {pid: {w.code for w in ws} for pid, ws in grid_warnings(event, entries, slots).items()}
    assert codes[p1.pk] == {"host_clash", "host_away", "capacity", "equipment", "video", "blocked"}
    assert codes[p2.pk] == {"host_clash", "host_away", "blocked"}


def test_figures_count_missed_wishes_and_overflow(barcamp):
    event, mod, rooms, slots, (p1, p2, *_rest) = barcamp
    people = [UserFactory() for _ in range(25)]
    for person in people:
        Interest.objects.create(event=event, proposal=p1, user=person)
    for person in people[:3]:
        Interest.objects.create(event=event, proposal=p2, user=person)
    _place(p1, rooms[1], slots[0], mod)  # 26 people (25 + host) into a room for 20
    _place(p2, rooms[0], slots[0], mod)
    figures = grid_figures(event)
    assert (figures.missed, figures.overflow, figures.total_wishes) == (3, 6, 28)
    assert figures.missed_lower_bound == 0


def test_a_suggestion_is_previewed_then_applied_as_one_undoable_step(
    barcamp, django_capture_on_commit_callbacks
):
    event, mod, _rooms, _slots, proposals = barcamp
    people = [UserFactory() for _ in range(6)]
    for person in people:  # everyone wants sessions 0 and 1: they must not run at once
        for p in proposals[:2]:
            Interest.objects.create(event=event, proposal=p, user=person)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = start_suggestion(
            event, actor=mod, scope=SuggestionScope.ALL, day=None, time_budget=1
        )
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.READY
    assert not ScheduleEntry.objects.exists()  # a preview changes nothing
    assert suggestion.figures["missed"] == 0
    assert suggestion.figures["placed"] == 4
    assert suggestion.figures["moves"] == 4
    slot_of = {int(k): v[1] for k, v in suggestion.assignment.items()}
    assert slot_of[proposals[0].pk] != slot_of[proposals[1].pk]
    change = apply_suggestion(suggestion, actor=mod)
    assert change.action == "suggestion"
    assert ScheduleEntry.objects.count() == 4
    undo_change(event, actor=mod)
    assert not ScheduleEntry.objects.exists()


def test_a_suggestion_is_refused_when_the_grid_changed_since(
    barcamp, django_capture_on_commit_callbacks
):
    event, mod, rooms, slots, proposals = barcamp
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = start_suggestion(
            event, actor=mod, scope=SuggestionScope.ALL, day=None, time_budget=1
        )
    _place(proposals[0], rooms[0], slots[3], mod)
    suggestion.refresh_from_db()
    with pytest.raises(SchedulingError, match="changed since this suggestion"):
        apply_suggestion(suggestion, actor=mod)


def test_rest_of_the_day_keeps_what_has_begun_and_what_is_pinned(barcamp):
    event, mod, rooms, slots, proposals = barcamp
    _place(proposals[0], rooms[0], slots[0], mod)
    _place(proposals[1], rooms[1], slots[1], mod)
    set_pinned(proposals[1], pinned=True, actor=mod, expected_version=1)
    _place(proposals[2], rooms[1], slots[3], mod)
    suggestion = start_suggestion(
        event, actor=mod, scope=SuggestionScope.REST_OF_DAY, day=slots[0].day, time_budget=1
    )
    # as if asked while the first slot runs
    suggestion.after = slots[0].start + datetime.timedelta(minutes=5)
    suggestion.state = SuggestionState.RUNNING
    suggestion.save()
    from unkonf.scheduling.services.suggestions import run_suggestion

    suggestion = run_suggestion(suggestion.pk)
    touched = {int(k) for k in suggestion.assignment}
    assert proposals[0].pk not in touched  # began already
    assert proposals[1].pk not in touched  # pinned
    assert {proposals[2].pk, proposals[3].pk} <= touched
    for key, place in suggestion.assignment.items():
        assert place is None or place[1] in (slots[1].pk, slots[3].pk), key
        assert place is None or (place[0], place[1]) != (rooms[1].pk, slots[1].pk)


def test_stars_unavailable_slots_and_feeds_are_exported_and_erased(barcamp):
    from unkonf.accounts.services import erase_account, export_personal_data
    from unkonf.scheduling.models import CalendarFeed

    event, mod, rooms, slots, (p1, *_rest) = barcamp
    person = UserFactory()
    _place(p1, rooms[0], slots[0], mod)
    Star.objects.create(event=event, proposal=p1, user=person)
    Unavailability.objects.create(event=event, user=person, slot=slots[1])
    CalendarFeed.objects.create(event=event, user=person, token="t" * 40)
    exported = export_personal_data(person)["scheduling"]
    assert [s["title"] for s in exported["starred"]] == ["Session 0"]
    assert exported["cannot_host"][0]["start"] == slots[1].local_start().isoformat()
    assert len(exported["calendar_feeds"]) == 1
    assert "t" * 40 not in str(exported)  # the feed's secret is not repeated
    erase_account(person, actor=person)
    assert not Star.objects.filter(user=person).exists()
    assert not Unavailability.objects.filter(user=person).exists()
    assert not CalendarFeed.objects.filter(user=person).exists()
    assert ScheduleEntry.objects.filter(proposal=p1).exists()  # the grid stays


def test_a_suggestion_is_refused_once_a_slot_it_touches_has_begun(
    barcamp, django_capture_on_commit_callbacks
):
    event, mod, _rooms, slots, _proposals = barcamp
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = start_suggestion(
            event, actor=mod, scope=SuggestionScope.ALL, day=None, time_budget=1
        )
    suggestion.refresh_from_db()
    first_slot = min(v[1] for v in suggestion.assignment.values() if v)
    # as if it had been made before the first slot it uses, which has begun since
    begun = next(s for s in slots if s.pk == first_slot)
    suggestion.after = timezone.now() - datetime.timedelta(minutes=10)
    suggestion.save()
    begun.start = timezone.now() - datetime.timedelta(minutes=1)
    begun.end = timezone.now() + datetime.timedelta(minutes=40)
    begun.save()
    with pytest.raises(SchedulingError, match="Sessions have begun since this suggestion"):
        apply_suggestion(suggestion, actor=mod)
    assert not ScheduleEntry.objects.exists()


def test_slots_rooms_and_days_with_sessions_cannot_be_deleted_or_split(barcamp):
    from unkonf.events.exceptions import EventError
    from unkonf.events.services import remove_day
    from unkonf.scheduling.generator import DayPlan
    from unkonf.scheduling.services import create_slot, delete_slot, generate_slots, update_slot
    from unkonf.venues.exceptions import RoomError
    from unkonf.venues.services import delete_room

    event, mod, rooms, slots, (p1, *_rest) = barcamp
    organiser = UserFactory()
    EventRole.objects.create(event=event, user=organiser, role=Role.ORGANISER)
    p1.slots = 2
    p1.save()
    _place(p1, rooms[0], slots[0], mod)  # 10:00 and 11:00
    with pytest.raises(SchedulingError, match="take place in this slot: “Session 0”"):
        delete_slot(slots[1], actor=organiser)  # the second half of the two-slot session
    with pytest.raises(SchedulingError, match="before making it a break"):
        update_slot(
            slots[0],
            actor=organiser,
            start=T(10, 0),
            end=T(10, 45),
            kind=SlotKind.BREAK,
            title="",
            is_blocked=False,
            blocked_reason="",
        )
    with pytest.raises(SchedulingError, match="would split it"):
        create_slot(slots[0].day, actor=organiser, start=T(10, 46), end=T(10, 58))
    with pytest.raises(SchedulingError, match="take them out of the grid before laying out"):
        generate_slots(
            slots[0].day,
            actor=organiser,
            plan=DayPlan(start=T(9, 0), end=T(17, 0), session_minutes=45, changeover_minutes=15),
        )
    with pytest.raises(RoomError, match="take place in “Saal”"):
        delete_room(rooms[0], actor=organiser)
    with pytest.raises(EventError, match="take place on this day"):
        remove_day(slots[0].day, actor=organiser)
    assert ScheduleEntry.objects.get(proposal=p1).length == 2  # nothing was lost
    delete_room(rooms[1], actor=organiser)  # an empty room goes
    delete_slot(slots[3], actor=organiser)  # an empty slot goes
    event.delete()  # and the whole barcamp still can be deleted
    assert not ScheduleEntry.objects.exists()


def test_erasing_a_moderator_removes_their_name_from_stored_grid_messages(barcamp):
    from unkonf.accounts.services import erase_account

    _event, mod, rooms, slots, (p1, *_rest) = barcamp
    _place(p1, rooms[0], slots[0], mod)
    assert StreamEvent.objects.get(kind="grid.changed").payload["actor"] == "Mo Derator"
    erase_account(mod, actor=mod)
    assert StreamEvent.objects.get(kind="grid.changed").payload["actor"] == "Deleted account"
    assert ScheduleEntry.objects.filter(proposal=p1).exists()
