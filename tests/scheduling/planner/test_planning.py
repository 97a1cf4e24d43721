"""`plan`: every grid keeps the hard rules; re-planning touches only what may move;
reproducible with a fixed number of iterations; never worse than its start."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scheduling.planner.strategies import Drawn, problems
from unkonf.scheduling.planner import (
    Problem,
    Room,
    Session,
    Slot,
    check,
    greedy,
    plan,
    score,
)

pytestmark = pytest.mark.unit

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems(), st.integers(0, 3))
def test_plan_keeps_every_hard_rule(drawn: Drawn, seed: int) -> None:
    problem = drawn.problem

    result = plan(problem, iterations=60, seed=seed)

    assert check(problem, result.assignment) == []
    for i, s in enumerate(problem.sessions):
        room, start = result.assignment[i]
        if s.pin_room is not None:
            assert room == s.pin_room
        if s.pin_slot is not None:
            assert start == s.pin_slot
        if s.length == 2:
            assert problem.next_slot(start) is not None
    found = score(problem, result.assignment)
    assert (result.missed, result.overflow) == (found.missed, found.overflow)


@FAST
@given(problems(), st.integers(0, 3))
def test_plan_is_never_worse_than_greedy(drawn: Drawn, seed: int) -> None:
    problem = drawn.problem
    baseline = score(problem, greedy(problem)).cost

    result = plan(problem, iterations=40, seed=seed)

    assert result.cost <= baseline
    assert result.cost <= result.start_cost


@FAST
@given(problems(), st.data())
def test_replan_moves_only_the_movable_sessions(drawn: Drawn, data: st.DataObject) -> None:
    problem, initial = drawn.problem, drawn.hidden
    movable = data.draw(st.sets(st.integers(0, len(problem.sessions) - 1)))

    result = plan(problem, iterations=60, seed=1, initial=initial, movable=movable)

    assert check(problem, result.assignment) == []
    for i in range(len(problem.sessions)):
        if i not in movable:
            assert result.assignment[i] == initial[i]
    assert result.cost <= score(problem, initial).cost


@FAST
@given(problems(), st.integers(0, 5))
def test_plan_with_iterations_is_reproducible(drawn: Drawn, seed: int) -> None:
    first = plan(drawn.problem, iterations=80, seed=seed)
    second = plan(drawn.problem, iterations=80, seed=seed)

    assert first.assignment == second.assignment
    assert first.iterations == second.iterations <= 80


def _people_apart() -> Problem:
    # hosts 3, 4, 5; person 0 and 1 want sessions 0 and 1, person 2 wants 1 and 2
    return Problem(
        sessions=(Session(host=3), Session(host=4), Session(host=5)),
        rooms=(Room(capacity=10), Room(capacity=10)),
        slots=(Slot(day=0, index=0), Slot(day=0, index=1)),
        wishes=((0, 1), (0, 1), (1, 2)),
    )


def test_plan_finds_the_only_grid_that_misses_nothing() -> None:
    problem = _people_apart()

    result = plan(problem, iterations=200, seed=0)

    (_, t0), (_, t1), (_, t2) = result.assignment
    assert t0 == t2 != t1
    assert (result.missed, result.overflow, result.cost) == (0, 0, 0)


def test_plan_puts_the_bigger_audience_into_the_bigger_room() -> None:
    problem = Problem(
        sessions=(Session(host=10), Session(host=11)),
        rooms=(Room(capacity=3), Room(capacity=9)),
        slots=(Slot(day=0, index=0),),
        wishes=((0,), (0,), (0,), (0,), (0,), (0,), (0,), (1,)),
    )

    result = plan(problem, iterations=50, seed=0)

    assert result.assignment == ((1, 0), (0, 0))
    assert result.cost == 0


def test_plan_places_a_two_slot_session_where_its_host_can_be() -> None:
    problem = Problem(
        sessions=(Session(host=0, length=2), Session(host=1)),
        rooms=(Room(capacity=5),),
        slots=(Slot(day=0, index=0), Slot(day=0, index=1), Slot(day=0, index=2)),
        wishes=((), (), (0, 1)),
        host_unavailable={0: frozenset({0})},
    )

    result = plan(problem, iterations=50, seed=0)

    assert result.assignment == ((0, 1), (0, 0))
    assert check(problem, result.assignment) == []


def test_plan_reports_the_unavoidable_share() -> None:
    # one person wants three sessions, there are two slots: one miss is unavoidable
    problem = Problem(
        sessions=(Session(host=1), Session(host=2), Session(host=3)),
        rooms=(Room(capacity=10), Room(capacity=10)),
        slots=(Slot(day=0, index=0), Slot(day=0, index=1)),
        wishes=((0, 1, 2),),
    )

    result = plan(problem, iterations=50, seed=0)

    assert (result.missed, result.missed_lower_bound) == (1, 1)
    assert result.unavoidable_share == 1.0


def test_plan_needs_the_initial_grid_to_replan() -> None:
    with pytest.raises(ValueError, match="initial"):
        plan(_people_apart(), iterations=5, movable={0})
