"""The per-process hub: who is connected here, and delivery of one encoded payload to them.

Channels accepts each websocket; the room broadcast is done here, in-process, because
Channels' group_send (one handler call per member, through the channel layer) saturates at a
few hundred members (see docs/adr/0008-realtime-per-process-hub.md). Between processes one
Redis pub/sub subscription per process carries each message once; without Redis (the
embedded default) the same code delivers inside the one process.

Every connection has a bounded outbox, so one slow client cannot hold up the others; a client
whose outbox overflows is disconnected and catches up on reconnect.

The bus channel's name carries the Redis database number (``unkonf:realtime:<db>``): Redis
pub/sub ignores database numbers, so two installations on one Redis server, each with its
own database, would otherwise hear each other's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import threading
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine, Generator, Sequence
from typing import Any, Protocol, cast

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.connection import parse_url
from websockets.protocol import State

logger = logging.getLogger(__name__)

# How long the first connection of a process waits for the bus subscription, so that nothing
# published meanwhile is missed (members present when it is confirmed are told to resync).
START_WAIT = 2.0


def bus_channel(redis_url: str) -> str:
    """The pub/sub channel of the installation whose Redis is ``redis_url``."""
    db = parse_url(redis_url).get("db", 0)  # type: ignore[no-untyped-call]
    return f"unkonf:realtime:{db}"


class Member(Protocol):
    def deliver(self, text: str) -> None:
        """Queue one encoded frame; must not block."""

    def resync(self) -> None:
        """Tell the client to ask for what it may have missed."""


Send = Callable[[dict[str, Any]], Awaitable[None]]


class Outbox:
    """One connection's outgoing frames: written at once, in order, and bounded.

    ``send`` is the connection's ASGI send. When nothing is waiting, a frame is written right
    away: the send coroutine is driven here, without a task, and uvicorn's websocket send
    finishes without suspending unless the socket's buffer is full (the client does not read).
    If it suspends, a task finishes it and then writes, in order, what queued up meanwhile.
    More than ``limit`` waiting frames call ``on_overflow`` (the consumer closes with 4008).

    Under uvicorn's websocket protocol (what ``unkonf serve`` runs) a frame goes straight to
    the socket while the connection is open and writable: the frame's bytes are made once per
    message for all members (server frames are not masked) and written, the same bytes uvicorn
    would write. Whenever that is not so (closing, buffer full, an extension such as
    compression, another server, the test communicator) the frame takes the ASGI way.

    This is what makes a room broadcast cheap: one pass over the members, a few microseconds
    each, no task switch and no queue per member and message (docs/benchmarks.md).
    """

    __slots__ = ("_closed", "_direct", "_limit", "_on_overflow", "_send", "_task", "_waiting")

    def __init__(self, send: Send, *, limit: int, on_overflow: Callable[[], None]) -> None:
        self._send = send
        self._direct = _direct_protocol(send)
        self._limit = limit
        self._on_overflow = on_overflow
        self._waiting: deque[str] = deque()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._waiting)

    def put(self, text: str) -> None:
        if self._closed:
            return
        if self._task is not None:
            if len(self._waiting) >= self._limit:
                self._on_overflow()
                return
            self._waiting.append(text)
            return
        direct = self._direct
        if (  # as in _open_socket, written out: this runs once per member and message
            direct is not None
            and direct.writable.is_set()
            and not direct.close_sent
            and not direct.disconnected
            and direct.conn.state is State.OPEN
            and not direct.transport.is_closing()
        ):
            direct.transport.write(_text_frame(text))
            return
        coro = cast(Coroutine[Any, Any, None], self._send({"type": "websocket.send", "text": text}))
        try:
            yielded = coro.send(None)
        except StopIteration:
            return  # written
        except Exception:  # the connection is gone; its consumer hears of it by itself
            self._closed = True
            logger.debug("realtime: send failed", exc_info=True)
            return
        self._task = asyncio.get_running_loop().create_task(self._drain(coro, yielded))

    def put_many(self, texts: Sequence[str]) -> None:
        """Several frames in order (a replay): one write when they go to the socket directly."""
        direct = None if self._closed or self._task is not None else self._open_socket()
        if direct is None:
            for text in texts:
                self.put(text)
            return
        direct.transport.write(b"".join([_text_frame(text) for text in texts]))

    def _open_socket(self) -> Any:
        """uvicorn's protocol, if a frame may be written to its socket right now."""
        direct = self._direct
        if (
            direct is not None
            and direct.writable.is_set()
            and not direct.close_sent
            and not direct.disconnected
            and direct.conn.state is State.OPEN
            and not direct.transport.is_closing()
        ):
            return direct
        return None

    async def _drain(self, coro: Coroutine[Any, Any, None], yielded: Any) -> None:
        try:
            await _Resume(coro, yielded)
            while self._waiting:
                await self._send({"type": "websocket.send", "text": self._waiting.popleft()})
        except asyncio.CancelledError:
            raise
        except Exception:
            self._closed = True
            self._waiting.clear()
            logger.debug("realtime: send failed", exc_info=True)
        finally:
            self._task = None

    def close(self) -> None:
        """Stop writing (the connection is closing); drop what waits."""
        self._closed = True
        self._waiting.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None


