"""Who may do what in a barcamp. Views and consumers ask here; selectors use it to scope reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from unkonf.events.enums import RegistrationStatus, Role, Visibility
from unkonf.events.models import Event, EventRole, Invitation, Registration

STAFF_ROLES: frozenset[str] = frozenset({Role.ORGANISER, Role.MODERATOR, Role.TIMEKEEPER})
ANNOUNCER_ROLES: frozenset[str] = frozenset({Role.ORGANISER, Role.MODERATOR})


def roles_of(user: Any, event: Event) -> frozenset[str]:
    """The user's roles in this barcamp; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_unkonf_roles", {})
    if event.pk not in cache:
        roles = set(EventRole.objects.filter(event=event, user=user).values_list("role", flat=True))
        if Registration.objects.filter(
            event=event, user=user, status=RegistrationStatus.CONFIRMED
        ).exists():
            roles.add(Role.PARTICIPANT)
        cache[event.pk] = frozenset(roles)
    return cache[event.pk]


def roles_of_many(users: Iterable[Any], event: Event) -> dict[int, frozenset[str]]:
    """``roles_of`` for many users at once (two queries): per user id, their roles in this
    barcamp. Fills each user object's cache, so ``roles_of`` and every check built on it
    (``can_view_event``, ``takes_part`` …) ask no more for this barcamp. Anonymous visitors
    are left out (``roles_of`` gives them no roles)."""
    people = [user for user in users if getattr(user, "is_authenticated", False)]
    roles: dict[int, set[str]] = {user.pk: set() for user in people}
    if roles:
        for user_id, role in EventRole.objects.filter(
            event=event, user_id__in=list(roles)
        ).values_list("user_id", "role"):
            roles[user_id].add(role)
        for user_id in Registration.objects.filter(
            event=event, user_id__in=list(roles), status=RegistrationStatus.CONFIRMED
        ).values_list("user_id", flat=True):
            roles[user_id].add(Role.PARTICIPANT)
    found = {user_id: frozenset(names) for user_id, names in roles.items()}
    for user in people:
        user.__dict__.setdefault("_unkonf_roles", {})[event.pk] = found[user.pk]
    return found


def forget_roles(user: Any) -> None:
    user.__dict__.pop("_unkonf_roles", None)


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def can_manage_event(user: Any, event: Event) -> bool:
    return is_superuser(user) or Role.ORGANISER in roles_of(user, event)


def is_event_staff(user: Any, event: Event) -> bool:
    return is_superuser(user) or bool(STAFF_ROLES & roles_of(user, event))


def has_any_link(user: Any, event: Event) -> bool:
    """A role, or a registration in any state."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        bool(roles_of(user, event)) or Registration.objects.filter(event=event, user=user).exists()
    )


def can_view_event(user: Any, event: Event) -> bool:
    if can_manage_event(user, event):
        return True
    if not event.is_published:
        return False
    if event.visibility == Visibility.PUBLIC:
        return True
    return has_any_link(user, event)


def takes_part(user: Any, event: Event) -> bool:
    """Logged in, may see the barcamp, and belongs to it: a role or a confirmed registration.

    These are the people who see each other's names (chat, presence), not the whole internet.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return can_view_event(user, event) and bool(roles_of(user, event) or is_superuser(user))


def can_send_announcements(user: Any, event: Event) -> bool:
    """Organisers and moderators speak to everyone at the barcamp."""
    return is_superuser(user) or bool(ANNOUNCER_ROLES & roles_of(user, event))


def can_register(user: Any, event: Event, *, invitation: Invitation | None = None) -> bool:
    """May this user (or visitor) open the registration form?"""
    if not event.is_published or not event.registration_open:
        return False
    if event.visibility == Visibility.PUBLIC:
        return True
    if (
        invitation is not None
        and invitation.event_id == event.pk
        and invitation.accepted_at is None
    ):
        return True
    return bool(roles_of(user, event)) or has_any_link(user, event)


def can_create_events(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("events.add_event"))
