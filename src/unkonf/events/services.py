"""Every change to a barcamp, its days, roles and registrations goes through here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.accounts.services import get_or_create_user
from unkonf.core.markdown import render_markdown
from unkonf.core.services import record_audit
from unkonf.core.validation import check_date_in_range, clean_or_refuse
from unkonf.events import notifications
from unkonf.events.enums import RegistrationStatus, Role
from unkonf.events.exceptions import (
    AlreadyRegistered,
    EventError,
    PublishError,
    RegistrationClosed,
    RegistrationError,
    RoleError,
)
from unkonf.events.models import Announcement, Day, Event, EventRole, Invitation, Registration
from unkonf.events.permissions import can_send_announcements, forget_roles
from unkonf.realtime import streams
from unkonf.realtime.groups import event_stream
from unkonf.realtime.messages import AnnouncementSent

EVENT_FIELDS = (
    "name", "slug", "description", "mode", "venue_address", "online_note", "timezone",
    "visibility", "contact_name", "contact_email", "imprint", "privacy_notice",
    "code_of_conduct", "capacity", "registration_open",
)  # fmt: skip


def _lock_event(event: Event) -> Event:
    """Take the barcamp's row lock: registrations and the waiting list are decided under it."""
    return Event.objects.select_for_update().get(pk=event.pk)


# --- Barcamp setup ----------------------------------------------------------------------------


@transaction.atomic
def create_event(*, actor: User, name: str, slug: str, **fields: Any) -> Event:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    if Event.objects.filter(slug=slug).exists():
        raise EventError(_("This short name is already taken."), field="slug")
    event = Event(name=name, slug=slug, **fields)
    clean_or_refuse(event, EventError)
    event.save()
    EventRole.objects.create(event=event, user=actor, role=Role.ORGANISER)
    forget_roles(actor)
    record_audit("event.created", actor=actor, obj=event, event_id=event.pk)
    return event


@transaction.atomic
def update_event(event: Event, *, actor: User, **fields: Any) -> Event:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    event = _lock_event(event)
    if "slug" in fields and Event.objects.exclude(pk=event.pk).filter(slug=fields["slug"]).exists():
        raise EventError(_("This short name is already taken."), field="slug")
    changed = {k: v for k, v in fields.items() if getattr(event, k) != v}
    for key, value in changed.items():
        setattr(event, key, value)
    clean_or_refuse(event, EventError)
    if event.is_published and event.missing_legal_texts():
        raise PublishError(
            _(
                "A published barcamp needs its imprint, privacy notice, code of conduct "
                "and contact e-mail."
            )
        )
    event.save()
    if changed:
        record_audit(
            "event.updated",
            actor=actor,
            obj=event,
            event_id=event.pk,
            data={"fields": sorted(changed)},
        )
    if "capacity" in changed:
        _fill_free_places(event)
    return event


