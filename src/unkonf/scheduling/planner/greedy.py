"""The baseline: most popular session into the biggest free room, earliest slot without a
host clash (the README's greedy), made feasible by a small backtracking search where the
greedy gets stuck."""

from __future__ import annotations

from collections.abc import Mapping

from unkonf.scheduling.planner.problem import Assignment, InfeasibleError, Problem

#: nodes the backtracking repair may visit before giving up
REPAIR_NODE_LIMIT = 200_000


class _Grid:
    """Occupied cells and host-slots while placing sessions one by one."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.cells: set[tuple[int, int]] = set(problem.blocked)
        self.host_slots: set[tuple[int, int]] = set()

    def fits(self, session: int, room: int, start: int) -> tuple[int, ...] | None:
        problem = self.problem
        if not problem.cell_allowed(session, room, start):
            return None
        occupied = problem.occupied_slots(session, start)
        assert occupied is not None  # cell_allowed checked it
        host = problem.sessions[session].host
        for t in occupied:
            if (room, t) in self.cells or (host, t) in self.host_slots:
                return None
        return occupied

    def place(self, session: int, room: int, occupied: tuple[int, ...]) -> None:
        host = self.problem.sessions[session].host
        for t in occupied:
            self.cells.add((room, t))
            self.host_slots.add((host, t))

    def remove(self, session: int, room: int, occupied: tuple[int, ...]) -> None:
        host = self.problem.sessions[session].host
        for t in occupied:
            self.cells.discard((room, t))
            self.host_slots.discard((host, t))


def settled(problem: Problem, keep: Mapping[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """The cells that are decided before planning: `keep`, fixed and fully pinned sessions."""
    cells = dict(keep)
    for i, s in enumerate(problem.sessions):
        if i not in cells and s.pin_room is not None and s.pin_slot is not None:
            cells[i] = (s.pin_room, s.pin_slot)
    return cells


def _cell_order(problem: Problem) -> list[tuple[int, int]]:
    rooms = sorted(range(len(problem.rooms)), key=lambda r: (-problem.rooms[r].capacity, r))
    return [(r, t) for r in rooms for t in range(len(problem.slots))]


def greedy(problem: Problem, *, keep: Mapping[int, tuple[int, int]] | None = None) -> Assignment:
    """The greedy grid; `keep` fixes some sessions to given cells first (re-planning).

    Raises InfeasibleError when neither the greedy nor the backtracking repair finds a grid.
    """
    keep = settled(problem, keep or {})
    demand = problem.demand()
    grid = _Grid(problem)
    placed: dict[int, tuple[int, int]] = {}
    for i in sorted(keep):
        room, start = keep[i]
        occupied = problem.occupied_slots(i, start) or (start,)
        grid.place(i, room, occupied)
        placed[i] = (room, start)
    order = sorted(
        (i for i in range(len(problem.sessions)) if i not in keep),
        key=lambda i: (-demand[i], i),
    )
    cells = _cell_order(problem)
    stuck: list[int] = []
    for i in order:
        if not _place_first_fit(grid, placed, i, cells):
            stuck.append(i)
    for i in stuck:
        if not _place_by_ejection(grid, placed, i, cells, keep):
            break
    else:
        return tuple(placed[i] for i in range(len(problem.sessions)))
    repaired = _backtrack(problem, keep, order, cells)
    if repaired is None:
        raise InfeasibleError("no grid keeps every hard rule (or none was found in time)")
    return repaired


def _place_first_fit(
    grid: _Grid, placed: dict[int, tuple[int, int]], i: int, cells: list[tuple[int, int]]
) -> bool:
    for room, start in cells:
        occupied = grid.fits(i, room, start)
        if occupied is not None:
            grid.place(i, room, occupied)
            placed[i] = (room, start)
            return True
    return False


def _place_by_ejection(
    grid: _Grid,
    placed: dict[int, tuple[int, int]],
    i: int,
    cells: list[tuple[int, int]],
    keep: Mapping[int, tuple[int, int]],
) -> bool:
    """Put session i into an allowed cell by moving the one session in its way elsewhere."""
    problem = grid.problem
    host = problem.sessions[i].host
    for room, start in cells:
        if not problem.cell_allowed(i, room, start):
            continue
        occupied = problem.occupied_slots(i, start)
        assert occupied is not None
        blockers = {
            j
            for j, (r, t) in placed.items()
            for u in (problem.occupied_slots(j, t) or (t,))
            if u in occupied and (r == room or problem.sessions[j].host == host)
        }
        if len(blockers) != 1:
            continue
        (j,) = blockers
        if j in keep:
            continue
        r_j, t_j = placed.pop(j)
        occupied_j = problem.occupied_slots(j, t_j) or (t_j,)
        grid.remove(j, r_j, occupied_j)
        fits = grid.fits(i, room, start)
        if fits is not None:
            grid.place(i, room, fits)
            placed[i] = (room, start)
            if _place_first_fit(grid, placed, j, cells):
                return True
            grid.remove(i, room, fits)
            del placed[i]
        grid.place(j, r_j, occupied_j)
        placed[j] = (r_j, t_j)
    return False


def _backtrack(
    problem: Problem,
    keep: Mapping[int, tuple[int, int]],
    order: list[int],
    cells: list[tuple[int, int]],
) -> Assignment | None:
    """Depth-first search, most constrained session first, cells in greedy order."""
    grid = _Grid(problem)
    placed: dict[int, tuple[int, int]] = {}
    for i, (room, start) in keep.items():
        grid.place(i, room, problem.occupied_slots(i, start) or (start,))
        placed[i] = (room, start)
    options = {i: [c for c in cells if problem.cell_allowed(i, *c)] for i in order}
    todo = sorted(order, key=lambda i: (len(options[i]), -problem.sessions[i].length))
    nodes = 0

    def search(k: int) -> bool:
        nonlocal nodes
        if k == len(todo):
            return True
        i = todo[k]
        for room, start in options[i]:
            nodes += 1
            if nodes > REPAIR_NODE_LIMIT:
                return False
            occupied = grid.fits(i, room, start)
            if occupied is None:
                continue
            grid.place(i, room, occupied)
            placed[i] = (room, start)
            if search(k + 1):
                return True
            grid.remove(i, room, occupied)
            del placed[i]
        return False

    if not search(0):
        return None
    return tuple(placed[i] for i in range(len(problem.sessions)))
