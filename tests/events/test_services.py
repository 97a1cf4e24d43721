"""Barcamp setup, roles, registration and the waiting list, through the services."""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import translation

from tests.factories import (
    DayFactory,
    EventFactory,
    EventRoleFactory,
    RegistrationFactory,
    UserFactory,
)
from unkonf.accounts.models import User
from unkonf.core.models import AuditLogEntry
from unkonf.events import permissions
from unkonf.events.enums import OrganisationType, RegistrationStatus, Role
from unkonf.events.exceptions import (
    AlreadyRegistered,
    EventError,
    PublishError,
    RegistrationClosed,
    RegistrationError,
    RoleError,
)
from unkonf.events.models import Event, EventRole, Invitation, Registration
from unkonf.events.services import (
    RegistrationData,
    accept_invitation,
    add_day,
    cancel_registration,
    create_event,
    grant_role,
    invite_member,
    move_registration,
    publish_event,
    register,
    remind_registration,
    remove_day,
    revoke_role,
    unpublish_event,
    update_day,
    update_event,
    update_registration,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CONFIRMED = RegistrationStatus.CONFIRMED
WAITING = RegistrationStatus.WAITING
CANCELLED = RegistrationStatus.CANCELLED


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def data_for(
    event: Event, *, email: str = "erika.mustermann@musterstadt.example", **overrides
) -> RegistrationData:
    values = {
        "name": "Erika Mustermann",
        "email": email,
        "organisation": "Stadtverwaltung Musterstadt",
        "organisation_type": OrganisationType.MUNICIPAL,
        "privacy_consent": True,
        "days": tuple(event.days.all()),
        "language": "en",
    }
    values.update(overrides)
    return RegistrationData(**values)


def status_of(*registrations: Registration) -> list[str]:
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


def audit(action: str) -> list[tuple[int | None, int | None]]:
    """(actor_id, event_id) of the entries with this action, oldest first."""
    return list(
        AuditLogEntry.objects.filter(action=action)
        .order_by("id")
        .values_list("actor_id", "event_id")
    )


# --- register ---------------------------------------------------------------------------------


def test_register_free_place_confirms_and_mails_confirmation(
    django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(capacity=2)
    actor = UserFactory(language="en")

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, data=data_for(event, name="Jana Krüger"), actor=actor)

    registration.refresh_from_db()
    assert registration.status == CONFIRMED
    assert registration.user == actor
    assert registration.email == actor.email
    assert registration.name == "Jana Krüger"
    assert registration.queue_number == 1
    assert list(registration.days.all()) == list(event.days.all())
    assert [m.to for m in mailoutbox] == [[actor.email]]
    mail = mailoutbox[0]
    assert mail.subject == f"Your place at {event.name} is confirmed"
    assert "Hello Jana Krüger," in mail.body
    assert "Your place is confirmed" in mail.body
    assert f"?next={event.get_absolute_url()}registration/" in mail.body
    assert mail.reply_to == [event.contact_email]
    assert audit("registration.created") == [(actor.pk, event.pk)]
    entry = AuditLogEntry.objects.get(action="registration.created")
    assert entry.data == {"status": "confirmed"}
    assert entry.object_id == str(registration.pk)


def test_register_full_event_puts_on_waiting_list_and_mails_waiting(
    django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    actor = UserFactory(language="en")

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, data=data_for(event), actor=actor)

    assert status_of(registration) == [WAITING]
    assert registration.queue_number == 2
    assert [m.to for m in mailoutbox] == [[actor.email]]
    assert mailoutbox[0].subject == f"You are on the waiting list for {event.name}"
    assert "you are on the waiting list" in mailoutbox[0].body
    assert "Your place is confirmed" not in mailoutbox[0].body
    assert AuditLogEntry.objects.get(action="registration.created").data == {"status": "waiting"}


def test_register_without_capacity_always_confirms():
    event = EventFactory(capacity=None)
    RegistrationFactory.create_batch(5, event=event)

    registration = register(event, data=data_for(event), actor=None)

    assert registration.status == CONFIRMED
    assert registration.queue_number == 6


def test_register_same_user_twice_raises_already_registered_and_keeps_one(
    django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory()
    actor = UserFactory()
    register(event, data=data_for(event), actor=actor)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(AlreadyRegistered, match=r"You are already registered for this barcamp."),
    ):
        register(event, data=data_for(event, name="Noch einmal"), actor=actor)

    assert Registration.objects.filter(event=event).count() == 1
    assert Registration.objects.get(event=event).name == "Erika Mustermann"
    assert Event.objects.get(pk=event.pk).registration_counter == 1
    assert mailoutbox == []


def test_register_same_email_twice_anonymously_raises_already_registered():
    event = EventFactory()
    register(event, data=data_for(event, email="jonas.weber@kreis.example"), actor=None)

    with pytest.raises(AlreadyRegistered):
        register(event, data=data_for(event, email="  Jonas.Weber@KREIS.example "), actor=None)

    assert Registration.objects.filter(event=event).count() == 1
    assert User.objects.filter(email__iexact="jonas.weber@kreis.example").count() == 1


def test_register_after_cancellation_goes_to_end_of_queue():
    event = EventFactory(capacity=2)
    first, _second = RegistrationFactory.create_batch(2, event=event)
    waiting = RegistrationFactory(event=event, waiting=True)
    cancel_registration(first, actor=first.user)
    assert status_of(waiting) == [CONFIRMED]

    again = register(event, data=data_for(event, name="Wieder da"), actor=first.user)

    assert again.pk == first.pk
    assert again.status == WAITING
    assert again.queue_number == 4
    assert again.name == "Wieder da"
    assert Registration.objects.filter(event=event).count() == 3


def test_register_after_cancellation_with_free_place_confirms_again():
    event = EventFactory(capacity=2)
    registration = RegistrationFactory(event=event)
    cancel_registration(registration, actor=registration.user)

    again = register(event, data=data_for(event), actor=registration.user)

    assert again.status == CONFIRMED
    assert again.queue_number == 2
    assert again.manual is False


@pytest.mark.parametrize(
    "event_kwargs",
    [{"registration_open": False}, {"unpublished": True}],
    ids=["registration-closed", "unpublished"],
)
def test_register_closed_or_unpublished_raises_registration_closed(event_kwargs):
    event = EventFactory(**event_kwargs)

    with pytest.raises(RegistrationClosed, match=r"Registration for this barcamp is closed."):
        register(event, data=data_for(event), actor=None)

    assert Registration.objects.count() == 0
    assert not User.objects.filter(email="erika.mustermann@musterstadt.example").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"privacy_consent": False}, "privacy_consent", "Please accept the privacy notice."),
        ({"name": "   "}, "name", "Please enter your name."),
        ({"days": ()}, "days", "Please choose at least one day."),
    ],
    ids=["no-consent", "no-name", "no-days"],
)
def test_register_incomplete_data_raises_error_for_the_field(overrides, field, message):
    event = EventFactory(days=2)

    with pytest.raises(RegistrationError) as excinfo:
        register(event, data=data_for(event, **overrides), actor=None)

    assert excinfo.value.field == field
    assert str(excinfo.value) == message
    assert Registration.objects.count() == 0
    assert Event.objects.get(pk=event.pk).registration_counter == 0


