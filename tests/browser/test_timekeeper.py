"""The timekeeper in the browser: the moderator starts, extends and ends a slot; the session's
page and the room's page count down the same second, live, with the signals.

The server is the real ASGI app (uvicorn, in-memory hub); each person has their own browser
context. Pages are in English (``/en/``); every page is checked with axe after each change.
Nothing here asserts on the wall clock: what two windows show is compared with each other, and
a slot's length decides which signal is due.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    RoomFactory,
    TimeSlotFactory,
    UserFactory,
)
from tests.pages import en
from unkonf.events.enums import Role
from unkonf.proposals.enums import ProposalState
from unkonf.scheduling.models import SlotTimer
from unkonf.scheduling.services.grid import place_entry, publish_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 5_000  # ms: a change must reach every window within this
EN = "en-GB"
TEN = "10 minutes left: time to write down results"
FIVE = "5 minutes left: time to write down results"
UP = "Time is up: please change rooms"


def connected(page: Page) -> None:
    expect(page.locator("main")).to_have_attribute("data-realtime-state", "open")


def open_page(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    user: Any,
    path: str,
) -> Page:
    page = new_page(locale=EN)
    login(page, user)
    page.goto(path)
    connected(page)
    assert_accessible(page)
    return page


def clock(page: Page) -> Locator:
    return page.locator("[data-countdown]").first


def seconds_of(text: str) -> int:
    minutes, secs = text.strip().split(":")
    return int(minutes) * 60 + int(secs)


def same_second(first: Page, second: Page) -> str:
    """Both windows show the same remaining time. Read twice: the second may tick between the
    two reads of a pair, but not between both pairs."""
    pairs = []
    for _ in range(2):
        pairs.append((clock(first).inner_text(), clock(second).inner_text()))
    assert any(a == b for a, b in pairs), pairs
    return next(a for a, b in pairs if a == b)


def wait_until_at_least(page: Page, limit: int) -> None:
    page.wait_for_function(
        """([limit]) => {
            const [m, s] = document.querySelector("[data-countdown]").textContent.split(":");
            return Number(m) * 60 + Number(s) >= limit;
        }""",
        arg=[limit],
        timeout=LIVE,
    )


@pytest.fixture
def camp(db: None) -> dict[str, Any]:
    """A published plan with sessions in two rooms, in slots that run right now."""
    now = timezone.now().replace(microsecond=0)
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    event = EventFactory(
        name="Barcamp Zeit", slug="barcamp-zeit", days=[now.astimezone(zone).date()]
    )
    day = event.days.get()
    moderator = UserFactory(name="Mo Moderation")
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    saal = RoomFactory(event=event, name="Saal", position=0)
    raum_b = RoomFactory(event=event, name="Raum B", position=1)
    return {
        "event": event,
        "day": day,
        "now": now,
        "moderator": moderator,
        "saal": saal,
        "raum_b": raum_b,
        "anna": RegistrationFactory(event=event, user=UserFactory(name="Anna Schmidt")).user,
        "ben": RegistrationFactory(event=event, user=UserFactory(name="Ben Okafor")).user,
    }


def session_in(camp: dict[str, Any], room: Any, title: str, start: Any, minutes: int) -> Any:
    slot = TimeSlotFactory(
        day=camp["day"], start=start, end=start + datetime.timedelta(minutes=minutes)
    )
    proposal = ProposalFactory(event=camp["event"], state=ProposalState.PITCHED, title=title)
    place_entry(proposal, room=room, slot=slot, actor=camp["moderator"], expected_version=0)
    return slot, proposal


def test_the_countdown_agrees_to_the_second_in_two_windows_and_follows_the_timekeeper(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event, saal = camp["event"], camp["saal"]
    slot, proposal = session_in(
        camp, saal, "Open Data im Landkreis", camp["now"] - datetime.timedelta(minutes=2), 45
    )
    publish_schedule(event, actor=camp["moderator"])
    mod = open_page(
        new_page,
        login,
        assert_accessible,
        camp["moderator"],
        en("scheduling:timekeeper", slug=event.slug),
    )
    session_page = open_page(
        new_page,
        login,
        assert_accessible,
        camp["anna"],
        en("proposals:proposal-detail", slug=event.slug, pk=proposal.pk),
    )
    room_page = open_page(
        new_page,
        login,
        assert_accessible,
        camp["ben"],
        en("scheduling:plan-room", slug=event.slug, pk=saal.pk),
    )
    expect(session_page.get_by_role("heading", name="Time for this session")).to_be_visible()
    for page in (session_page, room_page):
        expect(page.locator("[data-countdown-label]").first).to_have_text("Not started yet")
    feedback = mod.locator("[data-timekeeper-feedback]")
    slot_card = mod.locator(f"#slot-{slot.pk}")

    # Start for all rooms: both windows count down from the same server time
    slot_card.get_by_role("button", name=re.compile(r"^Start ?: .* \(all rooms\)$")).click()

    expect(feedback).to_contain_text("(all rooms) has started. It ends at")
    expect(slot_card.get_by_role("button", name=re.compile(r"^Start again ?: "))).to_be_focused()
    expect(slot_card.locator(".timekeeper-late").first).to_have_text(
        re.compile(r"^started [23] min late$")
    )
    for page in (session_page, room_page):
        expect(clock(page)).to_have_text(re.compile(r"^4[34]:\d\d$"), timeout=LIVE)
        expect(page.locator("[data-countdown-label]").first).to_have_text("Time left")
        expect(page.locator("[data-countdown-note]").first).to_have_text(
            re.compile(r"^ends at \d\d:\d\d$")
        )
    shown = same_second(session_page, room_page)
    expect(clock(session_page)).not_to_have_text(shown, timeout=LIVE)  # it counts down
    same_second(session_page, room_page)
    for page in (mod, session_page, room_page):
        assert_accessible(page)

    # Extend by 5 minutes: both windows jump ahead together
    before = seconds_of(clock(session_page).inner_text())
    extend = slot_card.locator("form.timekeeper-extend").first
    extend.get_by_label(re.compile(r"^Extend by")).fill("5")
    extend.get_by_role("button", name=re.compile(r"^Extend ?: ")).click()

    expect(feedback).to_contain_text("is extended by 5 min. It now ends at")
    for page in (session_page, room_page):
        wait_until_at_least(page, before + 5 * 60 - 10)
    shown = same_second(session_page, room_page)
    assert before + 4 * 60 < seconds_of(shown) <= before + 5 * 60
    timer = SlotTimer.objects.get(slot=slot, room=None)
    assert (timer.extended_minutes, timer.version) == (5, 2)
    assert_accessible(mod)

    # End: time is up everywhere, said once in each window's live region
    slot_card.get_by_role("button", name=re.compile(r"^End ?: .* \(all rooms\)$")).click()

    expect(feedback).to_contain_text("has ended: time to change rooms.")
    for page in (session_page, room_page):
        expect(page.locator("[data-countdown-signal]").first).to_be_visible(timeout=LIVE)
        expect(page.locator("[data-countdown-signal]").first).to_have_text(f"! {UP}")
        expect(clock(page)).to_have_text("0:00")
        expect(page.locator("[data-countdown-announcer]")).to_have_text(UP)
        expect(page.locator("[data-countdown-announcer]")).to_have_attribute("role", "status")
    expect(slot_card.locator(".timekeeper-status strong").first).to_have_text(
        re.compile(r"^Ended at \d\d:\d\d$")
    )
    for page in (mod, session_page, room_page):
        assert_accessible(page)


def test_the_signals_at_10_and_5_minutes_appear_and_are_announced(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event, saal, raum_b = camp["event"], camp["saal"], camp["raum_b"]
    start = camp["now"] - datetime.timedelta(minutes=1)
    # 8 minutes long: started now, less than 10 minutes are left at once
    short, short_session = session_in(camp, saal, "Kurz und knapp", start, 8)
    # 4 minutes long, in the other room: less than 5 minutes left at once
    shorter, shorter_session = session_in(camp, raum_b, "Blitzlicht", start, 4)
    publish_schedule(event, actor=camp["moderator"])
    mod = open_page(
        new_page,
        login,
        assert_accessible,
        camp["moderator"],
        en("scheduling:timekeeper", slug=event.slug),
    )
    ten_page = open_page(
        new_page,
        login,
        assert_accessible,
        camp["anna"],
        en("proposals:proposal-detail", slug=event.slug, pk=short_session.pk),
    )
    five_page = open_page(
        new_page,
        login,
        assert_accessible,
        camp["ben"],
        en("proposals:proposal-detail", slug=event.slug, pk=shorter_session.pk),
    )
    for page in (ten_page, five_page):
        expect(page.locator("[data-countdown-signal]")).to_be_hidden()

    mod.locator(f"#slot-{short.pk}").get_by_role(
        "button", name=re.compile(r"^Start ?: .* \(all rooms\)$")
    ).click()

    signal = ten_page.locator("[data-countdown-signal]")
    expect(signal).to_be_visible(timeout=LIVE)
    expect(signal).to_have_text(f"! {TEN}")
    expect(ten_page.locator(".countdown")).to_have_class(re.compile(r"\bcountdown-ten\b"))
    expect(ten_page.locator("[data-countdown-announcer]")).to_have_text(TEN)
    expect(clock(ten_page)).to_have_text(re.compile(r"^7:\d\d$"))
    expect(five_page.locator("[data-countdown-signal]")).to_be_hidden()  # another slot
    assert_accessible(ten_page)

    # A room on its own clock: the moderator opens the slot's rooms and starts Raum B only
    card = mod.locator(f"#slot-{shorter.pk}")
    card.locator("summary").click()
    card.get_by_role("button", name=re.compile(r"^Start ?: .* in Raum B$")).click()

    expect(mod.locator("[data-timekeeper-feedback]")).to_contain_text("in Raum B has started.")
    signal = five_page.locator("[data-countdown-signal]")
    expect(signal).to_be_visible(timeout=LIVE)
    expect(signal).to_have_text(f"! {FIVE}")
    expect(five_page.locator("[data-countdown-announcer]")).to_have_text(FIVE)
    expect(clock(five_page)).to_have_text(re.compile(r"^3:\d\d$"))
    expect(card.locator("details")).to_have_attribute("open", "")  # still open after the swap
    expect(
        card.get_by_role("button", name=re.compile(r"^Start again ?: .* in Raum B$"))
    ).to_be_focused()
    for page in (mod, five_page):
        assert_accessible(page)
