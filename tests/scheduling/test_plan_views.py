"""The published plan through Django's test client: by day, by room, now and next, my plan,
stars, the hallway screen, hosts' unavailable times, and who sees what.

The barcamp runs today: its slots are built around the real time of the test (nothing is
mocked), far enough from each boundary that a test never crosses one. Under ``/en/`` so the
texts checked stay the same when the German catalogue changes. The ``client`` checks every
HTML page for the CSP and inline scripts.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import segno
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

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
from unkonf.events.enums import EventMode, Role
from unkonf.events.models import Day, Event
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Proposal
from unkonf.realtime import groups, streams
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.exceptions import SchedulingError
from unkonf.scheduling.models import ScheduleEntry, SlotTimer, Star, TimeSlot, Unavailability
from unkonf.scheduling.services.grid import place_entry, publish_schedule, unplace_entry
from unkonf.scheduling.services.stars import set_unavailability, star_session
from unkonf.venues.models import Room

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services' messages are matched in English (the pages are asked for under /en/)."""
    with translation.override("en"):
        yield


MINUTE = datetime.timedelta(minutes=1)


# --- A barcamp that runs right now ----------------------------------------------------------------


@dataclass
class Camp:
    event: Event
    day: Day
    moderator: User
    host: User  # hosts "Offene Daten" and "E-Akte"
    anna: User  # a registered participant
    saal: Room
    raum_b: Room  # online: has a video link
    werkstatt: Room
    past: TimeSlot
    current: TimeSlot
    coffee: TimeSlot  # a break
    following: TimeSlot
    later: TimeSlot
    early: Proposal  # Saal, past
    open_data: Proposal  # Saal, now
    ai: Proposal  # Raum B, now (online)
    e_file: Proposal  # Saal, next
    workshop: Proposal  # Werkstatt, next and later (two slots)
    backlog: Proposal  # not in the grid


def _slot(day: Day, start: datetime.datetime, minutes: int, **kwargs: Any) -> TimeSlot:
    return TimeSlotFactory(
        day=day, start=start, end=start + datetime.timedelta(minutes=minutes), **kwargs
    )


def _place(proposal: Proposal, room: Room, slot: TimeSlot, actor: User) -> None:
    entry = ScheduleEntry.objects.filter(proposal=proposal).first()
    version = entry.version if entry is not None else 0
    place_entry(proposal, room=room, slot=slot, actor=actor, expected_version=version)


def build_camp(*, publish: bool = True, **event_fields: Any) -> Camp:
    now = timezone.now().replace(second=0, microsecond=0)
    event = EventFactory(
        name="Barcamp Plan", slug="barcamp-plan", days=[timezone.localdate()], **event_fields
    )
    day = event.days.get()
    moderator = UserFactory(name="Mo Moderation", language="en")
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    host = RegistrationFactory(event=event, user=UserFactory(name="Hanna Host")).user
    anna = RegistrationFactory(event=event, user=UserFactory(name="Anna Schmidt")).user
    saal = RoomFactory(event=event, name="Saal", capacity=80, position=0, location="EG, links")
    raum_b = RoomFactory(event=event, name="Raum B", capacity=20, position=1, online=True)
    werkstatt = RoomFactory(event=event, name="Werkstatt", capacity=12, position=2)
    past = _slot(day, now - 120 * MINUTE, 45)
    current = _slot(day, now - 30 * MINUTE, 45)
    coffee = _slot(day, now + 15 * MINUTE, 15, kind=SlotKind.BREAK, title="Kaffee")
    following = _slot(day, now + 30 * MINUTE, 45)
    later = _slot(day, now + 75 * MINUTE, 45)

    def proposal(title: str, who: User | None = None, **fields: Any) -> Proposal:
        return ProposalFactory(
            event=event, title=title, state=ProposalState.PITCHED, host=who, **fields
        )

    early = proposal("Frühstart")
    open_data = proposal("Offene Daten", host)
    ilja = RegistrationFactory(event=event, user=UserFactory(name="Ilja Ideen")).user
    ai = proposal("KI im Amt", ilja, mode=EventMode.ONLINE)
    e_file = proposal("E-Akte", host)
    workshop = proposal("Werkstatt Low-Code", slots=2)
    backlog = proposal("Noch offen")
    _place(early, saal, past, moderator)
    _place(open_data, saal, current, moderator)
    _place(ai, raum_b, current, moderator)
    _place(e_file, saal, following, moderator)
    _place(workshop, werkstatt, following, moderator)
    if publish:
        publish_schedule(event, actor=moderator)
    return Camp(
        event=event,
        day=day,
        moderator=moderator,
        host=host,
        anna=anna,
        saal=saal,
        raum_b=raum_b,
        werkstatt=werkstatt,
        past=past,
        current=current,
        coffee=coffee,
        following=following,
        later=later,
        early=early,
        open_data=open_data,
        ai=ai,
        e_file=e_file,
        workshop=workshop,
        backlog=backlog,
    )


