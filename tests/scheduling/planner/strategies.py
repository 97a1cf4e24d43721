"""Hypothesis strategies: small planning problems that are feasible by construction.

A hidden grid is drawn first (two-slot sessions included); pins, allowed rooms, blocked
cells, fixed sessions and host unavailability are then derived so that it keeps every rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from unkonf.scheduling.planner import Assignment, Problem, Room, Session, Slot


@dataclass(frozen=True)
class Drawn:
    problem: Problem
    hidden: Assignment


@st.composite
def problems(draw: st.DrawFn, *, max_rooms: int = 3, max_per_day: int = 3) -> Drawn:
    n_rooms = draw(st.integers(1, max_rooms))
    per_day = draw(st.lists(st.integers(1, max_per_day), min_size=1, max_size=2))
    slots = tuple(Slot(day=d, index=i) for d, n in enumerate(per_day) for i in range(n))
    n_slots = len(slots)
    next_slot = {
        t: u
        for t, a in enumerate(slots)
        for u, b in enumerate(slots)
        if a.day == b.day and b.index == a.index + 1
    }
    cells = [(r, t) for t in range(n_slots) for r in range(n_rooms)]
    n_sessions = draw(st.integers(1, len(cells)))
    free = set(cells)
    hidden: list[tuple[int, int]] = []
    lengths: list[int] = []
    for _ in range(n_sessions):
        if not free:
            break
        r, t = draw(st.sampled_from(sorted(free)))
        two = t in next_slot and (r, next_slot[t]) in free and draw(st.booleans())
        free.discard((r, t))
        if two:
            free.discard((r, next_slot[t]))
        hidden.append((r, t))
        lengths.append(2 if two else 1)
    n_sessions = len(hidden)
    # hosts: a new person per session, or one whose other sessions run at other times
    host_slots: dict[int, set[int]] = {}
    hosts: list[int] = []
    for i, (_r, t) in enumerate(hidden):
        occupied = {t} | ({next_slot[t]} if lengths[i] == 2 else set())
        reuse = [h for h, used in host_slots.items() if not used & occupied]
        if reuse and draw(st.booleans()):
            h = draw(st.sampled_from(sorted(reuse)))
        else:
            h = len(host_slots)
        host_slots.setdefault(h, set()).update(occupied)
        hosts.append(h)
    sessions = []
    for i, (r, t) in enumerate(hidden):
        kind = draw(st.sampled_from(["free", "free", "room", "slot", "cell", "fixed", "rooms"]))
        allowed = None
        if kind == "rooms":
            extra = draw(st.sets(st.integers(0, n_rooms - 1)))
            allowed = frozenset(extra | {r})
        sessions.append(
            Session(
                host=hosts[i],
                length=lengths[i],
                rooms=allowed,
                pin_room=r if kind in ("room", "cell", "fixed") else None,
                pin_slot=t if kind in ("slot", "cell", "fixed") else None,
                fixed=kind == "fixed",
            )
        )
    n_hosts = len(host_slots)
    n_people = n_hosts + draw(st.integers(0, 6))
    wishes = tuple(
        tuple(sorted(draw(st.sets(st.integers(0, n_sessions - 1), max_size=4))))
        for _ in range(n_people)
    )
    unavailable = {}
    for h, used in host_slots.items():
        away = draw(st.sets(st.integers(0, n_slots - 1))) - used
        if away:
            unavailable[h] = frozenset(away)
    blocked = frozenset(draw(st.sets(st.sampled_from(sorted(free)))) if free else set())
    rooms = tuple(Room(capacity=draw(st.integers(1, 8))) for _ in range(n_rooms))
    problem = Problem(
        sessions=tuple(sessions),
        rooms=rooms,
        slots=slots,
        wishes=wishes,
        host_unavailable=unavailable,
        blocked=blocked,
    )
    return Drawn(problem=problem, hidden=tuple(hidden))
