"""The planner benchmark behind `unkonf bench_planner` (the command only parses options).

Instances come from the shared generator (`gen_instance.py`, run as a subprocess) or from
files; every grid (greedy, a short run, the full budget) is written as JSON and scored by the
shared, independent `evaluate.py` (a subprocess too), never by the planner's own scoring.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from unkonf.scheduling.planner.greedy import greedy
from unkonf.scheduling.planner.planning import plan
from unkonf.scheduling.planner.problem import Assignment, Problem, as_assignment

#: "best known" of planner/README.md (seed 1): the lowest cost any run reached; for planted
#: instances the hidden grid with its rooms re-matched
README_BEST = {
    "small-1": 1173,
    "medium-1": 2598,
    "large-1": 6993,
    "small-planted-1": 59,
    "medium-planted-1": 172,
    "large-planted-1": 1004,
}


@dataclass
class Row:
    instance: str
    sessions: int
    wishes: int
    greedy_cost: int
    short_cost: int | None
    budget_cost: int
    missed: int
    missed_pct: float
    overflow: int
    iterations: int
    short_budget: float
    budget: float
    seed: int
    pigeonhole_lb: int
    overflow_lb: int
    hidden_cost: int | None = None
    best_known: int | None = None
    best_source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def gap(self, cost: int | None) -> float | None:
        if cost is None or not self.best_known:
            return None
        return 100.0 * (cost - self.best_known) / self.best_known


def parse_seeds(text: str) -> list[int]:
    """'1-5' or '1,3,4' or '2'."""
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-", 1)
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part.strip():
            seeds.append(int(part))
    return seeds


def generate(planner_dir: Path, size: str, seed: int, planted: bool, out: Path) -> Path:
    path = out / f"{size}-{'planted-' if planted else ''}{seed}.json"
    command = [
        sys.executable,
        str(planner_dir / "gen_instance.py"),
        "--size",
        size,
        "--seed",
        str(seed),
        "--out",
        str(path),
    ]
    if planted:
        command.append("--planted")
    subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    return path


def evaluate(planner_dir: Path, instance: Path, grid: Path) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(planner_dir / "evaluate.py"), str(instance), str(grid)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 2 or not done.stdout.strip():
        raise RuntimeError(f"evaluate.py failed on {grid}: {done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout)
    if not result.get("feasible"):
        raise RuntimeError(f"evaluate.py: {grid} breaks hard rules: {result.get('violations')}")
    return result


def write_grid(path: Path, assignment: Assignment) -> Path:
    path.write_text(json.dumps({"assignment": [list(cell) for cell in assignment]}))
    return path


def rematched(problem: Problem, grid: Assignment) -> Assignment:
    """The grid with each slot's rooms given by demand (sessions with a room pin or
    restricted rooms keep theirs): how README's "hidden grid, rooms re-matched" is made."""
    demand = problem.demand()
    cells = list(grid)
    for t in range(len(problem.slots)):
        free = [
            i
            for i, (_r, slot) in enumerate(grid)
            if slot == t
            and problem.sessions[i].pin_room is None
            and problem.sessions[i].rooms is None
            and problem.sessions[i].length == 1
        ]
        rooms = sorted((grid[i][0] for i in free), key=lambda r: (-problem.rooms[r].capacity, r))
        for i, room in zip(sorted(free, key=lambda i: (-demand[i], i)), rooms, strict=True):
            cells[i] = (room, t)
    return tuple(cells)


def load_best(paths: Iterable[Path]) -> dict[str, int]:
    """Best known costs: README's, and the lowest of the files ({name: cost} or --json lists)."""
    best = dict(README_BEST)
    for path in paths:
        _merge_best(best, path)
    return best


def _merge_best(best: dict[str, int], path: Path) -> None:
    data = json.loads(path.read_text())
    found: dict[str, int] = {}
    if isinstance(data, dict):
        found = {str(k): int(v) for k, v in data.items()}
    else:
        for row in data:
            costs = [row.get("budget_cost"), row.get("short_cost"), row.get("greedy_cost")]
            cost = min(int(c) for c in costs if c is not None)
            found[row["instance"]] = min(cost, found.get(row["instance"], cost))
    for name, cost in found.items():
        best[name] = min(cost, best.get(name, cost))


