"""Live pages in the browser: two people chatting, a dropped connection, announcements, presence.

The server is the real ASGI app (uvicorn, in-memory hub); each person has their own browser
context. Every page is checked with axe, after each navigation and after the live changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from tests.factories import EventFactory, RegistrationFactory, RoomFactory, UserFactory
from unkonf.chat.models import ChatMessage
from unkonf.events.models import Announcement, Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 10_000  # ms: what is sent must show within this


def t(text: str, language: str = "de") -> str:
    with translation.override(language):
        return str(translation.gettext(text))


def log_of(page: Page) -> Locator:
    return page.get_by_role("log")


def write(page: Page, text: str) -> None:
    page.get_by_label(re.compile(t("your message"), re.IGNORECASE)).fill(text)
    page.get_by_role("button", name=t("Send"), exact=True).click()


def connected(page: Page) -> None:
    """Wait until the page's websocket is open (the realtime module says so on <main>)."""
    expect(page.locator("main")).to_have_attribute("data-realtime-state", "open")


@pytest.fixture
def camp(db: None) -> dict[str, Any]:
    organiser = UserFactory(name="Olga Organisatorin")
    event = EventFactory(
        name="Barcamp Verwaltung digital", slug="verwaltung-digital", organiser=organiser
    )
    room = RoomFactory(event=event, name="Ratssaal")
    anna = RegistrationFactory(event=event, user=UserFactory(name="Anna Schmidt")).user
    ben = RegistrationFactory(
        event=event, user=UserFactory(name="Ben Okafor"), public_listing=True
    ).user
    return {"event": event, "room": room, "organiser": organiser, "anna": anna, "ben": ben}


def open_as(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    user: Any,
    path: str,
) -> Page:
    page = new_page(locale="de-DE")
    login(page, user)
    page.goto(path)
    connected(page)
    assert_accessible(page)
    return page