def test_register_day_of_another_event_is_refused():
    event = EventFactory()
    other_day = EventFactory().days.get()

    with pytest.raises(RegistrationError) as excinfo:
        register(event, data=data_for(event, days=(other_day,)), actor=None)

    assert excinfo.value.field == "days"
    assert Registration.objects.count() == 0
    assert Event.objects.get(pk=event.pk).registration_counter == 0


def test_register_event_without_days_needs_no_days():
    event = EventFactory(days=0)

    registration = register(event, data=data_for(event, days=()), actor=None)

    assert registration.status == CONFIRMED
    assert list(registration.days.all()) == []


def test_register_chosen_days_are_stored():
    event = EventFactory(days=3)
    second = event.days.all()[1]

    registration = register(event, data=data_for(event, days=(second,)), actor=None)

    assert list(registration.days.all()) == [second]


def test_register_anonymous_creates_user_with_lowercased_email_and_unverified_address():
    event = EventFactory()

    registration = register(
        event,
        data=data_for(event, name="Aylin Demir", email="Aylin.Demir@Stadt-Musterstadt.EXAMPLE"),
        actor=None,
    )

    user = User.objects.get(email="aylin.demir@stadt-musterstadt.example")
    assert registration.user == user
    assert registration.email == "aylin.demir@stadt-musterstadt.example"
    assert registration.name == "Aylin Demir"
    assert user.name == "Aylin Demir"
    assert user.language == "en"
    assert not user.has_usable_password()
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("aylin.demir@stadt-musterstadt.example", False, True)]
    assert audit("registration.created") == [(user.pk, event.pk)]


