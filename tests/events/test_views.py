"""The barcamp's pages through Django's test client: the organiser's and the participant's
journeys, both languages, bad input, and what every page must (not) contain.

Journeys run under ``/en/`` so that the texts they check stay the same when the German
catalogue arrives; ``test_*_german_*`` tests cover the default language.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory, UserFactory
from tests.pages import CheckedClient, Page, en, field_errors, form_errors, messages_of, text
from unkonf.accounts.models import User
from unkonf.events.enums import OrganisationType, RegistrationStatus, Role, Visibility
from unkonf.events.models import Day, Event, EventRole, Invitation, Registration

pytestmark = pytest.mark.integration


# --- Helpers ---------------------------------------------------------------------------------


def link_in(message: mail.EmailMessage, path_start: str) -> str:
    """The path (with query) of the first link in a mail that starts with ``path_start``."""
    found = re.search(r"http://localhost:8000(" + re.escape(path_start) + r"\S*)", message.body)
    assert found, message.body
    return found[1]


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def organiser(db: None) -> User:
    return UserFactory(name="Olga Organisatorin", email="olga@musterstadt.example", language="en")


@pytest.fixture
def event(organiser: User) -> Event:
    return EventFactory(
        name="Barcamp Verwaltung digital", slug="verwaltung-digital", organiser=organiser
    )


@pytest.fixture
def organiser_client(client: CheckedClient, organiser: User) -> CheckedClient:
    client.force_login(organiser)
    return client


def event_form(event: Event, **changes: Any) -> dict[str, Any]:
    """The settings form as the browser sends it, with ``changes``."""
    data = {
        "name": event.name, "slug": event.slug, "description": event.description,
        "mode": event.mode, "venue_address": event.venue_address,
        "online_note": event.online_note, "timezone": event.timezone,
        "visibility": event.visibility, "contact_name": event.contact_name,
        "contact_email": event.contact_email, "imprint": event.imprint,
        "privacy_notice": event.privacy_notice, "code_of_conduct": event.code_of_conduct,
        "capacity": event.capacity or "",
        "registration_open": "on" if event.registration_open else "",
    }  # fmt: skip
    return {**data, **changes}


def registration_form(event: Event, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Ada Amtsfrau",
        "email": "ada.amtsfrau@musterstadt.example",
        "organisation": "Stadtverwaltung Musterstadt",
        "organisation_type": OrganisationType.MUNICIPAL,
        "days": [day.pk for day in event.days.all()],
        "privacy_consent": "on",
    }
    return {**data, **changes}


def add_event_permission(user: User) -> None:
    user.user_permissions.add(
        Permission.objects.get(codename="add_event", content_type__app_label="events")
    )


# --- Organiser: create and set up a barcamp ----------------------------------------------------


def test_event_create_without_permission_is_403_and_creates_nothing(
    organiser_client: CheckedClient,
) -> None:
    get_response = organiser_client.get(en("events:event-create"))
    post_response = organiser_client.post(
        en("events:event-create"), {"name": "Heimlich", "slug": "heimlich"}
    )

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert "You may not do this. If you think you should, please ask the organisers." in text(
        post_response
    )
    assert not Event.objects.filter(slug="heimlich").exists()


def test_event_create_with_permission_creates_unpublished_barcamp_led_by_its_creator(
    organiser_client: CheckedClient, organiser: User
) -> None:
    add_event_permission(organiser)

    form_page = organiser_client.get(en("events:event-create"))
    response = organiser_client.post(
        en("events:event-create"),
        {
            "name": "Barcamp Offene Verwaltung",
            "slug": "offene-verwaltung",
            "description": "Wir gestalten das Programm gemeinsam.",
            "mode": "hybrid",
            "timezone": "Europe/Vienna",
            "visibility": "public",
            "capacity": "120",
        },
        follow=True,
    )

    assert "Create a barcamp" in text(form_page)
    event = Event.objects.get(slug="offene-verwaltung")
    assert response.redirect_chain == [(en("events:manage-overview", slug=event.slug), 302)]
    assert messages_of(response) == [
        "The barcamp has been created. Next: days, rooms and legal texts."
    ]
    assert (event.name, event.mode, event.timezone, event.capacity, event.published_at) == (
        "Barcamp Offene Verwaltung",
        "hybrid",
        "Europe/Vienna",
        120,
        None,
    )
    assert list(EventRole.objects.filter(event=event).values_list("user", "role")) == [
        (organiser.pk, Role.ORGANISER)
    ]
    assert "✗ Add at least one day" in text(response)
    assert "✗ Fill in: imprint" in text(response)


def test_manage_settings_saves_changes_and_shows_them(
    organiser_client: CheckedClient, event: Event
) -> None:
    path = en("events:manage-settings", slug=event.slug)
    data = event_form(
        event,
        name="Barcamp Verwaltung digital 2027",
        capacity="150",
        timezone="Europe/Zurich",
        contact_email="orga@verwaltung-digital.example",
    )

    response = organiser_client.post(path, data, follow=True)

    event.refresh_from_db()
    assert response.redirect_chain == [(path, 302)]
    assert messages_of(response) == ["The settings have been saved."]
    assert (event.name, event.capacity, event.timezone, event.contact_email) == (
        "Barcamp Verwaltung digital 2027",
        150,
        "Europe/Zurich",
        "orga@verwaltung-digital.example",
    )
    assert 'value="Barcamp Verwaltung digital 2027"' in response.content.decode()


def test_manage_days_adds_edits_and_removes_a_day(
    organiser_client: CheckedClient, event: Event
) -> None:
    days_path = en("events:manage-days", slug=event.slug)

    added = organiser_client.post(days_path, {"date": "2027-03-04", "label": "Tag 2"}, follow=True)
    day = event.days.get(date=datetime.date(2027, 3, 4))
    edit_path = en("events:manage-day-edit", slug=event.slug, pk=day.pk)
    edited = organiser_client.post(
        edit_path, {"date": "2027-03-05", "label": "Zweiter Tag"}, follow=True
    )
    day.refresh_from_db()
    removed = organiser_client.post(edit_path, {"action": "delete"}, follow=True)

    assert messages_of(added) == ["The day has been added."]
    assert "Thursday, March 4, 2027" in text(added)
    assert edited.redirect_chain == [(days_path, 302)]
    assert messages_of(edited) == ["The day has been saved."]
    assert (day.date, day.label) == (datetime.date(2027, 3, 5), "Zweiter Tag")
    assert messages_of(removed) == ["The day has been removed."]
    assert not Day.objects.filter(pk=day.pk).exists()


def test_publish_is_refused_until_legal_texts_and_a_day_exist(
    organiser_client: CheckedClient, organiser: User
) -> None:
    event = EventFactory(draft=True, days=0, organiser=organiser, slug="entwurf")
    publish = en("events:manage-publish", slug=event.slug)

    without_anything = organiser_client.post(publish, follow=True)
    saved = organiser_client.post(
        en("events:manage-settings", slug=event.slug),
        event_form(
            event,
            imprint="Stadt Musterstadt",
            privacy_notice="Wir speichern nur das Nötige.",
            code_of_conduct="Respekt.",
            contact_email="orga@musterstadt.example",
        ),
        follow=True,
    )
    checklist = organiser_client.get(en("events:manage-overview", slug=event.slug))
    without_day = organiser_client.post(publish, follow=True)
    organiser_client.post(
        en("events:manage-days", slug=event.slug), {"date": "2027-05-06"}, follow=True
    )
    published = organiser_client.post(publish, follow=True)

    assert messages_of(without_anything) == [
        "Before publishing, please fill in: imprint, privacy notice, code of conduct, "
        "contact e-mail."
    ]
    assert messages_of(saved) == ["The settings have been saved."]
    assert "✗ Add at least one day" in text(checklist)
    assert "✓ Imprint, privacy notice, code of conduct and contact are filled in" in text(checklist)
    assert messages_of(without_day) == ["Before publishing, please add at least one day."]
    assert messages_of(published) == ["The barcamp is published."]
    event.refresh_from_db()
    assert event.published_at is not None
    assert Client().get(en("events:event-detail", slug=event.slug)).status_code == 200


def test_unpublish_hides_the_barcamp_from_the_public(
    organiser_client: CheckedClient, event: Event
) -> None:
    response = organiser_client.post(
        en("events:manage-publish", slug=event.slug), {"action": "unpublish"}, follow=True
    )

    assert messages_of(response) == ["The barcamp is no longer public."]
    assert Client().get(en("events:event-detail", slug=event.slug)).status_code == 404


# --- Organiser: roles and invitations ---------------------------------------------------------


def test_invited_moderator_gets_mail_logs_in_accepts_and_has_the_role(
    organiser_client: CheckedClient,
    event: Event,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    invitee = UserFactory(name="Mia Moderatorin", email="mia@musterstadt.example", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        sent = organiser_client.post(
            en("events:manage-roles", slug=event.slug),
            {"email": "Mia@Musterstadt.example", "role": "moderator"},
            follow=True,
        )
    [invitation_mail] = mailoutbox
    accept_path = link_in(invitation_mail, "/en/invitations/")
    visitor = CheckedClient()
    to_login = visitor.get(accept_path)
    with django_capture_on_commit_callbacks(execute=True):
        code_page = visitor.post(to_login["Location"], {"login": invitee.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[-1].body, re.M)
    assert code, mailoutbox[-1].body
    logged_in = visitor.post(code_page["Location"], {"code": code[1]})
    accept_page = visitor.get(logged_in["Location"])
    accepted = visitor.post(accept_path, follow=True)
    used_again = visitor.get(accept_path)

    assert messages_of(sent) == ["The invitation has been sent to Mia@Musterstadt.example."]
    assert "mia@musterstadt.example Moderator" in text(sent)  # listed as open invitation
    assert invitation_mail.to == ["mia@musterstadt.example"]
    assert invitation_mail.subject == "Invitation to Barcamp Verwaltung digital"
    assert to_login["Location"] == f"{en('account_login')}?next={accept_path}"
    assert logged_in["Location"] == accept_path
    assert "You have been invited to “Barcamp Verwaltung digital” as Moderator." in text(
        accept_page
    )
    assert accepted.redirect_chain == [(en("events:event-detail", slug=event.slug), 302)]
    assert messages_of(accepted) == ["Welcome! You are now Moderator of this barcamp."]
    assert EventRole.objects.filter(event=event, user=invitee, role=Role.MODERATOR).exists()
    assert "This invitation has already been used." in text(used_again)


def test_revoke_role_removes_it_but_not_the_last_organiser(
    organiser_client: CheckedClient, event: Event, organiser: User
) -> None:
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR, user__name="Max Moderator")
    own_role = EventRole.objects.get(event=event, user=organiser)

    revoked = organiser_client.post(
        en("events:manage-role-revoke", slug=event.slug, pk=moderator.pk), follow=True
    )
    refused = organiser_client.post(
        en("events:manage-role-revoke", slug=event.slug, pk=own_role.pk), follow=True
    )

    assert messages_of(revoked) == ["The role has been removed."]
    assert "Max Moderator" not in text(revoked)
    assert messages_of(refused) == [
        "A barcamp needs at least one organiser. Invite another organiser first."
    ]
    assert list(EventRole.objects.filter(event=event).values_list("user", "role")) == [
        (organiser.pk, Role.ORGANISER)
    ]


def test_withdraw_invitation_deletes_it(organiser_client: CheckedClient, event: Event) -> None:
    invitation = Invitation.objects.create(
        event=event, email="zu-spaet@musterstadt.example", role=Role.TIMEKEEPER
    )

    response = organiser_client.post(
        en("events:manage-invitation-revoke", slug=event.slug, pk=invitation.pk), follow=True
    )

    assert messages_of(response) == ["The invitation has been withdrawn."]
    assert "zu-spaet@musterstadt.example" not in text(response)
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


# --- Organiser: the registration list, exports, moving people -----------------------------------


@pytest.fixture
def registrations(event: Event) -> dict[str, Registration]:
    """Four people: confirmed/waiting, municipal/federal, one with a formula as name."""
    make = RegistrationFactory
    return {
        "anna": make(event=event, name="Anna Amt", organisation_type=OrganisationType.MUNICIPAL),
        "bernd": make(event=event, name="Bernd Bund", organisation_type=OrganisationType.FEDERAL),
        "formula": make(
            event=event,
            name='=HYPERLINK("http://evil.example","klick")',
            organisation="@SUM(1+1)",
            organisation_type=OrganisationType.MUNICIPAL,
        ),
        "wanda": make(
            event=event,
            name="Wanda Warteliste",
            organisation_type=OrganisationType.MUNICIPAL,
            waiting=True,
        ),
    }


def names_in_table(response: HttpResponse) -> list[str]:
    rows = re.findall(r"<tr>\s*<td>\d+</td>\s*<td>(.*?)<br>", response.content.decode())
    return [html.unescape(name) for name in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            [
                "Anna Amt",
                "Bernd Bund",
                '=HYPERLINK("http://evil.example","klick")',
                "Wanda Warteliste",
            ],
        ),
        ("?status=waiting", ["Wanda Warteliste"]),
        ("?organisation_type=federal", ["Bernd Bund"]),
        (
            "?status=confirmed&organisation_type=municipal",
            ["Anna Amt", '=HYPERLINK("http://evil.example","klick")'],
        ),
        ("?q=warte", ["Wanda Warteliste"]),
    ],
)
def test_registration_list_filters_by_status_and_organisation_type(
    organiser_client: CheckedClient,
    event: Event,
    registrations: dict[str, Registration],
    query: str,
    expected: list[str],
) -> None:
    response = organiser_client.get(en("events:manage-registrations", slug=event.slug) + query)

    assert response.status_code == 200
    assert names_in_table(response) == expected
    assert "3 confirmed, 1 waiting, 0 cancelled." in text(response)


EXPORT_HEADER = [
    "No.", "Name", "E-mail", "Organisation", "Type of organisation", "Days",
    "Accessibility needs", "Public list", "Status", "Placed by an organiser", "Registered",
]  # fmt: skip


def test_csv_export_is_semicolon_separated_with_bom_filtered_and_defuses_formulas(
    organiser_client: CheckedClient, event: Event, registrations: dict[str, Registration]
) -> None:
    path = en("events:manage-registrations-export", slug=event.slug, fmt="csv")

    response = organiser_client.get(path + "?status=confirmed&organisation_type=municipal")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="verwaltung-digital-anmeldungen-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == EXPORT_HEADER
    anna, formula = registrations["anna"], registrations["formula"]
    assert [row[:5] for row in rows[1:]] == [
        [
            str(anna.queue_number),
            "Anna Amt",
            anna.email,
            anna.organisation,
            "Municipal administration",
        ],
        [
            str(formula.queue_number),
            '\'=HYPERLINK("http://evil.example","klick")',
            formula.email,
            "'@SUM(1+1)",
            "Municipal administration",
        ],
    ]
    assert [row[8] for row in rows[1:]] == ["Confirmed", "Confirmed"]


def test_xlsx_export_has_the_filtered_rows(
    organiser_client: CheckedClient, event: Event, registrations: dict[str, Registration]
) -> None:
    path = en("events:manage-registrations-export", slug=event.slug, fmt="xlsx")

    response = organiser_client.get(path + "?status=waiting")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    wanda = registrations["wanda"]
    assert sheet.title == "Registrations"
    assert list(rows[0]) == EXPORT_HEADER
    assert [row[:3] for row in rows[1:]] == [(wanda.queue_number, "Wanda Warteliste", wanda.email)]
    assert rows[1][8] == "Waiting list"


def test_manual_move_confirms_waiting_person_keeps_filter_and_mails_them(
    organiser_client: CheckedClient,
    event: Event,
    registrations: dict[str, Registration],
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    wanda = registrations["wanda"]
    path = en("events:manage-registration-move", slug=event.slug, pk=wanda.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            path, {"status": "confirmed", "next_query": "status=waiting"}, follow=True
        )

    wanda.refresh_from_db()
    assert response.redirect_chain == [
        (en("events:manage-registrations", slug=event.slug) + "?status=waiting", 302)
    ]
    assert messages_of(response) == ["Wanda Warteliste: Confirmed."]
    assert (wanda.status, wanda.manual) == (RegistrationStatus.CONFIRMED, True)
    assert [m.to for m in mailoutbox] == [[wanda.email]]
    assert names_in_table(response) == []  # nobody waits any more


# --- Participant: registering -------------------------------------------------------------------


def test_anonymous_registration_mails_a_one_time_login_link_to_the_registration(
    client: CheckedClient,
    event: Event,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("events:register", slug=event.slug), registration_form(event), follow=True
        )
    [confirmation] = mailoutbox
    link = link_in(confirmation, "/en/accounts/link/")
    confirm_page = client.get(link)
    logged_in = client.post(link, follow=True)
    second_use = client.get(link)

    assert response.redirect_chain == [(en("events:register-done", slug=event.slug), 302)]
    assert "Please check your e-mail" in text(response)
    registration = Registration.objects.get(event=event)
    assert (registration.name, registration.email, registration.status) == (
        "Ada Amtsfrau",
        "ada.amtsfrau@musterstadt.example",
        RegistrationStatus.CONFIRMED,
    )
    assert confirmation.to == ["ada.amtsfrau@musterstadt.example"]
    assert confirmation.subject == "Your place at Barcamp Verwaltung digital is confirmed"
    assert link.endswith("?next=/en/verwaltung-digital/registration/")
    assert "Log in as ada.amtsfrau@musterstadt.example?" in text(confirm_page)
    assert '<button type="submit">Log in</button>' in confirm_page.content.decode()
    assert logged_in.redirect_chain == [(en("events:registration-mine", slug=event.slug), 302)]
    assert messages_of(logged_in) == ["You are logged in."]
    assert "You are registered." in text(logged_in)
    assert second_use.status_code == 400
    assert "Link no longer valid" in text(second_use)


def test_logged_in_registration_confirms_and_says_so(
    client: CheckedClient,
    event: Event,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    person = UserFactory(name="Lena Login", language="en")
    client.force_login(person)

    form_page = client.get(en("events:register", slug=event.slug))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("events:register", slug=event.slug),
            registration_form(event, name="Lena Login", email="someone-else@example.org"),
            follow=True,
        )

    assert f'value="{person.email}"' in form_page.content.decode()
    assert response.redirect_chain == [(en("events:registration-mine", slug=event.slug), 302)]
    assert messages_of(response) == ["You are registered. We have sent you a confirmation."]
    registration = Registration.objects.get(event=event)
    assert (registration.user, registration.email) == (person, person.email)  # not the POSTed one
    assert [m.to for m in mailoutbox] == [[person.email]]


def test_registering_again_with_known_address_looks_the_same_and_mails_the_owner(
    event: Event,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    owner = RegistrationFactory(event=event, user__language="en", user__email="known@example.org")
    register = en("events:register", slug=event.slug)

    new_visitor, repeat_visitor = CheckedClient(), CheckedClient()
    with django_capture_on_commit_callbacks(execute=True):
        new = new_visitor.post(register, registration_form(event, email="new@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        repeat = repeat_visitor.post(register, registration_form(event, email="KNOWN@example.org"))
    new_page = new_visitor.get(new["Location"])
    repeat_page = repeat_visitor.get(repeat["Location"])

    assert (repeat.status_code, repeat["Location"]) == (new.status_code, new["Location"])
    assert repeat_page.content == new_page.content
    assert set(repeat.cookies) == set(new.cookies)
    assert Registration.objects.filter(event=event, user=owner.user).count() == 1
    assert Registration.objects.filter(event=event).count() == 2
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["new@example.org"], "Your place at Barcamp Verwaltung digital is confirmed"),
        (["known@example.org"], "You are already registered for Barcamp Verwaltung digital"),
    ]


def test_registering_again_when_logged_in_changes_nothing(
    client: CheckedClient, event: Event
) -> None:
    registration = RegistrationFactory(event=event)
    client.force_login(registration.user)

    response = client.post(en("events:register", slug=event.slug), registration_form(event))

    assert response["Location"] == en("events:registration-mine", slug=event.slug)
    assert list(Registration.objects.filter(event=event)) == [registration]


def test_full_barcamp_puts_registration_on_waiting_list_and_shows_position(
    client: CheckedClient,
    organiser: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    event = EventFactory(name="Kleines Barcamp", slug="klein", capacity=1, organiser=organiser)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, waiting=True)
    person = UserFactory(language="en")
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("events:register", slug=event.slug), registration_form(event), follow=True
        )
    detail = client.get(en("events:event-detail", slug=event.slug))

    assert messages_of(response) == [
        "The barcamp is full: you are on the waiting list. "
        "We will e-mail you when a place becomes free."
    ]
    assert "You are number 2 on the waiting list." in text(response)
    assert "You are number 2 on the waiting list." in text(detail)
    assert Registration.objects.get(user=person).status == RegistrationStatus.WAITING
    assert [m.subject for m in mailoutbox] == ["You are on the waiting list for Kleines Barcamp"]


def test_cancel_moves_the_first_waiting_person_up_and_mails_them(
    client: CheckedClient,
    organiser: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    event = EventFactory(name="Kleines Barcamp", slug="klein", capacity=1, organiser=organiser)
    leaving = RegistrationFactory(event=event, user__language="en")
    first = RegistrationFactory(event=event, waiting=True, user__language="en")
    second = RegistrationFactory(event=event, waiting=True, user__language="en")
    client.force_login(leaving.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("events:registration-cancel", slug=event.slug), follow=True)

    assert response.redirect_chain == [(en("events:event-detail", slug=event.slug), 302)]
    assert messages_of(response) == ["Your registration has been cancelled."]
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {
        leaving.pk: RegistrationStatus.CANCELLED,
        first.pk: RegistrationStatus.CONFIRMED,
        second.pk: RegistrationStatus.WAITING,
    }
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (leaving.email, "Your registration for Kleines Barcamp has been cancelled"),
            (first.email, "A place has become free: you are confirmed for Kleines Barcamp"),
        ]
    )


def test_participant_edits_own_details(client: CheckedClient, event: Event) -> None:
    registration = RegistrationFactory(event=event, public_listing=False)
    client.force_login(registration.user)
    path = en("events:registration-mine", slug=event.slug)

    response = client.post(
        path,
        registration_form(
            event,
            name="Ada Neu",
            organisation="Landesamt",
            organisation_type=OrganisationType.STATE,
            accessibility_needs="Stufenloser Zugang",
            public_listing="on",
        ),
        follow=True,
    )

    registration.refresh_from_db()
    assert response.redirect_chain == [(path, 302)]
    assert messages_of(response) == ["Your details have been saved."]
    assert (
        registration.name,
        registration.organisation,
        registration.organisation_type,
        registration.accessibility_needs,
        registration.public_listing,
        registration.status,
    ) == ("Ada Neu", "Landesamt", "state", "Stufenloser Zugang", True, "confirmed")
    participants = client.get(en("events:participant-list", slug=event.slug))
    assert "Ada Neu (Landesamt)" in text(participants)


def test_invite_only_registration_needs_the_invitation_token(
    client: CheckedClient, organiser: User, django_capture_on_commit_callbacks: Any
) -> None:
    event = EventFactory(name="Geschlossene Runde", slug="runde", invite_only=True)
    invitation = Invitation.objects.create(
        event=event, email="gast@example.org", role=Role.PARTICIPANT, invited_by=organiser
    )
    register = en("events:register", slug=event.slug)

    without = client.get(register)
    wrong = client.get(register + "?invitation=falsch")
    with_token = client.get(register + f"?invitation={invitation.token}")
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            register,
            registration_form(event, email="gast@example.org", invitation=invitation.token),
        )

    assert (without.status_code, wrong.status_code, with_token.status_code) == (404, 404, 200)
    assert "Geschlossene Runde" not in text(without)
    assert "Register for Geschlossene Runde" in text(with_token)
    assert f'name="invitation" value="{invitation.token}"' in with_token.content.decode()
    invitation.refresh_from_db()
    assert posted["Location"] == en("events:register-done", slug=event.slug)
    registration = Registration.objects.get(event=event)
    assert registration.email == "gast@example.org"
    assert invitation.accepted_by == registration.user  # the token cannot be used again


# --- Both languages ---------------------------------------------------------------------------


def test_start_page_is_german_by_default_and_english_under_en(
    client: CheckedClient, event: Event
) -> None:
    german = client.get("/")
    english = client.get("/en/")

    assert '<html lang="de">' in german.content.decode()
    assert german["Content-Language"] == "de"
    assert '<html lang="en">' in english.content.decode()
    assert english["Content-Language"] == "en"
    assert "Upcoming and recent barcamps" in text(english)
    assert '<a href="/" hreflang="de" lang="de">Deutsch</a>' in english.content.decode()
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in german.content.decode()


def test_form_errors_appear_in_english_under_en(client: CheckedClient, event: Event) -> None:
    response = client.post(
        en("events:register", slug=event.slug), registration_form(event, email="kein-at")
    )

    assert response.status_code == 400
    assert field_errors(response) == {"email": ["Enter a valid email address."]}


def test_form_errors_appear_in_german_by_default(client: CheckedClient, event: Event) -> None:
    with translation.override("de"):
        path = reverse("events:register", kwargs={"slug": event.slug})

    response = client.post(path, registration_form(event, name=""))

    assert path == "/verwaltung-digital/register/"
    assert response.status_code == 400
    assert '<html lang="de">' in response.content.decode()
    assert field_errors(response) == {"name": ["Dieses Feld ist zwingend erforderlich."]}


def test_own_error_messages_appear_in_german_by_default(
    organiser_client: CheckedClient, organiser: User
) -> None:
    add_event_permission(organiser)

    response = organiser_client.post(
        "/events/new/",
        {"name": "X", "slug": "admin", "mode": "on_site", "timezone": "Europe/Berlin"},
    )

    assert response.status_code == 400
    assert '<html lang="de">' in response.content.decode()
    assert field_errors(response)["slug"] == [
        "Dieser Kurzname ist reserviert. Bitte wählen Sie einen anderen."
    ]


# --- Bad input: a 4xx with a clear message, and nothing saved -----------------------------------

VALID_NEW_EVENT = {
    "name": "Barcamp Offene Verwaltung",
    "slug": "offene-verwaltung",
    "mode": "on_site",
    "timezone": "Europe/Berlin",
    "visibility": "public",
    "capacity": "80",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 10_000, "Ensure this value has at most 200 characters (it has 10000)."),
        ("name", "Nul\x00Byte", "Null characters are not allowed."),
        ("slug", "", "This field is required."),
        (
            "slug",
            "Mein Barcamp!",
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        ),
        ("slug", "admin", "This short name is reserved. Please choose another one."),
        ("slug", "Accounts", "This short name is reserved. Please choose another one."),
        ("slug", "a" * 61, "Ensure this value has at most 60 characters (it has 61)."),
        (
            "timezone",
            "Mars/Olympus_Mons",
            "Select a valid choice. Mars/Olympus_Mons is not one of the available choices.",
        ),
        ("capacity", "0", "Ensure this value is greater than or equal to 1."),
        ("capacity", "100001", "Ensure this value is less than or equal to 100000."),
        ("capacity", "9" * 30, "Ensure this value is less than or equal to 100000."),
        ("capacity", "viele", "Enter a whole number."),
        (
            "mode",
            "teleport",
            "Select a valid choice. teleport is not one of the available choices.",
        ),
        (
            "visibility",
            "geheim",
            "Select a valid choice. geheim is not one of the available choices.",
        ),
    ],
)
def test_event_create_with_bad_input_shows_error_on_field_and_saves_nothing(
    organiser_client: CheckedClient, organiser: User, field: str, value: str, message: str
) -> None:
    add_event_permission(organiser)
    events_before, roles_before = Event.objects.count(), EventRole.objects.count()

    response = organiser_client.post(en("events:event-create"), {**VALID_NEW_EVENT, field: value})

    assert response.status_code == 400
    assert message in field_errors(response)[field]
    assert "Please check your input" in text(response)
    assert (Event.objects.count(), EventRole.objects.count()) == (events_before, roles_before)


def test_event_create_with_negative_capacity_names_the_real_minimum(
    organiser_client: CheckedClient, organiser: User
) -> None:
    add_event_permission(organiser)

    response = organiser_client.post(
        en("events:event-create"), {**VALID_NEW_EVENT, "capacity": "-5"}
    )

    assert response.status_code == 400
    assert field_errors(response)["capacity"] == [
        "Ensure this value is greater than or equal to 1."
    ]


def test_event_create_with_taken_slug_says_so(
    organiser_client: CheckedClient, organiser: User, event: Event
) -> None:
    add_event_permission(organiser)

    response = organiser_client.post(
        en("events:event-create"), {**VALID_NEW_EVENT, "slug": event.slug}
    )

    assert response.status_code == 400
    assert field_errors(response) == {"slug": ["This short name is already taken."]}
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_email", "orga(at)example", "Enter a valid email address."),
        ("slug", "static", "This short name is reserved. Please choose another one."),
        (
            "timezone",
            "Europe/Atlantis",
            "Select a valid choice. Europe/Atlantis is not one of the available choices.",
        ),
        ("capacity", "0", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_manage_settings_with_bad_input_changes_nothing(
    organiser_client: CheckedClient, event: Event, field: str, value: str, message: str
) -> None:
    before = Event.objects.filter(pk=event.pk).values().get()

    response = organiser_client.post(
        en("events:manage-settings", slug=event.slug),
        event_form(event, name="Neuer Name", **{field: value}),
    )

    assert response.status_code == 400
    assert message in field_errors(response)[field]
    assert Event.objects.filter(pk=event.pk).values().get() == before


def test_manage_settings_refuses_to_empty_legal_texts_of_published_barcamp(
    organiser_client: CheckedClient, event: Event
) -> None:
    before = Event.objects.filter(pk=event.pk).values().get()

    response = organiser_client.post(
        en("events:manage-settings", slug=event.slug), event_form(event, imprint="", name="Neu")
    )

    assert response.status_code == 400
    assert form_errors(response) == [
        "A published barcamp needs its imprint, privacy notice, code of conduct and contact e-mail."
    ]
    assert Event.objects.filter(pk=event.pk).values().get() == before


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("", "This field is required."),
        ("2027-02-30", "Enter a valid date."),
        ("morgen", "Enter a valid date."),
        ("04.03.2027 ; DROP TABLE", "Enter a valid date."),
    ],
)
def test_manage_days_with_malformed_date_adds_nothing(
    organiser_client: CheckedClient, event: Event, date: str, message: str
) -> None:
    response = organiser_client.post(en("events:manage-days", slug=event.slug), {"date": date})

    assert response.status_code == 400
    assert field_errors(response) == {"date": [message]}
    assert event.days.count() == 1


def test_manage_days_with_existing_date_says_so(
    organiser_client: CheckedClient, event: Event
) -> None:
    existing = event.days.get()

    response = organiser_client.post(
        en("events:manage-days", slug=event.slug), {"date": existing.date.isoformat()}
    )

    assert response.status_code == 400
    assert field_errors(response) == {"date": ["This barcamp already has this day."]}
    assert list(event.days.all()) == [existing]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        (
            {"name": "x" * 10_000},
            "name",
            "Ensure this value has at most 200 characters (it has 10000).",
        ),
        ({"email": "ada@"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        (
            {"organisation_type": "geheimdienst"},
            "organisation_type",
            "Select a valid choice. geheimdienst is not one of the available choices.",
        ),
        ({"privacy_consent": ""}, "privacy_consent", "This field is required."),
        ({"days": []}, "days", "This field is required."),
        ({"days": ["abc"]}, "days", "“abc” is not a valid value."),
    ],
)
def test_registration_with_bad_input_registers_nobody(
    client: CheckedClient,
    event: Event,
    mailoutbox: list[mail.EmailMessage],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    users_before = User.objects.count()

    response = client.post(
        en("events:register", slug=event.slug), registration_form(event, **changes)
    )

    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}
    assert (Registration.objects.count(), User.objects.count()) == (0, users_before)
    assert mailoutbox == []


def test_registration_for_days_of_another_barcamp_registers_nobody(
    client: CheckedClient, event: Event
) -> None:
    other_day = EventFactory().days.get()

    response = client.post(
        en("events:register", slug=event.slug), registration_form(event, days=[other_day.pk])
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "days": [f"Select a valid choice. {other_day.pk} is not one of the available choices."]
    }
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "mia", "role": "moderator"}, "email", "Enter a valid email address."),
        (
            {"email": "mia@example.org", "role": "superuser"},
            "role",
            "Select a valid choice. superuser is not one of the available choices.",
        ),
    ],
)
def test_invite_with_bad_input_sends_nothing(
    organiser_client: CheckedClient,
    event: Event,
    mailoutbox: list[mail.EmailMessage],
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = organiser_client.post(en("events:manage-roles", slug=event.slug), data)

    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}
    assert (Invitation.objects.count(), mailoutbox) == (0, [])


@pytest.mark.parametrize("status", ["cancelled", "deleted", ""])
def test_manual_move_to_unknown_status_changes_nothing(
    organiser_client: CheckedClient, event: Event, status: str
) -> None:
    registration = RegistrationFactory(event=event)

    response = organiser_client.post(
        en("events:manage-registration-move", slug=event.slug, pk=registration.pk),
        {"status": status},
        follow=True,
    )

    registration.refresh_from_db()
    assert messages_of(response) == ["Please choose confirmed or waiting list."]
    assert (registration.status, registration.manual) == (RegistrationStatus.CONFIRMED, False)


def test_export_in_unknown_format_is_404(organiser_client: CheckedClient, event: Event) -> None:
    response = organiser_client.get(
        en("events:manage-registrations-export", slug=event.slug, fmt="pdf")
    )

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_get_on_post_only_endpoint_shows_a_page_that_explains(
    organiser_client: CheckedClient, event: Event
) -> None:
    response = organiser_client.get(en("events:manage-publish", slug=event.slug))

    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert '<html lang="en">' in response.content.decode()
    assert text(response) != ""


@pytest.mark.parametrize(
    "path",
    [
        "/en/verwaltung-digital/manage/days/abc/",
        "/en/verwaltung-digital/manage/days/-1/",
        "/en/verwaltung-digital/manage/days/99999999999999999999999/",
        "/en/verwaltung-digital/manage/registrations/1.5/move/",
        "/en/verwaltung%20digital/",
    ],
)
def test_malformed_pk_or_slug_in_url_is_404(
    organiser_client: CheckedClient, event: Event, path: str
) -> None:
    response = organiser_client.get(path)

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_oversized_request_body_is_400_and_registers_nobody(
    client: CheckedClient, event: Event
) -> None:
    huge = registration_form(event, accessibility_needs="x" * (3 * 1024 * 1024))

    response = client.post(en("events:register", slug=event.slug), huge)

    assert response.status_code == 400
    assert "Bad request" in text(response)
    assert Registration.objects.count() == 0


def test_too_many_form_fields_is_400_and_registers_nobody(
    client: CheckedClient, event: Event
) -> None:
    data = {**registration_form(event), **{f"feld{i}": "x" for i in range(600)}}

    response = client.post(en("events:register", slug=event.slug), data)

    assert response.status_code == 400
    assert "Bad request" in text(response)
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\nname=1"),  # no boundary
        (
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda',  # cut off
        ),
    ],
)
def test_malformed_multipart_body_is_400_and_registers_nobody(
    client: CheckedClient, event: Event, content_type: str, body: bytes
) -> None:
    response = client.post(en("events:register", slug=event.slug), body, content_type=content_type)

    assert response.status_code == 400
    assert Registration.objects.count() == 0


def test_invalid_utf8_in_slug_is_refused_with_a_message(
    organiser_client: CheckedClient, organiser: User
) -> None:
    add_event_permission(organiser)
    body = b"name=Barcamp&slug=camp%FF%FE&mode=on_site&timezone=Europe%2FBerlin&visibility=public"

    response = organiser_client.post(
        en("events:event-create"), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "slug": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]
    }
    assert Event.objects.count() == 0


def test_invalid_utf8_in_a_name_is_stored_as_replacement_characters(
    client: CheckedClient, event: Event
) -> None:
    """Django decodes undecodable bytes as U+FFFD: no 500, and the database only holds text."""
    day = event.days.get()
    body = (
        b"name=Ada%FF%FEAmt&email=ada%40example.org&organisation_type=municipal"
        + f"&days={day.pk}&privacy_consent=on".encode()
    )

    response = client.post(
        en("events:register", slug=event.slug),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert response["Location"] == en("events:register-done", slug=event.slug)
    assert Registration.objects.get().name == "Ada\ufffd\ufffdAmt"


# --- What the pages contain -------------------------------------------------------------------

HOSTILE_MARKDOWN = """\
Willkommen! <script>alert("skript")</script>

