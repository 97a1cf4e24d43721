"""The timekeeper's clocks: start, extend, end and start again, for all rooms or one room; the
clock that counts for a room; late starts and overruns."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from tests.factories import (
    EventFactory,
    ProposalFactory,
    RegistrationFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import Role
from unkonf.events.models import EventRole
from unkonf.proposals.enums import ProposalState
from unkonf.realtime.models import StreamEvent
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.exceptions import TimerError
from unkonf.scheduling.models import ScheduleEntry, SlotTimer
from unkonf.scheduling.selectors.timer import (
    TimerBoard,
    get_timer_state,
    list_day_timers,
)
from unkonf.scheduling.services.grid import place_entry
from unkonf.scheduling.services.timer import end_slot, extend_slot, start_slot

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

MIN = datetime.timedelta(minutes=1)
T = datetime.time


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def camp() -> dict[str, Any]:
    """Two rooms, 10:00–10:45, 11:00–11:45, a break, 13:00–13:45; in Raum B a two-slot
    session from 10:00 to 11:45."""
    moderator = UserFactory(name="Mo Derator")
    event = EventFactory()
    EventRole.objects.create(event=event, user=moderator, role=Role.MODERATOR)
    day = event.days.get()
    saal = RoomFactory(event=event, name="Saal", position=0)
    raum_b = RoomFactory(event=event, name="Raum B", position=1)
    slots = [
        TimeSlotFactory(day=day, start_time=T(10, 0)),
        TimeSlotFactory(day=day, start_time=T(11, 0)),
        TimeSlotFactory(day=day, start_time=T(12, 0), kind=SlotKind.BREAK),
        TimeSlotFactory(day=day, start_time=T(13, 0)),
    ]
    workshop = ProposalFactory(
        event=event, state=ProposalState.PITCHED, title="Long workshop", slots=2
    )
    place_entry(workshop, room=raum_b, slot=slots[0], actor=moderator, expected_version=0)
    return {
        "event": event,
        "moderator": moderator,
        "day": day,
        "saal": saal,
        "raum_b": raum_b,
        "slots": slots,
    }


def timer_messages(event: Any) -> list[dict[str, Any]]:
    return [
        e.payload
        for e in StreamEvent.objects.filter(
            stream=f"event.{event.pk}", kind="timer.changed"
        ).order_by("seq")
    ]


# --- start ------------------------------------------------------------------------------------


def test_start_slot_runs_the_clock_for_the_slots_planned_length(camp) -> None:
    slot, mod = camp["slots"][0], camp["moderator"]
    before = timezone.now()

    timer = start_slot(slot, actor=mod)

    after = timezone.now()
    assert timer.room is None
    assert before <= timer.started_at <= after
    assert timer.ends_at == timer.started_at + datetime.timedelta(minutes=45)
    assert (timer.ended_at, timer.extended_minutes, timer.version) == (None, 0, 1)
    state = get_timer_state(slot, camp["saal"])
    assert (state.source, state.state) == ("slot", "running")
    assert 44 * 60 <= state.seconds_left < 45 * 60


def test_start_slot_for_all_rooms_gives_a_two_slot_session_its_own_clock_through_both(
    camp,
) -> None:
    first, second = camp["slots"][:2]

    start_slot(first, actor=camp["moderator"])

    timers = {t.room_id: t for t in SlotTimer.objects.filter(slot=first)}
    assert set(timers) == {None, camp["raum_b"].pk}
    own = timers[camp["raum_b"].pk]
    # 10:00 to 11:45: both slots, the changeover between them included
    assert own.ends_at - own.started_at == second.end - first.start
    assert own.started_at == timers[None].started_at
    # in the second slot the room follows the session's clock, not the slot's
    state = get_timer_state(second, camp["raum_b"])
    assert (state.source, state.timer) == ("covering", own)
    assert get_timer_state(second, camp["saal"]).state == "not_started"


def test_start_slot_for_one_room_of_a_two_slot_session_runs_through_its_second_slot(
    camp,
) -> None:
    first, second = camp["slots"][:2]

    timer = start_slot(first, room=camp["raum_b"], actor=camp["moderator"])

    assert timer.room == camp["raum_b"]
    assert timer.ends_at - timer.started_at == second.end - first.start
    assert not SlotTimer.objects.filter(slot=first, room=None).exists()


def test_start_sends_timer_changed_with_server_times_after_commit(
    camp, django_capture_on_commit_callbacks
) -> None:
    slot, event = camp["slots"][3], camp["event"]
    before = timezone.now().timestamp()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        timer = start_slot(slot, actor=camp["moderator"])

    after = timezone.now().timestamp()
    assert len(callbacks) == 1  # sent only when the transaction commits
    [message] = timer_messages(event)
    assert message == {
        "slot": slot.pk,
        "room": None,
        "started_at": timer.started_at.timestamp(),
        "ends_at": timer.ends_at.timestamp(),
        "ended_at": None,
        "now": message["now"],
        "version": 1,
    }
    assert before <= message["started_at"] <= message["now"] <= after


def test_a_refused_change_sends_nothing_and_writes_nothing(
    camp, django_capture_on_commit_callbacks
) -> None:
    slot = camp["slots"][0]

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(TimerError, match="not running"),
    ):
        extend_slot(slot, minutes=5, actor=camp["moderator"])

    assert callbacks == []
    assert timer_messages(camp["event"]) == []
    assert not AuditLogEntry.objects.filter(action__startswith="timer.").exists()


def test_every_change_is_in_the_audit_log(camp) -> None:
    slot, mod = camp["slots"][3], camp["moderator"]

    timer = start_slot(slot, actor=mod)
    extend_slot(slot, minutes=5, actor=mod)
    end_slot(slot, actor=mod)

    entries = list(
        AuditLogEntry.objects.filter(action__startswith="timer.")
        .order_by("pk")
        .values_list("action", "actor_id", "object_id", "event_id")
    )
    assert entries == [
        ("timer.started", mod.pk, str(timer.pk), camp["event"].pk),
        ("timer.extended", mod.pk, str(timer.pk), camp["event"].pk),
        ("timer.ended", mod.pk, str(timer.pk), camp["event"].pk),
    ]
    extended = AuditLogEntry.objects.get(action="timer.extended")
    assert (extended.data["minutes"], extended.data["slot"], extended.data["room"]) == (
        5,
        slot.pk,
        None,
    )


# --- extend -----------------------------------------------------------------------------------


def test_extend_slot_moves_the_end_by_the_minutes(camp) -> None:
    slot, mod = camp["slots"][3], camp["moderator"]
    started = start_slot(slot, actor=mod)

    timer = extend_slot(slot, minutes=5, actor=mod)

    assert timer.ends_at == started.ends_at + datetime.timedelta(minutes=5)
    assert (timer.extended_minutes, timer.version) == (5, 2)
    assert timer_messages(camp["event"])[-1]["ends_at"] == timer.ends_at.timestamp()
    assert timer_messages(camp["event"])[-1]["version"] == 2


def test_extend_slot_over_time_counts_from_now(camp) -> None:
    slot, mod = camp["slots"][3], camp["moderator"]
    start_slot(slot, actor=mod)
    past = timezone.now() - 3 * MIN
    SlotTimer.objects.filter(slot=slot).update(ends_at=past)

    before = timezone.now()
    timer = extend_slot(slot, minutes=5, actor=mod)

    assert before + 5 * MIN <= timer.ends_at <= timezone.now() + 5 * MIN


@pytest.mark.parametrize("minutes", [0, -5, 61, 600])
def test_extend_slot_refuses_minutes_outside_1_to_60(camp, minutes: int) -> None:
    slot, mod = camp["slots"][3], camp["moderator"]
    started = start_slot(slot, actor=mod)

    with pytest.raises(TimerError, match=r"^Extend by 1 to 60 minutes[.]$"):
        extend_slot(slot, minutes=minutes, actor=mod)

    timer = SlotTimer.objects.get(pk=started.pk)
    assert (timer.ends_at, timer.version) == (started.ends_at, 1)


def test_extend_slot_refuses_a_clock_that_is_not_running(camp) -> None:
    slot, mod = camp["slots"][3], camp["moderator"]

    with pytest.raises(TimerError, match=r"^This clock is not running[.] Start it first[.]$"):
        extend_slot(slot, minutes=5, actor=mod)
    start_slot(slot, actor=mod)
    end_slot(slot, actor=mod)
    with pytest.raises(TimerError, match="has been ended already"):
        extend_slot(slot, minutes=5, actor=mod)


# --- end and start again ----------------------------------------------------------------------


def test_end_slot_stops_the_clock_now(camp) -> None:
    slot, mod = camp["slots"][3], camp["moderator"]
    start_slot(slot, actor=mod)
    before = timezone.now()

    timer = end_slot(slot, actor=mod)

    assert before <= timer.ended_at <= timezone.now()
    assert timer.version == 2
    assert get_timer_state(slot).state == "ended"
    assert timer_messages(camp["event"])[-1]["ended_at"] == timer.ended_at.timestamp()


def test_end_slot_refuses_a_clock_that_never_started(camp) -> None:
    with pytest.raises(TimerError, match="not running"):
        end_slot(camp["slots"][3], actor=camp["moderator"])
    assert not SlotTimer.objects.exists()


def test_starting_again_after_the_end_is_a_new_start(camp) -> None:
    slot, mod = camp["slots"][3], camp["moderator"]
    first = start_slot(slot, actor=mod)
    extend_slot(slot, minutes=10, actor=mod)
    end_slot(slot, actor=mod)

    again = start_slot(slot, actor=mod)

    assert again.pk == first.pk
    assert again.ended_at is None
    assert again.started_at >= first.started_at
    assert again.ends_at == again.started_at + datetime.timedelta(minutes=45)
    assert (again.extended_minutes, again.version) == (0, 4)
    assert get_timer_state(slot).state == "running"


# --- rooms on their own clock -----------------------------------------------------------------


def test_a_rooms_own_clock_overrides_the_slots_clock(camp) -> None:
    slot, mod, saal = camp["slots"][3], camp["moderator"], camp["saal"]
    start_slot(slot, actor=mod)
    own = start_slot(slot, room=saal, actor=mod)
    own_end = own.ends_at

    slot_clock = extend_slot(slot, minutes=10, actor=mod)
    end_slot(slot, actor=mod)

    saal_state = get_timer_state(slot, saal)
    assert (saal_state.source, saal_state.state, saal_state.ends_at) == ("room", "running", own_end)
    other = get_timer_state(slot, camp["raum_b"])
    assert (other.source, other.state, other.ends_at) == ("slot", "ended", slot_clock.ends_at)


def test_extending_one_room_gives_it_its_own_clock_and_leaves_the_others(camp) -> None:
    slot, mod, saal = camp["slots"][3], camp["moderator"], camp["saal"]
    slot_clock = start_slot(slot, actor=mod)

    own = extend_slot(slot, room=saal, minutes=5, actor=mod)

    assert own.room == saal
    assert own.started_at == slot_clock.started_at
    assert own.ends_at == slot_clock.ends_at + 5 * MIN
    assert SlotTimer.objects.get(pk=slot_clock.pk).ends_at == slot_clock.ends_at
    assert get_timer_state(slot, camp["raum_b"]).ends_at == slot_clock.ends_at
    [*_, message] = timer_messages(camp["event"])
    assert (message["room"], message["ends_at"]) == (saal.pk, own.ends_at.timestamp())


def test_ending_a_two_slot_session_in_its_second_slot_ends_its_clock(camp) -> None:
    first, second = camp["slots"][:2]
    mod, raum_b = camp["moderator"], camp["raum_b"]
    start_slot(first, actor=mod)

    timer = end_slot(second, room=raum_b, actor=mod)

    assert (timer.slot_id, timer.room_id) == (first.pk, raum_b.pk)
    assert get_timer_state(second, raum_b).state == "ended"
    assert not SlotTimer.objects.filter(slot=second).exists()


# --- who and where ----------------------------------------------------------------------------


def test_only_organisers_moderators_and_timekeepers_keep_the_time(camp) -> None:
    slot = camp["slots"][3]
    participant = RegistrationFactory(event=camp["event"]).user
    organiser, timekeeper = UserFactory(), UserFactory()
    EventRole.objects.create(event=camp["event"], user=organiser, role=Role.ORGANISER)
    EventRole.objects.create(event=camp["event"], user=timekeeper, role=Role.TIMEKEEPER)

    with pytest.raises(
        TimerError, match=r"^Only organisers, moderators and timekeepers keep the time[.]$"
    ):
        start_slot(slot, actor=participant)

    assert not SlotTimer.objects.exists()
    assert start_slot(slot, actor=organiser).version == 1
    assert extend_slot(slot, minutes=5, actor=timekeeper).version == 2


def test_a_room_of_another_barcamp_is_refused(camp) -> None:
    other_room = RoomFactory(event=EventFactory())

    with pytest.raises(TimerError, match="does not belong to this barcamp"):
        start_slot(camp["slots"][3], room=other_room, actor=camp["moderator"])

    assert not SlotTimer.objects.exists()


# --- late starts and overruns -----------------------------------------------------------------


@pytest.fixture
def running_now(camp) -> Any:
    """A slot that should have started 7 minutes ago, 45 minutes long."""
    start = timezone.now().replace(microsecond=0) - 7 * MIN
    return TimeSlotFactory(day=camp["day"], start=start, end=start + 45 * MIN)


def test_a_late_start_is_shown_in_whole_minutes(camp, running_now) -> None:
    board = TimerBoard(camp["event"])
    overdue = board.state(running_now, None)
    assert (overdue.state, overdue.overdue_minutes) == ("not_started", 7)
    assert overdue.late_text == "not started, due 7 min ago"

    start_slot(running_now, actor=camp["moderator"])

    state = get_timer_state(running_now)
    assert (state.late_minutes, state.late_text) == (7, "started 7 min late")
    assert (state.overrun_minutes, state.overrun_text) == (0, "")


def test_a_start_within_a_minute_is_on_time(camp) -> None:
    start = timezone.now() - datetime.timedelta(seconds=50)
    slot = TimeSlotFactory(day=camp["day"], start=start, end=start + 45 * MIN)

    start_slot(slot, actor=camp["moderator"])

    assert (get_timer_state(slot).late_minutes, get_timer_state(slot).late_text) == (0, "")


def test_an_overrun_counts_until_now_while_running_and_until_the_end_once_ended(
    camp, running_now
) -> None:
    mod = camp["moderator"]
    timer = start_slot(running_now, actor=mod)

    later = TimerBoard(camp["event"], now=timer.ends_at + datetime.timedelta(minutes=3, seconds=20))
    state = later.state(running_now, camp["saal"])
    assert (state.state, state.seconds_left) == ("overrun", -200)
    assert (state.overrun_minutes, state.overrun_text) == (3, "3 min over time")
    assert state.status_text.startswith("Time is up")

    SlotTimer.objects.filter(pk=timer.pk).update(ended_at=timer.ends_at + 2 * MIN)
    ended = TimerBoard(camp["event"], now=timer.ends_at + 30 * MIN).state(running_now, None)
    assert (ended.state, ended.overrun_text) == ("ended", "2 min over time")


def test_the_timekeepers_day_lists_the_slots_in_order_with_the_running_one_current(
    camp, running_now
) -> None:
    start_slot(camp["slots"][0], actor=camp["moderator"])

    rows = list_day_timers(camp["event"], camp["day"])

    assert [row.slot for row in rows] == sorted(
        [*camp["slots"], running_now], key=lambda slot: slot.start
    )
    current = [row.slot for row in rows if row.is_current]
    assert current == [camp["slots"][0]]
    first = next(row for row in rows if row.slot == camp["slots"][0])
    assert [(r.room.name, r.title, r.state.source) for r in first.rooms] == [
        ("Saal", "", "slot"),
        ("Raum B", "Long workshop", "room"),
    ]
    assert first.own_clocks == 1
    second = next(row for row in rows if row.slot == camp["slots"][1])
    assert [(r.title, r.two_slots, r.state.source) for r in second.rooms] == [
        ("", False, ""),
        ("Long workshop", True, "covering"),
    ]
    assert ScheduleEntry.objects.count() == 1