def test_register_anonymous_strips_the_name_of_the_new_account():
    event = EventFactory()

    registration = register(event, data=data_for(event, name="  Aylin Demir "), actor=None)

    assert registration.name == "Aylin Demir"
    assert registration.user.name == "Aylin Demir"


def test_register_anonymous_with_known_email_uses_existing_account():
    event = EventFactory()
    user = UserFactory(email="lena.schmidt@landkreis.example", name="Lena Schmidt")

    registration = register(
        event, data=data_for(event, email="LENA.SCHMIDT@landkreis.example"), actor=None
    )

    assert registration.user == user
    assert User.objects.filter(email__iexact="lena.schmidt@landkreis.example").count() == 1
    assert User.objects.get(pk=user.pk).name == "Lena Schmidt"


def test_register_logged_in_actor_registers_themselves_not_the_typed_email():
    event = EventFactory()
    actor = UserFactory(name="")

    registration = register(
        event, data=data_for(event, email="jemand.anderes@example.org"), actor=actor
    )

    assert registration.user == actor
    assert registration.email == actor.email
    assert not User.objects.filter(email="jemand.anderes@example.org").exists()
    assert User.objects.get(pk=actor.pk).name == "Erika Mustermann"


def test_register_confirmed_makes_the_person_participant():
    event = EventFactory()
    actor = UserFactory()
    assert permissions.roles_of(actor, event) == frozenset()

    register(event, data=data_for(event), actor=actor)

    assert permissions.roles_of(actor, event) == frozenset({Role.PARTICIPANT})


@pytest.mark.parametrize("email", ["  ", "keine-adresse", "zwei@@musterstadt.example"])
def test_register_anonymous_without_valid_email_raises_registration_error(email):
    event = EventFactory()

    with pytest.raises(RegistrationError) as excinfo:
        register(event, data=data_for(event, email=email), actor=None)

    assert excinfo.value.field == "email"
    assert str(excinfo.value) == "Please enter a valid e-mail address."
    assert Registration.objects.count() == 0
    assert User.objects.count() == 0


def test_remind_registration_mails_the_registered_person(mailoutbox):
    event = EventFactory()
    registration = RegistrationFactory(event=event, user=UserFactory(language="en"), waiting=True)

    remind_registration(event, email=registration.email.upper())

    assert [m.to for m in mailoutbox] == [[registration.email]]
    assert mailoutbox[0].subject == f"You are already registered for {event.name}"
    assert "Your current status: Waiting list." in mailoutbox[0].body


def test_remind_registration_unknown_or_cancelled_sends_nothing(mailoutbox):
    event = EventFactory()
    cancelled = RegistrationFactory(event=event, cancelled=True)

    remind_registration(event, email="niemand@musterstadt.example")
    remind_registration(event, email=cancelled.email)

    assert mailoutbox == []


