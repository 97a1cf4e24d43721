"""One typed message per kind. Dotted names; small payloads that say what changed."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class Message:
    kind: ClassVar[str]

    def to_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class ChatMessagePosted(Message):
    kind: ClassVar[str] = "chat.message_posted"
    id: int
    author: str
    author_id: int  # lets the author's own page offer "delete" at once
    html: str  # sanitised by nh3 on the server, safe to insert
    created: str  # ISO 8601


@dataclasses.dataclass(frozen=True)
class ChatMessageDeleted(Message):
    kind: ClassVar[str] = "chat.message_deleted"
    id: int


@dataclasses.dataclass(frozen=True)
class AnnouncementSent(Message):
    kind: ClassVar[str] = "announcement.sent"
    id: int
    html: str
    created: str


@dataclasses.dataclass(frozen=True)
class PresenceChanged(Message):
    kind: ClassVar[str] = "presence.changed"
    place: str
    count: int
    names: list[str]


@dataclasses.dataclass(frozen=True)
class PitchChanged(Message):
    """The pitch moved on, its timer or its queue changed.

    The timer is in server time: ``ends_at`` (Unix seconds) while it runs, else ``remaining``.
    Phones update themselves from the message; the few big screens and the moderators' page
    fetch their fragment.
    """

    kind: ClassVar[str] = "pitch.changed"
    version: int
    state: str
    current: int | None
    timer_running: bool
    ends_at: float | None
    remaining: float
    duration: int
    # What a phone shows, so that a thousand phones need not fetch the page at once:
    title: str = ""  # of the current proposal
    next_title: str = ""  # of the first one in the queue
    count: int | None = None  # interest in the current proposal (None: hidden)
    count_version: int = 0


@dataclasses.dataclass(frozen=True)
class InterestChanged(Message):
    """New interest counts, coalesced to a few messages a second during a burst of taps.

    ``counts`` maps a proposal id to ``[count, version]``; a client keeps the count with the
    highest version it has seen (messages from several processes may arrive in any order).
    """

    kind: ClassVar[str] = "proposal.interest_changed"
    counts: dict[str, list[int]]


MESSAGE_KINDS: dict[str, type[Message]] = {
    cls.kind: cls
    for cls in (
        ChatMessagePosted,
        ChatMessageDeleted,
        AnnouncementSent,
        PresenceChanged,
        PitchChanged,
        InterestChanged,
    )
}
