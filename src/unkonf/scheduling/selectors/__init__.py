from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from unkonf.events.models import Day, Event
from unkonf.scheduling.models import TimeSlot


def list_slots(event: Event, *, day: Day | None = None) -> QuerySet[TimeSlot]:
    qs = TimeSlot.objects.filter(event=event).select_related("day", "event").order_by("start")
    if day is not None:
        qs = qs.filter(day=day)
    return qs


def access_slot(event: Event, pk: int) -> TimeSlot:
    slot = TimeSlot.objects.select_related("day", "event").filter(event=event, pk=pk).first()
    if slot is None:
        raise Http404
    return slot


def access_day(event: Event, pk: int) -> Day:
    day = Day.objects.filter(event=event, pk=pk).first()
    if day is None:
        raise Http404
    return day
