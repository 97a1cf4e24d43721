"""A second start grid: slots as colours (DSatur-like), rooms by best fit.

The slot view: two sessions that share interested people should run in different slots. Take
the session whose best slot is already the most crowded with its people (ties: the bigger
audience), put it into the slot where it adds the fewest missed wishes plus the overflow of the
room it would get (the smallest free room that holds its audience, else the biggest free one),
repeat. On instances whose wishes cluster by topic this lands close to a grid that misses
almost nothing, which the local search then polishes; it is only used when it beats greedy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from unkonf.scheduling.planner.greedy import _Grid, settled
from unkonf.scheduling.planner.problem import Assignment, Problem


def colouring(problem: Problem, *, keep: Mapping[int, tuple[int, int]]) -> Assignment | None:
    """The colouring start grid, or None where it gets stuck (greedy is used then)."""
    n, n_slots, n_rooms = len(problem.sessions), len(problem.slots), len(problem.rooms)
    keep = settled(problem, keep)
    interested = problem.interested()
    members: list[list[int]] = [[] for _ in range(n)]
    for p, e in enumerate(interested):
        for s_ in e:
            members[s_].append(p)
    member_arrays = [np.array(m, dtype=np.int64) for m in members]
    interest_lists = [np.array(sorted(e), dtype=np.int64) for e in interested]
    counts = np.zeros((len(interested), n_slots), dtype=np.int64)
    # crowd[s, t]: people of s who already have a session in t
    crowd = np.zeros((n, n_slots), dtype=np.int64)
    demand = problem.demand()
    caps = [room.capacity for room in problem.rooms]
    grid = _Grid(problem)
    placed: dict[int, tuple[int, int]] = {}

    def put(i: int, room: int, start: int) -> None:
        occupied = problem.occupied_slots(i, start) or (start,)
        grid.place(i, room, occupied)
        placed[i] = (room, start)
        for t in occupied:
            people = member_arrays[i]
            newly = people[counts[people, t] == 0]
            counts[people, t] += 1
            if len(newly):
                sessions = np.concatenate([interest_lists[p] for p in newly.tolist()])
                crowd[:, t] += np.bincount(sessions, minlength=n)

    for i in sorted(keep):
        put(i, *keep[i])
    # two-slot sessions and sessions with restricted rooms first, then the session whose
    # best slot is most crowded already, then the bigger audience
    todo = np.array([i for i in range(n) if i not in keep], dtype=np.int64)
    lengths = np.array([s.length for s in problem.sessions], dtype=np.int64)
    restricted = np.array(
        [s.rooms is not None or s.pin_room is not None for s in problem.sessions], dtype=np.int64
    )
    demands = np.array(demand, dtype=np.int64)
    rooms_by_size = sorted(range(n_rooms), key=lambda r: (caps[r], r))
    while len(todo):
        pressure = crowd[todo].min(axis=1)
        k = np.lexsort((todo, -demands[todo], -pressure, -restricted[todo], -lengths[todo]))[0]
        pick = int(todo[k])
        todo = np.delete(todo, k)
        best: tuple[int, int, int, int] | None = None  # (cost, spare, slot, room)
        for t in np.argsort(crowd[pick], kind="stable").tolist():
            if best is not None and crowd[pick, t] > best[0]:
                break
            for r in rooms_by_size:
                occupied = grid.fits(pick, r, t)
                if occupied is None:
                    continue
                added = int(sum(crowd[pick, u] for u in occupied))
                over = max(0, demand[pick] - caps[r])
                spare = caps[r] - demand[pick] if caps[r] >= demand[pick] else 10**9
                key = (added + over, spare, t, r)
                if best is None or key < best:
                    best = key
        if best is None:
            return None
        put(pick, best[3], best[2])
    return tuple(placed[i] for i in range(n))
