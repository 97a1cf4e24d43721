"""`score`, `check` and the lower bounds agree with the shared, independent evaluate.py."""

from __future__ import annotations

import pytest

from tests.scheduling.planner.shared import load
from unkonf.scheduling.planner import (
    Problem,
    Room,
    Session,
    Slot,
    as_assignment,
    check,
    greedy,
    missed_lower_bound,
    overflow_lower_bound,
    plan,
    score,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("planted", [False, True])
def test_score_equals_evaluate_on_a_generated_instance(planted: bool) -> None:
    generator, evaluate = load("gen_instance"), load("evaluate")
    instance = generator.generate("small", 3, planted=planted)
    problem = Problem.from_instance(instance)
    grids = [
        greedy(problem),
        plan(problem, iterations=300, seed=2).assignment,
        as_assignment(instance["reference_grid"]),
    ]

    for grid in grids:
        theirs = evaluate.score(instance, [list(cell) for cell in grid])
        ours = score(problem, grid)

        assert theirs["feasible"] is True
        assert check(problem, grid) == []
        assert (ours.missed, ours.overflow, ours.cost) == (
            theirs["missed"],
            theirs["overflow"],
            theirs["cost"],
        )
    assert missed_lower_bound(problem) == theirs["pigeonhole_lb"]
    assert overflow_lower_bound(problem) == theirs["overflow_lb"]


def test_check_names_what_evaluate_rejects() -> None:
    generator, evaluate = load("gen_instance"), load("evaluate")
    instance = generator.generate("small", 1)
    problem = Problem.from_instance(instance)
    grid = list(greedy(problem))
    grid[1] = grid[0]  # two sessions in one cell

    assert evaluate.score(instance, [list(c) for c in grid])["feasible"] is False
    assert any("holds sessions" in problem_ for problem_ in check(problem, tuple(grid)))


def _tiny() -> Problem:
    return Problem(
        sessions=(Session(host=0, length=2), Session(host=0), Session(host=1, pin_slot=0)),
        rooms=(Room(capacity=1), Room(capacity=5)),
        slots=(Slot(day=0, index=0), Slot(day=0, index=1), Slot(day=1, index=0)),
        wishes=((), (0, 1, 2), (0,), (0,)),
        host_unavailable={1: frozenset({2})},
        blocked=frozenset({(1, 2)}),
    )


def test_score_counts_a_two_slot_session_in_its_second_slot_too() -> None:
    problem = Problem(
        sessions=(Session(host=0, length=2), Session(host=1), Session(host=2)),
        rooms=(Room(capacity=1), Room(capacity=5)),
        slots=(Slot(day=0, index=0), Slot(day=0, index=1), Slot(day=0, index=2)),
        wishes=((), (), (), (0, 1), (0, 1), (0, 2)),
    )
    # session 0 runs in slots 0 and 1; session 1 in slot 1, session 2 in slot 2
    grid = ((1, 0), (0, 1), (0, 2))

    found = score(problem, grid)

    assert check(problem, grid) == []
    # persons 3 and 4 miss one each in slot 1; overflow: (2+1) - 1 for session 1, 1 for 2
    assert (found.missed, found.overflow) == (2, 3)


def test_check_reports_every_broken_rule() -> None:
    problem = _tiny()
    # 0 starts on the day's last slot; 1 in a blocked cell; 2 off its pinned slot
    grid = ((0, 2), (1, 2), (1, 1))

    problems = check(problem, grid)

    assert "session 0: two slots from slot 2 do not fit in the day" in problems
    assert "session 1: cell 1,2 is blocked" in problems
    assert "session 2: pinned to slot 0, placed in 1" in problems
    assert "host 0 has sessions 0 and 1 in slot 2" in problems


def test_check_reports_unavailable_hosts_and_rooms_without_the_needs() -> None:
    problem = Problem(
        sessions=(Session(host=0, rooms=frozenset({1})),),
        rooms=(Room(capacity=5), Room(capacity=5)),
        slots=(Slot(day=0, index=0), Slot(day=0, index=1)),
        wishes=(),
        host_unavailable={0: frozenset({0})},
    )

    assert check(problem, ((0, 0),)) == [
        "session 0: room 0 does not meet its needs",
        "session 0: host 0 unavailable in slot 0",
    ]
