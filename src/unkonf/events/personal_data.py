"""The events app's part of a person's data export and account erasure."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.events.enums import RegistrationStatus, Role
from unkonf.events.exceptions import RoleError
from unkonf.events.models import EventRole, Registration
from unkonf.events.services import cancel_registration


def export_user_data(user: User) -> dict[str, Any]:
    registrations = (
        Registration.objects.filter(user=user).select_related("event").prefetch_related("days")
    )
    return {
        "registrations": [
            {
                "barcamp": r.event.name,
                "name": r.name,
                "email": r.email,
                "organisation": r.organisation,
                "organisation_type": r.organisation_type,
                "days": [d.date.isoformat() for d in r.days.all()],
                "accessibility_needs": r.accessibility_needs,
                "privacy_consent_at": r.privacy_consent_at.isoformat(),
                "public_listing": r.public_listing,
                "status": r.status,
                "registered_at": r.created_at.isoformat(),
            }
            for r in registrations
        ],
        "roles": [
            {"barcamp": role.event.name, "role": role.role}
            for role in EventRole.objects.filter(user=user).select_related("event")
        ],
    }


def erase_user_data(user: User) -> None:
    """Cancel (so the waiting list moves up) and delete registrations; drop roles."""
    for role in EventRole.objects.filter(user=user, role=Role.ORGANISER).select_related("event"):
        if (
            not EventRole.objects.filter(event=role.event, role=Role.ORGANISER)
            .exclude(user=user)
            .exists()
        ):
            raise RoleError(
                _(
                    "You are the only organiser of “%(event)s”. "
                    "Please make someone else organiser first."
                )
                % {"event": role.event.name}
            )
    for registration in Registration.objects.filter(user=user).exclude(
        status=RegistrationStatus.CANCELLED
    ):
        cancel_registration(registration, actor=user, notify=False)
    Registration.objects.filter(user=user).delete()
    EventRole.objects.filter(user=user).delete()
