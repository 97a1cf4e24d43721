"""Reads about barcamps. ``access_*`` is the security chokepoint: the object or one 404."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from unkonf.events import permissions
from unkonf.events.enums import RegistrationStatus, Visibility
from unkonf.events.models import Announcement, Event, EventRole, Invitation, Registration


def list_public_events() -> QuerySet[Event]:
    return (
        Event.objects.filter(published_at__isnull=False, visibility=Visibility.PUBLIC)
        .prefetch_related("days")
        .order_by("-published_at")
    )


def list_events_of(user: Any) -> QuerySet[Event]:
    """Barcamps the user has a role in or registered for."""
    if not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    return (
        Event.objects.filter(Q(roles__user=user) | Q(registrations__user=user))
        .distinct()
        .prefetch_related("days")
        .order_by("-created_at")
    )


def access_event(actor: Any, slug: str) -> Event:
    """The barcamp if the actor may see it; otherwise the same 404 as for a missing one."""
    event = Event.objects.filter(slug=slug).first()
    if event is None or not permissions.can_view_event(actor, event):
        raise Http404
    return event


def access_managed_event(actor: Any, slug: str) -> Event:
    event = Event.objects.filter(slug=slug).first()
    if event is None or not permissions.can_manage_event(actor, event):
        raise Http404
    return event


def access_invitation(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("event").filter(token=token).first()
    if invitation is None:
        raise Http404
    return invitation


def get_registration(event: Event, user: Any) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user).prefetch_related("days").first()


def access_registration(actor: Any, event: Event, pk: int) -> Registration:
    if not permissions.can_manage_event(actor, event):
        raise Http404
    registration = Registration.objects.filter(event=event, pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; None if not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        status=RegistrationStatus.WAITING,
        queue_number__lt=registration.queue_number,
    ).count()
    return ahead + 1


def list_registrations(
    event: Event,
    *,
    status: str | None = None,
    organisation_type: str | None = None,
    search: str | None = None,
) -> QuerySet[Registration]:
    qs = Registration.objects.filter(event=event).prefetch_related("days").order_by("queue_number")
    if status:
        qs = qs.filter(status=status)
    if organisation_type:
        qs = qs.filter(organisation_type=organisation_type)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(organisation__icontains=search)
        )
    return qs


def registration_counts(event: Event) -> dict[str, int]:
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("id"))
    counts = {status.value: 0 for status in RegistrationStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def list_public_participants(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, public_listing=True
    ).order_by("name")


def list_roles(event: Event) -> QuerySet[EventRole]:
    return (
        EventRole.objects.filter(event=event)
        .select_related("user")
        .order_by("role", "user__name", "user__email")
    )


def list_open_invitations(event: Event) -> QuerySet[Invitation]:
    return Invitation.objects.filter(event=event, accepted_at__isnull=True).select_related(
        "invited_by"
    )


# --- Announcements ------------------------------------------------------------------------------

# How long the latest announcement stays on the barcamp's pages for later visitors.
ANNOUNCEMENT_SHOWN_FOR = datetime.timedelta(hours=12)


def access_announcing_event(actor: Any, slug: str) -> Event:
    """The barcamp if the actor may send announcements to it; otherwise the uniform 404."""
    event = Event.objects.filter(slug=slug).first()
    if event is None or not permissions.can_send_announcements(actor, event):
        raise Http404
    return event


def list_announcements(event: Event) -> QuerySet[Announcement]:
    return (
        Announcement.objects.filter(event=event)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def get_current_announcement(event: Event) -> Announcement | None:
    """The latest announcement, if it is recent enough to still be shown."""
    return (
        Announcement.objects.filter(
            event=event, created_at__gte=timezone.now() - ANNOUNCEMENT_SHOWN_FOR
        )
        .order_by("-created_at", "-pk")
        .first()
    )
