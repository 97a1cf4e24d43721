"""The timekeeper's page and its buttons, and the countdown on a session's page, through
Django's test client (under ``/en/``)."""

from __future__ import annotations

import datetime
import re
import zoneinfo
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
from tests.pages import CheckedClient, Page, en, messages_of, text
from unkonf.accounts.models import User
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import Role
from unkonf.events.models import Event
from unkonf.proposals.enums import ProposalState
from unkonf.scheduling.models import SlotTimer, TimeSlot
from unkonf.scheduling.services.grid import place_entry, publish_schedule
from unkonf.scheduling.services.timer import start_slot

pytestmark = pytest.mark.integration

MIN = datetime.timedelta(minutes=1)
T = datetime.time


@pytest.fixture
def moderator(db: None) -> User:
    return UserFactory(name="Mo Derator", language="en")


@pytest.fixture
def event(moderator: User) -> Event:
    event = EventFactory(
        name="Barcamp Zeit",
        slug="zeit",
        days=[datetime.date(2027, 3, 4), datetime.date(2027, 3, 5)],
    )
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    return event


@pytest.fixture
def camp(event: Event) -> dict[str, Any]:
    day, second_day = event.days.order_by("date")
    saal = RoomFactory(event=event, name="Saal", position=0)
    raum_b = RoomFactory(event=event, name="Raum B", position=1)
    slots = [
        TimeSlotFactory(day=day, start_time=T(10, 0)),
        TimeSlotFactory(day=day, start_time=T(11, 0)),
    ]
    later = TimeSlotFactory(day=second_day, start_time=T(9, 30))
    return {"day": day, "second_day": second_day, "saal": saal, "raum_b": raum_b, "slots": slots,
            "later": later}  # fmt: skip


@pytest.fixture
def mod_client(client: CheckedClient, moderator: User) -> CheckedClient:
    client.force_login(moderator)
    return client


def page_path(event: Event, day: Any = None) -> str:
    path = en("scheduling:timekeeper", slug=event.slug)
    return f"{path}?day={day.pk}" if day is not None else path


def control_path(slot: TimeSlot) -> str:
    return en("scheduling:timer-control", slug=slot.event.slug, pk=slot.pk)


def local(moment: datetime.datetime) -> str:
    """The time as the barcamp's pages show it (Europe/Berlin)."""
    return moment.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).strftime("%H:%M")


def headings(response: HttpResponse, level: str) -> list[str]:
    body = response.content.decode()
    return [Page(h).text for h in re.findall(rf"<{level}\b.*?</{level}>", body, re.S)]


def button_texts(response: HttpResponse) -> list[str]:
    """What each button says (to a screen reader: the hidden part included)."""
    body = response.content.decode()
    return [
        Page(button).text.replace(" :", ":")
        for button in re.findall(r"<button\b.*?</button>", body, re.S)
    ]


HTMX = {"HTTP_HX_REQUEST": "true"}


# --- the page -----------------------------------------------------------------------------------


def test_timekeeper_page_lists_the_days_slots_with_controls_and_rooms(
    mod_client: CheckedClient, event: Event, camp: dict[str, Any]
) -> None:
    response = mod_client.get(page_path(event, camp["day"]))

    assert response.status_code == 200
    assert headings(response, "h1") == ["Timekeeper"]
    assert headings(response, "h2") == ["10:00–10:45", "11:00–11:45"]
    assert headings(response, "h3") == ["Saal", "Raum B", "Saal", "Raum B"]
    page = text(response)
    assert "Not started" in page
    assert "Planned 10:00–10:45" in page
    assert page.count("2 rooms one by one") == 2
    buttons = button_texts(response)
    assert "Start: 10:00–10:45 (all rooms)" in buttons
    assert "Extend: 11:00–11:45 in Raum B" in buttons
    assert "End: 10:00–10:45 in Saal" in buttons
    body = response.content.decode()
    assert f'href="{en("scheduling:timekeeper", slug=event.slug)}" aria-current="page"' in body
    first = camp["slots"][0]
    assert f'data-countdown data-slot="{first.pk}" data-room=""' in body
    assert f'data-countdown data-slot="{first.pk}" data-room="{camp["saal"].pk}"' in body
    assert 'data-stream="event.' in body


