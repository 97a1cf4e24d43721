"""``unkonf bench_planner``: the grid planner on the shared benchmark instances.

Generates instances with the shared ``gen_instance.py`` (or reads the given files), plans each
with the greedy baseline, a short run (1 s) and the full budget (10 s), writes every grid as
JSON, scores each with the shared, independent ``evaluate.py`` and prints a table against the
best known costs. Figures and commands: docs/benchmarks.md ("Planner").

Examples::

    unkonf bench_planner --sizes medium,large --seeds 1-5
    unkonf bench_planner --sizes medium,large --seeds 1-5 --planted
    unkonf bench_planner --sizes medium,large --seeds 1-5 --budget 60 --no-short --json best.json
    unkonf bench_planner --seeds 2-5 --best best.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unkonf.scheduling.planner import bench

# src/unkonf/scheduling/management/commands/ -> the repository -> its sibling shared/planner
DEFAULT_PLANNER_DIR = Path(__file__).resolve().parents[5].parent / "shared" / "planner"


class Command(BaseCommand):
    help = "Measure the grid planner on the shared benchmark instances (scored by evaluate.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", type=Path, help="instance files (default: generate)"
        )
        parser.add_argument(
            "--planner-dir",
            type=Path,
            default=DEFAULT_PLANNER_DIR,
            help="the directory with gen_instance.py and evaluate.py (default: ../shared/planner "
            "beside the repository; CI and other checkouts pass it)",
        )
        parser.add_argument("--sizes", default="medium,large", help="small,medium,large")
        parser.add_argument("--seeds", default="1", help="instance seeds: 1-5 or 1,3 (1)")
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--planted", action="store_true", help="planted instances only")
        kind.add_argument("--both", action="store_true", help="ordinary and planted instances")
        parser.add_argument("--budget", type=float, default=10.0, help="seconds per plan (10)")
        parser.add_argument("--short", type=float, default=1.0, help="seconds of the short run (1)")
        parser.add_argument("--no-short", action="store_true", help="skip the short run")
        parser.add_argument("--seed", type=int, default=0, help="the planner's seed (0)")
        parser.add_argument("--out", type=Path, default=None, help="keep instances and grids here")
        parser.add_argument(
            "--best",
            type=Path,
            action="append",
            default=[],
            help="best known costs beyond README's seed-1 figures: {name: cost} or a --json "
            "file of an earlier run (repeatable; the lowest cost counts)",
        )
        parser.add_argument("--json", type=Path, default=None, help="write the results here")

    def handle(self, *args: Any, **options: Any) -> None:
        planner_dir: Path = options["planner_dir"]
        for script in ("gen_instance.py", "evaluate.py"):
            if not (planner_dir / script).exists():
                raise CommandError(f"{planner_dir / script} not found: pass --planner-dir")
        sizes = [s.strip() for s in options["sizes"].split(",") if s.strip()]
        if unknown := set(sizes) - {"small", "medium", "large"}:
            raise CommandError(f"unknown sizes: {', '.join(sorted(unknown))}")
        planted = [False, True] if options["both"] else [bool(options["planted"])]
        rows = bench.run(
            planner_dir=planner_dir,
            files=options["files"],
            sizes=sizes,
            seeds=bench.parse_seeds(options["seeds"]),
            planted=planted,
            budget=options["budget"],
            short_budget=None if options["no_short"] else options["short"],
            seed=options["seed"],
            out=options["out"],
            best_files=options["best"],
            say=lambda line: self.stdout.write(line),
        )
        if options["json"] is not None:
            options["json"].write_text(json.dumps(bench.as_json(rows), indent=2))