<iframe src="https://evil.example/"></iframe>

[Klick mich](javascript:alert(1)) und <img src="x" onerror="alert(2)">

<a href="javascript:alert(3)" onclick="alert(4)">Link</a> <svg onload="alert(5)"></svg>

**Wichtig** und [Programm](https://example.org/programm)
"""


def test_event_description_markdown_renders_harmless(client: CheckedClient, db: None) -> None:
    event = EventFactory(description=HOSTILE_MARKDOWN)

    response = client.get(en("events:event-detail", slug=event.slug))

    section = re.search(
        r'<section aria-labelledby="about-heading">(.*?)</section>',
        response.content.decode(),
        re.S,
    )
    assert section
    about = Page(section[1])
    tags = {tag for tag, _attrs in about.tags}
    attributes = {name for _tag, attrs in about.tags for name in attrs}
    assert tags <= {"h2", "div", "p", "a", "strong", "em"}
    assert attributes <= {"id", "class", "href", "rel"}
    assert [attrs.get("href") for tag, attrs in about.tags if tag == "a" and "href" in attrs] == [
        "https://example.org/programm"
    ]
    assert "<strong>Wichtig</strong>" in section[1]
    assert 'rel="noopener noreferrer nofollow"' in section[1]


def test_pages_send_security_headers(client: CheckedClient, event: Event) -> None:
    response = client.get(en("events:event-detail", slug=event.slug))

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_anonymous_visit_sets_only_necessary_cookies(
    client: CheckedClient, event: Event, django_capture_on_commit_callbacks: Any
) -> None:
    client.get(en("events:home"))
    client.get(en("events:event-detail", slug=event.slug))
    client.get(en("events:register", slug=event.slug))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(en("events:register", slug=event.slug), registration_form(event), follow=True)

    assert set(client.cookies) <= {"csrftoken", "sessionid"}
    assert "csrftoken" in client.cookies
    for cookie in client.cookies.values():
        assert cookie["samesite"] == "Lax"
        assert cookie["httponly"] is True


# --- Query-count guards -----------------------------------------------------------------------


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_registration_list_query_count_does_not_grow_with_registrations(
    organiser_client: CheckedClient, event: Event
) -> None:
    path = en("events:manage-registrations", slug=event.slug)
    RegistrationFactory.create_batch(3, event=event)
    queries_for(organiser_client, path)  # warm the session and the content-type cache
    with_3 = queries_for(organiser_client, path)
    RegistrationFactory.create_batch(27, event=event)

    with_30 = queries_for(organiser_client, path)

    assert with_30 == with_3
    assert "30 registrations" in text(organiser_client.get(path))


@pytest.mark.parametrize("logged_in", [False, True])
def test_start_page_query_count_does_not_grow_with_barcamps(
    client: CheckedClient, db: None, logged_in: bool
) -> None:
    person = UserFactory()
    first = EventFactory(days=2)
    RegistrationFactory(event=first, user=person)
    if logged_in:
        client.force_login(person)
    queries_for(client, "/en/")
    with_1 = queries_for(client, "/en/")
    for _ in range(4):
        RegistrationFactory(event=EventFactory(days=2), user=person)

    with_5 = queries_for(client, "/en/")

    assert with_5 == with_1
    assert Event.objects.filter(visibility=Visibility.PUBLIC).count() == 5
