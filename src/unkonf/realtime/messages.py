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


@dataclasses.dataclass(frozen=True)
class GridChanged(Message):
    """The grid changed (moderators' stream): editors re-fetch the cells of these proposals.

    ``version`` is the grid's version after the change; an editor that has seen a lower one
    re-fetches. ``actor`` is the name of the moderator who made the change.
    """

    kind: ClassVar[str] = "grid.changed"
    version: int
    action: str
    proposals: list[int]
    actor: str = ""
    actor_id: int = 0  # so that erasing the account can remove the name from stored messages


@dataclasses.dataclass(frozen=True)
class PlanChanged(Message):
    """The published plan changed (the barcamp's stream): plan views and screens re-fetch.

    ``moved`` lists the proposals that changed room or time (highlighted on screens).
    """

    kind: ClassVar[str] = "plan.changed"
    version: int
    proposals: list[int]
    moved: list[int]


@dataclasses.dataclass(frozen=True)
class SessionMoved(Message):
    """A notice for one person (their stream): a session they starred or wanted moved."""

    kind: ClassVar[str] = "plan.session_moved"
    id: int  # the proposal
    title: str
    text: str  # translated for the person, e.g. "… now in Room B at 11:00"
    url: str


@dataclasses.dataclass(frozen=True)
class TimerChanged(Message):
    """The timekeeper started, extended or ended a slot (for one room or all).

    Times are Unix seconds of the server; ``now`` lets a client correct its own clock.
    """

    kind: ClassVar[str] = "timer.changed"
    slot: int
    room: int | None
    started_at: float | None
    ends_at: float | None
    ended_at: float | None
    now: float
    version: int


MESSAGE_KINDS: dict[str, type[Message]] = {
    cls.kind: cls
    for cls in (
        ChatMessagePosted,
        ChatMessageDeleted,
        AnnouncementSent,
        PresenceChanged,
        PitchChanged,
        InterestChanged,
        GridChanged,
        PlanChanged,
        SessionMoved,
        TimerChanged,
    )
}