def test_update_registration_keeps_status_and_place_in_queue():
    event = EventFactory(days=2, capacity=1)
    RegistrationFactory(event=event)
    registration = RegistrationFactory(event=event, waiting=True)
    _first_day, second_day = event.days.all()

    updated = update_registration(
        registration,
        actor=registration.user,
        data=data_for(event, name="Neuer Name", organisation="Kreisverwaltung", days=(second_day,)),
    )

    updated.refresh_from_db()
    assert (updated.name, updated.organisation) == ("Neuer Name", "Kreisverwaltung")
    assert (updated.status, updated.queue_number) == (WAITING, 2)
    assert list(updated.days.all()) == [second_day]
    assert audit("registration.updated") == [(registration.user_id, event.pk)]


def test_update_registration_cancelled_is_refused():
    registration = RegistrationFactory(cancelled=True)

    with pytest.raises(
        RegistrationError, match=r"This registration is cancelled. Please register again."
    ):
        update_registration(
            registration, actor=registration.user, data=data_for(registration.event)
        )


# --- cancel and the waiting list --------------------------------------------------------------


def test_cancel_confirmed_moves_up_first_waiting_in_arrival_order_and_mails_them(
    django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(capacity=2)
    leaving = RegistrationFactory(event=event, user=UserFactory(language="en"))
    staying = RegistrationFactory(event=event)
    first_waiting, second_waiting, third_waiting = (
        RegistrationFactory(event=event, waiting=True, user=UserFactory(language="en"))
        for _ in range(3)
    )

    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(leaving, actor=leaving.user)

    assert status_of(leaving, staying, first_waiting, second_waiting, third_waiting) == [
        CANCELLED, CONFIRMED, CONFIRMED, WAITING, WAITING,
    ]  # fmt: skip
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (leaving.email, f"Your registration for {event.name} has been cancelled"),
            (first_waiting.email, f"A place has become free: you are confirmed for {event.name}"),
        ]
    )
    assert audit("registration.cancelled") == [(leaving.user_id, event.pk)]
    assert audit("registration.moved_up") == [(None, event.pk)]
    assert AuditLogEntry.objects.get(action="registration.moved_up").object_id == str(
        first_waiting.pk
    )
    assert AuditLogEntry.objects.get(action="registration.cancelled").data == {"was": "confirmed"}


def test_cancel_confirmed_moves_up_by_arrival_number_not_by_creation_order():
    event = EventFactory(capacity=1)
    leaving = RegistrationFactory(event=event)
    later = RegistrationFactory(event=event, waiting=True, queue_number=50)
    earlier = RegistrationFactory(event=event, waiting=True, queue_number=7)

    cancel_registration(leaving, actor=leaving.user)

    assert status_of(earlier, later) == [CONFIRMED, WAITING]


def test_cancel_waiting_moves_nobody(django_capture_on_commit_callbacks, mailoutbox):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    leaving = RegistrationFactory(event=event, waiting=True, user=UserFactory(language="en"))
    still_waiting = RegistrationFactory(event=event, waiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(leaving, actor=leaving.user)

    assert status_of(confirmed, leaving, still_waiting) == [CONFIRMED, CANCELLED, WAITING]
    assert [m.to for m in mailoutbox] == [[leaving.email]]
    assert audit("registration.moved_up") == []


def test_cancel_twice_is_a_no_op(django_capture_on_commit_callbacks, mailoutbox):
    event = EventFactory(capacity=1)
    leaving = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, waiting=True)
    cancel_registration(leaving, actor=leaving.user)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = cancel_registration(leaving, actor=leaving.user)

    assert result.status == CANCELLED
    assert callbacks == []
    assert mailoutbox == []
    assert status_of(leaving, waiting) == [CANCELLED, CONFIRMED]
    assert len(audit("registration.cancelled")) == 1
    assert len(audit("registration.moved_up")) == 1


