"""Websocket clients for the benchmark: many per process, one asyncio loop, cheap parsing.

A client is an ``asyncio.Protocol`` driving the ``websockets`` library's sans-I/O
``ClientProtocol`` directly: no task and no future per received message, and no JSON parsing
of chat frames (the sequence number and the send time are cut out of the bytes). Frames that
are not chat messages (``subscribed``, ``ack``, ``error``, presence …) are rare and parsed.

A chat frame (unkonf's, and the baseline's imitation of it) looks like::

    {"type": "chat.message_posted", "stream": "room.1.chat", "seq": 42,
     "data": {"id": 7, "author": "…", "html": "<p>bench:17:1763790000.123456</p>", …}}

where ``17`` is the publisher's message number and the float its ``time.time()`` at sending.

A load-generator process runs :func:`worker_main`: it connects its share of the clients, then
answers commands from the coordinating process over a ``multiprocessing`` pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import resource
import time
from array import array
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, cast

from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.typing import Origin
from websockets.uri import parse_uri

CHAT_PREFIX = b'{"type": "chat.message_posted"'
SEQ_MARK = b'"seq": '
BENCH_MARK = b"bench:"

# The browser client's policy (static/unkonf/js/realtime.js, docs/realtime.md): exponential
# back-off with full jitter, starting at half a second, capped at 15 seconds.
BACKOFF_START = 0.5
BACKOFF_CAP = 15.0


def raise_nofile_limit() -> int:
    """Raise the soft limit of open files to the hard limit (every client is a socket)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def install_uvloop() -> str:
    """Use uvloop when it is there (uvicorn does too), so both sides run the same loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"


class Sink:
    """What one process's clients received, in aggregate."""

    def __init__(self) -> None:
        self.latencies = array("d")  # seconds, one per bench message per client
        # per message number: the latency of its first delivery here (a slow first delivery
        # means the server was slow before fanning out: database, commit, publish)
        self.first: dict[int, float] = {}
        self.first_recv = 0.0
        self.last_recv = 0.0
        self.bench = 0
        self.acked: set[str] = set()
        self.refused: dict[str, str] = {}

    def record(self, latency: float, now: float, number: int) -> None:
        self.latencies.append(latency)
        first = self.first.get(number)
        if first is None or latency < first:
            self.first[number] = latency
        if not self.first_recv:
            self.first_recv = now
        self.last_recv = now
        self.bench += 1


class ClientError(Exception):
    pass


