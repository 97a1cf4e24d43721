"""Every change to rooms goes through here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, RestrictedError
from django.utils.translation import gettext as _

from unkonf.accounts.models import User
from unkonf.core.services import record_audit
from unkonf.core.validation import clean_or_refuse
from unkonf.events.models import Event
from unkonf.venues.enums import Equipment
from unkonf.venues.exceptions import RoomError
from unkonf.venues.models import Room

ROOM_FIELDS = ("name", "kind", "capacity", "location", "equipment", "video_url")


def _check(event: Event, fields: dict[str, Any], *, exclude_pk: int | None = None) -> None:
    unknown = set(fields) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"unknown room fields: {sorted(unknown)}")
    bad = [tag for tag in fields.get("equipment", []) if tag not in Equipment.values]
    if bad:
        raise RoomError(
            _("Unknown equipment: %(tags)s") % {"tags": ", ".join(bad)}, field="equipment"
        )
    video_url = fields.get("video_url") or ""
    if video_url and not video_url.lower().startswith(("http://", "https://")):
        raise RoomError(_("The video link must start with https:// or http://."), field="video_url")
    name = fields.get("name")
    if (
        name is not None
        and Room.objects.filter(event=event, name__iexact=name).exclude(pk=exclude_pk or 0).exists()
    ):
        raise RoomError(_("There is already a room with this name."), field="name")


@transaction.atomic
def create_room(event: Event, *, actor: User, **fields: Any) -> Room:
    _check(event, fields)
    last = Room.objects.filter(event=event).aggregate(m=Max("position"))["m"]
    room = Room(event=event, position=(last or 0) + 1, **fields)
    clean_or_refuse(room, RoomError)
    room.save()
    record_audit("room.created", actor=actor, obj=room, event_id=event.pk)
    return room


@transaction.atomic
def update_room(room: Room, *, actor: User, **fields: Any) -> Room:
    _check(room.event, fields, exclude_pk=room.pk)
    for key, value in fields.items():
        setattr(room, key, value)
    clean_or_refuse(room, RoomError)
    room.save()
    record_audit("room.updated", actor=actor, obj=room, event_id=room.event_id)
    return room


@transaction.atomic
def delete_room(room: Room, *, actor: User) -> None:
    record_audit(
        "room.deleted", actor=actor, obj=room, event_id=room.event_id, data={"name": room.name}
    )
    try:
        with transaction.atomic():
            room.delete()
    except RestrictedError as exc:
        raise RoomError(
            _(
                "Sessions of the grid take place in “%(name)s”. Please take them out of the "
                "grid or move them to another room first."
            )
            % {"name": room.name}
        ) from exc


@transaction.atomic
def move_room(room: Room, *, actor: User, offset: int) -> None:
    """Move a room up (-1) or down (+1) in the order: the keyboard-friendly reorder."""
    rooms = list(
        Room.objects.select_for_update().filter(event_id=room.event_id).order_by("position", "pk")
    )
    index = next(i for i, r in enumerate(rooms) if r.pk == room.pk)
    target = max(0, min(len(rooms) - 1, index + offset))
    if target == index:
        return
    rooms.insert(target, rooms.pop(index))
    for position, r in enumerate(rooms, start=1):
        if r.position != position:
            r.position = position
            r.save(update_fields=["position"])
    record_audit(
        "room.moved", actor=actor, obj=room, event_id=room.event_id, data={"position": target + 1}
    )