def test_cancel_without_notify_mails_only_the_person_moving_up(
    django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(capacity=1)
    leaving = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, waiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(leaving, actor=leaving.user, notify=False)

    assert [m.to for m in mailoutbox] == [[waiting.email]]


def test_cancel_confirmed_skips_registrations_put_on_waiting_list_by_hand():
    event = EventFactory(capacity=1)
    leaving = RegistrationFactory(event=event)
    held_back = RegistrationFactory(event=event, waiting=True, manual=True)
    next_in_line = RegistrationFactory(event=event, waiting=True)

    cancel_registration(leaving, actor=leaving.user)

    assert status_of(held_back, next_in_line) == [WAITING, CONFIRMED]


def test_cancel_confirmed_while_overbooked_moves_nobody_up():
    event = EventFactory(capacity=1)
    leaving = RegistrationFactory(event=event)
    RegistrationFactory(event=event, manual=True)  # confirmed by hand beyond capacity
    waiting = RegistrationFactory(event=event, waiting=True)

    cancel_registration(leaving, actor=leaving.user)

    assert status_of(waiting) == [WAITING]


def test_cancel_confirmed_takes_away_participant_role():
    registration = RegistrationFactory()
    user = registration.user
    assert Role.PARTICIPANT in permissions.roles_of(user, registration.event)

    cancel_registration(registration, actor=user)

    assert permissions.roles_of(user, registration.event) == frozenset()


# --- moving registrations by hand -------------------------------------------------------------


def test_move_registration_confirm_beyond_capacity_sticks(
    django_capture_on_commit_callbacks, mailoutbox
):
    organiser = UserFactory()
    event = EventFactory(capacity=1, organiser=organiser)
    confirmed = RegistrationFactory(event=event)
    lucky = RegistrationFactory(event=event, waiting=True, user=UserFactory(language="en"))
    other_waiting = RegistrationFactory(event=event, waiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        move_registration(lucky, actor=organiser, status=CONFIRMED)

    assert status_of(confirmed, lucky, other_waiting) == [CONFIRMED, CONFIRMED, WAITING]
    assert Registration.objects.get(pk=lucky.pk).manual is True
    assert [(m.to[0], m.subject) for m in mailoutbox] == [
        (lucky.email, f"A place has become free: you are confirmed for {event.name}")
    ]
    assert audit("registration.moved") == [(organiser.pk, event.pk)]
    assert AuditLogEntry.objects.get(action="registration.moved").data == {
        "from": "waiting",
        "to": "confirmed",
    }

    cancel_registration(confirmed, actor=confirmed.user)

    assert status_of(lucky, other_waiting) == [CONFIRMED, WAITING]


def test_move_registration_to_waiting_by_hand_is_not_promoted_later():
    organiser = UserFactory()
    event = EventFactory(capacity=2, organiser=organiser)
    first = RegistrationFactory(event=event)
    held_back = RegistrationFactory(event=event)
    third = RegistrationFactory(event=event, waiting=True)
    fourth = RegistrationFactory(event=event, waiting=True)

    move_registration(held_back, actor=organiser, status=WAITING)

    assert status_of(first, held_back, third, fourth) == [CONFIRMED, WAITING, CONFIRMED, WAITING]

    cancel_registration(first, actor=first.user)

    assert status_of(first, held_back, third, fourth) == [CANCELLED, WAITING, CONFIRMED, CONFIRMED]
    assert Registration.objects.get(pk=held_back.pk).manual is True


def test_move_registration_to_cancelled_is_refused():
    registration = RegistrationFactory()

    with pytest.raises(
        RegistrationError, match=r"A registration can be moved to confirmed or to the waiting list."
    ):
        move_registration(registration, actor=UserFactory(), status=CANCELLED)

    assert status_of(registration) == [CONFIRMED]


def test_move_registration_cancelled_is_refused():
    registration = RegistrationFactory(cancelled=True)

    with pytest.raises(RegistrationError, match=r"This registration is cancelled."):
        move_registration(registration, actor=UserFactory(), status=CONFIRMED)

    assert status_of(registration) == [CANCELLED]


def test_update_event_raising_capacity_moves_up_that_many(
    django_capture_on_commit_callbacks, mailoutbox
):
    organiser = UserFactory()
    event = EventFactory(capacity=2, organiser=organiser)
    RegistrationFactory.create_batch(2, event=event)
    held_back = RegistrationFactory(event=event, waiting=True, manual=True)
    waiting = RegistrationFactory.create_batch(4, event=event, waiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        update_event(event, actor=organiser, capacity=5)

    assert status_of(held_back, *waiting) == [WAITING, CONFIRMED, CONFIRMED, CONFIRMED, WAITING]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.email for r in waiting[:3])
    assert len(audit("registration.moved_up")) == 3


def test_update_event_removing_limit_moves_up_everyone_not_held_back():
    organiser = UserFactory()
    event = EventFactory(capacity=1, organiser=organiser)
    RegistrationFactory(event=event)
    held_back = RegistrationFactory(event=event, waiting=True, manual=True)
    waiting = RegistrationFactory.create_batch(3, event=event, waiting=True)

    update_event(event, actor=organiser, capacity=None)

    assert status_of(held_back, *waiting) == [WAITING, CONFIRMED, CONFIRMED, CONFIRMED]


def test_update_event_lowering_capacity_keeps_confirmed_places():
    organiser = UserFactory()
    event = EventFactory(capacity=3, organiser=organiser)
    confirmed = RegistrationFactory.create_batch(3, event=event)

    update_event(event, actor=organiser, capacity=1)

    assert status_of(*confirmed) == [CONFIRMED] * 3


# --- barcamp setup ----------------------------------------------------------------------------


def test_create_event_makes_actor_organiser():
    actor = UserFactory()

    event = create_event(
        actor=actor, name="Barcamp Open Government 2027", slug="open-gov-2027", capacity=120
    )

    event.refresh_from_db()
    assert (event.name, event.slug, event.capacity) == (
        "Barcamp Open Government 2027",
        "open-gov-2027",
        120,
    )
    assert event.published_at is None
    assert list(EventRole.objects.filter(event=event).values_list("user_id", "role")) == [
        (actor.pk, Role.ORGANISER)
    ]
    assert permissions.can_manage_event(actor, event)
    assert audit("event.created") == [(actor.pk, event.pk)]


def test_create_event_refuses_a_taken_slug():
    EventFactory(slug="verwaltung-digital")

    with pytest.raises(EventError, match=r"This short name is already taken.") as excinfo:
        create_event(actor=UserFactory(), name="Noch ein Barcamp", slug="verwaltung-digital")

    assert excinfo.value.field == "slug"
    assert Event.objects.filter(slug="verwaltung-digital").count() == 1
    assert not Event.objects.filter(name="Noch ein Barcamp").exists()


def test_create_event_refuses_a_reserved_slug():
    with pytest.raises(EventError) as excinfo:
        create_event(actor=UserFactory(), name="Admin-Barcamp", slug="admin")

    assert excinfo.value.field == "slug"
    assert str(excinfo.value) == "This short name is reserved. Please choose another one."
    assert not Event.objects.exists()


def test_create_event_unknown_field_is_a_programming_error():
    with pytest.raises(TypeError, match=r"unknown event fields"):
        create_event(actor=UserFactory(), name="X", slug="x", published_at=None)


def test_publish_event_lists_the_missing_legal_texts():
    organiser = UserFactory()
    event = EventFactory(unpublished=True, imprint="", code_of_conduct="  ", organiser=organiser)

    with pytest.raises(PublishError) as excinfo:
        publish_event(event, actor=organiser)

    assert str(excinfo.value) == "Before publishing, please fill in: imprint, code of conduct."
    assert Event.objects.get(pk=event.pk).published_at is None
    assert audit("event.published") == []


def test_publish_event_draft_lists_all_four_missing_fields():
    event = EventFactory(draft=True)

    with pytest.raises(PublishError) as excinfo:
        publish_event(event, actor=UserFactory())

    assert str(excinfo.value) == (
        "Before publishing, please fill in: "
        "imprint, privacy notice, code of conduct, contact e-mail."
    )


def test_publish_event_without_days_is_refused():
    event = EventFactory(unpublished=True, days=0)

    with pytest.raises(PublishError, match=r"Before publishing, please add at least one day."):
        publish_event(event, actor=UserFactory())

    assert Event.objects.get(pk=event.pk).published_at is None


def test_publish_event_sets_published_once():
    organiser = UserFactory()
    event = EventFactory(unpublished=True, organiser=organiser)

    published = publish_event(event, actor=organiser)
    first_published_at = published.published_at
    again = publish_event(event, actor=organiser)

    assert first_published_at is not None
    assert again.published_at == first_published_at
    assert Event.objects.get(pk=event.pk).is_published
    assert audit("event.published") == [(organiser.pk, event.pk)]


def test_unpublish_event_clears_publication():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)

    unpublish_event(event, actor=organiser)
    unpublish_event(event, actor=organiser)

    assert Event.objects.get(pk=event.pk).published_at is None
    assert audit("event.unpublished") == [(organiser.pk, event.pk)]


@pytest.mark.parametrize("field", ["imprint", "privacy_notice", "code_of_conduct", "contact_email"])
def test_update_event_published_refuses_removing_legal_text(field):
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    before = getattr(event, field)

    with pytest.raises(PublishError):
        update_event(event, actor=organiser, **{field: ""})

    assert getattr(Event.objects.get(pk=event.pk), field) == before
    assert audit("event.updated") == []


def test_update_event_unpublished_may_leave_legal_texts_empty():
    organiser = UserFactory()
    event = EventFactory(unpublished=True, organiser=organiser)

    update_event(event, actor=organiser, imprint="")

    assert Event.objects.get(pk=event.pk).imprint == ""


def test_update_event_records_changed_fields():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser, name="Alt")

    updated = update_event(
        event, actor=organiser, name="Neu", description="Neue Beschreibung", mode=event.mode
    )

    assert (updated.name, updated.description) == ("Neu", "Neue Beschreibung")
    assert audit("event.updated") == [(organiser.pk, event.pk)]
    assert AuditLogEntry.objects.get(action="event.updated").data == {
        "fields": ["description", "name"]
    }


