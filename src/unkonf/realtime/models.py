"""Stored streams: what must not be lost is written here first, with a per-stream sequence."""

from __future__ import annotations

from typing import Any

from django.db import models


class Stream(models.Model):
    """One stream (``event.5``, ``room.12.chat``) and the last sequence number it gave out."""

    key = models.CharField(max_length=100, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}@{self.last_seq}"


class StreamEvent(models.Model):
    """One message of a stream, in order. Reconnecting clients are replayed from here."""

    stream = models.CharField(max_length=100)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=60)
    payload: models.JSONField[Any] = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("stream", "seq")
        constraints = [
            models.UniqueConstraint(fields=("stream", "seq"), name="stream_event_unique_seq")
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.kind}"
