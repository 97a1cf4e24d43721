"""The pitch in the browser: a moderator, the big screen and participants' phones, all live.

The server is the real ASGI app (uvicorn, in-memory hub); each person has their own browser
context. The new strings are tested in English (``/en/`` pages): their German translations are
still being written. Every page is checked with axe after each navigation and live change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    UserFactory,
)
from unkonf.events.enums import Role
from unkonf.events.models import Event
from unkonf.proposals import services
from unkonf.proposals.enums import PitchState, ProposalState
from unkonf.proposals.models import Pitch, Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 5_000  # ms: a change must reach every screen within this
EN = "en-GB"
TITLES = ("Open Data im Landkreis", "Barrierefreie PDF-Formulare", "E-Akte: Erfahrungen")
IM_IN = re.compile(r"^I'm in")


def connected(page: Page) -> None:
    """Wait until the page's websocket is open (the realtime module says so on <main>)."""
    expect(page.locator("main")).to_have_attribute("data-realtime-state", "open")


def open_page(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    user: Any,
    path: str,
) -> Page:
    page = new_page(locale=EN)
    if user is not None:
        login(page, user)
    page.goto(path)
    connected(page)
    assert_accessible(page)
    return page


def seconds_of(text: str) -> int:
    """ "1:05" -> 65"""
    minutes, secs = text.strip().split(":")
    return int(minutes) * 60 + int(secs)


def seconds(timer: Locator) -> int:
    return seconds_of(timer.inner_text())


def expect_queue(page: Page, titles: list[str]) -> None:
    """The queue shows exactly these proposals, in this order (each with its hosts' names)."""
    expect(page.locator("[data-queue] .queue-title")).to_have_text(
        [re.compile("^" + re.escape(title) + r"( – .*)?\s*$") for title in titles]
    )


@pytest.fixture
def camp(db: None) -> dict[str, Any]:
    event = EventFactory(name="Barcamp Verwaltung digital", slug="verwaltung-digital")
    moderator = UserFactory(name="Mo Moderation")
    EventRoleFactory(event=event, user=moderator, role=Role.MODERATOR)
    proposals = [
        ProposalFactory(
            event=event, host=RegistrationFactory(event=event, user=UserFactory(name=name)).user
        )
        for name in ("Hanna Host", "Ilja Ideen", "Jana Jansen")
    ]
    for proposal, title in zip(proposals, TITLES, strict=True):
        proposal.title = title
        proposal.save(update_fields=["title"])
    anna = RegistrationFactory(event=event, user=UserFactory(name="Anna Schmidt")).user
    ben = RegistrationFactory(event=event, user=UserFactory(name="Ben Okafor")).user
    return {
        "event": event,
        "moderator": moderator,
        "proposals": proposals,
        "anna": anna,
        "ben": ben,
    }


