"""The published plan in the browser: a participant's plan, the hallway screen, a session that
moves while both are open, and the notice for the person who starred it.

The server is the real ASGI app (uvicorn, in-memory hub); each viewer has their own browser
context. The moderator moves the session through the grid's service, as the grid editor does.
The barcamp runs today, its slots built around the real time of the test. English pages
(``/en/``); every page is checked with axe after each navigation and each live change.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from unkonf.events.enums import Role
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Proposal
from unkonf.scheduling.models import ScheduleEntry
from unkonf.scheduling.services.grid import place_entry, publish_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 10_000  # ms: a change must reach every open page within this
EN = "en-GB"
MINUTE = datetime.timedelta(minutes=1)
#: the star's name: "My plan" and the session's title (a visually hidden part, which Chromium
#: joins with a space)
STAR_E_FILE = re.compile(r"^My plan ?: E-Akte$")


def connected(page: Page) -> None:
    """Wait until the page's websocket is open (the realtime module says so on <main>)."""
    expect(page.locator("main")).to_have_attribute("data-realtime-state", "open")


def move(proposal: Proposal, room: Any, slot: Any, actor: Any) -> None:
    version = ScheduleEntry.objects.get(proposal=proposal).version
    place_entry(proposal, room=room, slot=slot, actor=actor, expected_version=version)


@pytest.fixture
def camp(db: None) -> dict[str, Any]:
    now = timezone.now().replace(second=0, microsecond=0)
    event = EventFactory(
        name="Barcamp Verwaltung digital", slug="verwaltung-digital", days=[timezone.localdate()]
    )
    day = event.days.get()
    moderator = UserFactory(name="Mo Moderation")
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    anna = RegistrationFactory(event=event, user=UserFactory(name="Anna Schmidt", language="en"))
    saal = RoomFactory(event=event, name="Saal", capacity=80, position=0)
    raum_b = RoomFactory(event=event, name="Raum B", capacity=20, position=1)
    current = TimeSlotFactory(day=day, start=now - 20 * MINUTE, end=now + 25 * MINUTE)
    following = TimeSlotFactory(day=day, start=now + 40 * MINUTE, end=now + 85 * MINUTE)
    proposals = {}
    for title, room, slot in (
        ("Offene Daten", saal, current),
        ("KI im Amt", raum_b, current),
        ("E-Akte", saal, following),
    ):
        proposal = ProposalFactory(event=event, title=title, state=ProposalState.PITCHED)
        place_entry(proposal, room=room, slot=slot, actor=moderator, expected_version=0)
        proposals[title] = proposal
    publish_schedule(event, actor=moderator)
    return {
        "event": event,
        "moderator": moderator,
        "anna": anna.user,
        "saal": saal,
        "raum_b": raum_b,
        "current": current,
        "following": following,
        "proposals": proposals,
    }


