"""Run the pitch benchmark: N phones tap "I'm in" within a few seconds; K big screens watch.

Everything runs on 127.0.0.1 and goes through real servers (``unkonf serve``, started and
ended by :class:`unkonf.realtime.bench.runner.Run`): the moderator drives the pitch with
HTTP POSTs to ``/<slug>/manage/pitch/control/`` (session cookie, CSRF token from the page it
loaded), phones tap with the ``interest.set`` websocket frame (default) or HTTP POSTs to
``/<slug>/proposals/<pk>/interest/`` as htmx does, and every screen fetches the pitch
fragment after each ``pitch.changed`` message, as ``pitch.js`` does (phones render from the
message itself). Phones and screens
are the realtime benchmark's websocket clients (``loadgen.Client``), all in this process's
event loop (uvloop), which shares the cores with the servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from unkonf.realtime.bench.loadgen import Client, ClientError, Sink, open_client, raise_nofile_limit
from unkonf.realtime.bench.runner import (
    LOOPBACK,
    BenchError,
    Options,
    Run,
    cpu_seconds,
    machine,
    machine_cpu_seconds,
)

INTEREST_PREFIX = b'{"type": "proposal.interest_changed"'
PITCH_PREFIX = b'{"type": "pitch.changed"'
STALL = 1.0  # a ping answered later than this (or never) counts as a stall of that phone


@dataclasses.dataclass
class PitchOptions:
    phones: int = 200
    screens: int = 3
    window: float = 10.0  # every phone taps once within this many seconds
    taps: str = "ws"  # "ws": the interest.set frame; "http": POST as htmx does
    double: float = 0.05  # share of phones that tap twice
    rounds: int = 1  # pitches in a row, each with its own proposal and its own taps
    seed: int = 1
    ping_interval: float = 1.0  # phones ping this often while the taps come in
    fetch: bool = (
        True  # screens fetch the pitch fragment after each pitch.changed, as pitch.js does
    )
    settle: float = 15.0  # at most this long after the last answer for screens' final count
    processes: int = 1
    redis_url: str = ""
    database_url: str = ""
    concurrency: int = 200  # handshakes (and page loads) in flight while connecting
    timeout: float = 600.0
    wait_quiet: float = 30.0
    profile: str = ""


# --- HTTP -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Response:
    status: int
    cookies: dict[str, str]
    body: bytes


async def http(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str],
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Response:
    """One HTTP/1.1 request on its own connection (``Connection: close``)."""
    body = urlencode(form).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
    head, _gap, content = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    parts = head_lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdecimal():
        raise ClientError(f"bad HTTP answer: {head_lines[0][:60]!r}")
    found: dict[str, str] = {}
    for line in head_lines[1:]:
        name, _colon, value = line.partition(":")
        if name.strip().lower() == "set-cookie":
            cookie = value.strip().split(";", 1)[0]
            key, _equals, val = cookie.partition("=")
            found[key.strip()] = val.strip()
    return Response(int(parts[1]), found, content)


def _post_headers(port: int, csrf: str) -> dict[str, str]:
    return {"X-CSRFToken": csrf, "HX-Request": "true", "Origin": f"http://127.0.0.1:{port}"}


class Moderator:
    """A logged-in moderator who loads the moderation page, then posts to the controls."""

    def __init__(self, port: int, slug: str, session: str) -> None:
        self.port, self.slug = port, slug
        self.cookies = {"sessionid": session}

    async def load(self, logs: Callable[[], str]) -> None:
        page = await http(self.port, "GET", f"/{self.slug}/manage/pitch/", cookies=self.cookies)
        if page.status != 200 or "csrftoken" not in page.cookies:
            raise BenchError(f"the moderator's page answered {page.status}:\n{logs()}")
        self.cookies["csrftoken"] = page.cookies["csrftoken"]

    async def control(self, action: str, **fields: str) -> float:
        """Post one pitch action; return the seconds it took. Raises if it was refused."""
        start = time.monotonic()
        answer = await http(
            self.port,
            "POST",
            f"/{self.slug}/manage/pitch/control/",
            cookies=self.cookies,
            headers=_post_headers(self.port, self.cookies["csrftoken"]),
            form={"action": action, **fields},
        )
        if answer.status != 200 or b'data-feedback-ok="1"' not in answer.body:
            raise BenchError(
                f"the pitch action {action!r} was refused ({answer.status}): {answer.body[:300]!r}"
            )
        return time.monotonic() - start


# --- phones and screens ---------------------------------------------------------------------


class Round:
    """What everyone saw and did during one pitch."""

    def __init__(self, proposal: int) -> None:
        self.proposal = proposal
        self.key = str(proposal)
        self.start = 0.0
        self.sent: dict[str, float] = {}  # tap ref -> when it was sent
        self.tappers: set[int] = set()
        self.rtts: list[float] = []  # accepted taps, send -> ack (or HTTP answer)
        self.acked_at: list[float] = []
        self.first_ack: dict[int, float] = {}  # phone -> its first accepted answer
        self.refused: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.pings: list[float] = []
        self.pings_sent = 0
        self.stalled: set[int] = set()
        self.fetches: list[float] = []
        self.fetch_errors: Counter[str] = Counter()
        self.phone_frames = 0  # interest messages delivered to phones
        self.pitch_frames = 0

    @property
    def answered(self) -> int:
        return len(self.rtts) + sum(self.refused.values()) + sum(self.errors.values())


class Peer(Client):
    """A phone (logged in, taps) or a big screen (anonymous, watches the counts)."""

    def __init__(self, index: int, *, port: int, path: str, session: str | None, owner: Bench):
        super().__init__(Sink(), port=port, path=path, session=session)
        self.index = index
        self.owner = owner
        self.csrf = ""
        self.ping_sent = 0.0  # when the unanswered ping went out (0: none out)
        self.history: list[tuple[float, int, int]] = []  # screens: (when, count, version)
        self.version = -1

    @property
    def screen(self) -> bool:
        return self.session is None

    def text(self, data: bytes) -> None:
        now = time.monotonic()
        current = self.owner.current
        if data.startswith(INTEREST_PREFIX):
            if current is None:
                return
            if not self.screen:
                current.phone_frames += 1
                return
            counts = json.loads(data)["data"]["counts"]
            value = counts.get(current.key)
            if value is not None and value[1] > self.version:  # the newest version wins
                self.version = value[1]
                self.history.append((now, value[0], value[1]))
            else:
                self.history.append((now, -1, -1))  # a message without news for this screen
            return
        if data.startswith(PITCH_PREFIX):
            if current is not None:
                current.pitch_frames += 1
            # pitch.js: screens fetch their fragment; phones render from the message itself.
            if self.owner.pitch.fetch and self.screen:
                self.owner.spawn(self.fetch())
            return
        frame = json.loads(data)
        kind = frame.get("type")
        if kind == "pong":
            if self.ping_sent and current is not None:
                rtt = now - self.ping_sent
                current.pings.append(rtt)
                if rtt > STALL:
                    current.stalled.add(self.index)
            self.ping_sent = 0.0
        elif kind in ("ack", "error") and isinstance(frame.get("ref"), str) and current:
            self.answer(current, frame, now)
        else:
            super().text(data)

    def answer(self, current: Round, frame: dict[str, Any], now: float) -> None:
        sent = current.sent.pop(frame["ref"], None)
        if sent is None:
            return
        if frame["type"] == "ack":
            current.rtts.append(now - sent)
            current.acked_at.append(now)
            current.first_ack.setdefault(self.index, now)
        else:
            current.refused[str(frame.get("message"))[:80]] += 1

    def tap(self, current: Round, number: int) -> None:
        ref = f"{self.index}:{number}"
        if self.owner.pitch.taps == "http":
            current.tappers.add(self.index)
            current.sent[ref] = time.monotonic()
            self.owner.spawn(self.tap_http(current, ref))
            return
        if not self.is_open:
            current.errors["socket closed"] += 1
            return
        current.tappers.add(self.index)  # a phone whose tap went out must be counted
        current.sent[ref] = time.monotonic()
        self.send_json(
            {"type": "interest.set", "proposal": current.proposal, "want": True, "ref": ref}
        )

    async def tap_http(self, current: Round, ref: str) -> None:
        slug = self.owner.data["slug"]
        try:
            answer = await http(
                self.port,
                "POST",
                f"/{slug}/proposals/{current.proposal}/interest/",
                cookies={"sessionid": self.session or "", "csrftoken": self.csrf},
                headers=_post_headers(self.port, self.csrf),
                form={"want": "1", "next": f"/{slug}/pitch/"},
            )
        except (OSError, ClientError, TimeoutError) as exc:
            current.sent.pop(ref, None)
            current.errors[type(exc).__name__] += 1
            return
        now = time.monotonic()
        sent = current.sent.pop(ref, now)
        if answer.status == 200 and b'aria-pressed="true"' in answer.body:
            current.rtts.append(now - sent)
            current.acked_at.append(now)
            current.first_ack.setdefault(self.index, now)
        elif answer.status == 200:
            current.refused["refused (see the page)"] += 1
        else:
            current.errors[f"HTTP {answer.status}"] += 1

    def ping(self) -> None:
        current = self.owner.current
        if current is None or not self.is_open:
            return
        if self.ping_sent:  # the last one is still out: that is a stall
            current.stalled.add(self.index)
            return
        self.ping_sent = time.monotonic()
        current.pings_sent += 1
        self.send_json({"type": "ping"})

    async def load_page(self) -> None:
        """What a phone does first: load the pitch page (which sets the CSRF cookie)."""
        page = await http(
            self.port,
            "GET",
            f"/{self.owner.data['slug']}/pitch/",
            cookies={"sessionid": self.session or ""},
        )
        if page.status != 200:
            raise ClientError(f"the pitch page answered {page.status}")
        self.csrf = page.cookies.get("csrftoken", "")
        if not self.csrf:
            raise ClientError("the pitch page set no CSRF cookie")

    async def fetch(self) -> None:
        """``pitch.js``: after pitch.changed, fetch the fragment that shows the new state."""
        current = self.owner.current
        view = "screen" if self.screen else "phone"
        cookies = {"sessionid": self.session} if self.session else {}
        start = time.monotonic()
        try:
            answer = await http(
                self.port,
                "GET",
                f"/{self.owner.data['slug']}/pitch/state/?view={view}",
                cookies=cookies,
            )
        except (OSError, ClientError, TimeoutError) as exc:
            if current is not None:
                current.fetch_errors[type(exc).__name__] += 1
            return
        if current is None:
            return
        if answer.status == 200:
            current.fetches.append(time.monotonic() - start)
        else:
            current.fetch_errors[f"HTTP {answer.status}"] += 1


# --- the run ----------------------------------------------------------------------------------


class Bench(Run):
    def __init__(self, options: PitchOptions, log: Callable[[str], None]) -> None:
        super().__init__(
            Options(
                clients=options.phones,
                processes=options.processes,
                redis_url=options.redis_url,
                database_url=options.database_url,
                timeout=options.timeout,
                wait_quiet=options.wait_quiet,
                profile=options.profile,
                duration=options.window + 5,
                baseline=False,
            ),
            log,
        )
        self.pitch = options
        self.current: Round | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.phones: list[Peer] = []
        self.screens: list[Peer] = []

    def spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- database -----------------------------------------------------------------------

    def _setup_process(self, args: list[str], what: str) -> dict[str, Any]:
        out = self.tmp / f"{what}.json"
        log = self.tmp / f"{what}.log"
        process = self.children.popen(
            [sys.executable, "-m", "unkonf.proposals.bench.setup", *args, f"--out={out}"],
            env=self.env(redis=False),
            log=log,
        )
        try:
            code = process.wait(timeout=600)
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"{what} took more than 10 minutes") from exc
        if code != 0:
            raise BenchError(f"{what} failed:\n{log.read_text(errors='replace')[-3000:]}")
        result: dict[str, Any] = json.loads(out.read_text())
        return result

    def setup(self) -> None:
        started = time.monotonic()
        options = self.pitch
        self.data = self._setup_process(
            [f"--clients={options.phones}", f"--proposals={options.rounds + 2}"], "setup"
        )
        self.log(
            f"database ready: {options.phones} participants, a moderator,"
            f" {options.rounds + 2} proposals, sessions ({time.monotonic() - started:.1f} s)"
        )

    def counts(self, ids: list[int]) -> dict[str, dict[str, int]]:
        return self._setup_process([f"--count={','.join(map(str, ids))}"], "counts")

    # --- the scenario -------------------------------------------------------------------

    async def measure(self) -> dict[str, Any]:
        ports, servers = self.start_unkonf()
        try:
            await self.wait_ready(ports, servers, http=True)
            return await self._measure(ports, servers)
        finally:
            for task in list(self.tasks):
                task.cancel()
            for peer in self.phones + self.screens:
                peer.close()
            await asyncio.sleep(0.2)
            self.stop_servers(servers)

    async def _measure(
        self, ports: list[int], servers: list[subprocess.Popen[bytes]]
    ) -> dict[str, Any]:
        options, data = self.pitch, self.data
        moderator = Moderator(ports[0], data["slug"], data["moderator_session"])
        await moderator.load(self._server_logs)
        await moderator.control("open", order="submission")
        self.log("pitch open; connecting phones and screens …")
        self.screens = [
            Peer(i, port=ports[i % len(ports)], path=data["path"], session=None, owner=self)
            for i in range(options.screens)
        ]
        self.phones = [
            Peer(i, port=ports[i % len(ports)], path=data["path"], session=session, owner=self)
            for i, session in enumerate(data["phone_sessions"])
        ]
        connect = await self._connect(self.screens + self.phones)
        if options.taps == "http":
            pages = await self._load_pages(self.phones)
            connect["page_loads"] = pages
        self.log(
            f"  {connect['connected']} of {len(self.phones) + len(self.screens)} connected in"
            f" {connect['connect_s']:.1f} s"
            + (f", failures: {connect['failures']}" if connect["failures"] else "")
        )
        pids = [server.pid for server in servers]
        rounds = []
        for number in range(options.rounds):
            load = await self.wait_quiet()
            result = await self._round(number, moderator, pids)
            result["other_cpu_before_pct"] = load
            rounds.append(result)
        close_s = await moderator.control("close")
        counts = self.counts([r["proposal"] for r in rounds])
        for result in rounds:
            _judge(result, counts[str(result["proposal"])])
        return {"connect": connect, "rounds": rounds, "close_pitch_ms": _ms(close_s)}

    async def _connect(self, peers: list[Peer]) -> dict[str, Any]:
        semaphore = asyncio.Semaphore(self.pitch.concurrency)
        failures: Counter[str] = Counter()
        durations: list[float] = []
        stream = self.data["stream"]

        async def one(peer: Peer) -> None:
            async with semaphore:
                try:
                    durations.append(await open_client(peer, stream, timeout=120))
                except (OSError, ClientError, TimeoutError) as exc:
                    failures[type(exc).__name__ + (f": {exc}" if str(exc) else "")] += 1
                    peer.abort()

        start = time.monotonic()
        await asyncio.gather(*(one(peer) for peer in peers))
        if not durations:
            raise BenchError(f"no client could connect: {dict(failures)}\n{self._server_logs()}")
        durations.sort()
        return {
            "connected": len(durations),
            "connect_s": round(time.monotonic() - start, 2),
            "connect_p50_ms": _ms(_percentile(durations, 50)),
            "connect_p99_ms": _ms(_percentile(durations, 99)),
            "failures": dict(failures),
        }

    async def _load_pages(self, phones: list[Peer]) -> dict[str, Any]:
        semaphore = asyncio.Semaphore(50)
        failures: Counter[str] = Counter()
        start = time.monotonic()

        async def one(phone: Peer) -> None:
            async with semaphore:
                try:
                    await phone.load_page()
                except (OSError, ClientError, TimeoutError) as exc:
                    failures[type(exc).__name__ + (f": {exc}" if str(exc) else "")] += 1

        await asyncio.gather(*(one(phone) for phone in phones))
        return {"seconds": round(time.monotonic() - start, 2), "failures": dict(failures)}

    async def _round(self, number: int, moderator: Moderator, pids: list[int]) -> dict[str, Any]:
        options = self.pitch
        proposal = self.data["proposals"][number]
        loop = asyncio.get_running_loop()
        current = self.current = Round(proposal)
        for screen in self.screens:
            screen.history, screen.version = [], -1
        for phone in self.phones:
            phone.ping_sent = 0.0
        profilers = self.start_profilers(f"round-{number + 1}", pids)
        cpu_before = _cpu(pids)
        next_s = await moderator.control("next", proposal=str(proposal))
        self.log(
            f"round {number + 1}: now pitching proposal {proposal}; taps for {options.window:g} s"
        )
        rng = random.Random(options.seed * 1000 + number)
        start = current.start = loop.time()
        scheduled = 0
        for phone in self.phones:
            at = start + rng.uniform(0, options.window)
            loop.call_at(at, phone.tap, current, 1)
            scheduled += 1
            if rng.random() < options.double:
                loop.call_at(at + rng.uniform(0.05, 0.4), phone.tap, current, 2)
                scheduled += 1
            first_ping = start + rng.uniform(0, options.ping_interval)
            pings = math.ceil(options.window / options.ping_interval) + 2
            for k in range(pings):
                loop.call_at(first_ping + k * options.ping_interval, phone.ping)
        # Wait for every tap's answer (bounded), then for every screen to show the final count.
        deadline = start + options.window + 60
        while current.answered < scheduled and loop.time() < deadline:
            await asyncio.sleep(0.05)
        answered_at = loop.time()
        target = len(current.first_ack)
        settle_until = answered_at + options.settle
        while loop.time() < settle_until and not all(
            _shows(screen, target) for screen in self.screens if screen.is_open
        ):
            await asyncio.sleep(0.02)
        await asyncio.sleep(max(0.0, start + options.window + 2 - loop.time()))  # last pings
        elapsed = loop.time() - start
        cpu_after = _cpu(pids)
        self.stop_profilers(profilers)
        for phone in self.phones:
            if phone.ping_sent:
                current.stalled.add(phone.index)
        self.current = None
        result = self._round_figures(current, scheduled, next_s, elapsed)
        result.update(_cpu_figures(cpu_before, cpu_after, elapsed))
        result["server_log_errors"] = _errors_in_logs(self.tmp)
        return result

    def _round_figures(
        self, current: Round, scheduled: int, next_s: float, elapsed: float
    ) -> dict[str, Any]:
        start = current.start
        rtts = sorted(current.rtts)
        acked = sorted(current.acked_at)
        # The count is final once the last phone had its first tap accepted (a second tap of
        # the same phone changes nothing and may be answered later).
        last_ack = max(current.first_ack.values(), default=start)
        last_sent = max(current.sent.values(), default=0.0)  # unanswered ones
        span = (acked[-1] - start) if acked else 0.0
        pings = sorted(current.pings)
        fetches = sorted(current.fetches)
        closed = sum(1 for phone in self.phones if not phone.is_open)
        close_codes: Counter[str] = Counter()
        for peer in self.phones + self.screens:
            close_codes.update({str(code): n for code, n in peer.close_codes.items()})
        return {
            "proposal": current.proposal,
            "next_ms": _ms(next_s),
            "phones": len(self.phones),
            "tappers": len(current.tappers),
            "taps_sent": scheduled,
            "double_taps": scheduled - len(current.tappers),
            "accepted": len(rtts),
            "accepted_phones": len(current.first_ack),
            "refused": dict(current.refused),
            "errors": dict(current.errors),
            "unanswered": len(current.sent),
            "last_unanswered_sent_s": round(last_sent - start, 2) if last_sent else None,
            "accepted_per_s": round(len(rtts) / span, 1) if span > 0 else None,
            "taps_span_s": round(span, 2),
            "tap_p50_ms": _ms(_percentile(rtts, 50)),
            "tap_p99_ms": _ms(_percentile(rtts, 99)),
            "tap_max_ms": _ms(rtts[-1] if rtts else None),
            "screens": [self._screen_figures(screen, start, last_ack) for screen in self.screens],
            "phone_interest_messages": current.phone_frames,
            "pitch_messages": current.pitch_frames,
            "pings_sent": current.pings_sent,
            "pings_answered": len(pings),
            "ping_p50_ms": _ms(_percentile(pings, 50)),
            "ping_p99_ms": _ms(_percentile(pings, 99)),
            "ping_max_ms": _ms(pings[-1] if pings else None),
            "stalled_phones": len(current.stalled),
            "closed_phones": closed,
            "close_codes": dict(close_codes),
            "fetches": len(fetches),
            "fetch_p50_ms": _ms(_percentile(fetches, 50)),
            "fetch_p99_ms": _ms(_percentile(fetches, 99)),
            "fetch_max_ms": _ms(fetches[-1] if fetches else None),
            "fetch_errors": dict(current.fetch_errors),
            "measured_s": round(elapsed, 1),
        }

    def _screen_figures(self, screen: Peer, start: float, last_ack: float) -> dict[str, Any]:
        times = [when for when, _count, _version in screen.history]
        seconds = Counter(int(when - start) for when in times)
        shown = [(when - start, count) for when, count, _version in screen.history if count >= 0]
        return {
            "open": screen.is_open,
            "messages": len(times),
            "max_per_s": max(seconds.values(), default=0),
            "per_s": round(len(times) / (times[-1] - start), 1)
            if times and times[-1] > start
            else None,
            "last_ack_s": round(last_ack - start, 3),
            "shown": shown,  # (when, count): judged against the database's count afterwards
        }

    async def scenarios(self) -> list[dict[str, Any]]:
        return [await self.measure()]


# --- figures --------------------------------------------------------------------------------


def _shows(screen: Peer, count: int) -> bool:
    return any(shown == count for _when, shown, _version in screen.history)


def _judge(result: dict[str, Any], stored: dict[str, int]) -> None:
    """Exactly once: the database's count, its rows and its people equal the distinct tappers;
    and when each screen first showed that count, after the last accepted tap's answer."""
    tappers = result["tappers"]
    result["database"] = stored
    result["exact"] = stored["interest_count"] == stored["rows"] == stored["people"] == tappers
    final = stored["interest_count"]
    delays = []
    for screen in result["screens"]:
        last_ack = screen.pop("last_ack_s")
        shown = screen.pop("shown")
        reached = [when for when, count in shown if count == final]
        screen["final_count"] = shown[-1][1] if shown else None
        # Negative if a screen showed the final count before the last phone had its answer.
        screen["final_after_last_ack_ms"] = (
            round(1000 * (min(reached) - last_ack), 1) if reached else None
        )
        if reached:
            delays.append(screen["final_after_last_ack_ms"])
    result["screens_final"] = len(delays)
    delays.sort()
    result["screen_final_p50_ms"] = _percentile(delays, 50)
    result["screen_final_p99_ms"] = _percentile(delays, 99)
    result["screen_final_max_ms"] = delays[-1] if delays else None


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Over all rounds: the figures the issue asks for."""
    delays = sorted(
        s["final_after_last_ack_ms"]
        for r in rounds
        for s in r["screens"]
        if s["final_after_last_ack_ms"] is not None
    )
    screens = [s for r in rounds for s in r["screens"]]
    return {
        "exact": all(r["exact"] for r in rounds),
        "accepted_per_s": [r["accepted_per_s"] for r in rounds],
        "tap_p50_ms": [r["tap_p50_ms"] for r in rounds],
        "tap_p99_ms": [r["tap_p99_ms"] for r in rounds],
        "refused": sum(sum(r["refused"].values()) for r in rounds),
        "errors": sum(sum(r["errors"].values()) + r["unanswered"] for r in rounds),
        "screen_final_p50_ms": _percentile(delays, 50),
        "screen_final_p99_ms": _percentile(delays, 99),
        "screens_missing_final": sum(1 for s in screens if s["final_after_last_ack_ms"] is None),
        "screen_messages_max_per_s": max((s["max_per_s"] for s in screens), default=0),
        "ping_p99_ms": max((r["ping_p99_ms"] or 0 for r in rounds), default=None),
        "stalled_phones": max((r["stalled_phones"] for r in rounds), default=0),
        "closed_phones": max((r["closed_phones"] for r in rounds), default=0),
    }


def _percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return None
    return float(values[max(1, math.ceil(pct / 100 * len(values))) - 1])


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _cpu(pids: list[int]) -> tuple[float, float, float]:
    return (
        sum(cpu_seconds(pid) for pid in pids),
        cpu_seconds(os.getpid()),
        machine_cpu_seconds(),
    )


def _cpu_figures(
    before: tuple[float, float, float], after: tuple[float, float, float], elapsed: float
) -> dict[str, Any]:
    server, ours, busy = (a - b for a, b in zip(after, before, strict=True))
    return {
        "server_cpu_pct": round(100 * server / elapsed),
        "loadgen_cpu_pct": round(100 * ours / elapsed),
        "other_cpu_pct": max(0, round(100 * (busy - server - ours) / elapsed)),
    }


def _errors_in_logs(tmp: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(tmp.glob("unkonf*.log")):
        with contextlib.suppress(OSError):
            for line in path.read_text(errors="replace").splitlines():
                if ("Error" in line or "Traceback" in line or "WARNING" in line) and len(
                    found
                ) < 10:
                    found.append(f"{path.name}: {line[:200]}")
    return found


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return None
    return uvloop.new_event_loop


def run(options: PitchOptions, log: Callable[[str], None]) -> dict[str, Any]:
    """The whole benchmark; every child process is ended before this returns or raises."""
    if options.processes > 1 and not options.redis_url:
        raise BenchError("--processes 2 needs --redis-url (the processes talk through Redis).")
    if options.taps not in ("ws", "http"):
        raise BenchError("--taps is ws or http.")
    if options.redis_url and urlsplit(options.redis_url).hostname not in LOOPBACK:
        raise BenchError("Redis must be on this machine (127.0.0.1).")
    raise_nofile_limit()
    bench = Bench(options, log)
    try:
        bench.prepare_database()
        bench.setup()
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            measured = runner.run(asyncio.wait_for(bench.measure(), timeout=options.timeout))
    except TimeoutError as exc:
        raise BenchError(f"the run took longer than --timeout {options.timeout:g} s") from exc
    finally:
        bench.cleanup()
    return {
        "options": dataclasses.asdict(options),
        "database": "postgresql" if options.database_url else "sqlite",
        "machine": machine(),
        **measured,
        "summary": summarise(measured["rounds"]),
    }