class Link(asyncio.Protocol):
    """One TCP connection of a client; a reconnecting client gets a new link.

    The opening handshake (request, response, its checks) is the ``websockets`` library's
    sans-I/O protocol. After it, server frames (unmasked, unfragmented, uncompressed) are cut
    here, which costs about a third of the library's general parser per frame; sending
    (subscribe, pong, close) stays with the library. With permessage-deflate offered, every
    frame goes through the library.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None
        self.proto: ClientProtocol | None = None
        self.fast = not client.deflate
        self.head = b""  # the handshake response, until its end
        self.open = False  # past the handshake, frames are cut here
        self.rest = b""  # an incomplete frame

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass
        client = self.client
        uri = parse_uri(f"ws://127.0.0.1:{client.port}{client.path}")
        # Offering permessage-deflate is what a browser does; the server decides (unkonf: off).
        extensions = [ClientPerMessageDeflateFactory()] if client.deflate else None
        proto = ClientProtocol(
            uri,
            origin=Origin(f"http://127.0.0.1:{client.port}"),
            extensions=extensions,
            max_size=2**20,
        )
        request = proto.connect()
        if client.session:
            request.headers["Cookie"] = f"sessionid={client.session}"
        proto.send_request(request)
        self.proto = proto
        self.flush()

    def data_received(self, data: bytes) -> None:
        if self.open:
            self.frames(data)
            return
        proto = self.proto
        assert proto is not None
        if self.fast:
            # Give the library the response head only; what follows it are frames.
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            if self.head.startswith(b"HTTP/1.1 101"):
                head, rest = self.head[: end + 4], self.head[end + 4 :]
                self.head = b""
                proto.receive_data(head)
                for _event in proto.events_received():
                    self.client.handshake_done(self, proto.handshake_exc)
                self.flush()
                if proto.handshake_exc is None:
                    self.open = True
                    if rest:
                        self.frames(rest)
                return
            self.fast = False  # refused: the library reads the whole answer
            data, self.head = self.head, b""
        proto.receive_data(data)
        client = self.client
        for event in proto.events_received():
            if not isinstance(event, Frame):  # the handshake's response
                client.handshake_done(self, proto.handshake_exc)
                continue
            opcode = event.opcode
            if opcode is Opcode.TEXT:
                client.text(bytes(event.data))
            elif opcode is Opcode.CLOSE:
                client.close_codes[proto.close_code or 1005] += 1
        self.flush()

    def frames(self, data: bytes) -> None:
        buf = self.rest + data if self.rest else data
        size = len(buf)
        pos = 0
        client = self.client
        while size - pos >= 2:
            first = buf[pos]
            length = buf[pos + 1] & 0x7F
            start = pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                start = pos + 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                start = pos + 10
            end = start + length
            if end > size:
                break
            opcode = first & 0x0F
            if opcode == 1 and first & 0x80:
                client.text(buf[start:end])
            elif opcode == 9:
                self.control(Opcode.PING, buf[start:end])
            elif opcode == 8:
                self.control(Opcode.CLOSE, buf[start:end])
            elif opcode != 10:  # pong: nothing to do; anything else was not expected
                client.errors[f"frame opcode {opcode}"] += 1
            pos = end
        self.rest = buf[pos:]

    def control(self, opcode: Opcode, payload: bytes) -> None:
        proto = self.proto
        if proto is None:
            return
        with contextlib.suppress(Exception):
            if opcode is Opcode.PING:
                proto.send_pong(payload)
            else:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.client.close_codes[code] += 1
                proto.send_close(code if code != 1005 else 1000)
        self.flush()
        if opcode is Opcode.CLOSE and self.transport is not None:
            self.transport.close()

    def eof_received(self) -> bool | None:
        if self.proto is not None:
            self.proto.receive_eof()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.client.lost(self)

    def flush(self) -> None:
        proto, transport = self.proto, self.transport
        if proto is None or transport is None:
            return
        for chunk in proto.data_to_send():
            if chunk:
                transport.write(chunk)
            else:  # end of data: the closing handshake is done
                transport.close()
                return

    def send_text(self, text: str) -> None:
        if self.proto is not None and self.transport is not None:
            self.proto.send_text(text.encode())
            self.flush()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def close(self) -> None:
        """Close with the closing handshake (a close frame, then the end of the stream)."""
        if self.transport is None:
            return
        if self.proto is not None:
            with contextlib.suppress(Exception):
                self.proto.send_close(1000)
                self.flush()
        if self.transport is not None:
            self.transport.close()


class Client:
    """One participant (or publisher) of the benchmark, across reconnects."""

    def __init__(
        self,
        sink: Sink,
        *,
        port: int,
        path: str,
        session: str | None,
        on_lost: Callable[[Client], None] | None = None,
        deflate: bool = False,
    ) -> None:
        self.sink = sink
        self.deflate = deflate
        self.port = port
        self.path = path
        self.session = session
        self.on_lost = on_lost
        self.loop = asyncio.get_running_loop()
        self.link: Link | None = None
        self.handshake: asyncio.Future[None] | None = None
        self.subscribed: asyncio.Future[int] | None = None
        self.is_open = False
        self.stream = ""
        # Sequence numbers seen (index = seq), and counters for the report.
        self.seen = bytearray(512)
        self.base = 0  # the stream's last seq when first subscribed: older ones are history
        self.max_seq = 0
        self.bench = 0
        self.duplicates = 0
        self.out_of_order = 0
        self.reloads = 0
        self.resyncs = 0
        self.errors: Counter[str] = Counter()
        self.close_codes: Counter[int] = Counter()
        self.first_subscribe = True

    # --- called by the link ---------------------------------------------------------------

    def handshake_done(self, link: Link, exc: Exception | None) -> None:
        if link is not self.link:
            return
        future = self.handshake
        if exc is None:
            self.is_open = True
            if future is not None and not future.done():
                future.set_result(None)
        elif future is not None and not future.done():
            future.set_exception(ClientError(f"handshake: {exc}"))

    def lost(self, link: Link) -> None:
        if link is not self.link:
            return  # an old connection, already replaced
        was_open = self.is_open
        self.is_open = False
        self.link = None
        error = ClientError("connection lost")
        for future in (self.handshake, self.subscribed):
            if future is not None and not future.done():
                future.set_exception(error)
        if was_open and self.on_lost is not None:
            self.on_lost(self)

    def text(self, data: bytes) -> None:
        if data.startswith(CHAT_PREFIX):
            now = time.time()
            k = data.find(SEQ_MARK) + 7
            seq = int(data[k : data.find(b",", k)])
            seen = self.seen
            if seq >= len(seen):
                seen.extend(bytes(seq + 512 - len(seen)))
            if seen[seq]:
                self.duplicates += 1
                return
            seen[seq] = 1
            if seq < self.max_seq:
                self.out_of_order += 1
            else:
                self.max_seq = seq
            i = data.find(BENCH_MARK)
            if i >= 0:
                j = data.find(b":", i + 6)
                sent = float(data[j + 1 : data.find(b"<", j)])
                self.bench += 1
                self.sink.record(now - sent, now, int(data[i + 6 : j]))
            return
        try:
            frame = json.loads(data)
        except ValueError:
            self.errors["bad_json"] += 1
            return
        kind = frame.get("type")
        if kind == "subscribed":
            seq = int(frame.get("seq") or 0)
            if self.first_subscribe:
                self.first_subscribe = False
                self.base = seq
                self.max_seq = max(self.max_seq, seq)
            if self.subscribed is not None and not self.subscribed.done():
                self.subscribed.set_result(seq)
        elif kind == "reload":
            self.reloads += 1
            if self.subscribed is not None and not self.subscribed.done():
                self.subscribed.set_result(-1)
        elif kind == "resync":
            self.resyncs += 1
            if self.stream:
                self.send_json(
                    {"type": "subscribe", "stream": self.stream, "since": self.watermark()}
                )
        elif kind == "ack":
            self.sink.acked.add(str(frame.get("ref")))
        elif kind == "error":
            code = str(frame.get("code"))
            self.errors[code] += 1
            ref = frame.get("ref")
            if ref is not None:
                self.sink.refused[str(ref)] = str(frame.get("message"))
            if self.subscribed is not None and not self.subscribed.done():
                self.subscribed.set_exception(ClientError(f"subscribe refused: {code}"))

    # --- actions --------------------------------------------------------------------------

    def send_json(self, frame: dict[str, Any]) -> None:
        self.send_text(json.dumps(frame))

    def send_text(self, text: str) -> None:
        if self.link is not None and self.is_open:
            self.link.send_text(text)

    async def connect(self) -> None:
        self.abort()
        self.handshake = self.loop.create_future()
        link = self.link = Link(self)
        await self.loop.create_connection(lambda: link, "127.0.0.1", self.port)
        await self.handshake

    async def subscribe(self, stream: str, since: int | None) -> int:
        self.stream = stream
        self.subscribed = self.loop.create_future()
        self.send_json({"type": "subscribe", "stream": stream, "since": since})
        return await self.subscribed

    def watermark(self) -> int:
        """The last seq up to which nothing is missing: what a reconnecting client asks after."""
        seq, seen = self.base, self.seen
        while seq + 1 < len(seen) and seen[seq + 1]:
            seq += 1
        return seq

    def missing(self, last: int) -> int:
        """Messages after the first subscription, up to ``last``, that never arrived."""
        seen = self.seen
        if last >= len(seen):
            seen.extend(bytes(last + 1 - len(seen)))
        return sum(1 for seq in range(self.base + 1, last + 1) if not seen[seq])

    def abort(self) -> None:
        """Drop the connection at once (no closing handshake), as a network failure would."""
        link, self.link = self.link, None
        self.is_open = False
        if link is not None:
            link.abort()

    def close(self) -> None:
        if self.link is not None:
            self.link.close()


async def open_client(client: Client, stream: str | None, timeout: float) -> float:
    """Connect (and subscribe); return the seconds it took."""
    start = time.monotonic()
    async with asyncio.timeout(timeout):
        await client.connect()
        if stream:
            since = None if client.first_subscribe else client.watermark()
            await client.subscribe(stream, since)
    return time.monotonic() - start


async def reconnect(client: Client, stream: str | None, *, deadline: float) -> tuple[float, int]:
    """Reconnect as the browser client does; return (seconds until back, attempts).

    Back-off with full jitter before each attempt; an attempt waits until the server accepts
    or refuses (the browser's WebSocket has no connect timeout), here bounded by ``deadline``.
    """
    start = time.monotonic()
    attempt = 0
    while True:
        delay = random.uniform(0, min(BACKOFF_CAP, BACKOFF_START * 2**attempt))
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        attempt += 1
        try:
            await open_client(client, stream, timeout=max(0.1, deadline - time.monotonic()))
        except (OSError, ClientError, TimeoutError):
            if time.monotonic() >= deadline:
                raise
            continue
        return time.monotonic() - start, attempt


# --- a load-generator process ------------------------------------------------------------------


class Commands:
    """Commands from the coordinator, read from the pipe without blocking the loop."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(conn.fileno(), self._ready)
        # The loop made the pipe non-blocking; a large report must be written and read whole.
        os.set_blocking(conn.fileno(), True)

    def _ready(self) -> None:
        try:
            while self.conn.poll():
                self.queue.put_nowait(self.conn.recv())
        except (EOFError, OSError):
            self.loop.remove_reader(self.conn.fileno())
            self.queue.put_nowait(("stop",))

    async def get(self) -> Any:
        return await self.queue.get()


def worker_main(conn: Connection, spec: dict[str, Any]) -> None:
    """Entry point of a load-generator process (``multiprocessing``, spawn)."""
    raise_nofile_limit()
    install_uvloop()
    try:
        asyncio.run(asyncio.wait_for(_worker(conn, spec), timeout=spec["lifetime"]))
    except (TimeoutError, KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        conn.close()


async def _connect_all(
    clients: list[Client], stream: str | None, *, concurrency: int, timeout: float
) -> dict[str, Any]:
    semaphore = asyncio.Semaphore(concurrency)
    durations: list[float] = []
    failures: Counter[str] = Counter()

    async def one(client: Client) -> None:
        async with semaphore:
            try:
                durations.append(await open_client(client, stream, timeout))
            except (OSError, ClientError, TimeoutError) as exc:
                failures[type(exc).__name__ + (f": {exc}" if str(exc) else "")] += 1
                client.abort()

    start = time.monotonic()
    await asyncio.gather(*(one(client) for client in clients))
    return {
        "elapsed": time.monotonic() - start,
        "durations": durations,
        "failures": dict(failures),
        "connected": len(durations),
    }


async def _worker(conn: Connection, spec: dict[str, Any]) -> None:
    sink = Sink()
    stream: str | None = spec["stream"]
    clients = [
        Client(
            sink, port=port, path=spec["path"], session=session, deflate=spec.get("deflate", False)
        )
        for port, session in spec["targets"]
    ]
    commands = Commands(conn)
    result = await _connect_all(
        clients, stream, concurrency=spec["concurrency"], timeout=spec["connect_timeout"]
    )
    conn.send(("connected", result))
    while True:
        command = await commands.get()
        name = command[0]
        if name == "count":
            conn.send(("count", sink.bench))
        elif name == "maxseq":
            conn.send(("maxseq", max((client.max_seq for client in clients), default=0)))
        elif name == "storm":
            conn.send(("back", await _storm(clients, stream, timeout=command[1])))
        elif name == "report":
            conn.send(("report", _report(clients, sink, last_seq=command[1])))
        elif name == "stop":
            for client in clients:
                client.close()
            await asyncio.sleep(0.2)
            return


async def _storm(clients: list[Client], stream: str | None, *, timeout: float) -> dict[str, Any]:
    """Drop every connection at once, then reconnect all with back-off and ``since``."""
    for client in clients:
        client.abort()
    start = time.monotonic()
    deadline = start + timeout
    results = await asyncio.gather(
        *(reconnect(client, stream, deadline=deadline) for client in clients),
        return_exceptions=True,
    )
    back = [r for r in results if isinstance(r, tuple)]
    return {
        "times": [seconds for seconds, _attempts in back],
        "attempts": sum(attempts for _seconds, attempts in back),
        "failed": len(results) - len(back),
        "elapsed": time.monotonic() - start,
    }


def _report(clients: list[Client], sink: Sink, *, last_seq: int | None) -> dict[str, Any]:
    close_codes: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    for client in clients:
        close_codes.update(client.close_codes)
        errors.update(client.errors)
    missing = [client.missing(last_seq) for client in clients] if last_seq is not None else []
    bench = [client.bench for client in clients]
    return {
        "latencies": sink.latencies.tobytes(),
        "first": sink.first,
        "bench": sink.bench,
        "per_client_min": min(bench, default=0),
        "per_client_max": max(bench, default=0),
        "first_recv": sink.first_recv,
        "last_recv": sink.last_recv,
        "duplicates": sum(client.duplicates for client in clients),
        "out_of_order": sum(client.out_of_order for client in clients),
        "reloads": sum(client.reloads for client in clients),
        "resyncs": sum(client.resyncs for client in clients),
        "close_codes": dict(close_codes),
        "errors": dict(errors),
        "missing": sum(missing),
        "clients_missing": sum(1 for m in missing if m),
        "open": sum(1 for client in clients if client.is_open),
    }
