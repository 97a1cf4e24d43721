"""Accounts: find-or-create by e-mail, profile, personal data export and erasure."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import translation

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory, UserFactory
from unkonf.accounts.models import User
from unkonf.accounts.services import (
    erase_account,
    export_personal_data,
    get_or_create_user,
    mark_email_verified,
    update_profile,
)
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import RegistrationStatus, Role
from unkonf.events.exceptions import RoleError
from unkonf.events.models import EventRole, Registration

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _sessions_of(user: User) -> list[Session]:
    return [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def test_get_or_create_user_new_address_makes_unverified_account():
    user, created = get_or_create_user(" Karl.Otto@Amt.EXAMPLE ", name="Karl Otto", language="en")

    assert created is True
    assert (user.email, user.name, user.language) == ("karl.otto@amt.example", "Karl Otto", "en")
    assert not user.has_usable_password()
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("karl.otto@amt.example", False, True)]


def test_get_or_create_user_known_address_in_any_case_returns_the_account():
    existing = UserFactory(email="karl.otto@amt.example")

    user, created = get_or_create_user("KARL.OTTO@amt.example", name="Anderer Name")

    assert (user, created) == (existing, False)
    assert User.objects.count() == 1
    assert User.objects.get().name == existing.name


def test_mark_email_verified_verifies_the_primary_address():
    user, _created = get_or_create_user("neu@amt.example")

    mark_email_verified(user)

    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("neu@amt.example", True, True)]


def test_update_profile_changes_name_and_language():
    user = UserFactory(name="Alt", language="de")

    update_profile(user, name="Neu", language="en", actor=user)

    assert User.objects.values_list("name", "language").get(pk=user.pk) == ("Neu", "en")
    assert list(
        AuditLogEntry.objects.filter(action="account.profile_updated").values_list(
            "actor_id", "object_id"
        )
    ) == [(user.pk, str(user.pk))]


def test_export_personal_data_contains_registrations_roles_and_activity():
    user = UserFactory(name="Petra Pohl", email="petra.pohl@amt.example")
    event = EventFactory(name="Barcamp Verwaltung digital 2027", days=2)
    first_day, _second_day = event.days.all()
    RegistrationFactory(
        event=event,
        user=user,
        name="Petra Pohl",
        organisation="Kreisverwaltung Nord",
        accessibility_needs="Induktionsschleife",
        days=[first_day],
    )
    EventRoleFactory(event=EventFactory(name="Open Data Tag"), user=user, role=Role.MODERATOR)
    update_profile(user, name="Petra Pohl", language="de", actor=user)

    data = export_personal_data(user)

    assert json.loads(json.dumps(data)) == data
    assert data["account"]["email"] == "petra.pohl@amt.example"
    assert data["account"]["email_addresses"] == [
        {"email": "petra.pohl@amt.example", "verified": True, "primary": True}
    ]
    [registration] = data["events"]["registrations"]
    assert registration["barcamp"] == "Barcamp Verwaltung digital 2027"
    assert registration["email"] == "petra.pohl@amt.example"
    assert registration["organisation"] == "Kreisverwaltung Nord"
    assert registration["accessibility_needs"] == "Induktionsschleife"
    assert registration["days"] == [first_day.date.isoformat()]
    assert registration["status"] == "confirmed"
    assert data["events"]["roles"] == [{"barcamp": "Open Data Tag", "role": "moderator"}]
    assert [a["action"] for a in data["activity"]] == ["account.profile_updated"]


def test_export_personal_data_leaves_out_other_people():
    user = UserFactory()
    event = EventFactory()
    RegistrationFactory(event=event)

    data = export_personal_data(user)

    assert data["events"] == {"registrations": [], "roles": []}


def test_erase_account_anonymises_the_user():
    user = UserFactory(name="Gustav Gans", email="gustav.gans@amt.example")

    erase_account(user, actor=user)

    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@invalid.invalid"
    assert user.name == ""
    assert user.is_active is False
    assert user.erased_at is not None
    assert not user.has_usable_password()
    assert user.display_name == "Deleted account"
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not User.objects.filter(email="gustav.gans@amt.example").exists()
    assert list(
        AuditLogEntry.objects.filter(action="account.erased").values_list("actor_id", "object_id")
    ) == [(None, str(user.pk))]


def test_erase_account_cancels_registrations_so_the_waiting_list_moves_up(
    django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory()
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, user=user)
    waiting = RegistrationFactory(event=event, waiting=True, user=UserFactory(language="en"))
    other_event_waiting = RegistrationFactory(
        event=EventFactory(capacity=1), user=user, waiting=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        erase_account(user, actor=user)

    assert not Registration.objects.filter(user=user).exists()
    assert not Registration.objects.filter(pk=other_event_waiting.pk).exists()
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    assert [(m.to[0], m.subject) for m in mailoutbox] == [
        (waiting.email, f"A place has become free: you are confirmed for {event.name}")
    ]


def test_erase_account_refuses_for_the_only_organiser():
    user = UserFactory(email="einzige.orga@amt.example")
    event = EventFactory(name="Barcamp Kommune 2027", organiser=user)
    other_event = EventFactory(capacity=1)
    registration = RegistrationFactory(event=other_event, user=user)
    waiting = RegistrationFactory(event=other_event, waiting=True)

    with pytest.raises(RoleError) as excinfo:
        erase_account(user, actor=user)

    assert str(excinfo.value) == (
        "You are the only organiser of “Barcamp Kommune 2027”. "
        "Please make someone else organiser first."
    )
    user.refresh_from_db()
    assert (user.email, user.is_active, user.erased_at) == ("einzige.orga@amt.example", True, None)
    assert EventRole.objects.filter(event=event, user=user, role=Role.ORGANISER).exists()
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.WAITING
    assert not AuditLogEntry.objects.filter(action="account.erased").exists()


def test_erase_account_of_one_of_two_organisers_removes_the_role():
    user = UserFactory()
    event = EventFactory(organiser=user)
    other = EventRoleFactory(event=event, role=Role.ORGANISER)

    erase_account(user, actor=user)

    assert list(EventRole.objects.filter(event=event).values_list("user_id", flat=True)) == [
        other.user_id
    ]


def test_erase_account_ends_the_users_sessions_only():
    user = UserFactory()
    someone_else = UserFactory()
    for person in (user, user, someone_else):
        Client().force_login(person)
    assert len(_sessions_of(user)) == 2

    erase_account(user, actor=user)

    assert _sessions_of(user) == []
    assert len(_sessions_of(someone_else)) == 1


def test_erase_account_deletes_already_cancelled_registrations_too():
    user = UserFactory()
    registration = RegistrationFactory(user=user, cancelled=True)

    erase_account(user, actor=user)

    assert not Registration.objects.filter(pk=registration.pk).exists()
