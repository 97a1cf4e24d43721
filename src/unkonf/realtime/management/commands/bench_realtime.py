"""``unkonf bench_realtime``: N real websocket clients in one room, and a bare baseline.

Sets up a throwaway database (SQLite in a temporary directory, or a database created on the
given PostgreSQL server and dropped afterwards) with a published barcamp, N participants with
confirmed registrations and login sessions; starts ``unkonf serve`` (uvicorn) on free
127.0.0.1 ports; connects N websocket clients through the real connect path (session cookie,
Origin check, ``can_view_event``), each subscribed to one room's chat; posts one chat message
every ``--interval`` through ``chat.post`` frames; and measures the end-to-end latency of every
delivery. Then the same load against a bare ``websockets`` broadcast server. ``--reconnect``
drops all connections at once while messages flow and checks that everyone comes back with
nothing missed. Figures and the commands behind them: docs/benchmarks.md.

Examples::

    unkonf bench_realtime --clients 2000 --interval 0.1 --duration 20
    unkonf bench_realtime --clients 5000 --interval 1 --duration 30
    unkonf bench_realtime --clients 5000 --processes 2 --redis-url redis://127.0.0.1:6379/14
    unkonf bench_realtime --clients 2000 --reconnect --duration 20
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unkonf.realtime.bench.command import (
    add_server_arguments,
    number,
    run_and_report,
    server_options,
)
from unkonf.realtime.bench.runner import Options, run


class Command(BaseCommand):
    help = "Measure realtime delivery with N websocket clients, next to a bare websockets server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=1000, help="N clients (1000)")
        parser.add_argument(
            "--interval", type=float, default=0.1, help="seconds between messages (0.1)"
        )
        parser.add_argument(
            "--duration", type=float, default=20.0, help="seconds of measured messages (20)"
        )
        parser.add_argument(
            "--warmup", type=float, default=1.0, help="seconds of uncounted messages first (1)"
        )
        parser.add_argument(
            "--load-processes",
            type=int,
            default=0,
            help="load-generator processes (default: one per 2,500 clients)",
        )
        parser.add_argument(
            "--reconnect", action="store_true", help="the reconnect storm instead of latency"
        )
        parser.add_argument("--no-baseline", action="store_true", help="skip the bare baseline")
        parser.add_argument(
            "--ws",
            default="",
            choices=("", "websockets-sansio", "websockets", "wsproto"),
            help="uvicorn's websocket implementation (default: unkonf serve's)",
        )
        parser.add_argument(
            "--deflate", action="store_true", help="turn permessage-deflate on (to measure it)"
        )
        add_server_arguments(parser, timeout=900.0, wait_quiet=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clients"] < 1 or options["interval"] <= 0 or options["duration"] <= 0:
            raise CommandError("--clients, --interval and --duration must be positive.")
        bench = Options(
            clients=options["clients"],
            interval=options["interval"],
            duration=options["duration"],
            warmup=options["warmup"],
            load_processes=options["load_processes"],
            reconnect=options["reconnect"],
            baseline=not options["no_baseline"],
            ws=options["ws"],
            deflate=options["deflate"],
            **server_options(options),
        )
        run_and_report(
            self,
            lambda log: run(bench, log=log),
            render=render,
            json_path=options["json"],
        )


def render(results: dict[str, Any]) -> str:
    options, machine = results["options"], results["machine"]
    lines = [
        "",
        f"unkonf bench_realtime  {machine['date']}  {machine['cpus']} CPUs"
        f" ({machine['cpu_model']})",
        f"{options['clients']:,} clients, one message every {options['interval'] * 1000:g} ms for"
        f" {options['duration']:g} s, {options['processes']} server process(es),"
        f" {results['database']}, uvicorn {machine['uvicorn']}, websockets {machine['websockets']}",
        "",
    ]
    scenarios = results["scenarios"]
    latency = [s for s in scenarios if s["kind"] != "unkonf reconnect"]
    if latency:
        head = (
            f"{'':18}{'clients':>8}{'connect s':>10}{'msgs':>6}{'delivered/expected':>26}"
            f"{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'max ms':>8}{'deliv/s':>9}"
            f"{'srv CPU':>8}{'gen CPU':>8}{'other':>7}"
        )
        lines.append(head)
        for s in latency:
            delivered = f"{s['delivered']:,}/{s['expected']:,}" + (
                " ok" if s["all_delivered"] else " MISSING"
            )
            lines.append(
                f"{s['kind']:18}{s['clients']:>8,}{number(s['connect_s']):>10}{s['messages']:>6}"
                f"{delivered:>26}{number(s['p50_ms']):>8}{number(s['p90_ms']):>8}"
                f"{number(s['p99_ms']):>8}{number(s['max_ms']):>8}{number(s['deliveries_per_s']):>9}"
                f"{_pct(s['server_cpu_pct']):>8}{_pct(s['loadgen_cpu_pct']):>8}"
                f"{_pct(s.get('other_cpu_pct')):>7}"
            )
        for s in latency:
            extra = {
                key: s[key]
                for key in ("refused", "duplicates", "out_of_order", "reloads", "resyncs")
                if s[key]
            }
            for key in ("connect_failures", "close_codes", "errors"):
                if s[key]:
                    extra[key] = s[key]
            if extra:
                lines.append(f"  {s['kind']}: {extra}")
            for line in s.get("server_log_errors", [])[:5]:
                lines.append(f"  {s['kind']} server log: {line}")
    for s in scenarios:
        if s["kind"] != "unkonf reconnect":
            continue
        lines += [
            "reconnect storm: all connections dropped at once while messages flow",
            f"  {s['back']:,}/{s['storm_clients']:,} back"
            f" (failed: {s['back_failed']}), last after {number(s['all_back_s'], 2)} s,"
            f" p50 {number(s['back_p50_s'], 2)} s, p99 {number(s['back_p99_s'], 2)} s,"
            f" {s['attempts']:,} attempts",
            f"  messages {s['messages']} (+ warm-up), missed {s['missed']:,}"
            f" (clients missing any: {s['clients_missing']:,}), delivered"
            f" {s['delivered']:,}/{s['expected']:,}, duplicates {s['duplicates']:,},"
            f" out of order {s['out_of_order']:,}, reloads {s['reloads']:,}",
            f"  latency incl. replays: p50 {number(s['p50_ms'])} ms, p99 {number(s['p99_ms'])} ms,"
            f" max {number(s['max_ms'])} ms",
        ]
        for line in s.get("server_log_errors", [])[:5]:
            lines.append(f"  server log: {line}")
    goals = results["goals"]
    if goals:
        lines.append("")
        lines.append("goals (issue 3, 2 cores incl. load generator):")
        for goal in goals:
            lines.append(
                f"  [{'met' if goal['met'] else 'NOT met'}] {goal['goal']}: {goal['figure']}"
            )
    lines.append("")
    return "\n".join(lines)


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value} %"
