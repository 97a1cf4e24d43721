"""Who may do what in a barcamp."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.utils import timezone

from tests.factories import EventFactory, EventRoleFactory, RegistrationFactory, UserFactory
from unkonf.events.enums import Role
from unkonf.events.models import EventRole, Invitation
from unkonf.events.permissions import (
    can_create_events,
    can_manage_event,
    can_register,
    can_view_event,
    forget_roles,
    has_any_link,
    is_event_staff,
    roles_of,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_roles_of_anonymous_is_empty():
    assert roles_of(AnonymousUser(), EventFactory()) == frozenset()


def test_roles_of_combines_roles_and_confirmed_registration():
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    EventRoleFactory(event=event, user=registration.user, role=Role.TIMEKEEPER)

    assert roles_of(registration.user, event) == frozenset({Role.TIMEKEEPER, Role.PARTICIPANT})


@pytest.mark.parametrize("trait", ["waiting", "cancelled"])
def test_roles_of_waiting_or_cancelled_is_no_participant(trait):
    registration = RegistrationFactory(**{trait: True})

    assert roles_of(registration.user, registration.event) == frozenset()


def test_roles_of_is_per_event():
    organiser = UserFactory()
    event = EventFactory(organiser=organiser)
    other = EventFactory()

    assert roles_of(organiser, event) == frozenset({Role.ORGANISER})
    assert roles_of(organiser, other) == frozenset()


def test_roles_of_is_cached_until_forgotten(django_assert_num_queries):
    event = EventFactory()
    user = UserFactory()
    roles_of(user, event)
    EventRole.objects.create(event=event, user=user, role=Role.MODERATOR)

    with django_assert_num_queries(0):
        cached = roles_of(user, event)
    forget_roles(user)

    assert cached == frozenset()
    assert roles_of(user, event) == frozenset({Role.MODERATOR})


@pytest.mark.parametrize(
    ("role", "manage", "staff"),
    [
        (Role.ORGANISER, True, True),
        (Role.MODERATOR, False, True),
        (Role.TIMEKEEPER, False, True),
        (Role.EXHIBITOR, False, False),
        (Role.PARTICIPANT, False, False),
    ],
)
def test_can_manage_and_is_staff_by_role(role, manage, staff):
    event_role = EventRoleFactory(role=role)

    assert can_manage_event(event_role.user, event_role.event) is manage
    assert is_event_staff(event_role.user, event_role.event) is staff


def test_superuser_manages_every_event_anonymous_none():
    event = EventFactory()

    assert can_manage_event(UserFactory(superuser=True), event)
    assert is_event_staff(UserFactory(superuser=True), event)
    assert not can_manage_event(AnonymousUser(), event)
    assert not is_event_staff(AnonymousUser(), event)


def test_has_any_link_includes_cancelled_registrations():
    event = EventFactory()
    cancelled = RegistrationFactory(event=event, cancelled=True)

    assert has_any_link(cancelled.user, event)
    assert not has_any_link(UserFactory(), event)
    assert not has_any_link(AnonymousUser(), event)


def test_can_view_event_unpublished_only_for_organisers():
    organiser = UserFactory()
    event = EventFactory(unpublished=True, organiser=organiser)
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR).user

    assert can_view_event(organiser, event)
    assert can_view_event(UserFactory(superuser=True), event)
    assert not can_view_event(moderator, event)
    assert not can_view_event(UserFactory(), event)
    assert not can_view_event(AnonymousUser(), event)


def test_can_view_event_public_for_everyone():
    event = EventFactory()

    assert can_view_event(AnonymousUser(), event)
    assert can_view_event(UserFactory(), event)


def test_can_view_event_invite_only_for_linked_people():
    event = EventFactory(invite_only=True)
    waiting = RegistrationFactory(event=event, waiting=True).user
    exhibitor = EventRoleFactory(event=event, role=Role.EXHIBITOR).user

    assert can_view_event(waiting, event)
    assert can_view_event(exhibitor, event)
    assert not can_view_event(UserFactory(), event)
    assert not can_view_event(AnonymousUser(), event)


@pytest.mark.parametrize(
    "event_kwargs",
    [{"unpublished": True}, {"registration_open": False}],
    ids=["unpublished", "closed"],
)
def test_can_register_not_when_unpublished_or_closed(event_kwargs):
    organiser = UserFactory()
    event = EventFactory(organiser=organiser, **event_kwargs)

    assert not can_register(AnonymousUser(), event)
    assert not can_register(organiser, event)


def test_can_register_public_for_anyone():
    event = EventFactory()

    assert can_register(AnonymousUser(), event)
    assert can_register(UserFactory(), event)


def test_can_register_invite_only_needs_an_open_invitation_of_this_event():
    event = EventFactory(invite_only=True)
    invitation = Invitation.objects.create(
        event=event, email="gast@kreis.example", role=Role.PARTICIPANT
    )
    used = Invitation.objects.create(
        event=event, email="alt@kreis.example", role=Role.PARTICIPANT, accepted_at=timezone.now()
    )
    elsewhere = Invitation.objects.create(
        event=EventFactory(), email="gast@kreis.example", role=Role.PARTICIPANT
    )

    assert not can_register(AnonymousUser(), event)
    assert not can_register(UserFactory(), event)
    assert can_register(AnonymousUser(), event, invitation=invitation)
    assert not can_register(AnonymousUser(), event, invitation=used)
    assert not can_register(AnonymousUser(), event, invitation=elsewhere)


def test_can_register_invite_only_for_people_with_a_role_or_earlier_registration():
    event = EventFactory(invite_only=True)
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR).user
    cancelled = RegistrationFactory(event=event, cancelled=True).user

    assert can_register(moderator, event)
    assert can_register(cancelled, event)


def test_can_create_events_needs_the_permission():
    allowed = UserFactory()
    allowed.user_permissions.add(
        Permission.objects.get(codename="add_event", content_type__app_label="events")
    )

    assert can_create_events(allowed)
    assert can_create_events(UserFactory(superuser=True))
    assert not can_create_events(UserFactory())
    assert not can_create_events(AnonymousUser())