def test_timekeeper_page_shows_the_chosen_day(
    mod_client: CheckedClient, event: Event, camp: dict[str, Any]
) -> None:
    response = mod_client.get(page_path(event, camp["second_day"]))

    assert headings(response, "h2") == ["09:30–10:15"]
    assert "Friday, March 5, 2027" in text(response)


@pytest.mark.parametrize("day", ["abc", "0", "999999"])
def test_timekeeper_page_with_an_unknown_day_is_404(
    mod_client: CheckedClient, event: Event, camp: dict[str, Any], day: str
) -> None:
    response = mod_client.get(f"{page_path(event)}?day={day}")

    assert response.status_code == 404


def test_timekeeper_page_of_another_barcamps_day_is_404(
    mod_client: CheckedClient, event: Event
) -> None:
    other_day = EventFactory().days.get()

    response = mod_client.get(page_path(event, other_day))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["participant", "stranger"])
def test_timekeeper_page_is_404_for_everybody_but_the_team(
    client: CheckedClient, event: Event, camp: dict[str, Any], who: str
) -> None:
    user = {
        "participant": lambda: RegistrationFactory(event=event).user,
        "stranger": UserFactory,
    }[who]()
    client.force_login(user)

    get = client.get(page_path(event))
    post = client.post(control_path(camp["slots"][0]), {"action": "start"})

    assert (get.status_code, post.status_code) == (404, 404)
    assert not SlotTimer.objects.exists()


def test_timekeeper_role_keeps_the_time_and_sees_only_its_page_in_the_menu(
    client: CheckedClient, event: Event, camp: dict[str, Any]
) -> None:
    client.force_login(EventRoleFactory(event=event, role=Role.TIMEKEEPER).user)

    page = client.get(page_path(event))
    post = client.post(control_path(camp["slots"][0]), {"action": "start"})

    assert page.status_code == 200
    body = page.content.decode()
    assert en("scheduling:timekeeper", slug=event.slug) in body
    assert en("proposals:manage-pitch", slug=event.slug) not in body  # would be 404 for them
    assert en("events:manage-announcements", slug=event.slug) not in body
    assert post.status_code == 302
    assert SlotTimer.objects.get(slot=camp["slots"][0], room=None).started_at is not None


def test_timekeeper_page_asks_anonymous_visitors_to_log_in(
    client: CheckedClient, event: Event
) -> None:
    response = client.get(page_path(event))

    assert response.status_code == 302
    assert response["Location"].startswith(en("account_login"))