@transaction.atomic
def publish_event(event: Event, *, actor: User) -> Event:
    event = _lock_event(event)
    missing = event.missing_legal_texts()
    if missing:
        raise PublishError(
            _("Before publishing, please fill in: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    if not event.days.exists():
        raise PublishError(_("Before publishing, please add at least one day."))
    if event.published_at is None:
        event.published_at = timezone.now()
        event.save(update_fields=["published_at", "updated_at"])
        record_audit("event.published", actor=actor, obj=event, event_id=event.pk)
    return event


@transaction.atomic
def unpublish_event(event: Event, *, actor: User) -> Event:
    event = _lock_event(event)
    if event.published_at is not None:
        event.published_at = None
        event.save(update_fields=["published_at", "updated_at"])
        record_audit("event.unpublished", actor=actor, obj=event, event_id=event.pk)
    return event


@transaction.atomic
def add_day(event: Event, *, actor: User, date: datetime.date, label: str = "") -> Day:
    check_date_in_range(date, EventError, field="date")
    if Day.objects.filter(event=event, date=date).exists():
        raise EventError(_("This barcamp already has this day."), field="date")
    day = Day.objects.create(event=event, date=date, label=label)
    record_audit(
        "day.added", actor=actor, obj=day, event_id=event.pk, data={"date": date.isoformat()}
    )
    return day


@transaction.atomic
def update_day(day: Day, *, actor: User, date: datetime.date, label: str) -> Day:
    check_date_in_range(date, EventError, field="date")
    if Day.objects.filter(event_id=day.event_id, date=date).exclude(pk=day.pk).exists():
        raise EventError(_("This barcamp already has this day."), field="date")
    day.date = date
    day.label = label
    day.save()
    record_audit("day.updated", actor=actor, obj=day, event_id=day.event_id)
    return day


@transaction.atomic
def remove_day(day: Day, *, actor: User) -> None:
    record_audit(
        "day.removed",
        actor=actor,
        obj=day,
        event_id=day.event_id,
        data={"date": day.date.isoformat()},
    )
    try:
        with transaction.atomic():
            day.delete()
    except RestrictedError as exc:
        raise EventError(
            _(
                "Sessions of the grid take place on this day. Please take them out of the grid "
                "or move them to another day first."
            )
        ) from exc


# --- Roles and invitations --------------------------------------------------------------------


@transaction.atomic
def invite_member(event: Event, *, actor: User, email: str, role: str) -> Invitation:
    email = email.strip().lower()
    if role not in Role.values:
        raise RoleError(_("Unknown role."), field="role")
    existing = Invitation.objects.filter(
        event=event, email__iexact=email, role=role, accepted_at__isnull=True
    ).first()
    invitation = existing or Invitation.objects.create(
        event=event, email=email, role=role, invited_by=actor
    )
    record_audit(
        "role.invited", actor=actor, obj=invitation, event_id=event.pk, data={"role": role}
    )
    invitee = User.objects.filter(email__iexact=email).first()
    language = invitee.language if invitee else actor.language
    notifications.after_commit(
        lambda: notifications.send_invitation_mail(invitation, language=language)
    )
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, *, actor: User) -> EventRole:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise RoleError(_("This invitation has already been used."))
    role, _created = EventRole.objects.get_or_create(
        event=invitation.event, user=actor, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_roles(actor)
    record_audit(
        "role.accepted",
        actor=actor,
        obj=role,
        event_id=invitation.event_id,
        data={"role": role.role},
    )
    return role


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, actor: User) -> None:
    record_audit(
        "role.invitation_revoked", actor=actor, obj=invitation, event_id=invitation.event_id
    )
    invitation.delete()


@transaction.atomic
def grant_role(event: Event, *, actor: User, user: User, role: str) -> EventRole:
    if role not in Role.values:
        raise RoleError(_("Unknown role."), field="role")
    event_role, _created = EventRole.objects.get_or_create(event=event, user=user, role=role)
    forget_roles(user)
    record_audit(
        "role.granted", actor=actor, obj=event_role, event_id=event.pk, data={"role": role}
    )
    return event_role


@transaction.atomic
def revoke_role(event_role: EventRole, *, actor: User) -> None:
    _lock_event(event_role.event)
    if event_role.role == Role.ORGANISER:
        organisers = EventRole.objects.filter(
            event_id=event_role.event_id, role=Role.ORGANISER
        ).count()
        if organisers <= 1:
            raise RoleError(
                _("A barcamp needs at least one organiser. Invite another organiser first.")
            )
    record_audit(
        "role.revoked",
        actor=actor,
        obj=event_role,
        event_id=event_role.event_id,
        data={"role": event_role.role, "user": event_role.user_id},
    )
    event_role.delete()
    forget_roles(event_role.user)


# --- Registration and the waiting list -------------------------------------------------------


@dataclass(frozen=True)
class RegistrationData:
    name: str
    email: str
    organisation_type: str
    privacy_consent: bool
    organisation: str = ""
    days: tuple[Day, ...] = ()
    accessibility_needs: str = ""
    public_listing: bool = False
    language: str = "de"


def _confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()


def _has_free_place(event: Event) -> bool:
    return event.capacity is None or _confirmed_count(event) < event.capacity


def _set_days(registration: Registration, event: Event, days: Iterable[Day]) -> None:
    days = list(days)
    if any(day.event_id != event.pk for day in days):
        raise RegistrationError(_("Please choose days of this barcamp."), field="days")
    registration.days.set(days)


@transaction.atomic
def register(event: Event, *, data: RegistrationData, actor: User | None) -> Registration:
    """Register a person: a free place confirms, a full barcamp puts them on the waiting list.

    The barcamp's row is locked, so simultaneous registrations are decided one after another
    in arrival order. A logged-in actor registers themselves; otherwise the account for the
    e-mail address is found or made. An active registration for the same person raises
    ``AlreadyRegistered``; a cancelled one is taken up again at the end of the queue.
    """
    if not data.privacy_consent:
        raise RegistrationError(_("Please accept the privacy notice."), field="privacy_consent")
    if not data.name.strip():
        raise RegistrationError(_("Please enter your name."), field="name")
    if actor is None or not actor.is_authenticated:
        try:
            validate_email(data.email.strip())
        except ValidationError:
            raise RegistrationError(
                _("Please enter a valid e-mail address."), field="email"
            ) from None
    event = _lock_event(event)
    if not event.is_published or not event.registration_open:
        raise RegistrationClosed(_("Registration for this barcamp is closed."))
    if event.days.exists() and not data.days:
        raise RegistrationError(_("Please choose at least one day."), field="days")
    if actor is not None and actor.is_authenticated:
        user = actor
    else:
        user, _created = get_or_create_user(
            data.email, name=data.name.strip(), language=data.language
        )
    registration = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered(_("You are already registered for this barcamp."))

    event.registration_counter += 1
    event.save(update_fields=["registration_counter"])
    status = RegistrationStatus.CONFIRMED if _has_free_place(event) else RegistrationStatus.WAITING
    fields = {
        "name": data.name.strip(),
        "email": user.email,
        "organisation": data.organisation.strip(),
        "organisation_type": data.organisation_type,
        "accessibility_needs": data.accessibility_needs.strip(),
        "privacy_consent_at": timezone.now(),
        "public_listing": data.public_listing,
        "status": status,
        "queue_number": event.registration_counter,
        "manual": False,
        "status_changed_at": timezone.now(),
    }
    if registration is None:
        registration = Registration(event=event, user=user, **fields)
    else:
        for key, value in fields.items():
            setattr(registration, key, value)
    clean_or_refuse(registration, RegistrationError, exclude=["user", "event"])
    registration.save()
    _set_days(registration, event, data.days)
    if not user.name:
        user.name = registration.name
        user.save(update_fields=["name"])
    forget_roles(user)
    record_audit(
        "registration.created",
        actor=user,
        obj=registration,
        event_id=event.pk,
        data={"status": status},
    )
    kind = "confirmed" if status == RegistrationStatus.CONFIRMED else "waiting"
    notifications.after_commit(
        lambda: notifications.send_registration_mail(registration, kind=kind)
    )
    return registration


def remind_registration(event: Event, *, email: str) -> None:
    """Someone registered again with an address that is already registered: mail the owner."""
    registration = (
        Registration.objects.filter(event=event, user__email__iexact=email.strip())
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is not None:
        notifications.send_registration_mail(registration, kind="already_registered")


@transaction.atomic
def update_registration(
    registration: Registration, *, actor: User, data: RegistrationData
) -> Registration:
    """The participant changes their details; status and place in the queue stay."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationError(_("This registration is cancelled. Please register again."))
    if registration.event.days.exists() and not data.days:
        raise RegistrationError(_("Please choose at least one day."), field="days")
    registration.name = data.name.strip()
    registration.organisation = data.organisation.strip()
    registration.organisation_type = data.organisation_type
    registration.accessibility_needs = data.accessibility_needs.strip()
    registration.public_listing = data.public_listing
    clean_or_refuse(registration, RegistrationError, exclude=["user", "event"])
    registration.save()
    _set_days(registration, registration.event, data.days)
    record_audit(
        "registration.updated", actor=actor, obj=registration, event_id=registration.event_id
    )
    return registration


@transaction.atomic
def cancel_registration(
    registration: Registration, *, actor: User, notify: bool = True
) -> Registration:
    """Cancel; a freed place goes to the first person waiting, who is told by mail."""
    event = _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    previous = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.manual = False
    registration.status_changed_at = timezone.now()
    registration.save(update_fields=["status", "manual", "status_changed_at"])
    forget_roles(registration.user)
    forget_roles(actor)
    record_audit(
        "registration.cancelled",
        actor=actor,
        obj=registration,
        event_id=event.pk,
        data={"was": previous},
    )
    if notify:
        notifications.after_commit(
            lambda: notifications.send_registration_mail(registration, kind="cancelled")
        )
    if previous == RegistrationStatus.CONFIRMED:
        _fill_free_places(event)
    return registration


@transaction.atomic
def move_registration(registration: Registration, *, actor: User, status: str) -> Registration:
    """An organiser confirms someone (even beyond capacity) or puts them on the waiting list.

    The registration is marked as placed by hand: the automatic move-up does not undo it.
    """
    if status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):
        raise RegistrationError(
            _("A registration can be moved to confirmed or to the waiting list.")
        )
    event = _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationError(_("This registration is cancelled."))
    previous = registration.status
    registration.status = status
    registration.manual = True
    registration.status_changed_at = timezone.now()
    registration.save(update_fields=["status", "manual", "status_changed_at"])
    forget_roles(registration.user)
    record_audit(
        "registration.moved",
        actor=actor,
        obj=registration,
        event_id=event.pk,
        data={"from": previous, "to": status},
    )
    if previous != status and status == RegistrationStatus.CONFIRMED:
        notifications.after_commit(
            lambda: notifications.send_registration_mail(registration, kind="moved_up")
        )
    if previous == RegistrationStatus.CONFIRMED and status == RegistrationStatus.WAITING:
        _fill_free_places(event)
    return registration


def _fill_free_places(event: Event) -> list[Registration]:
    """Move up waiting registrations in arrival order while places are free.

    Runs under the event lock. Registrations an organiser put on the waiting list by hand are
    skipped: the automatic move-up never undoes a manual decision.
    """
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _confirmed_count(event)
        if free <= 0:
            return []
    waiting = (
        Registration.objects.select_for_update()
        .filter(event=event, status=RegistrationStatus.WAITING, manual=False)
        .order_by("queue_number")
    )
    if free is not None:
        waiting = waiting[:free]
    moved = list(waiting)
    now = timezone.now()
    for registration in moved:
        registration.status = RegistrationStatus.CONFIRMED
        registration.status_changed_at = now
        registration.save(update_fields=["status", "status_changed_at"])
        forget_roles(registration.user)
        record_audit("registration.moved_up", actor=None, obj=registration, event_id=event.pk)
        notifications.after_commit(
            lambda r=registration: notifications.send_registration_mail(r, kind="moved_up")  # type: ignore[misc]
        )
    return moved


# --- Announcements ----------------------------------------------------------------------------


@transaction.atomic
def send_announcement(event: Event, *, actor: User, text: str) -> Announcement:
    """A banner and a notice for everyone at the barcamp, at once and on their next visit."""
    if not can_send_announcements(actor, event):
        raise EventError(_("Only organisers and moderators can send announcements."))
    text = text.strip()
    if not text:
        raise EventError(_("Please write the announcement."), field="text")
    if len(text) > 1000:
        raise EventError(_("An announcement can have at most 1000 characters."), field="text")
    announcement = Announcement.objects.create(
        event=event, text=text, html=str(render_markdown(text)), created_by=actor
    )
    record_audit("event.announced", actor=actor, obj=announcement, event_id=event.pk)
    streams.append(
        event_stream(event.pk),
        AnnouncementSent(
            id=announcement.pk,
            html=announcement.html,
            created=announcement.created_at.isoformat(),
        ),
    )
    return announcement
