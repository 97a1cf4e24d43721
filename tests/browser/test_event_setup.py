"""An organiser sets up a barcamp from nothing to published, in German and in English.

Texts are looked up through the same catalogues the server renders with, so the test checks
that the page shows the right words in the page's language; a few German words are spelled out
to prove the German catalogue is really there.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import Locator, Page, expect

from tests.factories.accounts import UserFactory
from unkonf.events.enums import Role
from unkonf.events.models import Event, EventRole
from unkonf.scheduling.models import TimeSlot
from unkonf.venues.models import Room

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PREFIX = {"de": "", "en": "/en"}


def t(language: str, text: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


def organiser_who_may_create() -> object:
    user = UserFactory(name="Petra Lindner")
    user.user_permissions.add(Permission.objects.get(codename="add_event"))
    return user


def field(page: Page, label: str) -> Locator:
    """The form field labelled ``label`` (its label may add "(required)")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s+\(.*\))?\s*$"))


def submit(page: Page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


@pytest.mark.parametrize("language", ["de", "en"])
def test_organiser_sets_up_and_publishes_a_barcamp(
    language: str,
    new_page: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    login: Callable[[Page, object], None],
) -> None:
    page = new_page(locale="de-DE" if language == "de" else "en-GB")
    login(page, organiser_who_may_create())
    prefix = PREFIX[language]
    first_day = datetime.date.today() + datetime.timedelta(days=40)

    # Start page → create
    page.goto(f"{prefix}/")
    assert_accessible(page)
    page.get_by_role("link", name=t(language, "Create a barcamp")).click()
    assert_accessible(page)
    field(page, capfirst(t(language, "name"))).fill("Barcamp Digitale Kommune")
    field(page, capfirst(t(language, "short name"))).fill("digitale-kommune")
    field(page, t(language, "Hybrid")).check()
    field(page, capfirst(t(language, "places"))).fill("30")
    submit(page, t(language, "Create"))

    expect(page).to_have_url(f"{prefix}/digitale-kommune/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Barcamp Digitale Kommune")
    assert_accessible(page)
    event = Event.objects.get(slug="digitale-kommune")
    assert event.mode == "hybrid"
    assert event.capacity == 30
    assert EventRole.objects.filter(event=event, role=Role.ORGANISER).count() == 1

    # Publishing is refused while days and legal texts are missing
    submit(page, t(language, "Publish"))
    expect(page.get_by_role("status").filter(has_text=t(language, "imprint"))).to_be_visible()
    assert_accessible(page)
    event.refresh_from_db()
    assert event.published_at is None

    # A day, and its slots laid out by the generator's defaults
    page.get_by_role("link", name=t(language, "Days and slots")).click()
    assert_accessible(page)
    field(page, capfirst(t(language, "date"))).fill(first_day.isoformat())
    field(page, capfirst(t(language, "label"))).fill("Tag 1")
    submit(page, t(language, "Add day"))
    assert_accessible(page)
    page.locator("tbody tr").first.get_by_role("link").first.click()
    assert_accessible(page)
    submit(page, t(language, "Lay out slots"))
    assert_accessible(page)
    slots = list(TimeSlot.objects.filter(event=event).order_by("start"))
    assert [s.kind for s in slots] == [
        "plenary", "session", "session", "break", "session", "session", "session", "plenary",
    ]  # fmt: skip
    local = [s.start.astimezone(event.zone).strftime("%H:%M") for s in slots]
    assert local == ["09:30", "10:15", "11:15", "12:30", "13:30", "14:30", "15:30", "16:30"]
    expect(page.locator("tbody tr")).to_have_count(8)

    # A room with equipment
    page.get_by_role("link", name=t(language, "Rooms"), exact=True).click()
    assert_accessible(page)
    field(page, capfirst(t(language, "name"))).fill("Raum Spree")
    field(page, capfirst(t(language, "capacity"))).fill("24")
    field(page, t(language, "Projector")).check()
    field(page, t(language, "Step-free access")).check()
    submit(page, t(language, "Add room"))
    assert_accessible(page)
    expect(page.locator("tbody")).to_contain_text("Raum Spree")
    room = Room.objects.get(event=event)
    assert (room.capacity, sorted(room.equipment)) == (24, ["projector", "step_free"])

    # Legal texts, then publish
    page.get_by_role("link", name=t(language, "Settings and legal texts")).click()
    assert_accessible(page)
    field(page, capfirst(t(language, "contact e-mail"))).fill("orga@kommune.example")
    field(page, capfirst(t(language, "imprint"))).fill("Stadt Musterstadt, Rathausplatz 1")
    field(page, capfirst(t(language, "privacy notice"))).fill("Wir speichern nur …")
    field(page, capfirst(t(language, "code of conduct"))).fill("Wir gehen respektvoll …")
    submit(page, t(language, "Save"))
    assert_accessible(page)
    page.get_by_role("link", name=t(language, "Overview")).click()
    assert_accessible(page)
    submit(page, t(language, "Publish"))
    published = t(language, "The barcamp is published.")
    expect(page.get_by_role("status").filter(has_text=published)).to_be_visible()
    assert_accessible(page)
    event.refresh_from_db()
    assert event.published_at is not None

    # The public page shows it, in the page's language
    page.get_by_role("link", name="Barcamp Digitale Kommune", exact=True).first.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("link", name=t(language, "Register now"))).to_be_visible()
    assert_accessible(page)


def test_german_pages_are_really_german(
    page: Page, assert_accessible: Callable[[Page], None], login: Callable[[Page, object], None]
) -> None:
    login(page, organiser_who_may_create())
    page.goto("/events/new/")

    expect(page.get_by_role("button", name="Anlegen")).to_be_visible()
    assert_accessible(page)