def test_update_event_without_changes_records_nothing():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)

    update_event(event, actor=organiser, name=event.name)

    assert audit("event.updated") == []


def test_update_event_refuses_a_taken_slug():
    organiser = UserFactory()
    EventFactory(slug="schon-vergeben")
    event = EventFactory(organiser=organiser)

    with pytest.raises(EventError) as excinfo:
        update_event(event, actor=organiser, slug="schon-vergeben")

    assert excinfo.value.field == "slug"
    assert Event.objects.get(pk=event.pk).slug == event.slug


def test_add_update_remove_day():
    organiser = UserFactory()
    event = EventFactory(days=0, organiser=organiser)

    day = add_day(event, actor=organiser, date=datetime.date(2027, 5, 6), label="Tag 1")
    update_day(day, actor=organiser, date=datetime.date(2027, 5, 7), label="Donnerstag")
    assert list(event.days.values_list("date", "label")) == [
        (datetime.date(2027, 5, 7), "Donnerstag")
    ]
    remove_day(day, actor=organiser)

    assert not event.days.exists()
    actions = AuditLogEntry.objects.filter(event_id=event.pk).order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        "day.added",
        "day.updated",
        "day.removed",
    ]


def test_add_day_twice_is_refused():
    event = EventFactory(days=0)
    DayFactory(event=event, date=datetime.date(2027, 5, 6))

    with pytest.raises(EventError) as excinfo:
        add_day(event, actor=UserFactory(), date=datetime.date(2027, 5, 6))

    assert excinfo.value.field == "date"
    assert event.days.count() == 1