@pytest.fixture
def camp(db: None) -> Camp:
    return build_camp()


@pytest.fixture
def unpublished(db: None) -> Camp:
    return build_camp(publish=False)


def client_of(user: User | None) -> CheckedClient:
    client = CheckedClient()
    if user is not None:
        client.force_login(user)
    return client


def plan(camp: Camp) -> str:
    return en("scheduling:plan", slug=camp.event.slug)


def local(moment: datetime.datetime, event: Event) -> str:
    return moment.astimezone(event.zone).strftime("%H:%M")


def span(slot: TimeSlot, event: Event) -> str:
    """A slot's times as the page text shows them (each in its own <time>)."""
    return f"{local(slot.start, event)} – {local(slot.end, event)}"


def tags(response: HttpResponse, tag: str, /, **attrs: str | None) -> list[dict[str, str | None]]:
    """The tags `name` with these attributes (None: present without a value, e.g. checked)."""
    return [
        found
        for name, found in Page(response.content.decode()).tags
        if name == tag and all(k in found and found[k] == v for k, v in attrs.items())
    ]


def section(response: HttpResponse, start: str, end: str | None = None) -> str:
    """The visible text of the page between two pieces of markup."""
    body = response.content.decode()
    begin = body.rindex("<", 0, body.index(start) + 1)
    stop = body.index(end, begin) if end else len(body)
    return Page(body[begin:stop]).text


def star_button(response: HttpResponse, key: str, proposal: Proposal) -> dict[str, str | None]:
    (button,) = tags(response, "button", id=f"star-{key}-{proposal.pk}")
    return button


# --- The plan by day -----------------------------------------------------------------------------


def test_plan_day_shows_rooms_slots_and_sessions_to_a_participant(camp: Camp) -> None:
    response = client_of(camp.anna).get(plan(camp))

    assert response.status_code == 200
    page = text(response)
    assert tags(response, "th", scope="col") == [{"scope": "col"}] * 4
    table = section(response, "<table", "</table>")
    assert table.startswith("Sessions by room and time Time Saal Raum B Werkstatt")
    event = camp.event
    assert span(camp.current, event) in table
    assert "Kaffee" in table
    assert "Offene Daten Hanna Host" in table  # registered participants see the hosts
    assert "KI im Amt Ilja Ideen Online" in table  # the mode, in words
    assert "Noch offen" not in page  # not in the grid
    links = {a.get("href") for a in tags(response, "a")}
    assert en("proposals:proposal-detail", slug=event.slug, pk=camp.open_data.pk) in links
    assert en("scheduling:plan-room", slug=event.slug, pk=camp.raum_b.pk) in links
    # the two-slot workshop spans two rows; the cell below it is not repeated
    assert tags(response, "td", rowspan="2") != []
    assert star_button(response, "t", camp.open_data)["aria-pressed"] == "false"
    assert star_button(response, "l", camp.open_data)["aria-pressed"] == "false"
    assert "Not published yet." not in page
    assert '<a href="/en/barcamp-plan/plan/">Plan</a>' in response.content.decode()  # nav


def test_plan_day_lists_each_slot_for_small_screens(camp: Camp) -> None:
    response = client_of(camp.anna).get(plan(camp))

    listing = section(response, 'class="plan-list"')
    event = camp.event
    following = span(camp.following, event)
    later = span(camp.later, event)
    assert f"{following} E-Akte Saal" in listing
    assert f"{later} Continues: Werkstatt Low-Code · Werkstatt" in listing


