"""Participants register, wait, move up and cancel – one in German, one in English."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import Locator, Page, expect

from tests.factories.events import EventFactory
from unkonf.events.enums import RegistrationStatus
from unkonf.events.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/accounts/link/\S+")


def t(language: str, text: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


def field(page: Page, label: str) -> Locator:
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s+\(.*\))?\s*$"))


def fill_registration(page: Page, language: str, *, name: str, email: str) -> None:
    field(page, capfirst(t(language, "name"))).fill(name)
    field(page, capfirst(t(language, "e-mail address"))).fill(email)
    field(page, capfirst(t(language, "organisation"))).fill("Landratsamt Musterkreis")
    field(page, capfirst(t(language, "type of organisation"))).select_option("municipal")
    field(page, t(language, "I have read the privacy notice and agree to it.")).check()


def login_link_for(address: str) -> str:
    mails = [m for m in mail.outbox if address in m.to]
    assert mails, f"no mail to {address}"
    found = LINK.search(str(mails[-1].body))
    assert found, mails[-1].body
    return found.group(0)


def follow_login_link(page: Page, link: str, language: str, check: Callable[[Page], None]) -> None:
    page.goto(link)
    check(page)
    page.get_by_role("button", name=t(language, "Log in"), exact=True).click()


def test_participants_register_wait_move_up_and_cancel(
    new_page: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    mail_outbox: list[mail.EmailMessage],
) -> None:
    event = EventFactory(name="Barcamp Digitale Familie", capacity=1)
    anna = new_page(locale="de-DE")
    ben = new_page(locale="en-GB")

    # Anna, in German: an empty form first – errors, nothing saved
    anna.goto(f"/{event.slug}/")
    assert_accessible(anna)
    anna.get_by_role("link", name=t("de", "Register now")).click()
    assert_accessible(anna)
    anna.get_by_role("button", name=t("de", "Register"), exact=True).click()
    expect(anna.get_by_role("alert")).to_contain_text(t("de", "Please check your input"))
    expect(anna.get_by_role("alert")).to_contain_text("Dieses Feld ist zwingend erforderlich.")
    assert_accessible(anna)
    assert Registration.objects.count() == 0

    # … then properly: she gets the one place
    fill_registration(anna, "de", name="Anna Schmidt", email="anna.schmidt@kreis.example")
    anna.get_by_role("button", name=t("de", "Register"), exact=True).click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(t("de", "Please check your e-mail"))
    assert_accessible(anna)
    follow_login_link(anna, login_link_for("anna.schmidt@kreis.example"), "de", assert_accessible)
    expect(anna).to_have_url(f"/{event.slug}/registration/")
    expect(anna.get_by_text(t("de", "You are registered."))).to_be_visible()
    assert_accessible(anna)

    # Ben, in English: the barcamp is full, he waits
    ben.goto(f"/en/{event.slug}/register/")
    assert_accessible(ben)
    fill_registration(ben, "en", name="Ben Okafor", email="ben.okafor@stadt.example")
    ben.get_by_role("button", name="Register", exact=True).click()
    expect(ben.get_by_role("heading", level=1)).to_have_text("Please check your e-mail")
    assert_accessible(ben)
    waiting_mail = [m for m in mail_outbox if "ben.okafor@stadt.example" in m.to][-1]
    assert "waiting list" in str(waiting_mail.subject).lower() + str(waiting_mail.body).lower()
    follow_login_link(ben, login_link_for("ben.okafor@stadt.example"), "en", assert_accessible)
    expect(ben.get_by_text("You are number 1 on the waiting list.")).to_be_visible()
    assert_accessible(ben)

    # Anna cannot come after all: Ben moves up and is told
    anna.get_by_role("button", name=t("de", "Cancel my registration")).click()
    cancelled = t("de", "Your registration has been cancelled.")
    expect(anna.get_by_role("status").filter(has_text=cancelled)).to_be_visible()
    assert_accessible(anna)
    ben.reload()
    expect(ben.get_by_text("You are registered.")).to_be_visible()
    assert_accessible(ben)
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "anna.schmidt@kreis.example": RegistrationStatus.CANCELLED,
        "ben.okafor@stadt.example": RegistrationStatus.CONFIRMED,
    }
    moved_up = [m for m in mail_outbox if "ben.okafor@stadt.example" in m.to]
    assert len(moved_up) == 2  # waiting, then moved up


def test_a_used_login_link_says_so(
    page: Page,
    assert_accessible: Callable[[Page], None],
    mail_outbox: list[mail.EmailMessage],
) -> None:
    event = EventFactory()
    page.goto(f"/{event.slug}/register/")
    assert_accessible(page)
    fill_registration(page, "de", name="Chris Wagner", email="chris.wagner@land.example")
    page.get_by_role("button", name=t("de", "Register"), exact=True).click()
    assert_accessible(page)
    link = login_link_for("chris.wagner@land.example")
    follow_login_link(page, link, "de", assert_accessible)
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(link)

    expect(page.get_by_role("heading", level=1)).to_have_text(t("de", "Link no longer valid"))
    assert_accessible(page)
