"""Reads about barcamps: scoping, the uniform not-found, counts and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory, UserFactory
from unkonf.events.enums import OrganisationType, RegistrationStatus, Role
from unkonf.events.models import Invitation
from unkonf.events.selectors import (
    access_event,
    access_invitation,
    access_managed_event,
    access_registration,
    get_registration,
    list_events_of,
    list_open_invitations,
    list_public_events,
    list_public_participants,
    list_registrations,
    list_roles,
    registration_counts,
    waiting_position,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_list_public_events_only_published_public_newest_first():
    now = timezone.now()
    older = EventFactory(published_at=now - datetime.timedelta(days=3))
    newer = EventFactory(published_at=now - datetime.timedelta(days=1))
    EventFactory(unpublished=True)
    EventFactory(invite_only=True)

    assert list(list_public_events()) == [newer, older]


def test_list_public_events_query_count_does_not_grow(django_assert_num_queries):
    EventFactory(days=2)
    with django_assert_num_queries(2):
        one = [list(e.days.all()) for e in list_public_events()]
    EventFactory.create_batch(2, days=3)

    with django_assert_num_queries(2):
        three = [list(e.days.all()) for e in list_public_events()]

    assert (len(one), len(three)) == (1, 3)


def test_list_events_of_roles_and_registrations_once_each():
    user = UserFactory()
    organised = EventFactory(unpublished=True, organiser=user)
    EventRoleFactory(event=organised, user=user, role=Role.MODERATOR)
    registered = EventFactory()
    RegistrationFactory(event=registered, user=user, cancelled=True)
    EventFactory()

    assert set(list_events_of(user)) == {organised, registered}
    assert list_events_of(user).count() == 2


def test_list_events_of_anonymous_is_empty():
    EventFactory()

    assert list(list_events_of(AnonymousUser())) == []


def test_access_event_public_published_for_anyone():
    event = EventFactory()

    assert access_event(AnonymousUser(), event.slug) == event
    assert access_event(UserFactory(), event.slug) == event


@pytest.mark.parametrize("who", ["anonymous", "stranger", "participant-of-other-event"])
def test_access_event_unpublished_is_not_found_for_outsiders(who):
    event = EventFactory(unpublished=True)
    actor = {
        "anonymous": AnonymousUser,
        "stranger": UserFactory,
        "participant-of-other-event": lambda: RegistrationFactory().user,
    }[who]()

    with pytest.raises(Http404):
        access_event(actor, event.slug)


def test_access_event_unpublished_for_its_organiser_and_superuser():
    organiser = UserFactory()
    event = EventFactory(unpublished=True, organiser=organiser)

    assert access_event(organiser, event.slug) == event
    assert access_event(UserFactory(superuser=True), event.slug) == event


def test_access_event_invite_only_for_linked_people_only():
    event = EventFactory(invite_only=True)
    registered = RegistrationFactory(event=event, waiting=True).user
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR).user

    assert access_event(registered, event.slug) == event
    assert access_event(moderator, event.slug) == event
    with pytest.raises(Http404):
        access_event(UserFactory(), event.slug)
    with pytest.raises(Http404):
        access_event(AnonymousUser(), event.slug)


def test_access_event_missing_slug_is_not_found():
    with pytest.raises(Http404):
        access_event(UserFactory(superuser=True), "gibt-es-nicht")


def test_access_managed_event_only_organisers_and_superusers():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    participant = RegistrationFactory(event=event).user
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR).user

    assert access_managed_event(organiser, event.slug) == event
    assert access_managed_event(UserFactory(superuser=True), event.slug) == event
    for outsider in (participant, moderator, AnonymousUser()):
        with pytest.raises(Http404):
            access_managed_event(outsider, event.slug)


def test_access_invitation_by_token():
    invitation = Invitation.objects.create(
        event=EventFactory(), email="neu@kreis.example", role=Role.MODERATOR
    )

    assert access_invitation(invitation.token) == invitation
    with pytest.raises(Http404):
        access_invitation("falsches-token")


def test_get_registration_of_the_user_or_none():
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    RegistrationFactory()  # someone else, elsewhere

    assert get_registration(event, registration.user) == registration
    assert get_registration(event, UserFactory()) is None
    assert get_registration(event, AnonymousUser()) is None


def test_access_registration_is_scoped_to_the_event():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    own = RegistrationFactory(event=event)
    elsewhere = RegistrationFactory()

    assert access_registration(organiser, event, own.pk) == own
    with pytest.raises(Http404):
        access_registration(organiser, event, elsewhere.pk)
    with pytest.raises(Http404):
        access_registration(own.user, event, own.pk)


def test_waiting_position_counts_from_one():
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    first = RegistrationFactory(event=event, waiting=True)
    RegistrationFactory(event=event, cancelled=True)
    second = RegistrationFactory(event=event, waiting=True)

    assert [waiting_position(r) for r in (confirmed, first, second)] == [None, 1, 2]


def test_list_registrations_filters():
    event = EventFactory()
    anna = RegistrationFactory(
        event=event,
        name="Anna Quastenberg",
        organisation="Stadt Musterstadt",
        organisation_type=OrganisationType.MUNICIPAL,
    )
    bernd = RegistrationFactory(
        event=event,
        name="Bernd Vogel",
        organisation="Landesamt Nord",
        organisation_type=OrganisationType.STATE,
        waiting=True,
    )
    RegistrationFactory()  # other barcamp

    assert list(list_registrations(event)) == [anna, bernd]
    assert list(list_registrations(event, status=RegistrationStatus.WAITING)) == [bernd]
    assert list(list_registrations(event, organisation_type=OrganisationType.MUNICIPAL)) == [anna]
    assert list(list_registrations(event, search="landesamt")) == [bernd]
    assert list(list_registrations(event, search="QUASTENBERG")) == [anna]
    assert list(list_registrations(event, search=bernd.email.split("@")[0])) == [bernd]


def test_list_registrations_query_count_does_not_grow(django_assert_num_queries):
    event = EventFactory(days=2)
    RegistrationFactory(event=event)
    with django_assert_num_queries(2):
        one = [list(r.days.all()) for r in list_registrations(event)]
    RegistrationFactory.create_batch(2, event=event)

    with django_assert_num_queries(2):
        three = [list(r.days.all()) for r in list_registrations(event)]

    assert (len(one), len(three)) == (1, 3)


def test_registration_counts_includes_every_status():
    event = EventFactory()
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, waiting=True)

    assert registration_counts(event) == {"confirmed": 2, "waiting": 1, "cancelled": 0}


def test_list_public_participants_only_confirmed_who_agreed_by_name():
    event = EventFactory()
    zoe = RegistrationFactory(event=event, name="Zoe Zimmermann", public_listing=True)
    adam = RegistrationFactory(event=event, name="Adam Albers", public_listing=True)
    RegistrationFactory(event=event, name="Privat Person", public_listing=False)
    RegistrationFactory(event=event, name="Wartend", public_listing=True, waiting=True)
    RegistrationFactory(event=event, name="Abgesagt", public_listing=True, cancelled=True)

    assert list(list_public_participants(event)) == [adam, zoe]


def test_list_roles_of_the_event_only():
    organiser = UserFactory(name="Olga Orga")
    event = EventFactory(organiser=organiser)
    moderator = EventRoleFactory(
        event=event, role=Role.MODERATOR, user=UserFactory(name="Max Moderator")
    )
    EventRoleFactory()  # other barcamp

    assert [(r.user, r.role) for r in list_roles(event)] == [
        (moderator.user, Role.MODERATOR),
        (organiser, Role.ORGANISER),
    ]


def test_list_open_invitations_leaves_out_accepted():
    event = EventFactory()
    open_one = Invitation.objects.create(
        event=event, email="offen@kreis.example", role=Role.MODERATOR
    )
    Invitation.objects.create(
        event=event,
        email="angenommen@kreis.example",
        role=Role.MODERATOR,
        accepted_at=timezone.now(),
    )
    Invitation.objects.create(
        event=EventFactory(), email="anderswo@kreis.example", role=Role.MODERATOR
    )

    assert list(list_open_invitations(event)) == [open_one]
