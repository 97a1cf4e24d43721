"""hub.Outbox: frames written at once and in order, bounded while a client does not read."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.protocol import State
from websockets.server import ServerProtocol

from unkonf.realtime.hub import Outbox

pytestmark = pytest.mark.unit


class FakeSend:
    """An ASGI send that, like uvicorn's, waits only while the socket cannot take data."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[str] = []
        self.gone = False

    async def __call__(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        if self.gone:
            raise OSError("client disconnected")
        assert message["type"] == "websocket.send"
        self.sent.append(message["text"])


def test_outbox_writes_at_once_without_a_task() -> None:
    async def scenario() -> tuple[list[str], int]:
        send = FakeSend()
        outbox = Outbox(send, limit=3, on_overflow=lambda: None)
        outbox.put("a")
        outbox.put("b")
        written = list(send.sent)  # before the loop ran anything else
        return written, len(asyncio.all_tasks())

    written, tasks = asyncio.run(scenario())

    assert written == ["a", "b"]
    assert tasks == 1  # only the scenario itself


def test_outbox_keeps_order_while_the_socket_is_full_then_drains() -> None:
    async def scenario() -> tuple[list[str], list[str], int]:
        send = FakeSend()
        outbox = Outbox(send, limit=3, on_overflow=lambda: None)
        outbox.put("a")
        send.writable.clear()  # the client stops reading
        for text in ("b", "c", "d"):
            outbox.put(text)
        during = list(send.sent)
        waiting = len(outbox)
        send.writable.set()
        await asyncio.sleep(0.01)
        outbox.put("e")
        return during, send.sent, waiting

    during, after, waiting = asyncio.run(scenario())

    assert during == ["a"]
    assert waiting == 2  # "b" is being sent, "c" and "d" wait
    assert after == ["a", "b", "c", "d", "e"]


def test_outbox_calls_on_overflow_past_its_limit() -> None:
    async def scenario() -> tuple[int, list[str]]:
        send = FakeSend()
        overflows: list[str] = []
        outbox = Outbox(send, limit=2, on_overflow=lambda: overflows.append("slow"))
        send.writable.clear()
        for text in ("a", "b", "c", "d"):
            outbox.put(text)
        outbox.close()
        return len(overflows), send.sent

    overflows, sent = asyncio.run(scenario())

    assert overflows == 1  # "a" in flight, "b" and "c" waiting, "d" is one too many
    assert sent == []


def test_outbox_stops_quietly_when_the_connection_is_gone() -> None:
    async def scenario() -> list[str]:
        send = FakeSend()
        send.gone = True
        outbox = Outbox(send, limit=2, on_overflow=lambda: None)
        outbox.put("a")
        send.gone = False
        outbox.put("b")  # closed after the first failure: dropped
        return send.sent

    assert asyncio.run(scenario()) == []


def test_outbox_close_drops_what_waits_and_cancels_the_send() -> None:
    async def scenario() -> list[str]:
        send = FakeSend()
        outbox = Outbox(send, limit=5, on_overflow=lambda: None)
        send.writable.clear()
        outbox.put("a")
        outbox.put("b")
        outbox.close()
        send.writable.set()
        await asyncio.sleep(0.01)
        outbox.put("c")
        return send.sent

    assert asyncio.run(scenario()) == []


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.closing


class WebSocketsSansIOProtocol:
    """Stands in for uvicorn's protocol: the attributes Outbox looks at, and its send."""

    def __init__(self) -> None:
        self.transport = FakeTransport()
        self.conn = ServerProtocol()
        self.conn.state = State.OPEN
        self.writable = asyncio.Event()
        self.writable.set()
        self.close_sent = False
        self.disconnected = False
        self.handshake_complete = True
        self.sent: list[str] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        self.sent.append(message["text"])


def test_outbox_writes_frames_to_uvicorns_socket_directly_while_it_is_writable() -> None:
    async def scenario() -> tuple[list[bytes], list[str]]:
        protocol = WebSocketsSansIOProtocol()
        outbox = Outbox(protocol.send, limit=5, on_overflow=lambda: None)
        outbox.put("hallo")
        protocol.writable.clear()  # the client stops reading: the ASGI way, in order
        outbox.put("zwei")
        outbox.put("drei")
        protocol.writable.set()
        await asyncio.sleep(0.01)
        outbox.put("vier")  # writable again, nothing waits: directly
        return protocol.transport.written, protocol.sent

    written, sent = asyncio.run(scenario())

    assert written == [b"\x81\x05hallo", b"\x81\x04vier"]
    assert sent == ["zwei", "drei"]


def test_outbox_takes_the_asgi_way_once_the_connection_closes() -> None:
    async def scenario() -> tuple[list[bytes], list[str]]:
        protocol = WebSocketsSansIOProtocol()
        outbox = Outbox(protocol.send, limit=5, on_overflow=lambda: None)
        protocol.close_sent = True
        outbox.put("spät")
        return protocol.transport.written, protocol.sent

    written, sent = asyncio.run(scenario())

    assert written == []
    assert sent == ["spät"]  # uvicorn's own send decides what happens to it


def test_outbox_writes_a_replay_to_uvicorns_socket_in_one_write() -> None:
    async def scenario() -> list[bytes]:
        protocol = WebSocketsSansIOProtocol()
        outbox = Outbox(protocol.send, limit=5, on_overflow=lambda: None)
        outbox.put_many(["eins", "zwei", "drei"])
        return protocol.transport.written

    assert asyncio.run(scenario()) == [b"\x81\x04eins\x81\x04zwei\x81\x04drei"]


def test_outbox_replay_waits_in_order_behind_what_waits_already() -> None:
    async def scenario() -> tuple[list[bytes], list[str]]:
        protocol = WebSocketsSansIOProtocol()
        outbox = Outbox(protocol.send, limit=5, on_overflow=lambda: None)
        protocol.writable.clear()  # the client stops reading
        outbox.put("live")
        outbox.put_many(["eins", "zwei"])
        protocol.writable.set()
        await asyncio.sleep(0.01)
        return protocol.transport.written, protocol.sent

    written, sent = asyncio.run(scenario())

    assert written == []
    assert sent == ["live", "eins", "zwei"]


def test_outbox_replay_takes_the_asgi_way_without_uvicorn() -> None:
    async def scenario() -> list[str]:
        send = FakeSend()
        outbox = Outbox(send, limit=5, on_overflow=lambda: None)
        outbox.put_many(["eins", "zwei"])
        return send.sent

    assert asyncio.run(scenario()) == ["eins", "zwei"]
