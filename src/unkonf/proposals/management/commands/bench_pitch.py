"""``unkonf bench_pitch``: N phones tap "I'm in" within seconds during one pitch; K screens watch.

Sets up a throwaway database (SQLite in a temporary directory, or a database created on the
given PostgreSQL server and dropped afterwards) with a published barcamp, N participants
and a moderator with login sessions, and a few proposals; starts ``unkonf serve`` on free
127.0.0.1 ports; the moderator opens the pitch over HTTP; N phones and K big screens connect
their websockets and follow the pitch stream; the moderator puts a proposal on stage; every
phone taps once (some twice) at a random moment of the window, by websocket or HTTP. Reports
accepted taps per second, the taps' round trips, whether the database counted every tapper
exactly once, how many count messages the screens got, when each screen showed the final
count, and whether any phone stalled. Figures and commands: docs/benchmarks.md ("Pitch").

Examples::

    unkonf bench_pitch --phones 1000
    unkonf bench_pitch --phones 1000 --taps http
    unkonf bench_pitch --phones 1000 --processes 2 --redis-url redis://127.0.0.1:6379/14
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unkonf.proposals.bench.pitch import PitchOptions, run
from unkonf.realtime.bench.command import (
    add_server_arguments,
    number,
    run_and_report,
    server_options,
)


class Command(BaseCommand):
    help = "Measure a pitch: N phones tap within seconds, K screens show the count."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phones", type=int, default=200, help="N phones (200)")
        parser.add_argument("--screens", type=int, default=3, help="K big screens (3)")
        parser.add_argument(
            "--window", type=float, default=10.0, help="every phone taps within this many s (10)"
        )
        parser.add_argument("--taps", choices=("ws", "http"), default="ws")
        parser.add_argument(
            "--double", type=float, default=0.05, help="share of phones that tap twice (0.05)"
        )
        parser.add_argument("--rounds", type=int, default=1, help="pitches in a row (1)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-fetch",
            action="store_true",
            help="do not fetch the pitch fragment after pitch.changed (pitch.js does)",
        )
        add_server_arguments(parser, timeout=600.0, wait_quiet=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["phones"] < 1 or options["window"] <= 0 or options["rounds"] < 1:
            raise CommandError("--phones, --window and --rounds must be positive.")
        if not 0 <= options["double"] <= 1 or options["screens"] < 1:
            raise CommandError("--double is a share (0 to 1); --screens at least 1.")
        bench = PitchOptions(
            phones=options["phones"],
            screens=options["screens"],
            window=options["window"],
            taps=options["taps"],
            double=options["double"],
            rounds=options["rounds"],
            seed=options["seed"],
            fetch=not options["no_fetch"],
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
    connect = results["connect"]
    lines = [
        "",
        f"unkonf bench_pitch  {machine['date']}  {machine['cpus']} CPUs ({machine['cpu_model']})",
        f"{options['phones']:,} phones + {options['screens']} screens, taps by"
        f" {'websocket' if options['taps'] == 'ws' else 'HTTP'} within {options['window']:g} s"
        f" ({options['double']:.0%} tap twice), {options['processes']} server process(es),"
        f" {results['database']}, fragment fetches {'on' if options['fetch'] else 'off'}",
        f"connected {connect['connected']:,} in {connect['connect_s']:.1f} s"
        + (f", failures {connect['failures']}" if connect["failures"] else ""),
        "",
        f"{'round':>5}{'taps':>7}{'acked':>7}{'acked/s':>9}{'tap p50':>9}{'tap p99':>9}"
        f"{'refused':>8}{'errors':>7}{'count db/tappers':>18}{'exact':>10}"
        f"{'msgs/screen':>12}{'max/s':>6}{'final p50':>11}{'final p99':>11}"
        f"{'ping p99':>9}{'stalled':>8}{'closed':>7}{'srv CPU':>8}{'other':>6}",
    ]
    for round_no, r in enumerate(results["rounds"], start=1):
        db = r["database"]
        messages = "/".join(str(s["messages"]) for s in r["screens"])
        lines.append(
            f"{round_no:>5}{r['taps_sent']:>7,}{r['accepted']:>7,}{number(r['accepted_per_s']):>9}"
            f"{number(r['tap_p50_ms']):>9}{number(r['tap_p99_ms']):>9}"
            f"{sum(r['refused'].values()):>8}{sum(r['errors'].values()) + r['unanswered']:>7}"
            f"{str(db['interest_count']) + '/' + str(r['tappers']):>18}"
            f"{'OK' if r['exact'] else 'MISMATCH':>10}{messages:>12}"
            f"{max((s['max_per_s'] for s in r['screens']), default=0):>6}"
            f"{number(r['screen_final_p50_ms']):>11}{number(r['screen_final_p99_ms']):>11}"
            f"{number(r['ping_p99_ms']):>9}{r['stalled_phones']:>8}{r['closed_phones']:>7}"
            f"{r['server_cpu_pct']:>6} %{r['other_cpu_pct']:>4} %"
        )
    for round_no, r in enumerate(results["rounds"], start=1):
        extra = {
            key: r[key] for key in ("refused", "errors", "close_codes", "fetch_errors") if r[key]
        }
        if r["unanswered"]:
            extra["unanswered"] = r["unanswered"]
        if extra:
            lines.append(f"  round {round_no}: {extra}")
        lines.append(
            f"  round {round_no}: fragment fetches {r['fetches']:,} p50 {number(r['fetch_p50_ms'])}"
            f" p99 {number(r['fetch_p99_ms'])} max {number(r['fetch_max_ms'])} ms; interest"
            f" messages to phones {r['phone_interest_messages']:,}; tap max"
            f" {number(r['tap_max_ms'])} ms; ping p50 {number(r['ping_p50_ms'])} max"
            f" {number(r['ping_max_ms'])} ms; load generator {r['loadgen_cpu_pct']} %"
        )
        for line in r["server_log_errors"][:5]:
            lines.append(f"  server log: {line}")
    s = results["summary"]
    lines += [
        "",
        f"every tap counted exactly once: {'OK' if s['exact'] else 'MISMATCH'}",
        f"screens: final count after the last accepted tap p50 {number(s['screen_final_p50_ms'])}"
        f" ms, p99 {number(s['screen_final_p99_ms'])} ms (missing: {s['screens_missing_final']});"
        f" count messages at most {s['screen_messages_max_per_s']} per second",
        f"phones: ping p99 {number(s['ping_p99_ms'])} ms, stalled {s['stalled_phones']},"
        f" closed {s['closed_phones']}",
        "",
    ]
    return "\n".join(lines)
