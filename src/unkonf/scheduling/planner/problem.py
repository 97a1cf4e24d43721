"""The planning problem as plain data: sessions, rooms, slots, wishes and the hard rules.

Pure Python (no Django, no NumPy): this is what the rest of the planner reads, and what a
service builds from the database. `Problem.from_instance` reads the shared benchmark format
(`planner/README.md`), plus a few optional keys for what our product has and the benchmark
does not: per session `length` (1 or 2 slots), `rooms` (the rooms whose equipment meets its
needs) and `fixed` (already running); per instance `blocked` ([room, slot] cells) and
`blocked_slots` (slot ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

#: One (room, start slot) per session, in session order. A two-slot session also occupies
#: the next slot of the same day in the same room.
Assignment = tuple[tuple[int, int], ...]


class ProblemError(ValueError):
    """The problem data is inconsistent (an index out of range, a bad pin, …)."""


class InfeasibleError(Exception):
    """No grid keeps every hard rule (or none was found)."""


@dataclass(frozen=True)
class Session:
    host: int
    length: int = 1
    #: rooms whose equipment meets the session's needs; None = every room
    rooms: frozenset[int] | None = None
    pin_room: int | None = None
    pin_slot: int | None = None
    #: already running (or otherwise settled): stays exactly at its pin
    fixed: bool = False


@dataclass(frozen=True)
class Room:
    capacity: int


@dataclass(frozen=True)
class Slot:
    day: int
    index: int


@dataclass(frozen=True)
class Problem:
    sessions: tuple[Session, ...]
    rooms: tuple[Room, ...]
    slots: tuple[Slot, ...]
    #: per participant (id = position) the sessions they wish to attend
    wishes: tuple[tuple[int, ...], ...]
    host_unavailable: Mapping[int, frozenset[int]] = field(default_factory=dict)
    #: (room, slot) cells that must stay empty
    blocked: frozenset[tuple[int, int]] = frozenset()

    def __post_init__(self) -> None:
        n_rooms, n_slots, n_sessions = len(self.rooms), len(self.slots), len(self.sessions)
        for i, s in enumerate(self.sessions):
            if s.length not in (1, 2):
                raise ProblemError(f"session {i}: length must be 1 or 2, not {s.length}")
            if s.pin_room is not None and not 0 <= s.pin_room < n_rooms:
                raise ProblemError(f"session {i}: pinned to unknown room {s.pin_room}")
            if s.pin_slot is not None and not 0 <= s.pin_slot < n_slots:
                raise ProblemError(f"session {i}: pinned to unknown slot {s.pin_slot}")
            if s.rooms is not None and any(not 0 <= r < n_rooms for r in s.rooms):
                raise ProblemError(f"session {i}: allowed rooms out of range")
            if s.fixed and (s.pin_room is None or s.pin_slot is None):
                raise ProblemError(f"session {i}: a fixed session needs its room and slot")
            if s.host < 0:
                raise ProblemError(f"session {i}: host must be a person id")
        for p, wished in enumerate(self.wishes):
            if any(not 0 <= s < n_sessions for s in wished):
                raise ProblemError(f"participant {p}: wish for an unknown session")
        for r, t in self.blocked:
            if not (0 <= r < n_rooms and 0 <= t < n_slots):
                raise ProblemError(f"blocked cell {r},{t} outside the grid")

    # --- derived data -----------------------------------------------------------------------

    @property
    def n_people(self) -> int:
        hosts = max((s.host for s in self.sessions), default=-1)
        return max(len(self.wishes), hosts + 1)

    def next_slot(self, t: int) -> int | None:
        """The slot right after `t` on the same day, if any."""
        day, index = self.slots[t].day, self.slots[t].index
        for u, slot in enumerate(self.slots):
            if slot.day == day and slot.index == index + 1:
                return u
        return None

    def occupied_slots(self, session: int, start: int) -> tuple[int, ...] | None:
        """The slots a session starting at `start` occupies; None if it does not fit."""
        if self.sessions[session].length == 1:
            return (start,)
        after = self.next_slot(start)
        return None if after is None else (start, after)

    def demand(self) -> list[int]:
        """Per session: people who wished for it, plus the host."""
        return list(self._demand)

    @cached_property
    def _demand(self) -> tuple[int, ...]:
        counts = [1] * len(self.sessions)
        for wished in self.wishes:
            for s in set(wished):
                counts[s] += 1
        return tuple(counts)

    def interested(self) -> list[frozenset[int]]:
        """Per person: the sessions they wished for or host (evaluate.py's E_p)."""
        return list(self._interested)

    @cached_property
    def _interested(self) -> tuple[frozenset[int], ...]:
        sets: list[set[int]] = [set(w) for w in self.wishes]
        sets.extend(set() for _ in range(self.n_people - len(sets)))
        for i, s in enumerate(self.sessions):
            sets[s.host].add(i)
        return tuple(frozenset(x) for x in sets)

    def total_wishes(self) -> int:
        return sum(len(set(w)) for w in self.wishes)

    def cell_allowed(self, session: int, room: int, start: int) -> bool:
        """Every rule that concerns one session alone (not clashes with others)."""
        s = self.sessions[session]
        if s.rooms is not None and room not in s.rooms:
            return False
        if s.pin_room is not None and room != s.pin_room:
            return False
        if s.pin_slot is not None and start != s.pin_slot:
            return False
        occupied = self.occupied_slots(session, start)
        if occupied is None:
            return False
        away = self.host_unavailable.get(s.host, frozenset())
        return all(t not in away and (room, t) not in self.blocked for t in occupied)

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def from_instance(cls, data: Mapping[str, Any]) -> Problem:
        """Read the shared benchmark JSON (see the module docstring for optional keys)."""
        try:
            slots = tuple(
                Slot(day=int(s["day"]), index=int(s["index"]))
                for s in sorted(data["slots"], key=lambda s: int(s["id"]))
            )
            rooms = tuple(
                Room(capacity=int(r["capacity"]))
                for r in sorted(data["rooms"], key=lambda r: int(r["id"]))
            )
            sessions = tuple(
                _session_from(s) for s in sorted(data["sessions"], key=lambda s: int(s["id"]))
            )
            people = sorted(data.get("participants", []), key=lambda p: int(p["id"]))
            wishes: list[tuple[int, ...]] = []
            for p in people:
                pid = int(p["id"])
                while len(wishes) < pid:
                    wishes.append(())
                wishes.append(tuple(sorted({int(w) for w in p.get("wishes", [])})))
            unavailable = {
                int(h): frozenset(int(t) for t in ts)
                for h, ts in data.get("host_unavailable", {}).items()
            }
            blocked = {(int(r), int(t)) for r, t in data.get("blocked", [])}
            blocked |= {
                (r, int(t)) for t in data.get("blocked_slots", []) for r in range(len(rooms))
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise ProblemError(f"not a planner instance: {exc}") from exc
        return cls(
            sessions=sessions,
            rooms=rooms,
            slots=slots,
            wishes=tuple(wishes),
            host_unavailable=unavailable,
            blocked=frozenset(blocked),
        )


def _session_from(data: Mapping[str, Any]) -> Session:
    pin = data.get("pin") or {}
    rooms = data.get("rooms")
    return Session(
        host=int(data["host"]),
        length=int(data.get("length", 1)),
        rooms=None if rooms is None else frozenset(int(r) for r in rooms),
        pin_room=None if pin.get("room") is None else int(pin["room"]),
        pin_slot=None if pin.get("slot") is None else int(pin["slot"]),
        fixed=bool(data.get("fixed", False)),
    )


def as_assignment(cells: Iterable[Sequence[int]]) -> Assignment:
    """Normalise [[room, slot], …] (e.g. from JSON) to an `Assignment`."""
    return tuple((int(c[0]), int(c[1])) for c in cells)
