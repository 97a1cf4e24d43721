"""Grid planning (issue 5, "Suggest a grid"): a pure core without Django.

`Problem` describes sessions, rooms, slots, wishes and the hard rules; `plan` returns the best
grid a local search finds in a time budget (see docs/adr/0011-grid-planner.md); `greedy` is the
baseline; `score` and `check` give the objective and the broken hard rules of any grid.
"""

from unkonf.scheduling.planner.greedy import greedy
from unkonf.scheduling.planner.planning import Result, plan
from unkonf.scheduling.planner.problem import (
    Assignment,
    InfeasibleError,
    Problem,
    ProblemError,
    Room,
    Session,
    Slot,
    as_assignment,
)
from unkonf.scheduling.planner.scoring import (
    Score,
    check,
    missed_lower_bound,
    overflow_lower_bound,
    score,
)

__all__ = [
    "Assignment",
    "InfeasibleError",
    "Problem",
    "ProblemError",
    "Result",
    "Room",
    "Score",
    "Session",
    "Slot",
    "as_assignment",
    "check",
    "greedy",
    "missed_lower_bound",
    "overflow_lower_bound",
    "plan",
    "score",
]
