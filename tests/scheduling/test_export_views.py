"""The exports over HTTP: who gets the plan as iCal, schedule XML/JSON and PDF, the private feed
of a person's starred sessions (a token instead of a login, renewable), ETags, and the 503 page
when WeasyPrint cannot run."""

from __future__ import annotations

import json
import sys

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory, ProposalFactory, RoomFactory, UserFactory
from tests.pages import Page, en
from tests.scheduling.test_exports import (
    SITE,
    STRANGE_TITLE,
    TRICKY_TITLE,
    Camp,
    build_camp,
    load_json_schema,
    load_xsd,
    parse_xml,
    place,
    validate_json,
)
from unkonf.core.models import AuditLogEntry
from unkonf.proposals.enums import ProposalState
from unkonf.scheduling import exports
from unkonf.scheduling.models import CalendarFeed
from unkonf.scheduling.services.feeds import renew_feed
from unkonf.scheduling.services.grid import unpublish_schedule
from unkonf.scheduling.services.stars import star_session

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

needs_pango = pytest.mark.skipif(
    not exports.pdf_available(), reason="WeasyPrint cannot load Pango on this machine"
)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def camp() -> Camp:
    return build_camp()


def summaries(response) -> set[str]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def ics_text(response) -> str:
    return icalendar.Calendar.from_ical(response.content).to_ical().decode()


# --- the whole plan as iCal ---------------------------------------------------------------------


def test_plan_ics_is_public_once_the_plan_is_published(client, camp):
    response = client.get(en("scheduling:plan-ics", slug=camp.event.slug))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="barcamp-export.ics"'
    assert response["Cache-Control"] == "private, no-cache"
    assert len(summaries(response)) == 5
    assert TRICKY_TITLE in summaries(response)
    assert "Jürgen Müller" not in ics_text(response)  # names only for the barcamp's people


def test_plan_ics_shows_hosts_to_participants(client, camp):
    client.force_login(camp.ben)

    response = client.get(en("scheduling:plan-ics", slug=camp.event.slug))

    assert "Hosts: Jürgen Müller" in ics_text(response)


def test_plan_ics_of_an_unpublished_plan_is_only_for_the_team(client):
    camp = build_camp(publish=False)
    path = en("scheduling:plan-ics", slug=camp.event.slug)

    anonymous = client.get(path)
    client.force_login(camp.ben)
    participant = client.get(path)
    client.force_login(camp.moderator)
    moderator = client.get(path)

    assert (anonymous.status_code, participant.status_code) == (404, 404)
    assert moderator.status_code == 200
    assert TRICKY_TITLE in summaries(moderator)


def test_plan_ics_answers_not_modified_while_the_plan_is_unchanged(camp):
    client = Client()  # a bare 304 has no Content-Type for the page checks
    path = en("scheduling:plan-ics", slug=camp.event.slug)
    first = client.get(path)

    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    place(camp.tricky, camp.saal, camp.slots1[1], camp.moderator, version=1)
    changed = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (again.status_code, again.content) == (304, b"")
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_plan_ics_of_a_hidden_barcamp_is_404(client):
    event = EventFactory(invite_only=True)

    response = client.get(en("scheduling:plan-ics", slug=event.slug))

    assert response.status_code == 404
    assert event.name not in response.content.decode()


# --- the private feed ---------------------------------------------------------------------------


def test_export_page_offers_a_private_feed_after_login(client, camp):
    path = en("scheduling:plan-export", slug=camp.event.slug)

    anonymous = Page(client.get(path).content.decode()).text
    client.force_login(camp.ben)
    page = client.get(path)

    assert "Log in to get your private calendar address" in anonymous
    assert page.status_code == 200
    assert "Create my private calendar address" in Page(page.content.decode()).text
    assert f"{SITE}/en/barcamp-export/plan/export/plan.ics" in page.content.decode()
    assert not CalendarFeed.objects.exists()  # looking makes nothing


def test_creating_the_feed_shows_its_address_and_it_works_without_login(client, camp):
    client.force_login(camp.ben)
    star_session(camp.tricky, actor=camp.ben, starred=True)
    star_session(camp.two_slots, actor=camp.ben, starred=True)

    response = client.post(en("scheduling:plan-feed-renew", slug=camp.event.slug))
    feed = CalendarFeed.objects.get(user=camp.ben, event=camp.event)
    page = client.get(response["Location"])
    client.logout()
    calendar = client.get(en("scheduling:plan-feed", slug=camp.event.slug, token=feed.token))

    assert response["Location"] == en("scheduling:plan-export", slug=camp.event.slug) + "#my-feed"
    feed_url = f"{SITE}/en/barcamp-export/plan/export/mine/{feed.token}.ics"
    assert f'value="{feed_url}"' in page.content.decode()
    assert "Your private calendar address is ready." in Page(page.content.decode()).text
    assert len(feed.token) >= 40
    assert calendar.status_code == 200
    assert summaries(calendar) == {TRICKY_TITLE, "Design Thinking: Zwei Slots"}
    assert "Barcamp Export &amp; Co – my sessions" not in calendar.content.decode()
    assert "Barcamp Export & Co – my sessions" in ics_text(calendar)
    assert "Hosts: Jürgen Müller" in ics_text(calendar)  # Ben takes part: he sees the names
    assert AuditLogEntry.objects.filter(action="calendar_feed.created", actor=camp.ben).exists()