def test_plan_day_of_another_day_and_of_another_barcamp(camp: Camp) -> None:
    other_day = Day.objects.create(event=camp.event, date=camp.day.date + datetime.timedelta(1))
    elsewhere = EventFactory().days.get()
    client = client_of(camp.anna)

    response = client.get(en("scheduling:plan-day", slug=camp.event.slug, day_pk=other_day.pk))
    foreign = client.get(en("scheduling:plan-day", slug=camp.event.slug, day_pk=elsewhere.pk))

    assert response.status_code == 200
    assert "There are no time slots on this day yet." in text(response)
    assert foreign.status_code == 404


def test_plan_shows_today_or_else_the_next_day(db: None) -> None:
    today = timezone.localdate()
    event = EventFactory(
        days=[today - datetime.timedelta(days=1), today + datetime.timedelta(days=2)]
    )
    EventRoleFactory(event=event, user=(moderator := UserFactory()), role=Role.MODERATOR)

    response = client_of(moderator).get(en("scheduling:plan", slug=event.slug))

    coming = event.days.get(date=today + datetime.timedelta(days=2))
    (h1,) = re.findall(r"<h1>(.*?)</h1>", response.content.decode())
    with translation.override("en"):
        assert h1 == f"Plan: {coming}"


def test_anonymous_visitor_sees_no_names_no_stars_but_how_to_log_in(camp: Camp) -> None:
    response = client_of(None).get(plan(camp))

    assert response.status_code == 200
    assert "Hanna Host" not in text(response)
    assert tags(response, "form", **{"class": "plan-star"}) == []
    assert "Log in to mark sessions for your own plan." in text(response)


# --- Who sees the plan ----------------------------------------------------------------------------


PLAN_PAGES = ("scheduling:plan", "scheduling:plan-now", "scheduling:plan-screen")


@pytest.mark.parametrize("name", PLAN_PAGES)
def test_unpublished_plan_is_404_for_participants_and_shown_to_moderators(
    unpublished: Camp, name: str
) -> None:
    path = en(name, slug=unpublished.event.slug)

    refused = [client_of(u).get(path).status_code for u in (None, unpublished.anna)]
    response = client_of(unpublished.moderator).get(path)

    assert refused == [404, 404]
    assert response.status_code == 200
    assert "Not published yet" in text(response)


def test_unpublished_plan_pages_follow_the_grid_stream_for_the_team(unpublished: Camp) -> None:
    response = client_of(unpublished.moderator).get(plan(unpublished))

    (live,) = tags(response, "div", **{"class": "plan-live"})
    assert live["data-grid-stream"] == groups.grid_stream(unpublished.event.pk)
    assert live["data-stream"] == groups.event_stream(unpublished.event.pk)
    assert live["data-since"] == str(streams.last_seq(groups.event_stream(unpublished.event.pk)))


def test_room_and_star_of_an_unpublished_plan_are_404_for_participants(
    unpublished: Camp,
) -> None:
    client = client_of(unpublished.anna)
    slug = unpublished.event.slug

    room = client.get(en("scheduling:plan-room", slug=slug, pk=unpublished.saal.pk))
    star = client.post(en("scheduling:plan-star", slug=slug, pk=unpublished.open_data.pk), {})

    assert (room.status_code, star.status_code) == (404, 404)
    assert not Star.objects.exists()


def test_plan_of_an_invite_only_barcamp_is_hidden_from_strangers(db: None) -> None:
    camp = build_camp(visibility="invite_only")
    stranger = UserFactory()

    outcomes = [client_of(u).get(plan(camp)).status_code for u in (None, stranger, camp.anna)]

    assert outcomes == [404, 404, 200]


def test_nav_link_to_the_plan_only_when_it_may_be_seen(unpublished: Camp) -> None:
    detail = en("events:event-detail", slug=unpublished.event.slug)
    link = '<a href="/en/barcamp-plan/plan/">Plan</a>'

    for_anna = client_of(unpublished.anna).get(detail).content.decode()
    for_moderator = client_of(unpublished.moderator).get(detail).content.decode()
    publish_schedule(unpublished.event, actor=unpublished.moderator)
    for_anonymous = client_of(None).get(detail).content.decode()

    assert (link in for_anna, link in for_moderator, link in for_anonymous) == (
        False,
        True,
        True,
    )


# --- Stars ----------------------------------------------------------------------------------------


def star(camp: Camp, proposal: Proposal) -> str:
    return en("scheduling:plan-star", slug=camp.event.slug, pk=proposal.pk)