def _direct_protocol(send: Send) -> Any:
    """uvicorn's websocket protocol behind ``send``, if frames may go to its socket directly."""
    protocol: Any = getattr(send, "__self__", None)
    if type(protocol).__name__ != "WebSocketsSansIOProtocol":
        return None
    needed = ("transport", "conn", "writable", "close_sent", "disconnected", "handshake_complete")
    if not all(hasattr(protocol, name) for name in needed) or not protocol.handshake_complete:
        return None
    if getattr(protocol.conn, "extensions", True):  # negotiated extensions (compression)
        return None
    return protocol


_last_frame: tuple[str, bytes] = ("", b"")


def _text_frame(text: str) -> bytes:
    """A final, unmasked text frame. Made once: the hub hands the same str to every member."""
    global _last_frame
    if _last_frame[0] is text:
        return _last_frame[1]
    payload = text.encode()
    size = len(payload)
    if size < 126:
        head = bytes((0x81, size))
    elif size < 1 << 16:
        head = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + size.to_bytes(8, "big")
    frame = head + payload
    _last_frame = (text, frame)
    return frame


class _Resume:
    """Awaits the rest of a coroutine that was started by hand and suspended on ``yielded``."""

    __slots__ = ("coro", "yielded")

    def __init__(self, coro: Coroutine[Any, Any, None], yielded: Any) -> None:
        self.coro = coro
        self.yielded = yielded

    def __await__(self) -> Generator[Any, Any, None]:
        coro, yielded = self.coro, self.yielded
        while True:
            try:
                value = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # e.g. the task is cancelled: pass it on
                try:
                    yielded = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    yielded = coro.send(value)
                except StopIteration:
                    return