def test_feed_follows_stars_and_moves(client, camp):
    feed = renew_feed(camp.event, actor=camp.ben)
    path = en("scheduling:plan-feed", slug=camp.event.slug, token=feed.token)
    empty = client.get(path)

    star_session(camp.tricky, actor=camp.ben, starred=True)
    place(camp.tricky, camp.saal, camp.slots1[1], camp.moderator, version=1)
    moved = icalendar.Calendar.from_ical(client.get(path).content).walk("VEVENT")

    assert summaries(empty) == set()
    assert [str(event["SUMMARY"]) for event in moved] == [TRICKY_TITLE]
    assert moved[0].decoded("DTSTART") == camp.slots1[1].start
    assert moved[0].decoded("SEQUENCE") == 2


def test_renewing_the_feed_makes_the_old_address_stop_working(client, camp):
    old = renew_feed(camp.event, actor=camp.ben).token
    client.force_login(camp.ben)

    response = client.post(en("scheduling:plan-feed-renew", slug=camp.event.slug))
    new = CalendarFeed.objects.get(user=camp.ben).token
    page = Page(client.get(response["Location"]).content.decode()).text
    client.logout()

    assert new != old
    assert CalendarFeed.objects.filter(user=camp.ben).count() == 1
    old_path = en("scheduling:plan-feed", slug=camp.event.slug, token=old)
    new_path = en("scheduling:plan-feed", slug=camp.event.slug, token=new)
    assert (client.get(old_path).status_code, client.get(new_path).status_code) == (404, 200)
    assert "The old one no longer works" in page
    assert AuditLogEntry.objects.filter(action="calendar_feed.renewed", actor=camp.ben).exists()
    assert old not in json.dumps(list(AuditLogEntry.objects.values("data")))


def test_feed_with_a_wrong_token_or_another_barcamp_is_404(client, camp):
    token = renew_feed(camp.event, actor=camp.ben).token
    other = EventFactory(slug="anderes-barcamp")

    wrong = client.get(en("scheduling:plan-feed", slug=camp.event.slug, token="x" * 43))
    elsewhere = client.get(en("scheduling:plan-feed", slug=other.slug, token=token))

    assert (wrong.status_code, elsewhere.status_code) == (404, 404)
    assert "Page not found" in wrong.content.decode()


def test_feed_of_an_erased_account_is_404(client, camp):
    token = renew_feed(camp.event, actor=camp.ben).token
    camp.ben.is_active = False
    camp.ben.save(update_fields=["is_active"])

    response = client.get(en("scheduling:plan-feed", slug=camp.event.slug, token=token))

    assert response.status_code == 404


def test_feed_is_empty_while_the_plan_is_taken_back(client, camp):
    token = renew_feed(camp.event, actor=camp.ben).token
    star_session(camp.tricky, actor=camp.ben, starred=True)
    unpublish_schedule(camp.event, actor=camp.moderator)

    response = client.get(en("scheduling:plan-feed", slug=camp.event.slug, token=token))

    assert response.status_code == 200
    assert summaries(response) == set()


def test_renewing_needs_a_login_and_a_visible_plan(client):
    camp = build_camp(publish=False)
    path = en("scheduling:plan-feed-renew", slug=camp.event.slug)

    anonymous = client.post(path)
    client.force_login(camp.ben)
    participant = client.post(path)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(en("account_login"))
    assert participant.status_code == 404
    assert not CalendarFeed.objects.exists()


# --- the schedule XML and JSON ------------------------------------------------------------------


def test_schedule_xml_and_json_over_http_validate(client, camp):
    xsd, json_schema = load_xsd(), load_json_schema()
    xml_response = client.get(en("scheduling:plan-schedule-xml", slug=camp.event.slug))
    json_response = client.get(en("scheduling:plan-schedule-json", slug=camp.event.slug))

    assert xml_response["Content-Type"] == "application/xml; charset=utf-8"
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    xsd.validate(xml_response.content.decode())
    data = json.loads(json_response.content)
    validate_json(data, json_schema)
    root = parse_xml(xml_response.content)
    assert root.findtext("url") == f"{SITE}/en/barcamp-export/plan/export/schedule.xml"
    assert data["schedule"]["url"] == f"{SITE}/en/barcamp-export/plan/export/schedule.json"
    assert {e.findtext("title") for e in root.iter("event")} >= {TRICKY_TITLE, STRANGE_TITLE}
    assert all(e.find("persons/person") is None for e in root.iter("event"))  # anonymous


