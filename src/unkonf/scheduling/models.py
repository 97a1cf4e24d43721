"""Time slots of a barcamp day. Session grid entries (issue 5) hang off these."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from unkonf.events.models import Day, Event
from unkonf.scheduling.enums import SlotKind


class TimeSlot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=SlotKind.choices, default=SlotKind.SESSION
    )
    title = models.CharField(
        _("title"), max_length=120, blank=True, help_text=_("e.g. Opening, Lunch")
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)

    class Meta:
        ordering = ("start",)
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        zone = self.event.zone
        return f"{self.start.astimezone(zone):%H:%M}–{self.end.astimezone(zone):%H:%M}"

    @property
    def duration(self) -> datetime.timedelta:
        return self.end - self.start

    def local_start(self) -> datetime.datetime:
        return self.start.astimezone(self.event.zone)

    def local_end(self) -> datetime.datetime:
        return self.end.astimezone(self.event.zone)