def test_a_moved_session_shows_live_in_the_plan_on_the_screen_and_as_a_notice(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    slug = camp["event"].slug
    e_file = camp["proposals"]["E-Akte"]
    was = camp["following"].start.astimezone(camp["event"].zone).strftime("%H:%M")

    # Anna opens the plan of today and stars "E-Akte"
    anna = new_page(locale=EN)
    login(anna, camp["anna"])
    anna.goto(f"/en/{slug}/plan/")
    connected(anna)
    expect(anna.get_by_role("heading", level=1)).to_contain_text("Plan: ")
    table = anna.get_by_role("table", name="Sessions by room and time")
    expect(table.get_by_role("columnheader")).to_have_text(["Time", "Saal", "Raum B"])
    assert_accessible(anna)
    star = anna.get_by_role("button", name=STAR_E_FILE)
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(star).to_be_focused()
    assert_accessible(anna)

    # The hallway screen, without a login
    screen = new_page(locale=EN)
    screen.goto(f"/en/{slug}/plan/screen/")
    connected(screen)
    saal_card = screen.locator(f'[data-screen-room="{camp["saal"].pk}"]')
    raum_b_card = screen.locator(f'[data-screen-room="{camp["raum_b"].pk}"]')
    expect(saal_card).to_contain_text("Offene Daten")
    expect(saal_card.locator(".screen-next")).to_contain_text("E-Akte")
    expect(raum_b_card.locator(".screen-next")).to_contain_text("Nothing more today")
    expect(screen.get_by_role("img", name="QR code with the address of the plan")).to_be_visible()
    assert_accessible(screen)

    # The moderator moves "E-Akte" to Raum B
    move(e_file, camp["raum_b"], camp["following"], camp["moderator"])

    moved_cell = table.get_by_role("cell").filter(has_text="E-Akte")
    expect(moved_cell).to_contain_text(f"Moved from Saal, {was}", timeout=LIVE)
    expect(table.get_by_role("row").filter(has_text="E-Akte").get_by_role("cell")).to_have_text(
        ["free", re.compile(r"^\s*E-Akte")]
    )
    expect(raum_b_card.locator(".screen-next")).to_contain_text("E-Akte", timeout=LIVE)
    expect(raum_b_card).to_contain_text("New room (before: Saal)")
    expect(saal_card).to_contain_text("“E-Akte” has moved to Raum B.")
    assert_accessible(screen)

    # Anna, who starred it, gets a notice at once, with a link to the session
    notice = anna.locator("[data-notice-list] li")
    expect(notice).to_contain_text(
        re.compile(r"Session moved “E-Akte” has moved: now Raum B, \w+ \d+\.\d+\. " + was),
        timeout=LIVE,
    )
    expect(anna.locator("[data-notice-news]")).to_have_attribute("role", "status")
    expect(star).to_be_focused()  # the live update kept her place
    expect(notice.get_by_role("link", name="Show the session")).to_have_attribute(
        "href", f"/en/{slug}/proposals/{e_file.pk}/"
    )
    assert_accessible(anna)
    notice.get_by_role("button", name=re.compile(r"^Dismiss ?: E-Akte$")).click()
    expect(notice).to_have_count(0)
    expect(anna.locator("main")).to_be_focused()
    moved_cell.get_by_role("link", name="E-Akte").click()

    expect(anna.get_by_role("heading", level=1)).to_have_text("E-Akte")
    place = anna.locator(".plan-proposal")
    expect(place).to_contain_text("Raum B")
    expect(place).to_contain_text(f"Moved from Saal, {was}")
    expect(place.get_by_role("button", name=STAR_E_FILE)).to_have_attribute("aria-pressed", "true")
    assert_accessible(anna)

    # From the plan to the exports: her private calendar feed of what she starred
    anna.goto(f"/en/{slug}/plan/")
    anna.get_by_role("link", name="Calendar, print and exports").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Export and print the plan")
    assert_accessible(anna)


def test_the_screen_keeps_the_last_plan_while_it_cannot_fetch_and_catches_up(
    new_page: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    slug = camp["event"].slug
    screen = new_page(locale=EN)
    screen.goto(f"/en/{slug}/plan/screen/")
    connected(screen)
    raum_b_next = screen.locator(f'[data-screen-room="{camp["raum_b"].pk}"] .screen-next')
    expect(raum_b_next).to_contain_text("Nothing more today")
    assert_accessible(screen)
    fragment = re.compile(r".*/plan/screen/\?fragment=1.*")
    screen.route(fragment, lambda route: route.abort())

    move(camp["proposals"]["E-Akte"], camp["raum_b"], camp["following"], camp["moderator"])

    offline = screen.locator("[data-screen-offline]")
    expect(offline).to_contain_text(re.compile(r"^No connection since \d\d:\d\d\. "), timeout=LIVE)
    expect(raum_b_next).to_contain_text("Nothing more today")  # the last good content stays
    assert_accessible(screen)

    screen.unroute(fragment)
    move(camp["proposals"]["E-Akte"], camp["saal"], camp["following"], camp["moderator"])
    move(camp["proposals"]["KI im Amt"], camp["raum_b"], camp["following"], camp["moderator"])

    expect(raum_b_next).to_contain_text("KI im Amt", timeout=LIVE)
    expect(offline).to_be_hidden()
    assert_accessible(screen)
