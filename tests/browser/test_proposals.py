"""Proposals in the browser: proposing a session with materials, and "I'm in" over the socket.

The server is the real ASGI app (uvicorn, in-memory hub); each person has their own browser
context. The new strings are tested in English (``/en/`` pages): their German translations are
still being written. Every page is checked with axe after each navigation and live change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import EventFactory, ProposalFactory, RegistrationFactory, UserFactory
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest, Material, Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 10_000  # ms: what is sent must show within this
EN = "en-GB"

SVG_WITH_SCRIPT = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <script>alert(document.cookie)</script>
  <rect width="10" height="10" fill="navy"/>
</svg>
"""


def pdf_bytes() -> bytes:
    """A small, well-formed PDF (correct xref offsets) with one empty page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def connected(page: Page) -> None:
    """Wait until the page's websocket is open (the realtime module says so on <main>)."""
    expect(page.locator("main")).to_have_attribute("data-realtime-state", "open")


def open_as(
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


@pytest.mark.parametrize("browser_locale", [EN])
def test_propose_a_session_and_add_materials(
    page: Page,
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    event = EventFactory(name="Barcamp Verwaltung digital", slug="verwaltung-digital")
    anna = RegistrationFactory(event=event, user=UserFactory(name="Anna Schmidt")).user
    login(page, anna)
    page.goto(f"/en/{event.slug}/proposals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Session proposals")
    expect(page.get_by_text("No proposals yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Propose a session").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a session")
    assert_accessible(page)
    page.get_by_label("Title").fill("Barrierefreie PDF-Formulare")
    page.get_by_label("Description").fill("Wie bauen wir Formulare, die **alle** ausfüllen?")
    page.get_by_label("Topics").fill("Barrierefreiheit, Formulare")
    page.get_by_role("radio", name="Two slots").check()
    page.get_by_role("button", name="Submit proposal").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Barrierefreie PDF-Formulare")
    expect(page.locator(".messages")).to_contain_text("Thank you! Your proposal is submitted.")
    expect(page.locator(".prose strong")).to_have_text("alle")
    expect(page.locator(".facts")).to_contain_text("Anna Schmidt")
    assert_accessible(page)
    proposal = Proposal.objects.get()
    assert (proposal.title, proposal.state, proposal.slots) == (
        "Barrierefreie PDF-Formulare",
        ProposalState.SUBMITTED,
        2,
    )
    assert sorted(proposal.topics.values_list("name", flat=True)) == [
        "Barrierefreiheit",
        "Formulare",
    ]
    materials = page.locator("#materials")
    expect(materials.get_by_text("No materials yet.")).to_be_visible()

    # A real PDF is accepted and listed
    upload = page.locator("form", has=page.get_by_role("heading", name="Upload a file"))
    upload.get_by_label("File").set_input_files(
        {"name": "Ablauf.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    upload.get_by_label("Title (optional)").fill("Ablauf der Session")
    upload.get_by_role("button", name="Upload").click()

    expect(page.locator(".messages")).to_contain_text("The material is added.")
    expect(materials.locator(".materials li")).to_have_count(1)
    expect(materials.get_by_role("link", name="Ablauf der Session")).to_have_attribute(
        "href", f"/en/{event.slug}/proposals/{proposal.pk}/materials/{Material.objects.get().pk}/"
    )
    expect(materials.locator(".materials li")).to_contain_text("Ablauf.pdf")
    assert_accessible(page)

    # An SVG with a script is refused, and nothing is added
    upload.get_by_label("File").set_input_files(
        {"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": SVG_WITH_SCRIPT}
    )
    upload.get_by_role("button", name="Upload").click()

    expect(page.locator(".messages")).to_contain_text("“logo.svg” is not a file type we accept.")
    expect(page.locator(".messages")).not_to_contain_text("The material is added.")
    expect(materials.locator(".materials li")).to_have_count(1)
    assert_accessible(page)
    assert list(Material.objects.values_list("filename", "content_type")) == [
        ("Ablauf.pdf", "application/pdf")
    ]

    # A link, with its own labelled fields (not the upload form's)
    link = page.locator("form", has=page.get_by_role("heading", name="Add a link"))
    link.get_by_label("Link").fill("https://opendata.musterstadt.example/formulare")
    link.get_by_label("Title (optional)").fill("Formular-Sammlung")
    link.get_by_role("button", name="Add link").click()

    expect(page.locator(".messages")).to_contain_text("The material is added.")
    expect(materials.locator(".materials li")).to_have_count(2)
    expect(materials.get_by_role("link", name="Formular-Sammlung")).to_have_attribute(
        "href", "https://opendata.musterstadt.example/formulare"
    )
    assert_accessible(page)


def test_im_in_counts_live_on_another_page(
    new_page: Callable[..., Page],
    login: Callable[[Page, Any], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    event = EventFactory(name="Barcamp Verwaltung digital", slug="verwaltung-digital")
    proposal = ProposalFactory(event=event, title="Open Data im Landkreis")
    ben = RegistrationFactory(event=event, user=UserFactory(name="Ben Okafor")).user
    cleo = RegistrationFactory(event=event, user=UserFactory(name="Cleo Weber")).user
    detail = f"/en/{event.slug}/proposals/{proposal.pk}/"
    watcher = open_as(new_page, login, assert_accessible, cleo, detail)
    expect(watcher.get_by_role("heading", level=1)).to_have_text("Open Data im Landkreis")
    seen = watcher.locator(f"[data-interest-count='{proposal.pk}']")
    expect(seen).to_have_text("0")
    tapper = open_as(new_page, login, assert_accessible, ben, f"/en/{event.slug}/proposals/")
    card = tapper.locator(".proposal-card", has_text="Open Data im Landkreis")
    button = card.get_by_role("button", name=re.compile(r"^I'm in"))
    count = card.locator(f"[data-interest-count='{proposal.pk}']")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_accessible_name(re.compile(r"^I'm in ?: Open Data im Landkreis$"))

    button.click()

    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name(re.compile(r"^I'm in ?: Open Data im Landkreis$"))
    expect(button.locator(".interest-check")).to_have_text("✓")  # not by colour alone
    expect(count).to_have_text("1", timeout=LIVE)
    expect(seen).to_have_text("1", timeout=LIVE)  # the other page, without a reload
    assert tapper.url.endswith(f"/en/{event.slug}/proposals/")  # the socket did it, no post
    assert list(Interest.objects.values_list("user__name", "proposal__title")) == [
        ("Ben Okafor", "Open Data im Landkreis")
    ]
    assert_accessible(tapper)
    assert_accessible(watcher)

    button.click()  # and back

    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator(".interest-check")).to_have_count(0)
    expect(count).to_have_text("0", timeout=LIVE)
    expect(seen).to_have_text("0", timeout=LIVE)
    assert not Interest.objects.exists()
    assert_accessible(tapper)

    # The page shown fresh says the same
    tapper.reload()
    connected(tapper)
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text("0")
    assert_accessible(tapper)
