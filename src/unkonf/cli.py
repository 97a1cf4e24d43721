"""The ``unkonf`` console command: ``unkonf demo``, ``unkonf serve`` and Django's commands."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

# Websocket settings of `unkonf serve` (measured in docs/benchmarks.md, ADR 0008):
# permessage-deflate off (it doubles the CPU per delivery and every frame is small), frames
# larger than 64 KiB refused by uvicorn before they reach Django (the consumer's own limit is
# 16 K characters), and uvicorn's websocket protocol on the websockets library's sans-I/O core.
WS_IMPLEMENTATION = "websockets-sansio"
WS_MAX_SIZE = 64 * 1024
WS_PING_INTERVAL = 20.0
WS_PING_TIMEOUT = 20.0


def _serve(argv: list[str]) -> None:
    import uvicorn

    host = os.environ.get("UNKONF_HOST", "127.0.0.1")
    port = int(os.environ.get("UNKONF_PORT", "8000"))
    workers = int(os.environ.get("UNKONF_WORKERS", "1"))
    ws = WS_IMPLEMENTATION
    deflate = False
    for arg in argv:
        if arg.startswith("--host="):
            host = arg.split("=", 1)[1]
        elif arg.startswith("--port="):
            port = int(arg.split("=", 1)[1])
        elif arg.startswith("--workers="):
            workers = int(arg.split("=", 1)[1])
        elif arg.startswith("--ws="):  # for measurements: websockets-sansio, websockets, wsproto
            ws = arg.split("=", 1)[1]
        elif arg.startswith("--ws-per-message-deflate="):  # for measurements only
            deflate = arg.split("=", 1)[1].lower() in ("1", "true", "yes", "on")
    if workers > 1 and not os.environ.get("UNKONF_REDIS_URL"):
        # Every worker is a process with its own realtime hub: without Redis between them,
        # a message would reach only the clients of the worker that sent it.
        sys.exit("UNKONF_WORKERS > 1 needs UNKONF_REDIS_URL (see docs/deployment.md).")
    app: Any = "unkonf.asgi:application"
    if workers == 1:
        # Load Django before serving, then take everything made so far (modules, settings, the
        # app registry) out of the garbage collector's work: a full collection then scans only
        # what connections create (docs/benchmarks.md). Worker processes load it themselves.
        from unkonf.asgi import application

        gc.collect()
        gc.freeze()
        app = application
    uvicorn.run(
        app,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        ws=ws,
        ws_max_size=WS_MAX_SIZE,
        ws_ping_interval=WS_PING_INTERVAL,
        ws_ping_timeout=WS_PING_TIMEOUT,
        ws_per_message_deflate=deflate,
        log_level=os.environ.get("UNKONF_LOG_LEVEL", "info").lower(),
        lifespan="off",
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unkonf.settings.base")
    argv = sys.argv[1:]
    command = argv[0] if argv else "help"
    if command == "demo":
        os.environ.setdefault("UNKONF_DEMO", "1")
        port = os.environ.get("UNKONF_PORT", "8000")
        os.environ.setdefault("UNKONF_SITE_URL", f"http://localhost:{port}")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("compile_translations", verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("seed_demo")
        _serve(argv[1:])
        return
    if command == "serve":
        _serve(argv[1:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["unkonf", *argv])


if __name__ == "__main__":
    main()