def test_timekeeper_page_with_htmx_answers_the_board_alone(
    mod_client: CheckedClient, event: Event, camp: dict[str, Any]
) -> None:
    response = mod_client.get(page_path(event, camp["day"]), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.startswith('<div class="timekeeper-board" id="timekeeper-board"')
    assert "HX-Request" in response["Vary"]


def test_timekeeper_page_asks_the_database_as_often_for_one_slot_as_for_many(
    mod_client: CheckedClient, event: Event, moderator: User, camp: dict[str, Any]
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert mod_client.get(page_path(event, camp["second_day"])).status_code == 200
        return len(captured)

    start_slot(camp["later"], actor=moderator)
    one = queries()
    for hour in (11, 12, 13):
        slot = TimeSlotFactory(day=camp["second_day"], start_time=T(hour, 0))
        start_slot(slot, room=camp["saal"], actor=moderator)

    assert queries() == one


# --- the buttons without JavaScript ---------------------------------------------------------------


def test_start_posts_and_comes_back_with_a_message(
    mod_client: CheckedClient, event: Event, camp: dict[str, Any]
) -> None:
    slot = camp["slots"][0]

    response = mod_client.post(control_path(slot), {"action": "start"})

    timer = SlotTimer.objects.get(slot=slot, room=None)
    assert response.status_code == 302
    assert response["Location"] == f"{page_path(event, camp['day'])}#slot-{slot.pk}"
    follow = mod_client.get(response["Location"])
    assert messages_of(follow) == [
        f"10:00–10:45 (all rooms) has started. It ends at {local(timer.ends_at)}."
    ]
    assert f"Running, ends at {local(timer.ends_at)}" in text(follow)
    assert "Start again: 10:00–10:45 (all rooms)" in button_texts(follow)


def test_start_for_one_room(mod_client: CheckedClient, camp: dict[str, Any]) -> None:
    slot, saal = camp["slots"][1], camp["saal"]

    response = mod_client.post(control_path(slot), {"action": "start", "room": str(saal.pk)})

    assert response.status_code == 302
    assert list(SlotTimer.objects.values_list("slot_id", "room_id")) == [(slot.pk, saal.pk)]
    follow = mod_client.get(response["Location"])
    assert messages_of(follow)[0].startswith("11:00–11:45 in Saal has started.")
    assert "own clock" in text(follow)


def test_extend_by_minutes(
    mod_client: CheckedClient, moderator: User, camp: dict[str, Any]
) -> None:
    slot = camp["slots"][0]
    started = start_slot(slot, actor=moderator)

    response = mod_client.post(control_path(slot), {"action": "extend", "minutes": "5"})

    timer = SlotTimer.objects.get(pk=started.pk)
    assert response.status_code == 302
    assert timer.ends_at == started.ends_at + 5 * MIN
    assert messages_of(mod_client.get(response["Location"])) == [
        f"10:00–10:45 (all rooms) is extended by 5 min. It now ends at {local(timer.ends_at)}."
    ]


def test_end(mod_client: CheckedClient, moderator: User, camp: dict[str, Any]) -> None:
    slot = camp["slots"][0]
    start_slot(slot, actor=moderator)

    response = mod_client.post(control_path(slot), {"action": "end"})

    timer = SlotTimer.objects.get(slot=slot)
    assert timer.ended_at is not None
    follow = mod_client.get(response["Location"])
    assert messages_of(follow) == ["10:00–10:45 (all rooms) has ended: time to change rooms."]
    assert f"Ended at {local(timer.ended_at)}" in text(follow)


@pytest.mark.parametrize("minutes", ["", "abc", "0", "61", "5.5", "-3", "99999"])
def test_extend_with_bad_minutes_is_400_with_a_message_and_changes_nothing(
    mod_client: CheckedClient, moderator: User, camp: dict[str, Any], minutes: str
) -> None:
    slot = camp["slots"][0]
    started = start_slot(slot, actor=moderator)

    response = mod_client.post(control_path(slot), {"action": "extend", "minutes": minutes})

    assert response.status_code == 400
    assert messages_of(response) == [
        "Please enter the minutes to extend by: a whole number from 1 to 60."
    ]
    assert headings(response, "h1") == ["Timekeeper"]
    field = next(
        a
        for t, a in Page(response.content.decode()).tags
        if a.get("id") == f"minutes-{slot.pk}-all"
    )
    assert (field["value"], field["aria-invalid"]) == (minutes, "true")  # as typed, marked
    timer = SlotTimer.objects.get(pk=started.pk)
    assert (timer.ends_at, timer.version) == (started.ends_at, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "pause"}, "Please choose: start, extend or end."),
        ({}, "Please choose: start, extend or end."),
        ({"action": "start", "room": "abc"}, "Please choose a room of this barcamp."),
        ({"action": "extend", "minutes": "5"}, "This clock is not running. Start it first."),
        ({"action": "end"}, "This clock is not running. Start it first."),
    ],
)
def test_bad_input_is_400_with_a_message(
    mod_client: CheckedClient, camp: dict[str, Any], data: dict[str, str], message: str
) -> None:
    response = mod_client.post(control_path(camp["slots"][0]), data)

    assert response.status_code == 400
    assert messages_of(response) == [message]
    assert not SlotTimer.objects.exists()
    assert not AuditLogEntry.objects.filter(action__startswith="timer.").exists()


def test_a_room_of_another_barcamp_is_refused(
    mod_client: CheckedClient, camp: dict[str, Any]
) -> None:
    other_room = RoomFactory(event=EventFactory())

    response = mod_client.post(
        control_path(camp["slots"][0]), {"action": "start", "room": str(other_room.pk)}
    )

    assert response.status_code == 400
    assert messages_of(response) == ["Please choose a room of this barcamp."]
    assert not SlotTimer.objects.exists()


def test_a_slot_of_another_barcamp_is_404(mod_client: CheckedClient, event: Event) -> None:
    other_slot = TimeSlotFactory(day=EventFactory().days.get())

    response = mod_client.post(
        en("scheduling:timer-control", slug=event.slug, pk=other_slot.pk), {"action": "start"}
    )

    assert response.status_code == 404
    assert not SlotTimer.objects.exists()


