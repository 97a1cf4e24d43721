"""The objective and the hard rules, written plainly (the search keeps its own fast copy).

Objective (as `planner/evaluate.py`, both weights 1, "person-sessions lost"):
  E_p      = sessions p wished for UNION sessions p hosts
  missed   = sum over p, slots t of max(0, n[p][t] - 1), n[p][t] = sessions of E_p running in t
             (a two-slot session runs in both of its slots)
  demand_s = wishes for s + 1 (the host)
  overflow = sum over s of max(0, demand_s - capacity(room(s)))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from unkonf.scheduling.planner.problem import Assignment, Problem


@dataclass(frozen=True)
class Score:
    missed: int
    overflow: int

    @property
    def cost(self) -> int:
        return self.missed + self.overflow


def score(problem: Problem, assignment: Assignment) -> Score:
    """Missed wishes and overflow of a grid (which should keep the hard rules: see `check`)."""
    runs: list[tuple[int, ...]] = []
    for i, (_room, start) in enumerate(assignment):
        occupied = problem.occupied_slots(i, start)
        runs.append(occupied if occupied is not None else (start,))
    missed = 0
    for e in problem.interested():
        per_slot = Counter(t for s in e for t in runs[s])
        missed += sum(c - 1 for c in per_slot.values() if c > 1)
    demand = problem.demand()
    overflow = sum(
        max(0, demand[i] - problem.rooms[room].capacity) for i, (room, _t) in enumerate(assignment)
    )
    return Score(missed=missed, overflow=overflow)


def check(problem: Problem, assignment: Assignment) -> list[str]:
    """Every hard rule the grid breaks, as sentences; empty when the grid is valid."""
    n_rooms, n_slots = len(problem.rooms), len(problem.slots)
    if len(assignment) != len(problem.sessions):
        return [f"{len(assignment)} positions for {len(problem.sessions)} sessions"]
    problems: list[str] = []
    cells: dict[tuple[int, int], int] = {}
    host_slots: dict[tuple[int, int], int] = {}
    for i, (room, start) in enumerate(assignment):
        session = problem.sessions[i]
        if not (0 <= room < n_rooms and 0 <= start < n_slots):
            problems.append(f"session {i}: position {room},{start} outside the grid")
            continue
        occupied = problem.occupied_slots(i, start)
        if occupied is None:
            problems.append(f"session {i}: two slots from slot {start} do not fit in the day")
            occupied = (start,)
        if session.pin_room is not None and room != session.pin_room:
            problems.append(f"session {i}: pinned to room {session.pin_room}, placed in {room}")
        if session.pin_slot is not None and start != session.pin_slot:
            problems.append(f"session {i}: pinned to slot {session.pin_slot}, placed in {start}")
        if session.rooms is not None and room not in session.rooms:
            problems.append(f"session {i}: room {room} does not meet its needs")
        away = problem.host_unavailable.get(session.host, frozenset())
        for t in occupied:
            if (room, t) in problem.blocked:
                problems.append(f"session {i}: cell {room},{t} is blocked")
            if (room, t) in cells:
                problems.append(f"cell {room},{t} holds sessions {cells[(room, t)]} and {i}")
            cells[(room, t)] = i
            if t in away:
                problems.append(f"session {i}: host {session.host} unavailable in slot {t}")
            if (session.host, t) in host_slots:
                other = host_slots[(session.host, t)]
                problems.append(f"host {session.host} has sessions {other} and {i} in slot {t}")
            host_slots[(session.host, t)] = i
    return problems


def missed_lower_bound(problem: Problem) -> int:
    """Missed wishes no grid can avoid: a person interested in more session-slots than there
    are slots misses the rest (evaluate.py's pigeonhole bound, counting two-slot sessions
    twice)."""
    n_slots = len(problem.slots)
    lengths = [s.length for s in problem.sessions]
    return sum(max(0, sum(lengths[s] for s in e) - n_slots) for e in problem.interested())


def overflow_lower_bound(problem: Problem) -> int:
    """Overflow no grid can avoid: the most popular sessions in the biggest cells."""
    caps = sorted(
        (
            room.capacity
            for r, room in enumerate(problem.rooms)
            for t in range(len(problem.slots))
            if (r, t) not in problem.blocked
        ),
        reverse=True,
    )
    demand = sorted(problem.demand(), reverse=True)
    return sum(max(0, d - c) for d, c in zip(demand, caps, strict=False))
