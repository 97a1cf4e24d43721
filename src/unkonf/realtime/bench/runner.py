"""Run the realtime benchmark: servers, load-generator processes, publishers, figures.

Everything runs on 127.0.0.1. Every child process (setup, servers, load generators) is
tracked and ended by its id when the run ends, fails, times out or is interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import json
import math
import multiprocessing
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from unkonf.realtime.bench.loadgen import (
    Client,
    Sink,
    open_client,
    raise_nofile_limit,
    worker_main,
)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CHAT_RATE_LIMIT = 8  # chat.services.RATE_LIMIT per RATE_WINDOW seconds and person
CHAT_RATE_WINDOW = 10
QUIET = 15  # % of one core used by other processes that still counts as a quiet machine


class BenchError(Exception):
    pass


@dataclasses.dataclass
class Options:
    clients: int = 1000
    interval: float = 0.1
    duration: float = 20.0
    warmup: float = 1.0
    processes: int = 1
    redis_url: str = ""
    database_url: str = ""  # empty: a throwaway SQLite file
    load_processes: int = 0  # 0: one per 2,500 clients, at least one
    reconnect: bool = False
    baseline: bool = True
    ws: str = ""  # uvicorn's websocket implementation; empty: what `unkonf serve` chooses
    deflate: bool = False
    concurrency: int = 200  # handshakes in flight per load-generator process
    storm_at: float = 5.0  # reconnect mode: seconds after the first message
    storm_timeout: float = 30.0
    drain: float = 10.0
    timeout: float = 900.0
    wait_quiet: float = 60.0  # seconds to wait for other processes to leave the CPUs alone
    profile: str = ""  # a directory: py-spy samples the servers while messages are measured

    @property
    def messages(self) -> int:
        return max(1, round(self.duration / self.interval))

    @property
    def warmup_messages(self) -> int:
        return round(self.warmup / self.interval) if self.warmup > 0 else 0

    @property
    def publishers(self) -> int:
        # Round-robin over people so no one exceeds half the chat rate limit (even when two
        # runs fall into the same rate-limit window).
        per_window = CHAT_RATE_WINDOW / self.interval
        return max(1, math.ceil(per_window / (CHAT_RATE_LIMIT // 2)))

    @property
    def generators(self) -> int:
        return self.load_processes or max(1, math.ceil(self.clients / 2500))


# --- child processes -------------------------------------------------------------------------


class Children:
    """Every process this run starts; :meth:`end_all` ends them by id (terminate, then kill)."""

    def __init__(self) -> None:
        self.popens: list[subprocess.Popen[bytes]] = []
        self.workers: list[BaseProcess] = []

    def popen(self, args: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                args, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self.popens.append(process)
        return process

    def end(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def end_all(self) -> None:
        for process in self.popens:
            with contextlib.suppress(Exception):
                self.end(process)
        for worker in self.workers:
            with contextlib.suppress(Exception):
                if worker.is_alive():
                    worker.terminate()
                    worker.join(timeout=5)
                if worker.is_alive():
                    worker.kill()
                    worker.join(timeout=5)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine so far (all cores, seconds)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def other_load(seconds: float = 1.0) -> int:
    """CPU used by other processes right now, in % of one core (this run is idle meanwhile)."""
    before = machine_cpu_seconds()
    await asyncio.sleep(seconds)
    return round(100 * (machine_cpu_seconds() - before) / seconds)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check_loopback(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise BenchError(f"{what} must be on this machine (127.0.0.1), not {host!r}.")


def machine() -> dict[str, Any]:
    import uvicorn
    import websockets

    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "uvicorn": uvicorn.__version__,
        "websockets": websockets.version.version,
        "date": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
    }


# --- the run ---------------------------------------------------------------------------------


class Run:
    def __init__(self, options: Options, log: Callable[[str], None]) -> None:
        self.options = options
        self.log = log
        self.children = Children()
        self.tmp = Path(tempfile.mkdtemp(prefix="unkonf-bench-"))
        self.database_url = ""
        self.pg_admin_url = ""
        self.pg_database = ""
        self.data: dict[str, Any] = {}
        self.secret = secrets.token_urlsafe(40)

    # --- database -----------------------------------------------------------------------------

    def prepare_database(self) -> None:
        url = self.options.database_url
        if not url:
            self.database_url = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
            return
        if not url.startswith(("postgres://", "postgresql://")):
            raise BenchError("--database-url must be a postgres:// URL (default: SQLite).")
        _check_loopback(url, "PostgreSQL")
        import psycopg

        self.pg_database = f"unkonf_bench_{os.getpid()}_{secrets.token_hex(3)}"
        self.pg_admin_url = url
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.pg_database}"')  # a name we made, not input
        self.database_url = urlunsplit(urlsplit(url)._replace(path=f"/{self.pg_database}"))

    def drop_database(self) -> None:
        if not self.pg_database:
            return
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')
        self.pg_database = ""

    def env(self, *, redis: bool) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("UNKONF_")}
        env.update(
            DJANGO_SETTINGS_MODULE="unkonf.settings.base",
            UNKONF_DEBUG="0",
            UNKONF_DEMO="0",
            UNKONF_SECURE="0",
            UNKONF_SECRET_KEY=self.secret,
            UNKONF_ALLOWED_HOSTS="127.0.0.1,localhost",
            UNKONF_DATA_DIR=str(self.tmp / "data"),
            UNKONF_DATABASE_URL=self.database_url,
            UNKONF_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        if redis:
            env["UNKONF_REDIS_URL"] = self.options.redis_url
        return env

    def setup(self) -> None:
        out = self.tmp / "setup.json"
        log = self.tmp / "setup.log"
        started = time.monotonic()
        process = self.children.popen(
            [
                sys.executable,
                "-m",
                "unkonf.realtime.bench.setup",
                f"--clients={self.options.clients}",
                f"--publishers={self.options.publishers}",
                "--rooms=2",
                f"--out={out}",
            ],
            env=self.env(redis=False),
            log=log,
        )
        try:
            code = process.wait(timeout=600)
        except subprocess.TimeoutExpired as exc:
            raise BenchError("setting up the database took more than 10 minutes") from exc
        if code != 0:
            raise BenchError(f"setting up the database failed:\n{_tail(log)}")
        self.data = json.loads(out.read_text())
        self.log(
            f"database ready: {self.options.clients} participants, {self.options.publishers}"
            f" publishers, sessions ({time.monotonic() - started:.1f} s)"
        )

    # --- servers ------------------------------------------------------------------------------

    def start_unkonf(self) -> tuple[list[int], list[subprocess.Popen[bytes]]]:
        redis = self.options.processes > 1 or bool(self.options.redis_url)
        ports, servers = [], []
        for index in range(self.options.processes):
            port = free_port()
            # UNKONF_BENCH_SERVER_SHIM: a script run instead of `-m unkonf.cli` (it patches
            # something, then calls unkonf.cli.main), to measure a variant before changing code.
            shim = os.environ.get("UNKONF_BENCH_SERVER_SHIM", "")
            args = [sys.executable, shim] if shim else [sys.executable, "-m", "unkonf.cli"]
            args += ["serve", "--host=127.0.0.1", f"--port={port}"]
            if self.options.ws:
                args.append(f"--ws={self.options.ws}")
            if self.options.deflate:
                args.append("--ws-per-message-deflate=1")
            log = self.tmp / f"unkonf-{index}.log"
            servers.append(self.children.popen(args, env=self.env(redis=redis), log=log))
            ports.append(port)
        return ports, servers

    def start_bare(self) -> tuple[list[int], list[subprocess.Popen[bytes]]]:
        port = free_port()
        args = [
            sys.executable,
            "-m",
            "unkonf.realtime.bench.bare",
            f"--port={port}",
            f"--lifetime={self.options.timeout}",
        ]
        if self.options.deflate:
            args.append("--deflate")
        server = self.children.popen(args, env=self.env(redis=False), log=self.tmp / "bare.log")
        return [port], [server]

    async def wait_ready(
        self, ports: list[int], servers: list[subprocess.Popen[bytes]], *, http: bool
    ) -> None:
        deadline = time.monotonic() + 60
        for port, server in zip(ports, servers, strict=True):
            while True:
                if server.poll() is not None:
                    raise BenchError(f"a server exited at start:\n{self._server_logs()}")
                if await _answers(port, http=http):
                    break
                if time.monotonic() > deadline:
                    raise BenchError("the servers did not answer within 60 s")
                await asyncio.sleep(0.1)

    def _server_logs(self) -> str:
        return "\n".join(_tail(path) for path in sorted(self.tmp.glob("*.log")))

    def start_profilers(self, kind: str, pids: list[int]) -> list[subprocess.Popen[bytes]]:
        """py-spy (if ``--profile`` and on PATH) on each server for the measured window."""
        spy = shutil.which("py-spy")
        if not self.options.profile or not spy:
            return []
        folder = Path(self.options.profile)
        folder.mkdir(parents=True, exist_ok=True)
        profilers = []
        for index, pid in enumerate(pids):
            out = folder / f"{kind.replace(' ', '-')}-{index}.txt"
            args = [spy, "record", "-p", str(pid), "-r", "100", "--format", "raw", "-o", str(out)]
            args += ["-d", str(math.ceil(self.options.duration)), "--nonblocking"]
            profilers.append(
                self.children.popen(args, env=dict(os.environ), log=folder / "py-spy.log")
            )
        return profilers

    def stop_profilers(self, profilers: list[subprocess.Popen[bytes]]) -> None:
        for profiler in profilers:
            try:
                profiler.wait(timeout=self.options.duration + 15)
            except subprocess.TimeoutExpired:
                self.children.end(profiler)

    def stop_servers(self, servers: list[subprocess.Popen[bytes]]) -> None:
        for server in servers:
            self.children.end(server)

    # --- load generators ----------------------------------------------------------------------

    def start_generators(
        self, ports: list[int], *, sessions: list[str] | None, stream: str | None
    ) -> list[tuple[BaseProcess, Connection]]:
        context = multiprocessing.get_context("spawn")
        count = self.options.clients
        parts = min(self.options.generators, count)
        generators: list[tuple[BaseProcess, Connection]] = []
        for part in range(parts):
            begin, end = count * part // parts, count * (part + 1) // parts
            spec = {
                "targets": [
                    (ports[index % len(ports)], sessions[index] if sessions else None)
                    for index in range(begin, end)
                ],
                "path": self.data["path"] if sessions else "/",
                "stream": stream,
                "concurrency": self.options.concurrency,
                "connect_timeout": 60.0,
                "deflate": self.options.deflate,
                "lifetime": self.options.timeout,
            }
            parent, child = context.Pipe()
            process = context.Process(target=worker_main, args=(child, spec), daemon=True)
            process.start()
            child.close()
            self.children.workers.append(process)
            generators.append((process, parent))
        return generators

    # --- scenarios ----------------------------------------------------------------------------

    async def broadcast(self, kind: str) -> dict[str, Any]:
        """N clients in one room; one message per interval; latency of every delivery."""
        unkonf = kind == "unkonf"
        stream = self.data["streams"][0]
        ports, servers = self.start_unkonf() if unkonf else self.start_bare()
        try:
            await self.wait_ready(ports, servers, http=unkonf)
            return await self._broadcast(kind, ports, servers, stream)
        finally:
            self.stop_servers(servers)

    async def _broadcast(
        self, kind: str, ports: list[int], servers: list[subprocess.Popen[bytes]], stream: str
    ) -> dict[str, Any]:
        options = self.options
        unkonf = kind == "unkonf"
        sessions = self.data["client_sessions"] if unkonf else None
        generators = self.start_generators(
            ports, sessions=sessions, stream=stream if unkonf else None
        )
        pipes = [Pipe(conn) for _process, conn in generators]
        try:
            connected = await self._connected(pipes)
            publisher = await Publisher.open(
                ports,
                self.data if unkonf else None,
                stream,
                count=options.publishers if unkonf else 1,
            )
            try:
                pids = [server.pid for server in servers]
                load_pids = [process.pid or 0 for process, _conn in generators]
                # Warm-up: not counted (first requests load code and fill caches).
                await publisher.send(options.warmup_messages, options.interval, prefix="warm")
                await asyncio.sleep(0.5)
                profilers = self.start_profilers(kind, pids)
                cpu_before = _cpu_sample(pids, load_pids)
                started = time.time()
                first, sent = await publisher.send(
                    options.messages,
                    options.interval,
                    prefix="bench",
                    start=options.warmup_messages + 1,
                )
                accepted, refused = await publisher.outcome(sent, timeout=15)
                expected = connected["clients"] * len(accepted)
                await self._drain(pipes, expected)
                elapsed = time.time() - started
                cpu_after = _cpu_sample(pids, load_pids)
                # Errors while measuring (not from closing all connections afterwards).
                log_errors = _errors_in_logs(self.tmp, "unkonf" if unkonf else "bare")
                self.stop_profilers(profilers)
            finally:
                publisher.close()
            reports = await _ask_all(pipes, ("report", None), timeout=60)
        finally:
            await _stop_generators(generators, pipes)
        result = _summarise(
            kind,
            options,
            connected=connected,
            reports=reports,
            messages=len(accepted),
            refused=refused,
            expected=expected,
            first_send=first,
            elapsed=elapsed,
            server_cpu=_cpu_share(cpu_before[0], cpu_after[0], elapsed),
            load_cpu=_cpu_share(cpu_before[1], cpu_after[1], elapsed),
        )
        ours = sum(cpu_after[0]) + sum(cpu_after[1]) + cpu_after[2]
        ours -= sum(cpu_before[0]) + sum(cpu_before[1]) + cpu_before[2]
        busy = cpu_after[3] - cpu_before[3]
        server_seconds = sum(cpu_after[0]) - sum(cpu_before[0])
        if result["delivered"]:
            result["server_cpu_us_per_delivery"] = round(
                1e6 * server_seconds / result["delivered"], 1
            )
        result["machine_cpu_pct"] = round(100 * busy / elapsed)
        result["other_cpu_pct"] = max(0, round(100 * (busy - ours) / elapsed))
        result["server_log_errors"] = log_errors
        return result

    async def reconnect(self) -> dict[str, Any]:
        """N clients subscribed; all dropped at once while messages flow; all must come back."""
        options = self.options
        stream = self.data["streams"][1]
        ports, servers = self.start_unkonf()
        try:
            await self.wait_ready(ports, servers, http=True)
            generators = self.start_generators(
                ports, sessions=self.data["client_sessions"], stream=stream
            )
            pipes = [Pipe(conn) for _process, conn in generators]
            try:
                connected = await self._connected(pipes)
                publisher = await Publisher.open(ports, self.data, stream, count=options.publishers)
                try:
                    await publisher.send(options.warmup_messages, options.interval, prefix="warm")
                    start = options.warmup_messages + 1
                    flow = asyncio.ensure_future(
                        publisher.send(
                            options.messages, options.interval, prefix="bench", start=start
                        )
                    )
                    await asyncio.sleep(min(options.storm_at, options.duration / 2))
                    self.log(f"dropping all {connected['clients']} connections at once …")
                    storm_started = time.monotonic()
                    backs = await _ask_all(
                        pipes, ("storm", options.storm_timeout), timeout=options.storm_timeout + 30
                    )
                    storm_elapsed = time.monotonic() - storm_started
                    _first, sent = await flow
                    # An overloaded server acknowledges late: wait longer than for latency runs.
                    accepted, refused = await publisher.outcome(sent, timeout=60)
                    expected = connected["clients"] * len(accepted)
                    await self._drain(pipes, expected)
                    errors = _errors_in_logs(self.tmp, "unkonf")
                finally:
                    publisher.close()
                # The stream is fresh: its seqs are 1 … its last; at least one client (and
                # normally all) saw the last, even if its acknowledgement came too late.
                seen = await _ask_all(pipes, ("maxseq",), timeout=30)
                last_seq = max([options.warmup_messages + len(accepted), *seen])
                reports = await _ask_all(pipes, ("report", last_seq), timeout=60)
            finally:
                await _stop_generators(generators, pipes)
        finally:
            self.stop_servers(servers)
        times = sorted(t for back in backs for t in back["times"])
        result = _summarise(
            "unkonf reconnect",
            options,
            connected=connected,
            reports=reports,
            messages=len(accepted),
            refused=refused,
            expected=expected,
            first_send=0.0,
            elapsed=0.0,
            server_cpu=None,
            load_cpu=None,
        )
        result.update(
            {
                "storm_clients": connected["clients"],
                "back": len(times),
                "back_failed": sum(back["failed"] for back in backs),
                "all_back_s": max(times, default=math.nan) if times else None,
                "back_p50_s": _percentile(times, 50),
                "back_p99_s": _percentile(times, 99),
                "attempts": sum(back["attempts"] for back in backs),
                "storm_elapsed_s": storm_elapsed,
                "missed": sum(report["missing"] for report in reports),
                "clients_missing": sum(report["clients_missing"] for report in reports),
                "last_seq": last_seq,
                "server_log_errors": errors,
            }
        )
        return result

    async def _connected(self, pipes: list[Pipe]) -> dict[str, Any]:
        timeout = 120 + self.options.clients / 20
        replies = await _gather_replies(pipes, "connected", timeout=timeout)
        durations = sorted(d for reply in replies for d in reply["durations"])
        failures: Counter[str] = Counter()
        for reply in replies:
            failures.update(reply["failures"])
        result = {
            "clients": len(durations),
            "connect_s": max(reply["elapsed"] for reply in replies),
            "connect_p50_ms": _ms(_percentile(durations, 50)),
            "connect_p99_ms": _ms(_percentile(durations, 99)),
            "connect_failures": dict(failures),
        }
        self.log(
            f"  {result['clients']} clients connected in {result['connect_s']:.1f} s"
            + (f", failures: {dict(failures)}" if failures else "")
        )
        if not durations:
            raise BenchError(f"no client could connect: {dict(failures)}\n{self._server_logs()}")
        return result

    async def _drain(self, pipes: list[Pipe], expected: int) -> None:
        deadline = time.monotonic() + self.options.drain
        while time.monotonic() < deadline:
            counts = await _ask_all(pipes, ("count",), timeout=30)
            if sum(counts) >= expected:
                return
            await asyncio.sleep(0.25)

    async def wait_quiet(self) -> int:
        """Wait (bounded) until other processes leave the CPUs alone; return their load then."""
        deadline = time.monotonic() + self.options.wait_quiet
        load = await other_load()
        while load > QUIET and time.monotonic() < deadline:
            self.log(f"  other processes use {load} % CPU; waiting for a quieter moment …")
            load = await other_load(2.0)
        return load

    async def scenarios(self) -> list[dict[str, Any]]:
        results = []
        kinds = ["unkonf reconnect"] if self.options.reconnect else ["unkonf"]
        if self.options.baseline and not self.options.reconnect:
            kinds.append("bare")
        for kind in kinds:
            self.log(f"{kind} …")
            load = await self.wait_quiet()
            if kind == "unkonf reconnect":
                result = await self.reconnect()
            else:
                result = await self.broadcast(kind)
            result["other_cpu_before_pct"] = load
            results.append(result)
        return results

    def cleanup(self) -> None:
        self.children.end_all()
        with contextlib.suppress(Exception):
            self.drop_database()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run(options: Options, log: Callable[[str], None]) -> dict[str, Any]:
    """The whole benchmark; every child process is ended before this returns or raises."""
    if options.processes > 1 and not options.redis_url:
        raise BenchError("--processes 2 needs --redis-url (the processes talk through Redis).")
    if options.redis_url:
        _check_loopback(options.redis_url, "Redis")
    raise_nofile_limit()
    bench = Run(options, log)
    try:
        bench.prepare_database()
        bench.setup()
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            scenarios = runner.run(asyncio.wait_for(bench.scenarios(), timeout=options.timeout))
    finally:
        bench.cleanup()
    return {
        "options": dataclasses.asdict(options),
        "database": "postgresql" if options.database_url else "sqlite",
        "machine": machine(),
        "scenarios": scenarios,
        "goals": check_goals(options, scenarios),
    }


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return None
    return uvloop.new_event_loop


# --- publishing ----------------------------------------------------------------------------------


class Publisher:
    """Sends the measured messages: ``chat.post`` frames round-robin over several people
    (unkonf), or an imitation of unkonf's chat frame (baseline)."""

    def __init__(self, clients: list[Client], sink: Sink, stream: str, *, unkonf: bool) -> None:
        self.clients = clients
        self.sink = sink
        self.stream = stream
        self.unkonf = unkonf

    @classmethod
    async def open(
        cls, ports: list[int], data: dict[str, Any] | None, stream: str, *, count: int
    ) -> Publisher:
        sink = Sink()
        sessions = data["publisher_sessions"][:count] if data else [None] * count
        path = data["path"] if data else "/"
        clients = [
            Client(sink, port=ports[index % len(ports)], path=path, session=session)
            for index, session in enumerate(sessions)
        ]
        for client in clients:
            await open_client(client, None, timeout=30)
        return cls(clients, sink, stream, unkonf=data is not None)

    async def send(
        self, count: int, interval: float, *, prefix: str, start: int = 1
    ) -> tuple[float, list[int]]:
        """Send ``count`` messages, one per interval on a fixed schedule."""
        loop = asyncio.get_running_loop()
        begin = loop.time()
        first = 0.0
        sent = []
        for i in range(count):
            delay = begin + i * interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            number = start + i
            now = time.time()
            first = first or now
            text = f"{prefix}:{number}:{now!r}"
            client = self.clients[number % len(self.clients)]
            if self.unkonf:
                client.send_json(
                    {"type": "chat.post", "stream": self.stream, "text": text, "ref": str(number)}
                )
            else:
                client.send_text(_bare_frame(self.stream, number, text))
            sent.append(number)
        return first, sent

    async def outcome(self, sent: list[int], *, timeout: float) -> tuple[list[int], dict[str, str]]:
        """Which messages the server accepted (acknowledged), and why any were refused."""
        if not self.unkonf:
            return sent, {}
        deadline = time.monotonic() + timeout
        refs = {str(number) for number in sent}
        while time.monotonic() < deadline:
            if refs <= (self.sink.acked | set(self.sink.refused)):
                break
            await asyncio.sleep(0.05)
        accepted = [number for number in sent if str(number) in self.sink.acked]
        refused = {ref: msg for ref, msg in self.sink.refused.items() if ref in refs}
        return accepted, refused

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _bare_frame(stream: str, number: int, text: str) -> str:
    """The same frame as unkonf sends for a chat message, so both carry the same bytes."""
    data = {
        "id": number,
        "author": "Bench Publisher 1",
        "html": f"<p>{text}</p>",
        "created": datetime.datetime.now(tz=datetime.UTC).isoformat(),
    }
    frame = {"type": "chat.message_posted", "stream": stream, "seq": number, "data": data}
    return json.dumps(frame, ensure_ascii=False)


