"""The ``unkonf`` console command: ``unkonf demo``, ``unkonf serve`` and Django's commands."""

from __future__ import annotations

import os
import sys


def _serve(argv: list[str]) -> None:
    import uvicorn

    host = os.environ.get("UNKONF_HOST", "127.0.0.1")
    port = int(os.environ.get("UNKONF_PORT", "8000"))
    workers = int(os.environ.get("UNKONF_WORKERS", "1"))
    for arg in argv:
        if arg.startswith("--host="):
            host = arg.split("=", 1)[1]
        elif arg.startswith("--port="):
            port = int(arg.split("=", 1)[1])
    uvicorn.run(
        "unkonf.asgi:application",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        ws_per_message_deflate=False,
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
