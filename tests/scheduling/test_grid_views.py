"""The grid editor through Django's test client (under ``/en/``): the day's page, every change
with a plain form and with a script's request (``HX-Request``), refusals, undo, publishing,
and the planner's suggestions from the form to the applied grid."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from tests.pages import CheckedClient, Page, en, field_errors, form_errors, messages_of, text
from unkonf.accounts.models import User
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import EventMode, Role
from unkonf.events.models import Day, Event
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest, Proposal
from unkonf.scheduling.enums import SlotKind, SuggestionScope, SuggestionState
from unkonf.scheduling.models import GridChange, Schedule, ScheduleEntry, Suggestion, TimeSlot
from unkonf.scheduling.services.grid import place_entry, set_pinned
from unkonf.venues.enums import Equipment
from unkonf.venues.models import Room

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

T = datetime.time
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Camp:
    event: Event
    day: Day
    other_day: Day
    moderator: User
    rooms: list[Room]
    slots: list[TimeSlot]  # 10:00, 11:00, 12:00 lunch, 13:00 (blocked), on the first day
    proposals: list[Proposal]  # pitched, "Session 0" … "Session 3"


@pytest.fixture
def camp(db: None) -> Camp:
    moderator = UserFactory(name="Mo Derator", language="en")
    event = EventFactory(name="Barcamp Raster", slug="raster", days=2)
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    day, other_day = event.days.order_by("date")
    rooms = [
        RoomFactory(event=event, name="Saal", capacity=80, position=0, equipment=[]),
        RoomFactory(
            event=event,
            name="Raum B",
            capacity=2,
            position=1,
            equipment=[Equipment.PROJECTOR.value],
            video_url="https://meet.example.org/raum-b",
        ),
    ]
    slots = [
        TimeSlotFactory(day=day, start_time=T(10, 0)),
        TimeSlotFactory(day=day, start_time=T(11, 0)),
        TimeSlotFactory(day=day, start_time=T(12, 0), kind=SlotKind.BREAK, title="Mittagessen"),
        TimeSlotFactory(
            day=day, start_time=T(13, 0), is_blocked=True, blocked_reason="Podium im Saal"
        ),
    ]
    proposals = []
    for i in range(4):
        host = RegistrationFactory(event=event, user=UserFactory(name=f"Host {i}")).user
        proposals.append(
            ProposalFactory(
                event=event, host=host, state=ProposalState.PITCHED, title=f"Session {i}"
            )
        )
    return Camp(event, day, other_day, moderator, rooms, slots, proposals)


@pytest.fixture
def mod(client: CheckedClient, camp: Camp) -> CheckedClient:
    client.force_login(camp.moderator)
    return client


def day_path(camp: Camp, name: str = "scheduling:grid-day", day: Day | None = None) -> str:
    return en(name, slug=camp.event.slug, pk=(day or camp.day).pk)


def place(camp: Camp, proposal: Proposal, room: int, slot: int, *, version: int = 0) -> None:
    place_entry(
        proposal,
        room=camp.rooms[room],
        slot=camp.slots[slot],
        actor=camp.moderator,
        expected_version=version,
    )


def places() -> dict[str, tuple[str, str]]:
    return {
        e.proposal.title: (e.room.name, f"{e.slot.start.astimezone(e.event.zone):%H:%M}")
        for e in ScheduleEntry.objects.select_related("proposal", "room", "slot", "event")
    }


def feedback(response: HttpResponse) -> tuple[str, str]:
    """The outcome a script reads from the state: (text, "1" done / "0" refused)."""
    tags = Page(response.content.decode()).tags
    state = next(attrs for tag, attrs in tags if "data-grid-state" in attrs)
    return state.get("data-feedback") or "", state.get("data-feedback-ok") or ""


def form_data(camp: Camp, proposal: Proposal, room: int, slot: int, **extra: Any) -> dict[str, Any]:
    return {
        "proposal": proposal.pk,
        "room": camp.rooms[room].pk,
        "slot": camp.slots[slot].pk,
        "expected_version": 0,
        **extra,
    }


# --- The page -----------------------------------------------------------------------------------


def test_grid_start_redirects_to_the_first_day(mod: CheckedClient, camp: Camp) -> None:
    response = mod.get(en("scheduling:grid", slug=camp.event.slug))

    assert (response.status_code, response["Location"]) == (302, day_path(camp))


def test_grid_start_redirects_to_today_during_the_barcamp(mod: CheckedClient, camp: Camp) -> None:
    Day.objects.filter(pk=camp.other_day.pk).update(date=timezone.localdate())

    response = mod.get(en("scheduling:grid", slug=camp.event.slug))

    assert response["Location"] == day_path(camp, day=camp.other_day)


def test_grid_start_without_days_says_what_is_missing(mod: CheckedClient, camp: Camp) -> None:
    Day.objects.filter(event=camp.event).delete()

    response = mod.get(en("scheduling:grid", slug=camp.event.slug))

    assert response.status_code == 200
    assert "This barcamp has no days yet, so there is no grid to fill." in text(response)


def test_grid_day_shows_rooms_times_breaks_blocked_slots_and_the_backlog(
    mod: CheckedClient, camp: Camp
) -> None:
    p0, p1, *_rest = camp.proposals
    p1.slots, p1.mode, p1.needs = 2, EventMode.HYBRID, [Equipment.PROJECTOR.value]
    p1.save()
    Interest.objects.create(event=camp.event, proposal=p0, user=camp.moderator)
    Proposal.objects.filter(pk=p0.pk).update(interest_count=1)
    place(camp, p0, 0, 0)

    response = mod.get(day_path(camp))

    assert response.status_code == 200
    page = text(response)
    headers = re.findall(
        r'<th scope="col" class="grid-room">(.*?)</th>', response.content.decode(), re.S
    )
    assert [Page(h).text for h in headers] == [
        "Saal 80 seats",
        "Raum B 2 seats Projector ▶ video link",
    ]
    assert "12:00–12:45 Mittagessen Mittagessen" in page  # the row: time, title, one wide cell
    assert "13:00–13:45 ⊘ Blocked: Podium im Saal" in page
    backlog = page[page.index("Backlog (3)") : page.index("Publication")]
    assert "Session 1 0 interested · Host 1 Hybrid · 2 slots · needs: Projector" in backlog
    assert "Session 0" not in backlog
    assert "Session 0 Host 0 · 1 interested" in page  # in the grid
    assert "1 in the grid 3 in the backlog 0 missed wishes" in page
    assert "Not published" in page
    tabs = re.findall(r'<nav class="grid-days".*?</nav>', response.content.decode(), re.S)[0]
    assert 'aria-current="page"' in tabs
    assert en("scheduling:grid-day", slug="raster", pk=camp.other_day.pk) in tabs


def test_grid_day_two_slot_session_spans_two_rows(mod: CheckedClient, camp: Camp) -> None:
    p0 = camp.proposals[0]
    p0.slots = 2
    p0.save()
    place(camp, p0, 1, 0)

    body = mod.get(day_path(camp)).content.decode()

    rows = re.findall(r'<tr class="grid-row grid-row-session.*?</tr>', body, re.S)
    first_row_cells = re.findall(r"<td ", rows[0])
    second_row_cells = re.findall(
        r'<td class="grid-cell[^"]*" data-cell data-room="(\d+)"', rows[1]
    )
    assert len(first_row_cells) == 2
    assert 'rowspan="2"' in rows[0]
    assert second_row_cells == [str(camp.rooms[0].pk)]  # Raum B's cell is covered


def test_grid_day_shows_warnings_as_text(mod: CheckedClient, camp: Camp) -> None:
    p0 = camp.proposals[0]
    p0.mode, p0.needs = EventMode.ONLINE, [Equipment.PROJECTOR.value]
    p0.interest_count = 5
    p0.save()
    place(camp, p0, 0, 0)  # Saal: no projector, no video link

    page = text(mod.get(day_path(camp)))

    assert "⚠ The room lacks: Projector." in page
    assert "⚠ An online session, but the room has no video link." in page


def test_grid_day_of_another_barcamp_is_404(mod: CheckedClient, camp: Camp) -> None:
    other = EventFactory(slug="anderswo")

    response = mod.get(en("scheduling:grid-day", slug="raster", pk=other.days.get().pk))

    assert response.status_code == 404


@pytest.mark.parametrize("role", [None, Role.TIMEKEEPER, Role.PARTICIPANT])
def test_grid_pages_are_404_for_people_who_do_not_moderate(
    client: CheckedClient, camp: Camp, role: Role | None
) -> None:
    user = UserFactory()
    if role is not None:
        EventRoleFactory(event=camp.event, user=user, role=role)
    client.force_login(user)

    statuses = [
        client.get(day_path(camp)).status_code,
        client.get(day_path(camp, "scheduling:grid-state")).status_code,
        client.post(
            day_path(camp, "scheduling:grid-place"), form_data(camp, camp.proposals[0], 0, 0)
        ).status_code,
        client.post(day_path(camp, "scheduling:grid-publish"), {"action": "publish"}).status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert ScheduleEntry.objects.count() == 0


def test_organiser_may_edit_the_grid(client: CheckedClient, camp: Camp) -> None:
    organiser = UserFactory()
    EventRoleFactory(event=camp.event, user=organiser, role=Role.ORGANISER)
    client.force_login(organiser)

    response = client.post(
        day_path(camp, "scheduling:grid-place"), form_data(camp, camp.proposals[0], 0, 0)
    )

    assert response.status_code == 302
    assert places() == {"Session 0": ("Saal", "10:00")}


def test_grid_state_is_the_editors_state_as_a_fragment(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 1)

    response = mod.get(day_path(camp, "scheduling:grid-state"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.startswith(
        '<div class="grid-state" id="grid-state" data-grid-state data-version="1"'
    )
    assert "Session 0" in body


def test_grid_day_page_makes_as_many_queries_for_three_entries_as_for_one(
    mod: CheckedClient, camp: Camp
) -> None:
    place(camp, camp.proposals[0], 0, 0)
    mod.get(day_path(camp))  # sessions, caches
    with CaptureQueriesContext(connection) as one:
        mod.get(day_path(camp))
    place(camp, camp.proposals[1], 1, 0)
    place(camp, camp.proposals[2], 0, 1)
    with CaptureQueriesContext(connection) as three:
        response = mod.get(day_path(camp))

    assert "Session 2" in text(response)
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]


# --- Changes with a plain form (no script) ------------------------------------------------------


def test_place_with_a_plain_form_places_and_goes_back_to_the_day(
    mod: CheckedClient, camp: Camp
) -> None:
    response = mod.post(
        day_path(camp, "scheduling:grid-place"), form_data(camp, camp.proposals[0], 1, 1)
    )

    assert (response.status_code, response["Location"]) == (302, day_path(camp))
    assert places() == {"Session 0": ("Raum B", "11:00")}
    page = mod.get(response["Location"])
    assert messages_of(page) == ["“Session 0” is now in Raum B, " + _short(camp.slots[1]) + "."]


def _short(slot: TimeSlot) -> str:
    local = slot.start.astimezone(slot.event.zone)
    return f"{local:%a} {local.day}.{local.month}. {local:%H:%M}"


def test_place_into_a_taken_cell_is_refused_with_a_message_and_nothing_changes(
    mod: CheckedClient, camp: Camp
) -> None:
    place(camp, camp.proposals[0], 0, 0)

    response = mod.post(
        day_path(camp, "scheduling:grid-place"), form_data(camp, camp.proposals[1], 0, 0)
    )

    assert response.status_code == 302
    assert places() == {"Session 0": ("Saal", "10:00")}
    assert messages_of(mod.get(response["Location"])) == [
        f"Saal, {_short(camp.slots[0])} is already taken by “Session 0”. Nothing has been changed."
    ]


def test_place_with_a_stale_version_is_refused(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)  # someone else placed it; this page saw the backlog

    response = mod.post(
        day_path(camp, "scheduling:grid-place"),
        form_data(camp, camp.proposals[0], 1, 1, expected_version=0),
        **HTMX,
    )

    assert response.status_code == 409
    assert feedback(response) == (
        "“Session 0” has been changed by someone else in the meantime. "
        "The grid now shows the current state; nothing has been changed.",
        "0",
    )
    assert places() == {"Session 0": ("Saal", "10:00")}


def test_swap_with_a_plain_form_exchanges_two_sessions(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)
    place(camp, camp.proposals[1], 1, 1)

    response = mod.post(
        day_path(camp, "scheduling:grid-place"),
        form_data(camp, camp.proposals[0], 1, 1, expected_version=1, swap="1"),
    )

    assert response.status_code == 302
    assert places() == {"Session 0": ("Raum B", "11:00"), "Session 1": ("Saal", "10:00")}
    assert messages_of(mod.get(response["Location"])) == [
        "“Session 0” and “Session 1” have swapped places."
    ]


def test_swap_from_the_backlog_sends_the_occupant_back(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)

    response = mod.post(
        day_path(camp, "scheduling:grid-place"),
        form_data(camp, camp.proposals[1], 0, 0, swap="1"),
        **HTMX,
    )

    assert feedback(response) == (
        f"“Session 1” is now in Saal, {_short(camp.slots[0])}; “Session 0” is back in the backlog.",
        "1",
    )
    assert places() == {"Session 1": ("Saal", "10:00")}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"room": "", "slot": ""}, "Please choose a room and a time for the session."),
        ({"room": "abc"}, "Please choose a room and a time for the session."),
        ({"expected_version": "-1"}, "Please choose a room and a time for the session."),
        ({"slot": "99999999999999999999"}, "Please choose a room and a time for the session."),
    ],
)
def test_place_with_bad_input_is_400_with_the_message(
    mod: CheckedClient, camp: Camp, data: dict[str, str], expected: str
) -> None:
    response = mod.post(
        day_path(camp, "scheduling:grid-place"),
        {**form_data(camp, camp.proposals[0], 0, 0), **data},
    )

    assert response.status_code == 400
    assert form_errors(response) == [expected]
    assert "Session 0" in text(response)  # the editor, with everything on it
    assert ScheduleEntry.objects.count() == 0


def test_place_with_bad_input_from_a_script_answers_the_state_with_400(
    mod: CheckedClient, camp: Camp
) -> None:
    response = mod.post(day_path(camp, "scheduling:grid-place"), {"proposal": "x"}, **HTMX)

    assert response.status_code == 400
    assert feedback(response) == ("Please choose a room and a time for the session.", "0")


def test_place_into_a_break_is_refused(mod: CheckedClient, camp: Camp) -> None:
    response = mod.post(
        day_path(camp, "scheduling:grid-place"), form_data(camp, camp.proposals[0], 0, 2), **HTMX
    )

    assert response.status_code == 409
    assert feedback(response)[0] == "12:00–12:45 is not a session slot (Break)."


def test_place_with_a_room_of_another_barcamp_is_404(mod: CheckedClient, camp: Camp) -> None:
    foreign = RoomFactory(event=EventFactory())

    response = mod.post(
        day_path(camp, "scheduling:grid-place"),
        {**form_data(camp, camp.proposals[0], 0, 0), "room": foreign.pk},
    )

    assert response.status_code == 404
    assert ScheduleEntry.objects.count() == 0


# --- Changes from the script (HX-Request): the state comes back ----------------------------------


def test_place_from_a_script_answers_the_new_state_with_feedback(
    mod: CheckedClient, camp: Camp
) -> None:
    response = mod.post(
        day_path(camp, "scheduling:grid-place"), form_data(camp, camp.proposals[0], 0, 1), **HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-version="1"' in body
    assert feedback(response) == (f"“Session 0” is now in Saal, {_short(camp.slots[1])}.", "1")
    assert "Undo my last change" in body


def test_unplace_takes_the_session_back_to_the_backlog(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)

    response = mod.post(
        day_path(camp, "scheduling:grid-unplace"),
        {"proposal": camp.proposals[0].pk, "expected_version": 1},
        **HTMX,
    )

    assert feedback(response) == ("“Session 0” is back in the backlog.", "1")
    assert places() == {}
    assert Proposal.objects.get(pk=camp.proposals[0].pk).state == ProposalState.PITCHED


def test_unplace_with_a_stale_version_is_refused(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)
    set_pinned(camp.proposals[0], pinned=True, actor=camp.moderator, expected_version=1)

    response = mod.post(
        day_path(camp, "scheduling:grid-unplace"),
        {"proposal": camp.proposals[0].pk, "expected_version": 1},
    )

    assert response.status_code == 302
    assert places() == {"Session 0": ("Saal", "10:00")}
    assert "has been changed by someone else" in messages_of(mod.get(response["Location"]))[0]


def test_pin_and_release_a_session(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)
    path = day_path(camp, "scheduling:grid-pin")
    pk = camp.proposals[0].pk

    pinned = mod.post(path, {"proposal": pk, "expected_version": 1, "pinned": "1"}, **HTMX)
    released = mod.post(path, {"proposal": pk, "expected_version": 2, "pinned": "0"}, **HTMX)

    assert feedback(pinned) == ("“Session 0” is pinned: the planner leaves it where it is.", "1")
    assert "⚑ Pinned" in text(pinned)
    assert feedback(released) == ("“Session 0” is no longer pinned.", "1")
    assert ScheduleEntry.objects.get().pinned is False


def test_pin_of_a_session_in_the_backlog_is_refused(mod: CheckedClient, camp: Camp) -> None:
    response = mod.post(
        day_path(camp, "scheduling:grid-pin"),
        {"proposal": camp.proposals[0].pk, "expected_version": 0, "pinned": "1"},
        **HTMX,
    )

    assert response.status_code == 409
    assert feedback(response) == ("Only a session in the grid can be pinned.", "0")


def test_pin_with_bad_input_is_400(mod: CheckedClient, camp: Camp) -> None:
    response = mod.post(
        day_path(camp, "scheduling:grid-pin"),
        {"proposal": camp.proposals[0].pk, "expected_version": 0, "pinned": "maybe"},
    )

    assert response.status_code == 400
    assert form_errors(response) == ["Please choose a session."]


def test_undo_takes_back_the_moderators_last_change(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)
    place(camp, camp.proposals[0], 1, 1, version=1)

    response = mod.post(day_path(camp, "scheduling:grid-undo"), **HTMX)

    assert feedback(response) == ("Your last change has been undone.", "1")
    assert places() == {"Session 0": ("Saal", "10:00")}


def test_undo_with_nothing_to_undo_is_refused(mod: CheckedClient, camp: Camp) -> None:
    response = mod.post(day_path(camp, "scheduling:grid-undo"))

    assert response.status_code == 302
    page = mod.get(response["Location"])
    assert messages_of(page) == ["There is nothing of yours to undo."]
    assert "Nothing of yours to undo." in text(page)


def test_undo_after_someone_else_changed_it_is_refused(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)
    other = UserFactory(name="Otto Other")
    EventRoleFactory(event=camp.event, user=other, role=Role.MODERATOR)
    place_entry(
        camp.proposals[0], room=camp.rooms[1], slot=camp.slots[1], actor=other, expected_version=1
    )

    response = mod.post(day_path(camp, "scheduling:grid-undo"), **HTMX)

    assert response.status_code == 409
    assert feedback(response)[0].startswith("This cannot be undone")
    assert places() == {"Session 0": ("Raum B", "11:00")}


# --- Publishing ---------------------------------------------------------------------------------


def test_publish_and_withdraw_the_plan(mod: CheckedClient, camp: Camp) -> None:
    place(camp, camp.proposals[0], 0, 0)
    path = day_path(camp, "scheduling:grid-publish")

    published = mod.post(path, {"action": "publish"})
    page = mod.get(published["Location"])

    assert Schedule.objects.get(event=camp.event).is_published
    assert messages_of(page) == [
        "The plan is published. From now on every change is live for everyone."
    ]
    assert "✓ Published since" in text(page)
    assert "Withdraw publication" in text(page)

    unconfirmed = mod.post(path, {"action": "unpublish"}, **HTMX)
    assert unconfirmed.status_code == 400
    assert feedback(unconfirmed) == (
        "Please confirm that participants and hallway screens will no longer see the plan.",
        "0",
    )
    assert Schedule.objects.get(event=camp.event).is_published
    withdrawn = mod.post(path, {"action": "unpublish", "confirm": "1"}, **HTMX)

    assert feedback(withdrawn) == (
        "The plan is no longer published. Only moderators see the grid.",
        "1",
    )
    assert not Schedule.objects.get(event=camp.event).is_published
    assert list(
        AuditLogEntry.objects.filter(action__startswith="grid.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["grid.place", "grid.published", "grid.unpublished"]


def test_publish_an_empty_grid_is_refused(mod: CheckedClient, camp: Camp) -> None:
    response = mod.post(day_path(camp, "scheduling:grid-publish"), {"action": "publish"}, **HTMX)

    assert response.status_code == 409
    assert feedback(response) == ("The grid is empty: place at least one session first.", "0")


def test_publish_with_an_unknown_action_is_400(mod: CheckedClient, camp: Camp) -> None:
    response = mod.post(day_path(camp, "scheduling:grid-publish"), {"action": "explode"})

    assert response.status_code == 400
    assert form_errors(response) == ["Unknown action."]


# --- Suggestions --------------------------------------------------------------------------------


def suggest(client: CheckedClient, camp: Camp, capture: Any, **changes: Any) -> HttpResponse:
    data = {"scope": SuggestionScope.REMAINING, "day": camp.day.pk, "time_budget": "1", **changes}
    with capture(execute=True):  # the planner runs on commit (UNKONF_PLAN_INLINE)
        return client.post(en("scheduling:grid-suggest", slug=camp.event.slug), data)


def suggestion_path(
    camp: Camp, suggestion: Suggestion, name: str = "scheduling:grid-suggestion"
) -> str:
    return en(name, slug=camp.event.slug, pk=suggestion.pk)


def test_suggest_plans_shows_the_preview_and_apply_fills_the_grid(
    mod: CheckedClient, camp: Camp, django_capture_on_commit_callbacks: Any
) -> None:
    for proposal in camp.proposals[:3]:
        Interest.objects.create(event=camp.event, proposal=proposal, user=camp.moderator)
    place(camp, camp.proposals[3], 0, 0)

    response = suggest(mod, camp, django_capture_on_commit_callbacks)

    suggestion = Suggestion.objects.get()
    assert response["Location"] == suggestion_path(camp, suggestion)
    assert suggestion.state == SuggestionState.READY
    page = mod.get(response["Location"])
    body = text(page)
    assert "What the suggestion changes" in body
    # Someone wants sessions 0, 1 and 2, but only two slots are free: one wish is missed
    assert "Missed wishes 0 1 Overflow 0 0" in body
    assert (
        "1 of the missed wishes no grid could avoid: everyone can attend only one session per "
        "slot. Of all 3 wishes, 33.3 % are missed with this suggestion, and at least 33.3 % "
        "would be with any grid."
    ) in body
    moves = re.findall(r'<ul class="suggestion-moves">(.*?)</ul>', page.content.decode(), re.S)
    assert len(re.findall("<li>", moves[0])) == 3
    assert "from the backlog → to " in Page(moves[0]).text
    assert "3 sessions move or are placed." in body
    assert "The planner placed 3 sessions." in body
    assert "The suggested grid" in body
    assert ScheduleEntry.objects.count() == 1  # nothing changed yet

    applied = mod.post(suggestion_path(camp, suggestion, "scheduling:grid-suggestion-apply"))

    assert applied["Location"] == day_path(camp)
    assert ScheduleEntry.objects.count() == 4
    assert messages_of(mod.get(applied["Location"])) == [
        "The suggestion has been applied: 3 sessions changed place. "
        "“Undo my last change” takes it back in one step."
    ]
    assert GridChange.objects.filter(action="suggestion").count() == 1
    # one step back
    mod.post(day_path(camp, "scheduling:grid-undo"))
    assert places() == {"Session 3": ("Saal", "10:00")}


def test_suggest_with_bad_input_shows_the_form_again_with_400(
    mod: CheckedClient, camp: Camp, django_capture_on_commit_callbacks: Any
) -> None:
    response = suggest(mod, camp, django_capture_on_commit_callbacks, time_budget="0")

    assert response.status_code == 400
    assert field_errors(response) == {
        "time_budget": ["Ensure this value is greater than or equal to 1."]
    }
    assert Suggestion.objects.count() == 0


def test_suggest_the_rest_of_a_day_needs_the_day(
    mod: CheckedClient, camp: Camp, django_capture_on_commit_callbacks: Any
) -> None:
    response = suggest(
        mod, camp, django_capture_on_commit_callbacks, scope=SuggestionScope.REST_OF_DAY, day=""
    )

    assert response.status_code == 400
    assert field_errors(response) == {"day": ["Please choose the day to re-plan."]}


def test_suggest_page_shows_the_form(mod: CheckedClient, camp: Camp) -> None:
    response = mod.get(en("scheduling:grid-suggest", slug="raster") + f"?day={camp.day.pk}")

    assert response.status_code == 200
    assert re.search(rf'<option value="{camp.day.pk}" selected>', response.content.decode())


def _running(camp: Camp, **fields: Any) -> Suggestion:
    return Suggestion.objects.create(
        event=camp.event,
        created_by=camp.moderator,
        scope=SuggestionScope.ALL,
        day=camp.day,
        time_budget=10,
        **fields,
    )


def test_suggestion_progress_shows_the_elapsed_time_and_the_best_so_far(
    mod: CheckedClient, camp: Camp
) -> None:
    suggestion = _running(camp, progress=0.4, figures={"missed": 3, "overflow": 1})

    response = mod.get(suggestion_path(camp, suggestion, "scheduling:grid-suggestion-state"))

    body = response.content.decode()
    assert "<html" not in body
    assert 'data-state="running"' in body
    assert '<progress id="suggestion-progress" max="100" value="40">' in body
    assert "Best so far: 3 missed wishes, overflow 1." in text(response)
    assert "of 10 seconds" in text(response)


def test_suggestion_that_died_is_shown_as_failed(mod: CheckedClient, camp: Camp) -> None:
    suggestion = _running(camp)
    Suggestion.objects.filter(pk=suggestion.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    response = mod.get(suggestion_path(camp, suggestion))

    assert "The planner could not finish The planner was interrupted." in text(response)
    assert 'data-state="failed"' in response.content.decode()


def test_suggestion_that_failed_shows_its_error(mod: CheckedClient, camp: Camp) -> None:
    suggestion = _running(camp, state=SuggestionState.FAILED, error="The planner failed.")

    response = mod.get(suggestion_path(camp, suggestion))

    assert "The planner could not finish The planner failed." in text(response)


def test_suggestion_outdated_by_a_change_cannot_be_applied(
    mod: CheckedClient, camp: Camp, django_capture_on_commit_callbacks: Any
) -> None:
    suggest(mod, camp, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get()
    place(camp, camp.proposals[0], 0, 0)  # someone changes the grid meanwhile

    page = mod.get(suggestion_path(camp, suggestion))
    response = mod.post(suggestion_path(camp, suggestion, "scheduling:grid-suggestion-apply"))

    assert "so it can no longer be applied" in text(page)
    assert "Apply" not in re.findall(r"<button[^>]*>(.*?)</button>", page.content.decode())
    assert response["Location"] == suggestion_path(camp, suggestion)
    assert messages_of(mod.get(response["Location"]))[0].startswith(
        "The grid has changed since this suggestion was made."
    )
    assert places() == {"Session 0": ("Saal", "10:00")}


def test_suggestion_discard_leaves_the_grid_as_it_is(
    mod: CheckedClient, camp: Camp, django_capture_on_commit_callbacks: Any
) -> None:
    suggest(mod, camp, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get()

    response = mod.post(suggestion_path(camp, suggestion, "scheduling:grid-suggestion-discard"))

    assert response["Location"] == day_path(camp)
    assert messages_of(mod.get(response["Location"])) == [
        "The suggestion has been discarded. The grid is unchanged."
    ]
    assert Suggestion.objects.get().state == SuggestionState.DISCARDED
    assert ScheduleEntry.objects.count() == 0
    assert "This suggestion has been discarded." in text(mod.get(suggestion_path(camp, suggestion)))


def test_suggestion_of_another_barcamp_is_404(mod: CheckedClient, camp: Camp) -> None:
    other = EventFactory()
    foreign = Suggestion.objects.create(event=other, scope=SuggestionScope.ALL)

    response = mod.get(en("scheduling:grid-suggestion", slug="raster", pk=foreign.pk))

    assert response.status_code == 404
