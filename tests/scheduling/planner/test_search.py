"""The search's incremental bookkeeping stays equal to a plain recount, move after move."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scheduling.planner.shared import load
from unkonf.scheduling.planner import Problem, check, greedy, score
from unkonf.scheduling.planner.search import _State, held_sessions

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("planted", [False, True])
def test_state_after_random_moves_and_rotations_matches_a_recount(planted: bool) -> None:
    instance = load("gen_instance").generate("small", 2, planted=planted)
    problem = Problem.from_instance(instance)
    state = _State(problem, greedy(problem), held_sessions(problem, {}))
    rng = np.random.default_rng(7)

    for _ in range(150):
        cycle = [int(t) for t in rng.choice(len(problem.slots), int(rng.integers(2, 4)), False)]
        before, grid = state.cost, state.assignment()
        old = state.rotate(cycle)
        if old is not None and rng.random() < 0.5:
            state.put_back(old)
            assert (state.cost, state.assignment()) == (before, grid)
        s1 = int(rng.choice(state.candidates))
        delta = state.deltas(s1)
        allowed = np.nonzero(np.isfinite(delta))[0]
        if len(allowed):
            s2 = int(rng.choice(allowed))
            cost = state.cost
            state.move(s1, s2)
            if state.free[s1]:
                assert state.cost - cost == pytest.approx(delta[s2])
            else:
                assert state.cost - cost <= delta[s2] + 1e-9
        grid = state.assignment()
        assert check(problem, grid) == []
        assert score(problem, grid).cost == state.cost
    fresh = _State(problem, state.assignment(), held_sessions(problem, {}))
    np.testing.assert_array_equal(state.C, fresh.C)
    np.testing.assert_allclose(state.G1, fresh.G1)
    np.testing.assert_allclose(state.G2, fresh.G2)
    np.testing.assert_array_equal(state.hostcnt[:-1], fresh.hostcnt[:-1])