def test_star_puts_a_session_into_my_plan_and_goes_back(camp: Camp) -> None:
    client = client_of(camp.anna)

    response = client.post(star(camp, camp.open_data), {"want": "1", "next": plan(camp)})

    assert (response.status_code, response["Location"]) == (302, plan(camp))
    assert list(Star.objects.values_list("user", "proposal")) == [(camp.anna.pk, camp.open_data.pk)]
    page = client.get(plan(camp))
    assert messages_of(page) == ["“Offene Daten” is in your plan."]
    assert star_button(page, "t", camp.open_data)["aria-pressed"] == "true"
    assert star_button(page, "t", camp.ai)["aria-pressed"] == "false"


def test_star_taken_back_leaves_my_plan(camp: Camp) -> None:
    star_session(camp.open_data, actor=camp.anna, starred=True)
    client = client_of(camp.anna)

    response = client.post(star(camp, camp.open_data), {"want": "0"})

    detail = en("proposals:proposal-detail", slug=camp.event.slug, pk=camp.open_data.pk)
    assert (response.status_code, response["Location"]) == (302, detail)
    assert not Star.objects.exists()
    assert messages_of(client.get(detail)) == ["“Offene Daten” is no longer in your plan."]


def test_star_with_htmx_answers_with_the_new_button(camp: Camp) -> None:
    response = client_of(camp.anna).post(
        star(camp, camp.ai), {"want": "1", "key": "l", "next": plan(camp)}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    button = star_button(response, "l", camp.ai)
    assert button["aria-pressed"] == "true"
    (want,) = tags(response, "input", name="want")
    assert want["value"] == "0"
    (back,) = tags(response, "input", name="next")
    assert back["value"] == plan(camp)
    assert text(response) == "★ My plan : KI im Amt"


def test_star_of_a_session_not_in_the_grid_is_refused(camp: Camp) -> None:
    client = client_of(camp.anna)

    response = client.post(star(camp, camp.backlog), {"want": "1", "next": plan(camp)})

    assert response.status_code == 302
    assert not Star.objects.exists()
    assert messages_of(client.get(plan(camp))) == [
        "“Noch offen” is not in the plan, so it cannot be added to your plan."
    ]
    htmx = client.post(star(camp, camp.backlog), {"want": "1"}, HTTP_HX_REQUEST="true")
    assert star_button(htmx, "p", camp.backlog)["aria-pressed"] == "false"
    assert "is not in the plan" in text(htmx)


def test_star_needs_login(camp: Camp) -> None:
    path = star(camp, camp.open_data)

    response = client_of(None).post(path, {"want": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(en("account_login"))
    assert not Star.objects.exists()


def test_star_of_a_proposal_of_another_barcamp_is_404(camp: Camp) -> None:
    foreign = ProposalFactory()

    response = client_of(camp.anna).post(star(camp, foreign), {"want": "1"})

    assert response.status_code == 404
    assert not Star.objects.filter(proposal=foreign).exists()


def test_star_refuses_a_foreign_next_address(camp: Camp) -> None:
    response = client_of(camp.anna).post(
        star(camp, camp.ai), {"want": "1", "next": "https://evil.example/"}
    )

    assert response["Location"] == en(
        "proposals:proposal-detail", slug=camp.event.slug, pk=camp.ai.pk
    )


# --- My plan -------------------------------------------------------------------------------------


def mine(camp: Camp) -> str:
    return en("scheduling:plan-mine", slug=camp.event.slug)


def test_my_plan_lists_starred_sessions_by_time_and_marks_clashes(camp: Camp) -> None:
    for proposal in (camp.e_file, camp.ai, camp.open_data):
        star_session(proposal, actor=camp.anna, starred=True)

    response = client_of(camp.anna).get(mine(camp))

    items = [
        Page(li).text
        for li in re.findall(
            r'<li class="plan-mine-item[^"]*">(.*?)</li>', response.content.decode(), re.S
        )
    ]
    event = camp.event
    now_time = span(camp.current, event)
    assert [re.split(" [★☆] My plan", item)[0] for item in items] == [
        f"Offene Daten {now_time} · Saal Hanna Host Clash At the same time as: KI im Amt",
        f"KI im Amt {now_time} · Raum B Ilja Ideen Online Clash At the same time as: Offene Daten",
        f"E-Akte {span(camp.following, event)} · Saal Hanna Host",
    ]
    assert "2 of your sessions overlap with another one." in text(response)


def test_my_plan_keeps_starred_sessions_that_left_the_grid(camp: Camp) -> None:
    star_session(camp.e_file, actor=camp.anna, starred=True)
    unplace_entry(camp.e_file, actor=camp.moderator, expected_version=1)

    response = client_of(camp.anna).get(mine(camp))

    assert "Not in the plan at the moment E-Akte ★ My plan" in text(response)


def test_my_plan_is_empty_at_first_and_needs_login(camp: Camp) -> None:
    empty = client_of(camp.anna).get(mine(camp))
    anonymous = client_of(None).get(mine(camp))

    assert "You have not marked any sessions yet." in text(empty)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(en("account_login"))


# --- A room, now and next -------------------------------------------------------------------------


def room(camp: Camp, which: Room) -> str:
    return en("scheduling:plan-room", slug=camp.event.slug, pk=which.pk)


def test_room_page_shows_where_how_big_now_and_next(camp: Camp) -> None:
    response = client_of(camp.anna).get(room(camp, camp.saal))

    assert response.status_code == 200
    page = text(response)
    assert "Where EG, links Places 80" in page
    event = camp.event
    now_part = section(response, 'id="room-now-heading"', 'id="room-next-heading"')
    assert now_part.startswith(f"Now Offene Daten {span(camp.current, event)}")
    assert f'data-countdown data-slot="{camp.current.pk}"' in response.content.decode()
    next_part = section(response, 'id="room-next-heading"', "All sessions in this room")
    assert next_part.startswith(f"Next E-Akte {date_format(camp.day.date, 'l')}, ")
    listing = section(response, "All sessions in this room")
    assert listing.index("Frühstart") < listing.index("Offene Daten") < listing.index("E-Akte")
    assert "KI im Amt" not in listing


def test_room_page_gives_the_video_link_to_participants_only(camp: Camp) -> None:
    for_anna = client_of(camp.anna).get(room(camp, camp.raum_b))
    for_anonymous = client_of(None).get(room(camp, camp.raum_b))

    assert tags(for_anna, "a", href=camp.raum_b.video_url) != []
    assert camp.raum_b.video_url not in for_anonymous.content.decode()
    assert "The link is shown to registered participants." in text(for_anonymous)


def test_room_of_another_barcamp_is_404(camp: Camp) -> None:
    foreign = RoomFactory()

    assert client_of(camp.anna).get(room(camp, foreign)).status_code == 404


def test_now_and_next_per_room_by_server_time(camp: Camp) -> None:
    response = client_of(camp.anna).get(en("scheduling:plan-now", slug=camp.event.slug))

    rows = [
        Page(row).text for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)[1:]
    ]
    event = camp.event
    now_time = span(camp.current, event)
    weekday = date_format(camp.day.date, "l")
    following = span(camp.following, event)
    assert rows[0].startswith(f"Saal Offene Daten {now_time} Hanna Host")
    assert rows[0].endswith(f"E-Akte {weekday}, {following} Hanna Host ☆ My plan : E-Akte")
    assert rows[1].startswith(f"Raum B KI im Amt {now_time} Ilja Ideen Online")
    assert rows[1].endswith("Nothing more planned")
    assert rows[2].startswith("Werkstatt Nothing right now Werkstatt Low-Code")
    assert f"Now: {now_time}" in text(response)
    assert f"Next: {local(camp.coffee.start, event)} Kaffee" in text(response)


def test_moved_session_says_where_it_was_everywhere(camp: Camp) -> None:
    _place(camp.e_file, camp.raum_b, camp.following, camp.moderator)
    client = client_of(camp.anna)
    was = local(camp.following.start, camp.event)

    day = client.get(plan(camp))
    now = client.get(en("scheduling:plan-now", slug=camp.event.slug))
    saal = client.get(room(camp, camp.saal))

    assert f"E-Akte Hanna Host Moved from Saal, {was}" in section(day, "<table", "</table>")
    assert tags(day, "td", **{"class": "plan-cell-moved"}) != []
    assert "“E-Akte” has moved to Raum B ." in text(now)  # "Raum B" is a link
    assert "“E-Akte” has moved to Raum B ." in text(saal)
    assert "Nothing more is planned in this room." in text(saal)


def test_session_moved_to_another_day_names_the_day_it_was_on(camp: Camp) -> None:
    tomorrow = Day.objects.create(event=camp.event, date=camp.day.date + datetime.timedelta(1))
    start = camp.following.start + datetime.timedelta(days=1)
    slot = TimeSlotFactory(day=tomorrow, start=start, end=start + 45 * MINUTE)
    _place(camp.e_file, camp.saal, slot, camp.moderator)

    response = client_of(camp.anna).get(
        en("scheduling:plan-day", slug=camp.event.slug, day_pk=tomorrow.pk)
    )

    with translation.override("en"):
        was = date_format(camp.following.start.astimezone(camp.event.zone), "D j.n. H:i")
    assert f"E-Akte Hanna Host Moved from Saal, {was}" in section(response, "<table", "</table>")


# --- The hallway screen ---------------------------------------------------------------------------


def screen(camp: Camp, **params: str) -> str:
    path = en("scheduling:plan-screen", slug=camp.event.slug)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{path}?{query}" if query else path


def test_screen_shows_now_next_a_clock_and_the_qr_code_of_the_plan(camp: Camp) -> None:
    response = client_of(None).get(screen(camp))

    assert response.status_code == 200
    body = response.content.decode()
    plan_url = settings.SITE_URL + plan(camp)
    expected_svg = segno.make(plan_url, error="m").svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True
    )
    assert expected_svg in body
    (qr,) = tags(response, "div", **{"class": "screen-qr"})
    assert (qr["role"], qr["aria-label"]) == ("img", "QR code with the address of the plan")
    assert f"The plan on your phone: {plan_url}" in text(response)
    (clock,) = tags(response, "time", **{"data-screen-clock": None})
    assert clock["data-timezone"] == "Europe/Berlin"
    rooms = [Page(li).text for li in re.findall(r'<li class="screen-room.*?</li>', body, re.S)]
    assert rooms[0].startswith("Saal EG, links Now Offene Daten")
    assert "Next " + local(camp.following.start, camp.event) + " E-Akte" in rooms[0]
    assert "Hanna Host" not in body  # a screen without login shows no names
    assert tags(response, "main", **{"data-realtime-event": camp.event.slug}) != []


def test_screen_highlights_a_new_room_with_the_old_one(camp: Camp) -> None:
    _place(camp.e_file, camp.raum_b, camp.following, camp.moderator)

    response = client_of(None).get(screen(camp))

    body = response.content.decode()
    raum_b = Page(body[body.index(f'data-screen-room="{camp.raum_b.pk}"') :]).text
    assert "New room (before: Saal)" in raum_b
    assert tags(
        response, "li", **{"class": "screen-room has-change", "data-screen-room": str(camp.saal.pk)}
    )
    assert "“E-Akte” has moved to Raum B." in text(response)


def test_screen_fragment_is_the_live_part_only(camp: Camp) -> None:
    response = client_of(None).get(screen(camp, fragment="1"))

    body = response.content.decode()
    assert "<html" not in body
    (state,) = tags(response, "div", **{"data-plan-state": None})
    assert int(state["data-server-now"] or 0) > 0
    expected = int(camp.coffee.start.timestamp() * 1000)  # the next slot boundary
    assert state["data-next-change"] == str(expected)


def test_screen_of_another_day_and_bad_days(camp: Camp) -> None:
    tomorrow = Day.objects.create(event=camp.event, date=camp.day.date + datetime.timedelta(1))
    client = client_of(None)

    other = client.get(screen(camp, day=str(tomorrow.pk)))
    statuses = [
        client.get(screen(camp, day=value)).status_code
        for value in ("abc", str(EventFactory().days.get().pk), "9" * 30)
    ]

    assert "Nothing more today" in text(other)
    assert "Offene Daten" not in text(other)
    assert statuses == [404, 404, 404]


@pytest.mark.parametrize("name", ["scheduling:plan", "scheduling:plan-now", "scheduling:plan-mine"])
def test_plan_fragments_are_the_live_part_only(camp: Camp, name: str) -> None:
    response = client_of(camp.anna).get(en(name, slug=camp.event.slug) + "?fragment=1")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.startswith('<div class="plan-state" data-plan-state')


# --- Notices and the proposal page ----------------------------------------------------------------


def test_every_barcamp_page_has_the_notice_region_for_logged_in_people(camp: Camp) -> None:
    stream = groups.user_stream(camp.anna.pk)
    star_session(camp.e_file, actor=camp.anna, starred=True)
    _place(camp.e_file, camp.raum_b, camp.following, camp.moderator)  # one notice stored
    detail = en("events:event-detail", slug=camp.event.slug)

    for_anna = client_of(camp.anna).get(detail)
    for_anonymous = client_of(None).get(detail)

    (region,) = tags(for_anna, "div", **{"data-plan-notices": None})
    assert (region["data-stream"], region["data-since"]) == (stream, "1")
    assert tags(for_anonymous, "div", **{"data-plan-notices": None}) == []


def test_proposal_page_shows_its_place_in_the_plan_and_the_star(camp: Camp) -> None:
    path = en("proposals:proposal-detail", slug=camp.event.slug, pk=camp.open_data.pk)

    response = client_of(camp.anna).get(path)

    event = camp.event
    box = section(response, 'id="plan-proposal-heading"', "</section>")
    assert box.startswith(
        f"In the plan {date_format(camp.day.date, 'l')}, "
        f"{span(camp.current, event)} · Saal (EG, links)"
    )
    assert star_button(response, "p", camp.open_data)["aria-pressed"] == "false"


def test_proposal_page_hides_an_unpublished_place_and_shows_hosts_their_times(
    unpublished: Camp,
) -> None:
    path = en("proposals:proposal-detail", slug=unpublished.event.slug, pk=unpublished.e_file.pk)

    for_anna = client_of(unpublished.anna).get(path)
    for_host = client_of(unpublished.host).get(path)

    assert "In the plan" not in text(for_anna)
    assert "Tell us when you cannot host" not in text(for_anna)
    assert "Tell us when you cannot host" in text(for_host)


# --- Hosts' unavailable times ---------------------------------------------------------------------


def unavailable(camp: Camp) -> str:
    return en("scheduling:plan-unavailable", slug=camp.event.slug)


def test_host_marks_the_slots_they_cannot_host(unpublished: Camp) -> None:
    camp = unpublished
    client = client_of(camp.host)
    form = client.get(unavailable(camp))
    boxes = [t["value"] for t in tags(form, "input", type="checkbox")]

    response = client.post(unavailable(camp), {"slots": [camp.past.pk, camp.later.pk]})

    assert boxes == [str(s.pk) for s in (camp.past, camp.current, camp.following, camp.later)]
    assert "You host: E-Akte , Offene Daten" in text(form)
    assert (response.status_code, response["Location"]) == (302, unavailable(camp))
    assert set(Unavailability.objects.values_list("user", "slot")) == {
        (camp.host.pk, camp.past.pk),
        (camp.host.pk, camp.later.pk),
    }
    page = client.get(unavailable(camp))
    assert messages_of(page) == ["Thank you. Your times are saved."]
    assert [t["value"] for t in tags(page, "input", checked=None)] == [
        str(camp.past.pk),
        str(camp.later.pk),
    ]
    entry = AuditLogEntry.objects.get(action="unavailability.changed")
    assert entry.data == {"added": sorted([camp.past.pk, camp.later.pk]), "removed": []}

    client.post(unavailable(camp), {"slots": [camp.later.pk]})

    assert list(Unavailability.objects.values_list("slot", flat=True)) == [camp.later.pk]


def test_unavailable_times_for_someone_who_hosts_nothing(camp: Camp) -> None:
    client = client_of(camp.anna)

    page = client.get(unavailable(camp))
    response = client.post(unavailable(camp), {"slots": [camp.current.pk]})

    assert "You do not host a session in this barcamp" in text(page)
    assert tags(page, "input", type="checkbox") == []
    assert (response.status_code, response["Location"]) == (302, unavailable(camp))
    assert messages_of(client.get(unavailable(camp))) == [
        "Only people who host a session can mark times in which they cannot host."
    ]
    assert not Unavailability.objects.exists()


@pytest.mark.parametrize("bad", ["break", "foreign", "text"])
def test_unavailable_times_refuse_what_is_not_a_session_slot(camp: Camp, bad: str) -> None:
    value = {
        "break": str(camp.coffee.pk),
        "foreign": str(TimeSlotFactory().pk),
        "text": "zehn Uhr",
    }[bad]

    response = client_of(camp.host).post(unavailable(camp), {"slots": [camp.current.pk, value]})

    assert response.status_code == 400
    assert "Please check your input" in text(response)
    assert f"Select a valid choice. {value} is not one of the available choices." in text(response)
    (kept,) = tags(response, "input", checked=None)
    assert kept["value"] == str(camp.current.pk)  # what was ticked stays ticked
    assert not Unavailability.objects.exists()


def test_unavailable_times_need_login(camp: Camp) -> None:
    response = client_of(None).get(unavailable(camp))

    assert response.status_code == 302
    assert response["Location"].startswith(en("account_login"))


# --- The services ---------------------------------------------------------------------------------


def test_star_session_refuses_what_is_not_in_the_grid(camp: Camp) -> None:
    with pytest.raises(SchedulingError, match="“Noch offen” is not in the plan"):
        star_session(camp.backlog, actor=camp.anna, starred=True)

    assert star_session(camp.backlog, actor=camp.anna, starred=False) is False
    assert not Star.objects.exists()


def test_set_unavailability_refuses_slots_of_another_barcamp(camp: Camp) -> None:
    with pytest.raises(SchedulingError, match="not session slots of this barcamp"):
        set_unavailability(camp.event, actor=camp.host, slot_ids=[TimeSlotFactory().pk])

    assert not Unavailability.objects.exists()
    assert not AuditLogEntry.objects.filter(action="unavailability.changed").exists()


# --- Query counts ---------------------------------------------------------------------------------


def queries_for(client: CheckedClient, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "name",
    [
        "scheduling:plan",
        "scheduling:plan-now",
        "scheduling:plan-mine",
        "scheduling:plan-screen",
        "scheduling:plan-room",
    ],
)
def test_plan_pages_ask_the_same_number_of_queries_for_1_and_3_sessions(
    db: None, name: str
) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    event = EventFactory(days=[timezone.localdate()])
    day = event.days.get()
    moderator = UserFactory()
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    viewer = RegistrationFactory(event=event).user
    rooms = [RoomFactory(event=event, position=i) for i in range(3)]
    slot = _slot(day, now - 10 * MINUTE, 45)
    slot2 = _slot(day, now + 40 * MINUTE, 45)
    kwargs: dict[str, Any] = {"slug": event.slug}
    if name == "scheduling:plan-room":
        kwargs["pk"] = rooms[0].pk
    path = en(name, **kwargs)
    client = client_of(viewer)

    def add(room: Room, at: TimeSlot) -> None:
        proposal = ProposalFactory(event=event, state=ProposalState.PITCHED)
        _place(proposal, room, at, moderator)
        star_session(proposal, actor=viewer, starred=True)

    add(rooms[0], slot)
    publish_schedule(event, actor=moderator)
    queries_for(client, path)  # warm the session and the content-type cache
    with_1 = queries_for(client, path)
    add(rooms[1], slot)
    add(rooms[0], slot2)
    with_3 = queries_for(client, path)

    assert with_1 == with_3


def test_a_session_the_timekeeper_extended_stays_now_until_its_clock_runs_out(camp: Camp) -> None:
    # "Frühstart" began late in the Saal and was extended: its clock runs 10 more minutes
    SlotTimer.objects.create(
        event=camp.event,
        slot=camp.past,
        room=camp.saal,
        started_at=timezone.now() - 80 * MINUTE,
        ends_at=timezone.now() + 10 * MINUTE,
        extended_minutes=40,
        version=2,
    )
    client = client_of(camp.anna)

    now = client.get(en("scheduling:plan-now", slug=camp.event.slug))
    saal = client.get(room(camp, camp.saal))

    rows = [Page(row).text for row in re.findall(r"<tr>(.*?)</tr>", now.content.decode(), re.S)[1:]]
    assert rows[0].startswith("Saal Frühstart")
    assert "Offene Daten" in rows[0]  # next in the Saal: what was planned for now
    assert rows[1].startswith("Raum B KI im Amt")  # the other rooms follow the plan
    now_part = section(saal, 'id="room-now-heading"', 'id="room-next-heading"')
    assert now_part.startswith("Now Frühstart")
    assert f'data-countdown data-slot="{camp.past.pk}"' in saal.content.decode()
    next_part = section(saal, 'id="room-next-heading"', "All sessions in this room")
    assert next_part.startswith("Next Offene Daten")
