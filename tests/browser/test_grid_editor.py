"""The grid editor in the browser: a moderator builds a day's grid by keyboard only and with a
mouse, asks the planner for a suggestion and applies it, publishes the plan, and a second
moderator sees the changes live.

The server is the real ASGI app (uvicorn, in-memory hub); each moderator has their own browser
context. The new strings are tested in English (``/en/`` pages): their German translations are
still being written. Every page is checked with axe after each navigation and after the changes
that show new controls (choosing a session shows the "Place here" buttons).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import F
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
from unkonf.proposals.models import Interest, Proposal
from unkonf.scheduling.enums import SlotKind, SuggestionScope
from unkonf.scheduling.models import Schedule, ScheduleEntry, Suggestion
from unkonf.scheduling.services.suggestions import run_suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 10_000  # ms: another moderator's change must show within this
EN = "en-GB"
T = datetime.time
A, B, C = "Open Data im Landkreis", "Barrierefreie PDF-Formulare", "E-Akte: Erfahrungen"


def named(label: str, rest: str) -> re.Pattern[str]:
    """A button's name: its visible label, then what the hidden part adds (": Saal, 10:00…")."""
    return re.compile(rf"^{re.escape(label)} ?: {re.escape(rest)}$")


def connected(page: Page) -> None:
    """Wait until the page's websocket is open (the realtime module says so on <main>)."""
    expect(page.locator("main")).to_have_attribute("data-realtime-state", "open")


@pytest.fixture
def camp(db: None) -> dict[str, Any]:
    event = EventFactory(name="Barcamp Verwaltung digital", slug="verwaltung-digital")
    moderator = UserFactory(name="Mo Moderation")
    other = UserFactory(name="Nora Neumann")
    for user in (moderator, other):
        EventRoleFactory(event=event, user=user, role=Role.MODERATOR)
    day = event.days.get()
    rooms = [
        RoomFactory(event=event, name="Saal", capacity=60, position=0),
        RoomFactory(event=event, name="Raum B", capacity=20, position=1),
    ]
    slots = [
        TimeSlotFactory(day=day, start_time=T(10, 0)),
        TimeSlotFactory(day=day, start_time=T(11, 0)),
        TimeSlotFactory(day=day, start_time=T(12, 0), kind=SlotKind.BREAK, title="Lunch"),
        TimeSlotFactory(day=day, start_time=T(13, 0)),
    ]
    proposals = {}
    for title, host in zip((A, B, C), ("Hanna Host", "Ilja Ideen", "Jana Jansen"), strict=True):
        user = RegistrationFactory(event=event, user=UserFactory(name=host)).user
        proposals[title] = ProposalFactory(
            event=event, host=user, title=title, state=ProposalState.PITCHED
        )
    # Two people want A and B: the planner keeps those two apart
    for name in ("Anna Schmidt", "Ben Okafor"):
        fan = RegistrationFactory(event=event, user=UserFactory(name=name)).user
        for title in (A, B):
            Interest.objects.create(event=event, proposal=proposals[title], user=fan)
    for title in (A, B):
        Proposal.objects.filter(pk=proposals[title].pk).update(interest_count=2)
    return {
        "event": event,
        "day": day,
        "moderator": moderator,
        "other": other,
        "rooms": rooms,
        "slots": slots,
        "proposals": proposals,
    }


