"""What the benchmark commands share: the options of the servers they start, running a
benchmark so that Ctrl-C or SIGTERM ends every process it started, and writing the results."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unkonf.realtime.bench.runner import BenchError

Results = dict[str, Any]


def add_server_arguments(parser: CommandParser, *, timeout: float, wait_quiet: float) -> None:
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument(
        "--redis-url", default="", help="Redis on 127.0.0.1; needed for --processes 2"
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres): a "
        "throwaway database is created there and dropped; default: SQLite in a temp dir",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=timeout,
        help=f"hard limit for the whole run, s ({timeout:g})",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=wait_quiet,
        help=f"wait up to this many s for other processes to leave the CPUs alone ({wait_quiet:g})",
    )
    parser.add_argument(
        "--profile", default="", help="a directory: py-spy (if installed) samples the servers"
    )
    parser.add_argument("--json", default="", help="also write the results to this file")


SERVER_OPTIONS = ("processes", "redis_url", "database_url", "timeout", "wait_quiet", "profile")


def server_options(options: dict[str, Any]) -> dict[str, Any]:
    """The values of the options ``add_server_arguments`` added, as keyword arguments."""
    return {name: options[name] for name in SERVER_OPTIONS}


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_and_report(
    command: BaseCommand,
    bench: Callable[[Callable[[str], None]], Results],
    *,
    render: Callable[[Results], str],
    json_path: str,
) -> None:
    """Run ``bench(log)``; every server and client process ends, however the run ends."""

    def log(text: str) -> None:
        command.stderr.write(text)
        sys.stderr.flush()

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        results = bench(log)
    except BenchError as error:
        raise CommandError(str(error)) from error
    except KeyboardInterrupt as exc:
        raise CommandError("interrupted; every server and client process was ended") from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    command.stdout.write(render(results))
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2) + "\n")
        command.stdout.write(f"results written to {json_path}")


def number(value: Any, digits: int = 1) -> str:
    """A figure for the tables: thousands separated, '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"
