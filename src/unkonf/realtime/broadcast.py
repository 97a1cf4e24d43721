"""The only module that sends realtime messages. Always after commit, never for a rollback."""

from __future__ import annotations

import json

from django.db import transaction

from unkonf.realtime.hub import get_hub
from unkonf.realtime.messages import Message


def encode(stream: str, message: Message, *, seq: int | None = None) -> str:
    """The frame as clients receive it. A payload that is not plain JSON fails here, at once."""
    frame = {"type": message.kind, "stream": stream, "seq": seq, "data": message.to_payload()}
    text = json.dumps(frame, ensure_ascii=False, allow_nan=False)
    json.loads(text)
    return text


def broadcast_on_commit(stream: str, message: Message, *, seq: int | None = None) -> None:
    text = encode(stream, message, seq=seq)
    transaction.on_commit(lambda: get_hub().publish(stream, text), robust=True)


def broadcast_now(stream: str, message: Message) -> None:
    """For messages with nothing stored behind them (presence counts)."""
    get_hub().publish(stream, encode(stream, message))