def open_editor(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
    user: Any,
) -> Page:
    page = new_page(locale=EN)
    login(page, user)
    page.goto(f"/en/{camp['event'].slug}/manage/grid/")
    expect(page).to_have_url(re.compile(rf"/en/{camp['event'].slug}/manage/grid/\d+/$"))
    connected(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Session grid")
    assert_accessible(page)
    return page


def places() -> dict[str, tuple[str, str, bool]]:
    return {
        e.proposal.title: (
            e.room.name,
            f"{e.slot.start.astimezone(e.event.zone):%H:%M}",
            e.pinned,
        )
        for e in ScheduleEntry.objects.select_related("proposal", "room", "slot", "event")
    }


def backlog(page: Page) -> Any:
    return page.get_by_role("region", name=re.compile(r"^Backlog"))


def cell(page: Page, room: int, slot: int, camp: dict[str, Any]) -> Any:
    return page.locator(
        f'[data-cell][data-room="{camp["rooms"][room].pk}"][data-slot="{camp["slots"][slot].pk}"]'
    )


def test_build_the_grid_by_keyboard_only(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    page = open_editor(new_page, login, assert_accessible, camp, camp["moderator"])
    feedback = page.locator("[data-grid-feedback]")
    expect(feedback).to_have_attribute("role", "status")
    expect(page.get_by_role("button", name=re.compile("^Place here"))).to_have_count(0)

    # Choose A in the backlog: the selection bar says what to do and takes the focus
    choose_a = page.get_by_role("button", name=named("Choose", A))
    choose_a.focus()
    page.keyboard.press("Enter")

    expect(choose_a).to_have_attribute("aria-pressed", "true")
    selection = page.locator("[data-selection-text]")
    expect(selection).to_be_focused()
    expect(selection).to_contain_text(f"Chosen: “{A}”. Now choose a cell in the grid")
    expect(page.get_by_role("button", name=re.compile("^Place here"))).to_have_count(6)
    assert_accessible(page)

    # From there, Tab leads past "Cancel" into the grid: the first free cell
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Cancel the choice")).to_be_focused()
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("button", name=named("Place here", "Saal, 10:00–10:45"))
    ).to_be_focused()
    page.keyboard.press("Enter")

    expect(feedback).to_have_text(re.compile(rf"^“{A}” is now in Saal, \w+ [\d.]+ 10:00\.$"))
    assert places() == {A: ("Saal", "10:00", False)}
    in_grid = cell(page, 0, 0, camp)
    expect(in_grid).to_contain_text(A)
    expect(in_grid.get_by_role("button", name=named("Choose", A))).to_be_focused()
    expect(page.get_by_role("button", name=re.compile("^Place here"))).to_have_count(0)
    expect(backlog(page).get_by_role("heading")).to_have_text("Backlog (2)")

    # B into Raum B at 11:00
    page.get_by_role("button", name=named("Choose", B)).focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name=named("Place here", "Raum B, 11:00–11:45")).focus()
    page.keyboard.press("Enter")

    expect(feedback).to_have_text(re.compile(rf"^“{B}” is now in Raum B, .* 11:00\.$"))
    assert places() == {A: ("Saal", "10:00", False), B: ("Raum B", "11:00", False)}

    # Escape cancels a choice and gives the focus back
    choose_c = page.get_by_role("button", name=named("Choose", C))
    choose_c.focus()
    page.keyboard.press("Enter")
    expect(choose_c).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")

    expect(choose_c).to_have_attribute("aria-pressed", "false")
    expect(choose_c).to_be_focused()
    expect(feedback).to_have_text("The choice is cancelled.")

    # Swap: A (in the grid) onto B's cell
    page.get_by_role("button", name=named("Choose", A)).focus()
    page.keyboard.press("Enter")
    swap = page.get_by_role("button", name=named("Swap here", f"Raum B, 11:00–11:45, “{B}”"))
    expect(page.get_by_role("button", name=re.compile("^Swap here"))).to_have_count(1)
    assert_accessible(page)
    swap.focus()
    page.keyboard.press("Enter")

    expect(feedback).to_have_text(f"“{A}” and “{B}” have swapped places.")
    assert places() == {A: ("Raum B", "11:00", False), B: ("Saal", "10:00", False)}
    expect(page.get_by_role("button", name=named("Choose", A))).to_be_focused()

    # Unplace A: back to the backlog, the focus goes with it
    page.get_by_role("button", name=named("To the backlog", A)).focus()
    page.keyboard.press("Enter")

    expect(feedback).to_have_text(f"“{A}” is back in the backlog.")
    expect(backlog(page).get_by_role("button", name=named("Choose", A))).to_be_focused()
    assert places() == {B: ("Saal", "10:00", False)}

    # Pin B
    page.get_by_role("button", name=named("Pin", B)).focus()
    page.keyboard.press("Enter")

    expect(feedback).to_have_text(f"“{B}” is pinned: the planner leaves it where it is.")
    expect(cell(page, 0, 0, camp)).to_contain_text("⚑ Pinned")
    expect(page.get_by_role("button", name=named("Unpin", B))).to_be_focused()
    assert places() == {B: ("Saal", "10:00", True)}
    assert_accessible(page)

    # Undo takes back the pin
    page.get_by_role("button", name="Undo my last change").focus()
    page.keyboard.press("Enter")

    expect(feedback).to_have_text("Your last change has been undone.")
    expect(page.get_by_role("button", name=named("Pin", B))).to_be_visible()
    assert places() == {B: ("Saal", "10:00", False)}
    assert_accessible(page)


