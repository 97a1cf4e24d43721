"""Time slots of a barcamp day."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from tests.factories.events import DayFactory
from unkonf.scheduling.enums import SlotKind
from unkonf.scheduling.models import TimeSlot


def _at(o: Any, t: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(o.day.date, t, tzinfo=o.day.event.zone)


class TimeSlotFactory(DjangoModelFactory[TimeSlot]):
    """A 45-minute session slot; ``start_time``/``minutes`` set the local wall-clock time."""

    class Meta:
        model = TimeSlot

    day = factory.SubFactory(DayFactory)
    event = factory.SelfAttribute("day.event")
    start = factory.LazyAttribute(lambda o: _at(o, o.start_time))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(minutes=o.minutes))
    kind = SlotKind.SESSION
    title = ""
    is_blocked = False
    blocked_reason = ""

    class Params:
        start_time = datetime.time(10, 15)
        minutes = 45