class Hub:
    def __init__(self, redis_url: str = "") -> None:
        self.redis_url = redis_url
        self.bus_channel = bus_channel(redis_url) if redis_url else ""
        self._members: dict[str, set[Member]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bus_task: asyncio.Task[None] | None = None
        self._first_attempt: asyncio.Event | None = None
        self._publisher: redis.Redis | None = None
        self._apublisher: aioredis.Redis | None = None
        self._lock = threading.Lock()

    # --- membership (on the event loop) -------------------------------------------------------

    async def start(self) -> None:
        """Bind to the running loop; start the Redis subscription once per process.

        The first connections wait (at most ``START_WAIT``) until the first attempt to
        subscribe has succeeded or failed, so that they do not join before the subscription
        and miss what is published in between.
        """
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._bus_task = None
            self._apublisher = None
            self._first_attempt = asyncio.Event()
        if not self.redis_url:
            return
        if self._bus_task is None or self._bus_task.done():
            self._bus_task = loop.create_task(self._listen(), name="unkonf-realtime-bus")
        first = self._first_attempt
        if first is not None and not first.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(START_WAIT):
                    await first.wait()

    def join(self, group: str, member: Member) -> None:
        self._members[group].add(member)

    def leave(self, group: str, member: Member) -> None:
        members = self._members.get(group)
        if members is not None:
            members.discard(member)
            if not members:
                del self._members[group]

    def local_count(self, group: str) -> int:
        return len(self._members.get(group, ()))

    def deliver_local(self, group: str, text: str) -> None:
        for member in tuple(self._members.get(group, ())):
            member.deliver(text)

    def _resync_all(self) -> None:
        members = {m for group in self._members.values() for m in group}
        for member in members:
            member.resync()

    # --- publishing (from any thread) ----------------------------------------------------------

    def publish(self, group: str, text: str) -> None:
        """Deliver to the group's members in every process. Safe from sync code and threads
        (``broadcast_on_commit`` runs in the thread that committed); blocks while it talks to
        Redis, so code on the event loop uses ``apublish``."""
        if self.redis_url:
            try:
                self._redis().publish(self.bus_channel, json.dumps([group, text]))
            except redis.RedisError:
                # Stored streams lose nothing: clients catch up when the bus is back.
                logger.warning("realtime bus unavailable; %s not published", group)
            return
        self._call_in_loop(self.deliver_local, group, text)

    async def apublish(self, group: str, text: str) -> None:
        """``publish`` for code on the event loop: it never blocks the loop."""
        if not self.redis_url:
            self.deliver_local(group, text)
            return
        if self._apublisher is None:
            self._apublisher = aioredis.Redis.from_url(
                self.redis_url, socket_timeout=2, socket_connect_timeout=2
            )
        try:
            await self._apublisher.publish(self.bus_channel, json.dumps([group, text]))
        except (redis.RedisError, OSError):
            logger.warning("realtime bus unavailable; %s not published", group)

    def _call_in_loop(self, func: Callable[[str, str], None], group: str, text: str) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # nobody is connected in this process
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            func(group, text)
        else:
            loop.call_soon_threadsafe(func, group, text)

    def _redis(self) -> redis.Redis:
        with self._lock:
            if self._publisher is None:
                self._publisher = redis.Redis.from_url(
                    self.redis_url, socket_timeout=2, socket_connect_timeout=2
                )
            return self._publisher

    # --- the one subscription per process -----------------------------------------------------

    def _subscribed(self, first: asyncio.Event | None) -> None:
        """Redis confirmed the subscription: from now on nothing published is missed here."""
        if first is not None and first.is_set():
            logger.info("realtime bus reconnected")
        # Whoever is connected joined before this subscription (after an outage, or when the
        # first subscription took longer than START_WAIT) and may have missed something:
        # they ask again with their last seq.
        self._resync_all()
        if first is not None:
            first.set()

    async def _listen(self) -> None:
        delay = 0.5
        first = self._first_attempt
        while True:
            client = aioredis.Redis.from_url(self.redis_url, socket_connect_timeout=2)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.bus_channel)
                    async for message in pubsub.listen():
                        if message.get("type") == "subscribe":
                            self._subscribed(first)
                            delay = 0.5
                            continue
                        if message.get("type") != "message":
                            continue
                        group, text = json.loads(message["data"])
                        self.deliver_local(group, text)
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                logger.warning("realtime bus lost (%s); retrying in %.1f s", exc, delay)
                if first is not None:
                    first.set()  # connections need not wait for the bus any longer
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()
            # short and jittered: after an outage every process is back within about 2 s
            await asyncio.sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, 2.0)


_hub: Hub | None = None


def get_hub() -> Hub:
    global _hub
    if _hub is None:
        _hub = Hub(redis_url=settings.REDIS_URL)
    return _hub


def reset_hub() -> None:
    """Forget the hub (tests switch settings between runs)."""
    global _hub
    _hub = None
