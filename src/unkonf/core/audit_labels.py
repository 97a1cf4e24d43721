"""What an audit action means, in words an organiser understands.

Actions are dotted codes written by services (``registration.moved_up``); a code without a
label here is shown as it is, so a new action is never hidden.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "account.erased": _("Account deleted"),
    "account.profile_updated": _("Profile changed"),
    "event.created": _("Barcamp created"),
    "event.duplicated": _("Barcamp created as a copy"),
    "event.published": _("Barcamp published"),
    "event.unpublished": _("Barcamp unpublished"),
    "event.updated": _("Settings changed"),
    "event.announced": _("Announcement sent"),
    "chat.message_deleted": _("Chat message deleted by a moderator"),
    "chat.user_muted": _("Messages of a person paused"),
    "chat.user_unmuted": _("Pause of messages lifted"),
    "chat.report_resolved": _("Report handled"),
    "day.added": _("Day added"),
    "day.updated": _("Day changed"),
    "day.removed": _("Day removed"),
    "slots.generated": _("Slots laid out"),
    "slot.created": _("Slot added"),
    "slot.updated": _("Slot changed"),
    "slot.deleted": _("Slot deleted"),
    "room.created": _("Room added"),
    "room.updated": _("Room changed"),
    "room.moved": _("Room order changed"),
    "room.deleted": _("Room deleted"),
    "role.invited": _("Invitation sent"),
    "role.accepted": _("Invitation accepted"),
    "role.invitation_revoked": _("Invitation withdrawn"),
    "role.granted": _("Role given"),
    "role.revoked": _("Role removed"),
    "registration.created": _("Registration"),
    "registration.updated": _("Registration details changed"),
    "registration.cancelled": _("Registration cancelled"),
    "registration.moved": _("Registration moved by an organiser"),
    "registration.moved_up": _("Moved up from the waiting list"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
