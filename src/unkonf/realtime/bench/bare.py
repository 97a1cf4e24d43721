"""The baseline: a bare ``websockets`` server that broadcasts every message it receives.

Run as ``python -m unkonf.realtime.bench.bare --port 8765``. No Django, no database, no
authentication: one asyncio loop (uvloop, as uvicorn uses), ``websockets.broadcast`` of each
received message to every connected client; permessage-deflate off (as in unkonf) unless
``--deflate``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from websockets.asyncio.server import ServerConnection, broadcast, serve

from unkonf.realtime.bench.loadgen import install_uvloop, raise_nofile_limit

CLIENTS: set[ServerConnection] = set()


async def handler(websocket: ServerConnection) -> None:
    CLIENTS.add(websocket)
    try:
        async for message in websocket:
            broadcast(CLIENTS, message)
    finally:
        CLIENTS.discard(websocket)


async def main(port: int, lifetime: float, *, deflate: bool) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.cancel)
    loop.add_signal_handler(signal.SIGINT, stop.cancel)
    compression = "deflate" if deflate else None
    async with serve(handler, "127.0.0.1", port, compression=compression, backlog=4096):
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(stop, timeout=lifetime)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lifetime", type=float, default=900.0, help="stop after this many s")
    parser.add_argument("--deflate", action="store_true", help="permessage-deflate on")
    options = parser.parse_args()
    raise_nofile_limit()
    install_uvloop()
    asyncio.run(main(options.port, options.lifetime, deflate=options.deflate))