# --- the buttons with htmx ----------------------------------------------------------------------


def test_htmx_start_answers_the_board_with_the_outcome(
    mod_client: CheckedClient, camp: dict[str, Any]
) -> None:
    slot = camp["slots"][0]

    response = mod_client.post(
        control_path(slot), {"action": "start", "focus": f"start-{slot.pk}-all"}, **HTMX
    )

    timer = SlotTimer.objects.get(slot=slot, room=None)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    root = Page(body).tags[0][1]
    assert root["data-feedback"] == (
        f"10:00–10:45 (all rooms) has started. It ends at {local(timer.ends_at)}."
    )
    assert (root["data-feedback-ok"], root["data-focus"]) == ("1", f"start-{slot.pk}-all")
    assert f"Running, ends at {local(timer.ends_at)}" in text(response)


def test_htmx_bad_input_is_400_with_the_board_and_the_message(
    mod_client: CheckedClient, camp: dict[str, Any]
) -> None:
    response = mod_client.post(
        control_path(camp["slots"][0]), {"action": "extend", "minutes": "500"}, **HTMX
    )

    assert response.status_code == 400
    root = Page(response.content.decode()).tags[0][1]
    assert root["id"] == "timekeeper-board"
    assert root["data-feedback"] == (
        "Please enter the minutes to extend by: a whole number from 1 to 60."
    )
    assert root["data-feedback-ok"] == "0"


# --- late starts and overruns -------------------------------------------------------------------


def test_late_starts_and_overruns_are_shown_as_text(
    mod_client: CheckedClient, event: Event, moderator: User
) -> None:
    today = event.days.order_by("date").first()
    assert today is not None
    begin = timezone.now().replace(microsecond=0) - 50 * MIN
    late = TimeSlotFactory(day=today, start=begin, end=begin + 45 * MIN)
    timer = start_slot(late, actor=moderator)
    SlotTimer.objects.filter(pk=timer.pk).update(
        started_at=begin + 7 * MIN,
        ends_at=timezone.now() - datetime.timedelta(minutes=3, seconds=10),
    )

    response = mod_client.get(page_path(event, today))

    page = text(response)
    assert "started 7 min late" in page
    assert "3 min over time" in page
    assert "Time is up" in page


# --- the countdown on a session's page ----------------------------------------------------------


@pytest.fixture
def session(event: Event, moderator: User, camp: dict[str, Any]) -> Any:
    proposal = ProposalFactory(event=event, state=ProposalState.PITCHED, title="Open Data")
    place_entry(
        proposal, room=camp["raum_b"], slot=camp["slots"][0], actor=moderator, expected_version=0
    )
    return proposal


def test_session_page_shows_no_countdown_before_the_plan_is_published(
    client: CheckedClient, session: Any
) -> None:
    response = client.get(session.get_absolute_url())

    assert response.status_code == 200
    assert "data-countdown" not in response.content.decode()


def test_session_page_shows_its_rooms_countdown_once_published(
    client: CheckedClient, event: Event, moderator: User, session: Any, camp: dict[str, Any]
) -> None:
    publish_schedule(event, actor=moderator)
    path = en("proposals:proposal-detail", slug=event.slug, pk=session.pk)

    before = client.get(path)
    timer = start_slot(camp["slots"][0], actor=moderator)
    after = client.get(path)

    assert "Time for this session" in text(before)
    assert "Not started yet Planned 10:00–10:45" in text(before)
    body = after.content.decode()
    clock = next(a for t, a in Page(body).tags if t == "span" and "data-countdown" in a)
    assert clock["data-slot"] == str(camp["slots"][0].pk)
    assert clock["data-room"] == str(camp["raum_b"].pk)
    assert clock["data-state"] == "running"
    assert clock["data-rank"] == "1"  # the clock of the slot, for all rooms
    assert float(clock["data-ends-at"]) == pytest.approx(timer.ends_at.timestamp(), abs=0.001)
    assert float(clock["data-server-now"]) == pytest.approx(timezone.now().timestamp(), abs=5)
    shown = re.search(r"<span[^>]*data-countdown .*?</span>", body)
    assert shown is not None
    assert re.fullmatch(r"4[45]:\d\d", Page(shown.group(0)).text)
    assert f"ends at {local(timer.ends_at)}" in text(after)
    assert 'class="countdown countdown-big"' in body