# --- talking to the load generators -----------------------------------------------------------


class Pipe:
    """Replies of one load-generator process, read without blocking the loop."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.loop.add_reader(conn.fileno(), self._ready)
        # The loop made the pipe non-blocking; a large report must be written and read whole.
        os.set_blocking(conn.fileno(), True)

    def _ready(self) -> None:
        try:
            while self.conn.poll():
                self.queue.put_nowait(self.conn.recv())
        except (EOFError, OSError):
            self.loop.remove_reader(self.conn.fileno())
            self.queue.put_nowait(("gone", None))

    async def reply(self, name: str, timeout: float) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                kind, value = await self.queue.get()
                if kind == "gone":
                    raise BenchError("a load-generator process ended early")
                if kind == name:
                    return value

    def send(self, command: tuple[Any, ...]) -> None:
        self.conn.send(command)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.conn.fileno())
        self.conn.close()


_REPLY = {"count": "count", "maxseq": "maxseq", "storm": "back", "report": "report"}


async def _ask_all(pipes: list[Pipe], command: tuple[Any, ...], *, timeout: float) -> list[Any]:
    for pipe in pipes:
        pipe.send(command)
    return await _gather_replies(pipes, _REPLY[command[0]], timeout=timeout)


async def _gather_replies(pipes: list[Pipe], name: str, *, timeout: float) -> list[Any]:
    try:
        return list(await asyncio.gather(*(pipe.reply(name, timeout) for pipe in pipes)))
    except TimeoutError as exc:
        raise BenchError(
            f"the load generators did not answer '{name}' within {timeout:.0f} s"
        ) from exc


async def _stop_generators(
    generators: list[tuple[BaseProcess, Connection]], pipes: list[Pipe]
) -> None:
    for pipe in pipes:
        with contextlib.suppress(Exception):
            pipe.send(("stop",))
    deadline = time.monotonic() + 10
    for process, _conn in generators:
        while process.is_alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
    for pipe in pipes:
        pipe.close()


# --- figures --------------------------------------------------------------------------------------


def _percentile(values: Any, pct: float) -> float | None:
    """Nearest-rank percentile of sorted values."""
    if not len(values):
        return None
    rank = max(1, math.ceil(pct / 100 * len(values)))
    return float(values[rank - 1])


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _cpu_sample(
    pids: list[int], load_pids: list[int]
) -> tuple[list[float], list[float], float, float]:
    """CPU seconds so far: servers, load generators, this process, the whole machine."""
    return (
        [cpu_seconds(pid) for pid in pids],
        [cpu_seconds(pid) for pid in load_pids],
        cpu_seconds(os.getpid()),
        machine_cpu_seconds(),
    )


def _cpu_share(before: list[float], after: list[float], elapsed: float) -> float | None:
    """CPU used over the measured window, in % of one core (200 % = both cores)."""
    if not before or elapsed <= 0:
        return None
    return round(100 * (sum(after) - sum(before)) / elapsed)


def _summarise(
    kind: str,
    options: Options,
    *,
    connected: dict[str, Any],
    reports: list[dict[str, Any]],
    messages: int,
    refused: dict[str, str],
    expected: int,
    first_send: float,
    elapsed: float,
    server_cpu: float | None,
    load_cpu: float | None,
) -> dict[str, Any]:
    latencies = array("d")
    for report in reports:
        latencies.frombytes(report["latencies"])
    ordered = sorted(latencies)
    delivered = sum(report["bench"] for report in reports)
    last_recv = max((report["last_recv"] for report in reports), default=0.0)
    close_codes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for report in reports:
        close_codes.update({str(code): n for code, n in report["close_codes"].items()})
        errors.update(report["errors"])
    window = last_recv - first_send if first_send and last_recv > first_send else 0.0
    first: dict[int, float] = {}
    for report in reports:
        for number, latency in report.get("first", {}).items():
            if number not in first or latency < first[number]:
                first[number] = latency
    firsts = sorted(first.values())
    slowest = sorted(first.items(), key=lambda item: -item[1])[:5]
    return {
        "kind": kind,
        "clients": connected["clients"],
        "processes": options.processes if kind.startswith("unkonf") else 1,
        "interval_s": options.interval,
        "messages": messages,
        "refused": len(refused),
        "refused_reasons": sorted(set(refused.values()))[:3],
        "expected": expected,
        "delivered": delivered,
        "all_delivered": delivered == expected
        and min((r["per_client_min"] for r in reports), default=0) == messages,
        "per_client_min": min((r["per_client_min"] for r in reports), default=0),
        "p50_ms": _ms(_percentile(ordered, 50)),
        "p90_ms": _ms(_percentile(ordered, 90)),
        "p99_ms": _ms(_percentile(ordered, 99)),
        "max_ms": _ms(ordered[-1] if ordered else None),
        # Per message, when its first client had it: the server's work before the fan-out.
        "first_p50_ms": _ms(_percentile(firsts, 50)),
        "first_p99_ms": _ms(_percentile(firsts, 99)),
        "first_max_ms": _ms(firsts[-1] if firsts else None),
        "slowest_messages": {number: _ms(latency) for number, latency in slowest},
        "deliveries_per_s": round(delivered / window) if window else None,
        "connect_s": round(connected["connect_s"], 2),
        "connect_p50_ms": connected["connect_p50_ms"],
        "connect_p99_ms": connected["connect_p99_ms"],
        "connect_failures": connected["connect_failures"],
        "server_cpu_pct": server_cpu,
        "loadgen_cpu_pct": load_cpu,
        "measured_s": round(elapsed, 1),
        "duplicates": sum(report["duplicates"] for report in reports),
        "out_of_order": sum(report["out_of_order"] for report in reports),
        "reloads": sum(report["reloads"] for report in reports),
        "resyncs": sum(report["resyncs"] for report in reports),
        "close_codes": dict(close_codes),
        "errors": dict(errors),
        "still_open": sum(report["open"] for report in reports),
    }


# The goals of issue 3, on 2 cores, load generator included.
GOALS: list[dict[str, Any]] = [
    {"name": "2,000 clients at 10/s: p99 <= 100 ms, all delivered", "clients": 2000,
     "interval": 0.1, "processes": 1, "p99_ms": 100, "all": True},
    {"name": "5,000 clients at 1/s: p99 <= 250 ms", "clients": 5000, "interval": 1.0,
     "processes": 1, "p99_ms": 250, "all": False},
    {"name": "2 processes + Redis, 5,000 clients at 10/s: all delivered, p99 <= 300 ms",
     "clients": 5000, "interval": 0.1, "processes": 2, "p99_ms": 300, "all": True},
]  # fmt: skip


def check_goals(options: Options, scenarios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The goals this run can speak to, each met or not, with the figure."""
    checks = []
    by_kind = {scenario["kind"]: scenario for scenario in scenarios}
    unkonf, bare = by_kind.get("unkonf"), by_kind.get("bare")
    if unkonf:
        for goal in GOALS:
            if (
                options.clients >= goal["clients"]
                and options.interval <= goal["interval"]
                and options.processes == goal["processes"]
            ):
                p99 = unkonf["p99_ms"]
                met = p99 is not None and p99 <= goal["p99_ms"]
                if goal["all"]:
                    met = met and unkonf["all_delivered"]
                checks.append(
                    {
                        "goal": goal["name"],
                        "met": met,
                        "figure": f"p99 {p99} ms, delivered"
                        f" {unkonf['delivered']}/{unkonf['expected']}",
                    }
                )
    if unkonf and bare and unkonf["p99_ms"] and bare["p99_ms"]:
        ratio = unkonf["p99_ms"] / bare["p99_ms"]
        checks.append(
            {
                "goal": "p99 <= 2x the bare baseline at the same N",
                "met": ratio <= 2.0,
                "figure": f"{ratio:.2f}x ({unkonf['p99_ms']} ms vs {bare['p99_ms']} ms)",
            }
        )
    storm = by_kind.get("unkonf reconnect")
    if storm and options.clients >= 2000:
        all_back = storm["all_back_s"]
        met = (
            storm["back"] == storm["storm_clients"]
            and all_back is not None
            and all_back <= 5.0
            and storm["missed"] == 0
        )
        checks.append(
            {
                "goal": "2,000 clients reconnecting at once: all back within 5 s, nothing missed",
                "met": met,
                "figure": f"{storm['back']}/{storm['storm_clients']} back, last after"
                f" {all_back if all_back is None else round(all_back, 2)} s,"
                f" missed {storm['missed']}",
            }
        )
    return checks


# --- small helpers ------------------------------------------------------------------------


async def _answers(port: int, *, http: bool) -> bool:
    """Whether the server accepts connections (and, for unkonf, answers /healthz)."""
    try:
        async with asyncio.timeout(2):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                if not http:
                    return True
                writer.write(
                    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                status = await reader.readline()
                return status.startswith(b"HTTP/1.1 200")
            finally:
                writer.close()
    except (OSError, TimeoutError):
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return f"--- {path.name}\n" + "\n".join(text[-lines:])


def _errors_in_logs(tmp: Path, prefix: str) -> list[str]:
    """The first error lines the servers logged (a benchmark with tracebacks is not clean)."""
    found: list[str] = []
    for path in sorted(tmp.glob(f"{prefix}*.log")):
        with contextlib.suppress(OSError):
            for line in path.read_text(errors="replace").splitlines():
                if ("Error" in line or "Traceback" in line or "WARNING" in line) and len(
                    found
                ) < 10:
                    found.append(f"{path.name}: {line[:200]}")
    return found
