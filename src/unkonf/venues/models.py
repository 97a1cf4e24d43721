"""Rooms of a barcamp: physical, online, or both (a room with a video link)."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from unkonf.events.models import Event
from unkonf.venues.enums import Equipment, RoomKind


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=20, choices=RoomKind.choices, default=RoomKind.WORKSHOP
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("e.g. 2nd floor, left of the stairs")
    )
    equipment: models.JSONField[Any] = models.JSONField(_("equipment"), default=list, blank=True)
    video_url = models.URLField(
        _("video link"),
        blank=True,
        max_length=500,
        help_text=_("Jitsi Meet, BigBlueButton or any other video room. Empty for on-site only."),
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("position", "pk")
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=("event", "name"), name="room_name_unique_per_event")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_online(self) -> bool:
        return bool(self.video_url)

    def equipment_labels(self) -> list[str]:
        labels = dict(Equipment.choices)
        return [str(labels.get(tag, tag)) for tag in self.equipment]
