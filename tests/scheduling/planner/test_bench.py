"""`unkonf bench_planner` and its helpers, on a small instance with tiny budgets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.scheduling.planner.shared import PLANNER_DIR, load
from unkonf.scheduling.planner import Problem, as_assignment, check, score
from unkonf.scheduling.planner.bench import load_best, parse_seeds, rematched

pytestmark = pytest.mark.unit


def test_parse_seeds_reads_ranges_and_lists() -> None:
    assert parse_seeds("1-5") == [1, 2, 3, 4, 5]
    assert parse_seeds("2,4") == [2, 4]
    assert parse_seeds("3") == [3]


def test_rematched_hidden_grid_misses_nothing_and_matches_readme() -> None:
    instance = load("gen_instance").generate("small", 1, planted=True)
    problem = Problem.from_instance(instance)

    grid = rematched(problem, as_assignment(instance["reference_grid"]))

    assert check(problem, grid) == []
    assert (score(problem, grid).missed, score(problem, grid).cost) == (0, 59)


def test_load_best_takes_the_lowest_cost_of_a_results_file(tmp_path: Path) -> None:
    results = tmp_path / "best.json"
    results.write_text(
        json.dumps(
            [
                {"instance": "medium-2", "greedy_cost": 9, "short_cost": None, "budget_cost": 7},
                {"instance": "medium-2", "greedy_cost": 9, "short_cost": 6, "budget_cost": 8},
            ]
        )
    )

    best = load_best([results])

    assert best["medium-2"] == 6
    assert best["large-1"] == 6993


def test_bench_planner_scores_every_grid_with_evaluate(tmp_path: Path) -> None:
    load("evaluate")
    out = tmp_path / "grids"
    results = tmp_path / "results.json"

    call_command(
        "bench_planner",
        "--planner-dir",
        str(PLANNER_DIR),
        "--sizes",
        "small",
        "--planted",
        "--budget",
        "0.4",
        "--short",
        "0.2",
        "--out",
        str(out),
        "--json",
        str(results),
    )

    (row,) = json.loads(results.read_text())
    assert row["instance"] == "small-planted-1"
    assert row["best_known"] == 59
    assert row["hidden_cost"] == 59
    assert row["budget_cost"] <= row["greedy_cost"] == 309
    assert {p.name for p in out.iterdir()} >= {
        "small-planted-1.json",
        "small-planted-1.greedy.json",
        "small-planted-1.short.json",
        "small-planted-1.budget.json",
        "small-planted-1.hidden.json",
    }