# --- roles and invitations --------------------------------------------------------------------


def test_revoke_role_refuses_removing_the_last_organiser():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    role = EventRole.objects.get(event=event, user=organiser)

    with pytest.raises(RoleError, match=r"A barcamp needs at least one organiser."):
        revoke_role(role, actor=organiser)

    assert EventRole.objects.filter(pk=role.pk).exists()
    assert audit("role.revoked") == []


def test_revoke_role_second_organiser_may_go():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    other = EventRoleFactory(event=event, role=Role.ORGANISER)

    revoke_role(other, actor=organiser)

    assert list(EventRole.objects.filter(event=event).values_list("user_id", flat=True)) == [
        organiser.pk
    ]
    assert audit("role.revoked") == [(organiser.pk, event.pk)]
    assert AuditLogEntry.objects.get(action="role.revoked").data == {
        "role": "organiser",
        "user": other.user_id,
    }
    assert not permissions.can_manage_event(other.user, event)


def test_revoke_role_moderator_with_single_organiser_is_allowed():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR)

    revoke_role(moderator, actor=organiser)

    assert not EventRole.objects.filter(pk=moderator.pk).exists()


def test_grant_role_is_idempotent_and_audited():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    user = UserFactory()

    grant_role(event, actor=organiser, user=user, role=Role.TIMEKEEPER)
    grant_role(event, actor=organiser, user=user, role=Role.TIMEKEEPER)

    assert list(
        EventRole.objects.filter(event=event, user=user).values_list("role", flat=True)
    ) == [Role.TIMEKEEPER]
    assert audit("role.granted") == [(organiser.pk, event.pk)] * 2


