"""My account: one-time login links, login by code, profile, data export, deleting the account.

Through Django's test client, under ``/en/``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import translation

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory, UserFactory
from tests.pages import CheckedClient, en, field_errors, form_errors, messages_of, text
from unkonf.accounts.models import User
from unkonf.accounts.tokens import login_link_path
from unkonf.events.enums import RegistrationStatus, Role
from unkonf.events.models import Event, EventRole, Registration

pytestmark = pytest.mark.integration


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def person(db: None) -> User:
    return UserFactory(name="Ada Amtsfrau", email="ada@musterstadt.example", language="en")


@pytest.fixture
def person_client(client: CheckedClient, person: User) -> CheckedClient:
    client.force_login(person)
    return client


def link_for(user: User, next_path: str = "") -> str:
    with translation.override("en"):
        return login_link_path(user, next_path=next_path)


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- One-time login links -----------------------------------------------------------------------


def test_login_link_get_asks_post_logs_in_and_then_the_link_is_used_up(
    client: CheckedClient, person: User
) -> None:
    link = link_for(person, next_path="/en/accounts/profile/data.json")

    asked = client.get(link)
    still_anonymous = logged_in_user_id(client)
    logged_in = client.post(link)
    second_use = client.get(link)

    assert "Log in as ada@musterstadt.example?" in text(asked)
    assert '<form method="post">' in asked.content.decode()
    assert still_anonymous is None  # a mail scanner opening the link logs nobody in
    assert logged_in["Location"] == "/en/accounts/profile/data.json"
    assert logged_in_user_id(client) == str(person.pk)
    assert second_use.status_code == 400
    assert "This login link has already been used or has expired." in text(second_use)


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_login_link_ignores_next_pointing_elsewhere(
    client: CheckedClient, person: User, next_path: str
) -> None:
    link = link_for(person).split("?")[0] + "?next=" + next_path

    response = client.post(link, follow=True)

    assert response.redirect_chain == [(en("accounts:profile"), 302)]
    assert messages_of(response) == ["You are logged in."]


@pytest.mark.parametrize("damage", ["wrong token", "nobody", "garbage uid", "inactive"])
def test_login_link_that_does_not_fit_is_400_and_logs_nobody_in(
    client: CheckedClient, person: User, damage: str
) -> None:
    link = link_for(person)
    uid, token = link.split("/")[-3:-1]
    if damage == "wrong token":
        token = token[:-3] + "abc"
    elif damage == "nobody":
        uid = "OTk5OTk"  # pk 99999
    elif damage == "garbage uid":
        uid = "!!!"
    else:
        User.objects.filter(pk=person.pk).update(is_active=False)
    path = en("accounts:login-link", uidb64=uid, token=token)

    asked, posted = client.get(path), client.post(path)

    assert (asked.status_code, posted.status_code) == (400, 400)
    assert "Link no longer valid" in text(posted)
    assert logged_in_user_id(client) is None


def test_login_by_code_without_next_lands_on_the_start_page(
    client: CheckedClient,
    person: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(en("account_login"), {"login": person.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[-1].body, re.M)
    assert code, mailoutbox[-1].body

    response = client.post(asked["Location"], {"code": code[1]}, follow=True)

    assert response.redirect_chain[-1] == (en("events:home"), 302)
    assert logged_in_user_id(client) == str(person.pk)


# --- Profile ----------------------------------------------------------------------------------


def test_profile_lists_registrations_and_saves_name_and_language(
    person_client: CheckedClient, person: User
) -> None:
    RegistrationFactory(user=person, event=EventFactory(name="Barcamp Nord"), waiting=True)
    path = en("accounts:profile")

    page = person_client.get(path)
    response = person_client.post(path, {"name": "Ada Neu", "language": "de"}, follow=True)

    assert "Logged in as ada@musterstadt.example." in text(page)
    assert ">Barcamp Nord</a>: Waiting list</li>" in page.content.decode()
    assert response.redirect_chain == [(path, 302)]
    assert messages_of(response) == ["Your profile has been saved."]
    person.refresh_from_db()
    assert (person.name, person.language) == ("Ada Neu", "de")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "language": "en"}, "name", "This field is required."),
        (
            {"name": "A" * 10_000, "language": "en"},
            "name",
            "Ensure this value has at most 200 characters (it has 10000).",
        ),
        (
            {"name": "Ada", "language": "fr"},
            "language",
            "Select a valid choice. fr is not one of the available choices.",
        ),
        ({"name": "Ada\x00", "language": "en"}, "name", "Null characters are not allowed."),
    ],
)
def test_profile_with_bad_input_changes_nothing(
    person_client: CheckedClient, person: User, data: dict[str, str], field: str, message: str
) -> None:
    response = person_client.post(en("accounts:profile"), data)

    person.refresh_from_db()
    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}
    assert (person.name, person.language) == ("Ada Amtsfrau", "en")


# --- Personal data export ---------------------------------------------------------------------


def test_data_export_is_a_json_download_with_the_registrations(
    person_client: CheckedClient, person: User
) -> None:
    registration = RegistrationFactory(
        user=person,
        event=EventFactory(name="Barcamp Nord"),
        organisation="Stadtverwaltung Musterstadt",
        accessibility_needs="Induktionsschleife",
    )

    response = person_client.get(en("accounts:data-export"))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="unkonf-meine-daten.json"'
    data = json.loads(response.content)
    assert (data["account"]["email"], data["account"]["name"]) == (person.email, person.name)
    [exported] = data["events"]["registrations"]
    assert exported == {
        **exported,
        "barcamp": "Barcamp Nord",
        "email": person.email,
        "organisation": "Stadtverwaltung Musterstadt",
        "accessibility_needs": "Induktionsschleife",
        "status": "confirmed",
        "days": [d.date.isoformat() for d in registration.days.all()],
    }


# --- Deleting the account ---------------------------------------------------------------------


def test_erase_without_ticking_the_box_deletes_nothing(
    person_client: CheckedClient, person: User
) -> None:
    RegistrationFactory(user=person)

    response = person_client.post(en("accounts:erase"), {"confirm": ""})

    person.refresh_from_db()
    assert response.status_code == 400
    assert field_errors(response) == {"confirm": ["This field is required."]}
    assert (person.email, person.is_active, person.registrations.count()) == (
        "ada@musterstadt.example",
        True,
        1,
    )
    assert logged_in_user_id(person_client) == str(person.pk)


def test_erase_anonymises_logs_out_and_frees_the_place(
    person_client: CheckedClient, person: User
) -> None:
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, user=person)
    waiting = RegistrationFactory(event=event, waiting=True)
    other_session = Client()
    other_session.force_login(person)

    form_page = person_client.get(en("accounts:erase"))
    response = person_client.post(en("accounts:erase"), {"confirm": "on"}, follow=True)

    person.refresh_from_db()
    waiting.refresh_from_db()
    assert "Yes, delete my account and my registrations. This cannot be undone." in text(form_page)
    assert response.redirect_chain == [(en("events:home"), 302)]
    assert messages_of(response) == ["Your account has been deleted."]
    assert (person.email, person.name, person.is_active, person.erased_at is not None) == (
        f"deleted-{person.pk}@invalid.invalid",
        "",
        False,
        True,
    )
    assert not Registration.objects.filter(user=person).exists()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert logged_in_user_id(person_client) is None
    assert person_client.get(en("accounts:profile"))["Location"].startswith(en("account_login"))
    assert other_session.get(en("accounts:profile")).status_code == 302  # all sessions end


def test_erase_as_only_organiser_is_refused_with_the_barcamp_named(
    person_client: CheckedClient, person: User
) -> None:
    event = EventFactory(name="Barcamp Süd", organiser=person)
    EventRoleFactory(event=event, role=Role.MODERATOR)

    response = person_client.post(en("accounts:erase"), {"confirm": "on"})

    person.refresh_from_db()
    assert response.status_code == 400
    assert form_errors(response) == [
        "You are the only organiser of “Barcamp Süd”. Please make someone else organiser first."
    ]
    assert (person.email, person.is_active) == ("ada@musterstadt.example", True)
    assert EventRole.objects.filter(event=event, user=person, role=Role.ORGANISER).exists()
    assert logged_in_user_id(person_client) == str(person.pk)


def test_erase_as_one_of_two_organisers_hands_the_barcamp_over(
    person_client: CheckedClient, person: User
) -> None:
    colleague = UserFactory()
    event = EventFactory(organiser=person)
    EventRoleFactory(event=event, user=colleague, role=Role.ORGANISER)

    response = person_client.post(en("accounts:erase"), {"confirm": "on"})

    assert response.status_code == 302
    assert list(EventRole.objects.filter(event=event).values_list("user", flat=True)) == [
        colleague.pk
    ]
    assert Event.objects.filter(pk=event.pk).exists()
