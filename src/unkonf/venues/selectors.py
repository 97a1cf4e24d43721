from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from unkonf.events.models import Event
from unkonf.venues.models import Room


def list_rooms(event: Event) -> QuerySet[Room]:
    return Room.objects.filter(event=event).order_by("position", "pk")


def access_room(event: Event, pk: int) -> Room:
    """A room of this barcamp (the caller has already checked access to the barcamp)."""
    room = Room.objects.filter(event=event, pk=pk).first()
    if room is None:
        raise Http404
    return room