def test_schedule_json_takes_the_same_queries_for_few_or_many_sessions(client, camp):
    path = en("scheduling:plan-schedule-json", slug=camp.event.slug)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    free = [(camp.saal, camp.slots1[1]), (camp.online_room, camp.slots1[1]),
            (camp.online_room, camp.slots1[3])]  # fmt: skip
    for i, (room, slot) in enumerate(free):
        extra = ProposalFactory(event=camp.event, state=ProposalState.PITCHED, title=f"Neu {i}")
        place(extra, room, slot, camp.moderator)
    with CaptureQueriesContext(connection) as more:
        response = client.get(path)

    days = json.loads(response.content)["schedule"]["conference"]["days"]
    assert sum(len(events) for day in days for events in day["rooms"].values()) == 8
    assert len(more) == len(few)


# --- PDF ------------------------------------------------------------------------------------------


@needs_pango
def test_day_and_room_pdfs_are_pdfs(client, camp):
    day = client.get(en("scheduling:plan-print-day", slug=camp.event.slug, day_pk=camp.day1.pk))
    room = client.get(en("scheduling:plan-print-room", slug=camp.event.slug, pk=camp.saal.pk))

    assert day.status_code == room.status_code == 200
    assert day["Content-Type"] == room["Content-Type"] == "application/pdf"
    assert day.content.startswith(b"%PDF-")
    assert room.content.startswith(b"%PDF-")
    assert day["Content-Disposition"] == (
        f'inline; filename="barcamp-export-{camp.day1.date.isoformat()}.pdf"'
    )


def test_pdf_of_another_barcamps_day_or_room_is_404(client, camp):
    other = EventFactory()
    other_day, other_room = other.days.get(), RoomFactory(event=other)

    day = client.get(en("scheduling:plan-print-day", slug=camp.event.slug, day_pk=other_day.pk))
    room = client.get(en("scheduling:plan-print-room", slug=camp.event.slug, pk=other_room.pk))

    assert (day.status_code, room.status_code) == (404, 404)


@needs_pango
def test_door_signs_are_for_the_team_even_before_publishing(client):
    camp = build_camp(publish=False)
    path = en("scheduling:door-signs", slug=camp.event.slug, day_pk=camp.day1.pk)

    anonymous = client.get(path)
    client.force_login(camp.ben)
    participant = client.get(path)
    client.force_login(camp.moderator)
    moderator = client.get(path)

    assert anonymous.status_code == 302
    assert participant.status_code == 404
    assert moderator.status_code == 200
    assert moderator.content.startswith(b"%PDF-")


def test_pdf_without_pango_answers_503_with_a_clear_page(client, camp, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it could not be imported
    path = en("scheduling:plan-print-day", slug=camp.event.slug, day_pk=camp.day1.pk)

    response = client.get(path)
    export_page = client.get(en("scheduling:plan-export", slug=camp.event.slug))

    needs_pango_text = "PDF export needs the Pango library on the server."
    assert response.status_code == 503
    assert needs_pango_text in Page(response.content.decode()).text
    assert needs_pango_text in Page(export_page.content.decode()).text
    assert "plan/print/day" not in export_page.content.decode()


@needs_pango
def test_export_page_links_every_day_and_room_and_door_signs_only_for_the_team(client, camp):
    path = en("scheduling:plan-export", slug=camp.event.slug)
    client.force_login(camp.ben)
    participant = client.get(path).content.decode()
    client.force_login(camp.moderator)
    moderator = client.get(path).content.decode()

    for pk in (camp.day1.pk, camp.day2.pk):
        assert en("scheduling:plan-print-day", slug=camp.event.slug, day_pk=pk) in participant
        assert en("scheduling:door-signs", slug=camp.event.slug, day_pk=pk) in moderator
    assert en("scheduling:plan-print-room", slug=camp.event.slug, pk=camp.saal.pk) in participant
    assert "door-signs" not in participant


def test_german_page_is_served_without_prefix(client, camp):
    response = client.get(f"/{camp.event.slug}/plan/export/")

    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


def test_other_user_of_another_barcamp_sees_the_public_plan_without_names(client, camp):
    client.force_login(UserFactory())

    response = client.get(en("scheduling:plan-ics", slug=camp.event.slug))

    assert response.status_code == 200
    assert "Jürgen" not in ics_text(response)
