"""`plan`: a feasible start (greedy, or the grid being re-planned), improved by the search."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from unkonf.scheduling.planner.construct import colouring
from unkonf.scheduling.planner.greedy import greedy
from unkonf.scheduling.planner.problem import Assignment, InfeasibleError, Problem
from unkonf.scheduling.planner.scoring import (
    Score,
    check,
    missed_lower_bound,
    overflow_lower_bound,
    score,
)
from unkonf.scheduling.planner.search import held_sessions, search


@dataclass(frozen=True)
class Result:
    assignment: Assignment
    missed: int
    overflow: int
    #: iterations of the local search
    iterations: int
    #: seconds, including building the start grid
    elapsed: float
    #: missed wishes no grid could avoid (pigeonhole bound)
    missed_lower_bound: int
    #: overflow no grid could avoid (biggest audiences in the biggest cells)
    overflow_lower_bound: int
    #: cost of the start grid (the greedy grid, or the grid being re-planned if better)
    start_cost: int
    total_wishes: int

    @property
    def cost(self) -> int:
        return self.missed + self.overflow

    @property
    def missed_share(self) -> float:
        """Missed wishes as a share of all wishes."""
        return self.missed / self.total_wishes if self.total_wishes else 0.0

    @property
    def unavoidable_share(self) -> float:
        """The share of the missed wishes that no grid could avoid."""
        return min(1.0, self.missed_lower_bound / self.missed) if self.missed else 1.0


def plan(
    problem: Problem,
    *,
    time_budget: float = 10.0,
    seed: int = 0,
    iterations: int | None = None,
    initial: Assignment | None = None,
    movable: set[int] | None = None,
    progress: Callable[[float, Score], None] | None = None,
) -> Result:
    """The best grid found within the budget; never infeasible, never worse than the start.

    `iterations` fixes the amount of search (the time budget is then not applied), which
    makes the result identical on every run with the same seed; the search stops early when
    the cost reaches the lower bounds (then the grid is optimal). `movable` (needs `initial`)
    re-plans only those sessions: every other session keeps its cell from `initial`.
    Raises InfeasibleError when no start grid is found, ValueError on a bad `initial`.
    """
    started = time.perf_counter()
    n = len(problem.sessions)
    if initial is not None and len(initial) != n:
        raise ValueError(f"initial has {len(initial)} positions for {n} sessions")
    keep: dict[int, tuple[int, int]] = {}
    if movable is not None:
        if initial is None:
            raise ValueError("re-planning some sessions (movable) needs the initial grid")
        keep = {i: initial[i] for i in range(n) if i not in movable}
    starts: list[Assignment] = []
    if initial is not None and not check(problem, initial):
        starts.append(tuple(initial))
    try:
        starts.append(greedy(problem, keep=keep))
    except InfeasibleError:
        if not starts:
            raise
    coloured = colouring(problem, keep=keep)
    if coloured is not None:
        starts.append(coloured)
    scored = [(score(problem, a).cost, k, a) for k, a in enumerate(starts) if not check(problem, a)]
    if not scored:
        raise InfeasibleError("no feasible start grid found")
    start_cost, _, start = min(scored)
    lower = (missed_lower_bound(problem), overflow_lower_bound(problem))
    best, iters = search(
        problem,
        start,
        hold=held_sessions(problem, keep),
        seed=seed,
        time_budget=time_budget,
        iterations=iterations,
        progress=progress,
        started=started,
        bound=sum(lower),
    )
    final = score(problem, best)
    if check(problem, best) or final.cost > start_cost:  # pragma: no cover - a safety net
        best, final = start, score(problem, start)
    return Result(
        assignment=best,
        missed=final.missed,
        overflow=final.overflow,
        iterations=iters,
        elapsed=time.perf_counter() - started,
        missed_lower_bound=lower[0],
        overflow_lower_bound=lower[1],
        start_cost=start_cost,
        total_wishes=problem.total_wishes(),
    )
