"""Frames are encoded where they are made: a message that is not plain JSON fails at once."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import ClassVar

import pytest

from unkonf.realtime.broadcast import broadcast_on_commit, encode
from unkonf.realtime.messages import (
    MESSAGE_KINDS,
    ChatMessageDeleted,
    Message,
    PresenceChanged,
)

pytestmark = [pytest.mark.unit]


@dataclasses.dataclass(frozen=True)
class WithDate(Message):
    kind: ClassVar[str] = "test.with_date"
    when: datetime.date


@dataclasses.dataclass(frozen=True)
class WithNumber(Message):
    kind: ClassVar[str] = "test.with_number"
    value: float


def test_encode_gives_the_frame_clients_receive() -> None:
    text = encode("room.3.chat", ChatMessageDeleted(id=9), seq=4)

    assert json.loads(text) == {
        "type": "chat.message_deleted",
        "stream": "room.3.chat",
        "seq": 4,
        "data": {"id": 9},
    }


def test_encode_keeps_names_readable_and_presence_has_no_seq() -> None:
    text = encode("event.1", PresenceChanged(place="event.1", count=2, names=["Jürgen Groß"]))

    assert "Jürgen Groß" in text
    assert json.loads(text)["seq"] is None


@pytest.mark.parametrize(
    "message",
    [WithDate(when=datetime.date(2026, 5, 4)), WithNumber(value=float("nan"))],
    ids=["date", "NaN"],
)
def test_a_payload_that_is_not_plain_json_fails_where_it_is_made(message: Message) -> None:
    with pytest.raises((TypeError, ValueError)):
        encode("event.1", message)
    with pytest.raises((TypeError, ValueError)):
        broadcast_on_commit("event.1", message)


def test_every_message_kind_is_registered_under_its_dotted_name() -> None:
    assert set(MESSAGE_KINDS) == {
        "chat.message_posted",
        "chat.message_deleted",
        "announcement.sent",
        "presence.changed",
        "pitch.changed",
        "proposal.interest_changed",
        "grid.changed",
        "plan.changed",
        "plan.session_moved",
        "timer.changed",
    }
    assert all(cls.kind == kind for kind, cls in MESSAGE_KINDS.items())
