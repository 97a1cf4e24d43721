"""The grid's part of a person's data export and erasure: stars (my plan), the slots in which
they cannot host, and their private calendar feed. Grid changes they made as a moderator stay
in the undo log and the audit log under the anonymised account."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.realtime.models import StreamEvent
from unkonf.scheduling.models import CalendarFeed, Star, Unavailability


def export_user_data(user: User) -> dict[str, Any]:
    return {
        "starred": [
            {
                "barcamp": s.proposal.event.name,
                "title": s.proposal.title,
                "time": s.created_at.isoformat(),
            }
            for s in Star.objects.filter(user=user).select_related("proposal__event")
        ],
        "cannot_host": [
            {
                "barcamp": u.slot.event.name,
                "start": u.slot.local_start().isoformat(),
                "end": u.slot.local_end().isoformat(),
            }
            for u in Unavailability.objects.filter(user=user).select_related("slot__event")
        ],
        "calendar_feeds": [
            {"barcamp": f.event.name, "created": f.created_at.isoformat()}
            for f in CalendarFeed.objects.filter(user=user).select_related("event")
        ],
    }


@transaction.atomic
def erase_user_data(user: User) -> None:
    """Stars, unavailable slots and calendar feeds go (a feed's address stops working); the
    name in stored ``grid.changed`` messages is replaced."""
    for message in StreamEvent.objects.filter(kind="grid.changed", payload__actor_id=user.pk):
        message.payload = {**message.payload, "actor": _("Deleted account")}
        message.save(update_fields=["payload"])
    Star.objects.filter(user=user).delete()
    Unavailability.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