def test_two_people_chat_live(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event: Event = camp["event"]
    anna = open_as(new_page, login, assert_accessible, camp["anna"], f"/{event.slug}/")
    anna.get_by_role("link", name=t("Chat with everyone at the barcamp")).click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(t("Chat: lobby"))
    connected(anna)
    assert_accessible(anna)
    ben = open_as(new_page, login, assert_accessible, camp["ben"], f"/{event.slug}/chat/")

    write(anna, "Guten Morgen! Wer ist schon im **Ratssaal**?")

    expect(log_of(ben)).to_contain_text("Guten Morgen! Wer ist schon im Ratssaal?", timeout=LIVE)
    expect(log_of(ben).locator("strong")).to_have_text("Ratssaal")
    expect(log_of(ben)).to_contain_text("Anna Schmidt")
    expect(log_of(anna)).to_contain_text("Guten Morgen!")
    expect(anna.get_by_label(re.compile(t("your message"), re.IGNORECASE))).to_have_value("")
    assert_accessible(ben)

    write(ben, "Ich bin gleich da.")

    expect(log_of(anna)).to_contain_text("Ich bin gleich da.", timeout=LIVE)
    assert_accessible(anna)
    assert list(ChatMessage.objects.order_by("pk").values_list("author__name", "text")) == [
        ("Anna Schmidt", "Guten Morgen! Wer ist schon im **Ratssaal**?"),
        ("Ben Okafor", "Ich bin gleich da."),
    ]

    # Anna takes her first message back (from a fresh page, where it has its actions):
    # it disappears from Ben's page at once.
    anna.reload()
    connected(anna)
    assert_accessible(anna)
    first = anna.locator("article", has_text="Guten Morgen!")
    first.get_by_text(t("Actions")).click()
    first.get_by_role("button", name=t("Delete message")).click()
    expect(anna.locator("[data-chat-feedback]")).to_have_text(t("The message has been deleted."))

    expect(log_of(ben)).not_to_contain_text("Guten Morgen!", timeout=LIVE)
    expect(log_of(ben)).to_contain_text("Ich bin gleich da.")
    expect(log_of(anna)).not_to_contain_text("Guten Morgen!")
    assert_accessible(anna)
    assert_accessible(ben)


def texts_in(page: Page) -> list[str]:
    return [text.strip() for text in log_of(page).locator(".chat-text").all_text_contents()]


def test_offline_and_back_shows_every_missed_message_in_order(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event: Event = camp["event"]
    path = f"/{event.slug}/chat/rooms/{camp['room'].pk}/"
    anna = open_as(new_page, login, assert_accessible, camp["anna"], path)
    ben = open_as(new_page, login, assert_accessible, camp["ben"], path)
    write(ben, "Vor der Funkstille")
    expect(log_of(anna)).to_contain_text("Vor der Funkstille", timeout=LIVE)
    banner = anna.locator("[data-realtime-status]")
    expect(banner).to_have_text("")

    anna.context.set_offline(True)

    expect(banner).to_have_text(t("Connection interrupted – reconnecting …"))
    expect(
        anna.get_by_role("status").filter(has_text=t("Connection interrupted – reconnecting …"))
    ).to_be_visible()
    assert_accessible(anna)
    for text in ("Erstens", "Zweitens", "Drittens"):
        write(ben, text)
        expect(log_of(ben)).to_contain_text(text, timeout=LIVE)
    assert texts_in(anna) == ["Vor der Funkstille"]  # nothing reached the offline page

    anna.context.set_offline(False)

    expect(banner).to_have_text(t("Connected again."), timeout=LIVE)
    expect(log_of(anna).locator(".chat-text")).to_have_count(4, timeout=LIVE)
    assert texts_in(anna) == ["Vor der Funkstille", "Erstens", "Zweitens", "Drittens"]
    assert_accessible(anna)
    expect(banner).to_have_text("", timeout=LIVE)  # the "back" notice goes by itself
    write(ben, "Schön, dass du wieder da bist")
    expect(log_of(anna)).to_contain_text("Schön, dass du wieder da bist", timeout=LIVE)
    assert texts_in(anna) == texts_in(ben)
    assert_accessible(anna)


def test_announcement_reaches_an_open_page_at_once_and_later_visits(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event: Event = camp["event"]
    anna = open_as(new_page, login, assert_accessible, camp["anna"], f"/{event.slug}/")
    hide = anna.get_by_role("button", name=t("Hide announcement"))
    expect(hide).to_be_hidden()  # nothing to hide yet
    olga = open_as(new_page, login, assert_accessible, camp["organiser"], f"/{event.slug}/manage/")
    olga.get_by_role("link", name=t("Announcements")).click()
    expect(olga.get_by_role("heading", level=1)).to_have_text(t("Announcements"))
    assert_accessible(olga)

    olga.get_by_label(re.compile(t("announcement"), re.IGNORECASE)).fill(
        "Die Eröffnung beginnt in **5 Minuten** im Ratssaal und im Stream."
    )
    olga.get_by_role("button", name=t("Send to everyone")).click()
    expect(olga.locator(".messages")).to_contain_text(
        t("The announcement has been sent. Everyone at the barcamp sees it now.")
    )
    assert_accessible(olga)

    region = anna.locator("[data-announcements]")
    expect(region).to_contain_text(
        "Die Eröffnung beginnt in 5 Minuten im Ratssaal und im Stream.", timeout=LIVE
    )
    expect(region).to_have_attribute("role", "status")
    expect(region).to_contain_text(t("Announcement from the organisers"))
    assert_accessible(anna)
    assert Announcement.objects.get().created_by == camp["organiser"]

    # Later visits show it too (rendered by the server), until it is hidden
    anna.get_by_role("link", name=t("Who is coming")).click()
    expect(anna.locator("[data-announcements]")).to_contain_text("Die Eröffnung beginnt")
    assert_accessible(anna)
    hide.click()
    expect(anna.locator("[data-announcements]")).to_have_text("")
    expect(hide).to_be_hidden()
    anna.goto(f"/{event.slug}/")
    expect(anna.locator("[data-announcements]")).to_have_text("")
    assert_accessible(anna)


def test_presence_counts_the_people_in_the_room_chat(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event: Event = camp["event"]
    room = camp["room"]
    path = f"/{event.slug}/chat/rooms/{room.pk}/"
    room_count = f"[data-presence-count='event.{event.pk}.room.{room.pk}']"
    anna = open_as(new_page, login, assert_accessible, camp["anna"], path)
    expect(anna.locator(room_count)).to_have_text(re.compile(r"^1 "), timeout=LIVE)
    names = anna.locator("[data-presence-names]")
    expect(names).to_be_hidden()  # Anna is not on the public list: counted, not named
    assert_accessible(anna)

    ben = open_as(new_page, login, assert_accessible, camp["ben"], path)

    expect(anna.locator(room_count)).to_have_text(re.compile(r"^2 "), timeout=LIVE)
    expect(names).to_contain_text("Ben Okafor")
    expect(names).not_to_contain_text("Anna Schmidt")
    expect(ben.locator(room_count)).to_have_text(re.compile(r"^2 "), timeout=LIVE)
    assert_accessible(anna)
    assert_accessible(ben)

    ben.goto(f"/{event.slug}/chat/")  # Ben goes to the lobby: one left in the room

    expect(anna.locator(room_count)).to_have_text(re.compile(r"^1 "), timeout=LIVE)
    expect(names).to_be_hidden()
    assert_accessible(ben)
    assert_accessible(anna)


def test_report_pause_and_the_refusal_shown_at_the_field(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
    camp: dict[str, Any],
) -> None:
    event: Event = camp["event"]
    path = f"/{event.slug}/chat/"
    ben = open_as(new_page, login, assert_accessible, camp["ben"], path)
    write(ben, "Kauft unsere Software!")
    anna = open_as(new_page, login, assert_accessible, camp["anna"], path)

    # Anna reports the message from the open page
    message = anna.locator("article", has_text="Kauft unsere Software!")
    message.get_by_text(t("Actions")).click()
    message.get_by_label(t("Reason (optional)")).fill("Werbung")
    message.get_by_role("button", name=t("Report to the moderators")).click()
    expect(anna.locator("[data-chat-feedback]")).to_have_text(
        t("Thank you. The moderators will look at the message.")
    )
    assert_accessible(anna)

    # The organiser sees the report and pauses Ben for 15 minutes
    olga = open_as(
        new_page, login, assert_accessible, camp["organiser"], f"/{event.slug}/manage/chat/"
    )
    report = olga.locator(".report-list li", has_text="Kauft unsere Software!")
    expect(report).to_contain_text("Werbung")
    report.get_by_role("button", name=t("Pause")).click()
    expect(olga.locator(".messages")).to_contain_text("Ben Okafor")
    assert_accessible(olga)

    # Ben's open page: the refusal comes over the socket and is shown at the field
    write(ben, "Hallo?")
    error = ben.locator("#id_text_error")
    expect(error).to_have_text(t("A moderator has paused your messages in this barcamp."))
    expect(ben.get_by_label(re.compile(t("your message"), re.IGNORECASE))).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(ben)

    # Lifted: he can write again, and the error goes
    lift = t("Lift the pause of %(name)s") % {"name": "Ben Okafor"}
    olga.get_by_role("button", name=lift).click()
    expect(olga.get_by_text(t("Nobody is paused."))).to_be_visible()
    assert_accessible(olga)
    olga.get_by_role("button", name=t("Mark as handled")).click()
    expect(olga.get_by_text(t("No open reports."))).to_be_visible()
    assert_accessible(olga)
    ben.get_by_role("button", name=t("Send"), exact=True).click()
    expect(log_of(anna)).to_contain_text("Hallo?", timeout=LIVE)
    expect(error).to_have_count(0)
    assert_accessible(ben)