def test_the_pitch_live_on_screen_phones_and_for_the_moderator(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event: Event = camp["event"]
    first, second, third = TITLES
    mod = open_page(
        new_page, login, assert_accessible, camp["moderator"], f"/en/{event.slug}/manage/pitch/"
    )
    expect(mod.get_by_role("heading", level=1)).to_have_text("Run the pitch")
    screen = open_page(new_page, login, assert_accessible, None, f"/en/{event.slug}/pitch/screen/")
    expect(screen.get_by_role("heading", level=1)).to_have_text("The pitch starts soon")
    phones = [
        open_page(new_page, login, assert_accessible, camp[who], f"/en/{event.slug}/pitch/")
        for who in ("anna", "ben")
    ]
    for phone in phones:
        expect(phone.locator(".pitch-title")).to_have_text("The pitch starts soon")
    feedback = mod.locator("[data-pitch-feedback]")

    # Open the pitch: the queue is every submitted proposal, in order of submission
    mod.get_by_role("button", name="Open the pitch").click()

    expect(feedback).to_have_text("The pitch is open.")
    expect(feedback).to_have_attribute("role", "status")
    expect_queue(mod, [first, second, third])
    expect(screen.get_by_role("heading", level=1)).to_have_text("The pitch is on", timeout=LIVE)
    expect(screen.locator(".pitch-next")).to_have_text(f"Next: {first}")
    assert_accessible(mod)
    assert_accessible(screen)

    # The first pitch: its title everywhere at once, and the timer runs
    mod.get_by_role("button", name="Start the next pitch").click()

    expect(feedback).to_have_text(f"Now pitching: {first}")
    expect(screen.get_by_role("heading", level=1)).to_have_text(first, timeout=LIVE)
    expect(screen.locator(".pitch-host")).to_have_count(0)  # no names for anonymous screens
    for phone in phones:
        expect(phone.locator(".pitch-title")).to_have_text(first, timeout=LIVE)
        expect(phone.locator(".pitch-host")).to_have_count(0)  # the message carries no names
        expect(phone.locator("[data-pitch-news]")).to_have_text(f"Now pitching: {first}")
    timer = screen.get_by_role("timer")
    expect(timer).to_have_accessible_name("Time left for this pitch")
    expect(timer).to_have_text(re.compile(r"^[01]:\d\d$"))
    before = timer.inner_text()
    expect(timer).not_to_have_text(before, timeout=LIVE)
    assert seconds(timer) < seconds_of(before)
    on_phones = [seconds(phone.get_by_role("timer")) for phone in phones]
    assert abs(on_phones[0] - on_phones[1]) <= 1, on_phones
    assert abs(on_phones[0] - seconds(timer)) <= 1
    assert_accessible(screen)
    for phone in phones:
        assert_accessible(phone)
    assert_accessible(mod)

    # Participants tap "I'm in": the big screen counts along
    count_on_screen = screen.locator(".pitch-count-number")
    expect(count_on_screen).to_have_text("0")
    for number, phone in enumerate(phones, start=1):
        button = phone.get_by_role("button", name=IM_IN)
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(count_on_screen).to_have_text(str(number), timeout=LIVE)
    expect(mod.locator(".pitch-figures-small [data-interest-count]")).to_have_text("2")
    assert_accessible(phones[0])
    assert_accessible(screen)

    # More time: the screens count on from half a minute later
    left = seconds(timer)
    mod.get_by_role("button", name="+30 seconds").click()

    expect(feedback).to_have_text("The timer is extended.")
    screen.wait_for_function(
        """([limit]) => {
            const [m, s] = document.querySelector("[data-timer]").textContent.split(":");
            return Number(m) * 60 + Number(s) >= limit;
        }""",
        arg=[left + 20],
        timeout=LIVE,
    )
    expect(mod.get_by_role("button", name="+30 seconds")).to_be_focused()
    assert_accessible(mod)

    # Done, next: the second proposal takes the stage; the first is in the backlog
    mod.get_by_role("button", name="Done – next pitch").click()

    expect(feedback).to_have_text(f"Now pitching: {second}")
    expect(screen.get_by_role("heading", level=1)).to_have_text(second, timeout=LIVE)
    expect(count_on_screen).to_have_text("0")
    for phone in phones:
        expect(phone.locator(".pitch-title")).to_have_text(second, timeout=LIVE)
        expect(phone.get_by_role("button", name=IM_IN)).to_have_attribute("aria-pressed", "false")
    # Ben tapped last on his phone: he is still on the button, now for the new proposal
    expect(phones[1].get_by_role("button", name=IM_IN)).to_be_focused()
    expect(phones[1].get_by_role("button", name=IM_IN)).to_have_accessible_name(
        re.compile(rf"^I'm in ?: {re.escape(second)}$")
    )
    pitched = mod.get_by_role("table", name="Pitched proposals with their interest")
    expect(pitched.get_by_role("row", name=first)).to_contain_text("2")
    expect_queue(mod, [third])
    assert_accessible(mod)
    assert_accessible(screen)
    assert_accessible(phones[1])

    # A spontaneous proposal from the hall joins the end of the queue
    spontaneous = mod.get_by_role("region", name="Add a spontaneous proposal")
    spontaneous.get_by_label("Title").fill("Verwaltungs-Memes – ernsthaft?")
    spontaneous.get_by_label("Host's name").fill("Kim aus dem Publikum")
    spontaneous.get_by_role("button", name="Add to the queue", exact=True).click()

    expect(feedback).to_have_text("“Verwaltungs-Memes – ernsthaft?” is in the queue.")
    expect(mod.locator("[data-queue] .pitch-queue-item")).to_have_count(2)
    expect(mod.locator("[data-queue] .pitch-queue-item").last).to_contain_text(
        "Verwaltungs-Memes – ernsthaft?"
    )
    expect(spontaneous.get_by_label("Title")).to_have_value("")
    expect(spontaneous.get_by_label("Title")).to_be_focused()
    assert_accessible(mod)
    spontaneous_proposal = Proposal.objects.get(title="Verwaltungs-Memes – ernsthaft?")
    assert (spontaneous_proposal.host_name, spontaneous_proposal.queue_position) == (
        "Kim aus dem Publikum",
        2,
    )

    # Close the pitch (after the confirmation): the phones say so, and offer no tap any more
    mod.on("dialog", lambda dialog: dialog.accept())
    mod.get_by_role("button", name="Close the pitch").click()

    expect(feedback).to_have_text("The pitch is closed. Interest is fixed for planning.")
    expect(screen.get_by_role("heading", level=1)).to_have_text("The pitch is over", timeout=LIVE)
    for phone in phones:
        expect(phone.locator(".pitch-title")).to_have_text("The pitch is over", timeout=LIVE)
        expect(phone.get_by_role("button", name=IM_IN)).to_have_count(0)
    expect(phones[1].locator(".pitch-title")).to_be_focused()  # not thrown back to the top
    assert_accessible(mod)
    assert_accessible(screen)
    assert_accessible(phones[0])
    pitch = Pitch.objects.get(event=event)
    assert pitch.state == PitchState.CLOSED
    assert list(
        Proposal.objects.filter(event=event).order_by("pk").values_list("state", "interest_count")
    ) == [
        (ProposalState.PITCHED, 2),
        (ProposalState.PITCHED, 0),
        (ProposalState.SUBMITTED, 0),
        (ProposalState.SUBMITTED, 0),
    ]

    # A fresh look at the phone: the pitched proposals with their counts, nothing to tap
    phones[0].reload()
    connected(phones[0])
    expect(phones[0].locator(".pitch-title")).to_have_text("The pitch is over")
    already = phones[0].get_by_role("region", name="Already pitched")
    expect(already.locator(".proposal-card")).to_have_count(2)
    expect(phones[0].get_by_role("button", name=IM_IN)).to_have_count(0)
    assert_accessible(phones[0])


def test_reorder_the_queue_by_keyboard_and_by_drag_and_drop(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event: Event = camp["event"]
    first, second, third = TITLES
    services.open_pitch(event, actor=camp["moderator"])
    mod = open_page(
        new_page, login, assert_accessible, camp["moderator"], f"/en/{event.slug}/manage/pitch/"
    )
    feedback = mod.locator("[data-pitch-feedback]")
    expect_queue(mod, [first, second, third])
    entry = mod.locator("[data-queue-item]", has_text=first)
    down = entry.get_by_role("button", name=re.compile(r"^Down"))

    # Keyboard only: focus "Down" of the first entry and press Enter
    down.focus()
    mod.keyboard.press("Enter")

    expect(feedback).to_have_text(f"“{first}” is now number 2 in the queue.")
    expect_queue(mod, [second, first, third])
    expect(down).to_be_focused()  # the same entry's button, in the new place
    assert_accessible(mod)

    mod.keyboard.press("Space")  # again: further down, to the end

    expect(feedback).to_have_text(f"“{first}” is now number 3 in the queue.")
    expect_queue(mod, [second, third, first])
    expect(down).to_be_disabled()  # the last one cannot go further …
    expect(entry.get_by_role("button", name=re.compile(r"^Up"))).to_be_focused()  # … but up
    assert_accessible(mod)

    mod.keyboard.press("Enter")  # and up again, still by keyboard

    expect(feedback).to_have_text(f"“{first}” is now number 2 in the queue.")
    expect_queue(mod, [second, first, third])
    assert list(
        Proposal.objects.filter(event=event, queue_position__isnull=False)
        .order_by("queue_position")
        .values_list("title", flat=True)
    ) == [second, first, third]

    # With a mouse: drag the last entry onto the top half of the first
    queue = mod.locator("[data-queue]")
    queue.evaluate("list => list.scrollIntoView({block: 'center'})")  # no scrolling mid-drag
    handle = queue.locator("[data-queue-item]", has_text=third).locator(".queue-handle")
    handle.drag_to(
        queue.locator("[data-queue-item]", has_text=second), target_position={"x": 20, "y": 3}
    )

    expect(feedback).to_have_text(f"“{third}” is now number 1 in the queue.")
    expect_queue(mod, [third, second, first])
    assert_accessible(mod)
