"""Append to a stored stream and read back what a reconnecting client missed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from unkonf.realtime.broadcast import broadcast_on_commit
from unkonf.realtime.messages import Message
from unkonf.realtime.models import Stream, StreamEvent

# A client further behind than this reloads the page instead of replaying.
REPLAY_LIMIT = 200


@transaction.atomic
def append(stream: str, message: Message) -> StreamEvent:
    """Store the message with the stream's next sequence number; broadcast it after commit.

    The stream's row is locked, so concurrent appends get consecutive numbers without gaps.
    """
    Stream.objects.get_or_create(key=stream)
    row = Stream.objects.select_for_update().get(key=stream)
    row.last_seq += 1
    row.save(update_fields=["last_seq"])
    event = StreamEvent.objects.create(
        stream=stream, seq=row.last_seq, kind=message.kind, payload=message.to_payload()
    )
    broadcast_on_commit(stream, message, seq=event.seq)
    return event


def last_seq(stream: str) -> int:
    return Stream.objects.filter(key=stream).values_list("last_seq", flat=True).first() or 0


def events_since(stream: str, seq: int) -> list[StreamEvent] | None:
    """What came after ``seq``, in order; None if it is more than a client should replay."""
    events = list(
        StreamEvent.objects.filter(stream=stream, seq__gt=seq).order_by("seq")[: REPLAY_LIMIT + 1]
    )
    if len(events) > REPLAY_LIMIT:
        return None
    return events


def amend(kind: str, object_ids: Iterable[int], *, stream: str | None = None, **fields: Any) -> int:
    """Change fields of stored messages about some objects, so that replays no longer carry
    what was removed (a deleted chat message's text, an erased person's name).

    Messages are matched by ``kind`` and their payload's ``id``; returns how many changed.
    """
    events = StreamEvent.objects.filter(kind=kind, payload__id__in=list(object_ids))
    if stream is not None:
        events = events.filter(stream=stream)
    changed = 0
    for event in events:
        event.payload = {**event.payload, **fields}
        event.save(update_fields=["payload"])
        changed += 1
    return changed