def run_instance(
    planner_dir: Path,
    path: Path,
    *,
    budget: float,
    short_budget: float | None,
    seed: int,
    out: Path,
    best: dict[str, int],
    say: Callable[[str], None],
) -> Row:
    data = json.loads(path.read_text())
    name = str(data.get("name") or path.stem)
    problem = Problem.from_instance(data)
    grids: dict[str, Assignment] = {"greedy": greedy(problem)}
    short = None
    if short_budget is not None:
        short = plan(problem, time_budget=short_budget, seed=seed)
        grids["short"] = short.assignment
    full = plan(problem, time_budget=budget, seed=seed)
    grids["budget"] = full.assignment
    if data.get("reference_grid") and data.get("planted"):
        grids["hidden"] = rematched(problem, as_assignment(data["reference_grid"]))
    scored = {}
    for kind, grid in grids.items():
        grid_path = write_grid(out / f"{name}.{kind}.json", grid)
        scored[kind] = evaluate(planner_dir, path, grid_path)
    budget_eval = scored["budget"]
    hidden = scored.get("hidden")
    row = Row(
        instance=name,
        sessions=len(problem.sessions),
        wishes=problem.total_wishes(),
        greedy_cost=int(scored["greedy"]["cost"]),
        short_cost=int(scored["short"]["cost"]) if "short" in scored else None,
        budget_cost=int(budget_eval["cost"]),
        missed=int(budget_eval["missed"]),
        missed_pct=float(budget_eval["missed_pct"]),
        overflow=int(budget_eval["overflow"]),
        iterations=full.iterations,
        short_budget=short_budget or 0.0,
        budget=budget,
        seed=seed,
        pigeonhole_lb=int(budget_eval["pigeonhole_lb"]),
        overflow_lb=int(budget_eval["overflow_lb"]),
        hidden_cost=int(hidden["cost"]) if hidden else None,
    )
    known = [(best[name], "best known")] if name in best else []
    if row.hidden_cost is not None:
        known.append((row.hidden_cost, "hidden grid"))
    if known:
        row.best_known, row.best_source = min(known)
    say(format_row(row))
    return row


def header(short_budget: float | None, budget: float) -> str:
    short = f"{short_budget:g} s" if short_budget is not None else "-"
    full = f"{budget:g} s"
    return (
        f"{'instance':<20} {'greedy':>7} {short:>7} {full:>7} {'missed%':>8} "
        f"{'overflow':>8} {'best':>7} {'gap ' + short:>9} {'gap ' + full:>9}"
    )


def format_row(row: Row) -> str:
    def num(value: float | int | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    return (
        f"{row.instance:<20} {row.greedy_cost:>7} {num(row.short_cost, 'd'):>7} "
        f"{row.budget_cost:>7} {row.missed_pct:>8.2f} {row.overflow:>8} "
        f"{num(row.best_known, 'd'):>7} {num(row.gap(row.short_cost), '+.1f'):>9} "
        f"{num(row.gap(row.budget_cost), '+.1f'):>9}"
    )


def run(
    *,
    planner_dir: Path,
    files: Iterable[Path],
    sizes: list[str],
    seeds: list[int],
    planted: list[bool],
    budget: float,
    short_budget: float | None,
    seed: int,
    out: Path | None,
    best_files: Iterable[Path],
    say: Callable[[str], None],
) -> list[Row]:
    best = load_best(best_files)
    with tempfile.TemporaryDirectory(prefix="unkonf-planner-") as tmp:
        workdir = out or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        paths = list(files)
        if not paths:
            paths = [
                generate(planner_dir, size, s, p, workdir)
                for p in planted
                for size in sizes
                for s in seeds
            ]
        say(header(short_budget, budget))
        return [
            run_instance(
                planner_dir,
                path,
                budget=budget,
                short_budget=short_budget,
                seed=seed,
                out=workdir,
                best=best,
                say=say,
            )
            for path in paths
        ]


def as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {**asdict(row), "gap_short": row.gap(row.short_cost), "gap": row.gap(row.budget_cost)}
        for row in rows
    ]