def test_grant_role_unknown_is_refused():
    with pytest.raises(RoleError) as excinfo:
        grant_role(EventFactory(), actor=UserFactory(), user=UserFactory(), role="king")

    assert excinfo.value.field == "role"


def test_invite_member_mails_the_accept_link(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    organiser = UserFactory(language="en")
    event = EventFactory(organiser=organiser)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_member(
            event, actor=organiser, email=" Moderation@Kreis.EXAMPLE ", role=Role.MODERATOR
        )

    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "moderation@kreis.example", Role.MODERATOR, organiser,
    )  # fmt: skip
    assert [m.to for m in mailoutbox] == [["moderation@kreis.example"]]
    assert mailoutbox[0].subject == f"Invitation to {event.name}"
    assert f"as {Role.MODERATOR.label}" in mailoutbox[0].body
    assert settings.SITE_URL + invitation.get_absolute_url() in mailoutbox[0].body
    assert audit("role.invited") == [(organiser.pk, event.pk)]


def test_invite_member_again_reuses_the_open_invitation():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)

    first = invite_member(event, actor=organiser, email="orga@kreis.example", role=Role.ORGANISER)
    second = invite_member(event, actor=organiser, email="ORGA@kreis.example", role=Role.ORGANISER)

    assert first.pk == second.pk
    assert Invitation.objects.filter(event=event).count() == 1


def test_invite_member_unknown_role_is_refused():
    with pytest.raises(RoleError) as excinfo:
        invite_member(EventFactory(), actor=UserFactory(), email="x@kreis.example", role="king")

    assert excinfo.value.field == "role"
    assert not Invitation.objects.exists()


def test_accept_invitation_grants_the_role_once():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    invitation = invite_member(
        event, actor=organiser, email="neu@kreis.example", role=Role.ORGANISER
    )
    invitee = UserFactory(email="neu@kreis.example")

    role = accept_invitation(invitation, actor=invitee)

    assert (role.event, role.user, role.role) == (event, invitee, Role.ORGANISER)
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at is not None
    assert permissions.can_manage_event(invitee, event)
    assert audit("role.accepted") == [(invitee.pk, event.pk)]


def test_accept_invitation_used_is_refused():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    invitation = invite_member(
        event, actor=organiser, email="neu@kreis.example", role=Role.MODERATOR
    )
    accept_invitation(invitation, actor=UserFactory())
    someone_else = UserFactory()

    with pytest.raises(RoleError, match=r"This invitation has already been used."):
        accept_invitation(invitation, actor=someone_else)

    assert not EventRole.objects.filter(event=event, user=someone_else).exists()
    assert EventRole.objects.filter(event=event, role=Role.MODERATOR).count() == 1


def test_accept_invitation_for_a_role_already_held_adds_no_duplicate():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    invitation = invite_member(event, actor=organiser, email=organiser.email, role=Role.ORGANISER)

    accept_invitation(invitation, actor=organiser)

    assert EventRole.objects.filter(event=event, user=organiser).count() == 1