def test_build_the_grid_by_drag_and_drop(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    page = open_editor(new_page, login, assert_accessible, camp, camp["moderator"])
    feedback = page.locator("[data-grid-feedback]")

    def handle(title: str) -> Any:
        return page.locator("[data-draggable]", has_text=title).locator(".grid-handle").first

    # From the backlog into a cell
    handle(A).drag_to(cell(page, 0, 0, camp))

    expect(feedback).to_have_text(re.compile(rf"^“{A}” is now in Saal, .* 10:00\.$"))
    expect(cell(page, 0, 0, camp)).to_contain_text(A)

    # From one cell into another
    handle(A).drag_to(cell(page, 1, 3, camp))

    expect(feedback).to_have_text(re.compile(rf"^“{A}” is now in Raum B, .* 13:00\.$"))
    assert places() == {A: ("Raum B", "13:00", False)}

    # From the backlog onto a taken cell: they swap, A goes back to the backlog
    handle(B).drag_to(cell(page, 1, 3, camp))

    expect(feedback).to_have_text(
        re.compile(rf"^“{B}” is now in Raum B, .* 13:00; “{A}” is back in the backlog\.$")
    )
    assert places() == {B: ("Raum B", "13:00", False)}

    # From a cell onto the backlog: out of the grid
    handle(B).drag_to(backlog(page).get_by_role("heading"))

    expect(feedback).to_have_text(f"“{B}” is back in the backlog.")
    expect(backlog(page).get_by_role("heading")).to_have_text("Backlog (3)")
    assert places() == {}
    assert_accessible(page)


def test_suggest_a_grid_apply_it_and_publish(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event = camp["event"]
    # A colleague's suggestion that the planner is still working on: the page shows progress
    working = Suggestion.objects.create(
        event=event,
        created_by=camp["other"],
        scope=SuggestionScope.ALL,
        day=camp["day"],
        time_budget=1,
        progress=0.4,
        figures={"missed": 2, "overflow": 0},
    )
    page = new_page(locale=EN)
    login(page, camp["moderator"])
    page.goto(f"/en/{event.slug}/manage/grid/suggestions/{working.pk}/")
    connected(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggested grid")
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "40")
    expect(page.get_by_role("progressbar")).to_have_accessible_name(re.compile(r"of 1 seconds$"))
    expect(page.get_by_text("Best so far: 2 missed wishes, overflow 0.")).to_be_visible()
    assert_accessible(page)

    # The planner finishes: the page shows the preview by itself; this one is discarded
    run_suggestion(working.pk)

    expect(page.get_by_role("heading", name="What the suggestion changes")).to_be_visible(
        timeout=LIVE
    )
    expect(page.locator("[data-suggestion-feedback]")).to_have_text("The suggestion is ready.")
    assert_accessible(page)
    page.get_by_role("button", name="Discard").click()

    expect(page.locator(".message-success")).to_have_text(
        "The suggestion has been discarded. The grid is unchanged."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Session grid")
    assert ScheduleEntry.objects.count() == 0
    assert_accessible(page)

    # Ask for one: only the sessions not yet in the grid, one second to think
    form = page.get_by_role("region", name="Suggest a grid")
    expect(form.get_by_label("Place only the sessions not yet in the grid")).to_be_checked()
    form.get_by_label("Time for planning (seconds)").fill("1")
    form.get_by_role("button", name="Suggest a grid").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Suggested grid")
    figures = page.get_by_role("table", name="Figures before and after the suggestion")
    expect(figures.get_by_role("row", name=re.compile("^Missed wishes"))).to_have_text(
        re.compile(r"Missed wishes\s*0\s*0")
    )
    expect(page.locator('[data-figure="moves"]')).to_have_text("3 sessions move or are placed.")
    moves = page.locator(".suggestion-moves li")
    expect(moves).to_have_count(3)
    expect(moves.first).to_contain_text("from the backlog → to")
    preview = page.get_by_role("table", name=re.compile("^Suggested grid for"))
    for title in (A, B, C):
        expect(preview).to_contain_text(title)
    assert ScheduleEntry.objects.count() == 0  # nothing changed before "Apply"
    assert_accessible(page)

    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Session grid")
    expect(page.locator(".message-success")).to_contain_text(
        "The suggestion has been applied: 3 sessions changed place."
    )
    expect(backlog(page)).to_contain_text("Every session is in the grid.")
    grid = places()
    assert sorted(grid) == sorted([A, B, C])
    assert grid[A][1] != grid[B][1]  # Anna and Ben miss nothing
    assert_accessible(page)

    # Publish: the explanation says what it means
    publication = page.get_by_role("region", name="Publication")
    expect(publication).to_contain_text("Not published")
    expect(publication).to_contain_text("every change is live at once for everyone")
    publication.get_by_role("button", name="Publish the plan").click()

    feedback = page.locator("[data-grid-feedback]")
    expect(feedback).to_have_text(
        "The plan is published. From now on every change is live for everyone."
    )
    expect(publication).to_contain_text("✓ Published since")
    expect(publication.get_by_role("button", name="Withdraw publication")).to_be_visible()
    expect(publication.get_by_role("heading")).to_be_focused()  # its text changed: read it
    assert Schedule.objects.get(event=camp["event"]).is_published
    assert_accessible(page)


def test_a_second_moderator_sees_changes_live_and_keeps_the_choice(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    mo = open_editor(new_page, login, assert_accessible, camp, camp["moderator"])
    nora = open_editor(new_page, login, assert_accessible, camp, camp["other"])
    # Nora has chosen C and is about to place it
    nora.get_by_role("button", name=named("Choose", C)).click()
    expect(nora.get_by_role("button", name=named("Choose", C))).to_have_attribute(
        "aria-pressed", "true"
    )

    # Mo places A with the form of the session ("room and time")
    entry = backlog(mo).locator("[data-entry]", has_text=A)
    entry.get_by_text("Choose room and time").click()
    entry.get_by_label("Room").select_option(label="Raum B")
    entry.get_by_label("Time").select_option(label="11:00–11:45")
    entry.get_by_role("button", name=named("Place", A)).click()
    expect(mo.locator("[data-grid-feedback]")).to_have_text(
        re.compile(rf"^“{A}” is now in Raum B, .* 11:00\.$")
    )

    # Nora's grid shows it at once, says who did it, and C is still chosen
    expect(cell(nora, 1, 1, camp)).to_contain_text(A, timeout=LIVE)
    expect(nora.locator("[data-grid-feedback]")).to_have_text(
        f"Mo Moderation changed the grid: “{A}”."
    )
    expect(nora.get_by_role("button", name=named("Choose", C))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(
        nora.get_by_role("button", name=named("Swap here", f"Raum B, 11:00–11:45, “{A}”"))
    ).to_be_visible()
    assert_accessible(nora)

    # Nora places C; Mo sees it
    nora.get_by_role("button", name=named("Place here", "Saal, 10:00–10:45")).click()
    expect(nora.locator("[data-grid-feedback]")).to_have_text(
        re.compile(rf"^“{C}” is now in Saal, .* 10:00\.$")
    )
    expect(cell(mo, 0, 0, camp)).to_contain_text(C, timeout=LIVE)
    expect(mo.locator("[data-grid-feedback]")).to_have_text(
        f"Nora Neumann changed the grid: “{C}”."
    )
    assert places() == {A: ("Raum B", "11:00", False), C: ("Saal", "10:00", False)}
    assert_accessible(mo)

    # A change whose message has not reached Nora yet: her next step on A is refused, nothing
    # is lost, and her editor shows the grid as it is now
    ScheduleEntry.objects.filter(proposal__title=A).update(version=F("version") + 1, pinned=True)
    nora.get_by_role("button", name=named("To the backlog", A)).click()

    expect(nora.locator("[data-grid-feedback]")).to_have_text(
        f"“{A}” has been changed by someone else in the meantime. "
        "The grid now shows the current state; nothing has been changed."
    )
    expect(cell(nora, 1, 1, camp)).to_contain_text("⚑ Pinned")
    assert places()[A] == ("Raum B", "11:00", True)
    assert_accessible(nora)

    # Nora chooses C, and Mo moves C meanwhile: her choice ends, and she is told why
    nora.get_by_role("button", name=named("Choose", C)).click()
    in_saal = cell(mo, 0, 0, camp)
    in_saal.get_by_text("Choose room and time").click()
    in_saal.get_by_label("Time").select_option(label="13:00–13:45")
    in_saal.get_by_role("button", name=named("Move", C)).click()

    expect(nora.locator("[data-grid-feedback]")).to_have_text(
        f"Mo Moderation changed the grid: “{C}”. “{C}” has been changed by someone else in "
        "the meantime. Please choose it again.",
        timeout=LIVE,
    )
    expect(nora.get_by_role("button", name=named("Choose", C))).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(nora.get_by_role("button", name=re.compile("^Place here"))).to_have_count(0)
    assert places()[C] == ("Saal", "13:00", False)
